/* Callback objects (ExCreateCallback, ExRegisterCallback, ExNotifyCallback):
 * a named or unnamed list of driver routines called with two arguments. A
 * named object is found again by name while anyone holds a reference; the
 * documented system ones (\Callback\PowerState, \Callback\SetSystemTime)
 * always exist. ExUnregisterCallback waits for a call in progress. */
#include "../private.h"

#define CALLBACK_TAG 'lbCO'
#define NAME_CHARS   256

typedef struct _CALLBACK_OBJECT {
    CSHORT Type; /* IO_TYPE_CALLBACK: first, as in every object ObDereferenceObject takes */
    LONG refs;
    bool allow_multiple;
    bool permanent; /* a system callback object: never freed before shutdown */
    LIST_ENTRY named;
    LIST_ENTRY registrations;
    UNICODE_STRING name;
    WCHAR name_buf[NAME_CHARS];
} CALLBACK_OBJECT;

typedef struct callback_registration {
    LIST_ENTRY link;
    CALLBACK_OBJECT *object;
    PCALLBACK_FUNCTION function;
    PVOID context;
    int busy; /* calls in progress */
    bool unregistering;
} callback_registration_t;

/* One lock for every callback object: registrations are few and calls are
 * made without it (a callback may register, notify or unregister others). */
static pthread_mutex_t cb_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cb_idle = PTHREAD_COND_INITIALIZER;
static LIST_ENTRY named_objects = {&named_objects, &named_objects};

static const char *const system_callbacks[] = {"\\Callback\\PowerState",
                                               "\\Callback\\SetSystemTime"};

static CALLBACK_OBJECT *find_locked(PCUNICODE_STRING name)
{
    for (PLIST_ENTRY e = named_objects.Flink; e != &named_objects; e = e->Flink) {
        CALLBACK_OBJECT *o = CONTAINING_RECORD(e, CALLBACK_OBJECT, named);
        if (RtlEqualUnicodeString(&o->name, name, TRUE))
            return o;
    }
    return NULL;
}

static CALLBACK_OBJECT *create_locked(PCUNICODE_STRING name, bool allow_multiple)
{
    CALLBACK_OBJECT *o = ex_alloc(NonPagedPoolNx, sizeof(*o), CALLBACK_TAG, true, NULL);
    if (!o)
        return NULL;
    o->Type = IO_TYPE_CALLBACK;
    o->refs = 1;
    o->allow_multiple = allow_multiple;
    InitializeListHead(&o->registrations);
    InitializeListHead(&o->named);
    if (name) {
        memcpy(o->name_buf, name->Buffer, name->Length);
        o->name.Buffer = o->name_buf;
        o->name.Length = name->Length;
        o->name.MaximumLength = sizeof o->name_buf;
        InsertTailList(&named_objects, &o->named);
    }
    return o;
}

static bool is_system_name(PCUNICODE_STRING name)
{
    for (size_t i = 0; i < RTL_NUMBER_OF(system_callbacks); i++) {
        WCHAR w[64];
        size_t n = rtl_utf8_to_utf16(system_callbacks[i], w, RTL_NUMBER_OF(w));
        UNICODE_STRING s = {(USHORT)(n * sizeof(WCHAR)), sizeof w, w};
        if (RtlEqualUnicodeString(&s, name, TRUE))
            return true;
    }
    return false;
}

/* PASSIVE_LEVEL. docs: opens the named object, or creates it when Create is
 * TRUE (an unnamed one needs Create); the object is referenced. */
NTSTATUS NTAPI ExCreateCallback(PCALLBACK_OBJECT *CallbackObject,
                                POBJECT_ATTRIBUTES ObjectAttributes, BOOLEAN Create,
                                BOOLEAN AllowMultipleCallbacks)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!CallbackObject || !ObjectAttributes)
        return STATUS_INVALID_PARAMETER;
    *CallbackObject = NULL;
    PCUNICODE_STRING name = ObjectAttributes->ObjectName;
    if (name && (!name->Buffer || name->Length == 0 || name->Length % sizeof(WCHAR) ||
                 name->Length > (NAME_CHARS - 1) * sizeof(WCHAR)))
        return STATUS_OBJECT_NAME_INVALID;
    if (!name && !Create)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&cb_lock);
    CALLBACK_OBJECT *o = name ? find_locked(name) : NULL;
    NTSTATUS status = STATUS_SUCCESS;
    if (o) {
        o->refs++;
    } else if (Create || (name && is_system_name(name))) {
        bool system = name && is_system_name(name);
        o = create_locked(name, system ? true : AllowMultipleCallbacks);
        if (!o)
            status = STATUS_INSUFFICIENT_RESOURCES;
        else if (system) {
            o->permanent = true;
            o->refs++; /* the system's own reference, dropped at shutdown */
        }
    } else {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    }
    pthread_mutex_unlock(&cb_lock);
    if (NT_SUCCESS(status))
        *CallbackObject = o;
    return status;
}

void ob_callback_reference(PVOID object)
{
    pthread_mutex_lock(&cb_lock);
    ((CALLBACK_OBJECT *)object)->refs++;
    pthread_mutex_unlock(&cb_lock);
}

static void release_locked(CALLBACK_OBJECT *o, bool *free_it)
{
    *free_it = --o->refs == 0;
    if (*free_it) {
        if (!IsListEmpty(&o->named))
            RemoveEntryList(&o->named);
        InitializeListHead(&o->named);
    }
}

void ob_callback_dereference(PVOID object)
{
    CALLBACK_OBJECT *o = object;
    bool free_it;
    pthread_mutex_lock(&cb_lock);
    if (o->refs <= 0) {
        pthread_mutex_unlock(&cb_lock);
        KeBugCheckEx(0x18 /* REFERENCE_BY_POINTER */, (ULONG_PTR)object, 0, 0, 0);
    }
    release_locked(o, &free_it);
    pthread_mutex_unlock(&cb_lock);
    if (free_it) {
        o->Type = 0;
        ex_free(o, CALLBACK_TAG, true);
    }
}

/* <= DISPATCH_LEVEL. docs: NULL if the object takes one routine and has one.
 * The registration holds a reference on the object. */
PVOID NTAPI ExRegisterCallback(PCALLBACK_OBJECT CallbackObject, PCALLBACK_FUNCTION CallbackFunction,
                               PVOID CallbackContext)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    if (!CallbackObject || !CallbackFunction)
        return NULL;
    callback_registration_t *r =
        ex_alloc(NonPagedPoolNx, sizeof(*r), CALLBACK_TAG, true, __builtin_return_address(0));
    if (!r)
        return NULL;
    r->object = CallbackObject;
    r->function = CallbackFunction;
    r->context = CallbackContext;
    pthread_mutex_lock(&cb_lock);
    if (!CallbackObject->allow_multiple && !IsListEmpty(&CallbackObject->registrations)) {
        pthread_mutex_unlock(&cb_lock);
        ex_free(r, CALLBACK_TAG, true);
        return NULL;
    }
    CallbackObject->refs++;
    InsertTailList(&CallbackObject->registrations, &r->link);
    pthread_mutex_unlock(&cb_lock);
    return r;
}

/* <= DISPATCH_LEVEL. Waits for a call of this routine in progress on
 * another thread, so its code can go once this returns. */
void NTAPI ExUnregisterCallback(PVOID CallbackRegistration)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    callback_registration_t *r = CallbackRegistration;
    if (!r)
        return;
    CALLBACK_OBJECT *o = r->object;
    bool free_it;
    pthread_mutex_lock(&cb_lock);
    r->unregistering = true;
    while (r->busy)
        pthread_cond_wait(&cb_idle, &cb_lock);
    RemoveEntryList(&r->link);
    release_locked(o, &free_it);
    pthread_mutex_unlock(&cb_lock);
    ex_free(r, CALLBACK_TAG, true);
    if (free_it) {
        o->Type = 0;
        ex_free(o, CALLBACK_TAG, true);
    }
}

/* <= DISPATCH_LEVEL. Calls every registered routine in registration order,
 * at the caller's IRQL, with the caller's arguments. */
void NTAPI ExNotifyCallback(PVOID CallbackObject, PVOID Argument1, PVOID Argument2)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    CALLBACK_OBJECT *o = CallbackObject;
    if (!o)
        return;
    pthread_mutex_lock(&cb_lock);
    for (PLIST_ENTRY e = o->registrations.Flink; e != &o->registrations;) {
        callback_registration_t *r = CONTAINING_RECORD(e, callback_registration_t, link);
        if (r->unregistering) {
            e = e->Flink;
            continue;
        }
        r->busy++;
        pthread_mutex_unlock(&cb_lock);
        r->function(r->context, Argument1, Argument2);
        pthread_mutex_lock(&cb_lock);
        /* Still linked: ExUnregisterCallback waits for busy to drop. */
        e = e->Flink;
        if (--r->busy == 0 && r->unregistering)
            pthread_cond_broadcast(&cb_idle);
    }
    pthread_mutex_unlock(&cb_lock);
}

void ob_callbacks_shutdown(void)
{
    size_t leaked = 0;
    pthread_mutex_lock(&cb_lock);
    for (PLIST_ENTRY e = named_objects.Flink; e != &named_objects;) {
        CALLBACK_OBJECT *o = CONTAINING_RECORD(e, CALLBACK_OBJECT, named);
        e = e->Flink;
        if (!o->permanent || o->refs != 1 || !IsListEmpty(&o->registrations)) {
            leaked++;
            continue;
        }
        RemoveEntryList(&o->named);
        ex_free(o, CALLBACK_TAG, true);
    }
    pthread_mutex_unlock(&cb_lock);
    if (leaked)
        bk_log(BK_LOG_WARN, "ob: %zu callback object(s) still referenced or registered at shutdown",
               leaked);
}

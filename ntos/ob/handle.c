/* The host's one handle table for Zw* handles: registry keys, files opened
 * with ZwCreateFile, whatever manager made them. A handle encodes a slot and
 * a generation, so a closed or made-up handle is refused with
 * STATUS_INVALID_HANDLE instead of reaching freed memory. ZwClose and
 * ObReferenceObjectByHandle live here; each object type says how its
 * objects are referenced and closed (struct _OBJECT_TYPE, private.h). */
#include "../private.h"

#define SLOTS 4096
/* Kernel handles have the top bit set (sign-extended on x64); the slot is
 * in bits 2..15 (low two bits clear, as Windows handles), the generation
 * in bits 16..30. */
#define HANDLE_BASE 0xFFFFFFFF80000000ull

typedef struct {
    void *object; /* NULL: free */
    POBJECT_TYPE type;
    ACCESS_MASK granted;
    uint16_t gen;
} slot_t;

static pthread_mutex_t handle_lock = PTHREAD_MUTEX_INITIALIZER;
static slot_t slots[SLOTS];
static size_t next_free_hint;

static HANDLE encode(size_t index, uint16_t gen)
{
    return (HANDLE)(uintptr_t)(HANDLE_BASE | ((uint64_t)(gen & 0x7FFF) << 16) |
                               ((uint64_t)(index + 1) << 2));
}

/* The slot index behind a handle, or -1. handle_lock held. */
static long decode_locked(HANDLE h)
{
    uint64_t v = (uint64_t)(uintptr_t)h;
    if ((v & 0xFFFFFFFF80000003ull) != HANDLE_BASE)
        return -1;
    uint64_t index = ((v >> 2) & 0x3FFF);
    if (index == 0 || index > SLOTS)
        return -1;
    index--;
    if (!slots[index].object || slots[index].gen != ((v >> 16) & 0x7FFF))
        return -1;
    return (long)index;
}

void ob_handles_reset_hint(void)
{
    /* Generations survive host restarts in one process, so a handle from a
     * previous host is still refused. */
    pthread_mutex_lock(&handle_lock);
    next_free_hint = 0;
    pthread_mutex_unlock(&handle_lock);
}

size_t ob_close_handles_of_type(POBJECT_TYPE type)
{
    size_t closed = 0;
    pthread_mutex_lock(&handle_lock);
    for (size_t i = 0; i < SLOTS; i++) {
        if (!slots[i].object || slots[i].type != type)
            continue;
        closed++;
        void *object = slots[i].object;
        slots[i].object = NULL;
        slots[i].gen++;
        pthread_mutex_unlock(&handle_lock);
        type->close_handle(object);
        pthread_mutex_lock(&handle_lock);
    }
    pthread_mutex_unlock(&handle_lock);
    return closed;
}

HANDLE ob_insert_handle(POBJECT_TYPE type, void *object, ACCESS_MASK granted)
{
    pthread_mutex_lock(&handle_lock);
    for (size_t n = 0; n < SLOTS; n++) {
        size_t i = (next_free_hint + n) % SLOTS;
        if (slots[i].object)
            continue;
        slots[i].object = object;
        slots[i].type = type;
        slots[i].granted = granted;
        slots[i].gen = (uint16_t)((slots[i].gen + 1) & 0x7FFF);
        next_free_hint = i + 1;
        HANDLE h = encode(i, slots[i].gen);
        pthread_mutex_unlock(&handle_lock);
        return h;
    }
    pthread_mutex_unlock(&handle_lock);
    bk_log(BK_LOG_ERROR, "ob: handle table full (%d handles open)", SLOTS);
    return NULL;
}

NTSTATUS ob_reference_handle(HANDLE handle, POBJECT_TYPE type, void **object, ACCESS_MASK *granted,
                             POBJECT_TYPE *actual)
{
    *object = NULL;
    pthread_mutex_lock(&handle_lock);
    long i = decode_locked(handle);
    if (i < 0) {
        pthread_mutex_unlock(&handle_lock);
        return STATUS_INVALID_HANDLE;
    }
    if (type && slots[i].type != type) {
        pthread_mutex_unlock(&handle_lock);
        return STATUS_OBJECT_TYPE_MISMATCH;
    }
    *object = slots[i].object;
    if (actual)
        *actual = slots[i].type;
    if (granted)
        *granted = slots[i].granted;
    /* Lock order: handle_lock, then the type's own lock (never the reverse). */
    slots[i].type->reference(*object);
    pthread_mutex_unlock(&handle_lock);
    return STATUS_SUCCESS;
}

/* Any IRQL <= APC_LEVEL in the docs; PASSIVE_LEVEL here since a file's
 * IRP_MJ_CLEANUP is sent from the call. */
NTSTATUS NTAPI ZwClose(HANDLE Handle)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    pthread_mutex_lock(&handle_lock);
    long i = decode_locked(Handle);
    void *object = i >= 0 ? slots[i].object : NULL;
    POBJECT_TYPE type = i >= 0 ? slots[i].type : NULL;
    if (i >= 0) {
        slots[i].object = NULL;
        if ((size_t)i < next_free_hint)
            next_free_hint = (size_t)i;
    }
    pthread_mutex_unlock(&handle_lock);
    if (!object)
        return STATUS_INVALID_HANDLE;
    type->close_handle(object);
    return STATUS_SUCCESS;
}

/* docs: a referenced pointer to the object body; the caller drops it with
 * ObDereferenceObject. Only object types with a body drivers can hold
 * (files here) are returned; a registry key handle is a type mismatch. */
NTSTATUS NTAPI ObReferenceObjectByHandle(HANDLE Handle, ACCESS_MASK DesiredAccess,
                                         POBJECT_TYPE ObjectType, KPROCESSOR_MODE AccessMode,
                                         PVOID *Object,
                                         POBJECT_HANDLE_INFORMATION HandleInformation)
{
    UNREFERENCED_PARAMETER(AccessMode); /* every caller is kernel mode */
    if (!Object)
        return STATUS_INVALID_PARAMETER;
    *Object = NULL;
    ACCESS_MASK granted = 0;
    void *object;
    POBJECT_TYPE type;
    NTSTATUS status = ob_reference_handle(Handle, ObjectType, &object, &granted, &type);
    if (!NT_SUCCESS(status))
        return status;
    if (!type->has_body)
        status = STATUS_OBJECT_TYPE_MISMATCH;
    else if (DesiredAccess & ~granted & ~(ACCESS_MASK)MAXIMUM_ALLOWED)
        status = STATUS_ACCESS_DENIED;
    if (!NT_SUCCESS(status)) {
        type->dereference(object);
        return status;
    }
    if (HandleInformation) {
        HandleInformation->HandleAttributes = 0;
        HandleInformation->GrantedAccess = granted;
    }
    *Object = object;
    return STATUS_SUCCESS;
}

/* Symbolic links in the object namespace (IoCreateSymbolicLink): a name in
 * \DosDevices (the same directory as \??, \GLOBAL?? and \DosDevices\Global)
 * or anywhere else that names a device, resolved when a device is opened by
 * name. Device interface links are the PnP manager's (pnp/interface.c). */
#include "../private.h"

#include <stdlib.h>

#define LINK_TAG  'mySO'
#define MAX_HOPS  8
#define NAME_MAX_ 512

typedef struct ob_link {
    LIST_ENTRY link;
    UNICODE_STRING name;   /* normalised: the DOS-device prefix stripped, see below */
    UNICODE_STRING target; /* as given */
} ob_link_t;

static pthread_mutex_t link_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY links = {&links, &links};

/* The prefixes that all name the global DOS-devices directory; the user
 * form \\.\ (CreateFile) too. Stripped and replaced by one "\??\". */
static const char *const dos_prefixes[] = {"\\DosDevices\\Global\\", "\\DosDevices\\",
                                           "\\GLOBAL??\\", "\\??\\", "\\\\.\\"};

static bool has_prefix(PCUNICODE_STRING s, const char *prefix, size_t *chars)
{
    size_t n = strlen(prefix);
    if (s->Length / sizeof(WCHAR) < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        WCHAR c = s->Buffer[i];
        char p = prefix[i];
        if (c >= 'a' && c <= 'z')
            c = (WCHAR)(c - 'a' + 'A');
        if (p >= 'a' && p <= 'z')
            p = (char)(p - 'a' + 'A');
        if (c != (WCHAR)(unsigned char)p)
            return false;
    }
    *chars = n;
    return true;
}

/* `name` with any DOS-devices prefix as "\??\", into buf. */
static void normalise(PCUNICODE_STRING name, UNICODE_STRING *out, WCHAR *buf, size_t buf_chars)
{
    size_t skip = 0, o = 0;
    for (size_t i = 0; i < RTL_NUMBER_OF(dos_prefixes); i++)
        if (has_prefix(name, dos_prefixes[i], &skip)) {
            static const WCHAR q[] = {'\\', '?', '?', '\\'};
            memcpy(buf, q, sizeof q);
            o = 4;
            break;
        }
    size_t chars = name->Length / sizeof(WCHAR) - skip;
    if (chars > buf_chars - o)
        chars = buf_chars - o;
    memcpy(buf + o, name->Buffer + skip, chars * sizeof(WCHAR));
    out->Buffer = buf;
    out->Length = (USHORT)((o + chars) * sizeof(WCHAR));
    out->MaximumLength = (USHORT)(buf_chars * sizeof(WCHAR));
}

static ob_link_t *find_locked(PCUNICODE_STRING normalised)
{
    for (PLIST_ENTRY e = links.Flink; e != &links; e = e->Flink) {
        ob_link_t *l = CONTAINING_RECORD(e, ob_link_t, link);
        if (RtlEqualUnicodeString(&l->name, normalised, TRUE))
            return l;
    }
    return NULL;
}

static bool valid_name(PCUNICODE_STRING s)
{
    return s && s->Buffer && s->Length >= sizeof(WCHAR) && s->Length % sizeof(WCHAR) == 0 &&
           s->Length / sizeof(WCHAR) < NAME_MAX_ && s->Buffer[0] == '\\';
}

/* PASSIVE_LEVEL. docs: STATUS_OBJECT_NAME_COLLISION if the link exists. The
 * target need not exist yet: it is resolved at each open. */
NTSTATUS NTAPI IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!valid_name(SymbolicLinkName) || !valid_name(DeviceName))
        return STATUS_OBJECT_NAME_INVALID;
    WCHAR buf[NAME_MAX_];
    UNICODE_STRING name;
    normalise(SymbolicLinkName, &name, buf, RTL_NUMBER_OF(buf));
    ob_link_t *l =
        ex_alloc(PagedPool, sizeof(*l) + name.Length + DeviceName->Length, LINK_TAG, true, NULL);
    if (!l)
        return STATUS_INSUFFICIENT_RESOURCES;
    l->name.Buffer = (PWSTR)(l + 1);
    l->name.Length = l->name.MaximumLength = name.Length;
    memcpy(l->name.Buffer, name.Buffer, name.Length);
    l->target.Buffer = (PWSTR)((UCHAR *)(l + 1) + name.Length);
    l->target.Length = l->target.MaximumLength = DeviceName->Length;
    memcpy(l->target.Buffer, DeviceName->Buffer, DeviceName->Length);
    pthread_mutex_lock(&link_lock);
    if (find_locked(&name)) {
        pthread_mutex_unlock(&link_lock);
        ex_free(l, LINK_TAG, true);
        return STATUS_OBJECT_NAME_COLLISION;
    }
    InsertTailList(&links, &l->link);
    pthread_mutex_unlock(&link_lock);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. STATUS_OBJECT_NAME_NOT_FOUND if there is no such link. */
NTSTATUS NTAPI IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!valid_name(SymbolicLinkName))
        return STATUS_OBJECT_NAME_INVALID;
    WCHAR buf[NAME_MAX_];
    UNICODE_STRING name;
    normalise(SymbolicLinkName, &name, buf, RTL_NUMBER_OF(buf));
    pthread_mutex_lock(&link_lock);
    ob_link_t *l = find_locked(&name);
    if (l)
        RemoveEntryList(&l->link);
    pthread_mutex_unlock(&link_lock);
    if (!l)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    ex_free(l, LINK_TAG, true);
    return STATUS_SUCCESS;
}

bool ob_resolve_symbolic_link(PCUNICODE_STRING name, UNICODE_STRING *target, WCHAR *buf,
                              size_t buf_chars)
{
    if (!name || !name->Buffer || name->Length / sizeof(WCHAR) >= NAME_MAX_)
        return false;
    WCHAR nbuf[NAME_MAX_];
    UNICODE_STRING cur;
    normalise(name, &cur, nbuf, RTL_NUMBER_OF(nbuf));
    bool found = false;
    pthread_mutex_lock(&link_lock);
    /* A link may name another link; a loop stops after MAX_HOPS. */
    for (int hop = 0; hop < MAX_HOPS; hop++) {
        ob_link_t *l = find_locked(&cur);
        if (!l)
            break;
        found = true;
        size_t chars = l->target.Length / sizeof(WCHAR);
        if (chars > buf_chars)
            chars = buf_chars;
        memcpy(buf, l->target.Buffer, chars * sizeof(WCHAR));
        target->Buffer = buf;
        target->Length = (USHORT)(chars * sizeof(WCHAR));
        target->MaximumLength = (USHORT)(buf_chars * sizeof(WCHAR));
        normalise(target, &cur, nbuf, RTL_NUMBER_OF(nbuf));
    }
    pthread_mutex_unlock(&link_lock);
    return found;
}

void ob_symbolic_links_shutdown(void)
{
    size_t left = 0;
    pthread_mutex_lock(&link_lock);
    while (!IsListEmpty(&links)) {
        ob_link_t *l = CONTAINING_RECORD(RemoveHeadList(&links), ob_link_t, link);
        ex_free(l, LINK_TAG, true);
        left++;
    }
    pthread_mutex_unlock(&link_lock);
    if (left)
        bk_log(BK_LOG_WARN, "ob: %zu symbolic link(s) never deleted with IoDeleteSymbolicLink",
               left);
}

/* Device interfaces: registration (symbolic link names), enabling and
 * disabling, lists of them for drivers and for the host, and resolving a
 * link to the device stack behind it (opens, IoGetDeviceObjectPointer).
 * Delivering the arrival/removal notifications is notify.c. */
#include "pnp_internal.h"

#include <stdio.h>
#include <stdlib.h>

#define LINK_CHARS 512

typedef struct pnp_interface {
    LIST_ENTRY link;
    GUID klass;
    pnp_devnode_t *dn; /* not referenced: forgotten when the devnode goes */
    bool enabled;      /* the driver enabled it */
    bool active;       /* enabled and the device started: listed, openable */
    USHORT bytes;      /* of name, without the NUL */
    WCHAR name[LINK_CHARS];
    char path[LINK_CHARS * 3]; /* UTF-8 */
} pnp_interface_t;

static LIST_ENTRY interfaces = {&interfaces, &interfaces};

/* "\??\X" and "\\?\X" name the same link (kernel and user form). */
static const char *link_body(const char *path)
{
    if (strncmp(path, "\\??\\", 4) == 0 || strncmp(path, "\\\\?\\", 4) == 0)
        return path + 4;
    return path;
}

static pnp_interface_t *find_locked(const char *path)
{
    for (PLIST_ENTRY e = interfaces.Flink; e != &interfaces; e = e->Flink) {
        pnp_interface_t *i = CONTAINING_RECORD(e, pnp_interface_t, link);
        if (pnp_strcasecmp(link_body(i->path), link_body(path)) == 0)
            return i;
    }
    return NULL;
}

static void to_utf8(PCUNICODE_STRING s, char *out, size_t len)
{
    rtl_utf16_to_utf8(s->Buffer, s->Length / sizeof(WCHAR), out, len);
}

static void set_active_locked(pnp_interface_t *i, bool active)
{
    if (i->active == active)
        return;
    i->active = active;
    pnp_notify_interface(&i->klass, i->name, i->bytes, active);
}

/* PASSIVE_LEVEL. docs: the link is "\??\" + instance path with '\' as '#'
 * + "#{class guid}" [+ "\" + reference string]; registering the same one
 * again returns the same name. */
NTSTATUS NTAPI IoRegisterDeviceInterface(PDEVICE_OBJECT PhysicalDeviceObject,
                                         const GUID *InterfaceClassGuid,
                                         PUNICODE_STRING ReferenceString,
                                         PUNICODE_STRING SymbolicLinkName)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    char hashed[PNP_MAX_ID], guid[39], ref[PNP_MAX_ID] = "", path[LINK_CHARS];
    pnp_devnode_t *dn = pnp_devnode_get(PhysicalDeviceObject);
    if (!dn) {
        bk_log(BK_LOG_ERROR, "IoRegisterDeviceInterface: %p is not a PDO",
               (void *)PhysicalDeviceObject);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    if (!InterfaceClassGuid || !SymbolicLinkName) {
        pnp_devnode_release(dn);
        return STATUS_INVALID_PARAMETER;
    }
    pnp_hash_path(hashed, sizeof hashed, dn->instance_path);
    pnp_guid_text(InterfaceClassGuid, guid);
    if (ReferenceString && ReferenceString->Length)
        to_utf8(ReferenceString, ref, sizeof ref);
    int n = snprintf(path, sizeof path, "\\??\\%s#%s%s%s", hashed, guid, ref[0] ? "\\" : "", ref);
    if (n < 0 || (size_t)n >= sizeof path) {
        pnp_devnode_release(dn);
        return STATUS_INVALID_PARAMETER;
    }

    pthread_mutex_lock(&pnp_lock);
    pnp_interface_t *i = find_locked(path);
    if (!i && dn->state != PNP_STATE_DELETED) {
        i = calloc(1, sizeof(*i));
        if (i) {
            i->klass = *InterfaceClassGuid;
            i->dn = dn;
            pnp_copy(i->path, sizeof i->path, path);
            i->bytes = (USHORT)(rtl_utf8_to_utf16(path, i->name, LINK_CHARS) * sizeof(WCHAR));
            InsertTailList(&interfaces, &i->link);
        }
    }
    USHORT bytes = i ? i->bytes : 0;
    WCHAR *copy = i ? ex_alloc(PagedPool, bytes + sizeof(WCHAR), PNP_POOL_TAG, false,
                               __builtin_return_address(0))
                    : NULL;
    if (copy)
        memcpy(copy, i->name, bytes + sizeof(WCHAR));
    pthread_mutex_unlock(&pnp_lock);
    pnp_devnode_release(dn);
    if (!copy)
        return STATUS_INSUFFICIENT_RESOURCES;
    /* docs: the caller frees the name with RtlFreeUnicodeString. */
    SymbolicLinkName->Buffer = copy;
    SymbolicLinkName->Length = bytes;
    SymbolicLinkName->MaximumLength = (USHORT)(bytes + sizeof(WCHAR));
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS NTAPI IoSetDeviceInterfaceState(PUNICODE_STRING SymbolicLinkName, BOOLEAN Enable)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    char path[LINK_CHARS * 3];
    NTSTATUS status = STATUS_SUCCESS;
    if (!SymbolicLinkName || !SymbolicLinkName->Buffer)
        return STATUS_INVALID_PARAMETER;
    to_utf8(SymbolicLinkName, path, sizeof path);
    pthread_mutex_lock(&pnp_lock);
    pnp_interface_t *i = find_locked(path);
    if (!i) {
        status = STATUS_OBJECT_NAME_NOT_FOUND;
    } else if (Enable) {
        /* docs: enabling an enabled interface is informational. */
        if (i->enabled) {
            status = STATUS_OBJECT_NAME_EXISTS;
        } else {
            i->enabled = true;
            /* docs: no arrival before IRP_MN_START_DEVICE has completed. */
            if (i->dn->state == PNP_STATE_STARTED)
                set_active_locked(i, true);
        }
    } else {
        /* docs: disabling one that is not enabled fails. */
        if (!i->enabled) {
            status = STATUS_OBJECT_NAME_NOT_FOUND;
        } else {
            i->enabled = false;
            set_active_locked(i, false);
        }
    }
    pthread_mutex_unlock(&pnp_lock);
    return status;
}

void pnp_interfaces_device_started(pnp_devnode_t *dn)
{
    pthread_mutex_lock(&pnp_lock);
    for (PLIST_ENTRY e = interfaces.Flink; e != &interfaces; e = e->Flink) {
        pnp_interface_t *i = CONTAINING_RECORD(e, pnp_interface_t, link);
        if (i->dn == dn && i->enabled)
            set_active_locked(i, true);
    }
    pthread_mutex_unlock(&pnp_lock);
}

void pnp_interfaces_disable_device(pnp_devnode_t *dn)
{
    pthread_mutex_lock(&pnp_lock);
    for (PLIST_ENTRY e = interfaces.Flink; e != &interfaces; e = e->Flink) {
        pnp_interface_t *i = CONTAINING_RECORD(e, pnp_interface_t, link);
        if (i->dn == dn) {
            if (i->enabled)
                bk_log(BK_LOG_DEBUG, "pnp: disabling %s for its driver", i->path);
            i->enabled = false;
            set_active_locked(i, false);
        }
    }
    pthread_mutex_unlock(&pnp_lock);
}

void pnp_interfaces_forget_device(pnp_devnode_t *dn)
{
    pthread_mutex_lock(&pnp_lock);
    PLIST_ENTRY e = interfaces.Flink;
    while (e != &interfaces) {
        pnp_interface_t *i = CONTAINING_RECORD(e, pnp_interface_t, link);
        e = e->Flink;
        if (i->dn != dn)
            continue;
        set_active_locked(i, false);
        RemoveEntryList(&i->link);
        free(i);
    }
    pthread_mutex_unlock(&pnp_lock);
}

void pnp_interfaces_shutdown(void)
{
    pthread_mutex_lock(&pnp_lock);
    while (!IsListEmpty(&interfaces))
        free(CONTAINING_RECORD(RemoveHeadList(&interfaces), pnp_interface_t, link));
    pthread_mutex_unlock(&pnp_lock);
}

void pnp_interfaces_each_active_locked(const GUID *klass,
                                       void (*fn)(const GUID *klass, const WCHAR *name,
                                                  USHORT bytes, void *ctx),
                                       void *ctx)
{
    for (PLIST_ENTRY e = interfaces.Flink; e != &interfaces; e = e->Flink) {
        pnp_interface_t *i = CONTAINING_RECORD(e, pnp_interface_t, link);
        if (i->active && (!klass || IsEqualGUID(&i->klass, klass)))
            fn(&i->klass, i->name, i->bytes, ctx);
    }
}

static bool listed(const pnp_interface_t *i, const GUID *klass, const pnp_devnode_t *dn,
                   bool include_inactive)
{
    return IsEqualGUID(&i->klass, klass) && (!dn || i->dn == dn) && (include_inactive || i->active);
}

/* PASSIVE_LEVEL. docs: a MULTI_SZ from paged pool the caller frees with
 * ExFreePool; no match is STATUS_SUCCESS with an empty list. */
NTSTATUS NTAPI IoGetDeviceInterfaces(const GUID *InterfaceClassGuid,
                                     PDEVICE_OBJECT PhysicalDeviceObject, ULONG Flags,
                                     PWSTR *SymbolicLinkList)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    pnp_devnode_t *dn = NULL;
    bool inactive = (Flags & DEVICE_INTERFACE_INCLUDE_NONACTIVE) != 0;
    *SymbolicLinkList = NULL;
    if (!InterfaceClassGuid)
        return STATUS_INVALID_PARAMETER;
    if (PhysicalDeviceObject && !(dn = pnp_devnode_of(PhysicalDeviceObject)))
        return STATUS_INVALID_DEVICE_REQUEST;
    pthread_mutex_lock(&pnp_lock);
    size_t chars = 1;
    for (PLIST_ENTRY e = interfaces.Flink; e != &interfaces; e = e->Flink) {
        pnp_interface_t *i = CONTAINING_RECORD(e, pnp_interface_t, link);
        if (listed(i, InterfaceClassGuid, dn, inactive))
            chars += i->bytes / sizeof(WCHAR) + 1;
    }
    WCHAR *list =
        ex_alloc(PagedPool, chars * sizeof(WCHAR), PNP_POOL_TAG, true, __builtin_return_address(0));
    size_t o = 0;
    for (PLIST_ENTRY e = interfaces.Flink; list && e != &interfaces; e = e->Flink) {
        pnp_interface_t *i = CONTAINING_RECORD(e, pnp_interface_t, link);
        if (!listed(i, InterfaceClassGuid, dn, inactive))
            continue;
        memcpy(list + o, i->name, i->bytes);
        o += i->bytes / sizeof(WCHAR) + 1; /* the NUL is already zero */
    }
    pthread_mutex_unlock(&pnp_lock);
    if (!list)
        return STATUS_INSUFFICIENT_RESOURCES;
    *SymbolicLinkList = list;
    return STATUS_SUCCESS;
}

PDEVICE_OBJECT pnp_reference_interface_target(const char *path)
{
    PDEVICE_OBJECT top = NULL;
    if (!path)
        return NULL;
    pthread_mutex_lock(&pnp_lock);
    pnp_interface_t *i = find_locked(path);
    /* docs: only enabled interfaces of started devices can be opened. */
    if (i && i->active && i->dn->pdo)
        top = IoGetAttachedDeviceReference(i->dn->pdo);
    pthread_mutex_unlock(&pnp_lock);
    return top;
}

/* ---- the host's view (UTF-8) ---- */
size_t bk_host_list_interfaces(bk_host_t *host, const GUID *interface_class, char ***paths)
{
    (void)host;
    size_t n = 0, k = 0;
    *paths = NULL;
    pthread_mutex_lock(&pnp_lock);
    for (PLIST_ENTRY e = interfaces.Flink; e != &interfaces; e = e->Flink)
        n += listed(CONTAINING_RECORD(e, pnp_interface_t, link), interface_class, NULL, false);
    char **out = n ? calloc(n, sizeof(*out)) : NULL;
    for (PLIST_ENTRY e = interfaces.Flink; out && e != &interfaces; e = e->Flink) {
        pnp_interface_t *i = CONTAINING_RECORD(e, pnp_interface_t, link);
        if (listed(i, interface_class, NULL, false) && (out[k] = strdup(i->path)))
            k++;
    }
    pthread_mutex_unlock(&pnp_lock);
    *paths = out;
    return k;
}

void bk_host_free_list(char **paths, size_t count)
{
    for (size_t i = 0; paths && i < count; i++)
        free(paths[i]);
    free(paths);
}

/* ---- IoGetDeviceObjectPointer ---- */

/* PASSIVE_LEVEL. docs: opens the named device (a symbolic link or a device
 * name) as IRP_MJ_CREATE; returns a referenced file object and the device
 * at the top of its stack, whose reference the file object carries. */
NTSTATUS NTAPI IoGetDeviceObjectPointer(PUNICODE_STRING ObjectName, ACCESS_MASK DesiredAccess,
                                        PFILE_OBJECT *FileObject, PDEVICE_OBJECT *DeviceObject)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    *FileObject = NULL;
    *DeviceObject = NULL;
    PFILE_OBJECT file;
    NTSTATUS status = io_open_device_by_name(ObjectName, DesiredAccess, &file);
    if (!NT_SUCCESS(status))
        return status;
    *FileObject = file;
    *DeviceObject = file->DeviceObject; /* the file object keeps the device */
    return STATUS_SUCCESS;
}

/* Registry key handles: the key object type of the host's handle table
 * (ob/handle.c, which owns ZwClose), and the access a DesiredAccess grants. */
#include "reg_internal.h"

static void key_reference(void *object)
{
    reg_lock();
    reg_ref_locked(object);
    reg_unlock();
}

static void key_dereference(void *object)
{
    reg_close(object);
}

/* Not has_body: a key has no object body a driver could hold. */
static struct _OBJECT_TYPE key_type = {
    .name = "Key",
    .reference = key_reference,
    .dereference = key_dereference,
    .close_handle = key_dereference,
};

void reg_handles_init(void)
{
    ob_handles_reset_hint();
}

void reg_handles_shutdown(void)
{
    size_t leaked = ob_close_handles_of_type(&key_type);
    if (leaked)
        bk_log(BK_LOG_WARN, "registry: %zu key handle(s) never closed with ZwClose", leaked);
}

HANDLE reg_insert_key_handle(reg_key_t *key, ACCESS_MASK granted)
{
    return ob_insert_handle(&key_type, key, granted);
}

HANDLE reg_handle_from_key(reg_key_t *key)
{
    return reg_handle_from_key_access(key, KEY_ALL_ACCESS);
}

HANDLE reg_handle_from_key_access(reg_key_t *key, ACCESS_MASK desired_access)
{
    if (!key)
        return NULL;
    HANDLE h = reg_insert_key_handle(key, reg_map_access(desired_access));
    if (!h)
        reg_close(key);
    return h;
}

NTSTATUS reg_key_from_handle(HANDLE handle, reg_key_t **key, ACCESS_MASK *granted)
{
    return ob_reference_handle(handle, &key_type, (void **)key, granted, NULL);
}

ACCESS_MASK reg_map_access(ACCESS_MASK a)
{
    if (a & (GENERIC_ALL | MAXIMUM_ALLOWED))
        return KEY_ALL_ACCESS;
    ACCESS_MASK r = a & ~(ACCESS_MASK)(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE);
    if (a & (GENERIC_READ | GENERIC_EXECUTE))
        r |= KEY_READ;
    if (a & GENERIC_WRITE)
        r |= KEY_WRITE;
    return r;
}

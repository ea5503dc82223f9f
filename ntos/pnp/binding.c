/* Which driver serves a device: the binding table in the registry
 * (Control\battkit\Bindings\<ID with '\' as '#'>: Service, optional
 * ImagePath and ClassGuid), searched the way Windows ranks INF matches:
 * every hardware ID in order, then every compatible ID. Also writes what
 * the PnP manager knows of a device under Enum\<instance path>. */
#include "pnp_internal.h"
#include "../registry/registry.h"

#include <stdio.h>

#define BINDINGS_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Control\\battkit\\Bindings"
#define ENUM_KEY     "\\Registry\\Machine\\System\\CurrentControlSet\\Enum"

static void binding_path(char *out, size_t len, const char *id)
{
    char hashed[PNP_MAX_ID];
    pnp_hash_path(hashed, sizeof hashed, id);
    snprintf(out, len, "%s\\%s", BINDINGS_KEY, hashed);
}

static bool lookup(pnp_devnode_t *dn, const char *id)
{
    char path[PNP_MAX_ID + sizeof BINDINGS_KEY + 2];
    reg_key_t *key;
    binding_path(path, sizeof path, id);
    if (!NT_SUCCESS(reg_open(path, false, &key)))
        return false;
    bool found = NT_SUCCESS(reg_get_string(key, "Service", dn->service, sizeof dn->service)) &&
                 dn->service[0];
    if (found) {
        if (!NT_SUCCESS(reg_get_string(key, "ImagePath", dn->image_path, sizeof dn->image_path)))
            dn->image_path[0] = 0;
        if (!NT_SUCCESS(reg_get_string(key, "ClassGuid", dn->class_guid, sizeof dn->class_guid)))
            dn->class_guid[0] = 0;
        bk_log(BK_LOG_INFO, "pnp: %s bound to %s by %s", dn->instance_path, dn->service, id);
    }
    reg_close(key);
    return found;
}

bool pnp_find_binding(pnp_devnode_t *dn)
{
    /* docs ("How Windows Ranks Drivers"): a hardware ID match outranks any
     * compatible ID match; earlier IDs in each list outrank later ones. */
    const char *lists[] = {dn->hardware_ids, dn->compatible_ids};
    for (size_t l = 0; l < RTL_NUMBER_OF(lists); l++)
        for (const char *id = lists[l]; *id; id += strlen(id) + 1)
            if (lookup(dn, id))
                return true;
    dn->service[0] = 0;
    return false;
}

bk_status_t bk_host_bind(bk_host_t *host, const char *hardware_id, const char *service,
                         const char *so_path)
{
    (void)host;
    char path[PNP_MAX_ID + sizeof BINDINGS_KEY + 2];
    reg_key_t *key;
    if (!hardware_id || !*hardware_id || !service || !*service || strlen(hardware_id) >= PNP_MAX_ID)
        return STATUS_INVALID_PARAMETER;
    binding_path(path, sizeof path, hardware_id);
    NTSTATUS status = reg_open(path, true, &key);
    if (!NT_SUCCESS(status))
        return status;
    status = reg_set_string(key, "Service", service);
    if (NT_SUCCESS(status)) {
        if (so_path && *so_path)
            status = reg_set_string(key, "ImagePath", so_path);
        else
            reg_delete_value(key, "ImagePath");
    }
    reg_close(key);
    return status;
}

static void set_wide(reg_key_t *key, const char *name, const char *utf8, bool multi)
{
    ULONG bytes;
    if (!*utf8)
        return;
    WCHAR *w = pnp_pool_wide(utf8, multi, PNP_POOL_TAG, NULL, &bytes);
    if (!w)
        return;
    reg_set_value(key, name, multi ? REG_MULTI_SZ : REG_SZ, w, bytes);
    ExFreePool(w);
}

void pnp_write_enum_key(pnp_devnode_t *dn)
{
    char path[PNP_MAX_ID + sizeof ENUM_KEY + 2];
    reg_key_t *key;
    snprintf(path, sizeof path, "%s\\%s", ENUM_KEY, dn->instance_path);
    if (!NT_SUCCESS(reg_open(path, true, &key))) {
        bk_log(BK_LOG_WARN, "pnp: cannot write %s", path);
        return;
    }
    set_wide(key, "HardwareID", dn->hardware_ids, true);
    set_wide(key, "CompatibleIDs", dn->compatible_ids, true);
    set_wide(key, "DeviceDesc", dn->description, false);
    set_wide(key, "LocationInformation", dn->location, false);
    set_wide(key, "Service", dn->service, false);
    set_wide(key, "ClassGUID", dn->class_guid, false);
    reg_close(key);
}

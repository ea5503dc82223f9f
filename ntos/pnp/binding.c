/* Which driver serves a device: the binding table in the registry
 * (Control\battkit\Bindings\<ID with '\' as '#'>: Service, optional
 * ImagePath, ClassGuid and Rank), ranked the way Windows ranks INF matches
 * across all of a device's hardware and compatible IDs. Also writes what
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

/* The Bindings entry of one ID, if it names a service. */
typedef struct binding {
    char service[64];
    char image_path[512];
    char class_guid[40];
    ULONG rank; /* the entry's Rank; 0 for a binding made by hand */
} binding_t;

static bool lookup(const char *id, binding_t *b)
{
    char path[PNP_MAX_ID + sizeof BINDINGS_KEY + 2];
    reg_key_t *key;
    binding_path(path, sizeof path, id);
    if (!NT_SUCCESS(reg_open(path, false, &key)))
        return false;
    bool found =
        NT_SUCCESS(reg_get_string(key, "Service", b->service, sizeof b->service)) && b->service[0];
    if (found) {
        if (!NT_SUCCESS(reg_get_string(key, "ImagePath", b->image_path, sizeof b->image_path)))
            b->image_path[0] = 0;
        if (!NT_SUCCESS(reg_get_string(key, "ClassGuid", b->class_guid, sizeof b->class_guid)))
            b->class_guid[0] = 0;
        if (!NT_SUCCESS(reg_get_dword(key, "Rank", &b->rank)))
            b->rank = 0;
    }
    reg_close(key);
    return found;
}

bool pnp_find_binding(pnp_devnode_t *dn)
{
    /* docs ("How Windows Ranks Drivers"): every driver matching any of the
     * device's IDs gets one rank 0xSSGGTHHH (signature, feature, then the
     * identifier score: which list the device ID is in and its position
     * there); the lowest wins. Each Bindings entry holds the best package
     * for its ID and its Rank as seen from a first hardware ID;
     * setup_binding_score completes it with this device's side. Equal
     * scores: the earlier ID (hardware IDs, then compatible IDs). */
    const char *lists[] = {dn->hardware_ids, dn->compatible_ids};
    binding_t best = {0}, cand;
    const char *best_id = NULL;
    ULONG best_score = 0;
    for (size_t l = 0; l < RTL_NUMBER_OF(lists); l++) {
        unsigned pos = 0;
        for (const char *id = lists[l]; *id; id += strlen(id) + 1, pos++) {
            memset(&cand, 0, sizeof cand);
            if (!lookup(id, &cand))
                continue;
            ULONG score = setup_binding_score(cand.rank, l == 1, pos);
            if (!best_id || score < best_score) {
                best = cand;
                best_id = id;
                best_score = score;
            }
        }
    }
    if (!best_id) {
        dn->service[0] = 0;
        return false;
    }
    pnp_copy(dn->service, sizeof dn->service, best.service);
    pnp_copy(dn->image_path, sizeof dn->image_path, best.image_path);
    pnp_copy(dn->class_guid, sizeof dn->class_guid, best.class_guid);
    bk_log(BK_LOG_INFO, "pnp: %s bound to %s by %s (rank 0x%08x)", dn->instance_path, dn->service,
           best_id, (unsigned)best_score);
    return true;
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

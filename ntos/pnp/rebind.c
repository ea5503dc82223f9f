/* rebind.c: what the INF installer asks of the PnP manager after it changed
 * the Bindings key: take the devices of a driver being uninstalled off their
 * driver (pnp_unbind_service), and re-evaluate every device against the new
 * bindings (pnp_rebind), as Windows re-runs driver selection for present
 * devices after a driver package is added. Written for ntos/setup; uses only
 * the PnP manager's documented helpers (pnp_internal.h). */
#include "pnp_internal.h"
#include "../registry/registry.h"

#include <stdio.h>
#include <stdlib.h>

#define ENUM_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Enum"

static bool is_running(pnp_state_t state)
{
    return state == PNP_STATE_DRIVER_LOADED || state == PNP_STATE_STARTED ||
           state == PNP_STATE_STOPPED;
}

/* A device the installer took off its driver: its Enum key says so too. */
static void forget_driver(pnp_devnode_t *dn)
{
    char path[PNP_MAX_ID + sizeof ENUM_KEY + 2];
    reg_key_t *key;
    pthread_mutex_lock(&pnp_lock);
    dn->service[0] = 0;
    dn->image_path[0] = 0;
    dn->class_guid[0] = 0;
    dn->driver = NULL;
    dn->failed_start = false;
    pthread_mutex_unlock(&pnp_lock);
    snprintf(path, sizeof path, "%s\\%s", ENUM_KEY, dn->instance_path);
    if (NT_SUCCESS(reg_open(path, false, &key))) {
        reg_delete_value(key, "Service");
        reg_delete_value(key, "ClassGUID");
        reg_close(key);
    }
}

NTSTATUS pnp_unbind_service(const char *service, char *vetoed, size_t len)
{
    pnp_devnode_t **nodes;
    NTSTATUS result = STATUS_SUCCESS;
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (len)
        vetoed[0] = 0;
    pnp_op_begin();
    size_t n = pnp_collect_subtree(pnp_root(), false, &nodes);
    for (size_t i = 0; i < n && NT_SUCCESS(result); i++) {
        pnp_devnode_t *dn = nodes[i];
        pthread_mutex_lock(&pnp_lock);
        bool mine =
            pnp_in_tree_locked(dn) && dn->service[0] && pnp_strcasecmp(dn->service, service) == 0;
        pnp_state_t state = dn->state;
        pthread_mutex_unlock(&pnp_lock);
        if (!mine)
            continue;
        if (is_running(state)) {
            /* docs: removing a driver's devices is an orderly removal: a
             * QUERY_REMOVE veto keeps the device (and the driver). */
            result = pnp_remove_subtree(dn, PNP_REMOVE_ORDERLY, false);
            if (!NT_SUCCESS(result) && dn->state != PNP_STATE_REMOVED) {
                pnp_copy(vetoed, len, dn->instance_path);
                break;
            }
            result = STATUS_SUCCESS; /* removed; a leak report was logged */
        }
        if (dn->state != PNP_STATE_DELETED) {
            bk_log(BK_LOG_INFO, "pnp: %s: taken off %s", dn->instance_path, service);
            forget_driver(dn);
        }
    }
    pnp_release_list(nodes, n);
    pnp_op_end();
    return result;
}

/* What the Bindings key says now for the device's IDs (a scratch devnode
 * goes through pnp_find_binding, the PnP manager's own lookup). */
static bool best_binding(const pnp_devnode_t *dn, pnp_devnode_t *scratch)
{
    memset(scratch, 0, sizeof(*scratch));
    memcpy(scratch->hardware_ids, dn->hardware_ids, sizeof dn->hardware_ids);
    memcpy(scratch->compatible_ids, dn->compatible_ids, sizeof dn->compatible_ids);
    memcpy(scratch->instance_path, dn->instance_path, sizeof dn->instance_path);
    return pnp_find_binding(scratch);
}

static bool listed(const char *const *list, size_t n, const char *service)
{
    for (size_t i = 0; i < n; i++) {
        if (pnp_strcasecmp(list[i], service) == 0)
            return true;
    }
    return false;
}

static bool start_with(pnp_devnode_t *dn, const pnp_devnode_t *b)
{
    pthread_mutex_lock(&pnp_lock);
    pnp_copy(dn->service, sizeof dn->service, b->service);
    pnp_copy(dn->image_path, sizeof dn->image_path, b->image_path);
    pnp_copy(dn->class_guid, sizeof dn->class_guid, b->class_guid);
    dn->driver = NULL;
    dn->failed_start = false;
    pthread_mutex_unlock(&pnp_lock);
    setup_apply_device_keys(dn->instance_path, dn->hardware_ids, dn->compatible_ids, dn->service);
    NTSTATUS s = pnp_configure(dn);
    if (!NT_SUCCESS(s)) {
        bk_log(BK_LOG_WARN, "pnp: %s did not start with %s: 0x%08x", dn->instance_path, b->service,
               (unsigned)s);
        return false;
    }
    return dn->state == PNP_STATE_STARTED;
}

size_t pnp_rebind(const char *const *changed, size_t nchanged)
{
    pnp_devnode_t **nodes;
    size_t started = 0;
    pnp_devnode_t *scratch = malloc(sizeof(*scratch));
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!scratch)
        return 0;
    pnp_op_begin();
    /* Parents before children: a bus restarted here re-reports its
     * children, which are new devnodes by then. */
    size_t n = pnp_collect_subtree(pnp_root(), false, &nodes);
    for (size_t i = 0; i < n; i++) {
        pnp_devnode_t *dn = nodes[i];
        pthread_mutex_lock(&pnp_lock);
        bool live = pnp_in_tree_locked(dn) && dn->pdo &&
                    (dn->parent == pnp_root() || dn->parent->state == PNP_STATE_STARTED);
        pnp_state_t state = dn->state;
        bool unbound =
            state == PNP_STATE_INITIALIZED || (state == PNP_STATE_REMOVED && !dn->service[0]);
        pthread_mutex_unlock(&pnp_lock);
        if (!live || !best_binding(dn, scratch))
            continue;
        if (unbound) {
            bk_log(BK_LOG_INFO, "pnp: %s: binding %s", dn->instance_path, scratch->service);
            started += start_with(dn, scratch);
            continue;
        }
        if (!is_running(state))
            continue;
        bool other = pnp_strcasecmp(scratch->service, dn->service) != 0;
        bool moved = !other && listed(changed, nchanged, dn->service) &&
                     strcmp(scratch->image_path, dn->image_path) != 0;
        if (!other && !moved)
            continue;
        /* docs: a better driver replaces the current one: the device is
         * removed (a veto keeps it as it is) and started again. */
        bk_log(BK_LOG_INFO, "pnp: %s: %s -> %s (%s)", dn->instance_path, dn->service,
               scratch->service, other ? "a better-ranked driver" : "an updated driver");
        NTSTATUS s = pnp_remove_subtree(dn, PNP_REMOVE_ORDERLY, false);
        if (!NT_SUCCESS(s) && dn->state != PNP_STATE_REMOVED) {
            bk_log(BK_LOG_WARN, "pnp: %s vetoed its removal (0x%08x); it keeps %s",
                   dn->instance_path, (unsigned)s, dn->service);
            continue;
        }
        started += start_with(dn, scratch);
    }
    pnp_release_list(nodes, n);
    pnp_op_end();
    free(scratch);
    return started;
}

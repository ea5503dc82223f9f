/* What drivers tell the PnP manager asynchronously: IoInvalidateDeviceRelations
 * (re-enumerate my children) and IoInvalidateDeviceState (re-query my PnP
 * state). Both queue an action that runs later on a worker, never on the
 * caller's stack, as Windows defers them to its PnP worker. */
#include "pnp_internal.h"

static bool still_live(pnp_devnode_t *dn)
{
    pthread_mutex_lock(&pnp_lock);
    bool live = pnp_in_tree_locked(dn) && dn->state == PNP_STATE_STARTED;
    pthread_mutex_unlock(&pnp_lock);
    return live;
}

static void reenumerate(pnp_devnode_t *dn, void *arg)
{
    (void)arg;
    if (still_live(dn))
        pnp_enumerate(dn);
}

/* IRQL <= DISPATCH_LEVEL. */
void NTAPI IoInvalidateDeviceRelations(PDEVICE_OBJECT DeviceObject, DEVICE_RELATION_TYPE Type)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    pnp_devnode_t *dn = pnp_devnode_get(DeviceObject);
    if (!dn) {
        bk_log(BK_LOG_WARN, "IoInvalidateDeviceRelations: %p is not a PDO known to the PnP manager",
               (void *)DeviceObject);
        return;
    }
    if (Type != BusRelations) {
        /* Ejection, removal and power relations do not change the tree here. */
        bk_log(BK_LOG_DEBUG, "IoInvalidateDeviceRelations(%s, %d): nothing to do",
               dn->instance_path, (int)Type);
    } else {
        pnp_queue_action(reenumerate, dn, NULL);
    }
    pnp_devnode_release(dn);
}

static void requery_state(pnp_devnode_t *dn, void *arg)
{
    (void)arg;
    ULONG_PTR info;
    if (!still_live(dn))
        return;
    NTSTATUS status =
        pnp_send_irp(dn->pdo, IRP_MJ_PNP, IRP_MN_QUERY_PNP_DEVICE_STATE, NULL, NULL, &info);
    if (!NT_SUCCESS(status)) {
        bk_log(BK_LOG_DEBUG, "pnp: %s: IRP_MN_QUERY_PNP_DEVICE_STATE: 0x%08x", dn->instance_path,
               (unsigned)status);
        return;
    }
    PNP_DEVICE_STATE state = (PNP_DEVICE_STATE)info;
    bk_log(BK_LOG_INFO, "pnp: %s reports PnP device state 0x%x", dn->instance_path,
           (unsigned)state);
    /* docs: PNP_DEVICE_FAILED or PNP_DEVICE_REMOVED: the PnP manager
     * surprise-removes the device (SURPRISE_REMOVAL, then REMOVE_DEVICE).
     * Its PDO stays until the bus stops reporting it or it is uninstalled. */
    if (state & (PNP_DEVICE_FAILED | PNP_DEVICE_REMOVED))
        pnp_remove_subtree(dn, PNP_REMOVE_SURPRISE, false);
}

/* IRQL <= DISPATCH_LEVEL. */
void NTAPI IoInvalidateDeviceState(PDEVICE_OBJECT PhysicalDeviceObject)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    pnp_devnode_t *dn = pnp_devnode_get(PhysicalDeviceObject);
    if (!dn) {
        bk_log(BK_LOG_WARN, "IoInvalidateDeviceState: %p is not a PDO known to the PnP manager",
               (void *)PhysicalDeviceObject);
        return;
    }
    pnp_queue_action(requery_state, dn, NULL);
    pnp_devnode_release(dn);
}

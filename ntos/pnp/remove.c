/* Taking devices down: the removal IRP sequences of "Understanding When
 * Remove IRPs Are Issued" (QUERY_REMOVE or SURPRISE_REMOVAL, then
 * REMOVE_DEVICE), children before parents, interfaces disabled before the
 * remove IRP, and unloading a driver once its last device is gone (with the
 * loader's by-tag pool report turned into a failure). */
#include "pnp_internal.h"
#include "ldr/ldr.h"

#include <stdio.h>
#include <stdlib.h>

#define DEVICE_OBJECT_TAG 'veDI' /* ob/device.c: a device object's pool block */
#define MAX_DEFERRED      32
#define MAX_STACK_DRIVERS 64

static pthread_mutex_t unload_lock = PTHREAD_MUTEX_INITIALIZER;
static char deferred[MAX_DEFERRED][64]; /* services waiting for their devices to be freed */
static int n_deferred;
static char last_report[1024];

const char *pnp_last_unload_report(void)
{
    return last_report;
}

void pnp_unload_init(void)
{
    pthread_mutex_lock(&unload_lock);
    n_deferred = 0;
    last_report[0] = 0;
    pthread_mutex_unlock(&unload_lock);
}

static void count_device_blocks(ULONG tag, SIZE_T size, void *ctx)
{
    (void)size;
    if (tag == DEVICE_OBJECT_TAG)
        ++*(size_t *)ctx;
}

static void defer_unload(const char *service)
{
    pthread_mutex_lock(&unload_lock);
    for (int i = 0; i < n_deferred; i++)
        if (strcmp(deferred[i], service) == 0)
            goto out;
    if (n_deferred < MAX_DEFERRED)
        pnp_copy(deferred[n_deferred++], sizeof deferred[0], service);
out:
    pthread_mutex_unlock(&unload_lock);
}

NTSTATUS pnp_unload_if_idle(PDRIVER_OBJECT drv)
{
    if (!drv || drv == &pnp_root_bus_driver || !drv->DriverSection)
        return STATUS_SUCCESS;
    ldr_module_t *m = drv->DriverSection;
    if (drv->DeviceObject)
        return STATUS_SUCCESS; /* it still serves a device */
    /* A deleted device object still referenced (an open handle) keeps its
     * driver's code in use: unload once the last reference is gone. */
    size_t live = 0;
    ex_pool_walk(m, count_device_blocks, &live);
    if (live) {
        /* Often a work item of the driver's that has returned but not yet
         * dropped its device reference: let running work finish first.
         * (On the PnP worker this needs ke_settle to leave the calling
         * runner out; until it does, the unload is deferred instead.) */
        ke_settle();
        live = 0;
        ex_pool_walk(m, count_device_blocks, &live);
    }
    if (live) {
        bk_log(BK_LOG_INFO,
               "pnp: driver %s has no devices but %zu still referenced; unload deferred",
               m->service, live);
        defer_unload(m->service);
        return STATUS_SUCCESS;
    }
    char service[64], report[sizeof last_report];
    pnp_copy(service, sizeof service, m->service);
    pnp_notify_forget_driver(drv);
    NTSTATUS status = ldr_unload_driver(drv, report, sizeof report);
    if (!NT_SUCCESS(status)) {
        bk_log(BK_LOG_ERROR, "pnp: unloading driver %s after its last device: %s", service, report);
        pthread_mutex_lock(&unload_lock);
        pnp_format(last_report, sizeof last_report, "%s: %s", service, report);
        pthread_mutex_unlock(&unload_lock);
    } else {
        bk_log(BK_LOG_INFO, "pnp: driver %s unloaded after its last device", service);
    }
    return status;
}

void pnp_retry_deferred_unloads(void)
{
    char services[MAX_DEFERRED][64];
    pthread_mutex_lock(&unload_lock);
    int n = n_deferred;
    memcpy(services, deferred, sizeof(services[0]) * (size_t)n);
    n_deferred = 0;
    pthread_mutex_unlock(&unload_lock);
    for (int i = 0; i < n; i++) {
        ldr_module_t *m = ldr_find(services[i]);
        if (m && m->driver)
            pnp_unload_if_idle(m->driver);
    }
}

/* ---- the removal sequence ---- */
struct driver_set {
    PDRIVER_OBJECT items[MAX_STACK_DRIVERS];
    size_t count;
};

static void note_stack_drivers(struct driver_set *set, PDEVICE_OBJECT pdo)
{
    for (PDEVICE_OBJECT d = pdo; d; d = d->AttachedDevice) {
        PDRIVER_OBJECT drv = d->DriverObject;
        bool known = false;
        for (size_t i = 0; i < set->count; i++)
            known = known || set->items[i] == drv;
        if (!known && set->count < MAX_STACK_DRIVERS)
            set->items[set->count++] = drv;
    }
}

static bool is_running(const pnp_devnode_t *dn)
{
    return dn->state == PNP_STATE_STARTED || dn->state == PNP_STATE_STOPPED;
}

/* Sends IRP_MN_REMOVE_DEVICE to one stack and forgets the devnode when
 * asked. A devnode already removed (failed start) only needs the remove
 * IRP again when its PDO is to go (the bus driver deletes it then). */
static void remove_one(pnp_devnode_t *dn, bool delete_node, struct driver_set *drivers)
{
    if (dn->state == PNP_STATE_DELETED || !dn->pdo)
        return;
    if (delete_node)
        dn->deleting = true; /* the root bus deletes its PDO for good */
    if (dn->state != PNP_STATE_REMOVED || delete_node) {
        note_stack_drivers(drivers, dn->pdo);
        po_device_removing(dn->pdo);
        /* docs: the PnP manager disables what the driver left enabled. */
        pnp_interfaces_disable_device(dn);
        NTSTATUS status = pnp_send_minor(dn->pdo, IRP_MN_REMOVE_DEVICE);
        if (!NT_SUCCESS(status))
            bk_log(BK_LOG_WARN, "pnp: %s: drivers must not fail IRP_MN_REMOVE_DEVICE (0x%08x)",
                   dn->instance_path, (unsigned)status);
        pnp_set_state(dn, PNP_STATE_REMOVED);
        /* docs: on REMOVE_DEVICE a function or filter driver detaches from
         * the stack and deletes its device object. */
        if (dn->pdo->AttachedDevice)
            bk_log(BK_LOG_WARN, "pnp: %s: a driver stayed attached after IRP_MN_REMOVE_DEVICE",
                   dn->instance_path);
    }
    if (delete_node) {
        po_forget_pdo(dn->pdo);
        pnp_devnode_delete(dn);
    }
}

static NTSTATUS query_remove_all(pnp_devnode_t **nodes, size_t n, pnp_remove_kind_t kind)
{
    for (size_t k = n; k-- > 0;) {
        pnp_devnode_t *dn = nodes[k];
        if (!is_running(dn))
            continue;
        NTSTATUS status = pnp_send_minor(dn->pdo, IRP_MN_QUERY_REMOVE_DEVICE);
        if (NT_SUCCESS(status))
            continue;
        if (kind == PNP_REMOVE_FORCED) {
            bk_log(BK_LOG_WARN, "pnp: %s vetoed IRP_MN_QUERY_REMOVE_DEVICE (0x%08x) at shutdown",
                   dn->instance_path, (unsigned)status);
            continue;
        }
        /* docs: a veto cancels the removal: every stack that was queried,
         * the vetoing one included, gets IRP_MN_CANCEL_REMOVE_DEVICE. */
        bk_log(BK_LOG_INFO, "pnp: %s vetoed removal (0x%08x)", dn->instance_path, (unsigned)status);
        for (size_t j = k; j < n; j++)
            if (is_running(nodes[j]))
                pnp_send_minor(nodes[j]->pdo, IRP_MN_CANCEL_REMOVE_DEVICE);
        return status;
    }
    return STATUS_SUCCESS;
}

static void surprise_remove_all(pnp_devnode_t **nodes, size_t n)
{
    for (size_t k = n; k-- > 0;) {
        pnp_devnode_t *dn = nodes[k];
        if (!is_running(dn))
            continue;
        pnp_send_minor(dn->pdo, IRP_MN_SURPRISE_REMOVAL);
        pnp_set_state(dn, PNP_STATE_SURPRISE_REMOVED);
    }
}

NTSTATUS pnp_remove_subtree(pnp_devnode_t *dn, pnp_remove_kind_t kind, bool delete_self)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    pnp_devnode_t **nodes;
    struct driver_set drivers = {.count = 0};
    size_t n = pnp_collect_subtree(dn, true, &nodes); /* parents before children */
    NTSTATUS result = STATUS_SUCCESS;

    if (kind == PNP_REMOVE_ORDERLY || kind == PNP_REMOVE_FORCED)
        result = query_remove_all(nodes, n, kind);
    else if (kind == PNP_REMOVE_SURPRISE)
        surprise_remove_all(nodes, n);
    if (!NT_SUCCESS(result))
        goto out;
    /* Deepest first: in a parents-first list, walking backwards reaches
     * every child before its parent. */
    for (size_t k = n; k-- > 0;)
        remove_one(nodes[k], nodes[k] != dn || delete_self, &drivers);
    for (size_t i = 0; i < drivers.count; i++) {
        NTSTATUS status = pnp_unload_if_idle(drivers.items[i]);
        if (!NT_SUCCESS(status) && NT_SUCCESS(result))
            result = status;
    }
out:
    pnp_release_list(nodes, n);
    return result;
}

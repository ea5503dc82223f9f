/* The PnP part of the embedding API (include/battkit/host.h): adding a
 * root-enumerated device, removing devices, finding them, unloading a
 * driver by name; and the list of started stacks the power manager walks. */
#include "pnp_internal.h"
#include "ldr/ldr.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

/* A root device's device ID is ROOT\<first part of its hardware ID>
 * ("SIMBATT\Battery" -> ROOT\SIMBATT; "ROOT\X" stays ROOT\X), its instance
 * ID the one given or the first free NNNN. */
static void root_device_id(const char *hardware_id, char *out, size_t len)
{
    char part[PNP_MAX_ID];
    const char *p = hardware_id;
    if (strncasecmp(p, "ROOT\\", 5) == 0)
        p += 5;
    pnp_copy(part, sizeof part, p);
    char *sep = strchr(part, '\\');
    if (sep)
        *sep = 0;
    pnp_format(out, len, "ROOT\\%s", part);
}

static bool pick_instance(const char *device_id, const char *wanted, char *out, size_t len)
{
    char path[PNP_MAX_ID * 2 + 2];
    bool ok = false;
    pthread_mutex_lock(&pnp_lock);
    if (wanted && *wanted) {
        snprintf(path, sizeof path, "%s\\%s", device_id, wanted);
        ok = !pnp_find_locked(path);
        pnp_copy(out, len, wanted);
    } else {
        for (unsigned n = 0; n < 10000 && !ok; n++) {
            snprintf(out, len, "%04u", n);
            snprintf(path, sizeof path, "%s\\%s", device_id, out);
            ok = !pnp_find_locked(path);
        }
    }
    pthread_mutex_unlock(&pnp_lock);
    return ok;
}

bk_status_t bk_host_add_root_device(bk_host_t *host, const char *hardware_id, const char *service,
                                    const char *instance, const char *so_path, bk_device_t **device)
{
    (void)host;
    char device_id[PNP_MAX_ID], instance_id[PNP_MAX_ID];
    PDEVICE_OBJECT pdo;
    NTSTATUS status;

    if (device)
        *device = NULL;
    if (!hardware_id || !*hardware_id || strlen(hardware_id) >= PNP_MAX_ID / 2 ||
        (instance && strlen(instance) >= PNP_MAX_ID / 4))
        return STATUS_INVALID_PARAMETER;
    root_device_id(hardware_id, device_id, sizeof device_id);
    pnp_op_begin();
    if (!pick_instance(device_id, instance, instance_id, sizeof instance_id)) {
        bk_log(BK_LOG_ERROR, "pnp: %s\\%s already exists", device_id, instance_id);
        status = STATUS_OBJECT_NAME_COLLISION;
        goto out;
    }
    status = pnp_root_bus_create_pdo(device_id, hardware_id, instance_id, &pdo);
    if (!NT_SUCCESS(status))
        goto out;
    ObReferenceObject(pdo); /* the devnode's; the root bus keeps the creator's */
    pnp_devnode_t *dn = pnp_devnode_create(pnp_root(), pdo);
    if (!dn) {
        ObDereferenceObject(pdo);
        IoDeleteDevice(pdo);
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto out;
    }
    /* The root bus is asked like any bus, so its answers are the ones
     * every later query sees. */
    status = pnp_fill_ids(dn);
    if (NT_SUCCESS(status)) {
        pnp_copy(dn->service, sizeof dn->service, service);
        pnp_copy(dn->image_path, sizeof dn->image_path, so_path);
        status = pnp_configure(dn);
    }
    if (!NT_SUCCESS(status)) {
        /* A root device that cannot start is taken out again whole. */
        dn->deleting = true;
        pnp_remove_subtree(dn, PNP_REMOVE_FAILED, true);
        goto out;
    }
    if (device)
        *device = (bk_device_t *)dn;
out:
    pnp_op_end();
    return status;
}

bk_status_t bk_host_remove_device(bk_host_t *host, bk_device_t *device, int surprise)
{
    (void)host;
    pnp_devnode_t *dn = (pnp_devnode_t *)device;
    pnp_op_begin();
    pthread_mutex_lock(&pnp_lock);
    bool known = pnp_in_tree_locked(dn);
    if (known) {
        dn->refs++;
        dn->deleting = true;
    }
    pthread_mutex_unlock(&pnp_lock);
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    if (known) {
        status = pnp_remove_subtree(dn, surprise ? PNP_REMOVE_SURPRISE : PNP_REMOVE_ORDERLY, true);
        if (!NT_SUCCESS(status) && dn->state != PNP_STATE_DELETED)
            dn->deleting = false; /* vetoed: it stays */
        pnp_devnode_release(dn);
    }
    pnp_op_end();
    return status;
}

bk_device_t *bk_host_find_device(bk_host_t *host, const char *instance_path)
{
    (void)host;
    if (!instance_path)
        return NULL;
    pthread_mutex_lock(&pnp_lock);
    pnp_devnode_t *dn = pnp_find_locked(instance_path);
    pthread_mutex_unlock(&pnp_lock);
    return (bk_device_t *)dn;
}

size_t pnp_instance_path(PDEVICE_OBJECT pdo, char *buf, size_t len)
{
    pnp_devnode_t *dn = pnp_devnode_get(pdo);
    if (!dn) {
        if (len)
            buf[0] = 0;
        return 0;
    }
    size_t n = (size_t)snprintf(buf, len, "%s", dn->instance_path);
    pnp_devnode_release(dn);
    return n;
}

const char *bk_device_instance_path(bk_device_t *device)
{
    return device ? ((pnp_devnode_t *)device)->instance_path : NULL;
}

void *bk_device_pdo(bk_device_t *device)
{
    return device ? ((pnp_devnode_t *)device)->pdo : NULL;
}

bk_device_state_t bk_device_state(bk_device_t *device)
{
    pthread_mutex_lock(&pnp_lock);
    bk_device_state_t s = (bk_device_state_t)((pnp_devnode_t *)device)->state;
    pthread_mutex_unlock(&pnp_lock);
    return s;
}

bk_status_t bk_host_unload_driver(bk_host_t *host, const char *service)
{
    (void)host;
    char report[1024];
    ldr_module_t *m = service ? ldr_find(service) : NULL;
    if (!m)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    if (!m->driver)
        return STATUS_INVALID_DEVICE_REQUEST; /* an export driver (battc) goes with the host */
    if (m->driver->DeviceObject)
        return STATUS_DEVICE_BUSY;
    (void)report;
    /* A deleted device still referenced (an open handle) keeps the code in
     * use: the unload then waits for the last reference, like PnP's own. */
    return pnp_unload_if_idle(m->driver);
}

const char *bk_host_last_unload_report(bk_host_t *host)
{
    (void)host;
    return pnp_last_unload_report();
}

size_t pnp_started_pdos(PDEVICE_OBJECT **pdos)
{
    pnp_devnode_t **nodes;
    size_t n = pnp_collect_subtree(pnp_root(), false, &nodes), k = 0;
    PDEVICE_OBJECT *out = calloc(n ? n : 1, sizeof(*out));
    pthread_mutex_lock(&pnp_lock);
    for (size_t i = 0; out && i < n; i++) {
        if (nodes[i]->state == PNP_STATE_STARTED && nodes[i]->pdo) {
            ObReferenceObject(nodes[i]->pdo);
            out[k++] = nodes[i]->pdo;
        }
    }
    pthread_mutex_unlock(&pnp_lock);
    pnp_release_list(nodes, n);
    *pdos = out;
    return k;
}

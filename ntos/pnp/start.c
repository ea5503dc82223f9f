/* Bringing devices up: identifying a reported PDO (QUERY_ID), binding and
 * loading its driver, AddDevice, QUERY_CAPABILITIES and START_DEVICE, then
 * enumerating the children a bus driver reports (BusRelations) and tearing
 * down those it no longer reports. Removal itself is remove.c. */
#include "pnp_internal.h"
#include "ldr/ldr.h"

#include <stdio.h>
#include <stdlib.h>

static LONG next_generated_instance;

NTSTATUS pnp_fill_ids(pnp_devnode_t *dn)
{
    NTSTATUS status = pnp_query_id(dn->pdo, BusQueryDeviceID, dn->device_id, sizeof dn->device_id);
    if (!NT_SUCCESS(status) || !dn->device_id[0]) {
        bk_log(BK_LOG_ERROR, "pnp: a PDO of %p did not answer IRP_MN_QUERY_ID(DeviceID): 0x%08x",
               (void *)dn->pdo->DriverObject, (unsigned)status);
        return NT_SUCCESS(status) ? STATUS_UNSUCCESSFUL : status;
    }
    if (!NT_SUCCESS(
            pnp_query_id(dn->pdo, BusQueryInstanceID, dn->instance_id, sizeof dn->instance_id)) ||
        !dn->instance_id[0]) {
        /* No instance ID: make one unique in this host's tree. */
        snprintf(dn->instance_id, sizeof dn->instance_id, "%u&%u", 1u,
                 (unsigned)__atomic_add_fetch(&next_generated_instance, 1, __ATOMIC_SEQ_CST));
    }
    pnp_query_id(dn->pdo, BusQueryHardwareIDs, dn->hardware_ids, sizeof dn->hardware_ids);
    pnp_query_id(dn->pdo, BusQueryCompatibleIDs, dn->compatible_ids, sizeof dn->compatible_ids);
    pnp_query_text(dn->pdo, DeviceTextDescription, dn->description, sizeof dn->description);
    pnp_query_text(dn->pdo, DeviceTextLocationInformation, dn->location, sizeof dn->location);
    char path[PNP_MAX_ID];
    if (snprintf(path, sizeof path, "%s\\%s", dn->device_id, dn->instance_id) >= (int)sizeof path)
        return STATUS_OBJECT_NAME_INVALID;
    pthread_mutex_lock(&pnp_lock);
    bool duplicate = pnp_find_locked(path) != NULL;
    if (!duplicate)
        pnp_copy(dn->instance_path, sizeof dn->instance_path, path);
    pthread_mutex_unlock(&pnp_lock);
    if (duplicate) {
        /* Windows stops here (PNP_DETECTED_FATAL_ERROR, duplicate PDO). */
        bk_log(BK_LOG_ERROR, "pnp: two devices report instance path %s; the second is ignored",
               path);
        return STATUS_OBJECT_NAME_COLLISION;
    }
    PCUNICODE_STRING name = &dn->pdo->DeviceObjectExtension->Name;
    if (name->Buffer)
        rtl_utf16_to_utf8(name->Buffer, name->Length / sizeof(WCHAR), dn->pdo_name,
                          sizeof dn->pdo_name);
    return STATUS_SUCCESS;
}

/* Windows' verifier flags an AddDevice that leaves DO_DEVICE_INITIALIZING
 * set; the device would refuse opens. Warn, as the checked build did. */
static void check_stack_after_add_device(pnp_devnode_t *dn)
{
    if (!dn->pdo->AttachedDevice) {
        bk_log(BK_LOG_WARN, "pnp: %s: AddDevice of %s attached no device to the PDO",
               dn->instance_path, dn->service);
        return;
    }
    for (PDEVICE_OBJECT d = dn->pdo->AttachedDevice; d; d = d->AttachedDevice)
        if (d->Flags & DO_DEVICE_INITIALIZING)
            bk_log(BK_LOG_WARN,
                   "pnp: %s: AddDevice of %s returned with DO_DEVICE_INITIALIZING still set on "
                   "device %p",
                   dn->instance_path, dn->service, (void *)d);
}

static void setup_start(PIRP irp, void *arg)
{
    (void)arg;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    /* battkit devices have no hardware resources (docs: NULL lists). */
    next->Parameters.StartDevice.AllocatedResources = NULL;
    next->Parameters.StartDevice.AllocatedResourcesTranslated = NULL;
}

/* A service named by a shared object path alone: "dir/simbatt.so" -> "simbatt". */
static void service_from_path(char *out, size_t len, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    pnp_copy(out, len, base);
    char *dot = strstr(out, ".so");
    if (dot)
        *dot = 0;
}

NTSTATUS pnp_configure(pnp_devnode_t *dn)
{
    PDRIVER_OBJECT drv = NULL;
    NTSTATUS status;

    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!dn->service[0] && dn->image_path[0])
        service_from_path(dn->service, sizeof dn->service, dn->image_path);
    if (!dn->service[0] && !pnp_find_binding(dn)) {
        bk_log(BK_LOG_INFO, "pnp: %s: no driver for %s; the device stays unstarted",
               dn->instance_path, dn->hardware_ids[0] ? dn->hardware_ids : dn->device_id);
        pnp_write_enum_key(dn);
        return STATUS_SUCCESS;
    }
    pnp_write_enum_key(dn);
    /* The INF's per-device AddReg values (Driver and Device Parameters keys)
     * are in place before the driver first sees the device. */
    setup_apply_device_keys(dn->instance_path, dn->hardware_ids, dn->compatible_ids, dn->service);
    status = ldr_load_driver(dn->service, dn->image_path[0] ? dn->image_path : NULL, &drv);
    if (!NT_SUCCESS(status)) {
        bk_log(BK_LOG_ERROR, "pnp: %s: driver %s did not load: 0x%08x", dn->instance_path,
               dn->service, (unsigned)status);
        return status;
    }
    dn->driver = drv;
    if (!drv->DriverExtension->AddDevice) {
        bk_log(BK_LOG_ERROR, "pnp: %s: driver %s has no AddDevice routine", dn->instance_path,
               dn->service);
        status = STATUS_INVALID_DEVICE_REQUEST;
        goto unload;
    }
    /* docs: AddDevice runs at PASSIVE_LEVEL in a system thread. */
    status = drv->DriverExtension->AddDevice(drv, dn->pdo);
    if (!NT_SUCCESS(status)) {
        bk_log(BK_LOG_ERROR, "pnp: %s: AddDevice of %s failed: 0x%08x", dn->instance_path,
               dn->service, (unsigned)status);
        goto unload;
    }
    pnp_set_state(dn, PNP_STATE_DRIVER_LOADED);
    check_stack_after_add_device(dn);

    DEVICE_CAPABILITIES caps;
    if (NT_SUCCESS(pnp_query_capabilities(dn->pdo, &caps)))
        dn->caps = caps;

    status = pnp_send_irp(dn->pdo, IRP_MJ_PNP, IRP_MN_START_DEVICE, setup_start, NULL, NULL);
    if (!NT_SUCCESS(status)) {
        /* docs: on Windows 2000 and later a failed start is followed by
         * IRP_MN_REMOVE_DEVICE (no query). */
        bk_log(BK_LOG_ERROR, "pnp: %s: IRP_MN_START_DEVICE failed: 0x%08x", dn->instance_path,
               (unsigned)status);
        dn->failed_start = true;
        pnp_remove_subtree(dn, PNP_REMOVE_FAILED, false);
        return status;
    }
    pnp_set_state(dn, PNP_STATE_STARTED);
    bk_log(BK_LOG_INFO, "pnp: %s started (%s)", dn->instance_path, dn->service);
    /* docs: arrivals of interfaces enabled during start are announced once
     * IRP_MN_START_DEVICE has completed. */
    pnp_interfaces_device_started(dn);
    po_device_started(dn->pdo);
    pnp_enumerate(dn);
    return STATUS_SUCCESS;

unload:
    pnp_unload_if_idle(drv);
    return status;
}

/* ---- BusRelations ---- */
static pnp_devnode_t *adopt_child(pnp_devnode_t *parent, PDEVICE_OBJECT pdo)
{
    pnp_devnode_t *c = pnp_devnode_create(parent, pdo);
    if (!c) {
        ObDereferenceObject(pdo);
        return NULL;
    }
    /* docs: the PnP manager marks the PDOs a bus driver reports. */
    pdo->Flags |= DO_BUS_ENUMERATED_DEVICE;
    c->present = true;
    if (!NT_SUCCESS(pnp_fill_ids(c))) {
        pnp_devnode_delete(c);
        return NULL;
    }
    bk_log(BK_LOG_INFO, "pnp: %s reported by %s", c->instance_path, parent->instance_path);
    return c;
}

void pnp_enumerate(pnp_devnode_t *dn)
{
    PDEVICE_RELATIONS rel = NULL;
    pnp_devnode_t **added = NULL, **gone = NULL;
    size_t n_added = 0, n_gone = 0;

    if (dn->state != PNP_STATE_STARTED || !dn->pdo)
        return;
    NTSTATUS status = pnp_query_relations(dn->pdo, BusRelations, &rel);
    if (!NT_SUCCESS(status) && status != STATUS_NOT_SUPPORTED) {
        bk_log(BK_LOG_WARN, "pnp: %s: BusRelations failed: 0x%08x; children kept",
               dn->instance_path, (unsigned)status);
        return;
    }
    /* Not supported (no bus driver in the stack) means no children. */
    ULONG count = rel ? rel->Count : 0;
    added = calloc(count ? count : 1, sizeof(*added));
    pthread_mutex_lock(&pnp_lock);
    for (PLIST_ENTRY e = dn->children.Flink; e != &dn->children; e = e->Flink)
        CONTAINING_RECORD(e, pnp_devnode_t, sibling)->present = false;
    pthread_mutex_unlock(&pnp_lock);

    for (ULONG i = 0; i < count; i++) {
        PDEVICE_OBJECT pdo = rel->Objects[i];
        pnp_devnode_t *known = pnp_devnode_of(pdo);
        if (known) {
            /* docs: every reported PDO is referenced; the PnP manager drops
             * the extra reference of one it already knows. */
            if (known->parent == dn)
                known->present = true;
            else
                bk_log(BK_LOG_ERROR, "pnp: %s reported %s, a child of another device",
                       dn->instance_path, known->instance_path);
            ObDereferenceObject(pdo);
            continue;
        }
        pnp_devnode_t *c = adopt_child(dn, pdo);
        if (c && added) {
            pnp_devnode_ref(c);
            added[n_added++] = c;
        }
    }
    if (rel)
        ExFreePool(rel);

    pthread_mutex_lock(&pnp_lock);
    for (PLIST_ENTRY e = dn->children.Flink; e != &dn->children; e = e->Flink) {
        pnp_devnode_t *c = CONTAINING_RECORD(e, pnp_devnode_t, sibling);
        if (!c->present) {
            pnp_devnode_t **g = realloc(gone, (n_gone + 1) * sizeof(*gone));
            if (!g)
                continue;
            gone = g;
            c->refs++;
            gone[n_gone++] = c;
        }
    }
    pthread_mutex_unlock(&pnp_lock);

    /* docs: a child the bus no longer reports has been physically removed:
     * IRP_MN_SURPRISE_REMOVAL, then IRP_MN_REMOVE_DEVICE; its bus driver
     * deletes the PDO. */
    for (size_t i = 0; i < n_gone; i++) {
        bk_log(BK_LOG_INFO, "pnp: %s is no longer reported by %s", gone[i]->instance_path,
               dn->instance_path);
        pnp_remove_subtree(gone[i], PNP_REMOVE_SURPRISE, true);
    }
    pnp_release_list(gone, n_gone);

    for (size_t i = 0; i < n_added; i++)
        if (added[i]->state == PNP_STATE_INITIALIZED)
            pnp_configure(added[i]);
    pnp_release_list(added, n_added);
}

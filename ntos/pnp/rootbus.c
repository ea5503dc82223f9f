/* The root bus: a driver object inside the host (\Driver\PnpManager, not a
 * shared object) that owns the PDOs of root-enumerated devices and answers
 * the PnP, power and WMI IRPs that reach the bottom of their stacks the way
 * a bus driver must. It does not own the device tree (devnode.c does). */
#include "pnp_internal.h"

#include <stdio.h>

#define ROOT_ID_TAG 'IpnP'

typedef struct root_pdo {
    char device_id[PNP_MAX_ID];
    char hardware_ids[PNP_MAX_ID + 2]; /* one ID as a MULTI_SZ */
    char instance_id[PNP_MAX_ID];
} root_pdo_t;

DRIVER_OBJECT pnp_root_bus_driver;
static DRIVER_EXTENSION root_bus_extension;
static LONG next_pdo_number;

/* Answers an ID query with pool the PnP manager frees (docs: PagedPool). */
static NTSTATUS answer_string(PIRP irp, const char *text, bool multi)
{
    WCHAR *w = pnp_pool_wide(text, multi, ROOT_ID_TAG, NULL, NULL);
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    irp->IoStatus.Information = (ULONG_PTR)w;
    return STATUS_SUCCESS;
}

static NTSTATUS query_id(root_pdo_t *x, PIRP irp, BUS_QUERY_ID_TYPE type)
{
    switch (type) {
    case BusQueryDeviceID:
        return answer_string(irp, x->device_id, false);
    case BusQueryHardwareIDs:
        return answer_string(irp, x->hardware_ids, true);
    case BusQueryInstanceID:
        return answer_string(irp, x->instance_id, false);
    default:
        /* No compatible IDs, serial numbers or container IDs: docs say a
         * bus driver leaves the status of what it does not answer. */
        return irp->IoStatus.Status;
    }
}

static NTSTATUS query_capabilities(PDEVICE_CAPABILITIES caps)
{
    if (caps->Version != 1 || caps->Size < sizeof(*caps))
        return STATUS_UNSUCCESSFUL;
    caps->DeviceState[PowerSystemWorking] = PowerDeviceD0;
    for (int s = PowerSystemSleeping1; s < PowerSystemMaximum; s++)
        caps->DeviceState[s] = PowerDeviceD3;
    caps->SystemWake = PowerSystemUnspecified;
    caps->DeviceWake = PowerDeviceUnspecified;
    caps->UniqueID = TRUE; /* the instance ID is unique under ROOT */
    caps->SilentInstall = TRUE;
    caps->SurpriseRemovalOK = TRUE; /* a virtual device may vanish any time */
    caps->Removable = FALSE;
    return STATUS_SUCCESS;
}

static NTSTATUS target_relation(PDEVICE_OBJECT pdo, PIRP irp)
{
    /* docs: TargetDeviceRelation is answered by the PDO with itself,
     * referenced; the PnP manager dereferences it. */
    PDEVICE_RELATIONS rel = ex_alloc(PagedPool, sizeof(*rel), ROOT_ID_TAG, true, NULL);
    if (!rel)
        return STATUS_INSUFFICIENT_RESOURCES;
    rel->Count = 1;
    rel->Objects[0] = pdo;
    ObReferenceObject(pdo);
    irp->IoStatus.Information = (ULONG_PTR)rel;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL: PnP IRPs arrive on a system thread. */
static NTSTATUS root_dispatch_pnp(PDEVICE_OBJECT pdo, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    root_pdo_t *x = pdo->DeviceExtension;
    NTSTATUS status = irp->IoStatus.Status;
    bool delete_pdo = false;

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
    case IRP_MN_STOP_DEVICE:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE: {
        /* docs: a bus driver deletes its PDO only when the device is gone
         * for good; a root device is gone when it is uninstalled. */
        pnp_devnode_t *dn = pnp_devnode_of(pdo);
        delete_pdo = dn && dn->deleting;
        status = STATUS_SUCCESS;
        break;
    }
    case IRP_MN_QUERY_ID:
        status = query_id(x, irp, stack->Parameters.QueryId.IdType);
        break;
    case IRP_MN_QUERY_CAPABILITIES:
        status = query_capabilities(stack->Parameters.DeviceCapabilities.Capabilities);
        break;
    case IRP_MN_QUERY_DEVICE_TEXT:
        if (stack->Parameters.QueryDeviceText.DeviceTextType == DeviceTextDescription)
            status = answer_string(irp, x->hardware_ids, false);
        break;
    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (stack->Parameters.QueryDeviceRelations.Type == TargetDeviceRelation)
            status = target_relation(pdo, irp);
        break;
    default:
        break;
    }
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    if (delete_pdo)
        IoDeleteDevice(pdo);
    return status;
}

static NTSTATUS root_dispatch_power(PDEVICE_OBJECT pdo, PIRP irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    if (stack->MinorFunction == IRP_MN_SET_POWER &&
        stack->Parameters.Power.Type == DevicePowerState)
        PoSetPowerState(pdo, DevicePowerState, stack->Parameters.Power.State);
    PoStartNextPowerIrp(irp);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* docs: a PDO that is not a WMI provider completes IRP_MJ_SYSTEM_CONTROL
 * with the status already in the IRP. */
static NTSTATUS root_dispatch_passthrough(PDEVICE_OBJECT pdo, PIRP irp)
{
    UNREFERENCED_PARAMETER(pdo);
    NTSTATUS status = irp->IoStatus.Status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

void pnp_root_bus_init(void)
{
    /* A root PDO without a function driver has no I/O to offer: every
     * major function but these is the I/O manager's invalid request. */
    PDRIVER_OBJECT d = &pnp_root_bus_driver;
    io_init_driver_object(d, &root_bus_extension, L"\\Driver\\PnpManager");
    d->MajorFunction[IRP_MJ_PNP] = root_dispatch_pnp;
    d->MajorFunction[IRP_MJ_POWER] = root_dispatch_power;
    d->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = root_dispatch_passthrough;
    next_pdo_number = 0;
}

NTSTATUS pnp_root_bus_create_pdo(const char *device_id, const char *hardware_id,
                                 const char *instance_id, PDEVICE_OBJECT *out)
{
    char name[40];
    WCHAR wname[40];
    UNICODE_STRING uname;
    PDEVICE_OBJECT pdo;
    /* docs: PDOs are named; Windows autogenerates \Device\NNNNNNNN. */
    snprintf(name, sizeof name, "\\Device\\%08x",
             (unsigned)__atomic_add_fetch(&next_pdo_number, 1, __ATOMIC_SEQ_CST));
    size_t n = rtl_utf8_to_utf16(name, wname, RTL_NUMBER_OF(wname));
    uname.Buffer = wname;
    uname.Length = (USHORT)(n * sizeof(WCHAR));
    uname.MaximumLength = sizeof wname;
    NTSTATUS status =
        IoCreateDevice(&pnp_root_bus_driver, sizeof(root_pdo_t), &uname, FILE_DEVICE_UNKNOWN,
                       FILE_AUTOGENERATED_DEVICE_NAME, FALSE, &pdo);
    if (!NT_SUCCESS(status))
        return status;
    root_pdo_t *x = pdo->DeviceExtension;
    pnp_copy(x->device_id, sizeof x->device_id, device_id);
    pnp_copy(x->hardware_ids, sizeof x->hardware_ids - 1, hardware_id);
    x->hardware_ids[strlen(x->hardware_ids) + 1] = 0; /* MULTI_SZ end */
    pnp_copy(x->instance_id, sizeof x->instance_id, instance_id);
    pdo->Flags |= DO_BUS_ENUMERATED_DEVICE;
    pdo->Flags &= ~DO_DEVICE_INITIALIZING;
    *out = pdo;
    return STATUS_SUCCESS;
}

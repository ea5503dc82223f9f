/* A small WDM bus driver for the PnP tests (wdm.h only): its FDO reports
 * 0..PNPTEST_MAX_CHILDREN child PDOs chosen through IOCTL_PNPTEST_SET_CHILDREN
 * and answers BusRelations; each child PDO answers the IRPs a bus driver
 * owns (QUERY_ID, capabilities, text, target relation) and is deleted on
 * IRP_MN_REMOVE_DEVICE once the bus no longer reports it. */
#include <initguid.h>
#include "pnptest.h"

#include <ntstrsafe.h>

#define BUS_TAG 'uBtP'

typedef struct bus_common {
    BOOLEAN is_fdo;
    char label[16];
} bus_common_t;

typedef struct bus_fdo {
    bus_common_t common;
    PDEVICE_OBJECT self, lower, pdo;
    UNICODE_STRING link;
    KSPIN_LOCK lock;
    ULONG present; /* bit n: child n is plugged in */
    PDEVICE_OBJECT children[PNPTEST_MAX_CHILDREN];
    ULONG generation; /* makes child PDO names unique */
} bus_fdo_t;

typedef struct bus_pdo {
    bus_common_t common;
    bus_fdo_t *bus;
    ULONG slot;
    BOOLEAN missing; /* no longer reported: deleted on REMOVE */
} bus_pdo_t;

/* Each child's IDs (MULTI_SZ, ASCII). */
static const struct child_ids {
    const char *hardware; /* the first is also the device ID */
    const char *compatible;
} child_ids[PNPTEST_MAX_CHILDREN] = {
    {"PNPTEST\\DEV_A\0PNPTEST\\DEV_A_REV1\0", "PNPTEST\\COMPAT\0"},
    {"PNPTEST\\DEV_B\0", "PNPTEST\\COMPAT\0"},
    {"PNPTEST\\DEV_C\0", "PNPTEST\\COMPAT\0"},
    {"PNPTEST\\DEV_D\0", ""},
};

static DRIVER_ADD_DEVICE bus_add_device;
static DRIVER_UNLOAD bus_unload;
static DRIVER_DISPATCH bus_pnp, bus_power, bus_file, bus_control, bus_system_control;
static IO_COMPLETION_ROUTINE signal_event;

static size_t multi_len(const char *m)
{
    size_t n = 0;
    while (m[n])
        n += strlen(m + n) + 1;
    return n + 1;
}

/* Pool copy (docs: paged pool, freed by the PnP manager) widened to WCHAR. */
static NTSTATUS answer_wide(PIRP irp, const char *text, size_t chars)
{
    WCHAR *w = ExAllocatePoolWithTag(PagedPool, chars * sizeof(WCHAR), BUS_TAG);
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (size_t i = 0; i < chars; i++)
        w[i] = (WCHAR)(unsigned char)text[i];
    irp->IoStatus.Information = (ULONG_PTR)w;
    return STATUS_SUCCESS;
}

static NTSTATUS child_query_id(bus_pdo_t *x, PIRP irp, BUS_QUERY_ID_TYPE type)
{
    const struct child_ids *ids = &child_ids[x->slot];
    char instance[8];
    switch (type) {
    case BusQueryDeviceID:
        return answer_wide(irp, ids->hardware, strlen(ids->hardware) + 1);
    case BusQueryHardwareIDs:
        return answer_wide(irp, ids->hardware, multi_len(ids->hardware));
    case BusQueryCompatibleIDs:
        if (!ids->compatible[0])
            return irp->IoStatus.Status;
        return answer_wide(irp, ids->compatible, multi_len(ids->compatible));
    case BusQueryInstanceID:
        RtlStringCbPrintfA(instance, sizeof instance, "%lu", (unsigned long)x->slot);
        return answer_wide(irp, instance, strlen(instance) + 1);
    default:
        return irp->IoStatus.Status;
    }
}

static NTSTATUS child_relations(PDEVICE_OBJECT pdo, PIRP irp)
{
    PDEVICE_RELATIONS rel = ExAllocatePoolWithTag(PagedPool, sizeof(*rel), BUS_TAG);
    if (!rel)
        return STATUS_INSUFFICIENT_RESOURCES;
    rel->Count = 1;
    rel->Objects[0] = pdo;
    ObReferenceObject(pdo);
    irp->IoStatus.Information = (ULONG_PTR)rel;
    return STATUS_SUCCESS;
}

static NTSTATUS child_pnp(PDEVICE_OBJECT pdo, PIRP irp)
{
    bus_pdo_t *x = pdo->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status = irp->IoStatus.Status;
    BOOLEAN delete_pdo = FALSE;
    char text[32];

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        pnptest_event(x->common.label, "START");
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_STOP_DEVICE:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_SURPRISE_REMOVAL:
        pnptest_event(x->common.label, "SURPRISE_REMOVAL");
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE:
        pnptest_event(x->common.label, "REMOVE");
        /* docs: a bus driver deletes a PDO only once the device is gone. */
        delete_pdo = x->missing;
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_ID:
        status = child_query_id(x, irp, stack->Parameters.QueryId.IdType);
        break;
    case IRP_MN_QUERY_CAPABILITIES: {
        PDEVICE_CAPABILITIES caps = stack->Parameters.DeviceCapabilities.Capabilities;
        caps->DeviceState[PowerSystemWorking] = PowerDeviceD0;
        caps->UniqueID = FALSE;
        caps->Removable = TRUE;
        caps->SurpriseRemovalOK = TRUE;
        caps->Address = x->slot;
        status = STATUS_SUCCESS;
        break;
    }
    case IRP_MN_QUERY_DEVICE_TEXT:
        if (stack->Parameters.QueryDeviceText.DeviceTextType == DeviceTextDescription)
            RtlStringCbPrintfA(text, sizeof text, "PnP test child %lu", (unsigned long)x->slot);
        else
            RtlStringCbPrintfA(text, sizeof text, "slot %lu", (unsigned long)x->slot);
        status = answer_wide(irp, text, strlen(text) + 1);
        break;
    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (stack->Parameters.QueryDeviceRelations.Type == TargetDeviceRelation)
            status = child_relations(pdo, irp);
        break;
    default:
        break;
    }
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    if (delete_pdo) {
        pnptest_event(x->common.label, "DELETED");
        IoDeleteDevice(pdo);
    }
    return status;
}

static NTSTATUS signal_event(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* The classic synchronous forward: the lower drivers finish first. */
static NTSTATUS forward_and_wait(bus_fdo_t *fdo, PIRP irp)
{
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, signal_event, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(fdo->lower, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    return irp->IoStatus.Status;
}

static PDEVICE_OBJECT make_child(bus_fdo_t *fdo, ULONG slot)
{
    WCHAR name[64];
    UNICODE_STRING uname;
    PDEVICE_OBJECT pdo;
    RtlStringCbPrintfW(name, sizeof name, L"\\Device\\PnpTestChild%lu_%lu", (unsigned long)slot,
                       (unsigned long)++fdo->generation);
    RtlInitUnicodeString(&uname, name);
    if (!NT_SUCCESS(IoCreateDevice(fdo->self->DriverObject, sizeof(bus_pdo_t), &uname,
                                   FILE_DEVICE_UNKNOWN, FILE_AUTOGENERATED_DEVICE_NAME, FALSE,
                                   &pdo)))
        return NULL;
    bus_pdo_t *x = pdo->DeviceExtension;
    x->common.is_fdo = FALSE;
    RtlStringCbPrintfA(x->common.label, sizeof x->common.label, "child%lu", (unsigned long)slot);
    x->bus = fdo;
    x->slot = slot;
    pdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return pdo;
}

/* docs: BusRelations lists every child present now, each referenced; the
 * PnP manager removes those missing from the list. */
static NTSTATUS bus_relations(bus_fdo_t *fdo, PIRP irp)
{
    KIRQL irql;
    KeAcquireSpinLock(&fdo->lock, &irql);
    ULONG present = fdo->present;
    KeReleaseSpinLock(&fdo->lock, irql);
    PDEVICE_RELATIONS rel = ExAllocatePoolWithTag(
        PagedPool, sizeof(*rel) + PNPTEST_MAX_CHILDREN * sizeof(PDEVICE_OBJECT), BUS_TAG);
    if (!rel)
        return STATUS_INSUFFICIENT_RESOURCES;
    rel->Count = 0;
    for (ULONG slot = 0; slot < PNPTEST_MAX_CHILDREN; slot++) {
        if (present & (1u << slot)) {
            if (!fdo->children[slot])
                fdo->children[slot] = make_child(fdo, slot);
            if (!fdo->children[slot])
                continue;
            ObReferenceObject(fdo->children[slot]);
            rel->Objects[rel->Count++] = fdo->children[slot];
        } else if (fdo->children[slot]) {
            ((bus_pdo_t *)fdo->children[slot]->DeviceExtension)->missing = TRUE;
            fdo->children[slot] = NULL;
        }
    }
    pnptest_event_value("bus", "RELATIONS", rel->Count);
    irp->IoStatus.Information = (ULONG_PTR)rel;
    return STATUS_SUCCESS;
}

static NTSTATUS fdo_pnp(PDEVICE_OBJECT DeviceObject, PIRP irp)
{
    bus_fdo_t *fdo = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status;
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        pnptest_event("bus", "START");
        status = forward_and_wait(fdo, irp);
        if (NT_SUCCESS(status))
            IoSetDeviceInterfaceState(&fdo->link, TRUE);
        irp->IoStatus.Status = status;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (stack->Parameters.QueryDeviceRelations.Type == BusRelations) {
            status = bus_relations(fdo, irp);
            irp->IoStatus.Status = status;
            if (!NT_SUCCESS(status)) {
                IoCompleteRequest(irp, IO_NO_INCREMENT);
                return status;
            }
        }
        break;
    case IRP_MN_SURPRISE_REMOVAL:
        pnptest_event("bus", "SURPRISE_REMOVAL");
        irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE:
        pnptest_event("bus", "REMOVE");
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(irp);
        status = IoCallDriver(fdo->lower, irp);
        /* Children still plugged in go with their bus. */
        for (ULONG slot = 0; slot < PNPTEST_MAX_CHILDREN; slot++) {
            if (fdo->children[slot]) {
                pnptest_event(((bus_pdo_t *)fdo->children[slot]->DeviceExtension)->common.label,
                              "DELETED");
                IoDeleteDevice(fdo->children[slot]);
                fdo->children[slot] = NULL;
            }
        }
        IoDetachDevice(fdo->lower);
        RtlFreeUnicodeString(&fdo->link);
        pnptest_knobs[PNPTEST_DEVICES]--;
        IoDeleteDevice(DeviceObject);
        return status;
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(fdo->lower, irp);
}

static NTSTATUS bus_pnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    bus_common_t *c = DeviceObject->DeviceExtension;
    return c->is_fdo ? fdo_pnp(DeviceObject, Irp) : child_pnp(DeviceObject, Irp);
}

static NTSTATUS bus_power(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    bus_common_t *c = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->MinorFunction == IRP_MN_SET_POWER) {
        if (stack->Parameters.Power.Type == SystemPowerState)
            pnptest_event_value(c->label, "SET_POWER_S", stack->Parameters.Power.State.SystemState);
        else
            pnptest_event_value(c->label, "SET_POWER_D", stack->Parameters.Power.State.DeviceState);
    }
    PoStartNextPowerIrp(Irp);
    if (c->is_fdo) {
        IoSkipCurrentIrpStackLocation(Irp);
        return PoCallDriver(((bus_fdo_t *)c)->lower, Irp);
    }
    if (stack->MinorFunction == IRP_MN_SET_POWER &&
        stack->Parameters.Power.Type == DevicePowerState)
        PoSetPowerState(DeviceObject, DevicePowerState, stack->Parameters.Power.State);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS bus_file(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    bus_common_t *c = DeviceObject->DeviceExtension;
    NTSTATUS status = c->is_fdo ? STATUS_SUCCESS : STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS bus_control(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    bus_common_t *c = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    if (c->is_fdo &&
        stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_PNPTEST_SET_CHILDREN) {
        bus_fdo_t *fdo = (bus_fdo_t *)c;
        status = STATUS_INVALID_PARAMETER;
        if (stack->Parameters.DeviceIoControl.InputBufferLength >= sizeof(ULONG)) {
            KIRQL irql;
            KeAcquireSpinLock(&fdo->lock, &irql);
            fdo->present = *(ULONG *)Irp->AssociatedIrp.SystemBuffer;
            KeReleaseSpinLock(&fdo->lock, irql);
            IoInvalidateDeviceRelations(fdo->pdo, BusRelations);
            status = STATUS_SUCCESS;
        }
    }
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS bus_system_control(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    bus_common_t *c = DeviceObject->DeviceExtension;
    if (c->is_fdo) {
        IoSkipCurrentIrpStackLocation(Irp);
        return IoCallDriver(((bus_fdo_t *)c)->lower, Irp);
    }
    NTSTATUS status = Irp->IoStatus.Status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS bus_add_device(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT self;
    NTSTATUS status =
        IoCreateDevice(DriverObject, sizeof(bus_fdo_t), NULL, FILE_DEVICE_BUS_EXTENDER,
                       FILE_DEVICE_SECURE_OPEN, FALSE, &self);
    if (!NT_SUCCESS(status))
        return status;
    bus_fdo_t *fdo = self->DeviceExtension;
    fdo->common.is_fdo = TRUE;
    RtlStringCbPrintfA(fdo->common.label, sizeof fdo->common.label, "bus");
    fdo->self = self;
    fdo->pdo = PhysicalDeviceObject;
    KeInitializeSpinLock(&fdo->lock);
    status = IoRegisterDeviceInterface(PhysicalDeviceObject, &GUID_PNPTEST_BUS_INTERFACE, NULL,
                                       &fdo->link);
    if (!NT_SUCCESS(status))
        goto fail;
    fdo->lower = IoAttachDeviceToDeviceStack(self, PhysicalDeviceObject);
    if (!fdo->lower) {
        RtlFreeUnicodeString(&fdo->link);
        status = STATUS_NO_SUCH_DEVICE;
        goto fail;
    }
    self->Flags &= ~DO_DEVICE_INITIALIZING;
    pnptest_knobs[PNPTEST_DEVICES]++;
    pnptest_event("bus", "AddDevice");
    return STATUS_SUCCESS;
fail:
    IoDeleteDevice(self);
    return status;
}

static void bus_unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    pnptest_knobs[PNPTEST_LOADED] = 0;
    pnptest_event("driver", "Unload");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverExtension->AddDevice = bus_add_device;
    DriverObject->DriverUnload = bus_unload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = bus_pnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = bus_power;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = bus_file;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = bus_file;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = bus_file;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = bus_control;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = bus_system_control;
    pnptest_knobs[PNPTEST_LOADED] = 1;
    pnptest_knobs[PNPTEST_DEVICES] = 0;
    pnptest_event("driver", "DriverEntry");
    return STATUS_SUCCESS;
}

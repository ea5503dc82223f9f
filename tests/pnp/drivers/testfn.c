/* A small WDM function driver for the PnP tests, written against wdm.h only:
 * AddDevice attaches an FDO and registers an interface, START is forwarded,
 * pended and finished from a work item (as drivers that must reach PASSIVE
 * level do), removal IRPs are logged and passed down. Built three times:
 * pnp_testfn, pnp_altfn (a second driver for binding tests) and pnp_leakfn
 * (PNPTEST_LEAK: leaves one 'Leak' pool block behind on purpose). */
#include <initguid.h>
#include "pnptest.h"

typedef struct fn_ext {
    PDEVICE_OBJECT self;
    PDEVICE_OBJECT lower;
    PDEVICE_OBJECT pdo;
    UNICODE_STRING link;
    PIO_WORKITEM start_work;
    char label[64];
} fn_ext_t;

static DRIVER_ADD_DEVICE fn_add_device;
static DRIVER_UNLOAD fn_unload;
static DRIVER_DISPATCH fn_pnp, fn_power, fn_file, fn_control, fn_pass_down;
static IO_COMPLETION_ROUTINE start_lower_done;
static IO_WORKITEM_ROUTINE finish_start;
#ifdef PNPTEST_LEAK
static void *leaked_block;

/* The test gives the block back once the leak has been reported, so the
 * process ends clean (valgrind, ASan). */
PNPTEST_EXPORT void pnptest_release_leak(void)
{
    if (leaked_block)
        ExFreePoolWithTag(leaked_block, 'kaeL');
    leaked_block = NULL;
}
#endif

/* The device's first hardware ID names it in the log. */
static void label_of(PDEVICE_OBJECT pdo, char *out, size_t len)
{
    WCHAR ids[128];
    ULONG got = 0;
    size_t i = 0;
    if (NT_SUCCESS(IoGetDeviceProperty(pdo, DevicePropertyHardwareID, sizeof ids, ids, &got)))
        for (; i + 1 < len && i < RTL_NUMBER_OF(ids) && ids[i]; i++)
            out[i] = (char)ids[i];
    out[i] = 0;
}

static NTSTATUS fn_add_device(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    PDEVICE_OBJECT fdo;
    NTSTATUS status = IoCreateDevice(DriverObject, sizeof(fn_ext_t), NULL, FILE_DEVICE_UNKNOWN,
                                     FILE_DEVICE_SECURE_OPEN, FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    fn_ext_t *ext = fdo->DeviceExtension;
    ext->self = fdo;
    ext->pdo = PhysicalDeviceObject;
    label_of(PhysicalDeviceObject, ext->label, sizeof ext->label);
    ext->start_work = IoAllocateWorkItem(fdo);
    if (!ext->start_work) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto fail_device;
    }
    status = IoRegisterDeviceInterface(PhysicalDeviceObject, &GUID_PNPTEST_FN_INTERFACE, NULL,
                                       &ext->link);
    if (!NT_SUCCESS(status))
        goto fail_work;
    ext->lower = IoAttachDeviceToDeviceStack(fdo, PhysicalDeviceObject);
    if (!ext->lower) {
        status = STATUS_NO_SUCH_DEVICE;
        goto fail_link;
    }
#ifdef PNPTEST_LEAK
    /* Tags are written reversed, as in every WDK sample: pool tools (and
     * battkit's report) show this one as "Leak". */
    leaked_block = ExAllocatePoolWithTag(NonPagedPoolNx, 48, 'kaeL');
#endif
    fdo->Flags |= DO_POWER_PAGABLE;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    pnptest_knobs[PNPTEST_DEVICES]++;
    pnptest_event(ext->label, "AddDevice");
    return STATUS_SUCCESS;

fail_link:
    RtlFreeUnicodeString(&ext->link);
fail_work:
    IoFreeWorkItem(ext->start_work);
fail_device:
    IoDeleteDevice(fdo);
    return status;
}

/* PASSIVE_LEVEL: enabling an interface may not happen in a completion
 * routine, so START finishes here. */
static void finish_start(PDEVICE_OBJECT DeviceObject, PVOID Context)
{
    fn_ext_t *ext = DeviceObject->DeviceExtension;
    PIRP irp = Context;
    NTSTATUS status = irp->IoStatus.Status;
    if (NT_SUCCESS(status) && pnptest_knobs[PNPTEST_FAIL_START])
        status = STATUS_DEVICE_NOT_READY;
    if (NT_SUCCESS(status))
        IoSetDeviceInterfaceState(&ext->link, TRUE);
    pnptest_event_value(ext->label, "START_DONE", (unsigned long)status);
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static NTSTATUS start_lower_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    fn_ext_t *ext = Context;
    pnptest_event_value(ext->label, "START_LOWER", (unsigned long)Irp->IoStatus.Status);
    IoQueueWorkItem(ext->start_work, finish_start, DelayedWorkQueue, Irp);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

static ULONG count_multi(const WCHAR *list)
{
    ULONG n = 0;
    while (*list) {
        while (*list)
            list++;
        list++;
        n++;
    }
    return n;
}

static NTSTATUS pass_down(fn_ext_t *ext, PIRP irp)
{
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(ext->lower, irp);
}

static NTSTATUS fn_pnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    fn_ext_t *ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        pnptest_event(ext->label, "START");
        IoMarkIrpPending(Irp);
        IoCopyCurrentIrpStackLocationToNext(Irp);
        IoSetCompletionRoutine(Irp, start_lower_done, ext, TRUE, TRUE, TRUE);
        IoCallDriver(ext->lower, Irp);
        return STATUS_PENDING;
    case IRP_MN_QUERY_REMOVE_DEVICE:
        pnptest_event(ext->label, "QUERY_REMOVE");
        if (pnptest_knobs[PNPTEST_VETO_REMOVE]) {
            Irp->IoStatus.Status = STATUS_UNSUCCESSFUL;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            return STATUS_UNSUCCESSFUL;
        }
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return pass_down(ext, Irp);
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        pnptest_event(ext->label, "CANCEL_REMOVE");
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return pass_down(ext, Irp);
    case IRP_MN_SURPRISE_REMOVAL:
        pnptest_event(ext->label, "SURPRISE_REMOVAL");
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return pass_down(ext, Irp);
    case IRP_MN_QUERY_PNP_DEVICE_STATE:
        pnptest_event(ext->label, "QUERY_PNP_DEVICE_STATE");
        if (pnptest_knobs[PNPTEST_REPORT_FAILED])
            Irp->IoStatus.Information |= PNP_DEVICE_FAILED;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        return pass_down(ext, Irp);
    case IRP_MN_REMOVE_DEVICE: {
        /* Which of this device's interfaces are still enabled as REMOVE
         * arrives: the PnP manager disables them first. */
        PWSTR list;
        if (NT_SUCCESS(IoGetDeviceInterfaces(&GUID_PNPTEST_FN_INTERFACE, ext->pdo, 0, &list))) {
            pnptest_event_value(ext->label, "REMOVE_ACTIVE", count_multi(list));
            ExFreePool(list);
        }
        pnptest_event(ext->label, "REMOVE");
        Irp->IoStatus.Status = STATUS_SUCCESS;
        NTSTATUS status = pass_down(ext, Irp);
        IoDetachDevice(ext->lower);
        RtlFreeUnicodeString(&ext->link);
        IoFreeWorkItem(ext->start_work);
        pnptest_knobs[PNPTEST_DEVICES]--;
        IoDeleteDevice(DeviceObject);
        return status;
    }
    default:
        return pass_down(ext, Irp);
    }
}

static NTSTATUS fn_power(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    fn_ext_t *ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (stack->MinorFunction == IRP_MN_SET_POWER) {
        if (stack->Parameters.Power.Type == SystemPowerState) {
            pnptest_event_value(ext->label, "SET_POWER_S",
                                stack->Parameters.Power.State.SystemState);
        } else {
            pnptest_event_value(ext->label, "SET_POWER_D",
                                stack->Parameters.Power.State.DeviceState);
            PoSetPowerState(DeviceObject, DevicePowerState, stack->Parameters.Power.State);
        }
    }
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->lower, Irp);
}

static NTSTATUS fn_file(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    fn_ext_t *ext = DeviceObject->DeviceExtension;
    static const char *const names[] = {
        [IRP_MJ_CREATE] = "CREATE", [IRP_MJ_CLOSE] = "CLOSE", [IRP_MJ_CLEANUP] = "CLEANUP"};
    pnptest_event(ext->label, names[IoGetCurrentIrpStackLocation(Irp)->MajorFunction]);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS fn_control(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_INVALID_DEVICE_REQUEST;
}

static NTSTATUS fn_pass_down(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return pass_down(DeviceObject->DeviceExtension, Irp);
}

static void fn_unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    pnptest_knobs[PNPTEST_LOADED] = 0;
    pnptest_event("driver", "Unload");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(RegistryPath);
    DriverObject->DriverExtension->AddDevice = fn_add_device;
    DriverObject->DriverUnload = fn_unload;
    DriverObject->MajorFunction[IRP_MJ_PNP] = fn_pnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = fn_power;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = fn_file;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = fn_file;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = fn_file;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = fn_control;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = fn_pass_down;
    pnptest_knobs[PNPTEST_LOADED] = 1;
    pnptest_knobs[PNPTEST_DEVICES] = 0;
#ifdef PNPTEST_LEAK
    if (pnptest_knobs[PNPTEST_LEAK_AT_ENTRY])
        leaked_block = ExAllocatePoolWithTag(NonPagedPoolNx, 48, 'kaeL');
#endif
    pnptest_event("driver", "DriverEntry");
    return STATUS_SUCCESS;
}

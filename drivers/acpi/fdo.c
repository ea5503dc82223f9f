/* The ACPI bus FDO: on start it opens the platform (the simulated
 * machine's firmware) and listens for its events; BusRelations reports one
 * child PDO per ACPI device of the machine; on removal it waits out the
 * children's evaluations, deletes them and lets the platform go. */
#include "acpi.h"

static NTSTATUS AcpiSignalCompletion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* PASSIVE_LEVEL: sends the IRP down and waits for the lower drivers. */
static NTSTATUS AcpiForwardAndWait(PACPI_FDO_EXTENSION Fdo, PIRP Irp)
{
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, AcpiSignalCompletion, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(Fdo->Lower, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    return Irp->IoStatus.Status;
}

NTSTATUS AcpiFdoPassDown(PACPI_FDO_EXTENSION Fdo, PIRP Irp)
{
    IoSkipCurrentIrpStackLocation(Irp);
    return IoCallDriver(Fdo->Lower, Irp);
}

/* PASSIVE_LEVEL: IoGetDeviceObjectPointer + the internal query-interface
 * request, then the event registration. */
static NTSTATUS AcpiOpenPlatform(PACPI_FDO_EXTENSION Fdo)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT device;
    PFILE_OBJECT file;
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    ULONG version = BATTKIT_PLATFORM_INTERFACE_VERSION;

    RtlInitUnicodeString(&name, BATTKIT_PLATFORM_DEVICE_NAME);
    NTSTATUS status = IoGetDeviceObjectPointer(&name, FILE_READ_DATA, &file, &device);
    if (!NT_SUCCESS(status))
        return status;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    RtlZeroMemory(&Fdo->Platform, sizeof Fdo->Platform);
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_BATTKIT_PLATFORM_QUERY_INTERFACE, device,
                                             &version, sizeof version, &Fdo->Platform,
                                             sizeof Fdo->Platform, TRUE, &done, &iosb);
    if (!irp) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto close;
    }
    IoGetNextIrpStackLocation(irp)->FileObject = file;
    status = IoCallDriver(device, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    if (!NT_SUCCESS(status))
        goto close;
    if (Fdo->Platform.Header.Version < 1 ||
        Fdo->Platform.Header.Size < sizeof(BATTKIT_PLATFORM_INTERFACE)) {
        status = STATUS_NOT_SUPPORTED;
        goto release;
    }
    status = Fdo->Platform.RegisterEvents(Fdo->Platform.Header.Context, AcpiPlatformEvent, Fdo);
    if (!NT_SUCCESS(status))
        goto release;
    Fdo->PlatformFile = file;
    Fdo->HavePlatform = TRUE;
    Fdo->Listening = TRUE;
    return STATUS_SUCCESS;

release:
    Fdo->Platform.Header.InterfaceDereference(Fdo->Platform.Header.Context);
close:
    ObDereferenceObject(file);
    return status;
}

/* PASSIVE_LEVEL: stops the events (waiting out one being delivered), then
 * releases the interface and the open file. */
static VOID AcpiClosePlatform(PACPI_FDO_EXTENSION Fdo)
{
    if (!Fdo->HavePlatform)
        return;
    if (Fdo->Listening) {
        Fdo->Platform.RegisterEvents(Fdo->Platform.Header.Context, NULL, NULL);
        Fdo->Listening = FALSE;
    }
    Fdo->Platform.Header.InterfaceDereference(Fdo->Platform.Header.Context);
    ObDereferenceObject(Fdo->PlatformFile);
    Fdo->PlatformFile = NULL;
    Fdo->HavePlatform = FALSE;
}

static PACPI_PDO_EXTENSION AcpiFindChild(PACPI_FDO_EXTENSION Fdo, ULONG Index)
{
    KIRQL irql;
    PACPI_PDO_EXTENSION found = NULL;
    KeAcquireSpinLock(&Fdo->ChildLock, &irql);
    for (PLIST_ENTRY e = Fdo->Children.Flink; e != &Fdo->Children; e = e->Flink) {
        PACPI_PDO_EXTENSION child = CONTAINING_RECORD(e, ACPI_PDO_EXTENSION, Link);
        if (child->Index == Index) {
            found = child;
            break;
        }
    }
    KeReleaseSpinLock(&Fdo->ChildLock, irql);
    return found;
}

/* PASSIVE_LEVEL. A battery PDO is reported whether or not a battery is in
 * the slot: Windows keeps the PNP0C0A device and reports presence through
 * _STA bit 4, so the children only ever grow. */
static NTSTATUS AcpiQueryBusRelations(PACPI_FDO_EXTENSION Fdo, PIRP Irp)
{
    if (!Fdo->HavePlatform)
        return STATUS_DEVICE_NOT_READY;
    PVOID ctx = Fdo->Platform.Header.Context;
    ULONG count = Fdo->Platform.GetDeviceCount(ctx);
    for (ULONG i = 0; i < count; i++) {
        BATTKIT_PLATFORM_DEVICE device;
        PDEVICE_OBJECT pdo;
        if (!NT_SUCCESS(Fdo->Platform.GetDevice(ctx, i, &device)) || device.Bus != BattkitBusAcpi ||
            AcpiFindChild(Fdo, i))
            continue;
        NTSTATUS status = AcpiPdoCreate(Fdo, i, &device, &pdo);
        if (!NT_SUCCESS(status))
            return status;
    }

    /* docs: keep relations an upper driver already reported, add ours. */
    PDEVICE_RELATIONS previous = (PDEVICE_RELATIONS)Irp->IoStatus.Information;
    ULONG before = previous ? previous->Count : 0;
    ULONG ours = 0;
    KIRQL irql;
    KeAcquireSpinLock(&Fdo->ChildLock, &irql);
    for (PLIST_ENTRY e = Fdo->Children.Flink; e != &Fdo->Children; e = e->Flink)
        ours++;
    KeReleaseSpinLock(&Fdo->ChildLock, irql);
    ULONG total = before + ours;
    SIZE_T bytes =
        FIELD_OFFSET(DEVICE_RELATIONS, Objects) + (total ? total : 1) * sizeof(PDEVICE_OBJECT);
    PDEVICE_RELATIONS relations = ExAllocatePoolWithTag(PagedPool, bytes, ACPI_TAG);
    if (!relations)
        return STATUS_INSUFFICIENT_RESOURCES;
    relations->Count = 0;
    for (ULONG i = 0; i < before; i++)
        relations->Objects[relations->Count++] = previous->Objects[i];
    KeAcquireSpinLock(&Fdo->ChildLock, &irql);
    for (PLIST_ENTRY e = Fdo->Children.Flink; e != &Fdo->Children && relations->Count < total;
         e = e->Flink) {
        PACPI_PDO_EXTENSION child = CONTAINING_RECORD(e, ACPI_PDO_EXTENSION, Link);
        ObReferenceObject(child->Self); /* the PnP manager drops it */
        relations->Objects[relations->Count++] = child->Self;
    }
    KeReleaseSpinLock(&Fdo->ChildLock, irql);
    if (previous)
        ExFreePool(previous);
    Irp->IoStatus.Information = (ULONG_PTR)relations;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL: the parent goes, so its children go for good. */
static VOID AcpiDeleteChildren(PACPI_FDO_EXTENSION Fdo)
{
    for (;;) {
        KIRQL irql;
        PACPI_PDO_EXTENSION child = NULL;
        KeAcquireSpinLock(&Fdo->ChildLock, &irql);
        if (!IsListEmpty(&Fdo->Children))
            child = CONTAINING_RECORD(RemoveHeadList(&Fdo->Children), ACPI_PDO_EXTENSION, Link);
        KeReleaseSpinLock(&Fdo->ChildLock, irql);
        if (!child)
            break;
        AcpiPdoStopNotifications(child);
        IoDeleteDevice(child->Self);
    }
}

/* PASSIVE_LEVEL. */
NTSTATUS AcpiFdoPnp(PACPI_FDO_EXTENSION Fdo, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = IoAcquireRemoveLock(&Fdo->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        /* docs: the parent bus starts first, then this driver. */
        status = AcpiForwardAndWait(Fdo, Irp);
        if (NT_SUCCESS(status) && !Fdo->HavePlatform)
            status = AcpiOpenPlatform(Fdo);
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        break;

    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (stack->Parameters.QueryDeviceRelations.Type != BusRelations) {
            status = AcpiFdoPassDown(Fdo, Irp);
            break;
        }
        status = AcpiQueryBusRelations(Fdo, Irp);
        if (!NT_SUCCESS(status)) {
            Irp->IoStatus.Status = status;
            IoCompleteRequest(Irp, IO_NO_INCREMENT);
            break;
        }
        Irp->IoStatus.Status = STATUS_SUCCESS;
        status = AcpiFdoPassDown(Fdo, Irp);
        break;

    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        status = AcpiFdoPassDown(Fdo, Irp);
        break;

    case IRP_MN_REMOVE_DEVICE:
        /* Waits until no evaluation or platform event is in flight. */
        IoReleaseRemoveLockAndWait(&Fdo->RemoveLock, Irp);
        AcpiClosePlatform(Fdo);
        AcpiDeleteChildren(Fdo);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        status = AcpiFdoPassDown(Fdo, Irp);
        IoDetachDevice(Fdo->Lower);
        IoDeleteDevice(Fdo->Self);
        return status;

    default:
        status = AcpiFdoPassDown(Fdo, Irp);
        break;
    }
    IoReleaseRemoveLock(&Fdo->RemoveLock, Irp);
    return status;
}

/* <= DISPATCH_LEVEL. */
NTSTATUS AcpiFdoPower(PACPI_FDO_EXTENSION Fdo, PIRP Irp)
{
    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(Fdo->Lower, Irp);
}

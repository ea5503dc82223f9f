/* Notify() delivery: the platform's events arrive on the bus FDO (on a
 * host worker, PASSIVE_LEVEL) and go to the function driver of the child
 * they name, through the handler it registered with the ACPI interface
 * (GUID_ACPI_INTERFACE_STANDARD, RegisterForDeviceNotifications). The GPE
 * routines of that interface are not emulated. */
#include "acpi.h"

/* PASSIVE_LEVEL. Calls the child's handler, if any, outside the lock;
 * unregistering waits for such a call to return. */
static VOID AcpiPdoNotify(PACPI_PDO_EXTENSION Pdo, ULONG NotifyValue)
{
    KIRQL irql;
    KeAcquireSpinLock(&Pdo->NotifyLock, &irql);
    PDEVICE_NOTIFY_CALLBACK handler = Pdo->NotifyHandler;
    PVOID context = Pdo->NotifyContext;
    if (handler && Pdo->NotifyBusy++ == 0)
        KeClearEvent(&Pdo->NotifyIdle);
    KeReleaseSpinLock(&Pdo->NotifyLock, irql);
    if (!handler)
        return;
    handler(context, NotifyValue);
    KeAcquireSpinLock(&Pdo->NotifyLock, &irql);
    if (--Pdo->NotifyBusy == 0)
        KeSetEvent(&Pdo->NotifyIdle, IO_NO_INCREMENT, FALSE);
    KeReleaseSpinLock(&Pdo->NotifyLock, irql);
}

/* PASSIVE_LEVEL, a host worker (BATTKIT_PLATFORM_EVENT_CALLBACK). The FDO
 * unregisters before its children go, and that waits for this to return. */
VOID AcpiPlatformEvent(PVOID CallbackContext, ULONG DeviceIndex, ULONG NotifyValue)
{
    PACPI_FDO_EXTENSION fdo = CallbackContext;
    PACPI_PDO_EXTENSION target = NULL;
    KIRQL irql;
    KeAcquireSpinLock(&fdo->ChildLock, &irql);
    for (PLIST_ENTRY e = fdo->Children.Flink; e != &fdo->Children; e = e->Flink) {
        PACPI_PDO_EXTENSION child = CONTAINING_RECORD(e, ACPI_PDO_EXTENSION, Link);
        if (child->Index == DeviceIndex) {
            target = child;
            break;
        }
    }
    KeReleaseSpinLock(&fdo->ChildLock, irql);
    if (target)
        AcpiPdoNotify(target, NotifyValue);
}

VOID AcpiPdoStopNotifications(PACPI_PDO_EXTENSION Pdo)
{
    KIRQL irql;
    KeAcquireSpinLock(&Pdo->NotifyLock, &irql);
    Pdo->NotifyHandler = NULL;
    Pdo->NotifyContext = NULL;
    KeReleaseSpinLock(&Pdo->NotifyLock, irql);
    KeWaitForSingleObject(&Pdo->NotifyIdle, Executive, KernelMode, FALSE, NULL);
}

/* ---- ACPI_INTERFACE_STANDARD ---- */

static VOID AcpiInterfaceReference(PVOID Context)
{
    ObReferenceObject(Context); /* the PDO */
}

static VOID AcpiInterfaceDereference(PVOID Context)
{
    ObDereferenceObject(Context);
}

/* PASSIVE_LEVEL. One handler per device: a second registration fails. */
static NTSTATUS AcpiRegisterForDeviceNotifications(PDEVICE_OBJECT DeviceObject,
                                                   PDEVICE_NOTIFY_CALLBACK NotificationHandler,
                                                   PVOID NotificationContext)
{
    PACPI_PDO_EXTENSION pdo = DeviceObject->DeviceExtension;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;
    if (!NotificationHandler || pdo->Kind != AcpiExtensionPdo)
        return STATUS_INVALID_PARAMETER;
    KeAcquireSpinLock(&pdo->NotifyLock, &irql);
    if (pdo->NotifyHandler) {
        status = STATUS_UNSUCCESSFUL;
    } else {
        pdo->NotifyHandler = NotificationHandler;
        pdo->NotifyContext = NotificationContext;
    }
    KeReleaseSpinLock(&pdo->NotifyLock, irql);
    return status;
}

/* PASSIVE_LEVEL. Returns once a handler call in progress has returned, so
 * the caller may free its context. */
static VOID AcpiUnregisterForDeviceNotifications(PDEVICE_OBJECT DeviceObject,
                                                 PDEVICE_NOTIFY_CALLBACK NotificationHandler)
{
    PACPI_PDO_EXTENSION pdo = DeviceObject->DeviceExtension;
    if (pdo->Kind != AcpiExtensionPdo || pdo->NotifyHandler != NotificationHandler)
        return;
    AcpiPdoStopNotifications(pdo);
}

static NTSTATUS AcpiGpeConnectVector(PDEVICE_OBJECT Context, ULONG GpeNumber, KINTERRUPT_MODE Mode,
                                     BOOLEAN Shareable, PGPE_SERVICE_ROUTINE ServiceRoutine,
                                     PVOID ServiceContext, PVOID ObjectContext)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(GpeNumber);
    UNREFERENCED_PARAMETER(Mode);
    UNREFERENCED_PARAMETER(Shareable);
    UNREFERENCED_PARAMETER(ServiceRoutine);
    UNREFERENCED_PARAMETER(ServiceContext);
    UNREFERENCED_PARAMETER(ObjectContext);
    return STATUS_NOT_SUPPORTED;
}

static NTSTATUS AcpiGpeDisconnectVector(PVOID ObjectContext)
{
    UNREFERENCED_PARAMETER(ObjectContext);
    return STATUS_NOT_SUPPORTED;
}

/* GpeEnableEvent, GpeDisableEvent and GpeClearStatus share a signature. */
static NTSTATUS AcpiGpeEvent(PDEVICE_OBJECT Context, PVOID ObjectContext)
{
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(ObjectContext);
    return STATUS_NOT_SUPPORTED;
}

/* PASSIVE_LEVEL, IRP_MN_QUERY_INTERFACE. docs: fill the caller's
 * structure up to Size, reference the interface once for the caller. */
NTSTATUS AcpiPdoQueryAcpiInterface(PACPI_PDO_EXTENSION Pdo, PIO_STACK_LOCATION Stack)
{
    PACPI_INTERFACE_STANDARD out =
        (PACPI_INTERFACE_STANDARD)Stack->Parameters.QueryInterface.Interface;
    if (Stack->Parameters.QueryInterface.Version < ACPI_STANDARD_INTERFACE_VERSION)
        return STATUS_NOT_SUPPORTED;
    if (!out || Stack->Parameters.QueryInterface.Size < sizeof(*out))
        return STATUS_INVALID_PARAMETER;
    out->Size = sizeof(*out);
    out->Version = ACPI_STANDARD_INTERFACE_VERSION;
    out->Context = Pdo->Self;
    out->InterfaceReference = AcpiInterfaceReference;
    out->InterfaceDereference = AcpiInterfaceDereference;
    out->GpeConnectVector = AcpiGpeConnectVector;
    out->GpeDisconnectVector = AcpiGpeDisconnectVector;
    out->GpeEnableEvent = AcpiGpeEvent;
    out->GpeDisableEvent = AcpiGpeEvent;
    out->GpeClearStatus = AcpiGpeEvent;
    out->RegisterForDeviceNotifications = AcpiRegisterForDeviceNotifications;
    out->UnregisterForDeviceNotifications = AcpiUnregisterForDeviceNotifications;
    AcpiInterfaceReference(Pdo->Self);
    return STATUS_SUCCESS;
}

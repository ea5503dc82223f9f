/* battc_testmini's driver and device objects: DriverEntry, AddDevice (which
 * attaches the battery to battc), PnP, power, create/close and the device
 * control dispatch that hands battery IOCTLs to BatteryClassIoctl. */
#include <initguid.h>
#include "testmini.h"

UNICODE_STRING TestMiniRegistryPath;

static DRIVER_ADD_DEVICE TestMiniAddDevice;
static DRIVER_UNLOAD TestMiniUnload;
static DRIVER_DISPATCH TestMiniCreateClose;
static DRIVER_DISPATCH TestMiniDeviceControl;
static DRIVER_DISPATCH TestMiniPnp;
static DRIVER_DISPATCH TestMiniPower;

static const struct {
    PCWSTR HardwareId;
    TESTMINI_VARIANT Variant;
} TestMiniVariants[] = {
    {L"BATTKIT\\TestMiniV10", TestMiniV10},
    {L"BATTKIT\\TestMiniV12", TestMiniV12},
    {L"BATTKIT\\TestMiniNoSet", TestMiniNoSet},
    {L"BATTKIT\\TestMiniNoNotify", TestMiniNoNotify},
};

/* PASSIVE_LEVEL. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    TestMiniRegistryPath.Length = 0;
    TestMiniRegistryPath.MaximumLength = RegistryPath->Length + sizeof(WCHAR);
    TestMiniRegistryPath.Buffer =
        ExAllocatePoolZero(NonPagedPoolNx, TestMiniRegistryPath.MaximumLength, TESTMINI_TAG);
    if (!TestMiniRegistryPath.Buffer)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyUnicodeString(&TestMiniRegistryPath, RegistryPath);

    DriverObject->DriverUnload = TestMiniUnload;
    DriverObject->DriverExtension->AddDevice = TestMiniAddDevice;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = TestMiniCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = TestMiniCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = TestMiniCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = TestMiniDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SYSTEM_CONTROL] = TestMiniSystemControl;
    DriverObject->MajorFunction[IRP_MJ_PNP] = TestMiniPnp;
    DriverObject->MajorFunction[IRP_MJ_POWER] = TestMiniPower;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
static void TestMiniUnload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    ExFreePoolWithTag(TestMiniRegistryPath.Buffer, TESTMINI_TAG);
    TestMiniRegistryPath.Buffer = NULL;
}

/* PASSIVE_LEVEL. The first hardware ID picks the variant. */
static TESTMINI_VARIANT TestMiniVariantOf(PDEVICE_OBJECT Pdo)
{
    WCHAR ids[128];
    ULONG length = 0;
    UNICODE_STRING id, known;

    RtlZeroMemory(ids, sizeof(ids));
    if (!NT_SUCCESS(IoGetDeviceProperty(Pdo, DevicePropertyHardwareID, sizeof(ids) - sizeof(WCHAR),
                                        ids, &length)))
        return TestMiniFull;
    RtlInitUnicodeString(&id, ids);
    for (ULONG i = 0; i < RTL_NUMBER_OF(TestMiniVariants); i++) {
        RtlInitUnicodeString(&known, TestMiniVariants[i].HardwareId);
        if (RtlEqualUnicodeString(&id, &known, TRUE))
            return TestMiniVariants[i].Variant;
    }
    return TestMiniFull;
}

/* PASSIVE_LEVEL. docs: create the FDO, attach, fill the miniport info and
 * call BatteryClassInitializeDevice. */
static NTSTATUS TestMiniAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo)
{
    BATTERY_MINIPORT_INFO_V1_2 info;
    PTESTMINI_EXTENSION ext;
    PDEVICE_OBJECT fdo;
    NTSTATUS status;

    status = IoCreateDevice(DriverObject, sizeof(TESTMINI_EXTENSION), NULL, FILE_DEVICE_BATTERY, 0,
                            FALSE, &fdo);
    if (!NT_SUCCESS(status))
        return status;
    ext = fdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Fdo = fdo;
    ext->Pdo = Pdo;
    ext->Variant = TestMiniVariantOf(Pdo);
    KeInitializeSpinLock(&ext->Lock);
    IoInitializeRemoveLock(&ext->RemoveLock, TESTMINI_TAG, 0, 0);
    TestMiniInitBattery(ext);
    TestMiniWmiInit(ext);
    fdo->Flags |= DO_BUFFERED_IO | DO_POWER_PAGABLE;
    fdo->StackSize = (CCHAR)(Pdo->StackSize + 2); /* docs: battery IRPs need one more */
    ext->Lower = IoAttachDeviceToDeviceStack(fdo, Pdo);
    if (!ext->Lower) {
        IoDeleteDevice(fdo);
        return STATUS_NO_SUCH_DEVICE;
    }

    TestMiniFillInfo(ext, &info);
    info.ClassDriverCapabilities.AsUlong = 0xFFFFFFFF; /* battc must overwrite (V1_2) */
    status = BatteryClassInitializeDevice((PBATTERY_MINIPORT_INFO)&info, &ext->ClassHandle);
    ext->Counters.InitStatus = status;
    ext->Counters.ClassCapabilities = info.ClassDriverCapabilities.AsUlong;
    if (!NT_SUCCESS(status)) {
        IoDetachDevice(ext->Lower);
        IoDeleteDevice(fdo);
        return status;
    }
    TestMiniLastDevice = ext;
    fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

static NTSTATUS TestMiniCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* One of the four codes BatteryClassIoctl documents as its own. */
static BOOLEAN TestMiniIsBatteryIoctl(PIRP Irp)
{
    switch (IoGetCurrentIrpStackLocation(Irp)->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_BATTERY_QUERY_TAG:
    case IOCTL_BATTERY_QUERY_INFORMATION:
    case IOCTL_BATTERY_SET_INFORMATION:
    case IOCTL_BATTERY_QUERY_STATUS:
        return TRUE;
    default:
        return FALSE;
    }
}

/* PASSIVE_LEVEL. docs (DispatchDeviceControl): private IOCTLs first, then
 * BatteryClassIoctl; STATUS_NOT_SUPPORTED goes to the next lower driver;
 * whatever battc returns is returned unchanged (pitfall 15). */
static NTSTATUS TestMiniDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PTESTMINI_EXTENSION ext = DeviceObject->DeviceExtension;
    NTSTATUS status;

    status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    status = TestMiniControl(ext, Irp);
    if (status == STATUS_NOT_SUPPORTED) {
        PVOID handle = ext->ClassHandle;
        status = handle ? BatteryClassIoctl(handle, Irp) : STATUS_NOT_SUPPORTED;
        if (status == STATUS_NOT_SUPPORTED) {
            if (TestMiniIsBatteryIoctl(Irp))
                InterlockedIncrement((LONG volatile *)&ext->Counters.ForwardedBatteryIoctls);
            IoSkipCurrentIrpStackLocation(Irp);
            status = IoCallDriver(ext->Lower, Irp);
        }
    }
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

static NTSTATUS TestMiniSignal(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* PASSIVE_LEVEL. Sends Irp down and waits for it to come back. */
static NTSTATUS TestMiniForwardAndWait(PTESTMINI_EXTENSION Ext, PIRP Irp)
{
    KEVENT done;

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(Irp);
    IoSetCompletionRoutine(Irp, TestMiniSignal, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(Ext->Lower, Irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    return Irp->IoStatus.Status;
}

/* PASSIVE_LEVEL. */
static NTSTATUS TestMiniPnp(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PTESTMINI_EXTENSION ext = DeviceObject->DeviceExtension;
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status;

    status = IoAcquireRemoveLock(&ext->RemoveLock, Irp);
    if (!NT_SUCCESS(status)) {
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        return status;
    }
    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = TestMiniForwardAndWait(ext, Irp);
        if (NT_SUCCESS(status) && !ext->WmiRegistered)
            ext->WmiRegistered =
                NT_SUCCESS(IoWMIRegistrationControl(DeviceObject, WMIREG_ACTION_REGISTER));
        Irp->IoStatus.Status = status;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        IoReleaseRemoveLock(&ext->RemoveLock, Irp);
        return status;
    case IRP_MN_REMOVE_DEVICE:
        /* docs (Unload/remove): detach from battc first. */
        IoReleaseRemoveLockAndWait(&ext->RemoveLock, Irp);
        if (ext->ClassHandle)
            BatteryClassUnload(ext->ClassHandle);
        ext->ClassHandle = NULL;
        if (ext->WmiRegistered)
            IoWMIRegistrationControl(DeviceObject, WMIREG_ACTION_DEREGISTER);
        ext->WmiRegistered = FALSE;
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(Irp);
        status = IoCallDriver(ext->Lower, Irp);
        if (TestMiniLastDevice == ext)
            TestMiniLastDevice = NULL;
        IoDetachDevice(ext->Lower);
        IoDeleteDevice(DeviceObject);
        return status;
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_STOP_DEVICE:
        Irp->IoStatus.Status = STATUS_SUCCESS;
        break;
    default:
        break;
    }
    IoSkipCurrentIrpStackLocation(Irp);
    status = IoCallDriver(ext->Lower, Irp);
    IoReleaseRemoveLock(&ext->RemoveLock, Irp);
    return status;
}

/* <= DISPATCH_LEVEL. Nothing to do with power here: pass it on. */
static NTSTATUS TestMiniPower(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PTESTMINI_EXTENSION ext = DeviceObject->DeviceExtension;

    PoStartNextPowerIrp(Irp);
    IoSkipCurrentIrpStackLocation(Irp);
    return PoCallDriver(ext->Lower, Irp);
}

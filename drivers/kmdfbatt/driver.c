/* kmdfbatt's driver and device: DriverEntry creates the framework driver;
 * EvtDriverDeviceAdd makes the device with its PnP/power callbacks, the
 * preprocess callbacks that hand battery IOCTLs and WMI to battc, and the
 * default queue for the private IOCTLs; the battery registers with battc
 * in EvtDevicePrepareHardware and leaves it in EvtDeviceSelfManagedIoCleanup. */
#include <initguid.h>
#include "kmdfbatt.h"

DRIVER_INITIALIZE DriverEntry;
static EVT_WDF_DRIVER_DEVICE_ADD KmdfBattDeviceAdd;
static EVT_WDF_DEVICE_PREPARE_HARDWARE KmdfBattPrepareHardware;
static EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP KmdfBattSelfManagedIoCleanup;
static EVT_WDF_DEVICE_QUERY_STOP KmdfBattQueryStop;
static EVT_WDFDEVICE_WDM_IRP_PREPROCESS KmdfBattWdmIrpPreprocessDeviceControl;

/* PASSIVE_LEVEL. */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;

    WDF_DRIVER_CONFIG_INIT(&config, KmdfBattDeviceAdd);
    config.DriverPoolTag = KMDFBATT_POOL_TAG;
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,
                           WDF_NO_HANDLE);
}

/* PASSIVE_LEVEL. */
static NTSTATUS KmdfBattDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_IO_QUEUE_CONFIG queue;
    PKMDFBATT_CONTEXT ctx;
    WDFDEVICE device;
    NTSTATUS status;

    PAGED_CODE();
    WdfDeviceInitSetDeviceType(DeviceInit, FILE_DEVICE_BATTERY);
    WdfDeviceInitSetIoType(DeviceInit, WdfDeviceIoBuffered);
    WdfDeviceInitSetPowerPageable(DeviceInit);

    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.EvtDevicePrepareHardware = KmdfBattPrepareHardware;
    pnp.EvtDeviceSelfManagedIoCleanup = KmdfBattSelfManagedIoCleanup;
    pnp.EvtDeviceQueryStop = KmdfBattQueryStop;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);

    /* Battery IOCTLs and WMI go to battc before the framework sees them. */
    status = WdfDeviceInitAssignWdmIrpPreprocessCallback(
        DeviceInit, KmdfBattWdmIrpPreprocessDeviceControl, IRP_MJ_DEVICE_CONTROL, NULL, 0);
    if (!NT_SUCCESS(status))
        return status;
    status = WdfDeviceInitAssignWdmIrpPreprocessCallback(
        DeviceInit, KmdfBattWdmIrpPreprocessSystemControl, IRP_MJ_SYSTEM_CONTROL, NULL, 0);
    if (!NT_SUCCESS(status))
        return status;

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, KMDFBATT_CONTEXT);
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status))
        return status;
    ctx = KmdfBattGetContext(device);
    ctx->Device = device;
    ctx->ClassHandle = NULL;
    RtlInitUnicodeString(&ctx->RegistryPath, WdfDriverGetRegistryPath(Driver));

    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    status = WdfWaitLockCreate(&attributes, &ctx->ClassLock);
    if (!NT_SUCCESS(status))
        return status;
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    attributes.ParentObject = device;
    status = WdfWaitLockCreate(&attributes, &ctx->StateLock);
    if (!NT_SUCCESS(status))
        return status;
    KmdfBattDefaults(ctx);
    KmdfBattInitWmi(ctx);

    /* The private IOCTLs: any number at once (the state lock orders them). */
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queue, WdfIoQueueDispatchParallel);
    queue.EvtIoDeviceControl = KmdfBattIoDeviceControl;
    return WdfIoQueueCreate(device, &queue, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
}

/* PASSIVE_LEVEL. The first start loads the saved battery and issues a tag
 * (a started device with a battery is an insertion to battc); every start
 * (re)registers with battc and WMI. */
static NTSTATUS KmdfBattPrepareHardware(WDFDEVICE Device, WDFCMRESLIST ResourcesRaw,
                                        WDFCMRESLIST ResourcesTranslated)
{
    PKMDFBATT_CONTEXT ctx = KmdfBattGetContext(Device);
    BATTERY_MINIPORT_INFO info;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(ResourcesRaw);
    UNREFERENCED_PARAMETER(ResourcesTranslated);
    KmdfBattLoadState(ctx);
    KmdfBattLock(ctx);
    if (ctx->State.Present)
        KmdfBattNewTagLocked(ctx);
    KmdfBattUnlock(ctx);

    WdfWaitLockAcquire(ctx->ClassLock, NULL);
    if (ctx->ClassHandle != NULL) {
        WdfWaitLockRelease(ctx->ClassLock);
        return STATUS_SUCCESS; /* a restart after a stop: still registered */
    }
    RtlZeroMemory(&info, sizeof(info));
    info.MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
    info.MinorVersion = BATTERY_CLASS_MINOR_VERSION;
    info.Context = ctx;
    info.QueryTag = KmdfBattQueryTag;
    info.QueryInformation = KmdfBattQueryInformation;
    info.SetInformation = KmdfBattSetInformation;
    info.QueryStatus = KmdfBattQueryStatus;
    info.SetStatusNotify = KmdfBattSetStatusNotify;
    info.DisableStatusNotify = KmdfBattDisableStatusNotify;
    info.Pdo = WdfDeviceWdmGetPhysicalDevice(Device);
    info.DeviceName = NULL;
    status = BatteryClassInitializeDevice(&info, &ctx->ClassHandle);
    if (!NT_SUCCESS(status))
        ctx->ClassHandle = NULL;
    WdfWaitLockRelease(ctx->ClassLock);
    if (!NT_SUCCESS(status))
        return status;
    /* A battery without WMI still works: not fatal. */
    status = IoWMIRegistrationControl(WdfDeviceWdmGetDeviceObject(Device), WMIREG_ACTION_REGISTER);
    if (!NT_SUCCESS(status)) {
        KdPrint(("kmdfbatt: WMI registration failed: 0x%08x\n", (unsigned)status));
    }
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL, when the device goes away: battc completes the requests
 * it still holds, and no callback of ours is called after this. */
static void KmdfBattSelfManagedIoCleanup(WDFDEVICE Device)
{
    PKMDFBATT_CONTEXT ctx = KmdfBattGetContext(Device);

    IoWMIRegistrationControl(WdfDeviceWdmGetDeviceObject(Device), WMIREG_ACTION_DEREGISTER);
    WdfWaitLockAcquire(ctx->ClassLock, NULL);
    if (ctx->ClassHandle != NULL) {
        BatteryClassUnload(ctx->ClassHandle);
        ctx->ClassHandle = NULL;
    }
    WdfWaitLockRelease(ctx->ClassLock);
}

/* A battery can always be stopped and started again. */
static NTSTATUS KmdfBattQueryStop(WDFDEVICE Device)
{
    UNREFERENCED_PARAMETER(Device);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: battc takes the battery IOCTLs (its status, often
 * STATUS_PENDING, is returned unchanged); anything else goes back to the
 * framework and on to the default queue. */
static NTSTATUS KmdfBattWdmIrpPreprocessDeviceControl(WDFDEVICE Device, PIRP Irp)
{
    PKMDFBATT_CONTEXT ctx = KmdfBattGetContext(Device);
    NTSTATUS status = STATUS_NOT_SUPPORTED;

    WdfWaitLockAcquire(ctx->ClassLock, NULL);
    if (ctx->ClassHandle != NULL)
        status = BatteryClassIoctl(ctx->ClassHandle, Irp);
    WdfWaitLockRelease(ctx->ClassLock);
    if (status == STATUS_NOT_SUPPORTED) {
        IoSkipCurrentIrpStackLocation(Irp);
        status = WdfDeviceWdmDispatchPreprocessedIrp(Device, Irp);
    }
    return status;
}

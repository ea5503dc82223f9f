/* The framework tests' KMDF driver: every PnP/power callback appends its
 * name to a record the tests read; a sequential default queue keeps the
 * requests the tests ask it to keep; a preprocess callback counts the
 * device controls it hands back to the framework. */
#include <initguid.h>
#include <wdf.h>

#include "wdftest_ioctl.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define WDFTEST_POOL_TAG 'tsTW'

typedef struct _DEVICE_CONTEXT {
    WDFDEVICE Device;
} DEVICE_CONTEXT, *PDEVICE_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(DEVICE_CONTEXT, GetDeviceContext)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char record_text[4096];
static WDFREQUEST held_requests[16];
static unsigned nheld, in_hands, most_in_hands, cancels, preprocessed;
static int veto_stop, veto_remove;
static WDFMEMORY leaked;

static void note(const char *what)
{
    pthread_mutex_lock(&lock);
    strncat(record_text, what, sizeof record_text - strlen(record_text) - 1);
    strncat(record_text, " ", sizeof record_text - strlen(record_text) - 1);
    pthread_mutex_unlock(&lock);
}

static const char *power_name(WDF_POWER_DEVICE_STATE s)
{
    static const char *const names[] = {"Invalid", "D0", "D1", "D2", "D3", "D3Final", "Hib"};
    return (unsigned)s < 7 ? names[s] : "?";
}

static void note_power(const char *what, WDF_POWER_DEVICE_STATE s)
{
    char b[64];
    snprintf(b, sizeof b, "%s(%s)", what, power_name(s));
    note(b);
}

DRIVER_INITIALIZE DriverEntry;
static EVT_WDF_DRIVER_DEVICE_ADD TestDeviceAdd;
static EVT_WDF_DRIVER_UNLOAD TestUnload;
static EVT_WDF_DEVICE_PREPARE_HARDWARE TestPrepareHardware;
static EVT_WDF_DEVICE_RELEASE_HARDWARE TestReleaseHardware;
static EVT_WDF_DEVICE_D0_ENTRY TestD0Entry;
static EVT_WDF_DEVICE_D0_EXIT TestD0Exit;
static EVT_WDF_DEVICE_SELF_MANAGED_IO_INIT TestSelfManagedIoInit;
static EVT_WDF_DEVICE_SELF_MANAGED_IO_SUSPEND TestSelfManagedIoSuspend;
static EVT_WDF_DEVICE_SELF_MANAGED_IO_RESTART TestSelfManagedIoRestart;
static EVT_WDF_DEVICE_SELF_MANAGED_IO_FLUSH TestSelfManagedIoFlush;
static EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP TestSelfManagedIoCleanup;
static EVT_WDF_DEVICE_SURPRISE_REMOVAL TestSurpriseRemoval;
static EVT_WDF_DEVICE_QUERY_STOP TestQueryStop;
static EVT_WDF_DEVICE_QUERY_REMOVE TestQueryRemove;
static EVT_WDF_OBJECT_CONTEXT_CLEANUP TestDeviceCleanup;
static EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL TestIoDeviceControl;
static EVT_WDF_REQUEST_CANCEL TestRequestCancel;
static EVT_WDFDEVICE_WDM_IRP_PREPROCESS TestPreprocessDeviceControl;

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    WDF_DRIVER_CONFIG config;
    WDF_DRIVER_CONFIG_INIT(&config, TestDeviceAdd);
    config.EvtDriverUnload = TestUnload;
    config.DriverPoolTag = WDFTEST_POOL_TAG;
    return WdfDriverCreate(DriverObject, RegistryPath, WDF_NO_OBJECT_ATTRIBUTES, &config,
                           WDF_NO_HANDLE);
}

static void TestUnload(WDFDRIVER Driver)
{
    (void)Driver;
    note("Unload");
}

static NTSTATUS TestDeviceAdd(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit)
{
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_IO_QUEUE_CONFIG queue;
    WDFDEVICE device;
    NTSTATUS status;

    note(Driver == WdfGetDriver() ? "DeviceAdd" : "DeviceAdd(wrong driver)");
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&pnp);
    pnp.EvtDevicePrepareHardware = TestPrepareHardware;
    pnp.EvtDeviceReleaseHardware = TestReleaseHardware;
    pnp.EvtDeviceD0Entry = TestD0Entry;
    pnp.EvtDeviceD0Exit = TestD0Exit;
    pnp.EvtDeviceSelfManagedIoInit = TestSelfManagedIoInit;
    pnp.EvtDeviceSelfManagedIoSuspend = TestSelfManagedIoSuspend;
    pnp.EvtDeviceSelfManagedIoRestart = TestSelfManagedIoRestart;
    pnp.EvtDeviceSelfManagedIoFlush = TestSelfManagedIoFlush;
    pnp.EvtDeviceSelfManagedIoCleanup = TestSelfManagedIoCleanup;
    pnp.EvtDeviceSurpriseRemoval = TestSurpriseRemoval;
    pnp.EvtDeviceQueryStop = TestQueryStop;
    pnp.EvtDeviceQueryRemove = TestQueryRemove;
    WdfDeviceInitSetPnpPowerEventCallbacks(DeviceInit, &pnp);
    status = WdfDeviceInitAssignWdmIrpPreprocessCallback(DeviceInit, TestPreprocessDeviceControl,
                                                         IRP_MJ_DEVICE_CONTROL, NULL, 0);
    if (!NT_SUCCESS(status))
        return status;

    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&attributes, DEVICE_CONTEXT);
    attributes.EvtCleanupCallback = TestDeviceCleanup;
    status = WdfDeviceCreate(&DeviceInit, &attributes, &device);
    if (!NT_SUCCESS(status))
        return status;
    GetDeviceContext(device)->Device = device;

    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&queue, WdfIoQueueDispatchSequential);
    queue.EvtIoDeviceControl = TestIoDeviceControl;
    status = WdfIoQueueCreate(device, &queue, WDF_NO_OBJECT_ATTRIBUTES, WDF_NO_HANDLE);
    if (!NT_SUCCESS(status))
        return status;
    return WdfDeviceCreateDeviceInterface(device, &GUID_DEVINTERFACE_WDFTEST, NULL);
}

static NTSTATUS TestPreprocessDeviceControl(WDFDEVICE Device, PIRP Irp)
{
    pthread_mutex_lock(&lock);
    preprocessed++;
    pthread_mutex_unlock(&lock);
    IoSkipCurrentIrpStackLocation(Irp);
    return WdfDeviceWdmDispatchPreprocessedIrp(Device, Irp);
}

static NTSTATUS TestPrepareHardware(WDFDEVICE Device, WDFCMRESLIST Raw, WDFCMRESLIST Translated)
{
    (void)Device;
    note(WdfCmResourceListGetCount(Raw) == 0 && WdfCmResourceListGetCount(Translated) == 0
             ? "PrepareHardware"
             : "PrepareHardware(resources?)");
    return STATUS_SUCCESS;
}

static NTSTATUS TestReleaseHardware(WDFDEVICE Device, WDFCMRESLIST Translated)
{
    (void)Device, (void)Translated;
    note("ReleaseHardware");
    return STATUS_SUCCESS;
}

static NTSTATUS TestD0Entry(WDFDEVICE Device, WDF_POWER_DEVICE_STATE PreviousState)
{
    (void)Device;
    note_power("D0Entry", PreviousState);
    return STATUS_SUCCESS;
}

static NTSTATUS TestD0Exit(WDFDEVICE Device, WDF_POWER_DEVICE_STATE TargetState)
{
    (void)Device;
    note_power("D0Exit", TargetState);
    return STATUS_SUCCESS;
}

static NTSTATUS TestSelfManagedIoInit(WDFDEVICE Device)
{
    (void)Device;
    note("SelfManagedIoInit");
    return STATUS_SUCCESS;
}

static NTSTATUS TestSelfManagedIoSuspend(WDFDEVICE Device)
{
    (void)Device;
    note("SelfManagedIoSuspend");
    return STATUS_SUCCESS;
}

static NTSTATUS TestSelfManagedIoRestart(WDFDEVICE Device)
{
    (void)Device;
    note("SelfManagedIoRestart");
    return STATUS_SUCCESS;
}

static void TestSelfManagedIoFlush(WDFDEVICE Device)
{
    (void)Device;
    note("SelfManagedIoFlush");
}

static void TestSelfManagedIoCleanup(WDFDEVICE Device)
{
    (void)Device;
    note("SelfManagedIoCleanup");
}

static void TestSurpriseRemoval(WDFDEVICE Device)
{
    (void)Device;
    note("SurpriseRemoval");
}

static NTSTATUS TestQueryStop(WDFDEVICE Device)
{
    (void)Device;
    note("QueryStop");
    return veto_stop ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
}

static NTSTATUS TestQueryRemove(WDFDEVICE Device)
{
    (void)Device;
    note("QueryRemove");
    return veto_remove ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
}

static void TestDeviceCleanup(WDFOBJECT Object)
{
    note(GetDeviceContext(Object)->Device == Object ? "DeviceCleanup" : "DeviceCleanup(context?)");
}

static void TestRequestCancel(WDFREQUEST Request)
{
    pthread_mutex_lock(&lock);
    cancels++;
    in_hands--;
    pthread_mutex_unlock(&lock);
    WdfRequestComplete(Request, STATUS_CANCELLED);
}

static NTSTATUS TestRegistry(WDFREQUEST Request)
{
    static const WCHAR value_name[] = L"Value";
    UNICODE_STRING name = {sizeof(value_name) - sizeof(WCHAR), sizeof(value_name),
                           (PWCH)value_name};
    PULONG in, out;
    WDFKEY key;
    NTSTATUS status = WdfRequestRetrieveInputBuffer(Request, sizeof(ULONG), (PVOID *)&in, NULL);
    if (NT_SUCCESS(status))
        status = WdfRequestRetrieveOutputBuffer(Request, sizeof(ULONG), (PVOID *)&out, NULL);
    if (!NT_SUCCESS(status))
        return status;
    status = WdfDeviceOpenRegistryKey(WdfIoQueueGetDevice(WdfRequestGetIoQueue(Request)),
                                      PLUGPLAY_REGKEY_DEVICE, KEY_READ | KEY_WRITE,
                                      WDF_NO_OBJECT_ATTRIBUTES, &key);
    if (!NT_SUCCESS(status))
        return status;
    status = WdfRegistryAssignULong(key, &name, *in);
    if (NT_SUCCESS(status))
        status = WdfRegistryQueryULong(key, &name, out);
    WdfRegistryClose(key);
    if (NT_SUCCESS(status))
        WdfRequestSetInformation(Request, sizeof(ULONG));
    return status;
}

static void TestIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
                                size_t InputBufferLength, ULONG IoControlCode)
{
    WDF_REQUEST_PARAMETERS params;
    (void)Queue, (void)OutputBufferLength;
    WDF_REQUEST_PARAMETERS_INIT(&params);
    WdfRequestGetParameters(Request, &params);
    if (params.Parameters.DeviceIoControl.IoControlCode != IoControlCode ||
        WdfRequestWdmGetIrp(Request) == NULL) {
        WdfRequestComplete(Request, STATUS_INTERNAL_ERROR);
        return;
    }
    pthread_mutex_lock(&lock);
    if (++in_hands > most_in_hands)
        most_in_hands = in_hands;
    pthread_mutex_unlock(&lock);
    switch (IoControlCode) {
    case IOCTL_WDFTEST_HOLD:
        pthread_mutex_lock(&lock);
        held_requests[nheld++] = Request;
        pthread_mutex_unlock(&lock);
        return;
    case IOCTL_WDFTEST_CANCELABLE:
        if (WdfRequestMarkCancelableEx(Request, TestRequestCancel) == STATUS_CANCELLED)
            break;
        return;
    case IOCTL_WDFTEST_REGISTRY: {
        NTSTATUS status = TestRegistry(Request);
        pthread_mutex_lock(&lock);
        in_hands--;
        pthread_mutex_unlock(&lock);
        WdfRequestComplete(Request, status);
        return;
    }
    case IOCTL_WDFTEST_ECHO:
        pthread_mutex_lock(&lock);
        in_hands--;
        pthread_mutex_unlock(&lock);
        WdfRequestCompleteWithInformation(Request, STATUS_SUCCESS, InputBufferLength);
        return;
    default:
        break;
    }
    pthread_mutex_lock(&lock);
    in_hands--;
    pthread_mutex_unlock(&lock);
    WdfRequestComplete(Request, IoControlCode == IOCTL_WDFTEST_CANCELABLE
                                    ? STATUS_CANCELLED
                                    : STATUS_INVALID_DEVICE_REQUEST);
}

/* ---- the hooks ---- */
static const char *hook_log(void)
{
    return record_text;
}
static void hook_clear_log(void)
{
    pthread_mutex_lock(&lock);
    record_text[0] = 0;
    pthread_mutex_unlock(&lock);
}
static int hook_complete_held(void)
{
    pthread_mutex_lock(&lock);
    if (nheld == 0) {
        pthread_mutex_unlock(&lock);
        return 0;
    }
    WDFREQUEST r = held_requests[0];
    memmove(held_requests, held_requests + 1, --nheld * sizeof(held_requests[0]));
    in_hands--;
    pthread_mutex_unlock(&lock);
    WdfRequestCompleteWithInformation(r, STATUS_SUCCESS, 0);
    return 1;
}
static unsigned hook_held(void)
{
    return nheld;
}
static unsigned hook_max_concurrent(void)
{
    return most_in_hands;
}
static unsigned hook_cancel_calls(void)
{
    return cancels;
}
static unsigned hook_preprocessed(void)
{
    return preprocessed;
}
static void hook_set_veto(int query_stop, int query_remove)
{
    veto_stop = query_stop;
    veto_remove = query_remove;
}
/* Called on the test's thread: the module is found from this code. */
static void hook_leak(void)
{
    PVOID buffer;
    if (NT_SUCCESS(
            WdfMemoryCreate(WDF_NO_OBJECT_ATTRIBUTES, NonPagedPool, 0, 64, &leaked, &buffer)))
        WdfObjectReference(leaked); /* never dereferenced: outlives the driver */
}

__attribute__((visibility("default"))) NTSTATUS WdfTestHooks(wdftest_hooks_t *hooks)
{
    hooks->log = hook_log;
    hooks->clear_log = hook_clear_log;
    hooks->complete_held = hook_complete_held;
    hooks->held = hook_held;
    hooks->max_concurrent = hook_max_concurrent;
    hooks->cancel_calls = hook_cancel_calls;
    hooks->preprocessed = hook_preprocessed;
    hooks->set_veto = hook_set_veto;
    hooks->leak = hook_leak;
    return STATUS_SUCCESS;
}

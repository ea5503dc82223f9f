/* A third-party WDM driver as the WDK builds it: the kernel routines such
 * drivers use beyond battery miniclasses (files opened by name, references
 * by handle, symbolic links, callback objects, the current thread and
 * critical regions, DbgPrint with Windows formats). Built out of tree with
 * battkit-driver-cc by tests/sdk/wdm_api_test.sh; IOCTL_WDMAPI_RUN runs
 * every call with its documented result checked and reports the checks. */
#include <ntddk.h>
#include <stdarg.h>

#define IOCTL_WDMAPI_RUN  CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_WDMAPI_PING CTL_CODE(FILE_DEVICE_UNKNOWN, 0x901, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef struct _WDMAPI_RESULT {
    ULONG Checks;
    ULONG Failed;
    ULONG FirstFailedLine;
} WDMAPI_RESULT, *PWDMAPI_RESULT;

DRIVER_INITIALIZE DriverEntry;
static DRIVER_UNLOAD WdmApiUnload;
static DRIVER_DISPATCH WdmApiCreateClose;
static DRIVER_DISPATCH WdmApiDeviceControl;
static CALLBACK_FUNCTION WdmApiCallback;

static PDEVICE_OBJECT g_Control, g_Target;
static LONG g_TargetCreates, g_TargetCleanups, g_TargetCloses;
static BOOLEAN g_TargetDisconnected;

static const GUID g_GuidA = {0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};
static const GUID g_GuidB = {0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 9}};

#define CHECK(r, cond)                                                                             \
    do {                                                                                           \
        (r)->Checks++;                                                                             \
        if (!(cond)) {                                                                             \
            if ((r)->Failed++ == 0)                                                                \
                (r)->FirstFailedLine = __LINE__;                                                   \
            DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "wdmapi: check failed line %lu\n", \
                       (ULONG)__LINE__);                                                           \
        }                                                                                          \
    } while (0)

static NTSTATUS WdmApiCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    if (DeviceObject == g_Target) {
        if (stack->MajorFunction == IRP_MJ_CREATE)
            InterlockedIncrement(&g_TargetCreates);
        else if (stack->MajorFunction == IRP_MJ_CLEANUP)
            InterlockedIncrement(&g_TargetCleanups);
        else if (stack->MajorFunction == IRP_MJ_CLOSE)
            InterlockedIncrement(&g_TargetCloses);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static NTSTATUS WdmApiOpen(PCWSTR Name, ULONG Disposition, PHANDLE Handle, PIO_STATUS_BLOCK Iosb)
{
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES attributes;
    RtlInitUnicodeString(&name, Name);
    InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL,
                               NULL);
    return ZwCreateFile(Handle, GENERIC_READ | GENERIC_WRITE, &attributes, Iosb, NULL,
                        FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ | FILE_SHARE_WRITE, Disposition,
                        FILE_NON_DIRECTORY_FILE, NULL, 0);
}

/* IOCTL_WDMAPI_PING to a device through a file object: Value + 1. */
static NTSTATUS WdmApiPing(PDEVICE_OBJECT Device, PFILE_OBJECT File, PULONG Value)
{
    KEVENT event;
    IO_STATUS_BLOCK iosb;
    PIRP irp;
    NTSTATUS status;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    irp = IoBuildDeviceIoControlRequest(IOCTL_WDMAPI_PING, Device, Value, sizeof(ULONG), Value,
                                        sizeof(ULONG), FALSE, &event, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    IoGetNextIrpStackLocation(irp)->FileObject = File;
    status = IoCallDriver(Device, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    return status;
}

typedef struct _WDMAPI_CALLS {
    LONG Count;
    PVOID Argument1, Argument2;
} WDMAPI_CALLS, *PWDMAPI_CALLS;

static void WdmApiCallback(PVOID CallbackContext, PVOID Argument1, PVOID Argument2)
{
    PWDMAPI_CALLS calls = CallbackContext;
    calls->Count++;
    calls->Argument1 = Argument1;
    calls->Argument2 = Argument2;
}

static void WdmApiTrace(ULONG Level, PCCH Format, ...)
{
    va_list args;
    va_start(args, Format);
    vDbgPrintEx(DPFLTR_IHVDRIVER_ID, Level, Format, args);
    va_end(args);
}

static void RunFiles(PWDMAPI_RESULT r)
{
    HANDLE file = NULL, again = NULL;
    IO_STATUS_BLOCK iosb;
    PFILE_OBJECT fileObject = NULL;
    ULONG value = 41;
    LONG creates = g_TargetCreates, cleanups = g_TargetCleanups, closes = g_TargetCloses;

    /* Through the symbolic link DriverEntry made. */
    CHECK(r, WdmApiOpen(L"\\DosDevices\\WdmApiTarget", FILE_OPEN, &file, &iosb) == STATUS_SUCCESS);
    CHECK(r, iosb.Information == FILE_OPENED);
    CHECK(r, g_TargetCreates == creates + 1);
    CHECK(r, ObReferenceObjectByHandle(file, 0, *IoFileObjectType, KernelMode, (PVOID *)&fileObject,
                                       NULL) == STATUS_SUCCESS);
    CHECK(r, fileObject && IoGetRelatedDeviceObject(fileObject) == g_Target);
    if (fileObject) {
        CHECK(r, WdmApiPing(IoGetRelatedDeviceObject(fileObject), fileObject, &value) ==
                     STATUS_SUCCESS);
        CHECK(r, value == 42);
        g_TargetDisconnected = TRUE;
        CHECK(r, WdmApiPing(IoGetRelatedDeviceObject(fileObject), fileObject, &value) ==
                     STATUS_DEVICE_NOT_CONNECTED);
        g_TargetDisconnected = FALSE;
    }
    /* docs: closing the handle sends IRP_MJ_CLEANUP; IRP_MJ_CLOSE waits for
     * the last reference. */
    CHECK(r, ZwClose(file) == STATUS_SUCCESS);
    CHECK(r, g_TargetCleanups == cleanups + 1);
    CHECK(r, g_TargetCloses == closes);
    if (fileObject)
        ObDereferenceObject(fileObject);
    CHECK(r, g_TargetCloses == closes + 1);
    CHECK(r, ZwClose(file) == STATUS_INVALID_HANDLE);
    CHECK(r, ObReferenceObjectByHandle(file, 0, *IoFileObjectType, KernelMode, (PVOID *)&fileObject,
                                       NULL) == STATUS_INVALID_HANDLE);

    /* By the device name, and FILE_OPEN_IF of an existing device. */
    CHECK(r, WdmApiOpen(L"\\Device\\WdmApiTarget", FILE_OPEN_IF, &again, &iosb) == STATUS_SUCCESS);
    CHECK(r, ZwClose(again) == STATUS_SUCCESS);
    CHECK(r, WdmApiOpen(L"\\Device\\NoSuchWdmApiDevice", FILE_OPEN, &again, &iosb) ==
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(r, !NT_SUCCESS(WdmApiOpen(L"\\Device\\WdmApiTarget", FILE_CREATE, &again, &iosb)));
}

static void RunRegistryHandle(PWDMAPI_RESULT r)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Registry\\Machine\\WdmApiTest");
    UNICODE_STRING child = RTL_CONSTANT_STRING(L"Child");
    OBJECT_ATTRIBUTES attributes;
    HANDLE key = NULL, sub = NULL;
    PVOID object = NULL;
    InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL,
                               NULL);
    CHECK(r, ZwCreateKey(&key, KEY_ALL_ACCESS, &attributes, 0, NULL, REG_OPTION_VOLATILE, NULL) ==
                 STATUS_SUCCESS);
    InitializeObjectAttributes(&attributes, &child, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, key,
                               NULL);
    CHECK(r, ZwCreateKey(&sub, KEY_READ, &attributes, 0, NULL, REG_OPTION_VOLATILE, NULL) ==
                 STATUS_SUCCESS);
    /* A key is not a file. */
    CHECK(r, ObReferenceObjectByHandle(key, 0, *IoFileObjectType, KernelMode, &object, NULL) ==
                 STATUS_OBJECT_TYPE_MISMATCH);
    CHECK(r, object == NULL);
    CHECK(r, ZwClose(sub) == STATUS_SUCCESS);
    CHECK(r, ZwClose(key) == STATUS_SUCCESS);
    CHECK(r, ZwClose(key) == STATUS_INVALID_HANDLE);
    CHECK(r, ZwClose(NULL) == STATUS_INVALID_HANDLE);
}

static void RunLinks(PWDMAPI_RESULT r)
{
    UNICODE_STRING link = RTL_CONSTANT_STRING(L"\\DosDevices\\WdmApiSecond");
    UNICODE_STRING device = RTL_CONSTANT_STRING(L"\\Device\\WdmApiTarget");
    HANDLE file = NULL;
    IO_STATUS_BLOCK iosb;
    CHECK(r, IoCreateSymbolicLink(&link, &device) == STATUS_SUCCESS);
    CHECK(r, IoCreateSymbolicLink(&link, &device) == STATUS_OBJECT_NAME_COLLISION);
    /* \??\ names the same directory as \DosDevices\. */
    CHECK(r, WdmApiOpen(L"\\??\\WdmApiSecond", FILE_OPEN, &file, &iosb) == STATUS_SUCCESS);
    CHECK(r, ZwClose(file) == STATUS_SUCCESS);
    CHECK(r, IoDeleteSymbolicLink(&link) == STATUS_SUCCESS);
    CHECK(r, IoDeleteSymbolicLink(&link) == STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(r, WdmApiOpen(L"\\DosDevices\\WdmApiSecond", FILE_OPEN, &file, &iosb) ==
                 STATUS_OBJECT_NAME_NOT_FOUND);
}

static void RunCallbacks(PWDMAPI_RESULT r)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Callback\\WdmApiTest");
    UNICODE_STRING power = RTL_CONSTANT_STRING(L"\\Callback\\PowerState");
    OBJECT_ATTRIBUTES attributes;
    PCALLBACK_OBJECT object = NULL, same = NULL, single = NULL, system = NULL;
    WDMAPI_CALLS first = {0}, second = {0};
    PVOID one, two;

    InitializeObjectAttributes(&attributes, &name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    CHECK(r, ExCreateCallback(&object, &attributes, FALSE, TRUE) == STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(r, ExCreateCallback(&object, &attributes, TRUE, TRUE) == STATUS_SUCCESS);
    CHECK(r, ExCreateCallback(&same, &attributes, FALSE, TRUE) == STATUS_SUCCESS);
    CHECK(r, object != NULL && same == object);
    if (!object)
        return;
    one = ExRegisterCallback(object, WdmApiCallback, &first);
    two = ExRegisterCallback(object, WdmApiCallback, &second);
    CHECK(r, one != NULL && two != NULL);
    ExNotifyCallback(object, (PVOID)1, (PVOID)2);
    CHECK(r, first.Count == 1 && second.Count == 1);
    CHECK(r, first.Argument1 == (PVOID)1 && second.Argument2 == (PVOID)2);
    ExUnregisterCallback(one);
    ExNotifyCallback(object, (PVOID)3, NULL);
    CHECK(r, first.Count == 1 && second.Count == 2 && second.Argument1 == (PVOID)3);
    ExUnregisterCallback(two);
    ObDereferenceObject(same);
    ObDereferenceObject(object);
    /* The last reference gone, the name is free again. */
    CHECK(r, ExCreateCallback(&object, &attributes, FALSE, TRUE) == STATUS_OBJECT_NAME_NOT_FOUND);

    /* An unnamed object that takes one routine. */
    InitializeObjectAttributes(&attributes, NULL, 0, NULL, NULL);
    CHECK(r, ExCreateCallback(&single, &attributes, TRUE, FALSE) == STATUS_SUCCESS);
    if (single) {
        one = ExRegisterCallback(single, WdmApiCallback, &first);
        CHECK(r, one != NULL);
        CHECK(r, ExRegisterCallback(single, WdmApiCallback, &second) == NULL);
        ExUnregisterCallback(one);
        ObDereferenceObject(single);
    }

    /* A documented system callback object exists without being created. */
    InitializeObjectAttributes(&attributes, &power, OBJ_CASE_INSENSITIVE, NULL, NULL);
    CHECK(r, ExCreateCallback(&system, &attributes, FALSE, TRUE) == STATUS_SUCCESS);
    if (system) {
        one = ExRegisterCallback(system, WdmApiCallback, &first);
        CHECK(r, one != NULL);
        ExUnregisterCallback(one);
        ObDereferenceObject(system);
    }
}

static void RunThreadAndPrint(PWDMAPI_RESULT r)
{
    UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\Device\\WdmApiTarget");
    WCHAR wide[] = {'W', 'i', 'd', 'e', UNICODE_NULL};
    PKTHREAD thread = KeGetCurrentThread();
    ULONG flags = 0xDEADBEEF;
    LONG delta = -7;

    CHECK(r, thread != NULL && thread == KeGetCurrentThread());
    KeEnterCriticalRegion();
    KeEnterCriticalRegion();
    KeLeaveCriticalRegion();
    KeLeaveCriticalRegion();
    CHECK(r, thread == KeGetCurrentThread());
    CHECK(r, IsEqualGUIDAligned(&g_GuidA, &g_GuidA));
    CHECK(r, !IsEqualGUIDAligned(&g_GuidA, &g_GuidB));
    CHECK(r, wide[4] == UNICODE_NULL);
    /* WDK formats: %wZ, %ws, and 'l' as 32 bits (the script reads the log). */
    DbgPrint("wdmapi: name=%wZ ws=%ws lx=%lx LX=%08lX ld=%ld I64u=%I64u\n", &target, wide, flags,
             flags, delta, (ULONGLONG)1 << 40);
    WdmApiTrace(DPFLTR_ERROR_LEVEL, "wdmapi: vDbgPrintEx %lu %ws\n", flags, wide);
}

static NTSTATUS WdmApiDeviceControl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG outLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    Irp->IoStatus.Information = 0;
    if (DeviceObject == g_Target && code == IOCTL_WDMAPI_PING) {
        if (g_TargetDisconnected) {
            status = STATUS_DEVICE_NOT_CONNECTED;
        } else if (stack->Parameters.DeviceIoControl.InputBufferLength < sizeof(ULONG) ||
                   outLength < sizeof(ULONG)) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            (*(PULONG)Irp->AssociatedIrp.SystemBuffer)++;
            Irp->IoStatus.Information = sizeof(ULONG);
            status = STATUS_SUCCESS;
        }
    } else if (DeviceObject == g_Control && code == IOCTL_WDMAPI_RUN) {
        if (outLength < sizeof(WDMAPI_RESULT)) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            PWDMAPI_RESULT r = Irp->AssociatedIrp.SystemBuffer;
            RtlZeroMemory(r, sizeof(*r));
            RunFiles(r);
            RunRegistryHandle(r);
            RunLinks(r);
            RunCallbacks(r);
            RunThreadAndPrint(r);
            Irp->IoStatus.Information = sizeof(*r);
            status = STATUS_SUCCESS;
        }
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

static void WdmApiUnload(PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING control = RTL_CONSTANT_STRING(L"\\DosDevices\\WdmApiTest");
    UNICODE_STRING target = RTL_CONSTANT_STRING(L"\\DosDevices\\WdmApiTarget");
    UNREFERENCED_PARAMETER(DriverObject);
    IoDeleteSymbolicLink(&control);
    IoDeleteSymbolicLink(&target);
    if (g_Target)
        IoDeleteDevice(g_Target);
    if (g_Control)
        IoDeleteDevice(g_Control);
}

static NTSTATUS WdmApiCreate(PDRIVER_OBJECT DriverObject, PCWSTR Device, PCWSTR Link,
                             PDEVICE_OBJECT *Object)
{
    UNICODE_STRING device, link;
    NTSTATUS status;
    RtlInitUnicodeString(&device, Device);
    RtlInitUnicodeString(&link, Link);
    status = IoCreateDevice(DriverObject, 0, &device, FILE_DEVICE_UNKNOWN, 0, FALSE, Object);
    if (!NT_SUCCESS(status))
        return status;
    status = IoCreateSymbolicLink(&link, &device);
    if (!NT_SUCCESS(status)) {
        IoDeleteDevice(*Object);
        *Object = NULL;
        return status;
    }
    (*Object)->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NTSTATUS status;
    DbgPrint("wdmapi: DriverEntry %wZ\n", RegistryPath);
    DriverObject->DriverUnload = WdmApiUnload;
    DriverObject->MajorFunction[IRP_MJ_CREATE] = WdmApiCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLEANUP] = WdmApiCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = WdmApiCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = WdmApiDeviceControl;
    status = WdmApiCreate(DriverObject, L"\\Device\\WdmApiTarget", L"\\DosDevices\\WdmApiTarget",
                          &g_Target);
    if (!NT_SUCCESS(status))
        return status;
    status = WdmApiCreate(DriverObject, L"\\Device\\WdmApiTest", L"\\DosDevices\\WdmApiTest",
                          &g_Control);
    if (!NT_SUCCESS(status)) {
        WdmApiUnload(DriverObject);
        return status;
    }
    return STATUS_SUCCESS;
}

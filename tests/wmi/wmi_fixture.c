/* See wmi_fixture.h. */
#include "wmi_fixture.h"

#include <pthread.h>
#include <stdlib.h>

DRIVER_OBJECT fixture_driver;
bk_host_t *fixture_host;

/* The lowest driver's answer to a request nobody handled: its status as is. */
static NTSTATUS pass_down_or_complete(PDEVICE_OBJECT device, PIRP irp)
{
    test_ext_t *ext = device->DeviceExtension;
    if (ext->lower) {
        IoSkipCurrentIrpStackLocation(irp);
        return IoCallDriver(ext->lower, irp);
    }
    NTSTATUS status = irp->IoStatus.Status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

/* IRP_MJ_SYSTEM_CONTROL as the WDK samples write it. */
static NTSTATUS system_control(PDEVICE_OBJECT device, PIRP irp)
{
    test_ext_t *ext = device->DeviceExtension;
    ext->system_control_irps++;
    ext->last_minor = IoGetCurrentIrpStackLocation(irp)->MinorFunction;
    if (!ext->wmi)
        return pass_down_or_complete(device, irp);
    SYSCTL_IRP_DISPOSITION disposition = (SYSCTL_IRP_DISPOSITION)-1;
    NTSTATUS status = WmiSystemControl(ext->wmi, device, irp, &disposition);
    ext->disposition = disposition;
    switch (disposition) {
    case IrpProcessed:
        return status;
    case IrpNotCompleted:
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return status;
    case IrpForward:
    case IrpNotWmi:
        return pass_down_or_complete(device, irp);
    default:
        bk_test_fail(__FILE__, __LINE__, "WmiSystemControl left the disposition unset");
        irp->IoStatus.Status = STATUS_INTERNAL_ERROR;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_INTERNAL_ERROR;
    }
}

static NTSTATUS complete_unchanged(PDEVICE_OBJECT device, PIRP irp)
{
    UNREFERENCED_PARAMETER(device);
    NTSTATUS status = irp->IoStatus.Status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS create_close(PDEVICE_OBJECT device, PIRP irp)
{
    UNREFERENCED_PARAMETER(device);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

void fixture_start(int virtual_time)
{
    fixture_host = bk_host_create(&(bk_host_options_t){.virtual_time = virtual_time});
    memset(&fixture_driver, 0, sizeof fixture_driver);
    fixture_driver.Type = IO_TYPE_DRIVER;
    for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        fixture_driver.MajorFunction[i] = complete_unchanged;
    fixture_driver.MajorFunction[IRP_MJ_CREATE] = create_close;
    fixture_driver.MajorFunction[IRP_MJ_CLEANUP] = create_close;
    fixture_driver.MajorFunction[IRP_MJ_CLOSE] = create_close;
    fixture_driver.MajorFunction[IRP_MJ_SYSTEM_CONTROL] = system_control;
}

void fixture_stop(void)
{
    int problems = bk_host_destroy(fixture_host);
    CHECK_EQ(problems, 0);
    if (problems)
        printf("  %s\n", bk_host_last_report());
    fixture_host = NULL;
}

PDEVICE_OBJECT fixture_device(const WCHAR *name, PWMILIB_CONTEXT wmi, PDEVICE_OBJECT lower)
{
    UNICODE_STRING us;
    if (name)
        RtlInitUnicodeString(&us, name);
    PDEVICE_OBJECT dev = NULL;
    NTSTATUS s = IoCreateDevice(&fixture_driver, sizeof(test_ext_t), name ? &us : NULL,
                                FILE_DEVICE_UNKNOWN, 0, FALSE, &dev);
    if (!NT_SUCCESS(s))
        abort();
    test_ext_t *ext = dev->DeviceExtension;
    memset(ext, 0, sizeof *ext);
    ext->wmi = wmi;
    if (lower)
        ext->lower = IoAttachDeviceToDeviceStack(dev, lower);
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    return dev;
}

void fixture_delete(PDEVICE_OBJECT device)
{
    test_ext_t *ext = device->DeviceExtension;
    if (ext->lower)
        IoDetachDevice(ext->lower);
    IoDeleteDevice(device);
}

test_ext_t *fixture_ext(PDEVICE_OBJECT device)
{
    return device->DeviceExtension;
}

struct wait {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    bool done;
    NTSTATUS status;
    ULONG_PTR info;
};

static void finished(PIRP irp, void *context)
{
    struct wait *w = context;
    pthread_mutex_lock(&w->lock);
    w->status = irp->IoStatus.Status;
    w->info = irp->IoStatus.Information;
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->lock);
}

NTSTATUS fixture_send(PDEVICE_OBJECT device, UCHAR minor, ULONG_PTR provider, PVOID data_path,
                      PVOID buffer, ULONG size, ULONG_PTR *info)
{
    struct wait w = {.done = false};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cv, NULL);
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(device);
    PIRP irp = io_build_host_irp(top, IRP_MJ_SYSTEM_CONTROL, minor, finished, &w);
    if (!irp)
        abort();
    PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
    stack->Parameters.WMI.ProviderId = provider;
    stack->Parameters.WMI.DataPath = data_path;
    stack->Parameters.WMI.BufferSize = size;
    stack->Parameters.WMI.Buffer = buffer;
    IoCallDriver(top, irp);
    pthread_mutex_lock(&w.lock);
    while (!w.done)
        pthread_cond_wait(&w.cv, &w.lock);
    pthread_mutex_unlock(&w.lock);
    ObDereferenceObject(top);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.lock);
    if (info)
        *info = w.info;
    return w.status;
}

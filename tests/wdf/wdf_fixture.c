/* The framework tests' fixture (wdf_fixture.h). */
#include <initguid.h>
#include "wdf_fixture.h"

#include <dlfcn.h>
#include <string.h>

int wt_start(wt_t *t)
{
    memset(t, 0, sizeof(*t));
    t->host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (t->host == NULL) {
        bk_test_fail(__FILE__, __LINE__, "no host");
        return -1;
    }
    bk_status_t s =
        bk_host_add_root_device(t->host, WDFTEST_HWID, "wdftest", NULL, WDFTEST_SO, &t->device);
    if (s != STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "wdftest did not start: 0x%08x", (unsigned)s);
        return -1;
    }
    t->so = dlopen(WDFTEST_SO, RTLD_NOW | RTLD_NOLOAD);
    NTSTATUS (*hooks)
    (wdftest_hooks_t *) =
        t->so ? (NTSTATUS(*)(wdftest_hooks_t *))dlsym(t->so, WDFTEST_HOOKS_EXPORT) : NULL;
    if (hooks == NULL || hooks(&t->hooks) != STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "no hooks in %s", WDFTEST_SO);
        return -1;
    }
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(t->host, &GUID_DEVINTERFACE_WDFTEST, &paths);
    if (n != 1 || bk_host_open(t->host, paths[0], BK_ACCESS_READ | BK_ACCESS_WRITE, &t->handle) !=
                      STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "interface: %zu enabled", n);
        bk_host_free_list(paths, n);
        return -1;
    }
    bk_host_free_list(paths, n);
    return 0;
}

void wt_stop(wt_t *t)
{
    if (t->handle)
        bk_close(t->handle);
    if (t->host && bk_host_destroy(t->host) != 0)
        bk_test_fail(__FILE__, __LINE__, "host destroyed with pool left: %s",
                     bk_host_last_report());
    if (t->so)
        dlclose(t->so);
    memset(t, 0, sizeof(*t));
}

static NTSTATUS pnp_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject, (void)Irp;
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS wt_send_pnp(wt_t *t, UCHAR minor)
{
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(bk_device_pdo(t->device));
    PIRP irp = IoAllocateIrp(top->StackSize, FALSE);
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED; /* docs: how a PnP IRP starts */
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_PNP;
    next->MinorFunction = minor;
    IoSetCompletionRoutine(irp, pnp_done, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(top, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = irp->IoStatus.Status;
    IoFreeIrp(irp);
    ObDereferenceObject(top);
    return status;
}

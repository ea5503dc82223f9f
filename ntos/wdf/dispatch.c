/* IRP routing for framework devices: the driver's WDM preprocess callback
 * first (for the majors and minors it asked for), then the framework: PnP
 * and power to pnp.c, creates and closes completed, WMI passed down, every
 * other request to the queue configured for its type.
 *
 * Threads and IRQL: the dispatch runs on the thread that sent the IRP, at
 * its IRQL (PASSIVE_LEVEL for every IRP battkit's managers send); the
 * preprocess callback and a queue's first delivery run there too. */
#include "wdf_internal.h"

static NTSTATUS complete_irp(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static bool minor_listed(const wdf_preprocess_t *p, UCHAR minor)
{
    if (p->nminors == 0)
        return true;
    for (ULONG i = 0; i < p->nminors; i++)
        if (p->minors[i] == minor)
            return true;
    return false;
}

static NTSTATUS forward(wdf_device_t *d, PIRP irp)
{
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(d->lower, irp);
}

/* The framework's own handling, after any preprocessing. The remove lock
 * is held by wdf_dispatch. */
static NTSTATUS framework_dispatch(wdf_device_t *d, PIRP irp)
{
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(irp);
    UCHAR major = s->MajorFunction;
    switch (major) {
    case IRP_MJ_PNP:
        return wdf_pnp_dispatch(d, irp);
    case IRP_MJ_POWER:
        return wdf_power_dispatch(d, irp);
    case IRP_MJ_SYSTEM_CONTROL:
        /* The framework has no WMI provider of its own: pass WMI down. */
        return forward(d, irp);
    default:
        break;
    }
    wdf_queue_t *q = d->dispatch[major] ? d->dispatch[major] : NULL;
    bool queued_type = major == IRP_MJ_READ || major == IRP_MJ_WRITE ||
                       major == IRP_MJ_DEVICE_CONTROL || major == IRP_MJ_INTERNAL_DEVICE_CONTROL;
    if (q == NULL && queued_type)
        q = d->default_queue;
    if (q != NULL)
        return wdf_queue_present_irp(q, irp);
    if (d->filter)
        return forward(d, irp);
    switch (major) {
    case IRP_MJ_CREATE:
        /* docs: with no EvtDeviceFileCreate the framework opens the file. */
        return complete_irp(irp, d->state == WDF_DEV_SURPRISE_REMOVED || d->state == WDF_DEV_REMOVED
                                     ? STATUS_DELETE_PENDING
                                     : STATUS_SUCCESS);
    case IRP_MJ_CLEANUP:
    case IRP_MJ_CLOSE:
        return complete_irp(irp, STATUS_SUCCESS);
    default:
        /* docs: a function driver with no queue for the type fails it. */
        return complete_irp(irp, STATUS_INVALID_DEVICE_REQUEST);
    }
}

/* Every IRP sent to a framework driver's devices. */
NTSTATUS wdf_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    wdf_device_t *d = wdf_device_of(DeviceObject);
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(Irp);
    if (d == NULL) {
        if (s->MajorFunction == IRP_MJ_POWER)
            PoStartNextPowerIrp(Irp);
        return complete_irp(Irp, STATUS_INVALID_DEVICE_REQUEST);
    }
    NTSTATUS status = IoAcquireRemoveLock(&d->remove_lock, Irp);
    if (!NT_SUCCESS(status)) {
        if (s->MajorFunction == IRP_MJ_POWER)
            PoStartNextPowerIrp(Irp);
        return complete_irp(Irp, status);
    }
    /* IRP_MN_REMOVE_DEVICE releases the lock itself and waits for the
     * others; the stack location is gone once the IRP has been passed on. */
    bool is_remove = s->MajorFunction == IRP_MJ_PNP && s->MinorFunction == IRP_MN_REMOVE_DEVICE;
    const wdf_preprocess_t *p = &d->preprocess[s->MajorFunction];
    if (p->fn != NULL && minor_listed(p, s->MinorFunction))
        status = p->fn((WDFDEVICE)d, Irp);
    else
        status = framework_dispatch(d, Irp);
    if (!is_remove)
        IoReleaseRemoveLock(&d->remove_lock, Irp);
    return status;
}

/* docs: the preprocess callback calls IoSkipCurrentIrpStackLocation and
 * then this routine, which puts the stack location back and processes the
 * IRP as if there had been no preprocessing. */
NTSTATUS WdfDeviceWdmDispatchPreprocessedIrp(WDFDEVICE Device, PIRP Irp)
{
    wdf_device_t *d = (wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE);
    IoSetNextIrpStackLocation(Irp);
    return framework_dispatch(d, Irp);
}

/* Framework request objects: one per IRP the framework puts on a queue.
 * Parameters and buffers come from the IRP's stack location; completion
 * completes the IRP once and deletes the object; a request the driver
 * marks cancelable gets its EvtRequestCancel at most once.
 *
 * IRQL: every routine here <= DISPATCH_LEVEL; EvtRequestCancel runs on the
 * thread that cancelled the IRP (IoCancelIrp), at its IRQL, once the cancel
 * spin lock is released. */
#include "wdf_internal.h"

#include <stdio.h>

NTSTATUS wdf_request_create(wdf_device_t *d, PIRP irp, wdf_request_t **out)
{
    wdf_object_t *o;
    WDF_OBJECT_ATTRIBUTES attributes;
    if (d->have_request_attributes) {
        attributes = d->request_attributes;
        attributes.ParentObject = NULL;
    }
    NTSTATUS status = wdf_object_create(WDF_KIND_REQUEST, sizeof(wdf_request_t),
                                        d->have_request_attributes ? &attributes : NULL, NULL,
                                        d->driver->tag, d->driver->code, &o);
    if (!NT_SUCCESS(status))
        return status;
    wdf_request_t *r = (wdf_request_t *)o;
    r->irp = irp;
    r->device = d;
    InitializeListHead(&r->link);
    irp->Tail.Overlay.DriverContext[0] = r;
    *out = r;
    return STATUS_SUCCESS;
}

static wdf_request_t *request_of(WDFREQUEST handle)
{
    return (wdf_request_t *)wdf_object_from_handle(handle, WDF_KIND_REQUEST);
}

void wdf_request_complete(wdf_request_t *r, NTSTATUS status, ULONG_PTR information,
                          bool set_information)
{
    PIRP irp = r->irp;
    if (__atomic_exchange_n(&r->completed, 1, __ATOMIC_ACQ_REL) != 0) {
        fprintf(stderr, "wdf: request %p completed twice\n", (void *)r);
        KeBugCheckEx(0x10D /* WDF_VIOLATION */, 0x6, (ULONG_PTR)r, 0, 0);
    }
    if (r->cancel != NULL) {
        IoSetCancelRoutine(irp, NULL);
        r->cancel = NULL;
    }
    wdf_queue_t *q = r->queue;
    bool owned = r->driver_owned;
    r->driver_owned = false;
    irp->IoStatus.Status = status;
    if (set_information)
        irp->IoStatus.Information = information;
    irp->Tail.Overlay.DriverContext[0] = NULL;
    r->irp = NULL;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    wdf_object_delete(&r->object);
    if (q != NULL) {
        if (owned)
            wdf_queue_request_done(q);
        wdf_object_dereference(&q->object);
    }
}

void WdfRequestComplete(WDFREQUEST Request, NTSTATUS Status)
{
    wdf_request_t *r = request_of(Request);
    wdf_request_complete(r, Status, 0, false);
}

void WdfRequestCompleteWithInformation(WDFREQUEST Request, NTSTATUS Status, ULONG_PTR Information)
{
    wdf_request_complete(request_of(Request), Status, Information, true);
}

void WdfRequestSetInformation(WDFREQUEST Request, ULONG_PTR Information)
{
    request_of(Request)->irp->IoStatus.Information = Information;
}

ULONG_PTR WdfRequestGetInformation(WDFREQUEST Request)
{
    return request_of(Request)->irp->IoStatus.Information;
}

NTSTATUS WdfRequestGetStatus(WDFREQUEST Request)
{
    return request_of(Request)->irp->IoStatus.Status;
}

void WdfRequestGetParameters(WDFREQUEST Request, PWDF_REQUEST_PARAMETERS Parameters)
{
    wdf_request_t *r = request_of(Request);
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(r->irp);
    RtlZeroMemory(Parameters, sizeof(*Parameters));
    Parameters->Size = sizeof(*Parameters);
    Parameters->MinorFunction = s->MinorFunction;
    Parameters->Type = (WDF_REQUEST_TYPE)s->MajorFunction;
    switch (s->MajorFunction) {
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL:
        Parameters->Parameters.DeviceIoControl.OutputBufferLength =
            s->Parameters.DeviceIoControl.OutputBufferLength;
        Parameters->Parameters.DeviceIoControl.InputBufferLength =
            s->Parameters.DeviceIoControl.InputBufferLength;
        Parameters->Parameters.DeviceIoControl.IoControlCode =
            s->Parameters.DeviceIoControl.IoControlCode;
        Parameters->Parameters.DeviceIoControl.Type3InputBuffer =
            s->Parameters.DeviceIoControl.Type3InputBuffer;
        break;
    case IRP_MJ_READ:
        Parameters->Parameters.Read.Length = s->Parameters.Read.Length;
        Parameters->Parameters.Read.Key = s->Parameters.Read.Key;
        Parameters->Parameters.Read.DeviceOffset = s->Parameters.Read.ByteOffset.QuadPart;
        break;
    case IRP_MJ_WRITE:
        Parameters->Parameters.Write.Length = s->Parameters.Write.Length;
        Parameters->Parameters.Write.Key = s->Parameters.Write.Key;
        Parameters->Parameters.Write.DeviceOffset = s->Parameters.Write.ByteOffset.QuadPart;
        break;
    default:
        break;
    }
}

/* The buffer and length of one direction of the request. battkit has no
 * MDLs: the direct methods carry their buffers as METHOD_NEITHER does. */
static void request_buffer(wdf_request_t *r, bool output, PVOID *buffer, size_t *length)
{
    PIRP irp = r->irp;
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(irp);
    switch (s->MajorFunction) {
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL: {
        ULONG method = METHOD_FROM_CTL_CODE(s->Parameters.DeviceIoControl.IoControlCode);
        if (output) {
            *length = s->Parameters.DeviceIoControl.OutputBufferLength;
            *buffer = method == METHOD_BUFFERED ? irp->AssociatedIrp.SystemBuffer : irp->UserBuffer;
        } else {
            *length = s->Parameters.DeviceIoControl.InputBufferLength;
            *buffer = method == METHOD_NEITHER ? s->Parameters.DeviceIoControl.Type3InputBuffer
                                               : irp->AssociatedIrp.SystemBuffer;
        }
        return;
    }
    case IRP_MJ_READ:
        *length = output ? s->Parameters.Read.Length : 0;
        break;
    case IRP_MJ_WRITE:
        *length = output ? 0 : s->Parameters.Write.Length;
        break;
    default:
        *length = 0;
        break;
    }
    *buffer = irp->AssociatedIrp.SystemBuffer ? irp->AssociatedIrp.SystemBuffer : irp->UserBuffer;
}

static NTSTATUS retrieve(WDFREQUEST Request, bool output, size_t MinimumRequiredSize, PVOID *Buffer,
                         size_t *Length)
{
    wdf_request_t *r = request_of(Request);
    PVOID buffer;
    size_t length;
    request_buffer(r, output, &buffer, &length);
    *Buffer = NULL;
    if (Length)
        *Length = 0;
    /* docs: STATUS_BUFFER_TOO_SMALL for an empty buffer or one shorter than
     * MinimumRequiredSize. */
    if (length == 0 || buffer == NULL || length < MinimumRequiredSize)
        return STATUS_BUFFER_TOO_SMALL;
    *Buffer = buffer;
    if (Length)
        *Length = length;
    return STATUS_SUCCESS;
}

NTSTATUS WdfRequestRetrieveInputBuffer(WDFREQUEST Request, size_t MinimumRequiredSize,
                                       PVOID *Buffer, size_t *Length)
{
    return retrieve(Request, false, MinimumRequiredSize, Buffer, Length);
}

NTSTATUS WdfRequestRetrieveOutputBuffer(WDFREQUEST Request, size_t MinimumRequiredSize,
                                        PVOID *Buffer, size_t *Length)
{
    return retrieve(Request, true, MinimumRequiredSize, Buffer, Length);
}

PIRP WdfRequestWdmGetIrp(WDFREQUEST Request)
{
    return request_of(Request)->irp;
}

WDFQUEUE WdfRequestGetIoQueue(WDFREQUEST Request)
{
    return (WDFQUEUE)request_of(Request)->queue;
}

KPROCESSOR_MODE WdfRequestGetRequestorMode(WDFREQUEST Request)
{
    return request_of(Request)->irp->RequestorMode;
}

/* IoCancelIrp's routine for a request the driver marked cancelable. */
static void cancel_marked(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    (void)DeviceObject;
    IoReleaseCancelSpinLock(Irp->CancelIrql);
    wdf_request_t *r = Irp->Tail.Overlay.DriverContext[0];
    PFN_WDF_REQUEST_CANCEL fn = r->cancel;
    r->cancel = NULL;
    /* docs: called once; the driver completes the request from it (or
     * later, once it has let go of it). */
    if (fn != NULL && __atomic_exchange_n(&r->cancel_called, 1, __ATOMIC_ACQ_REL) == 0)
        fn((WDFREQUEST)r);
}

NTSTATUS WdfRequestMarkCancelableEx(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel)
{
    wdf_request_t *r = request_of(Request);
    if (EvtRequestCancel == NULL || !r->driver_owned)
        return STATUS_INVALID_PARAMETER;
    r->cancel = EvtRequestCancel;
    IoSetCancelRoutine(r->irp, cancel_marked);
    /* docs: already cancelled: STATUS_CANCELLED, the callback is not
     * called, and the driver completes the request itself. */
    if (r->irp->Cancel && IoSetCancelRoutine(r->irp, NULL) != NULL) {
        r->cancel = NULL;
        return STATUS_CANCELLED;
    }
    return STATUS_SUCCESS;
}

/* docs: if the request is already cancelled, the framework calls
 * EvtRequestCancel itself (the Ex form returns STATUS_CANCELLED instead). */
void WdfRequestMarkCancelable(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel)
{
    wdf_request_t *r = request_of(Request);
    if (WdfRequestMarkCancelableEx(Request, EvtRequestCancel) == STATUS_CANCELLED &&
        __atomic_exchange_n(&r->cancel_called, 1, __ATOMIC_ACQ_REL) == 0)
        EvtRequestCancel(Request);
}

NTSTATUS WdfRequestUnmarkCancelable(WDFREQUEST Request)
{
    wdf_request_t *r = request_of(Request);
    if (IoSetCancelRoutine(r->irp, NULL) == NULL) {
        /* The cancel routine took it: EvtRequestCancel completes it. */
        return r->cancel_called || r->irp->Cancel ? STATUS_CANCELLED
                                                  : STATUS_INVALID_DEVICE_REQUEST;
    }
    r->cancel = NULL;
    return STATUS_SUCCESS;
}

BOOLEAN WdfRequestIsCanceled(WDFREQUEST Request)
{
    return request_of(Request)->irp->Cancel;
}

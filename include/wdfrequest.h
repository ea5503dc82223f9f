/* wdfrequest.h: framework request objects: parameters, buffers,
 * completion, cancellation, and the IRP underneath. */
#ifndef BATTKIT_WDFREQUEST_H
#define BATTKIT_WDFREQUEST_H

#include <wdfio.h>

WDF_EXTERN_C_START

typedef struct _WDF_REQUEST_PARAMETERS {
    USHORT Size;
    UCHAR MinorFunction;
    WDF_REQUEST_TYPE Type;
    union {
        struct {
            PVOID SecurityContext; /* PIO_SECURITY_CONTEXT */
            ULONG Options;
            USHORT POINTER_ALIGNMENT FileAttributes;
            USHORT ShareAccess;
            ULONG POINTER_ALIGNMENT EaLength;
        } Create;
        struct {
            size_t Length;
            ULONG POINTER_ALIGNMENT Key;
            LONGLONG DeviceOffset;
        } Read;
        struct {
            size_t Length;
            ULONG POINTER_ALIGNMENT Key;
            LONGLONG DeviceOffset;
        } Write;
        struct {
            size_t OutputBufferLength;
            size_t POINTER_ALIGNMENT InputBufferLength;
            ULONG POINTER_ALIGNMENT IoControlCode;
            PVOID Type3InputBuffer;
        } DeviceIoControl;
        struct {
            PVOID Arg1;
            PVOID Arg2;
            ULONG POINTER_ALIGNMENT IoControlCode;
            PVOID Arg4;
        } Others;
    } Parameters;
} WDF_REQUEST_PARAMETERS, *PWDF_REQUEST_PARAMETERS;

FORCEINLINE void WDF_REQUEST_PARAMETERS_INIT(PWDF_REQUEST_PARAMETERS Parameters)
{
    RtlZeroMemory(Parameters, sizeof(WDF_REQUEST_PARAMETERS));
    Parameters->Size = sizeof(WDF_REQUEST_PARAMETERS);
}

typedef void EVT_WDF_REQUEST_CANCEL(WDFREQUEST Request);
typedef EVT_WDF_REQUEST_CANCEL *PFN_WDF_REQUEST_CANCEL;

/* <= DISPATCH_LEVEL. Completing ends the request: the handle is invalid
 * afterwards. A request is completed exactly once. */
WDFAPI void WdfRequestComplete(WDFREQUEST Request, NTSTATUS Status);
WDFAPI void WdfRequestCompleteWithInformation(WDFREQUEST Request, NTSTATUS Status,
                                              ULONG_PTR Information);
WDFAPI void WdfRequestSetInformation(WDFREQUEST Request, ULONG_PTR Information);
WDFAPI ULONG_PTR WdfRequestGetInformation(WDFREQUEST Request);
WDFAPI NTSTATUS WdfRequestGetStatus(WDFREQUEST Request);
WDFAPI void WdfRequestGetParameters(WDFREQUEST Request, PWDF_REQUEST_PARAMETERS Parameters);
/* STATUS_BUFFER_TOO_SMALL when the buffer is empty or shorter than
 * MinimumRequiredSize; Length may be NULL. */
WDFAPI NTSTATUS WdfRequestRetrieveInputBuffer(WDFREQUEST Request, size_t MinimumRequiredSize,
                                              PVOID *Buffer, size_t *Length);
WDFAPI NTSTATUS WdfRequestRetrieveOutputBuffer(WDFREQUEST Request, size_t MinimumRequiredSize,
                                               PVOID *Buffer, size_t *Length);
WDFAPI PIRP WdfRequestWdmGetIrp(WDFREQUEST Request);
WDFAPI WDFQUEUE WdfRequestGetIoQueue(WDFREQUEST Request);
WDFAPI KPROCESSOR_MODE WdfRequestGetRequestorMode(WDFREQUEST Request);
/* STATUS_CANCELLED when the request was already cancelled: the driver must
 * then complete it itself (docs). EvtRequestCancel runs at most once. */
WDFAPI NTSTATUS WdfRequestMarkCancelableEx(WDFREQUEST Request,
                                           PFN_WDF_REQUEST_CANCEL EvtRequestCancel);
WDFAPI void WdfRequestMarkCancelable(WDFREQUEST Request, PFN_WDF_REQUEST_CANCEL EvtRequestCancel);
/* STATUS_CANCELLED when the cancel routine has been (or is being) called:
 * the driver must not complete the request then, the cancel routine does. */
WDFAPI NTSTATUS WdfRequestUnmarkCancelable(WDFREQUEST Request);
WDFAPI BOOLEAN WdfRequestIsCanceled(WDFREQUEST Request);
WDFAPI NTSTATUS WdfRequestForwardToIoQueue(WDFREQUEST Request, WDFQUEUE DestinationQueue);

WDF_EXTERN_C_END
#endif

/* IoCallDriver and IoCompleteRequest: moving an IRP down and back up its
 * stack, running completion routines in reverse order of the drivers that
 * set them, stopping at STATUS_MORE_PROCESSING_REQUIRED. */
#include "../private.h"

#include <battkit/host.h>
#include <stdatomic.h>
#include <stdio.h>

void io_finish_irp(PIRP irp);

/* Every IoCallDriver, each driver's hop counted: what a test counts to
 * show an operation sends no more IRPs than it should. */
static _Atomic uint64_t calls;

uint64_t bk_host_io_call_count(void)
{
    return calls;
}

NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    atomic_fetch_add_explicit(&calls, 1, memory_order_relaxed);
    if (Irp->Type != IO_TYPE_IRP)
        KeBugCheckEx(0x44, (ULONG_PTR)Irp, 0x2, 0, 0);
    Irp->CurrentLocation--;
    if (Irp->CurrentLocation <= 0)
        KeBugCheckEx(0x35 /* NO_MORE_IRP_STACK_LOCATIONS */, (ULONG_PTR)Irp, 0, 0, 0);
    Irp->Tail.Overlay.CurrentStackLocation--;
    PIO_STACK_LOCATION stack = Irp->Tail.Overlay.CurrentStackLocation;
    stack->DeviceObject = DeviceObject;
    PDRIVER_DISPATCH dispatch = DeviceObject->DriverObject->MajorFunction[stack->MajorFunction];
    KIRQL irql = ke_current_irql;
    NTSTATUS status = dispatch(DeviceObject, Irp);
    if (ke_current_irql != irql) {
        fprintf(stderr,
                "IRQL_GT_ZERO_AT_SYSTEM_SERVICE-like: dispatch of major 0x%x returned at "
                "IRQL %u, entered at %u\n",
                stack->MajorFunction, KeGetCurrentIrql(), irql);
        KeBugCheckEx(0x4A, (ULONG_PTR)dispatch, irql, KeGetCurrentIrql(), 0);
    }
    return status;
}

void FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    UNREFERENCED_PARAMETER(PriorityBoost);
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    if (Irp->Type != IO_TYPE_IRP || Irp->CurrentLocation > Irp->StackCount + 1 ||
        Irp->IoStatus.Status == STATUS_PENDING) {
        fprintf(stderr, "MULTIPLE_IRP_COMPLETE_REQUESTS: IRP %p (status 0x%08x)\n", (void *)Irp,
                (unsigned)Irp->IoStatus.Status);
        KeBugCheckEx(0x44, (ULONG_PTR)Irp, 0, 0, 0);
    }
    if (Irp->CancelRoutine) {
        fprintf(stderr, "IRP %p completed with a cancel routine still set\n", (void *)Irp);
        KeBugCheckEx(0x44, (ULONG_PTR)Irp, 0x3, 0, 0);
    }
    /* Walk up from the current location. The completion routine stored in a
     * location belongs to the driver one above, and receives that driver's
     * device object (NULL when the IRP's creator has no stack location). */
    while (Irp->CurrentLocation <= Irp->StackCount) {
        PIO_STACK_LOCATION stack = Irp->Tail.Overlay.CurrentStackLocation;
        Irp->PendingReturned = (stack->Control & SL_PENDING_RETURNED) != 0;
        PIO_COMPLETION_ROUTINE routine = stack->CompletionRoutine;
        PVOID context = stack->Context;
        UCHAR control = stack->Control;
        NTSTATUS status = Irp->IoStatus.Status;
        stack->CompletionRoutine = NULL;
        stack->Context = NULL;
        stack->Control = 0;
        Irp->CurrentLocation++;
        Irp->Tail.Overlay.CurrentStackLocation++;
        PDEVICE_OBJECT upper = Irp->CurrentLocation <= Irp->StackCount
                                   ? Irp->Tail.Overlay.CurrentStackLocation->DeviceObject
                                   : NULL;
        bool invoke = routine && ((NT_SUCCESS(status) && (control & SL_INVOKE_ON_SUCCESS)) ||
                                  (!NT_SUCCESS(status) && (control & SL_INVOKE_ON_ERROR)) ||
                                  (Irp->Cancel && (control & SL_INVOKE_ON_CANCEL)));
        if (invoke) {
            if (routine(upper, Irp, context) == STATUS_MORE_PROCESSING_REQUIRED)
                return;
        } else if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount) {
            /* docs: without a completion routine the pending flag propagates up. */
            IoMarkIrpPending(Irp);
        }
    }
    io_finish_irp(Irp);
}

BOOLEAN NTAPI IoIsWdmVersionAvailable(UCHAR MajorVersion, UCHAR MinorVersion)
{
    /* battkit offers the WDM of Windows 10 (6.0x in WDM numbering: 0x06/0x00). */
    return MajorVersion < 6 || (MajorVersion == 6 && MinorVersion <= 0x30);
}

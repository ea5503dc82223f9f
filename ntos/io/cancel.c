/* IRP cancellation: the global cancel spin lock and IoCancelIrp. The cancel
 * routine is taken with an atomic exchange, so it runs at most once even
 * when cancellation races completion. */
#include "../private.h"

static KSPIN_LOCK cancel_lock;

void NTAPI IoAcquireCancelSpinLock(PKIRQL Irql)
{
    *Irql = KeAcquireSpinLockRaiseToDpc(&cancel_lock);
}

void NTAPI IoReleaseCancelSpinLock(KIRQL Irql)
{
    KeReleaseSpinLock(&cancel_lock, Irql);
}

BOOLEAN NTAPI IoCancelIrp(PIRP Irp)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    KIRQL irql;
    IoAcquireCancelSpinLock(&irql);
    Irp->Cancel = TRUE;
    PDRIVER_CANCEL routine = IoSetCancelRoutine(Irp, NULL);
    if (!routine) {
        IoReleaseCancelSpinLock(irql);
        return FALSE;
    }
    Irp->CancelIrql = irql;
    /* docs: the cancel routine is called holding the cancel spin lock and
     * must release it with IoReleaseCancelSpinLock(Irp->CancelIrql). */
    routine(Irp->Tail.Overlay.CurrentStackLocation->DeviceObject, Irp);
    return TRUE;
}

/* Framework wait locks (a synchronization event: PASSIVE_LEVEL, may time
 * out) and spin locks (a KSPIN_LOCK: raise to DISPATCH_LEVEL). Both are
 * objects whose default parent is the calling driver. */
#include "wdf_internal.h"

typedef struct wdf_waitlock {
    wdf_object_t object;
    KEVENT event; /* signalled = free */
} wdf_waitlock_t;

typedef struct wdf_spinlock {
    wdf_object_t object;
    KSPIN_LOCK lock;
    KIRQL old_irql;
} wdf_spinlock_t;

static NTSTATUS create(wdf_kind_t kind, size_t size, PWDF_OBJECT_ATTRIBUTES attributes,
                       const void *caller, wdf_object_t **out)
{
    wdf_driver_t *d = wdf_driver_of_code(caller);
    return wdf_object_create(kind, size, attributes, d ? &d->object : NULL,
                             d ? d->tag : WDF_DEFAULT_POOL_TAG, caller, out);
}

NTSTATUS WdfWaitLockCreate(PWDF_OBJECT_ATTRIBUTES LockAttributes, WDFWAITLOCK *Lock)
{
    wdf_object_t *o;
    *Lock = NULL;
    NTSTATUS status = create(WDF_KIND_WAITLOCK, sizeof(wdf_waitlock_t), LockAttributes,
                             __builtin_return_address(0), &o);
    if (!NT_SUCCESS(status))
        return status;
    KeInitializeEvent(&((wdf_waitlock_t *)o)->event, SynchronizationEvent, TRUE);
    *Lock = (WDFWAITLOCK)o;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL, or any IRQL <= DISPATCH_LEVEL with a zero timeout. */
NTSTATUS WdfWaitLockAcquire(WDFWAITLOCK Lock, PLONGLONG Timeout)
{
    wdf_waitlock_t *l = (wdf_waitlock_t *)wdf_object_from_handle(Lock, WDF_KIND_WAITLOCK);
    if (Timeout == NULL || *Timeout != 0)
        KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    LARGE_INTEGER t;
    if (Timeout != NULL)
        t.QuadPart = *Timeout;
    NTSTATUS status =
        KeWaitForSingleObject(&l->event, Executive, KernelMode, FALSE, Timeout != NULL ? &t : NULL);
    return status == STATUS_TIMEOUT ? STATUS_TIMEOUT : STATUS_SUCCESS;
}

void WdfWaitLockRelease(WDFWAITLOCK Lock)
{
    wdf_waitlock_t *l = (wdf_waitlock_t *)wdf_object_from_handle(Lock, WDF_KIND_WAITLOCK);
    KeSetEvent(&l->event, IO_NO_INCREMENT, FALSE);
}

NTSTATUS WdfSpinLockCreate(PWDF_OBJECT_ATTRIBUTES SpinLockAttributes, WDFSPINLOCK *SpinLock)
{
    wdf_object_t *o;
    *SpinLock = NULL;
    NTSTATUS status = create(WDF_KIND_SPINLOCK, sizeof(wdf_spinlock_t), SpinLockAttributes,
                             __builtin_return_address(0), &o);
    if (!NT_SUCCESS(status))
        return status;
    KeInitializeSpinLock(&((wdf_spinlock_t *)o)->lock);
    *SpinLock = (WDFSPINLOCK)o;
    return STATUS_SUCCESS;
}

/* <= DISPATCH_LEVEL; returns at DISPATCH_LEVEL. */
void WdfSpinLockAcquire(WDFSPINLOCK SpinLock)
{
    wdf_spinlock_t *l = (wdf_spinlock_t *)wdf_object_from_handle(SpinLock, WDF_KIND_SPINLOCK);
    KIRQL old;
    KeAcquireSpinLock(&l->lock, &old);
    l->old_irql = old;
}

void WdfSpinLockRelease(WDFSPINLOCK SpinLock)
{
    wdf_spinlock_t *l = (wdf_spinlock_t *)wdf_object_from_handle(SpinLock, WDF_KIND_SPINLOCK);
    KeReleaseSpinLock(&l->lock, l->old_irql);
}

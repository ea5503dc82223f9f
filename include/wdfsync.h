/* wdfsync.h: wait locks (PASSIVE_LEVEL, may time out) and spin locks
 * (raise to DISPATCH_LEVEL). */
#ifndef BATTKIT_WDFSYNC_H
#define BATTKIT_WDFSYNC_H

#include <wdfobject.h>

WDF_EXTERN_C_START

WDFAPI NTSTATUS WdfWaitLockCreate(PWDF_OBJECT_ATTRIBUTES LockAttributes, WDFWAITLOCK *Lock);
/* Timeout NULL: wait forever (returns STATUS_SUCCESS). 0: try once
 * (STATUS_TIMEOUT if held). Otherwise 100 ns units, negative = relative. */
WDFAPI NTSTATUS WdfWaitLockAcquire(WDFWAITLOCK Lock, PLONGLONG Timeout);
WDFAPI void WdfWaitLockRelease(WDFWAITLOCK Lock);

WDFAPI NTSTATUS WdfSpinLockCreate(PWDF_OBJECT_ATTRIBUTES SpinLockAttributes, WDFSPINLOCK *SpinLock);
WDFAPI void WdfSpinLockAcquire(WDFSPINLOCK SpinLock);
WDFAPI void WdfSpinLockRelease(WDFSPINLOCK SpinLock);

WDF_EXTERN_C_END
#endif

/* Remove locks: a count of I/O in flight that IRP_MN_REMOVE_DEVICE drains
 * before the device goes away. The count starts at 1 (the device's own). */
#include "../private.h"

void NTAPI IoInitializeRemoveLockEx(PIO_REMOVE_LOCK Lock, ULONG AllocateTag, ULONG MaxLockedMinutes,
                                    ULONG HighWatermark, ULONG RemlockSize)
{
    UNREFERENCED_PARAMETER(MaxLockedMinutes);
    UNREFERENCED_PARAMETER(HighWatermark);
    UNREFERENCED_PARAMETER(RemlockSize);
    Lock->Removed = FALSE;
    Lock->IoCount = 1;
    Lock->AllocateTag = AllocateTag;
    KeInitializeEvent(&Lock->RemoveEvent, SynchronizationEvent, FALSE);
}

NTSTATUS NTAPI IoAcquireRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, PCSTR File, ULONG Line,
                                     ULONG RemlockSize)
{
    UNREFERENCED_PARAMETER(Tag);
    UNREFERENCED_PARAMETER(File);
    UNREFERENCED_PARAMETER(Line);
    UNREFERENCED_PARAMETER(RemlockSize);
    __atomic_add_fetch(&RemoveLock->IoCount, 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&RemoveLock->Removed, __ATOMIC_SEQ_CST)) {
        if (__atomic_sub_fetch(&RemoveLock->IoCount, 1, __ATOMIC_SEQ_CST) == 0)
            KeSetEvent(&RemoveLock->RemoveEvent, IO_NO_INCREMENT, FALSE);
        return STATUS_DELETE_PENDING;
    }
    return STATUS_SUCCESS;
}

void NTAPI IoReleaseRemoveLockEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize)
{
    UNREFERENCED_PARAMETER(Tag);
    UNREFERENCED_PARAMETER(RemlockSize);
    LONG left = __atomic_sub_fetch(&RemoveLock->IoCount, 1, __ATOMIC_SEQ_CST);
    if (left < 0)
        KeBugCheckEx(0xC4 /* DRIVER_VERIFIER_DETECTED_VIOLATION */, 0x210, (ULONG_PTR)RemoveLock, 0,
                     0);
    if (left == 0)
        KeSetEvent(&RemoveLock->RemoveEvent, IO_NO_INCREMENT, FALSE);
}

/* docs: called with the lock acquired once for the remove IRP; drops that
 * and the initial reference, then waits for every other holder. */
void NTAPI IoReleaseRemoveLockAndWaitEx(PIO_REMOVE_LOCK RemoveLock, PVOID Tag, ULONG RemlockSize)
{
    UNREFERENCED_PARAMETER(Tag);
    UNREFERENCED_PARAMETER(RemlockSize);
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    __atomic_store_n(&RemoveLock->Removed, TRUE, __ATOMIC_SEQ_CST);
    __atomic_sub_fetch(&RemoveLock->IoCount, 1, __ATOMIC_SEQ_CST);
    if (__atomic_sub_fetch(&RemoveLock->IoCount, 1, __ATOMIC_SEQ_CST) > 0)
        KeWaitForSingleObject(&RemoveLock->RemoveEvent, Executive, KernelMode, FALSE, NULL);
}

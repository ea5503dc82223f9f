/* The only place battc calls into a miniclass: one wrapper per BatteryMini*
 * routine, each under the battery's mini lock, treating a missing entry as
 * STATUS_NOT_SUPPORTED and never trusting what comes back (lengths, tags). */
#include "battc.h"

/* Callbacks are synchronous: STATUS_PENDING from one is a miniclass bug
 * that would otherwise read as "battc queued the IRP". */
static NTSTATUS BattcMiniResult(NTSTATUS Status)
{
    return Status == STATUS_PENDING ? STATUS_UNSUCCESSFUL : Status;
}

/* PASSIVE_LEVEL. Serializes this battery's miniclass calls. Free: one
 * interlocked decrement. Held: wait for the holder's hand-off. */
void BattcLockMiniclass(PBATTC_CLASS Class)
{
    ASSERT(KeGetCurrentIrql() == PASSIVE_LEVEL);
    if (InterlockedDecrement(&Class->MiniCount) != 0)
        KeWaitForSingleObject(&Class->MiniContended, Executive, KernelMode, FALSE, NULL);
}

/* PASSIVE_LEVEL. Hands the lock to one waiter, if any. */
void BattcUnlockMiniclass(PBATTC_CLASS Class)
{
    if (InterlockedIncrement(&Class->MiniCount) != 1)
        KeSetEvent(&Class->MiniContended, IO_NO_INCREMENT, FALSE);
}

/* PASSIVE_LEVEL, mini lock held. docs: no battery -> STATUS_NO_SUCH_DEVICE
 * and BATTERY_TAG_INVALID; a "success" with the invalid tag means the same. */
NTSTATUS BattcMiniQueryTag(PBATTC_CLASS Class, PULONG Tag)
{
    ULONG tag = BATTERY_TAG_INVALID;
    NTSTATUS status;

    BATTC_ASSERT_MINI_LOCKED(Class);
    status = BattcMiniResult(Class->Mini.QueryTag(Class->Mini.Context, &tag));
    if (NT_SUCCESS(status) && tag == BATTERY_TAG_INVALID)
        status = STATUS_NO_SUCH_DEVICE;
    *Tag = NT_SUCCESS(status) ? tag : BATTERY_TAG_INVALID;
    return status;
}

/* PASSIVE_LEVEL, mini lock held. *ReturnedLength never exceeds
 * BufferLength, whatever the miniclass claims. */
NTSTATUS BattcMiniQueryInformation(PBATTC_CLASS Class, ULONG Tag,
                                   BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                                   ULONG BufferLength, PULONG ReturnedLength)
{
    ULONG returned = 0;
    NTSTATUS status;

    BATTC_ASSERT_MINI_LOCKED(Class);
    status = BattcMiniResult(Class->Mini.QueryInformation(Class->Mini.Context, Tag, Level, AtRate,
                                                          Buffer, BufferLength, &returned));
    *ReturnedLength = returned > BufferLength ? BufferLength : returned;
    return status;
}

/* PASSIVE_LEVEL, mini lock held. */
NTSTATUS BattcMiniQueryStatus(PBATTC_CLASS Class, ULONG Tag, PBATTERY_STATUS Status)
{
    BATTC_ASSERT_MINI_LOCKED(Class);
    RtlZeroMemory(Status, sizeof(*Status));
    return BattcMiniResult(Class->Mini.QueryStatus(Class->Mini.Context, Tag, Status));
}

/* PASSIVE_LEVEL, mini lock held. Pitfall 7: a NULL entry is "not
 * supported", never a call through NULL. */
NTSTATUS BattcMiniSetInformation(PBATTC_CLASS Class, ULONG Tag, BATTERY_SET_INFORMATION_LEVEL Level,
                                 PVOID Buffer)
{
    BATTC_ASSERT_MINI_LOCKED(Class);
    if (!Class->Mini.SetInformation)
        return STATUS_NOT_SUPPORTED;
    return BattcMiniResult(Class->Mini.SetInformation(Class->Mini.Context, Tag, Level, Buffer));
}

/* PASSIVE_LEVEL, mini lock held. */
NTSTATUS BattcMiniSetStatusNotify(PBATTC_CLASS Class, ULONG Tag, PBATTERY_NOTIFY Notify)
{
    BATTC_ASSERT_MINI_LOCKED(Class);
    if (!Class->Mini.SetStatusNotify)
        return STATUS_NOT_SUPPORTED;
    return BattcMiniResult(Class->Mini.SetStatusNotify(Class->Mini.Context, Tag, Notify));
}

/* PASSIVE_LEVEL, mini lock held. */
NTSTATUS BattcMiniDisableStatusNotify(PBATTC_CLASS Class)
{
    BATTC_ASSERT_MINI_LOCKED(Class);
    if (!Class->Mini.DisableStatusNotify)
        return STATUS_NOT_SUPPORTED;
    return BattcMiniResult(Class->Mini.DisableStatusNotify(Class->Mini.Context));
}

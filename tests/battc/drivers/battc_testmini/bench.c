/* What bench_battc needs to time the QueryStatus callback alone, beside
 * the same query sent as an IRP through the device stack. */
#include "testmini.h"

PTESTMINI_EXTENSION TestMiniLastDevice;

/* PASSIVE_LEVEL. */
NTSTATUS TestMiniBenchHooks(TESTMINI_BENCH_HOOKS *Hooks)
{
    PTESTMINI_EXTENSION ext = TestMiniLastDevice;
    KIRQL irql;

    if (!ext)
        return STATUS_NO_SUCH_DEVICE;
    Hooks->Context = ext;
    Hooks->QueryStatus = (PVOID)TestMiniQueryStatus;
    Hooks->Fdo = ext->Fdo;
    KeAcquireSpinLock(&ext->Lock, &irql);
    Hooks->Tag = ext->Present ? ext->Tag : BATTERY_TAG_INVALID;
    KeReleaseSpinLock(&ext->Lock, irql);
    return STATUS_SUCCESS;
}

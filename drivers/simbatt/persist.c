/* simbatt's state across restarts: the REG_BINARY "SavedState" in the
 * device's hardware key (PLUGPLAY_REGKEY_DEVICE), written while the
 * REG_DWORD "PersistState" there is 1 and loaded at START. Keeping the
 * registry itself on disk is the host's job. */
#include "simbatt_private.h"

/* Room for a KEY_VALUE_PARTIAL_INFORMATION holding one DWORD. */
typedef union _SIMBATT_DWORD_VALUE {
    KEY_VALUE_PARTIAL_INFORMATION Info;
    UCHAR Bytes[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
} SIMBATT_DWORD_VALUE;

#define SIMBATT_SAVED_VALUE_SIZE                                                                   \
    (FIELD_OFFSET(KEY_VALUE_PARTIAL_INFORMATION, Data) + sizeof(SIMBATT_SAVED_STATE))

/* PASSIVE_LEVEL. PersistState is 1 (a REG_DWORD); anything else is off. */
static BOOLEAN SimBattPersistRequested(HANDLE Key)
{
    SIMBATT_DWORD_VALUE value;
    UNICODE_STRING name;
    ULONG length = 0;
    ULONG flag;
    NTSTATUS status;

    RtlInitUnicodeString(&name, L"PersistState");
    status =
        ZwQueryValueKey(Key, &name, KeyValuePartialInformation, &value, sizeof(value), &length);
    if (!NT_SUCCESS(status) || value.Info.Type != REG_DWORD ||
        value.Info.DataLength != sizeof(ULONG))
        return FALSE;
    RtlCopyMemory(&flag, value.Info.Data, sizeof(flag));
    return flag == 1;
}

/* A blob from the registry is input like any other: each part passes the
 * checks the control IOCTLs apply, or the whole blob is ignored. */
static NTSTATUS SimBattValidateBattery(const SIMBATT_BATTERY *Battery)
{
    NTSTATUS status;

    if (Battery->Present > 1)
        return STATUS_INVALID_PARAMETER;
    if (!Battery->Present && Battery->Tag != BATTERY_TAG_INVALID)
        return STATUS_INVALID_PARAMETER;
    status = SimBattValidateInformation(&Battery->Information);
    if (NT_SUCCESS(status))
        status = SimBattValidateStatus(&Battery->Status, Battery->Information.FullChargedCapacity);
    if (NT_SUCCESS(status))
        status = SimBattValidateGranularity(Battery->GranularityCount, Battery->Granularity);
    if (NT_SUCCESS(status))
        status = SimBattValidateDate(&Battery->ManufactureDate);
    if (NT_SUCCESS(status))
        status = SimBattValidateTemperature(Battery->Temperature);
    for (ULONG i = 0; NT_SUCCESS(status) && i < SIMBATT_STRING_COUNT; i++)
        status = SimBattValidateString(Battery->Strings[i], SIMBATT_MAX_STRING_CHARS);
    if (NT_SUCCESS(status)) {
        status = STATUS_INVALID_PARAMETER;
        for (ULONG i = 0; i < SIMBATT_MAX_MODEL_NAME; i++) {
            if (Battery->ModelName[i] == '\0') {
                status = STATUS_SUCCESS;
                break;
            }
        }
    }
    return status;
}

/* PASSIVE_LEVEL, locked, at START. The saved battery replaces the
 * defaults as it is: SimBatt zeroes what it has just read (pitfall 10.11);
 * this does not. */
void SimBattLoadState(PSIMBATT_EXTENSION Ext)
{
    PKEY_VALUE_PARTIAL_INFORMATION value = NULL;
    SIMBATT_SAVED_STATE saved;
    UNICODE_STRING name;
    HANDLE key = NULL;
    ULONG length = 0;
    NTSTATUS status;

    Ext->PersistEnabled = FALSE;
    status = IoOpenDeviceRegistryKey(Ext->Pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ, &key);
    if (!NT_SUCCESS(status))
        return;
    Ext->PersistEnabled = SimBattPersistRequested(key);
    /* A state saved while persistence was on is not revived once it is off. */
    if (!Ext->PersistEnabled)
        goto out_close;

    value = ExAllocatePoolWithTag(PagedPool, SIMBATT_SAVED_VALUE_SIZE, SIMBATT_POOL_TAG);
    if (value == NULL)
        goto out_close;
    RtlInitUnicodeString(&name, L"SavedState");
    status = ZwQueryValueKey(key, &name, KeyValuePartialInformation, value,
                             SIMBATT_SAVED_VALUE_SIZE, &length);
    if (!NT_SUCCESS(status))
        goto out_free; /* never saved yet, or not ours (too big) */
    if (value->Type != REG_BINARY || value->DataLength != sizeof(saved)) {
        KdPrint(
            ("simbatt: SavedState ignored: type %u, %u bytes\n", value->Type, value->DataLength));
        goto out_free;
    }
    RtlCopyMemory(&saved, value->Data, sizeof(saved));
    if (saved.Version != SIMBATT_SAVED_STATE_VERSION || saved.Size != sizeof(saved) ||
        !NT_SUCCESS(SimBattValidateBattery(&saved.Battery))) {
        KdPrint(("simbatt: SavedState ignored: version %u, size %u or contents invalid\n",
                 saved.Version, saved.Size));
        goto out_free;
    }
    Ext->Battery = saved.Battery;

out_free:
    ExFreePoolWithTag(value, SIMBATT_POOL_TAG);
out_close:
    ZwClose(key);
}

/* PASSIVE_LEVEL, locked. PersistState is read on every save, so turning it
 * on (by the INF, a tool or a test) takes effect without a restart. */
void SimBattSaveState(PSIMBATT_EXTENSION Ext)
{
    PSIMBATT_SAVED_STATE saved;
    UNICODE_STRING name;
    HANDLE key = NULL;
    NTSTATUS status;

    status = IoOpenDeviceRegistryKey(Ext->Pdo, PLUGPLAY_REGKEY_DEVICE, KEY_READ | KEY_WRITE, &key);
    if (!NT_SUCCESS(status)) {
        Ext->PersistEnabled = FALSE;
        return;
    }
    Ext->PersistEnabled = SimBattPersistRequested(key);
    if (!Ext->PersistEnabled)
        goto out_close;

    saved = ExAllocatePoolWithTag(PagedPool, sizeof(*saved), SIMBATT_POOL_TAG);
    if (saved == NULL)
        goto out_close;
    RtlZeroMemory(saved, sizeof(*saved));
    saved->Version = SIMBATT_SAVED_STATE_VERSION;
    saved->Size = sizeof(*saved);
    saved->Battery = Ext->Battery;
    RtlInitUnicodeString(&name, L"SavedState");
    status = ZwSetValueKey(key, &name, 0, REG_BINARY, saved, sizeof(*saved));
    if (!NT_SUCCESS(status)) {
        KdPrint(("simbatt: saving state failed: 0x%08x\n", (unsigned)status));
    }
    ExFreePoolWithTag(saved, SIMBATT_POOL_TAG);
out_close:
    ZwClose(key);
}

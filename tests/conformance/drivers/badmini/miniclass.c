/* badmini's BatteryMini* routines: the answers a conforming miniclass gives
 * (WDK "Writing Battery Miniclass Drivers"), each bent where the device's
 * BADMINI_MB_* misbehaviour says so. All run at PASSIVE_LEVEL. */
#include "badmini.h"

/* What one routine needs of the device, copied under the lock. */
typedef struct _BADMINI_VIEW {
    ULONG Misbehaviour;
    BOOLEAN Present;
    ULONG Tag;
    BATTERY_STATUS Status;
} BADMINI_VIEW;

/* The data of one information level, built before it is copied out. */
typedef union _BADMINI_ANSWER {
    BATTERY_INFORMATION Information;
    BATTERY_REPORTING_SCALE Scale[4];
    ULONG Value;
    BATTERY_MANUFACTURE_DATE Date;
    WCHAR Text[64];
    UCHAR Bytes[64];
} BADMINI_ANSWER;

/* Garbage answers: every byte looks like an uninitialised heap block. */
#define BADMINI_GARBAGE_BYTE 0xCD
/* Garbage sizes: one granularity entry too many; a string with no NUL. */
#define BADMINI_GARBAGE_SCALE_BYTES (5 * sizeof(BATTERY_REPORTING_SCALE))
#define BADMINI_GARBAGE_TEXT_BYTES  64

static const WCHAR BadMiniDeviceName[] = L"BadMini";
static const WCHAR BadMiniManufacturer[] = L"battkit tests";
static const WCHAR BadMiniSerial[] = L"0001";
/* docs: manufacturer, device name, manufacture date and serial, joined. */
static const WCHAR BadMiniUniqueId[] = L"battkit testsBadMini202405170001";

/* PASSIVE_LEVEL. BADMINI_MB_SLOW: this routine takes its time. On
 * virtual time the caller stays blocked until someone moves the clock. */
static BADMINI_VIEW BadMiniEnter(PBADMINI_EXTENSION Ext)
{
    BADMINI_VIEW view;
    KIRQL irql;

    KeAcquireSpinLock(&Ext->Lock, &irql);
    view.Misbehaviour = Ext->Misbehaviour;
    KeReleaseSpinLock(&Ext->Lock, irql);
    if (view.Misbehaviour & BADMINI_MB_SLOW) {
        LARGE_INTEGER delay;
        delay.QuadPart = -(LONGLONG)BADMINI_SLOW_MS * 10000; /* relative, 100 ns units */
        KeDelayExecutionThread(KernelMode, FALSE, &delay);
    }
    KeAcquireSpinLock(&Ext->Lock, &irql);
    view.Misbehaviour = Ext->Misbehaviour;
    view.Present = Ext->Present;
    view.Tag = Ext->Tag;
    view.Status = Ext->Status;
    KeReleaseSpinLock(&Ext->Lock, irql);
    return view;
}

/* docs: every routine that takes a tag fails a mismatch with
 * STATUS_NO_SUCH_DEVICE (BADMINI_MB_IGNORE_TAG skips the comparison). */
static BOOLEAN BadMiniTagMatches(const BADMINI_VIEW *View, ULONG BatteryTag)
{
    if (!View->Present)
        return FALSE;
    return (View->Misbehaviour & BADMINI_MB_IGNORE_TAG) || BatteryTag == View->Tag;
}

/* docs: STATUS_NO_SUCH_DEVICE and BATTERY_TAG_INVALID with no battery. */
NTSTATUS BadMiniQueryTag(PVOID Context, PULONG BatteryTag)
{
    BADMINI_VIEW view = BadMiniEnter(Context);

    if (!view.Present) {
        *BatteryTag = BATTERY_TAG_INVALID;
        return STATUS_NO_SUCH_DEVICE;
    }
    *BatteryTag = (view.Misbehaviour & BADMINI_MB_ZERO_TAG) ? BATTERY_TAG_INVALID : view.Tag;
    return STATUS_SUCCESS;
}

/* Seconds to empty: AtRate < 0 is a drain to assume, 0 means the present
 * drain, anything else has no estimate (SimBatt's reading of the docs). */
static ULONG BadMiniEstimatedTime(const BATTERY_STATUS *Status, LONG AtRate)
{
    LONG drain = AtRate != 0 ? AtRate : Status->Rate;

    if (AtRate == 0 && !(Status->PowerState & BATTERY_DISCHARGING))
        return BATTERY_UNKNOWN_TIME; /* docs: no estimate on AC */
    if (drain >= 0 || Status->Rate == (LONG)BATTERY_UNKNOWN_RATE)
        return BATTERY_UNKNOWN_TIME;
    return (ULONG)((ULONGLONG)Status->Capacity * 3600 / (ULONGLONG)(-(LONGLONG)drain));
}

static ULONG BadMiniCopyText(BADMINI_ANSWER *Answer, const WCHAR *Text, ULONG Bytes)
{
    RtlCopyMemory(Answer->Text, Text, Bytes);
    return Bytes;
}

/* Builds the level's data in *Answer; returns its size, or 0 when the
 * level is not a defined enumerator. */
static ULONG BadMiniBuildAnswer(const BADMINI_VIEW *View, BATTERY_QUERY_INFORMATION_LEVEL Level,
                                LONG AtRate, BADMINI_ANSWER *Answer)
{
    RtlZeroMemory(Answer, sizeof(*Answer));
    switch (Level) {
    case BatteryInformation:
        Answer->Information.Capabilities = BATTERY_SYSTEM_BATTERY;
        Answer->Information.Technology = 1; /* rechargeable */
        RtlCopyMemory(Answer->Information.Chemistry, "LION", 4);
        Answer->Information.DesignedCapacity = BADMINI_DESIGNED_MWH;
        Answer->Information.FullChargedCapacity = BADMINI_FULL_MWH;
        Answer->Information.DefaultAlert1 = BADMINI_FULL_MWH / 20; /* 5 %: critical */
        Answer->Information.DefaultAlert2 = BADMINI_FULL_MWH / 10; /* 10 %: low */
        Answer->Information.CriticalBias = 0;
        Answer->Information.CycleCount = 12;
        return sizeof(BATTERY_INFORMATION);
    case BatteryGranularityInformation:
        /* A coarse scale above 10 % and a finer one near empty. */
        Answer->Scale[0].Granularity = 10;
        Answer->Scale[0].Capacity = BADMINI_FULL_MWH / 10;
        Answer->Scale[1].Granularity = 100;
        Answer->Scale[1].Capacity = BADMINI_FULL_MWH;
        return 2 * sizeof(BATTERY_REPORTING_SCALE);
    case BatteryTemperature:
        Answer->Value = BADMINI_TEMP_DK;
        return sizeof(ULONG);
    case BatteryEstimatedTime:
        Answer->Value = BadMiniEstimatedTime(&View->Status, AtRate);
        return sizeof(ULONG);
    case BatteryDeviceName:
        return BadMiniCopyText(Answer, BadMiniDeviceName, sizeof(BadMiniDeviceName));
    case BatteryManufactureDate:
        Answer->Date.Day = 17;
        Answer->Date.Month = 5;
        Answer->Date.Year = 2024;
        return sizeof(BATTERY_MANUFACTURE_DATE);
    case BatteryManufactureName:
        return BadMiniCopyText(Answer, BadMiniManufacturer, sizeof(BadMiniManufacturer));
    case BatteryUniqueID:
        return BadMiniCopyText(Answer, BadMiniUniqueId, sizeof(BadMiniUniqueId));
    case BatterySerialNumber:
        return BadMiniCopyText(Answer, BadMiniSerial, sizeof(BadMiniSerial));
    default:
        return 0;
    }
}

/* docs: data of the level, STATUS_INVALID_PARAMETER for a level that is not
 * an enumerator; a short buffer gets STATUS_BUFFER_TOO_SMALL. */
NTSTATUS BadMiniQueryInformation(PVOID Context, ULONG BatteryTag,
                                 BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                                 ULONG BufferLength, PULONG ReturnedLength)
{
    BADMINI_VIEW view = BadMiniEnter(Context);
    BADMINI_ANSWER answer;
    ULONG size;

    *ReturnedLength = 0;
    if (!BadMiniTagMatches(&view, BatteryTag))
        return STATUS_NO_SUCH_DEVICE;
    size = BadMiniBuildAnswer(&view, Level, AtRate, &answer);
    if (size == 0)
        return STATUS_INVALID_PARAMETER;
    if (view.Misbehaviour & BADMINI_MB_GARBAGE) {
        RtlFillMemory(&answer, sizeof(answer), BADMINI_GARBAGE_BYTE);
        if (Level == BatteryGranularityInformation)
            size = BADMINI_GARBAGE_SCALE_BYTES;
        else if (size > sizeof(ULONG) && Level != BatteryInformation)
            size = BADMINI_GARBAGE_TEXT_BYTES; /* the string levels */
    }
    if (Buffer == NULL || BufferLength < size)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(Buffer, &answer, size);
    *ReturnedLength = (view.Misbehaviour & BADMINI_MB_LONG_LENGTH) ? BufferLength + 64 : size;
    return STATUS_SUCCESS;
}

NTSTATUS BadMiniQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    BADMINI_VIEW view = BadMiniEnter(Context);

    if (!BadMiniTagMatches(&view, BatteryTag))
        return STATUS_NO_SUCH_DEVICE;
    *BatteryStatus = view.Status;
    if (view.Misbehaviour & BADMINI_MB_GARBAGE)
        RtlFillMemory(BatteryStatus, sizeof(*BatteryStatus), BADMINI_GARBAGE_BYTE);
    if ((view.Misbehaviour & BADMINI_MB_RATE_SIGN) &&
        BatteryStatus->Rate != (LONG)BATTERY_UNKNOWN_RATE)
        BatteryStatus->Rate = -BatteryStatus->Rate;
    return STATUS_SUCCESS;
}

/* The pack takes no charge/discharge/bias requests: after the tag check
 * every level is STATUS_NOT_SUPPORTED (docs). */
NTSTATUS BadMiniSetInformation(PVOID Context, ULONG BatteryTag, BATTERY_SET_INFORMATION_LEVEL Level,
                               PVOID Buffer)
{
    BADMINI_VIEW view = BadMiniEnter(Context);

    UNREFERENCED_PARAMETER(Level);
    UNREFERENCED_PARAMETER(Buffer);
    if (!BadMiniTagMatches(&view, BatteryTag))
        return STATUS_NO_SUCH_DEVICE;
    return STATUS_NOT_SUPPORTED;
}

/* Keeps the window; control.c notifies on every change anyway (docs:
 * power-state changes are notified whatever was armed). */
NTSTATUS BadMiniSetStatusNotify(PVOID Context, ULONG BatteryTag, PBATTERY_NOTIFY BatteryNotify)
{
    PBADMINI_EXTENSION ext = Context;
    BADMINI_VIEW view = BadMiniEnter(ext);
    KIRQL irql;

    if (!BadMiniTagMatches(&view, BatteryTag))
        return STATUS_NO_SUCH_DEVICE;
    if (view.Misbehaviour & BADMINI_MB_SILENT)
        return STATUS_NOT_SUPPORTED;
    KeAcquireSpinLock(&ext->Lock, &irql);
    ext->Notify = *BatteryNotify;
    ext->NotifyArmed = TRUE;
    KeReleaseSpinLock(&ext->Lock, irql);
    return STATUS_SUCCESS;
}

NTSTATUS BadMiniDisableStatusNotify(PVOID Context)
{
    PBADMINI_EXTENSION ext = Context;
    BADMINI_VIEW view = BadMiniEnter(ext);
    KIRQL irql;

    if (view.Misbehaviour & BADMINI_MB_SILENT)
        return STATUS_NOT_SUPPORTED; /* docs: the pair works together or not at all */
    KeAcquireSpinLock(&ext->Lock, &irql);
    ext->NotifyArmed = FALSE;
    KeReleaseSpinLock(&ext->Lock, irql);
    return STATUS_SUCCESS;
}

/* The simulated battery's state: defaults, tags and presence, what the
 * class driver is told (critical bias, charge control and faults applied),
 * when it must be notified, and the checks every stored value passes.
 * Persistence is persist.c; the platform reading is model.c. */
#include "simbatt_private.h"

/* Drives the per-device serial number of the defaults ("SB0001", ...). */
static LONG SimBattDeviceCount;

/* Days per month of a common year; February gets one more in leap years. */
static const UCHAR SimBattMonthDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static const struct {
    ULONG Level;
    ULONG Index;
} SimBattStringLevels[] = {
    {BatteryDeviceName, SIMBATT_STRING_DEVICE_NAME},
    {BatteryManufactureName, SIMBATT_STRING_MANUFACTURE_NAME},
    {BatteryUniqueID, SIMBATT_STRING_UNIQUE_ID},
    {BatterySerialNumber, SIMBATT_STRING_SERIAL_NUMBER},
};

/* PASSIVE_LEVEL. Not a FAST_MUTEX: see SIMBATT_EXTENSION.Lock. */
void SimBattLock(PSIMBATT_EXTENSION Ext)
{
    KeWaitForSingleObject(&Ext->Lock, Executive, KernelMode, FALSE, NULL);
}

void SimBattUnlock(PSIMBATT_EXTENSION Ext)
{
    KeReleaseMutex(&Ext->Lock, FALSE);
}

ULONG SimBattStringIndex(ULONG Level)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(SimBattStringLevels); i++) {
        if (SimBattStringLevels[i].Level == Level)
            return SimBattStringLevels[i].Index;
    }
    return SIMBATT_NO_INDEX;
}

/* Appends Value as Width decimal digits (zero-padded) to a string of at
 * most MaxChars characters, NUL included. No printf: the driver uses only
 * what the WDK headers declare. */
static void SimBattAppendNumber(PWCHAR String, ULONG MaxChars, ULONG Value, ULONG Width)
{
    WCHAR digits[10];
    ULONG n = 0, length = 0;

    while (length < MaxChars && String[length] != L'\0')
        length++;
    do {
        digits[n++] = (WCHAR)(L'0' + Value % 10);
        Value /= 10;
    } while (Value != 0 && n < RTL_NUMBER_OF(digits));
    while (n < Width && n < RTL_NUMBER_OF(digits))
        digits[n++] = L'0';
    while (n > 0 && length + 1 < MaxChars)
        String[length++] = digits[--n];
    String[length] = L'\0';
}

static void SimBattAppendString(PWCHAR String, ULONG MaxChars, const WCHAR *Tail)
{
    ULONG length = 0;

    while (length < MaxChars && String[length] != L'\0')
        length++;
    while (*Tail != L'\0' && length + 1 < MaxChars)
        String[length++] = *Tail++;
    String[length] = L'\0';
}

/* docs: for smart and control-method batteries the unique ID is the
 * manufacturer name, device name, manufacture date and serial number. */
void SimBattComposeUniqueId(PSIMBATT_BATTERY Battery)
{
    PWCHAR id = Battery->Strings[SIMBATT_STRING_UNIQUE_ID];
    const BATTERY_MANUFACTURE_DATE *date = &Battery->ManufactureDate;

    id[0] = L'\0';
    SimBattAppendString(id, SIMBATT_MAX_STRING_CHARS,
                        Battery->Strings[SIMBATT_STRING_MANUFACTURE_NAME]);
    SimBattAppendString(id, SIMBATT_MAX_STRING_CHARS, Battery->Strings[SIMBATT_STRING_DEVICE_NAME]);
    if (date->Year != 0) {
        SimBattAppendNumber(id, SIMBATT_MAX_STRING_CHARS, date->Year, 4);
        SimBattAppendNumber(id, SIMBATT_MAX_STRING_CHARS, date->Month, 2);
        SimBattAppendNumber(id, SIMBATT_MAX_STRING_CHARS, date->Day, 2);
    }
    SimBattAppendString(id, SIMBATT_MAX_STRING_CHARS,
                        Battery->Strings[SIMBATT_STRING_SERIAL_NUMBER]);
}

/* PASSIVE_LEVEL, from AddDevice. A 50 Wh Li-ion pack at 75 % on AC, every
 * level supported; START may replace it with the saved state. */
void SimBattInitState(PSIMBATT_EXTENSION Ext)
{
    PSIMBATT_BATTERY b = &Ext->Battery;
    static const UCHAR chemistry[4] = {'L', 'I', 'O', 'N'};

    RtlZeroMemory(b, sizeof(*b));
    b->Present = TRUE;
    b->Tag = BATTERY_TAG_INVALID; /* the first tag is issued at START */
    b->Information.Capabilities = BATTERY_SYSTEM_BATTERY | BATTERY_SET_CHARGE_SUPPORTED |
                                  BATTERY_SET_DISCHARGE_SUPPORTED |
                                  BATTERY_SET_CHARGINGSOURCE_SUPPORTED;
    b->Information.Technology = 1; /* rechargeable */
    RtlCopyMemory(b->Information.Chemistry, chemistry, sizeof(chemistry));
    b->Information.DesignedCapacity = 50000;    /* mWh */
    b->Information.FullChargedCapacity = 48000; /* mWh: a little worn */
    b->Information.DefaultAlert1 = 2400;        /* mWh, 5 %: "low" */
    b->Information.DefaultAlert2 = 4800;        /* mWh, 10 %: "warning" */
    b->Information.CriticalBias = 0;
    b->Information.CycleCount = 42;
    b->Status.PowerState = BATTERY_POWER_ON_LINE;
    b->Status.Capacity = 36000; /* mWh */
    b->Status.Voltage = 11400;  /* mV */
    b->Status.Rate = 0;         /* mW: on AC, not charging */
    b->GranularityCount = 1;
    b->Granularity[0].Granularity = 10; /* mWh steps... */
    b->Granularity[0].Capacity = 50000; /* ...up to the design capacity */
    b->Temperature = 2982;              /* 25.0 degC in tenths of kelvin */
    b->EstimatedTime = SIMBATT_TIME_COMPUTED;
    b->ManufactureDate.Day = 17;
    b->ManufactureDate.Month = 5;
    b->ManufactureDate.Year = 2024;
    b->ChargingSourceType = 0;
    b->MaxChargingCurrent = BATTERY_UNKNOWN_CURRENT;
    SimBattAppendString(b->Strings[SIMBATT_STRING_DEVICE_NAME], SIMBATT_MAX_STRING_CHARS,
                        L"SimBatt");
    SimBattAppendString(b->Strings[SIMBATT_STRING_MANUFACTURE_NAME], SIMBATT_MAX_STRING_CHARS,
                        L"battkit");
    SimBattAppendString(b->Strings[SIMBATT_STRING_SERIAL_NUMBER], SIMBATT_MAX_STRING_CHARS, L"SB");
    SimBattAppendNumber(b->Strings[SIMBATT_STRING_SERIAL_NUMBER], SIMBATT_MAX_STRING_CHARS,
                        (ULONG)InterlockedIncrement(&SimBattDeviceCount), 4);
    SimBattComposeUniqueId(b);

    Ext->Faults = 0;
    Ext->ChargeControl = SIMBATT_CHARGE_AUTO;
    Ext->NotifyArmed = FALSE;
    Ext->HaveLastView = FALSE;
}

const SIMBATT_BATTERY *SimBattData(PSIMBATT_EXTENSION Ext)
{
    return Ext->Model.Attached ? &Ext->Model.Data : &Ext->Battery;
}

/* locked. docs: the tag changes on every insertion, even of the same
 * battery, and is never BATTERY_TAG_INVALID while a battery is present. */
void SimBattNewTag(PSIMBATT_EXTENSION Ext)
{
    PSIMBATT_BATTERY b = &Ext->Battery;

    b->LastTag++;
    if (b->LastTag == BATTERY_TAG_INVALID)
        b->LastTag++;
    b->Tag = b->LastTag;
}

/* locked. A removed battery takes its charge request with it. */
void SimBattSetPresent(PSIMBATT_EXTENSION Ext, BOOLEAN Present)
{
    if (Present) {
        Ext->Battery.Present = TRUE;
        SimBattNewTag(Ext);
        return;
    }
    Ext->Battery.Present = FALSE;
    Ext->Battery.Tag = BATTERY_TAG_INVALID;
    Ext->ChargeControl = SIMBATT_CHARGE_AUTO;
}

/* locked. No answer (an injected fault or a platform that does not
 * answer) and no battery both mean STATUS_NO_SUCH_DEVICE with
 * BATTERY_TAG_INVALID (docs: "no battery, or presence cannot be
 * determined"). */
static BOOLEAN SimBattAnswering(PSIMBATT_EXTENSION Ext)
{
    if (Ext->Faults & SIMBATT_FAULT_NO_ANSWER)
        return FALSE;
    if (Ext->Model.Attached && !NT_SUCCESS(Ext->Model.ReadStatus))
        return FALSE;
    return Ext->Battery.Present;
}

void SimBattQueryTagLocked(PSIMBATT_EXTENSION Ext, PNTSTATUS Status, PULONG Tag)
{
    ULONG wrong;

    if (Ext->Model.Attached)
        SimBattModelRefreshLocked(Ext);
    if (!SimBattAnswering(Ext)) {
        *Tag = BATTERY_TAG_INVALID;
        *Status = STATUS_NO_SUCH_DEVICE;
        return;
    }
    *Status = STATUS_SUCCESS;
    *Tag = Ext->Battery.Tag;
    if ((Ext->Faults & SIMBATT_FAULT_WRONG_TAG) ||
        (Ext->Model.Attached && (Ext->Model.PlatformFaults & BATTKIT_FAULT_WRONG_TAG))) {
        /* Nonzero and never the real tag. */
        wrong = Ext->Battery.Tag ^ 0x5A5A0000u;
        *Tag = wrong != BATTERY_TAG_INVALID ? wrong : ~Ext->Battery.Tag;
    }
}

/* locked. docs: every routine that receives a tag fails with
 * STATUS_NO_SUCH_DEVICE unless it names the battery present now. */
NTSTATUS SimBattCheckTag(PSIMBATT_EXTENSION Ext, ULONG BatteryTag)
{
    if (Ext->Model.Attached)
        SimBattModelRefreshLocked(Ext);
    if (!SimBattAnswering(Ext) || BatteryTag == BATTERY_TAG_INVALID ||
        BatteryTag != Ext->Battery.Tag)
        return STATUS_NO_SUCH_DEVICE;
    return STATUS_SUCCESS;
}

static BOOLEAN SimBattRateUnknown(LONG Rate)
{
    return (ULONG)Rate == BATTERY_UNKNOWN_RATE;
}

/* locked. The status before the stuck and critical faults: the data, a
 * BatteryCharge/BatteryDischarge request while on AC, and the critical
 * bias (docs: the miniclass subtracts it from the capacities it reports). */
void SimBattComposeUnstuckStatus(PSIMBATT_EXTENSION Ext, PBATTERY_STATUS Status)
{
    BATTERY_STATUS s = SimBattData(Ext)->Status;
    ULONG bias = Ext->Battery.Information.CriticalBias;

    if (s.PowerState & BATTERY_POWER_ON_LINE) {
        if (Ext->ChargeControl == SIMBATT_CHARGE_FORCE_CHARGE) {
            s.PowerState = (s.PowerState & ~BATTERY_DISCHARGING) | BATTERY_CHARGING;
            if (!SimBattRateUnknown(s.Rate) && s.Rate < 0)
                s.Rate = -s.Rate;
        } else if (Ext->ChargeControl == SIMBATT_CHARGE_FORCE_DISCHARGE) {
            s.PowerState = (s.PowerState & ~BATTERY_CHARGING) | BATTERY_DISCHARGING;
            if (!SimBattRateUnknown(s.Rate) && s.Rate > 0)
                s.Rate = -s.Rate;
        }
    }
    if (s.Capacity != BATTERY_UNKNOWN_CAPACITY)
        s.Capacity = s.Capacity > bias ? s.Capacity - bias : 0;
    *Status = s;
}

/* locked. What BatteryMiniQueryStatus answers. */
void SimBattComposeStatus(PSIMBATT_EXTENSION Ext, PBATTERY_STATUS Status)
{
    if (Ext->Faults & SIMBATT_FAULT_STUCK)
        *Status = Ext->StuckStatus;
    else
        SimBattComposeUnstuckStatus(Ext, Status);
    if (Ext->Faults & SIMBATT_FAULT_CRITICAL)
        Status->PowerState |= BATTERY_CRITICAL;
}

/* locked. What BatteryInformation answers: CriticalBias is the one in
 * force, and the full charged capacity is reported without it (docs). */
void SimBattComposeInformation(PSIMBATT_EXTENSION Ext, PBATTERY_INFORMATION Information)
{
    BATTERY_INFORMATION info = SimBattData(Ext)->Information;
    ULONG bias = Ext->Battery.Information.CriticalBias;

    info.CriticalBias = bias;
    info.FullChargedCapacity =
        info.FullChargedCapacity > bias ? info.FullChargedCapacity - bias : 0;
    RtlZeroMemory(info.Reserved, sizeof(info.Reserved));
    *Information = info;
}

/* locked. Seconds of run time, from the reported (bias-adjusted) capacity.
 * Doc disagreement (the SDK callback page: "negative or zero AtRate ->
 * current drain"; the W32 page: "a nonzero AtRate is the rate to use"):
 * this follows the W32 page. AtRate < 0: a hypothetical drain in mW,
 * answered whatever the battery is doing now. AtRate 0: the present rate,
 * known only while discharging. AtRate > 0 (a charge rate) and every
 * other case: BATTERY_UNKNOWN_TIME. The control override replaces the
 * AtRate 0 answer only. */
ULONG SimBattEstimatedTime(PSIMBATT_EXTENSION Ext, LONG AtRate)
{
    BATTERY_STATUS s;
    LONGLONG drain;
    ULONGLONG seconds;

    if (AtRate == 0 && Ext->Battery.EstimatedTime != SIMBATT_TIME_COMPUTED)
        return Ext->Battery.EstimatedTime;
    SimBattComposeStatus(Ext, &s);
    if (s.Capacity == BATTERY_UNKNOWN_CAPACITY || AtRate > 0)
        return BATTERY_UNKNOWN_TIME;
    if (AtRate < 0) {
        drain = -(LONGLONG)AtRate;
    } else {
        if (!(s.PowerState & BATTERY_DISCHARGING) || SimBattRateUnknown(s.Rate) || s.Rate >= 0)
            return BATTERY_UNKNOWN_TIME;
        drain = -(LONGLONG)s.Rate;
    }
    seconds = 3600ull * s.Capacity / (ULONGLONG)drain;
    return seconds >= BATTERY_UNKNOWN_TIME ? BATTERY_UNKNOWN_TIME - 1 : (ULONG)seconds;
}

/* locked. */
static void SimBattCurrentView(PSIMBATT_EXTENSION Ext, PSIMBATT_VIEW View)
{
    RtlZeroMemory(View, sizeof(*View));
    SimBattQueryTagLocked(Ext, &View->TagStatus, &View->Tag);
    if (NT_SUCCESS(View->TagStatus))
        SimBattComposeStatus(Ext, &View->Status);
}

/* locked. docs: notify on online/offline, critical, charge or discharge
 * start/stop, whenever capacity leaves the window of the last
 * SetStatusNotify, and (so waiters are aborted and the class re-reads) on
 * a new tag. Only changes count: notifying because the window was already
 * left when it was set could loop with a class driver that re-arms. */
BOOLEAN SimBattEvaluateLocked(PSIMBATT_EXTENSION Ext)
{
    const ULONG stateBits =
        BATTERY_POWER_ON_LINE | BATTERY_DISCHARGING | BATTERY_CHARGING | BATTERY_CRITICAL;
    SIMBATT_VIEW now;
    const SIMBATT_VIEW *last = &Ext->LastView;
    ULONG capacity;
    BOOLEAN due = FALSE;

    SimBattCurrentView(Ext, &now);
    if (!Ext->HaveLastView) {
        due = FALSE; /* the first view: nobody has seen another */
    } else if (now.TagStatus != last->TagStatus || now.Tag != last->Tag) {
        due = TRUE;
    } else if (NT_SUCCESS(now.TagStatus)) {
        capacity = now.Status.Capacity;
        if ((now.Status.PowerState ^ last->Status.PowerState) & stateBits)
            due = TRUE;
        else if (Ext->NotifyArmed && capacity != last->Status.Capacity &&
                 capacity != BATTERY_UNKNOWN_CAPACITY &&
                 (capacity < Ext->Notify.LowCapacity || capacity > Ext->Notify.HighCapacity))
            due = TRUE;
    }
    Ext->LastView = now;
    Ext->HaveLastView = TRUE;
    if (due)
        Ext->NotifyCount++;
    return due;
}

/* locked. After any change: persisted (control changes), then judged. */
BOOLEAN SimBattChangedLocked(PSIMBATT_EXTENSION Ext, BOOLEAN Persist)
{
    if (Persist)
        SimBattSaveState(Ext);
    return SimBattEvaluateLocked(Ext);
}

/* Not locked, <= DISPATCH_LEVEL. BatteryClassStatusNotify only queues
 * battc's re-evaluation, but it is still called outside Lock so that no
 * class-driver lock is ever taken under ours. */
void SimBattNotifyIfDue(PSIMBATT_EXTENSION Ext, BOOLEAN Due)
{
    PVOID classHandle = Ext->ClassHandle;

    if (Due && classHandle != NULL)
        BatteryClassStatusNotify(classHandle);
}

/* ---- validation (control IOCTLs and the saved-state loader) ---- */

NTSTATUS SimBattValidateStatus(const BATTERY_STATUS *Status, ULONG FullChargedCapacity)
{
    const ULONG known =
        BATTERY_POWER_ON_LINE | BATTERY_DISCHARGING | BATTERY_CHARGING | BATTERY_CRITICAL;
    ULONG state = Status->PowerState;

    if (state & ~known)
        return STATUS_INVALID_PARAMETER;
    if ((state & BATTERY_CHARGING) && (state & BATTERY_DISCHARGING))
        return STATUS_INVALID_PARAMETER;
    if (Status->Capacity != BATTERY_UNKNOWN_CAPACITY && Status->Capacity > FullChargedCapacity)
        return STATUS_INVALID_PARAMETER;
    /* docs: positive rate = charging, negative = discharging. */
    if (!SimBattRateUnknown(Status->Rate)) {
        if (Status->Rate > 0 && !(state & BATTERY_CHARGING))
            return STATUS_INVALID_PARAMETER;
        if (Status->Rate < 0 && !(state & BATTERY_DISCHARGING))
            return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

NTSTATUS SimBattValidateInformation(const BATTERY_INFORMATION *Information)
{
    ULONG full = Information->FullChargedCapacity;

    if (Information->Capabilities & ~(ULONG)SIMBATT_CAPABILITIES_VALID)
        return STATUS_INVALID_PARAMETER;
    if (Information->Technology > 1) /* 0 primary, 1 rechargeable */
        return STATUS_INVALID_PARAMETER;
    if (Information->DesignedCapacity == 0 || full == 0)
        return STATUS_INVALID_PARAMETER;
    if (Information->DefaultAlert1 > full || Information->DefaultAlert2 > full)
        return STATUS_INVALID_PARAMETER;
    if (Information->CriticalBias >= full)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/* docs: one to four entries; entry i covers capacities up to its own
 * Capacity, so the capacities must rise. */
NTSTATUS SimBattValidateGranularity(ULONG Count, const BATTERY_REPORTING_SCALE *Scale)
{
    if (Count > SIMBATT_MAX_GRANULARITY)
        return STATUS_INVALID_PARAMETER;
    for (ULONG i = 0; i < Count; i++) {
        if (Scale[i].Granularity == 0 || Scale[i].Capacity == 0)
            return STATUS_INVALID_PARAMETER;
        if (i > 0 && Scale[i].Capacity <= Scale[i - 1].Capacity)
            return STATUS_INVALID_PARAMETER;
    }
    return STATUS_SUCCESS;
}

/* All zero is "unknown"; otherwise a real Gregorian date (docs: day and
 * month as numbers, not ASCII). */
NTSTATUS SimBattValidateDate(const BATTERY_MANUFACTURE_DATE *Date)
{
    ULONG days;
    BOOLEAN leap;

    if (Date->Day == 0 && Date->Month == 0 && Date->Year == 0)
        return STATUS_SUCCESS;
    if (Date->Year < 1900 || Date->Year > 2100 || Date->Month < 1 || Date->Month > 12)
        return STATUS_INVALID_PARAMETER;
    leap = (Date->Year % 4 == 0 && Date->Year % 100 != 0) || Date->Year % 400 == 0;
    days = SimBattMonthDays[Date->Month - 1] + (Date->Month == 2 && leap ? 1 : 0);
    if (Date->Day < 1 || Date->Day > days)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

NTSTATUS SimBattValidateTemperature(ULONG Temperature)
{
    return Temperature <= SIMBATT_MAX_TEMPERATURE ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

/* NUL-terminated within MaxChars. */
NTSTATUS SimBattValidateString(const WCHAR *String, ULONG MaxChars)
{
    for (ULONG i = 0; i < MaxChars; i++) {
        if (String[i] == L'\0')
            return STATUS_SUCCESS;
    }
    return STATUS_INVALID_PARAMETER;
}

/* locked. Takes Data (the model's last reading) as the stored battery,
 * coerced so that it passes the checks above. Presence, tags, the critical
 * bias and the charging-source request stay the extension's. */
void SimBattAdoptData(PSIMBATT_EXTENSION Ext, const SIMBATT_BATTERY *Data)
{
    PSIMBATT_BATTERY b = &Ext->Battery;
    ULONG bias = b->Information.CriticalBias;
    ULONG full;

    b->Status = Data->Status;
    b->Information = Data->Information;
    b->Information.Capabilities &= SIMBATT_CAPABILITIES_VALID;
    if (b->Information.Technology > 1)
        b->Information.Technology = 1;
    if (b->Information.DesignedCapacity == 0)
        b->Information.DesignedCapacity = 1;
    if (b->Information.FullChargedCapacity == 0)
        b->Information.FullChargedCapacity = b->Information.DesignedCapacity;
    full = b->Information.FullChargedCapacity;
    b->Information.DefaultAlert1 = min(b->Information.DefaultAlert1, full);
    b->Information.DefaultAlert2 = min(b->Information.DefaultAlert2, full);
    b->Information.CriticalBias = bias < full ? bias : 0;
    if (!NT_SUCCESS(SimBattValidateStatus(&b->Status, full))) {
        b->Status.PowerState &=
            BATTERY_POWER_ON_LINE | BATTERY_DISCHARGING | BATTERY_CHARGING | BATTERY_CRITICAL;
        if ((b->Status.PowerState & BATTERY_CHARGING) &&
            (b->Status.PowerState & BATTERY_DISCHARGING))
            b->Status.PowerState &= ~BATTERY_CHARGING;
        if (b->Status.Capacity != BATTERY_UNKNOWN_CAPACITY && b->Status.Capacity > full)
            b->Status.Capacity = full;
        if (!NT_SUCCESS(SimBattValidateStatus(&b->Status, full)))
            b->Status.Rate = 0;
    }
    b->GranularityCount = Data->GranularityCount;
    RtlCopyMemory(b->Granularity, Data->Granularity, sizeof(b->Granularity));
    if (!NT_SUCCESS(SimBattValidateGranularity(b->GranularityCount, b->Granularity)))
        b->GranularityCount = 0;
    b->Temperature =
        NT_SUCCESS(SimBattValidateTemperature(Data->Temperature)) ? Data->Temperature : 0;
    b->ManufactureDate = Data->ManufactureDate;
    if (!NT_SUCCESS(SimBattValidateDate(&b->ManufactureDate)))
        RtlZeroMemory(&b->ManufactureDate, sizeof(b->ManufactureDate));
    RtlCopyMemory(b->Strings, Data->Strings, sizeof(b->Strings));
    for (ULONG i = 0; i < SIMBATT_STRING_COUNT; i++)
        b->Strings[i][SIMBATT_MAX_STRING_CHARS - 1] = L'\0';
}

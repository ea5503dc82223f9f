/* From a power_supply snapshot (sysfs units) to what battc reports: one
 * place for every unit conversion. energy_* are uWh, charge_* uAh (turned
 * into mWh with voltage_min_design, else voltage_now), voltage_now uV,
 * power_now uW, current_now uA, temp tenths of degC; a battery with only
 * capacity (%) is reported relative (BATTERY_CAPACITY_RELATIVE). Pure
 * functions: no lock, no I/O, any IRQL. */
#include "psbatt.h"

typedef enum _PSBATT_MODE {
    PsModeNone,     /* nothing to say about capacity */
    PsModeEnergy,   /* energy_* in uWh */
    PsModeCharge,   /* charge_* in uAh with a voltage */
    PsModeRelative, /* only capacity % */
} PSBATT_MODE;

static BOOLEAN PsBattIs(const PSBATT_SUPPLY *S, PSBATT_STRING Which, const CHAR *Text)
{
    const CHAR *a = S->String[Which];
    if (!PS_HASS(S, Which))
        return FALSE;
    while (*a && *Text && *a == *Text) {
        a++;
        Text++;
    }
    return *a == 0 && *Text == 0;
}

BOOLEAN PsBattIsBattery(const PSBATT_SUPPLY *Supply)
{
    return PsBattIs(Supply, PsType, "Battery");
}

BOOLEAN PsBattIsPowerSource(const PSBATT_SUPPLY *Supply)
{
    return PsBattIs(Supply, PsType, "Mains") || PsBattIs(Supply, PsType, "USB");
}

/* docs (power_supply ABI): present is optional; a battery that has no such
 * attribute is there when its directory is. */
BOOLEAN PsBattPresent(const PSBATT_SUPPLY *Supply)
{
    return !PS_HAS(Supply, PsPresent) || Supply->Number[PsPresent] != 0;
}

/* The voltage (uV) that turns uAh into uWh: the design minimum, which does
 * not move with the load, else the present voltage. */
static BOOLEAN PsBattChargeVoltage(const PSBATT_SUPPLY *S, LONGLONG *MicroVolts)
{
    if (PS_HAS(S, PsVoltageMinDesign) && S->Number[PsVoltageMinDesign] > 0) {
        *MicroVolts = S->Number[PsVoltageMinDesign];
        return TRUE;
    }
    if (PS_HAS(S, PsVoltageNow) && S->Number[PsVoltageNow] > 0) {
        *MicroVolts = S->Number[PsVoltageNow];
        return TRUE;
    }
    return FALSE;
}

static PSBATT_MODE PsBattMode(const PSBATT_SUPPLY *S)
{
    LONGLONG uv;
    if (PS_HAS(S, PsEnergyFullDesign) || PS_HAS(S, PsEnergyFull) || PS_HAS(S, PsEnergyNow))
        return PsModeEnergy;
    if ((PS_HAS(S, PsChargeFullDesign) || PS_HAS(S, PsChargeFull) || PS_HAS(S, PsChargeNow)) &&
        PsBattChargeVoltage(S, &uv))
        return PsModeCharge;
    if (PS_HAS(S, PsCapacity))
        return PsModeRelative;
    return PsModeNone;
}

static ULONG PsBattClampUlong(LONGLONG V)
{
    if (V < 0)
        return 0;
    if (V >= (LONGLONG)0xFFFFFFFEll)
        return 0xFFFFFFFEu;
    return (ULONG)V;
}

/* One capacity in mWh: energy (uWh / 1000) or charge (uAh * uV / 10^9). */
static BOOLEAN PsBattMwh(const PSBATT_SUPPLY *S, PSBATT_NUMBER Energy, PSBATT_NUMBER Charge,
                         PULONG Mwh)
{
    LONGLONG uv;
    switch (PsBattMode(S)) {
    case PsModeEnergy:
        if (!PS_HAS(S, Energy))
            return FALSE;
        *Mwh = PsBattClampUlong(S->Number[Energy] / 1000);
        return TRUE;
    case PsModeCharge:
        if (!PS_HAS(S, Charge) || !PsBattChargeVoltage(S, &uv))
            return FALSE;
        /* uAh * uV = 10^-12 Wh = 10^-9 mWh; both fit 2^31, the product 2^62. */
        *Mwh = PsBattClampUlong(S->Number[Charge] * uv / 1000000000ll);
        return TRUE;
    default:
        return FALSE;
    }
}

static BOOLEAN PsBattRelative(const PSBATT_SUPPLY *S)
{
    PSBATT_MODE mode = PsBattMode(S);
    return mode == PsModeRelative || mode == PsModeNone;
}

/* The alarm attribute is in the unit of the battery's other capacities. */
static BOOLEAN PsBattAlarmMwh(const PSBATT_SUPPLY *S, PULONG Mwh)
{
    return PsBattMwh(S, PsAlarm, PsAlarm, Mwh);
}

/* Chemistry codes Windows knows (battery-interface.md 2.2), by the kernel's
 * technology names. */
static const struct {
    const CHAR *Technology;
    CHAR Chemistry[4];
} PsBattChemistries[] = {
    {"Li-ion", {'L', 'I', 'O', 'N'}}, {"Li-poly", {'L', 'i', 'P', 0}},
    {"LiFe", {'L', 'i', 'F', 'e'}},   {"NiCd", {'N', 'i', 'C', 'd'}},
    {"NiMH", {'N', 'i', 'M', 'H'}},   {"LiMn", {'L', 'i', 'M', 'n'}},
};

VOID PsBattMapInformation(const PSBATT_SUPPLY *Supply, PBATTERY_INFORMATION Information)
{
    ULONG design = 0, full = 0, alarm = 0;
    RtlZeroMemory(Information, sizeof(*Information));
    /* docs: a peripheral's battery (scope Device) does not power the system. */
    if (!PsBattIs(Supply, PsScope, "Device"))
        Information->Capabilities |= BATTERY_SYSTEM_BATTERY;
    Information->Technology = 1; /* the power_supply class reports rechargeable packs */
    for (ULONG i = 0; i < RTL_NUMBER_OF(PsBattChemistries); i++)
        if (PsBattIs(Supply, PsTechnology, PsBattChemistries[i].Technology))
            RtlCopyMemory(Information->Chemistry, PsBattChemistries[i].Chemistry, 4);
    if (PsBattRelative(Supply)) {
        Information->Capabilities |= BATTERY_CAPACITY_RELATIVE;
        design = full = 100; /* percent */
    } else {
        BOOLEAN have_design = PsBattMwh(Supply, PsEnergyFullDesign, PsChargeFullDesign, &design);
        BOOLEAN have_full = PsBattMwh(Supply, PsEnergyFull, PsChargeFull, &full);
        if (!have_design)
            design = full;
        if (!have_full)
            full = design;
        if (PsBattAlarmMwh(Supply, &alarm) && alarm > full)
            alarm = 0;
    }
    Information->DesignedCapacity = design;
    Information->FullChargedCapacity = full;
    /* sysfs has one alarm level (the ACPI _BTP/_BIX low): both alerts. */
    Information->DefaultAlert1 = alarm;
    Information->DefaultAlert2 = alarm;
    Information->CriticalBias = 0;
    Information->CycleCount =
        PS_HAS(Supply, PsCycleCount) ? PsBattClampUlong(Supply->Number[PsCycleCount]) : 0;
}

static BOOLEAN PsBattOnline(const PSBATT_SUPPLY *S, LONG AcOnline)
{
    if (AcOnline >= 0)
        return AcOnline != 0;
    /* No Mains/USB supply to ask: only a discharging battery is off line. */
    return PS_HASS(S, PsStatus) && !PsBattIs(S, PsStatus, "Discharging");
}

/* Magnitude of the present rate, mW: power_now, else current_now times
 * voltage_now (some drivers sign current_now; the sign is the status's). */
static BOOLEAN PsBattRateMw(const PSBATT_SUPPLY *S, PULONG Mw)
{
    if (PS_HAS(S, PsPowerNow)) {
        LONGLONG p = S->Number[PsPowerNow];
        *Mw = PsBattClampUlong((p < 0 ? -p : p) / 1000);
        return TRUE;
    }
    if (PS_HAS(S, PsCurrentNow) && PS_HAS(S, PsVoltageNow)) {
        LONGLONG i = S->Number[PsCurrentNow];
        *Mw = PsBattClampUlong((i < 0 ? -i : i) * S->Number[PsVoltageNow] / 1000000000ll);
        return TRUE;
    }
    return FALSE;
}

static ULONG PsBattNowCapacity(const PSBATT_SUPPLY *S)
{
    ULONG mwh, full;
    if (PsBattRelative(S))
        return PS_HAS(S, PsCapacity) ? PsBattClampUlong(S->Number[PsCapacity])
                                     : BATTERY_UNKNOWN_CAPACITY;
    if (PsBattMwh(S, PsEnergyNow, PsChargeNow, &mwh))
        return mwh;
    /* No *_now: the percentage of the full charge, when both are known. */
    if (PS_HAS(S, PsCapacity) && PsBattMwh(S, PsEnergyFull, PsChargeFull, &full))
        return (ULONG)((ULONGLONG)full * PsBattClampUlong(S->Number[PsCapacity]) / 100);
    return BATTERY_UNKNOWN_CAPACITY;
}

VOID PsBattMapStatus(const PSBATT_SUPPLY *Supply, LONG AcOnline, PBATTERY_STATUS Status)
{
    ULONG mw;
    BOOLEAN charging = PsBattIs(Supply, PsStatus, "Charging");
    BOOLEAN discharging = PsBattIs(Supply, PsStatus, "Discharging");

    RtlZeroMemory(Status, sizeof(*Status));
    if (PsBattOnline(Supply, AcOnline))
        Status->PowerState |= BATTERY_POWER_ON_LINE;
    if (charging)
        Status->PowerState |= BATTERY_CHARGING;
    if (discharging)
        Status->PowerState |= BATTERY_DISCHARGING;
    if (PsBattIs(Supply, PsCapacityLevel, "Critical"))
        Status->PowerState |= BATTERY_CRITICAL;
    Status->Capacity = PsBattNowCapacity(Supply);
    Status->Voltage = PS_HAS(Supply, PsVoltageNow) && Supply->Number[PsVoltageNow] > 0
                          ? PsBattClampUlong(Supply->Number[PsVoltageNow] / 1000)
                          : BATTERY_UNKNOWN_VOLTAGE;
    if (!charging && !discharging)
        Status->Rate = 0; /* Full, Not charging, Unknown: no flow to report */
    else if (PsBattRelative(Supply) || !PsBattRateMw(Supply, &mw) || mw > 0x7FFFFFFF)
        Status->Rate = (LONG)BATTERY_UNKNOWN_RATE;
    else
        Status->Rate = discharging ? -(LONG)mw : (LONG)mw;
}

/* docs: tenths of kelvin. 0 degC = 2731.5, rounded up. */
BOOLEAN PsBattMapTemperature(const PSBATT_SUPPLY *Supply, PULONG Temperature)
{
    if (!PS_HAS(Supply, PsTemp) || Supply->Number[PsTemp] <= -2732)
        return FALSE;
    *Temperature = (ULONG)(Supply->Number[PsTemp] + 2732);
    return TRUE;
}

/* docs: AtRate < 0 a hypothetical drain (mW); 0 the present one, unknown
 * on AC; > 0 unknown. time_to_empty_now when the driver gives it. */
ULONG PsBattMapEstimatedTime(const PSBATT_SUPPLY *Supply, LONG AtRate, LONG AcOnline)
{
    BATTERY_STATUS status;
    PsBattMapStatus(Supply, AcOnline, &status);
    BOOLEAN mwh = !PsBattRelative(Supply) && status.Capacity != BATTERY_UNKNOWN_CAPACITY;
    if (AtRate < 0)
        return mwh ? (ULONG)(3600ull * status.Capacity / (ULONGLONG)(-(LONGLONG)AtRate))
                   : BATTERY_UNKNOWN_TIME;
    if (AtRate > 0 || (status.PowerState & BATTERY_POWER_ON_LINE) ||
        !(status.PowerState & BATTERY_DISCHARGING))
        return BATTERY_UNKNOWN_TIME;
    if (PS_HAS(Supply, PsTimeToEmptyNow) && Supply->Number[PsTimeToEmptyNow] > 0)
        return PsBattClampUlong(Supply->Number[PsTimeToEmptyNow]);
    if (!mwh || status.Rate == (LONG)BATTERY_UNKNOWN_RATE || status.Rate >= 0)
        return BATTERY_UNKNOWN_TIME;
    return (ULONG)(3600ull * status.Capacity / (ULONGLONG)(-(LONGLONG)status.Rate));
}

BOOLEAN PsBattMapDate(const PSBATT_SUPPLY *Supply, PBATTERY_MANUFACTURE_DATE Date)
{
    if (!PS_HAS(Supply, PsManufactureYear) || !PS_HAS(Supply, PsManufactureMonth) ||
        !PS_HAS(Supply, PsManufactureDay))
        return FALSE;
    LONGLONG y = Supply->Number[PsManufactureYear], m = Supply->Number[PsManufactureMonth],
             d = Supply->Number[PsManufactureDay];
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
        return FALSE;
    Date->Year = (USHORT)y;
    Date->Month = (UCHAR)m;
    Date->Day = (UCHAR)d;
    return TRUE;
}

static SIZE_T PsBattAppend(CHAR *Text, SIZE_T Used, SIZE_T Size, const CHAR *Part)
{
    while (*Part && Used + 1 < Size)
        Text[Used++] = *Part++;
    Text[Used] = 0;
    return Used;
}

static const CHAR *PsBattText(const PSBATT_SUPPLY *S, PSBATT_STRING Which)
{
    return PS_HASS(S, Which) ? S->String[Which] : "";
}

BOOLEAN PsBattMapString(const PSBATT_SUPPLY *Supply, BATTERY_QUERY_INFORMATION_LEVEL Level,
                        CHAR *Text, SIZE_T Size)
{
    SIZE_T used = 0;
    BATTERY_MANUFACTURE_DATE date;
    Text[0] = 0;
    switch (Level) {
    case BatteryDeviceName:
        used = PsBattAppend(Text, 0, Size, PsBattText(Supply, PsModelName));
        break;
    case BatteryManufactureName:
        used = PsBattAppend(Text, 0, Size, PsBattText(Supply, PsManufacturer));
        break;
    case BatterySerialNumber:
        used = PsBattAppend(Text, 0, Size, PsBattText(Supply, PsSerialNumber));
        break;
    case BatteryUniqueID:
        /* docs: manufacturer + device name + manufacture date + serial. */
        used = PsBattAppend(Text, used, Size, PsBattText(Supply, PsManufacturer));
        used = PsBattAppend(Text, used, Size, PsBattText(Supply, PsModelName));
        if (used && PsBattMapDate(Supply, &date)) {
            CHAR digits[9];
            ULONG v = (ULONG)date.Year * 10000u + date.Month * 100u + date.Day;
            for (int i = 7; i >= 0; i--, v /= 10)
                digits[i] = (CHAR)('0' + v % 10);
            digits[8] = 0;
            used = PsBattAppend(Text, used, Size, digits);
        }
        used = PsBattAppend(Text, used, Size, PsBattText(Supply, PsSerialNumber));
        break;
    default:
        return FALSE;
    }
    return used != 0;
}

BOOLEAN PsBattStaticDiffers(const PSBATT_SUPPLY *A, const PSBATT_SUPPLY *B)
{
    static const PSBATT_NUMBER numbers[] = {PsEnergyFullDesign,
                                            PsEnergyFull,
                                            PsChargeFullDesign,
                                            PsChargeFull,
                                            PsVoltageMinDesign,
                                            PsCycleCount,
                                            PsAlarm,
                                            PsManufactureYear,
                                            PsManufactureMonth,
                                            PsManufactureDay};
    static const PSBATT_STRING strings[] = {PsTechnology, PsManufacturer, PsModelName,
                                            PsSerialNumber, PsScope};
    for (ULONG i = 0; i < RTL_NUMBER_OF(numbers); i++) {
        PSBATT_NUMBER n = numbers[i];
        if (PS_HAS(A, n) != PS_HAS(B, n) || (PS_HAS(A, n) && A->Number[n] != B->Number[n]))
            return TRUE;
    }
    for (ULONG i = 0; i < RTL_NUMBER_OF(strings); i++) {
        PSBATT_STRING s = strings[i];
        if (PS_HASS(A, s) != PS_HASS(B, s) ||
            (PS_HASS(A, s) &&
             RtlCompareMemory(A->String[s], B->String[s], PSBATT_STRING_MAX) != PSBATT_STRING_MAX))
            return TRUE;
    }
    /* A charge-based pack's capacities follow its voltage: a new mode too. */
    return PsBattMode(A) != PsBattMode(B);
}

/* NUT's variables -> battc's structures and units: pure functions of one
 * reading (thousandths of NUT's unit, upsd.c) and the machine
 * description's figures, so every rule is tested without a socket.
 * Capacities in mWh: battery.charge (%) of the full capacity, which is
 * battery.capacity (Ah) x battery.voltage.nominal (V) when the UPS gives
 * both, else the machine description's design_capacity_mwh. */
#include "nutbatt.h"

#include <stdio.h>
#include <string.h>

typedef struct _NUTBATT_FLAG {
    const char *Name;
    ULONG Flag;
} NUTBATT_FLAG;

static const NUTBATT_FLAG NutBattFlags[] = {
    {"OL", NUT_FLAG_OL},     {"OB", NUT_FLAG_OB},           {"LB", NUT_FLAG_LB},
    {"CHRG", NUT_FLAG_CHRG}, {"DISCHRG", NUT_FLAG_DISCHRG}, {"RB", NUT_FLAG_RB},
    {"FSD", NUT_FLAG_FSD},   {"OFF", NUT_FLAG_OFF},         {"BYPASS", NUT_FLAG_BYPASS},
    {"CAL", NUT_FLAG_CAL},   {"OVER", NUT_FLAG_OVER},
};

ULONG NutBattStatusFlags(const NUTBATT_READING *Reading)
{
    ULONG flags = 0;
    if (!NUT_HASS(Reading, NutStatus))
        return 0;
    const CHAR *p = Reading->String[NutStatus];
    while (*p) {
        while (*p == ' ')
            p++;
        SIZE_T n = 0;
        while (p[n] && p[n] != ' ')
            n++;
        for (SIZE_T i = 0; i < RTL_NUMBER_OF(NutBattFlags) && n; i++)
            if (strlen(NutBattFlags[i].Name) == n && memcmp(NutBattFlags[i].Name, p, n) == 0)
                flags |= NutBattFlags[i].Flag;
        p += n; /* a flag not in the table (TRIM, BOOST, ALARM, ...) says nothing of the battery */
    }
    return flags;
}

/* mWh when full; 0 when neither the UPS nor the machine says. */
static ULONG NutBattFullMwh(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config)
{
    if (NUT_HAS(Reading, NutCapacity) && NUT_HAS(Reading, NutVoltageNominal) &&
        Reading->Number[NutCapacity] > 0 && Reading->Number[NutVoltageNominal] > 0) {
        /* mAh x mV / 1000 = mWh */
        LONGLONG mwh = Reading->Number[NutCapacity] * Reading->Number[NutVoltageNominal] / 1000;
        if (mwh > 0 && mwh < (LONGLONG)BATTERY_UNKNOWN_CAPACITY)
            return (ULONG)mwh;
    }
    return Config->DesignCapacityMwh;
}

/* A share (thousandths of a percent) of Full, in mWh. */
static ULONG NutBattShare(ULONG Full, LONGLONG MilliPercent)
{
    if (MilliPercent < 0)
        MilliPercent = 0;
    if (MilliPercent > 100000)
        MilliPercent = 100000;
    return (ULONG)((LONGLONG)Full * MilliPercent / 100000);
}

static ULONG NutBattCapacityMwh(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config)
{
    ULONG full = NutBattFullMwh(Reading, Config);
    if (!full || !NUT_HAS(Reading, NutCharge))
        return BATTERY_UNKNOWN_CAPACITY;
    return NutBattShare(full, Reading->Number[NutCharge]);
}

VOID NutBattMapInformation(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                           PBATTERY_INFORMATION Information)
{
    ULONG full = NutBattFullMwh(Reading, Config);
    RtlZeroMemory(Information, sizeof(*Information));
    /* docs: BATTERY_IS_SHORT_TERM for a UPS; it does power the system. */
    Information->Capabilities = BATTERY_SYSTEM_BATTERY | BATTERY_IS_SHORT_TERM;
    Information->Technology = 1; /* rechargeable */
    const CHAR *chemistry =
        NUT_HASS(Reading, NutChemistry) ? Reading->String[NutChemistry] : Config->Chemistry;
    for (SIZE_T i = 0; i < sizeof Information->Chemistry && chemistry[i]; i++)
        Information->Chemistry[i] = (UCHAR)chemistry[i];
    Information->DesignedCapacity = full;
    Information->FullChargedCapacity = full; /* NUT reports no wear figure */
    /* The UPS raises LB at battery.charge.low: the low alert. */
    if (full && NUT_HAS(Reading, NutChargeLow))
        Information->DefaultAlert1 = NutBattShare(full, Reading->Number[NutChargeLow]);
    if (full && NUT_HAS(Reading, NutChargeWarning))
        Information->DefaultAlert2 = NutBattShare(full, Reading->Number[NutChargeWarning]);
    if (Information->DefaultAlert2 < Information->DefaultAlert1)
        Information->DefaultAlert2 = Information->DefaultAlert1;
    Information->CriticalBias = 0;
    Information->CycleCount = 0; /* NUT has no cycle count */
}

VOID NutBattMapStatus(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                      PBATTERY_STATUS Status)
{
    ULONG flags = NutBattStatusFlags(Reading);
    RtlZeroMemory(Status, sizeof(*Status));
    if (flags & NUT_FLAG_OL)
        Status->PowerState |= BATTERY_POWER_ON_LINE;
    /* On battery is discharging whether or not the UPS also says DISCHRG;
     * a UPS that says both CHRG and DISCHRG is counted as discharging. */
    if (flags & (NUT_FLAG_OB | NUT_FLAG_DISCHRG))
        Status->PowerState |= BATTERY_DISCHARGING;
    else if (flags & NUT_FLAG_CHRG)
        Status->PowerState |= BATTERY_CHARGING;
    /* LB: the UPS says its charge is at the low threshold; FSD: the
     * primary upsmon is shutting down on it. Both are critical. */
    if (flags & (NUT_FLAG_LB | NUT_FLAG_FSD))
        Status->PowerState |= BATTERY_CRITICAL;
    Status->Capacity = NutBattCapacityMwh(Reading, Config);
    Status->Voltage = BATTERY_UNKNOWN_VOLTAGE;
    if (NUT_HAS(Reading, NutVoltage) && Reading->Number[NutVoltage] > 0 &&
        Reading->Number[NutVoltage] < (LONGLONG)BATTERY_UNKNOWN_VOLTAGE)
        Status->Voltage = (ULONG)Reading->Number[NutVoltage]; /* V/1000 = mV */
    /* NUT gives no battery power; while discharging, the UPS's runtime
     * estimate implies the mean drain: what is left over the time left. */
    Status->Rate = (LONG)BATTERY_UNKNOWN_RATE;
    if (Status->PowerState & BATTERY_DISCHARGING) {
        if (Status->Capacity != BATTERY_UNKNOWN_CAPACITY && NUT_HAS(Reading, NutRuntime) &&
            Reading->Number[NutRuntime] >= 1000) {
            LONGLONG mw = (LONGLONG)Status->Capacity * 3600 * 1000 / Reading->Number[NutRuntime];
            if (mw > 0 && mw < 0x7fffffffLL)
                Status->Rate = -(LONG)mw;
        }
    } else if (!(Status->PowerState & BATTERY_CHARGING) && (flags & NUT_FLAG_OL)) {
        Status->Rate = 0; /* on line and neither charging nor discharging: idle */
    }
}

ULONG NutBattMapEstimatedTime(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                              LONG AtRate)
{
    BATTERY_STATUS status;
    NutBattMapStatus(Reading, Config, &status);
    if (AtRate < 0) {
        /* docs: the time at that (discharge) rate, from what is left. */
        if (status.Capacity == BATTERY_UNKNOWN_CAPACITY)
            return BATTERY_UNKNOWN_TIME;
        return (ULONG)((ULONGLONG)status.Capacity * 3600 / (ULONGLONG)(-(LONGLONG)AtRate));
    }
    if (AtRate > 0)
        return BATTERY_UNKNOWN_TIME; /* a charge rate has no time to empty */
    /* docs (1.3): no estimate unless discharging; the UPS's own figure. */
    if (!(status.PowerState & BATTERY_DISCHARGING) || !NUT_HAS(Reading, NutRuntime) ||
        Reading->Number[NutRuntime] < 0)
        return BATTERY_UNKNOWN_TIME;
    LONGLONG seconds = Reading->Number[NutRuntime] / 1000;
    return seconds >= (LONGLONG)BATTERY_UNKNOWN_TIME ? BATTERY_UNKNOWN_TIME - 1 : (ULONG)seconds;
}

BOOLEAN NutBattMapTemperature(const NUTBATT_READING *Reading, PULONG Temperature)
{
    if (!NUT_HAS(Reading, NutTemperature))
        return FALSE;
    /* m degC -> tenths of kelvin: (C + 273.15) x 10 */
    LONGLONG tenths = (Reading->Number[NutTemperature] + 273150) / 100;
    if (tenths <= 0 || tenths > 10000)
        return FALSE; /* not a temperature a UPS battery has */
    *Temperature = (ULONG)tenths;
    return TRUE;
}

BOOLEAN NutBattMapGranularity(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                              PBATTERY_REPORTING_SCALE Scale)
{
    ULONG full = NutBattFullMwh(Reading, Config);
    if (!full || !NUT_HAS(Reading, NutCharge))
        return FALSE;
    /* battery.charge moves in whole percent: a hundredth of full. */
    Scale->Granularity = full / 100 ? full / 100 : 1;
    Scale->Capacity = full;
    return TRUE;
}

/* battery.mfr.date as YYYY/MM/DD or YYYY-MM-DD (what UPS firmware writes
 * most); any other form is no date. */
BOOLEAN NutBattMapDate(const NUTBATT_READING *Reading, PBATTERY_MANUFACTURE_DATE Date)
{
    unsigned year, month, day;
    char sep1, sep2, rest;
    if (!NUT_HASS(Reading, NutDate))
        return FALSE;
    if (sscanf(Reading->String[NutDate], "%4u%c%2u%c%2u%c", &year, &sep1, &month, &sep2, &day,
               &rest) != 5 ||
        sep1 != sep2 || (sep1 != '/' && sep1 != '-'))
        return FALSE;
    if (year < 1980 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31)
        return FALSE;
    Date->Year = (USHORT)year;
    Date->Month = (UCHAR)month;
    Date->Day = (UCHAR)day;
    return TRUE;
}

/* What the UPS says first, the machine description where it says nothing. */
static const CHAR *NutBattText(const NUTBATT_READING *Reading, NUTBATT_STRING Slot,
                               const CHAR *Fallback)
{
    return NUT_HASS(Reading, Slot) ? Reading->String[Slot] : Fallback;
}

BOOLEAN NutBattMapString(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                         BATTERY_QUERY_INFORMATION_LEVEL Level, CHAR *Text, SIZE_T Size)
{
    const CHAR *s = NULL;
    switch (Level) {
    case BatteryDeviceName:
        s = NutBattText(Reading, NutModel, Config->Model);
        break;
    case BatteryManufactureName:
        s = NutBattText(Reading, NutManufacturer, Config->Manufacturer);
        break;
    case BatterySerialNumber:
        s = NutBattText(Reading, NutSerial, Config->Serial);
        break;
    case BatteryUniqueID: {
        /* The UPS as upsd names it, and its serial when it has one. */
        const CHAR *serial = NutBattText(Reading, NutSerial, Config->Serial);
        int n = snprintf(Text, Size, "%s@%s:%u%s%s", Config->UpsName, Config->Host,
                         (unsigned)Config->Port, serial[0] ? "#" : "", serial);
        return n > 0 && (SIZE_T)n < Size;
    }
    default:
        return FALSE;
    }
    if (!s || !s[0])
        return FALSE;
    int n = snprintf(Text, Size, "%s", s);
    return n > 0;
}

BOOLEAN NutBattStaticDiffers(const NUTBATT_READING *A, const NUTBATT_READING *B,
                             const NUTBATT_CONFIG *Config)
{
    static const NUTBATT_STRING fixed[] = {NutManufacturer, NutModel, NutSerial, NutChemistry,
                                           NutDate};
    static const NUTBATT_NUMBER alerts[] = {NutChargeLow, NutChargeWarning};
    if (NutBattFullMwh(A, Config) != NutBattFullMwh(B, Config))
        return TRUE;
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(alerts); i++) {
        NUTBATT_NUMBER n = alerts[i];
        if (NUT_HAS(A, n) != NUT_HAS(B, n) || (NUT_HAS(A, n) && A->Number[n] != B->Number[n]))
            return TRUE;
    }
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(fixed); i++) {
        NUTBATT_STRING s = fixed[i];
        if (NUT_HASS(A, s) != NUT_HASS(B, s) ||
            (NUT_HASS(A, s) && strcmp(A->String[s], B->String[s]) != 0))
            return TRUE;
    }
    return FALSE;
}

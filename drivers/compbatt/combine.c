/* The composite's figures from its members' (docs/compbatt.md): one pure
 * function, so the rules are tested without a single IRP. Capacities are
 * summed in mWh; relative-capacity members count only when no member
 * reports mWh (a percentage added to milliwatt-hours is no quantity). */
#include "compbatt_private.h"

static BOOLEAN IsRelative(const COMPBATT_READING *r)
{
    return (r->Info.Capabilities & BATTERY_CAPACITY_RELATIVE) != 0;
}

static VOID AddKnown(PULONG Sum, ULONG Value)
{
    if (Value != BATTERY_UNKNOWN_CAPACITY && *Sum != BATTERY_UNKNOWN_CAPACITY)
        *Sum += Value;
}

/* Included: how many members went into the figures. */
VOID CompBattCombine(const COMPBATT_READING *Members, ULONG Count, PBATTERY_INFORMATION Info,
                     PBATTERY_STATUS Status, PULONG Included)
{
    BOOLEAN anyAbsolute = FALSE, allCritical = TRUE, rateKnown = TRUE, anyRate = FALSE,
            first = TRUE;
    BOOLEAN sameChemistry = TRUE;
    LONG rate = 0;
    ULONG n = 0, voltage = BATTERY_UNKNOWN_VOLTAGE;

    RtlZeroMemory(Info, sizeof(*Info));
    RtlZeroMemory(Status, sizeof(*Status));
    for (ULONG i = 0; i < Count; i++)
        if (Members[i].Valid && !IsRelative(&Members[i]))
            anyAbsolute = TRUE;

    for (ULONG i = 0; i < Count; i++) {
        const COMPBATT_READING *m = &Members[i];
        if (!m->Valid || (anyAbsolute && IsRelative(m)))
            continue;
        n++;
        Info->Capabilities |= m->Info.Capabilities & BATTERY_SYSTEM_BATTERY;
        if (m->Info.Technology)
            Info->Technology = 1; /* rechargeable if any is */
        if (first)
            RtlCopyMemory(Info->Chemistry, m->Info.Chemistry, sizeof(Info->Chemistry));
        else if (RtlCompareMemory(Info->Chemistry, m->Info.Chemistry, sizeof(Info->Chemistry)) !=
                 sizeof(Info->Chemistry))
            sameChemistry = FALSE;
        AddKnown(&Info->DesignedCapacity, m->Info.DesignedCapacity);
        AddKnown(&Info->FullChargedCapacity, m->Info.FullChargedCapacity);
        Info->DefaultAlert1 += m->Info.DefaultAlert1;
        Info->DefaultAlert2 += m->Info.DefaultAlert2;
        Info->CriticalBias += m->Info.CriticalBias;
        if (m->Info.CycleCount > Info->CycleCount)
            Info->CycleCount = m->Info.CycleCount; /* the most worn pack */

        /* Power state: on line if any says so; charging or discharging if
         * any pack does. Critical is decided for the whole below. */
        Status->PowerState |=
            m->Status.PowerState & (BATTERY_POWER_ON_LINE | BATTERY_CHARGING | BATTERY_DISCHARGING);
        if (!(m->Status.PowerState & BATTERY_CRITICAL))
            allCritical = FALSE;
        if (m->Status.Capacity == BATTERY_UNKNOWN_CAPACITY)
            Status->Capacity = BATTERY_UNKNOWN_CAPACITY;
        else
            AddKnown(&Status->Capacity, m->Status.Capacity);
        if (m->Status.Voltage != BATTERY_UNKNOWN_VOLTAGE &&
            (voltage == BATTERY_UNKNOWN_VOLTAGE || m->Status.Voltage > voltage))
            voltage = m->Status.Voltage; /* packs in parallel: the highest */
        if (m->Status.Rate == (LONG)BATTERY_UNKNOWN_RATE) {
            /* An idle pack with no rate adds nothing; a working one whose
             * rate is unknown makes the total unknown. */
            if (m->Status.PowerState & (BATTERY_CHARGING | BATTERY_DISCHARGING))
                rateKnown = FALSE;
        } else {
            rate += m->Status.Rate;
            anyRate = TRUE;
        }
        first = FALSE;
    }
    if (!anyAbsolute && n)
        Info->Capabilities |= BATTERY_CAPACITY_RELATIVE;
    if (!sameChemistry)
        RtlZeroMemory(Info->Chemistry, sizeof(Info->Chemistry));
    Status->Voltage = voltage;
    Status->Rate = rateKnown && anyRate ? rate : (LONG)BATTERY_UNKNOWN_RATE;
    if (n == 0) {
        Status->Capacity = BATTERY_UNKNOWN_CAPACITY;
        Status->Rate = (LONG)BATTERY_UNKNOWN_RATE;
    }
    /* Critical means the system as a whole is out of power: every pack
     * says so, or, on battery, what is left in all of them together is at
     * or below their summed low alarm. One dead pack of two is not it. */
    if (n && allCritical)
        Status->PowerState |= BATTERY_CRITICAL;
    if (n && !(Status->PowerState & BATTERY_POWER_ON_LINE) &&
        (Status->PowerState & BATTERY_DISCHARGING) &&
        Status->Capacity != BATTERY_UNKNOWN_CAPACITY && Status->Capacity <= Info->DefaultAlert1)
        Status->PowerState |= BATTERY_CRITICAL;
    *Included = n;
}

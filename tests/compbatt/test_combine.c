/* The composite's combine rules (drivers/compbatt/combine.c, docs/compbatt.md)
 * on hand-made member readings. */
#include "bk_test.h"
#include "compbatt_private.h"

static COMPBATT_READING pack(ULONG full, ULONG cap, LONG rate, ULONG state, ULONG alert1)
{
    COMPBATT_READING r = {.Valid = TRUE};
    r.Info.Capabilities = BATTERY_SYSTEM_BATTERY;
    r.Info.Technology = 1;
    r.Info.DesignedCapacity = full;
    r.Info.FullChargedCapacity = full;
    r.Info.DefaultAlert1 = alert1;
    r.Status.PowerState = state;
    r.Status.Capacity = cap;
    r.Status.Rate = rate;
    r.Status.Voltage = 11400;
    return r;
}

TEST(capacities_and_rates_of_mwh_members_are_summed)
{
    COMPBATT_READING m[2] = {pack(50000, 20000, -6000, BATTERY_DISCHARGING, 2500),
                             pack(30000, 15000, -4000, BATTERY_DISCHARGING, 1500)};
    BATTERY_INFORMATION info;
    BATTERY_STATUS st;
    ULONG n;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK_EQ(n, 2);
    CHECK_EQ(info.FullChargedCapacity, 80000);
    CHECK_EQ(info.DesignedCapacity, 80000);
    CHECK_EQ(info.DefaultAlert1, 4000);
    CHECK_EQ(st.Capacity, 35000);
    CHECK_EQ(st.Rate, -10000);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
    CHECK(!(info.Capabilities & BATTERY_CAPACITY_RELATIVE));
}

TEST(relative_capacity_member_left_out_of_mwh_total)
{
    COMPBATT_READING m[2] = {pack(50000, 20000, -6000, BATTERY_DISCHARGING, 2500),
                             pack(100, 80, BATTERY_UNKNOWN_RATE, BATTERY_DISCHARGING, 5)};
    m[1].Info.Capabilities |= BATTERY_CAPACITY_RELATIVE;
    BATTERY_INFORMATION info;
    BATTERY_STATUS st;
    ULONG n;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK_EQ(n, 1); /* 80 % is no milliwatt-hours: left out */
    CHECK_EQ(info.FullChargedCapacity, 50000);
    CHECK_EQ(st.Capacity, 20000);
    CHECK_EQ(st.Rate, -6000);
    CHECK(!(info.Capabilities & BATTERY_CAPACITY_RELATIVE));
}

TEST(all_relative_members_give_a_relative_composite)
{
    COMPBATT_READING m[2] = {pack(100, 50, BATTERY_UNKNOWN_RATE, 0, 5),
                             pack(100, 30, BATTERY_UNKNOWN_RATE, 0, 5)};
    m[0].Info.Capabilities |= BATTERY_CAPACITY_RELATIVE;
    m[1].Info.Capabilities |= BATTERY_CAPACITY_RELATIVE;
    BATTERY_INFORMATION info;
    BATTERY_STATUS st;
    ULONG n;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK_EQ(n, 2);
    CHECK(info.Capabilities & BATTERY_CAPACITY_RELATIVE);
    CHECK_EQ(info.FullChargedCapacity, 200);
    CHECK_EQ(st.Capacity, 80); /* 40 % of the whole */
    CHECK_EQ(st.Rate, (LONG)BATTERY_UNKNOWN_RATE);
}

TEST(one_dead_pack_of_two_is_not_system_critical)
{
    COMPBATT_READING m[2] = {pack(50000, 0, 0, BATTERY_DISCHARGING | BATTERY_CRITICAL, 2500),
                             pack(30000, 12000, -8000, BATTERY_DISCHARGING, 1500)};
    BATTERY_INFORMATION info;
    BATTERY_STATUS st;
    ULONG n;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK(!(st.PowerState & BATTERY_CRITICAL));
    CHECK_EQ(st.Capacity, 12000);
}

TEST(system_critical_when_every_pack_is_or_the_total_is_at_the_low_alarm)
{
    COMPBATT_READING m[2] = {pack(50000, 0, 0, BATTERY_DISCHARGING | BATTERY_CRITICAL, 2500),
                             pack(30000, 500, -8000, BATTERY_DISCHARGING | BATTERY_CRITICAL, 1500)};
    BATTERY_INFORMATION info;
    BATTERY_STATUS st;
    ULONG n;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK(st.PowerState & BATTERY_CRITICAL);
    /* Neither pack says so, but together 3000 mWh <= 4000 mWh of alarms. */
    m[0] = pack(50000, 1000, -4000, BATTERY_DISCHARGING, 2500);
    m[1] = pack(30000, 2000, -4000, BATTERY_DISCHARGING, 1500);
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK(st.PowerState & BATTERY_CRITICAL);
    m[0].Status.PowerState = m[1].Status.PowerState = BATTERY_POWER_ON_LINE;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK(!(st.PowerState & BATTERY_CRITICAL)); /* on AC nothing is running out */
}

TEST(ac_on_line_and_charging_if_any_member_says_so)
{
    COMPBATT_READING m[2] = {
        pack(50000, 20000, 0, BATTERY_POWER_ON_LINE, 2500),
        pack(30000, 15000, 9000, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 1500)};
    BATTERY_INFORMATION info;
    BATTERY_STATUS st;
    ULONG n;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    CHECK_EQ(st.Rate, 9000);
}

TEST(unknown_rate_of_a_working_member_makes_the_total_unknown)
{
    COMPBATT_READING m[2] = {pack(50000, 20000, -6000, BATTERY_DISCHARGING, 2500),
                             pack(30000, 15000, BATTERY_UNKNOWN_RATE, BATTERY_DISCHARGING, 1500)};
    BATTERY_INFORMATION info;
    BATTERY_STATUS st;
    ULONG n;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK_EQ(st.Rate, (LONG)BATTERY_UNKNOWN_RATE);
}

TEST(invalid_members_contribute_nothing)
{
    COMPBATT_READING m[2] = {pack(50000, 20000, -6000, BATTERY_DISCHARGING, 2500),
                             pack(30000, 15000, -4000, BATTERY_DISCHARGING, 1500)};
    m[1].Valid = FALSE; /* its requests fail */
    BATTERY_INFORMATION info;
    BATTERY_STATUS st;
    ULONG n;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK_EQ(n, 1);
    CHECK_EQ(st.Capacity, 20000);
    m[0].Valid = FALSE;
    CompBattCombine(m, 2, &info, &st, &n);
    CHECK_EQ(n, 0);
    CHECK_EQ(st.Capacity, BATTERY_UNKNOWN_CAPACITY);
}

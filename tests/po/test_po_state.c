/* The power manager's mapping of the composite battery to
 * SYSTEM_BATTERY_STATE / SYSTEM_POWER_STATUS (reference 7.1, 7.2) and its
 * time estimate, on synthetic composite answers. */
#include "bk_test.h"
#include "po_internal.h"

#include <poclass.h>

#define S_NS 1000000000ull

static po_view_t composite(ULONG caps, ULONG full, ULONG cap, ULONG state, LONG rate)
{
    po_view_t v = {.attached = true, .readable = true, .present = true, .tag = 7};
    v.info.Capabilities = caps | BATTERY_SYSTEM_BATTERY;
    v.info.FullChargedCapacity = full;
    v.info.DesignedCapacity = full;
    v.info.DefaultAlert1 = full / 20;
    v.status.Capacity = cap;
    v.status.PowerState = state;
    v.status.Rate = rate;
    return v;
}

TEST(no_composite_or_no_battery_means_ac_and_the_no_battery_flag)
{
    bk_power_state_t s;
    po_view_t none = {0};
    po_compute_state(&none, BATTERY_UNKNOWN_TIME, BATTERY_UNKNOWN_TIME, &s);
    CHECK_EQ(s.ac_line_status, 1);
    CHECK_EQ(s.battery_flag, 0x80);
    CHECK_EQ(s.battery_present, 0);
    po_view_t empty = {.attached = true, .readable = true};
    po_compute_state(&empty, BATTERY_UNKNOWN_TIME, BATTERY_UNKNOWN_TIME, &s);
    CHECK_EQ(s.ac_line_status, 1);
    CHECK_EQ(s.battery_flag, 0x80);
    CHECK_EQ(s.battery_life_percent, 0xFF);
}

TEST(unreadable_composite_makes_everything_unknown)
{
    bk_power_state_t s;
    po_view_t v = {.attached = true, .readable = false};
    po_compute_state(&v, BATTERY_UNKNOWN_TIME, BATTERY_UNKNOWN_TIME, &s);
    CHECK_EQ(s.ac_line_status, 0xFF);
    CHECK_EQ(s.battery_flag, 0xFF);
    CHECK_EQ(s.battery_life_percent, 0xFF);
}

TEST(battery_flag_levels_and_life_times)
{
    static const struct {
        ULONG cap;
        UCHAR flag;
    } cases[] = {{90000, 0x01}, {50000, 0x00}, {20000, 0x02}, {4000, 0x06}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        po_view_t v = composite(0, 100000, cases[i].cap, BATTERY_DISCHARGING, -10000);
        bk_power_state_t s;
        po_compute_state(&v, 1234, 5678, &s);
        CHECK_EQ(s.battery_flag, cases[i].flag);
        CHECK_EQ(s.battery_life_time, 1234);
        CHECK_EQ(s.battery_full_life_time, 5678);
        CHECK_EQ(s.rate, -10000);
        CHECK_EQ(s.ac_line_status, 0);
    }
}

TEST(critical_flag_comes_from_the_composite_only_when_it_says_so)
{
    po_view_t v = composite(0, 100000, 40000, BATTERY_DISCHARGING, -10000);
    bk_power_state_t s;
    po_compute_state(&v, 100, 200, &s);
    CHECK(!(s.battery_flag & 0x04));
    v.status.PowerState |= BATTERY_CRITICAL;
    po_compute_state(&v, 100, 200, &s);
    CHECK(s.battery_flag & 0x04);
}

TEST(life_times_are_unknown_on_ac_and_charging_sets_the_flag)
{
    po_view_t v = composite(0, 100000, 50000, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 20000);
    bk_power_state_t s;
    po_compute_state(&v, 100, 200, &s);
    CHECK_EQ(s.ac_line_status, 1);
    CHECK(s.battery_flag & 0x08);
    CHECK_EQ(s.battery_life_time, 0xFFFFFFFFu);
    CHECK_EQ(s.estimated_time, BATTERY_UNKNOWN_TIME);
    CHECK_EQ(s.charging, 1);
}

TEST(relative_composite_gives_its_percentage_and_no_time)
{
    /* docs/compbatt.md: a composite of relative batteries reports percent
     * (full 100); its rates are not mW, so no estimate is made from them. */
    po_view_t v = composite(BATTERY_CAPACITY_RELATIVE, 100, 37, BATTERY_DISCHARGING, -5);
    po_estimate_t e;
    po_estimate_restart(&e, 0, false);
    po_estimate_sample(&e, 10 * S_NS, &v.info, &v.status);
    ULONG t = po_estimate_seconds(&e, 10 * S_NS, v.status.Capacity);
    CHECK_EQ(t, BATTERY_UNKNOWN_TIME);
    bk_power_state_t s;
    po_compute_state(&v, t, t, &s);
    CHECK_EQ(s.battery_life_percent, 37);
    CHECK_EQ(s.battery_life_time, 0xFFFFFFFFu);
}

TEST(estimate_waits_out_the_settle_period_and_smooths_the_rate)
{
    BATTERY_INFORMATION info = {.FullChargedCapacity = 60000};
    BATTERY_STATUS st = {.PowerState = BATTERY_DISCHARGING, .Capacity = 30000, .Rate = -10000};
    po_estimate_t e;
    po_estimate_restart(&e, 0, true);
    po_estimate_sample(&e, 5 * S_NS, &info, &st);
    CHECK_EQ(po_estimate_seconds(&e, 5 * S_NS, 30000), BATTERY_UNKNOWN_TIME);
    uint64_t t = PO_SETTLE_MS * 1000000ull;
    po_estimate_sample(&e, t, &info, &st);
    CHECK_EQ(po_estimate_seconds(&e, t, 30000), 10800); /* 30 Wh at 10 W */
    /* a spike one minute long moves it part of the way, not all */
    st.Rate = -30000;
    po_estimate_sample(&e, t + 60 * S_NS, &info, &st);
    ULONG after = po_estimate_seconds(&e, t + 60 * S_NS, 30000);
    CHECK(after < 10800 && after > 3600);
    /* a drain slower than a full charge in 200 h is no estimate at all */
    po_estimate_restart(&e, 0, false);
    st.Rate = -200;
    po_estimate_sample(&e, S_NS, &info, &st);
    CHECK_EQ(po_estimate_seconds(&e, S_NS, 60000), BATTERY_UNKNOWN_TIME);
}

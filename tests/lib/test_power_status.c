/* GetSystemPowerStatus (reference 7.1) over every system battery: the
 * composite rule (peers.md: sum capacities and rates; AC if any battery
 * says so) on synthetic readings, then end to end on an embedded host. */
#include "fixture.h"
#include "powercalc.h"

static bkc_battery_reading_t bat(ULONG state, ULONG cap, ULONG full, LONG rate)
{
    return (bkc_battery_reading_t){.state = BKC_BATTERY_OK,
                                   .capabilities = BATTERY_SYSTEM_BATTERY,
                                   .full_capacity = full,
                                   .power_state = state,
                                   .capacity = cap,
                                   .rate = rate};
}

TEST(no_battery_means_ac_and_the_no_battery_flag)
{
    bkc_power_status_t ps;
    bkc_compute_power_status(NULL, 0, &ps);
    CHECK_EQ(ps.ac_line_status, AC_LINE_ONLINE); /* docs: no battery found, assume AC */
    CHECK_EQ(ps.battery_flag, BATTERY_FLAG_NO_BATTERY);
    CHECK_EQ(ps.battery_life_percent, BATTERY_PERCENTAGE_UNKNOWN);
    CHECK_EQ(ps.battery_life_time, BATTERY_LIFE_UNKNOWN);
    bkc_battery_reading_t empty = {.state = BKC_BATTERY_ABSENT};
    bkc_compute_power_status(&empty, 1, &ps);
    CHECK_EQ(ps.battery_flag, BATTERY_FLAG_NO_BATTERY);
}

TEST(ac_is_online_if_any_battery_reports_it)
{
    /* A pack that is full reports neither charging nor AC on some firmware;
     * the other pack's AC bit decides (not "AC only if every one says so"). */
    bkc_battery_reading_t b[2] = {bat(BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 10000, 20000, 5000),
                                  bat(0, 40000, 40000, 0)};
    bkc_power_status_t ps;
    bkc_compute_power_status(b, 2, &ps);
    CHECK_EQ(ps.ac_line_status, AC_LINE_ONLINE);
    CHECK(ps.battery_flag & BATTERY_FLAG_CHARGING);
    CHECK_EQ(ps.battery_life_time, BATTERY_LIFE_UNKNOWN); /* docs: unknown on AC */
}

TEST(capacities_and_rates_are_summed)
{
    bkc_battery_reading_t b[2] = {bat(BATTERY_DISCHARGING, 10000, 20000, -6000),
                                  bat(BATTERY_DISCHARGING, 20000, 40000, -4000)};
    bkc_power_status_t ps;
    bkc_compute_power_status(b, 2, &ps);
    CHECK_EQ(ps.ac_line_status, AC_LINE_OFFLINE);
    CHECK_EQ(ps.battery_life_percent, 50);                 /* 30 of 60 Wh */
    CHECK_EQ(ps.battery_life_time, 30000u * 3600 / 10000); /* 30 Wh at 10 W: 3 h */
    CHECK_EQ(ps.battery_full_life_time, 60000u * 3600 / 10000);
    CHECK_EQ(ps.battery_flag, 0); /* between low (33 %) and high (66 %) */
}

TEST(battery_flag_levels)
{
    static const struct {
        ULONG cap;
        BYTE flag;
    } rows[] = {{67, BATTERY_FLAG_HIGH},
                {66, 0},
                {33, 0},
                {32, BATTERY_FLAG_LOW},
                {5, BATTERY_FLAG_LOW},
                {4, BATTERY_FLAG_LOW | BATTERY_FLAG_CRITICAL}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bkc_battery_reading_t b = bat(BATTERY_DISCHARGING, rows[i].cap * 1000, 100000, -1000);
        bkc_power_status_t ps;
        bkc_compute_power_status(&b, 1, &ps);
        CHECK_EQ(ps.battery_life_percent, rows[i].cap);
        CHECK_EQ(ps.battery_flag, rows[i].flag);
    }
    bkc_battery_reading_t crit = bat(BATTERY_DISCHARGING | BATTERY_CRITICAL, 50000, 100000, -1);
    bkc_power_status_t ps;
    bkc_compute_power_status(&crit, 1, &ps);
    CHECK_EQ(ps.battery_flag, BATTERY_FLAG_CRITICAL); /* the pack's own critical state */
}

TEST(unreadable_battery_makes_the_state_unknown)
{
    bkc_battery_reading_t b[2] = {bat(BATTERY_DISCHARGING, 10000, 20000, -1000),
                                  {.state = BKC_BATTERY_ERROR}};
    bkc_power_status_t ps;
    bkc_compute_power_status(b, 2, &ps);
    CHECK_EQ(ps.battery_flag, BATTERY_FLAG_UNKNOWN);
    bkc_compute_power_status(&b[1], 1, &ps);
    CHECK_EQ(ps.battery_flag, BATTERY_FLAG_UNKNOWN);
    CHECK_EQ(ps.ac_line_status, AC_LINE_UNKNOWN);
}

TEST(unknown_rate_leaves_life_time_unknown_and_non_system_batteries_do_not_count)
{
    bkc_battery_reading_t b[2] = {
        bat(BATTERY_DISCHARGING, 10000, 20000, (LONG)BATTERY_UNKNOWN_RATE),
        bat(BATTERY_DISCHARGING, 0, 20000, -1000)};
    b[1].capabilities = 0; /* not a system battery (e.g. a mouse) */
    bkc_power_status_t ps;
    bkc_compute_power_status(b, 2, &ps);
    CHECK_EQ(ps.battery_life_percent, 50);
    CHECK_EQ(ps.battery_life_time, BATTERY_LIFE_UNKNOWN);
}

TEST(get_system_power_status_follows_the_batteries)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    CHECK(!GetSystemPowerStatus(NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    SYSTEM_POWER_STATUS ps;
    REQUIRE(GetSystemPowerStatus(&ps));
    CHECK_EQ(ps.ACLineStatus, AC_LINE_ONLINE);
    CHECK(ps.BatteryLifePercent <= 100);
    CHECK_EQ(ps.BatteryLifeTime, BATTERY_LIFE_UNKNOWN);
    HANDLE h = fixture_open(GENERIC_READ, 0);
    ULONG tag = fixture_tag(h);
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = tag, .InformationLevel = BatteryInformation};
    BATTERY_INFORMATION bi;
    BATTERY_STATUS bs;
    DWORD got;
    REQUIRE(DeviceIoControl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, &bi, sizeof bi, &got,
                            NULL));
    REQUIRE(fixture_status(h, tag, &bs));
    CHECK_NEAR(ps.BatteryLifePercent, 100.0 * bs.Capacity / bi.FullChargedCapacity, 1);
    CHECK(BattkitSim(BATTKIT_SIM_AC, 0, 0, NULL));
    REQUIRE(GetSystemPowerStatus(&ps));
    CHECK_EQ(ps.ACLineStatus, AC_LINE_OFFLINE);
    CHECK(ps.BatteryLifeTime != BATTERY_LIFE_UNKNOWN);
    CHECK(ps.BatteryFullLifeTime >= ps.BatteryLifeTime);
    CloseHandle(h);
    fixture_stop(host);
}

/* State across restarts: with PersistState = 1 in the device's hardware key,
 * every control change is saved as SavedState and loaded at the next START
 * - as saved, not zeroed (SimBatt's pitfall, reference 10.11). A blob that
 * is not a valid state is ignored. */
#include "simbatt_fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A battery unlike the defaults in every stored part. */
static void change_everything(sb_t *sb)
{
    BATTERY_INFORMATION info = {BATTERY_SYSTEM_BATTERY | BATTERY_SET_CHARGE_SUPPORTED,
                                1,
                                {0},
                                {'P', 'b', 'A', 'c'},
                                72000,
                                64800,
                                3000,
                                7000,
                                500,
                                300};
    BATTERY_MANUFACTURE_DATE date = {30, 9, 2021};
    SIMBATT_GRANULARITY g = {2, {{5, 7000}, {50, 72000}}};
    ULONG temp = 3050, time = 5400;

    CHECK_STATUS(sb_ctl(sb, IOCTL_SIMBATT_SET_INFORMATION, &info, sizeof info), STATUS_SUCCESS);
    sb_set_status(sb, BATTERY_DISCHARGING, 12345, 10800, -6000);
    CHECK_STATUS(sb_ctl(sb, IOCTL_SIMBATT_SET_MANUFACTURE_DATE, &date, sizeof date),
                 STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(sb, IOCTL_SIMBATT_SET_GRANULARITY, &g, sizeof g), STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(sb, IOCTL_SIMBATT_SET_TEMPERATURE, &temp, sizeof temp), STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(sb, IOCTL_SIMBATT_SET_ESTIMATED_TIME, &time, sizeof time), STATUS_SUCCESS);
    CHECK_STATUS(sb_set_string(sb, BatterySerialNumber, L"PERSIST-1"), STATUS_SUCCESS);
    CHECK_STATUS(sb_set_string(sb, BatteryDeviceName, L"BK72R6"), STATUS_SUCCESS);
}

static void check_everything(sb_t *sb)
{
    SIMBATT_STATE st = sb_state(sb);
    BATTERY_STATUS bs;
    WCHAR text[64];

    /* Not zeroed, not the defaults: what was saved. */
    CHECK(st.Battery.Present);
    CHECK_EQ(st.Battery.Information.DesignedCapacity, 72000);
    CHECK_EQ(st.Battery.Information.FullChargedCapacity, 64800);
    CHECK_EQ(st.Battery.Information.CriticalBias, 500);
    CHECK_EQ(st.Battery.Information.CycleCount, 300);
    CHECK(memcmp(st.Battery.Information.Chemistry, "PbAc", 4) == 0);
    CHECK_EQ(st.Battery.Status.PowerState, BATTERY_DISCHARGING);
    CHECK_EQ(st.Battery.Status.Capacity, 12345);
    CHECK_EQ(st.Battery.Status.Rate, -6000);
    CHECK_EQ(st.Battery.ManufactureDate.Year, 2021);
    CHECK_EQ(st.Battery.GranularityCount, 2);
    CHECK_EQ(st.Battery.Granularity[1].Granularity, 50);
    CHECK_EQ(st.Battery.Temperature, 3050);
    CHECK_EQ(st.Battery.EstimatedTime, 5400);
    CHECK_STR(sb_narrow(st.Battery.Strings[SIMBATT_STRING_SERIAL_NUMBER]), "PERSIST-1");
    /* And the class driver sees it. */
    ULONG tag = sb_tag(sb);
    CHECK_STATUS(sb_query_status(sb, tag, &bs), STATUS_SUCCESS);
    CHECK_EQ(bs.Capacity, 12345 - 500);
    CHECK_STATUS(sb_query_info(sb, tag, BatteryDeviceName, 0, text, sizeof text, NULL),
                 STATUS_SUCCESS);
    CHECK_STR(sb_narrow(text), "BK72R6");
}

TEST(state_survives_device_removal_and_is_not_zeroed_when_loaded)
{
    sb_t sb;
    sb_options_t opt = {.persist = 1};

    SB_START(sb, &opt);
    change_everything(&sb);
    SIMBATT_STATE before = sb_state(&sb);
    CHECK(before.PersistEnabled);
    CHECK_STATUS(sb_remove_device(&sb, 0), STATUS_SUCCESS);
    REQUIRE(sb_add_device(&sb) == 0);
    check_everything(&sb);
    /* A new start is a new insertion: the tag moves on from the saved one. */
    SIMBATT_STATE after = sb_state(&sb);
    CHECK(after.Battery.Tag != before.Battery.Tag);
    CHECK_EQ(after.Battery.Tag, before.Battery.LastTag + 1);
    sb_stop(&sb);
}

TEST(state_survives_surprise_removal)
{
    sb_t sb;
    sb_options_t opt = {.persist = 1};

    SB_START(sb, &opt);
    change_everything(&sb);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(sb_remove_device(&sb, 1), STATUS_SUCCESS);
    REQUIRE(sb_add_device(&sb) == 0);
    SIMBATT_STATE st = sb_state(&sb);
    CHECK(!st.Battery.Present); /* saved without its battery */
    CHECK_EQ(st.Battery.Status.Capacity, 12345);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_INSERT_BATTERY, NULL, 0), STATUS_SUCCESS);
    check_everything(&sb);
    sb_stop(&sb);
}

TEST(without_persist_state_the_defaults_come_back)
{
    sb_t sb;

    SB_START(sb, NULL);
    change_everything(&sb);
    CHECK(!sb_state(&sb).PersistEnabled);
    CHECK_STATUS(sb_remove_device(&sb, 0), STATUS_SUCCESS);
    REQUIRE(sb_add_device(&sb) == 0);
    SIMBATT_STATE st = sb_state(&sb);
    CHECK_EQ(st.Battery.Information.DesignedCapacity, 50000);
    CHECK_EQ(st.Battery.Status.Capacity, 36000);
    sb_stop(&sb);
}

TEST(persist_state_turned_on_later_takes_effect)
{
    sb_t sb;

    SB_START(sb, NULL);
    sb_set_persist(&sb, sb.instance, 1);
    change_everything(&sb);
    CHECK(sb_state(&sb).PersistEnabled);
    CHECK_STATUS(sb_remove_device(&sb, 0), STATUS_SUCCESS);
    REQUIRE(sb_add_device(&sb) == 0);
    check_everything(&sb);
    /* Turned off: a saved state is not revived. */
    sb_set_persist(&sb, sb.instance, 0);
    CHECK_STATUS(sb_remove_device(&sb, 0), STATUS_SUCCESS);
    REQUIRE(sb_add_device(&sb) == 0);
    CHECK_EQ(sb_state(&sb).Battery.Status.Capacity, 36000);
    sb_stop(&sb);
}

TEST(invalid_saved_state_is_ignored)
{
    sb_t sb;
    sb_options_t opt = {.persist = 1};
    SIMBATT_SAVED_STATE saved;

    SB_START(sb, &opt);
    memset(&saved, 0, sizeof saved);
    saved.Version = SIMBATT_SAVED_STATE_VERSION;
    saved.Size = sizeof saved;
    saved.Battery = sb_state(&sb).Battery;
    saved.Battery.Status.Capacity = 11111;
    CHECK_STATUS(sb_remove_device(&sb, 0), STATUS_SUCCESS);

    struct {
        const char *what;
        ULONG type;
        ULONG size;
        void (*spoil)(SIMBATT_SAVED_STATE *);
    } cases[] = {
        {"wrong type", REG_SZ, sizeof saved, NULL},
        {"short", REG_BINARY, sizeof saved - 4, NULL},
        {"empty", REG_BINARY, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_write_saved_state(sb.instance, cases[i].type, &saved, cases[i].size);
        REQUIRE(sb_add_device(&sb) == 0);
        CHECK_EQ(sb_state(&sb).Battery.Status.Capacity, 36000);
        CHECK_STATUS(sb_remove_device(&sb, 0), STATUS_SUCCESS);
    }
    /* Right size, wrong contents. */
    SIMBATT_SAVED_STATE bad[6];
    for (int i = 0; i < 6; i++)
        bad[i] = saved;
    bad[0].Version = 2;
    bad[1].Size = 12;
    bad[2].Battery.Status.Capacity = 1000000; /* above full charge */
    bad[3].Battery.GranularityCount = 9;
    bad[4].Battery.Strings[0][SIMBATT_MAX_STRING_CHARS - 1] = L'x';
    memset(bad[4].Battery.Strings[0], 'x', sizeof bad[4].Battery.Strings[0]);
    bad[5].Battery.Present = 7;
    for (int i = 0; i < 6; i++) {
        sb_write_saved_state(sb.instance, REG_BINARY, &bad[i], sizeof bad[i]);
        REQUIRE(sb_add_device(&sb) == 0);
        CHECK_EQ(sb_state(&sb).Battery.Status.Capacity, 36000);
        CHECK_STATUS(sb_remove_device(&sb, 0), STATUS_SUCCESS);
    }
    /* The good one loads. */
    sb_write_saved_state(sb.instance, REG_BINARY, &saved, sizeof saved);
    REQUIRE(sb_add_device(&sb) == 0);
    CHECK_EQ(sb_state(&sb).Battery.Status.Capacity, 11111);
    sb_stop(&sb);
}

/* docs: a tag is never BATTERY_TAG_INVALID; the counter wraps past 0. */
TEST(tag_counter_skips_zero_when_it_wraps)
{
    sb_t sb;
    sb_options_t opt = {.persist = 1};
    SIMBATT_SAVED_STATE saved;

    SB_START(sb, &opt);
    memset(&saved, 0, sizeof saved);
    saved.Version = SIMBATT_SAVED_STATE_VERSION;
    saved.Size = sizeof saved;
    saved.Battery = sb_state(&sb).Battery;
    saved.Battery.LastTag = 0xFFFFFFFEu;
    CHECK_STATUS(sb_remove_device(&sb, 0), STATUS_SUCCESS);
    sb_write_saved_state(sb.instance, REG_BINARY, &saved, sizeof saved);
    REQUIRE(sb_add_device(&sb) == 0);
    CHECK_EQ(sb_tag(&sb), 0xFFFFFFFFu);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_INSERT_BATTERY, NULL, 0), STATUS_SUCCESS);
    CHECK_EQ(sb_tag(&sb), 1);
    sb_stop(&sb);
}

TEST(state_survives_a_host_restart_with_a_registry_file)
{
    sb_t sb;
    char dir[] = "/tmp/simbatt-reg-XXXXXX";
    char file[64];

    REQUIRE(mkdtemp(dir) != NULL);
    snprintf(file, sizeof file, "%s/registry", dir);
    sb_options_t opt = {.persist = 1, .registry_file = file};
    SB_START(sb, &opt);
    change_everything(&sb);
    sb_stop(&sb); /* writes the registry file */

    sb_options_t again = {.registry_file = file}; /* PersistState comes from the file */
    SB_START(sb, &again);
    check_everything(&sb);
    sb_stop(&sb);
    unlink(file);
    rmdir(dir);
}

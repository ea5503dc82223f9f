/* IOCTL_BATTERY_QUERY_INFORMATION against simbatt: every level answered,
 * unsupported levels, undefined levels, stale tags and short buffers, both
 * through battc and at the BatteryMiniQueryInformation contract itself. */
#include "simbatt_fixture.h"

#include <string.h>

TEST(battery_information_reports_the_stored_battery)
{
    sb_t sb;
    BATTERY_INFORMATION info;
    uint32_t got = 0;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryInformation, 0, &info, sizeof info, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 36);
    CHECK_EQ(info.Capabilities, BATTERY_SYSTEM_BATTERY | BATTERY_SET_CHARGE_SUPPORTED |
                                    BATTERY_SET_DISCHARGE_SUPPORTED |
                                    BATTERY_SET_CHARGINGSOURCE_SUPPORTED);
    CHECK_EQ(info.Technology, 1);
    CHECK(memcmp(info.Chemistry, "LION", 4) == 0);
    CHECK_EQ(info.DesignedCapacity, 50000);
    CHECK_EQ(info.FullChargedCapacity, 48000);
    CHECK_EQ(info.DefaultAlert1, 2400);
    CHECK_EQ(info.DefaultAlert2, 4800);
    CHECK_EQ(info.CriticalBias, 0);
    CHECK_EQ(info.CycleCount, 42);
    sb_stop(&sb);
}

TEST(granularity_returns_one_to_four_entries_of_eight_bytes)
{
    sb_t sb;
    BATTERY_REPORTING_SCALE scale[4];
    SIMBATT_GRANULARITY g = {3, {{1, 5000}, {10, 20000}, {100, 50000}}};
    uint32_t got = 0;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryGranularityInformation, 0, scale,
                               sizeof scale, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 8);
    CHECK_EQ(scale[0].Granularity, 10);
    CHECK_EQ(scale[0].Capacity, 50000);

    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_GRANULARITY, &g, sizeof g), STATUS_SUCCESS);
    memset(scale, 0, sizeof scale);
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryGranularityInformation, 0, scale,
                               sizeof scale, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 24);
    CHECK_EQ(scale[1].Granularity, 10);
    CHECK_EQ(scale[1].Capacity, 20000);
    CHECK_EQ(scale[2].Capacity, 50000);
    sb_stop(&sb);
}

TEST(unsupported_levels_are_invalid_device_request)
{
    sb_t sb;
    SIMBATT_GRANULARITY none = {0};
    BATTERY_MANUFACTURE_DATE unknown = {0, 0, 0};
    ULONG zero = 0;
    UCHAR buffer[256];
    uint32_t got = 99;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_GRANULARITY, &none, sizeof none), STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_TEMPERATURE, &zero, sizeof zero), STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_MANUFACTURE_DATE, &unknown, sizeof unknown),
                 STATUS_SUCCESS);
    CHECK_STATUS(sb_set_string(&sb, BatterySerialNumber, L""), STATUS_SUCCESS);
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(
        sb_query_info(&sb, tag, BatteryGranularityInformation, 0, buffer, sizeof buffer, &got),
        STATUS_INVALID_DEVICE_REQUEST);
    CHECK_EQ(got, 0);
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryTemperature, 0, buffer, sizeof buffer, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryManufactureDate, 0, buffer, sizeof buffer, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(sb_query_info(&sb, tag, BatterySerialNumber, 0, buffer, sizeof buffer, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    /* The other strings are still there. */
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryDeviceName, 0, buffer, sizeof buffer, &got),
                 STATUS_SUCCESS);
    sb_stop(&sb);
}

TEST(temperature_is_in_tenths_of_kelvin)
{
    sb_t sb;
    ULONG t = 0, hot = 3132; /* 40.0 degC */
    uint32_t got = 0;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryTemperature, 0, &t, sizeof t, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 4);
    CHECK_EQ(t, 2982); /* 25.0 degC */
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_TEMPERATURE, &hot, sizeof hot), STATUS_SUCCESS);
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryTemperature, 0, &t, sizeof t, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(t, 3132);
    sb_stop(&sb);
}

static ULONG estimated(sb_t *sb, LONG at_rate, bk_status_t expect)
{
    ULONG seconds = 0;
    uint32_t got = 0;
    CHECK_STATUS(sb_query_info(sb, sb_tag(sb), BatteryEstimatedTime, at_rate, &seconds,
                               sizeof seconds, &got),
                 expect);
    if (expect == STATUS_SUCCESS)
        CHECK_EQ(got, 4);
    return seconds;
}

TEST(estimated_time_at_rate_zero_uses_the_present_drain)
{
    sb_t sb;

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_DISCHARGING, 36000, 11100, -12000);
    CHECK_EQ(estimated(&sb, 0, STATUS_SUCCESS), 3600 * 36000 / 12000); /* 3 h */
    sb_stop(&sb);
}

TEST(estimated_time_is_unknown_when_not_discharging)
{
    sb_t sb;

    SB_START(sb, NULL);
    /* On AC, idle; then charging. */
    CHECK_EQ(estimated(&sb, 0, STATUS_SUCCESS), BATTERY_UNKNOWN_TIME);
    sb_set_status(&sb, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 30000, 12000, 20000);
    CHECK_EQ(estimated(&sb, 0, STATUS_SUCCESS), BATTERY_UNKNOWN_TIME);
    /* Discharging with an unknown rate. */
    sb_set_status(&sb, BATTERY_DISCHARGING, 30000, 12000, (LONG)BATTERY_UNKNOWN_RATE);
    CHECK_EQ(estimated(&sb, 0, STATUS_SUCCESS), BATTERY_UNKNOWN_TIME);
    sb_stop(&sb);
}

/* The W32 reading of the doc disagreement: a negative AtRate is the drain
 * to assume, whatever the battery does now; a positive one has no answer. */
TEST(estimated_time_negative_at_rate_is_a_hypothetical_drain)
{
    sb_t sb;

    SB_START(sb, NULL);
    CHECK_EQ(estimated(&sb, -18000, STATUS_SUCCESS), 7200); /* 36000 mWh at 18 W, on AC */
    sb_set_status(&sb, BATTERY_DISCHARGING, 36000, 11100, -12000);
    CHECK_EQ(estimated(&sb, -36000, STATUS_SUCCESS), 3600);
    CHECK_EQ(estimated(&sb, 5000, STATUS_SUCCESS), BATTERY_UNKNOWN_TIME);
    sb_set_status(&sb, BATTERY_DISCHARGING, BATTERY_UNKNOWN_CAPACITY, 11100, -12000);
    CHECK_EQ(estimated(&sb, -18000, STATUS_SUCCESS), BATTERY_UNKNOWN_TIME);
    sb_stop(&sb);
}

TEST(estimated_time_override_replaces_only_the_present_rate_answer)
{
    sb_t sb;
    ULONG fixed = 4321, computed = SIMBATT_TIME_COMPUTED;

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_DISCHARGING, 36000, 11100, -12000);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_ESTIMATED_TIME, &fixed, sizeof fixed),
                 STATUS_SUCCESS);
    CHECK_EQ(estimated(&sb, 0, STATUS_SUCCESS), 4321);
    CHECK_EQ(estimated(&sb, -18000, STATUS_SUCCESS), 7200);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_ESTIMATED_TIME, &computed, sizeof computed),
                 STATUS_SUCCESS);
    CHECK_EQ(estimated(&sb, 0, STATUS_SUCCESS), 10800);
    sb_stop(&sb);
}

static void check_string(sb_t *sb, ULONG level, const char *expect)
{
    WCHAR text[80];
    uint32_t got = 0;
    memset(text, 0xAA, sizeof text);
    CHECK_STATUS(sb_query_info(sb, sb_tag(sb), level, 0, text, sizeof text, &got), STATUS_SUCCESS);
    CHECK_EQ(got, (strlen(expect) + 1) * sizeof(WCHAR)); /* NUL included */
    CHECK_EQ(text[got / sizeof(WCHAR) - 1], 0);
    CHECK_STR(sb_narrow(text), expect);
}

TEST(strings_are_nul_terminated_utf16)
{
    sb_t sb;
    SIMBATT_STATE st;
    char serial[16], unique[64];

    SB_START(sb, NULL);
    st = sb_state(&sb);
    snprintf(serial, sizeof serial, "%s",
             sb_narrow(st.Battery.Strings[SIMBATT_STRING_SERIAL_NUMBER]));
    CHECK(strncmp(serial, "SB", 2) == 0 && strlen(serial) == 6);
    check_string(&sb, BatteryDeviceName, "SimBatt");
    check_string(&sb, BatteryManufactureName, "battkit");
    check_string(&sb, BatterySerialNumber, serial);
    /* docs: manufacturer, device name, manufacture date, serial number. */
    snprintf(unique, sizeof unique, "battkitSimBatt20240517%s", serial);
    check_string(&sb, BatteryUniqueID, unique);

    CHECK_STATUS(sb_set_string(&sb, BatteryDeviceName, L"BK-\u00e9 Pack"), STATUS_SUCCESS);
    WCHAR text[32];
    uint32_t got = 0;
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryDeviceName, 0, text, sizeof text, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 20);
    CHECK_EQ(text[3], 0x00e9); /* UTF-16, not narrowed */
    sb_stop(&sb);
}

TEST(short_output_buffer_is_buffer_too_small_with_nothing_returned)
{
    sb_t sb;
    WCHAR text[2];
    BATTERY_REPORTING_SCALE one;
    SIMBATT_GRANULARITY g = {2, {{1, 5000}, {10, 50000}}};
    uint32_t got = 77;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryDeviceName, 0, text, sizeof text, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 0);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_GRANULARITY, &g, sizeof g), STATUS_SUCCESS);
    CHECK_STATUS(
        sb_query_info(&sb, sb_tag(&sb), BatteryGranularityInformation, 0, &one, sizeof one, &got),
        STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 0);
    sb_stop(&sb);
}

TEST(manufacture_date_is_numbers)
{
    sb_t sb;
    BATTERY_MANUFACTURE_DATE d = {0};
    BATTERY_MANUFACTURE_DATE leap = {29, 2, 2024};
    uint32_t got = 0;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryManufactureDate, 0, &d, sizeof d, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 4);
    CHECK_EQ(d.Day, 17);
    CHECK_EQ(d.Month, 5);
    CHECK_EQ(d.Year, 2024);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_MANUFACTURE_DATE, &leap, sizeof leap),
                 STATUS_SUCCESS);
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatteryManufactureDate, 0, &d, sizeof d, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(d.Day, 29);
    CHECK_EQ(d.Month, 2);
    sb_stop(&sb);
}

TEST(stale_tag_fails_every_level_with_no_such_device)
{
    sb_t sb;
    UCHAR buffer[256];
    uint32_t got = 0;

    SB_START(sb, NULL);
    ULONG stale = sb_tag(&sb) + 1;
    for (ULONG level = BatteryInformation; level <= BatterySerialNumber; level++)
        CHECK_STATUS(sb_query_info(&sb, stale, level, 0, buffer, sizeof buffer, &got),
                     STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(
        sb_query_info(&sb, BATTERY_TAG_INVALID, BatteryInformation, 0, buffer, sizeof buffer, &got),
        STATUS_NO_SUCH_DEVICE);
    sb_stop(&sb);
}

/* ---- the BatteryMiniQueryInformation contract itself, below battc ---- */

TEST(callback_short_buffer_reports_the_needed_length)
{
    sb_t sb;
    BCLASS_QUERY_INFORMATION_CALLBACK *query;
    UCHAR buffer[64];
    ULONG returned = 0;

    SB_START(sb, NULL);
    query = (BCLASS_QUERY_INFORMATION_CALLBACK *)sb_driver_symbol("SimBattQueryInformation");
    REQUIRE(query && sb_context(&sb));
    ULONG tag = sb_tag(&sb);
    /* "SimBatt" + NUL = 16 bytes. */
    CHECK_STATUS(query(sb_context(&sb), tag, BatteryDeviceName, 0, buffer, 4, &returned),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(returned, 16);
    CHECK_STATUS(query(sb_context(&sb), tag, BatteryInformation, 0, buffer, 35, &returned),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(returned, 36);
    CHECK_STATUS(query(sb_context(&sb), tag, BatteryDeviceName, 0, buffer, 16, &returned),
                 STATUS_SUCCESS);
    CHECK_EQ(returned, 16);
    sb_stop(&sb);
}

TEST(callback_undefined_level_is_invalid_parameter_after_the_tag_check)
{
    sb_t sb;
    BCLASS_QUERY_INFORMATION_CALLBACK *query;
    UCHAR buffer[64];
    ULONG returned = 0;

    SB_START(sb, NULL);
    query = (BCLASS_QUERY_INFORMATION_CALLBACK *)sb_driver_symbol("SimBattQueryInformation");
    REQUIRE(query && sb_context(&sb));
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(query(sb_context(&sb), tag, (BATTERY_QUERY_INFORMATION_LEVEL)9, 0, buffer,
                       sizeof buffer, &returned),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(query(sb_context(&sb), tag, (BATTERY_QUERY_INFORMATION_LEVEL)0x7FFFFFFF, 0, buffer,
                       sizeof buffer, &returned),
                 STATUS_INVALID_PARAMETER);
    /* docs: the tag first. */
    CHECK_STATUS(query(sb_context(&sb), tag + 1, (BATTERY_QUERY_INFORMATION_LEVEL)9, 0, buffer,
                       sizeof buffer, &returned),
                 STATUS_NO_SUCH_DEVICE);
    CHECK_EQ(returned, 0);
    sb_stop(&sb);
}

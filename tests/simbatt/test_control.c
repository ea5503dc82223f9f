/* simbatt's private control interface: its own interface GUID, write access
 * enforced by the I/O manager, every IOCTL and its validation (a bad size or
 * value changes nothing and never crashes). */
#include "simbatt_fixture.h"

#include <string.h>

/* Function numbers 0x900 + n, in header order; GET_STATE (0x0A) is the
 * read-only one and not in this list. */
static const uint32_t write_functions[] = {0x900, 0x901, 0x902, 0x903, 0x904, 0x905,
                                           0x906, 0x907, 0x908, 0x909, 0x90B, 0x90C};
static const uint32_t write_codes[] = {
    IOCTL_SIMBATT_SET_STATUS,         IOCTL_SIMBATT_SET_INFORMATION,
    IOCTL_SIMBATT_SET_STRING,         IOCTL_SIMBATT_SET_MANUFACTURE_DATE,
    IOCTL_SIMBATT_SET_GRANULARITY,    IOCTL_SIMBATT_SET_TEMPERATURE,
    IOCTL_SIMBATT_SET_ESTIMATED_TIME, IOCTL_SIMBATT_INSERT_BATTERY,
    IOCTL_SIMBATT_REMOVE_BATTERY,     IOCTL_SIMBATT_SET_FAULTS,
    IOCTL_SIMBATT_ATTACH_MODEL,       IOCTL_SIMBATT_DETACH_MODEL,
};

TEST(control_codes_are_buffered_battery_codes_needing_write_access)
{
    for (size_t i = 0; i < sizeof write_codes / sizeof write_codes[0]; i++) {
        uint32_t c = write_codes[i];
        CHECK_EQ(c >> 16, FILE_DEVICE_BATTERY);
        CHECK_EQ((c >> 14) & 3, FILE_WRITE_ACCESS);
        CHECK_EQ(c & 3, METHOD_BUFFERED);
        CHECK_EQ((c >> 2) & 0xFFF, write_functions[i]);
    }
    CHECK_EQ((IOCTL_SIMBATT_GET_STATE >> 14) & 3, FILE_READ_ACCESS);
}

TEST(control_interface_has_its_own_guid)
{
    /* Not SimBatt's {DAD1F940-CDD0-461F-B23F-C2C663D6E9EB}. */
    static const GUID simbatt_sample = {
        0xdad1f940, 0xcdd0, 0x461f, {0xb2, 0x3f, 0xc2, 0xc6, 0x63, 0xd6, 0xe9, 0xeb}};
    sb_t sb;
    char **paths = NULL;

    CHECK(!IsEqualGUID(&GUID_DEVINTERFACE_BATTKIT_SIMBATT, &simbatt_sample));
    CHECK(!IsEqualGUID(&GUID_DEVINTERFACE_BATTKIT_SIMBATT, &GUID_DEVICE_BATTERY));
    SB_START(sb, NULL);
    size_t n = bk_host_list_interfaces(sb.host, &GUID_DEVINTERFACE_BATTKIT_SIMBATT, &paths);
    CHECK_EQ(n, 1);
    bk_host_free_list(paths, n);
    sb_stop(&sb);
}

TEST(control_ioctl_on_read_only_handle_is_access_denied)
{
    sb_t sb;
    UCHAR buffer[sizeof(SIMBATT_STATE)];
    uint32_t got = 0;
    bk_handle_t *battery_ro = NULL;
    char **paths = NULL;

    SB_START(sb, NULL);
    memset(buffer, 0, sizeof buffer);
    for (size_t i = 0; i < sizeof write_codes / sizeof write_codes[0]; i++)
        CHECK_STATUS(bk_ioctl(sb.reader, write_codes[i], buffer, 16, NULL, 0, &got),
                     STATUS_ACCESS_DENIED);
    /* The battery interface is the same device: the same rule. */
    size_t n = bk_host_list_interfaces(sb.host, &GUID_DEVICE_BATTERY, &paths);
    REQUIRE(n == 1);
    CHECK_STATUS(bk_host_open(sb.host, paths[0], BK_ACCESS_READ, &battery_ro), STATUS_SUCCESS);
    bk_host_free_list(paths, n);
    if (battery_ro) {
        BATTERY_STATUS st = {BATTERY_DISCHARGING, 100, 1, -1};
        CHECK_STATUS(bk_ioctl(battery_ro, IOCTL_SIMBATT_SET_STATUS, &st, sizeof st, NULL, 0, &got),
                     STATUS_ACCESS_DENIED);
        bk_close(battery_ro);
    }
    /* Nothing changed; reading is allowed. */
    SIMBATT_STATE st = sb_state(&sb);
    CHECK_EQ(st.Battery.Status.Capacity, 36000);
    CHECK_EQ(st.Faults, 0);
    sb_stop(&sb);
}

TEST(get_state_returns_the_whole_state)
{
    sb_t sb;
    SIMBATT_STATE st;
    UCHAR small[16];
    uint32_t got = 0;

    SB_START(sb, NULL);
    st = sb_state(&sb);
    CHECK_EQ(st.Version, SIMBATT_STATE_VERSION);
    CHECK_EQ(st.Size, sizeof(SIMBATT_STATE));
    CHECK(st.Battery.Present);
    CHECK_EQ(st.ReportedTag, sb_tag(&sb));
    CHECK_EQ(st.Battery.Tag, st.ReportedTag);
    CHECK_EQ(st.ReportedStatus.Capacity, 36000);
    CHECK_EQ(st.ReportedInformation.FullChargedCapacity, 48000);
    CHECK(!st.ModelAttached);
    CHECK_STATUS(bk_ioctl(sb.reader, IOCTL_SIMBATT_GET_STATE, NULL, 0, small, sizeof small, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 0);
    CHECK_STATUS(bk_ioctl(sb.reader, IOCTL_SIMBATT_GET_STATE, small, 4, &st, sizeof st, &got),
                 STATUS_INVALID_BUFFER_SIZE);
    sb_stop(&sb);
}

TEST(set_status_is_reported_and_validated)
{
    sb_t sb;
    BATTERY_STATUS st;
    static const BATTERY_STATUS bad[] = {
        {0x10, 100, 1, 0},                                      /* undefined bit */
        {BATTERY_CHARGING | BATTERY_DISCHARGING, 100, 1, 0},    /* both */
        {BATTERY_DISCHARGING, 48001, 1, -5},                    /* above full charge */
        {BATTERY_POWER_ON_LINE, 100, 1, 500},                   /* + rate, not charging */
        {BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 100, 1, -5}, /* - rate, not discharging */
    };

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_DISCHARGING | BATTERY_CRITICAL, 1000, 10200, -15000);
    CHECK_STATUS(sb_query_status(&sb, sb_tag(&sb), &st), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING | BATTERY_CRITICAL);
    CHECK_EQ(st.Capacity, 1000);
    CHECK_EQ(st.Voltage, 10200);
    CHECK_EQ(st.Rate, -15000);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STATUS, &bad[i], sizeof bad[i]),
                     STATUS_INVALID_PARAMETER);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STATUS, &bad[0], sizeof bad[0] - 1),
                 STATUS_INVALID_BUFFER_SIZE);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STATUS, NULL, 0), STATUS_INVALID_BUFFER_SIZE);
    /* Unknown values are legal. */
    sb_set_status(&sb, BATTERY_DISCHARGING, BATTERY_UNKNOWN_CAPACITY, BATTERY_UNKNOWN_VOLTAGE,
                  (LONG)BATTERY_UNKNOWN_RATE);
    CHECK_STATUS(sb_query_status(&sb, sb_tag(&sb), &st), STATUS_SUCCESS);
    CHECK_EQ(st.Capacity, BATTERY_UNKNOWN_CAPACITY);
    CHECK_EQ((ULONG)st.Rate, BATTERY_UNKNOWN_RATE);
    sb_stop(&sb);
}

TEST(set_information_is_reported_validated_and_changes_the_tag)
{
    sb_t sb;
    BATTERY_INFORMATION info = {BATTERY_SYSTEM_BATTERY | BATTERY_CAPACITY_RELATIVE,
                                1,
                                {0},
                                {'N', 'i', 'M', 'H'},
                                100,
                                90,
                                5,
                                10,
                                0,
                                7};
    BATTERY_INFORMATION got_info;
    uint32_t got = 0;

    SB_START(sb, NULL);
    ULONG before = sb_tag(&sb);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_INFORMATION, &info, sizeof info), STATUS_SUCCESS);
    ULONG after = sb_tag(&sb);
    CHECK(after != before);
    CHECK_STATUS(sb_query_info(&sb, after, BatteryInformation, 0, &got_info, sizeof got_info, &got),
                 STATUS_SUCCESS);
    CHECK(memcmp(&got_info, &info, sizeof info) == 0);
    /* The stored capacity (36000) is clamped to the new full charge. */
    CHECK_EQ(sb_state(&sb).Battery.Status.Capacity, 90);

    BATTERY_INFORMATION bad = info;
    bad.Capabilities |= 0x00000100;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_INFORMATION, &bad, sizeof bad),
                 STATUS_INVALID_PARAMETER);
    bad = info;
    bad.Technology = 2;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_INFORMATION, &bad, sizeof bad),
                 STATUS_INVALID_PARAMETER);
    bad = info;
    bad.FullChargedCapacity = 0;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_INFORMATION, &bad, sizeof bad),
                 STATUS_INVALID_PARAMETER);
    bad = info;
    bad.CriticalBias = 90;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_INFORMATION, &bad, sizeof bad),
                 STATUS_INVALID_PARAMETER);
    bad = info;
    bad.DefaultAlert2 = 91;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_INFORMATION, &bad, sizeof bad),
                 STATUS_INVALID_PARAMETER);
    UCHAR longer[sizeof info + 4];
    memset(longer, 0, sizeof longer);
    memcpy(longer, &info, sizeof info);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_INFORMATION, longer, sizeof longer),
                 STATUS_INVALID_BUFFER_SIZE);
    CHECK_EQ(sb_tag(&sb), after); /* failures changed nothing */
    sb_stop(&sb);
}

TEST(set_string_sets_each_string_level)
{
    static const ULONG levels[] = {BatteryDeviceName, BatteryManufactureName, BatteryUniqueID,
                                   BatterySerialNumber};
    sb_t sb;
    WCHAR text[64];
    uint32_t got = 0;

    SB_START(sb, NULL);
    for (size_t i = 0; i < 4; i++) {
        WCHAR value[] = L"value-0";
        value[6] = (WCHAR)(L'0' + i);
        ULONG before = sb_tag(&sb);
        CHECK_STATUS(sb_set_string(&sb, levels[i], value), STATUS_SUCCESS);
        CHECK(sb_tag(&sb) != before); /* static data: a new tag */
        CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), levels[i], 0, text, sizeof text, &got),
                     STATUS_SUCCESS);
        CHECK_STR(sb_narrow(text), sb_narrow(value));
    }
    /* The longest string: 63 characters and the NUL. */
    WCHAR longest[SIMBATT_MAX_STRING_CHARS];
    for (size_t i = 0; i < SIMBATT_MAX_STRING_CHARS - 1; i++)
        longest[i] = L'x';
    longest[SIMBATT_MAX_STRING_CHARS - 1] = 0;
    CHECK_STATUS(sb_set_string(&sb, BatterySerialNumber, longest), STATUS_SUCCESS);
    WCHAR back[SIMBATT_MAX_STRING_CHARS];
    CHECK_STATUS(sb_query_info(&sb, sb_tag(&sb), BatterySerialNumber, 0, back, sizeof back, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, MAX_BATTERY_STRING_SIZE);
    sb_stop(&sb);
}

TEST(set_string_validates_level_termination_and_size)
{
    sb_t sb;
    SIMBATT_STRING req;

    SB_START(sb, NULL);
    memset(&req, 0, sizeof req);
    req.Level = BatteryTemperature; /* not a string level */
    req.String[0] = L'a';
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STRING, &req, sizeof req), STATUS_INVALID_PARAMETER);
    /* No NUL anywhere. */
    req.Level = BatteryDeviceName;
    for (size_t i = 0; i < SIMBATT_MAX_STRING_CHARS; i++)
        req.String[i] = L'z';
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STRING, &req, sizeof req), STATUS_INVALID_PARAMETER);
    /* A buffer that ends after the NUL is fine; one that ends before it is not. */
    req.String[0] = L'o';
    req.String[1] = L'k';
    req.String[2] = 0;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STRING, &req, 4 + 3 * sizeof(WCHAR)),
                 STATUS_SUCCESS);
    CHECK_STR(sb_narrow(sb_state(&sb).Battery.Strings[SIMBATT_STRING_DEVICE_NAME]), "ok");
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STRING, &req, 4 + 2 * sizeof(WCHAR)),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STRING, &req, 4 + 3), STATUS_INVALID_BUFFER_SIZE);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STRING, &req, 4), STATUS_INVALID_BUFFER_SIZE);
    UCHAR longer[sizeof req + 2];
    memset(longer, 0, sizeof longer);
    memcpy(longer, &req, sizeof req);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_STRING, longer, sizeof longer),
                 STATUS_INVALID_BUFFER_SIZE);
    sb_stop(&sb);
}

TEST(set_manufacture_date_accepts_only_real_dates)
{
    static const BATTERY_MANUFACTURE_DATE bad[] = {
        {29, 2, 2023}, {31, 4, 2024}, {1, 13, 2024}, {0, 5, 2024},
        {1, 0, 2024},  {1, 1, 1899},  {1, 1, 2101},  {32, 1, 2024},
    };
    static const BATTERY_MANUFACTURE_DATE good[] = {{29, 2, 2000}, {31, 12, 2100}, {1, 1, 1900}};
    sb_t sb;

    SB_START(sb, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_MANUFACTURE_DATE, &bad[i], sizeof bad[i]),
                     STATUS_INVALID_PARAMETER);
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_MANUFACTURE_DATE, &good[i], sizeof good[i]),
                     STATUS_SUCCESS);
    CHECK_EQ(sb_state(&sb).Battery.ManufactureDate.Year, 1900);
    sb_stop(&sb);
}

TEST(set_granularity_validates_count_order_and_size)
{
    sb_t sb;
    SIMBATT_GRANULARITY g;

    SB_START(sb, NULL);
    memset(&g, 0, sizeof g);
    g.Count = 5;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_GRANULARITY, &g, sizeof g),
                 STATUS_INVALID_PARAMETER);
    g = (SIMBATT_GRANULARITY){2, {{10, 5000}, {10, 5000}}}; /* not strictly increasing */
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_GRANULARITY, &g, sizeof g),
                 STATUS_INVALID_PARAMETER);
    g = (SIMBATT_GRANULARITY){1, {{0, 5000}}}; /* zero granularity */
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_GRANULARITY, &g, sizeof g),
                 STATUS_INVALID_PARAMETER);
    g = (SIMBATT_GRANULARITY){2, {{10, 5000}, {20, 9000}}};
    /* Count 2 needs 4 + 16 bytes. */
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_GRANULARITY, &g, 4 + 8), STATUS_INVALID_BUFFER_SIZE);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_GRANULARITY, &g, 4 + 16), STATUS_SUCCESS);
    CHECK_EQ(sb_state(&sb).Battery.GranularityCount, 2);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_GRANULARITY, &g, 2), STATUS_INVALID_BUFFER_SIZE);
    sb_stop(&sb);
}

TEST(set_temperature_and_estimated_time_validate)
{
    sb_t sb;
    ULONG too_hot = SIMBATT_MAX_TEMPERATURE + 1, max = SIMBATT_MAX_TEMPERATURE;

    SB_START(sb, NULL);
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_TEMPERATURE, &too_hot, sizeof too_hot),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_TEMPERATURE, &max, sizeof max), STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_TEMPERATURE, &max, 2), STATUS_INVALID_BUFFER_SIZE);
    ULONG two[2] = {max, max};
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_ESTIMATED_TIME, two, sizeof two),
                 STATUS_INVALID_BUFFER_SIZE);
    CHECK_EQ(sb_tag(&sb), tag); /* dynamic data: the tag stays */
    sb_stop(&sb);
}

TEST(insert_and_remove_refuse_a_battery_already_in_that_state)
{
    sb_t sb;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_INSERT_BATTERY, NULL, 0), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_INVALID_DEVICE_STATE);
    ULONG junk = 0;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_INSERT_BATTERY, &junk, sizeof junk),
                 STATUS_INVALID_BUFFER_SIZE);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_INSERT_BATTERY, NULL, 0), STATUS_SUCCESS);
    sb_stop(&sb);
}

TEST(unknown_code_in_the_private_range_is_invalid_device_request)
{
    sb_t sb;
    uint32_t got = 0;

    SB_START(sb, NULL);
    CHECK_STATUS(bk_ioctl(sb.control,
                          CTL_CODE(FILE_DEVICE_BATTERY, 0x9F0, METHOD_BUFFERED, FILE_WRITE_ACCESS),
                          NULL, 0, NULL, 0, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    /* A known function with other access bits is not the same code. */
    CHECK_STATUS(bk_ioctl(sb.control,
                          CTL_CODE(FILE_DEVICE_BATTERY, 0x907, METHOD_BUFFERED, FILE_ANY_ACCESS),
                          NULL, 0, NULL, 0, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK(sb_state(&sb).Battery.Present);
    sb_stop(&sb);
}

TEST(attach_model_without_a_platform_fails_cleanly)
{
    sb_t sb;
    SIMBATT_MODEL_NAME name;

    SB_START(sb, NULL);
    memset(&name, 0, sizeof name);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_ATTACH_MODEL, &name, sizeof name),
                 STATUS_INVALID_PARAMETER); /* empty */
    memset(name.Name, 'A', sizeof name.Name);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_ATTACH_MODEL, &name, sizeof name),
                 STATUS_INVALID_PARAMETER); /* unterminated */
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_ATTACH_MODEL, &name, 4), STATUS_INVALID_BUFFER_SIZE);
    memcpy(name.Name, "BAT0", 5);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_ATTACH_MODEL, &name, sizeof name),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_DETACH_MODEL, NULL, 0), STATUS_INVALID_DEVICE_STATE);
    CHECK(!sb_state(&sb).ModelAttached);
    sb_stop(&sb);
}

/* Every code with every input size up to a little past its structure,
 * filled with pseudo-random bytes: some answer, none crashes or hangs, and
 * the device still works afterwards. */
TEST(garbage_control_input_never_crashes)
{
    sb_t sb;
    UCHAR in[sizeof(SIMBATT_STATE) + 16];
    UCHAR out[sizeof(SIMBATT_STATE) + 16];
    uint32_t got = 0, seed = 12345;

    SB_START(sb, NULL);
    for (size_t i = 0; i < sizeof write_codes / sizeof write_codes[0]; i++) {
        if (write_codes[i] == IOCTL_SIMBATT_DETACH_MODEL)
            continue;
        for (uint32_t len = 0; len <= sizeof(SIMBATT_STRING) + 8; len += 3) {
            for (size_t k = 0; k < sizeof in; k++) {
                seed = seed * 1103515245u + 12345u;
                in[k] = (UCHAR)(seed >> 16);
            }
            bk_status_t s = bk_ioctl(sb.control, write_codes[i], in, len, out, sizeof out, &got);
            CHECK(s == STATUS_SUCCESS || s == STATUS_INVALID_PARAMETER ||
                  s == STATUS_INVALID_BUFFER_SIZE || s == STATUS_INVALID_DEVICE_STATE ||
                  s == STATUS_OBJECT_NAME_NOT_FOUND);
            bk_host_settle(sb.host);
        }
    }
    /* Whatever it did, the battery answers (after clearing any fault). */
    CHECK_STATUS(sb_set_faults(&sb, 0, 0), STATUS_SUCCESS);
    SIMBATT_STATE st = sb_state(&sb);
    if (!st.Battery.Present)
        CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_INSERT_BATTERY, NULL, 0), STATUS_SUCCESS);
    BATTERY_STATUS bs;
    CHECK_STATUS(sb_query_status(&sb, sb_tag(&sb), &bs), STATUS_SUCCESS);
    sb_stop(&sb);
}

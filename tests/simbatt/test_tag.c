/* Battery tags (docs: responding to battery tag queries): nonzero while a
 * battery is present, a new one on every insertion and on every change of
 * static data, STATUS_NO_SUCH_DEVICE with BATTERY_TAG_INVALID without a
 * battery; insertion completes a pending QUERY_TAG. */
#include "simbatt_fixture.h"

#define FOREVER 0xFFFFFFFFu

TEST(removal_makes_every_request_no_such_device)
{
    sb_t sb;
    ULONG tag;
    BATTERY_STATUS st;
    BATTERY_INFORMATION info;

    SB_START(sb, NULL);
    ULONG old = sb_tag(&sb);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(sb_query_tag(&sb, 0, &tag), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(sb_query_status(&sb, old, &st), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(sb_query_info(&sb, old, BatteryInformation, 0, &info, sizeof info, NULL),
                 STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(sb_set_info(&sb, old, BatteryCharge, NULL, 0), STATUS_NO_SUCH_DEVICE);
    SIMBATT_STATE s = sb_state(&sb);
    CHECK(!s.Battery.Present);
    CHECK_EQ(s.ReportedTag, BATTERY_TAG_INVALID);
    sb_stop(&sb);
}

TEST(query_tag_callback_without_battery_sets_the_invalid_tag)
{
    sb_t sb;
    BCLASS_QUERY_TAG_CALLBACK *query_tag;
    ULONG tag = 1234;

    SB_START(sb, NULL);
    query_tag = (BCLASS_QUERY_TAG_CALLBACK *)sb_driver_symbol("SimBattQueryTag");
    REQUIRE(query_tag && sb_context(&sb));
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(query_tag(sb_context(&sb), &tag), STATUS_NO_SUCH_DEVICE);
    CHECK_EQ(tag, BATTERY_TAG_INVALID);
    sb_stop(&sb);
}

TEST(every_insertion_issues_a_new_tag)
{
    sb_t sb;
    ULONG tags[4];

    SB_START(sb, NULL);
    tags[0] = sb_tag(&sb);
    CHECK(tags[0] != BATTERY_TAG_INVALID);
    for (int i = 1; i < 4; i++) {
        CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
        CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_INSERT_BATTERY, NULL, 0), STATUS_SUCCESS);
        tags[i] = sb_tag(&sb); /* the same battery, yet a new tag */
        for (int j = 0; j < i; j++)
            CHECK(tags[i] != tags[j]);
    }
    sb_stop(&sb);
}

TEST(insertion_completes_a_pending_query_tag)
{
    sb_t sb;
    ULONG tag = 0;

    SB_START(sb, NULL);
    ULONG old = sb_tag(&sb);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
    bk_request_t *r = sb_wait_tag(&sb, FOREVER, &tag);
    REQUIRE(r);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_INSERT_BATTERY, NULL, 0), STATUS_SUCCESS);
    sb_advance_ms(&sb, 1); /* far below any poll interval */
    uint32_t got = 0;
    CHECK_STATUS(bk_request_status(r, &got), STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(ULONG));
    CHECK(tag != BATTERY_TAG_INVALID && tag != old);
    CHECK_EQ(tag, sb_tag(&sb));
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(query_tag_wait_without_insertion_ends_with_no_such_device)
{
    sb_t sb;
    ULONG tag = 0;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
    bk_request_t *r = sb_wait_tag(&sb, 2000, &tag);
    REQUIRE(r);
    CHECK_STATUS(bk_request_wait(r, 10 * SB_SECOND), STATUS_NO_SUCH_DEVICE);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(removal_aborts_a_pending_status_wait)
{
    sb_t sb;
    BATTERY_STATUS out;

    SB_START(sb, NULL);
    bk_request_t *r =
        sb_wait_status(&sb, sb_tag(&sb), FOREVER, BATTERY_POWER_ON_LINE, 0, FOREVER, &out);
    REQUIRE(r);
    sb_advance_ms(&sb, 20);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0), STATUS_SUCCESS);
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_NO_SUCH_DEVICE);
    bk_request_free(r);
    sb_stop(&sb);
}

/* docs: a change of normally static data changes the tag, which aborts a
 * request in progress (ERROR_FILE_NOT_FOUND); dynamic data does not. */
TEST(static_data_changes_change_the_tag_and_abort_waits)
{
    sb_t sb;
    BATTERY_STATUS out;
    BATTERY_INFORMATION info;
    BATTERY_MANUFACTURE_DATE date = {1, 1, 2020};
    SIMBATT_GRANULARITY g = {1, {{5, 48000}}};

    SB_START(sb, NULL);
    info = sb_state(&sb).Battery.Information;
    info.FullChargedCapacity = 47000; /* e.g. learned after a full charge */
    struct {
        uint32_t code;
        const void *in;
        uint32_t len;
    } changes[] = {
        {IOCTL_SIMBATT_SET_INFORMATION, &info, sizeof info},
        {IOCTL_SIMBATT_SET_MANUFACTURE_DATE, &date, sizeof date},
        {IOCTL_SIMBATT_SET_GRANULARITY, &g, sizeof g},
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        ULONG old = sb_tag(&sb);
        bk_request_t *r =
            sb_wait_status(&sb, old, FOREVER, BATTERY_POWER_ON_LINE, 0, FOREVER, &out);
        REQUIRE(r);
        sb_advance_ms(&sb, 20);
        CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
        CHECK_STATUS(sb_ctl(&sb, changes[i].code, changes[i].in, changes[i].len), STATUS_SUCCESS);
        sb_advance_ms(&sb, 1);
        CHECK_STATUS(bk_request_status(r, NULL), STATUS_NO_SUCH_DEVICE);
        bk_request_free(r);
        CHECK(sb_tag(&sb) != old);
        CHECK_STATUS(sb_query_status(&sb, old, &out), STATUS_NO_SUCH_DEVICE);
    }
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(sb_set_string(&sb, BatteryManufactureName, L"Other"), STATUS_SUCCESS);
    CHECK(sb_tag(&sb) != tag);

    /* Dynamic data keeps it. */
    tag = sb_tag(&sb);
    ULONG temp = 3000, time = 100;
    sb_set_status(&sb, BATTERY_DISCHARGING, 100, 9000, -1000);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_TEMPERATURE, &temp, sizeof temp), STATUS_SUCCESS);
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_ESTIMATED_TIME, &time, sizeof time), STATUS_SUCCESS);
    CHECK_EQ(sb_tag(&sb), tag);
    sb_stop(&sb);
}

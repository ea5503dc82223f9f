/* Real status notification: SetStatusNotify keeps battc's window, and a
 * change that leaves it (or a documented event: online/offline, critical,
 * charge/discharge start or stop) reaches a pending IOCTL_BATTERY_QUERY_STATUS
 * through BatteryClassStatusNotify, long before battc would poll (5 s). */
#include "simbatt_fixture.h"

#define FOREVER 0xFFFFFFFFu

/* A wait that must still be pending after a while without changes. */
static bk_request_t *pending_wait(sb_t *sb, ULONG power_state, ULONG low, ULONG high,
                                  BATTERY_STATUS *out)
{
    bk_request_t *r = sb_wait_status(sb, sb_tag(sb), FOREVER, power_state, low, high, out);
    if (r) {
        sb_advance_ms(sb, 20);
        CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    }
    return r;
}

/* Completed within 1 ms of virtual time: only a notification does that. */
static bk_status_t completes_at_once(sb_t *sb, bk_request_t *r)
{
    sb_advance_ms(sb, 1);
    return bk_request_status(r, NULL);
}

TEST(set_status_notify_keeps_the_class_drivers_window)
{
    sb_t sb;
    BATTERY_STATUS out;

    SB_START(sb, NULL);
    bk_request_t *r = pending_wait(&sb, BATTERY_POWER_ON_LINE, 30000, 40000, &out);
    REQUIRE(r);
    SIMBATT_STATE st = sb_state(&sb);
    CHECK(st.NotifyArmed);
    CHECK_EQ(st.Notify.PowerState, BATTERY_POWER_ON_LINE);
    CHECK_EQ(st.Notify.LowCapacity, 30000);
    CHECK_EQ(st.Notify.HighCapacity, 40000);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(unplugging_completes_a_pending_status_wait_without_polling)
{
    sb_t sb;
    BATTERY_STATUS out;

    SB_START(sb, NULL);
    ULONG before = sb_state(&sb).NotifyCount;
    bk_request_t *r = pending_wait(&sb, BATTERY_POWER_ON_LINE, 0, FOREVER, &out);
    REQUIRE(r);
    sb_set_status(&sb, BATTERY_DISCHARGING, 36000, 11000, -9000);
    CHECK_STATUS(completes_at_once(&sb, r), STATUS_SUCCESS);
    CHECK_EQ(out.PowerState, BATTERY_DISCHARGING);
    CHECK_EQ(out.Rate, -9000);
    CHECK(sb_state(&sb).NotifyCount > before);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(capacity_leaving_the_window_completes_the_wait)
{
    sb_t sb;
    BATTERY_STATUS out;

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_DISCHARGING, 36000, 11000, -9000);
    bk_request_t *r = pending_wait(&sb, BATTERY_DISCHARGING, 30000, 40000, &out);
    REQUIRE(r);
    sb_set_status(&sb, BATTERY_DISCHARGING, 31000, 11000, -9000); /* inside: no news */
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    sb_set_status(&sb, BATTERY_DISCHARGING, 29999, 11000, -9000); /* below Low */
    CHECK_STATUS(completes_at_once(&sb, r), STATUS_SUCCESS);
    CHECK_EQ(out.Capacity, 29999);
    bk_request_free(r);

    sb_set_status(&sb, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 29999, 12000, 20000);
    r = pending_wait(&sb, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 0, 35000, &out);
    REQUIRE(r);
    sb_set_status(&sb, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 35001, 12000, 20000);
    CHECK_STATUS(completes_at_once(&sb, r), STATUS_SUCCESS);
    CHECK_EQ(out.Capacity, 35001);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(change_inside_the_window_is_not_notified)
{
    sb_t sb;
    BATTERY_STATUS out;

    SB_START(sb, NULL);
    bk_request_t *r = pending_wait(&sb, BATTERY_POWER_ON_LINE, 10000, 40000, &out);
    REQUIRE(r);
    ULONG before = sb_state(&sb).NotifyCount;
    sb_set_status(&sb, BATTERY_POWER_ON_LINE, 30000, 11900, 0);
    ULONG hot = 3100;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_TEMPERATURE, &hot, sizeof hot), STATUS_SUCCESS);
    CHECK_EQ(sb_state(&sb).NotifyCount, before);
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    bk_request_free(r);
    sb_stop(&sb);
}

TEST(charge_start_and_stop_and_critical_are_notified)
{
    sb_t sb;
    BATTERY_STATUS out;
    static const struct {
        ULONG from, to;
        LONG from_rate, to_rate;
    } steps[] = {
        {BATTERY_POWER_ON_LINE, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 0, 15000},
        {BATTERY_POWER_ON_LINE | BATTERY_CHARGING, BATTERY_POWER_ON_LINE, 15000, 0},
        {BATTERY_DISCHARGING, BATTERY_DISCHARGING | BATTERY_CRITICAL, -9000, -9000},
        {BATTERY_DISCHARGING | BATTERY_CRITICAL, BATTERY_POWER_ON_LINE, -9000, 0},
    };

    SB_START(sb, NULL);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        sb_set_status(&sb, steps[i].from, 20000, 11000, steps[i].from_rate);
        /* A window that capacity alone never leaves. */
        bk_request_t *r = pending_wait(&sb, steps[i].from, 0, FOREVER, &out);
        REQUIRE(r);
        sb_set_status(&sb, steps[i].to, 20000, 11000, steps[i].to_rate);
        CHECK_STATUS(completes_at_once(&sb, r), STATUS_SUCCESS);
        CHECK_EQ(out.PowerState, steps[i].to);
        bk_request_free(r);
    }
    sb_stop(&sb);
}

TEST(disable_status_notify_clears_the_window_when_no_one_waits)
{
    sb_t sb;
    BATTERY_STATUS out;

    SB_START(sb, NULL);
    bk_request_t *r = pending_wait(&sb, BATTERY_POWER_ON_LINE, 0, FOREVER, &out);
    REQUIRE(r);
    CHECK(sb_state(&sb).NotifyArmed);
    sb_set_status(&sb, BATTERY_DISCHARGING, 36000, 11000, -9000);
    CHECK_STATUS(completes_at_once(&sb, r), STATUS_SUCCESS);
    bk_request_free(r);
    bk_host_settle(sb.host);
    SIMBATT_STATE st = sb_state(&sb);
    CHECK(!st.NotifyArmed);
    /* Nothing armed: changes still notify the documented events only. */
    ULONG before = st.NotifyCount;
    sb_set_status(&sb, BATTERY_DISCHARGING, 1000, 11000, -9000);
    CHECK_EQ(sb_state(&sb).NotifyCount, before);
    sb_stop(&sb);
}

/* Below battc: SetStatusNotify with a stale tag fails as documented. */
TEST(set_status_notify_with_a_stale_tag_is_no_such_device)
{
    sb_t sb;
    BCLASS_SET_STATUS_NOTIFY_CALLBACK *set_notify;
    BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK *disable;
    BATTERY_NOTIFY n = {BATTERY_POWER_ON_LINE, 0, 100};

    SB_START(sb, NULL);
    set_notify = (BCLASS_SET_STATUS_NOTIFY_CALLBACK *)sb_driver_symbol("SimBattSetStatusNotify");
    disable =
        (BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK *)sb_driver_symbol("SimBattDisableStatusNotify");
    REQUIRE(set_notify && disable && sb_context(&sb));
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(set_notify(sb_context(&sb), tag + 1, &n), STATUS_NO_SUCH_DEVICE);
    CHECK(!sb_state(&sb).NotifyArmed);
    CHECK_STATUS(set_notify(sb_context(&sb), tag, &n), STATUS_SUCCESS);
    CHECK(sb_state(&sb).NotifyArmed);
    CHECK_STATUS(disable(sb_context(&sb)), STATUS_SUCCESS);
    CHECK(!sb_state(&sb).NotifyArmed);
    sb_stop(&sb);
}

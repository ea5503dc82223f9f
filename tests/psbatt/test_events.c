/* psbatt's notification: a power_supply uevent makes battc's waiters see
 * the change at once; the bounded poll finds changes that come without
 * one; a battery that leaves or comes back changes the tag. */
#include "ps_fixture.h"

#include <string.h>

static bk_handle_t *start_bat0(ps_t *ps, ULONG *tag)
{
    if (ps_start(ps) != 0 || !ps_wait_batteries(ps, 1))
        return NULL;
    bk_handle_t *h = ps_open(ps, "BAT0");
    if (h && ps_tag(h, tag) != 0)
        bk_test_fail(__FILE__, __LINE__, "no tag");
    return h;
}

TEST(uevent_ends_a_status_wait_on_the_new_power_state)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0); /* poll: one hour, so only the uevent can do it */
    ps_energy_battery(&ps, "BAT0");
    ps_mains(&ps, "AC", 0);
    bk_handle_t *h = start_bat0(&ps, &tag);
    REQUIRE(h);
    bk_request_t *r = ps_wait_status(h, tag, BATTERY_DISCHARGING, 0, 0xFFFFFFFF, &st);
    ps_mains(&ps, "AC", 1);
    ps_set(&ps, "BAT0", "status", "Charging");
    ps_uevent(&ps, "AC");
    CHECK_STATUS(ps_finish(r), 0);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    CHECK_EQ(st.Rate, 8550);
    bk_close(h);
    ps_done(&ps);
}

TEST(poll_finds_a_change_that_came_without_a_uevent)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    ps_init(&ps, 1, 5000); /* virtual time, a 5 s poll */
    ps_energy_battery(&ps, "BAT0");
    bk_handle_t *h = start_bat0(&ps, &tag);
    REQUIRE(h);
    ps_set(&ps, "BAT0", "energy_now", "20000000");
    bk_host_advance(ps.host, 4000ull * 1000000); /* before the poll: the cached answer */
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.Capacity, 25650);
    bk_host_advance(ps.host, 1000ull * 1000000);
    bk_host_settle(ps.host);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.Capacity, 20000);
    bk_close(h);
    ps_done(&ps);
}

TEST(capacity_leaving_the_notify_window_ends_the_wait)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    ps_mains(&ps, "AC", 0);
    bk_handle_t *h = start_bat0(&ps, &tag);
    REQUIRE(h);
    bk_request_t *r = ps_wait_status(h, tag, BATTERY_DISCHARGING, 25000, 26000, &st);
    ps_set(&ps, "BAT0", "energy_now", "24000000");
    ps_uevent(&ps, "BAT0");
    CHECK_STATUS(ps_finish(r), 0);
    CHECK_EQ(st.Capacity, 24000);
    bk_close(h);
    ps_done(&ps);
}

TEST(present_zero_invalidates_the_tag_and_reinsertion_gives_a_new_one)
{
    ps_t ps;
    ULONG tag, again;
    BATTERY_STATUS st;
    uint32_t got;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    bk_handle_t *h = start_bat0(&ps, &tag);
    REQUIRE(h);
    bk_request_t *r = ps_wait_status(h, tag, BATTERY_DISCHARGING, 0, 0xFFFFFFFF, &st);
    ps_set(&ps, "BAT0", "present", "0");
    ps_uevent(&ps, "BAT0");
    CHECK_STATUS(ps_finish(r), STATUS_NO_SUCH_DEVICE); /* docs: aborted on a tag change */
    CHECK_STATUS(ps_tag(h, &again), STATUS_NO_SUCH_DEVICE);
    ps_set(&ps, "BAT0", "present", "1");
    ps_uevent(&ps, "BAT0");
    ULONG wait = 5000;
    again = 0;
    CHECK_STATUS(
        bk_ioctl(h, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, &again, sizeof again, &got), 0);
    CHECK(again != 0 && again != tag);
    CHECK_STATUS(ps_status(h, tag, &st), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(ps_status(h, again, &st), 0);
    bk_close(h);
    ps_done(&ps);
}

TEST(supply_leaving_the_class_removes_the_battery_and_return_is_a_new_tag)
{
    ps_t ps;
    ULONG tag, again;
    ps_init(&ps, 0, 0);
    ps_energy_battery(&ps, "BAT0");
    bk_handle_t *h = start_bat0(&ps, &tag);
    REQUIRE(h);
    bk_close(h);
    ps_remove_supply(&ps, "BAT0");
    ps_uevent(&ps, "BAT0");
    CHECK(ps_wait_batteries(&ps, 0));
    ps_energy_battery(&ps, "BAT0");
    ps_uevent(&ps, "BAT0");
    CHECK(ps_wait_batteries(&ps, 1));
    h = ps_open(&ps, "BAT0");
    REQUIRE(h);
    CHECK_STATUS(ps_tag(h, &again), 0);
    CHECK(again != tag);
    bk_close(h);
    ps_done(&ps);
}

TEST(static_data_change_gives_a_new_tag)
{
    ps_t ps;
    ULONG tag, again;
    ps_init(&ps, 1, 5000);
    ps_energy_battery(&ps, "BAT0");
    bk_handle_t *h = start_bat0(&ps, &tag);
    REQUIRE(h);
    ps_set(&ps, "BAT0", "energy_full", "50000000"); /* a recalibrated full charge */
    bk_host_advance(ps.host, 5000ull * 1000000);
    bk_host_settle(ps.host);
    CHECK_STATUS(ps_tag(h, &again), 0);
    CHECK(again != tag);
    bk_close(h);
    ps_done(&ps);
}

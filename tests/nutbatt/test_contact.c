/* nutbatt's contact with upsd: answers from the cache between refreshes,
 * lost contact as a removed battery, reconnection as a new one, and battc
 * told of a change by the driver's own refresh. */
#include "nb_fixture.h"

#include <string.h>

TEST(status_is_answered_from_the_cache_between_refreshes)
{
    nb_t nb;
    ULONG tag;
    BATTERY_STATUS st;
    REQUIRE(nb_start(&nb, nb_dev_online, NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    /* upsd gone, no refresh yet: QUERY_STATUS does not ask it. */
    REQUIRE(nut_upsd_stop_server(&nb.ups));
    for (int i = 0; i < 100; i++)
        CHECK_STATUS(nb_status(&nb, tag, &st), 0);
    CHECK_EQ(st.Capacity, 172800);
    nb_done(&nb);
}

TEST(upsd_stopped_is_a_removed_battery_and_restarted_a_new_tag)
{
    nb_t nb;
    ULONG tag, tag2;
    BATTERY_STATUS st;
    BATTERY_INFORMATION bi;
    REQUIRE(nb_start(&nb, nb_dev_online, NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    REQUIRE(nut_upsd_stop_server(&nb.ups));
    nb_poll(&nb);
    CHECK_STATUS(nb_tag(&nb, &tag2), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(nb_status(&nb, tag, &st), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(nb_info(&nb, tag, BatteryInformation, 0, &bi, sizeof bi, NULL),
                 STATUS_NO_SUCH_DEVICE);
    nb_poll(&nb); /* still away: still no battery */
    CHECK_STATUS(nb_tag(&nb, &tag2), STATUS_NO_SUCH_DEVICE);

    REQUIRE(nut_upsd_start_server(&nb.ups));
    nb_poll(&nb);
    CHECK_STATUS(nb_tag(&nb, &tag2), 0);
    CHECK(tag2 != tag && tag2 != BATTERY_TAG_INVALID);
    CHECK_STATUS(nb_status(&nb, tag, &st), STATUS_NO_SUCH_DEVICE); /* the old tag is stale */
    CHECK_STATUS(nb_status(&nb, tag2, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    nb_done(&nb);
}

/* Between full reads a refresh asks only for the changing variables; an
 * ERR for them (the UPS's driver gone: upsd still up) is lost contact too. */
TEST(the_ups_driver_gone_between_full_reads_is_a_removed_battery)
{
    nb_t nb;
    ULONG tag, tag2;
    BATTERY_STATUS st;
    REQUIRE(nb_start(&nb, nb_dev_online, NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    REQUIRE(nb_set(&nb, "battery.charge: 79\nups.status: OB DISCHRG\n"));
    CHECK_STATUS(nb_status(&nb, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
    REQUIRE(nut_upsd_stop_driver(&nb.ups));
    nb_poll(&nb);
    CHECK_STATUS(nb_tag(&nb, &tag2), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(nb_status(&nb, tag, &st), STATUS_NO_SUCH_DEVICE);
    nb_done(&nb);
}

TEST(a_ups_upsd_does_not_serve_is_no_battery)
{
    nb_t nb;
    ULONG tag;
    REQUIRE(nb_start_ups(&nb, nb_dev_online, "other"));
    CHECK_STATUS(nb_tag(&nb, &tag), STATUS_NO_SUCH_DEVICE); /* upsd: UNKNOWN-UPS */
    nb_done(&nb);
}

/* A nut_ups nutbatt cannot split is refused at START (a message, no
 * battery device), and the host unloads clean. */
TEST(malformed_ups_addresses_start_no_battery)
{
    static const char *const bad[] = {"ups@127.0.0.1:99999", "ups@127.0.0.1:", "@127.0.0.1",
                                      "u ps@127.0.0.1", "ups@127.0.0.1:12x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        nb_t nb;
        REQUIRE(nb_start_address(&nb, nb_dev_online, bad[i]));
        if (nb.battery)
            bk_test_fail(__FILE__, __LINE__, "nut_ups = %s: a battery came up", bad[i]);
        nb_done(&nb);
    }
}

TEST(a_power_state_change_completes_a_waiting_query_status)
{
    nb_t nb;
    ULONG tag;
    BATTERY_STATUS out;
    bk_request_t *r = NULL;
    REQUIRE(nb_start(&nb, nb_dev_online, NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag,
                             .Timeout = 3600000,
                             .PowerState = BATTERY_POWER_ON_LINE | BATTERY_CHARGING,
                             .LowCapacity = 0,
                             .HighCapacity = 216000};
    bk_status_t s = bk_ioctl_async(nb.battery, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &out,
                                   sizeof out, NULL, NULL, &r);
    CHECK_STATUS(s, STATUS_PENDING);
    REQUIRE(nb_set(&nb, "battery.charge: 79\nbattery.runtime: 600\nups.status: OB DISCHRG\n"));
    /* One poll interval of virtual time passed: battc was told, before its
     * own 5 s poll. */
    CHECK_STATUS(bk_request_wait(r, 5ull * 1000000000ull), 0);
    bk_request_free(r);
    CHECK_EQ(out.PowerState, BATTERY_DISCHARGING);
    nb_done(&nb);
}

/* cmbatt on the default machine (a 57 Wh Li-ion laptop battery and an AC
 * adapter on the emulated ACPI bus), through the battery interface as an
 * application sees it: the tag, every information level, the status, and
 * units and flags consistent with the model. */
#include "bk_test.h"
#include "fixture.h"
#include "cmbatt_util.h"

#include <math.h>
#include <stdlib.h>

TEST(default_machine_has_one_battery_interface)
{
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    CHECK_EQ(cb_battery_count(h), 1); /* the AC adapter is no battery */
    fx_stop(h);
}

TEST(query_tag_returns_a_valid_tag_for_the_inserted_battery)
{
    ULONG tag;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    CHECK_STATUS(cb_query_tag(b, 0, &tag), STATUS_SUCCESS);
    CHECK(tag != BATTERY_TAG_INVALID);
    bk_close(b);
    fx_stop(h);
}

TEST(battery_information_is_in_mwh_from_bix)
{
    ULONG tag, got;
    BATTERY_INFORMATION bi;
    bk_host_t *h = fx_start(NULL, NULL);
    REQUIRE(h);
    bk_handle_t *b = cb_open_battery(h, 0);
    REQUIRE(b);
    REQUIRE(cb_query_tag(b, 0, &tag) == STATUS_SUCCESS);
    CHECK_STATUS(cb_query_info(b, tag, BatteryInformation, 0, &bi, sizeof bi, &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof bi);
    CHECK_EQ(bi.Capabilities, BATTERY_SYSTEM_BATTERY);
    CHECK_EQ(bi.Technology, 1);
    CHECK(memcmp(bi.Chemistry, "LION", 4) == 0);
    CHECK_EQ(bi.DesignedCapacity, 57000);
    CHECK_EQ(bi.FullChargedCapacity, 57000);
    CHECK_EQ(bi.DefaultAlert1, 1710); /* the firmware's low level */
    CHECK_EQ(bi.DefaultAlert2, 5700); /* its warning level */
    CHECK_EQ(bi.CriticalBias, 0);
    CHECK_EQ(bi.CycleCount, 0);
    bk_close(b);
    fx_stop(h);
}

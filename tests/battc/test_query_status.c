/* IOCTL_BATTERY_QUERY_STATUS through battc: the immediate answer, the
 * conditions that end a wait (power state, capacity below Low or above
 * High, the bound in milliseconds, a tag change) and what comes back. */
#include "battc_fixture.h"

#include <string.h>

#define ON_LINE BATTERY_POWER_ON_LINE
#define FOREVER 0xFFFFFFFFu

TEST(query_status_zero_timeout_returns_now)
{
    tb_t tb;
    BATTERY_STATUS s;
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, ON_LINE | BATTERY_CHARGING, 30000, 12600, 15000);
    uint64_t t0 = bk_host_now_ns(tb.host);
    /* docs: Timeout 0 answers at once whatever the other fields say. */
    CHECK_STATUS(
        tb_query_status(&tb, tb_tag(&tb), 0, ON_LINE | BATTERY_CHARGING, 0, 0xFFFFFFFF, &s, &got),
        STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(BATTERY_STATUS));
    CHECK_EQ(s.PowerState, ON_LINE | BATTERY_CHARGING);
    CHECK_EQ(s.Capacity, 30000);
    CHECK_EQ(s.Voltage, 12600);
    CHECK_EQ(s.Rate, 15000);
    CHECK_EQ(bk_host_now_ns(tb.host), t0);
    tb_stop(&tb);
}

TEST(stale_tag_query_status_fails_at_once)
{
    tb_t tb;
    BATTERY_STATUS s;
    uint32_t got = 99;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG old = tb_tag(&tb);
    tb_set_present(&tb, 0);
    tb_set_present(&tb, 1);
    uint64_t t0 = bk_host_now_ns(tb.host);
    /* Pitfall 6: even with an infinite timeout, a stale tag never waits. */
    BATTERY_WAIT_STATUS w = {old, FOREVER, ON_LINE, 0, 0xFFFFFFFF};
    bk_request_t *r = tb_wait_status(&tb, &w, &s);
    REQUIRE(r != NULL);
    bk_host_settle(tb.host);
    CHECK_STATUS(bk_request_status(r, &got), STATUS_NO_SUCH_DEVICE);
    CHECK_EQ(got, 0);
    CHECK_EQ(bk_host_now_ns(tb.host), t0);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_status_completes_on_power_state_change)
{
    tb_t tb;
    BATTERY_STATUS s;
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), FOREVER, ON_LINE, 0, 0xFFFFFFFF};
    bk_request_t *r = tb_wait_status(&tb, &w, &s);
    REQUIRE(r != NULL);
    tb_advance_ms(&tb, 60000);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    tb_set_status(&tb, BATTERY_DISCHARGING, 39000, 11800, -9000); /* AC unplugged */
    CHECK_STATUS(bk_request_status(r, &got), STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(BATTERY_STATUS));
    CHECK_EQ(s.PowerState, BATTERY_DISCHARGING);
    CHECK_EQ(s.Rate, -9000);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_status_power_state_mismatch_is_exact_inequality)
{
    tb_t tb;
    BATTERY_STATUS s;
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, BATTERY_DISCHARGING | BATTERY_CRITICAL, 900, 10000, -9000);
    uint64_t t0 = bk_host_now_ns(tb.host);
    /* PowerState shares the DISCHARGING bit but is not the same set: the
     * wait ends at once (the docs' "does not match", read as inequality;
     * unverified). */
    CHECK_STATUS(
        tb_query_status(&tb, tb_tag(&tb), 10000, BATTERY_DISCHARGING, 0, 0xFFFFFFFF, &s, &got),
        STATUS_SUCCESS);
    CHECK_EQ(s.PowerState, BATTERY_DISCHARGING | BATTERY_CRITICAL);
    CHECK_EQ(got, sizeof(BATTERY_STATUS));
    CHECK_EQ(bk_host_now_ns(tb.host), t0); /* answered without waiting */
    tb_stop(&tb);
}

TEST(query_status_completes_below_low_capacity)
{
    tb_t tb;
    BATTERY_STATUS s;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, BATTERY_DISCHARGING, 40000, 12000, -10000);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), FOREVER, BATTERY_DISCHARGING, 30000, 0xFFFFFFFF};
    bk_request_t *r = tb_wait_status(&tb, &w, &s);
    REQUIRE(r != NULL);
    tb_set_status(&tb, BATTERY_DISCHARGING, 30000, 12000, -10000); /* at Low: not below */
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    tb_set_status(&tb, BATTERY_DISCHARGING, 29999, 12000, -10000);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK_EQ(s.Capacity, 29999);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_status_completes_above_high_capacity)
{
    tb_t tb;
    BATTERY_STATUS s;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, ON_LINE | BATTERY_CHARGING, 40000, 12500, 20000);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), FOREVER, ON_LINE | BATTERY_CHARGING, 0, 45000};
    bk_request_t *r = tb_wait_status(&tb, &w, &s);
    REQUIRE(r != NULL);
    tb_set_status(&tb, ON_LINE | BATTERY_CHARGING, 45000, 12500, 20000); /* at High */
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    tb_set_status(&tb, ON_LINE | BATTERY_CHARGING, 45001, 12500, 20000);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK_EQ(s.Capacity, 45001);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_status_timeout_returns_current_status_16_bytes)
{
    tb_t tb;
    BATTERY_STATUS s;
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, BATTERY_DISCHARGING, 40000, 12000, -10000);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), 3000, BATTERY_DISCHARGING, 10000, 50000};
    bk_request_t *r = tb_wait_status(&tb, &w, &s);
    REQUIRE(r != NULL);
    /* A change inside the window: no condition, no notification. */
    tb_set_status(&tb, BATTERY_DISCHARGING, 39000, 11900, -9500);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    tb_advance_ms(&tb, 3000);
    /* docs: the timeout is a completion condition, not an error; pitfall 6:
     * the status is queried again, and all 16 bytes come back. */
    CHECK_STATUS(bk_request_status(r, &got), STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(BATTERY_STATUS));
    CHECK_EQ(s.Capacity, 39000);
    CHECK_EQ(s.Voltage, 11900);
    CHECK_EQ(s.Rate, -9500);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_status_timeout_units_are_milliseconds)
{
    tb_t tb;
    BATTERY_STATUS s;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), 5000, ON_LINE, 0, 0xFFFFFFFF};
    bk_request_t *r = tb_wait_status(&tb, &w, &s);
    REQUIRE(r != NULL);
    /* Pitfall 3: 5000 ms is 50,000,000 units of 100 ns, not a tenth of it. */
    tb_advance_ms(&tb, 500);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    tb_advance_ms(&tb, 4499);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    tb_advance_ms(&tb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(tag_change_aborts_pending_status_wait)
{
    tb_t tb;
    BATTERY_STATUS s;
    uint32_t got = 99;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), FOREVER, ON_LINE, 0, 0xFFFFFFFF};
    bk_request_t *r = tb_wait_status(&tb, &w, &s);
    REQUIRE(r != NULL);
    tb_advance_ms(&tb, 1000);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    /* The pack is swapped: docs: a request in progress when the tag
     * changes is aborted with ERROR_FILE_NOT_FOUND. */
    tb_set_present(&tb, 0);
    tb_set_present(&tb, 1);
    CHECK_STATUS(bk_request_status(r, &got), STATUS_NO_SUCH_DEVICE);
    CHECK_EQ(got, 0);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_status_unknown_capacity_ends_no_capacity_wait)
{
    tb_t tb;
    BATTERY_STATUS s;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, ON_LINE, BATTERY_UNKNOWN_CAPACITY, 12000, 0);
    /* 0xFFFFFFFF is "unknown", not "above 45000" (battkit's reading; the
     * docs tell callers to check for it before relying on capacity). */
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), FOREVER, ON_LINE, 1000, 45000};
    bk_request_t *r = tb_wait_status(&tb, &w, &s);
    REQUIRE(r != NULL);
    tb_advance_ms(&tb, 60000);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    tb_set_status(&tb, BATTERY_DISCHARGING, BATTERY_UNKNOWN_CAPACITY, 12000, -5000);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_status_short_buffers_are_refused)
{
    tb_t tb;
    BATTERY_STATUS s;
    uint32_t got = 99;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), 0, ON_LINE, 0, 0xFFFFFFFF};
    CHECK_STATUS(
        bk_ioctl(tb.battery, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof(w) - 4, &s, sizeof(s), &got),
        STATUS_INVALID_PARAMETER);
    CHECK_STATUS(
        bk_ioctl(tb.battery, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof(w), &s, sizeof(s) - 1, &got),
        STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 0);
    tb_stop(&tb);
}

TEST(query_status_miniclass_failure_ends_wait_with_its_status)
{
    tb_t tb;
    BATTERY_STATUS s;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), FOREVER, ON_LINE, 0, 0xFFFFFFFF};
    bk_request_t *r = tb_wait_status(&tb, &w, &s);
    REQUIRE(r != NULL);
    tb_config(&tb, TESTMINI_AUTO_NOTIFY | TESTMINI_STATUS_FAILS, 0, 0);
    tb_notify(&tb, PASSIVE_LEVEL);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_UNSUCCESSFUL);
    bk_request_free(r);
    tb_stop(&tb);
}

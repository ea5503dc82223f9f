/* IOCTL_BATTERY_QUERY_TAG through battc: the tag at once when a battery is
 * present, the wait (milliseconds, 0, forever) while none is, and what
 * ends it: an insertion, BatteryClassStatusNotify, or the bound. */
#include "battc_fixture.h"

TEST(query_tag_returns_tag_immediately_when_present)
{
    tb_t tb;
    ULONG tag = 0;
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    uint64_t t0 = bk_host_now_ns(tb.host);
    /* docs: the wait applies only while there is no battery. */
    CHECK_STATUS(tb_query_tag(&tb, 60000, &tag), STATUS_SUCCESS);
    CHECK_EQ(tag, tb_counters(&tb).Tag);
    CHECK(tag != BATTERY_TAG_INVALID);
    CHECK_EQ(bk_host_now_ns(tb.host), t0);
    /* An empty input means "do not wait" (as ReactOS accepts it). */
    tag = 0;
    CHECK_STATUS(bk_ioctl(tb.battery, IOCTL_BATTERY_QUERY_TAG, NULL, 0, &tag, sizeof(tag), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(ULONG));
    CHECK_EQ(tag, tb_counters(&tb).Tag);
    tb_stop(&tb);
}

TEST(query_tag_zero_timeout_no_battery_is_no_such_device)
{
    tb_t tb;
    ULONG tag = 0x1234;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_present(&tb, 0);
    uint64_t t0 = bk_host_now_ns(tb.host);
    /* docs: ERROR_FILE_NOT_FOUND, i.e. STATUS_NO_SUCH_DEVICE, at once. */
    CHECK_STATUS(tb_query_tag(&tb, 0, &tag), STATUS_NO_SUCH_DEVICE);
    CHECK_EQ(bk_host_now_ns(tb.host), t0);
    tb_stop(&tb);
}

TEST(query_tag_waits_until_battery_inserted)
{
    tb_t tb;
    ULONG timeout = 10000, tag = 0, old;
    uint32_t got = 0;
    bk_request_t *r = NULL;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    old = tb_tag(&tb);
    tb_set_present(&tb, 0);
    bk_ioctl_async(tb.battery, IOCTL_BATTERY_QUERY_TAG, &timeout, sizeof(timeout), &tag,
                   sizeof(tag), NULL, NULL, &r);
    REQUIRE(r != NULL);
    tb_advance_ms(&tb, 3000);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    tb_set_present(&tb, 1); /* the miniclass notifies the insertion (docs) */
    CHECK_STATUS(bk_request_status(r, &got), STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(ULONG));
    /* docs: a new tag on every insertion. */
    CHECK_EQ(tag, tb_counters(&tb).Tag);
    CHECK(tag != old && tag != BATTERY_TAG_INVALID);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_tag_wait_times_out_with_no_such_device_at_bound)
{
    tb_t tb;
    ULONG timeout = 2000, tag = 0;
    uint32_t got = 99;
    bk_request_t *r = NULL;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_present(&tb, 0);
    bk_ioctl_async(tb.battery, IOCTL_BATTERY_QUERY_TAG, &timeout, sizeof(timeout), &tag,
                   sizeof(tag), NULL, NULL, &r);
    REQUIRE(r != NULL);
    tb_advance_ms(&tb, 1999);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    tb_advance_ms(&tb, 1);
    CHECK_STATUS(bk_request_status(r, &got), STATUS_NO_SUCH_DEVICE);
    CHECK_EQ(got, 0);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_tag_infinite_wait_woken_by_status_notify)
{
    tb_t tb;
    ULONG timeout = 0xFFFFFFFF, tag = 0;
    bk_request_t *r = NULL;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_present(&tb, 0);
    bk_ioctl_async(tb.battery, IOCTL_BATTERY_QUERY_TAG, &timeout, sizeof(timeout), &tag,
                   sizeof(tag), NULL, NULL, &r);
    REQUIRE(r != NULL);
    tb_advance_ms(&tb, 24ull * 3600 * 1000); /* forever means forever */
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    /* A battery arrives silently: nothing ends the wait yet... */
    tb_config(&tb, 0, 0, 0);
    tb_set_present(&tb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_PENDING);
    /* ...until the miniclass calls BatteryClassStatusNotify (pitfall 4),
     * here at DISPATCH_LEVEL as it may. */
    tb_notify(&tb, DISPATCH_LEVEL);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS);
    CHECK_EQ(tag, tb_counters(&tb).Tag);
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(query_tag_short_input_is_invalid_parameter)
{
    tb_t tb;
    USHORT half = 0;
    ULONG tag = 0;
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    CHECK_STATUS(
        bk_ioctl(tb.battery, IOCTL_BATTERY_QUERY_TAG, &half, sizeof(half), &tag, sizeof(tag), &got),
        STATUS_INVALID_PARAMETER);
    CHECK_EQ(got, 0);
    tb_stop(&tb);
}

TEST(query_tag_short_output_is_buffer_too_small)
{
    tb_t tb;
    ULONG timeout = 0;
    USHORT half = 0;
    uint32_t got = 7;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    /* docs: ERROR_INSUFFICIENT_BUFFER with 0 bytes returned. */
    CHECK_STATUS(bk_ioctl(tb.battery, IOCTL_BATTERY_QUERY_TAG, &timeout, sizeof(timeout), &half,
                          sizeof(half), &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 0);
    tb_stop(&tb);
}

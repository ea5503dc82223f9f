/* A battery's life in battc: BatteryClassInitializeDevice's checks and
 * versions, cancelled waits, BatteryClassUnload completing what waits and
 * leaving no pool, and IRPs that are not battc's. */
#include "battc_fixture.h"

#include <string.h>

#define ON_LINE BATTERY_POWER_ON_LINE
#define FOREVER 0xFFFFFFFFu

typedef struct completion {
    int count; /* atomic */
    bk_status_t status;
    uint32_t returned;
} completion_t;

static void count_done(void *context, bk_status_t status, uint32_t returned)
{
    completion_t *c = context;
    c->status = status;
    c->returned = returned;
    __atomic_add_fetch(&c->count, 1, __ATOMIC_SEQ_CST);
}

static bk_request_t *send_wait(tb_t *tb, const BATTERY_WAIT_STATUS *w, BATTERY_STATUS *out,
                               completion_t *c)
{
    bk_request_t *r = NULL;
    bk_ioctl_async(tb->battery, IOCTL_BATTERY_QUERY_STATUS, w, sizeof(*w), out, sizeof(*out),
                   count_done, c, &r);
    return r;
}

TEST(initialize_rejects_bad_version_and_missing_callbacks)
{
    static const struct {
        ULONG variant;
        NTSTATUS expected;
    } cases[] = {
        {TESTMINI_INIT_BAD_MAJOR, STATUS_REVISION_MISMATCH},
        {TESTMINI_INIT_BAD_MINOR, STATUS_REVISION_MISMATCH},
        {TESTMINI_INIT_NO_QUERY_TAG, STATUS_INVALID_PARAMETER},
        {TESTMINI_INIT_NO_QUERY_INFO, STATUS_INVALID_PARAMETER},
        {TESTMINI_INIT_NO_QUERY_STATUS, STATUS_INVALID_PARAMETER},
        /* docs: SetStatusNotify and DisableStatusNotify come as a pair. */
        {TESTMINI_INIT_LONE_SET_NOTIFY, STATUS_INVALID_PARAMETER},
        {TESTMINI_INIT_LONE_DISABLE, STATUS_INVALID_PARAMETER},
        {TESTMINI_INIT_NO_PDO, STATUS_INVALID_PARAMETER},
        {TESTMINI_INIT_NULL_INFO, STATUS_INVALID_PARAMETER},
    };
    tb_t tb;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    bk_pool_stats_t before, after;
    bk_host_pool_stats(&before);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        NTSTATUS result = 0;
        uint32_t got = 0;
        CHECK_STATUS(bk_ioctl(tb.battery, IOCTL_TESTMINI_TRY_INIT, &cases[i].variant, sizeof(ULONG),
                              &result, sizeof(result), &got),
                     STATUS_SUCCESS);
        CHECK_STATUS(result, cases[i].expected);
    }
    bk_host_pool_stats(&after);
    /* Refused before anything was allocated or registered. */
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
    char **paths;
    size_t n = bk_host_list_interfaces(tb.host, &GUID_DEVICE_BATTERY, &paths);
    CHECK_EQ(n, 1);
    bk_host_free_list(paths, n);
    tb_stop(&tb);
}

TEST(initialize_accepts_v1_0_and_v1_2_and_advertises_no_extras)
{
    tb_t tb;
    BATTERY_STATUS s;
    uint32_t got;
    /* MinorVersion 0: no Fdo; battc's work item hangs off the PDO. */
    REQUIRE(tb_start(&tb, TESTMINI_HWID_V10) == 0);
    CHECK_STATUS(tb_counters(&tb).InitStatus, STATUS_SUCCESS);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), 1000, ON_LINE, 0, 0xFFFFFFFF};
    CHECK_STATUS(
        bk_ioctl(tb.battery, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof(w), &s, sizeof(s), &got),
        STATUS_SUCCESS); /* waited out its second through the work item */
    tb_stop(&tb);
    /* MinorVersion 2: the header says the class driver writes what it
     * supports; battc implements no peak power, so 0. */
    REQUIRE(tb_start(&tb, TESTMINI_HWID_V12) == 0);
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK_STATUS(c.InitStatus, STATUS_SUCCESS);
    CHECK_EQ(c.ClassCapabilities, 0);
    tb_stop(&tb);
}

TEST(cancel_pending_wait_completes_cancelled_once)
{
    tb_t tb;
    BATTERY_STATUS s;
    completion_t c = {0};
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    BATTERY_WAIT_STATUS w = {tb_tag(&tb), FOREVER, ON_LINE, 0, 0xFFFFFFFF};
    bk_request_t *r = send_wait(&tb, &w, &s, &c);
    REQUIRE(r != NULL);
    bk_host_settle(tb.host);
    CHECK_EQ(tb_counters(&tb).NotifyArmed, 1);
    bk_request_cancel(r);
    bk_host_settle(tb.host);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_CANCELLED);
    CHECK_EQ(c.returned, 0);
    /* What would have completed it comes later: nothing more happens. */
    tb_set_status(&tb, BATTERY_DISCHARGING, 39000, 11900, -9000);
    tb_advance_ms(&tb, 60000);
    CHECK_EQ(__atomic_load_n(&c.count, __ATOMIC_SEQ_CST), 1);
    CHECK_EQ(tb_counters(&tb).NotifyArmed, 0); /* nothing waits: disarmed */
    bk_request_free(r);
    tb_stop(&tb);
}

TEST(cancel_racing_completion_completes_each_wait_once)
{
    enum { N = 64 };
    tb_t tb;
    BATTERY_STATUS s[N];
    completion_t c[N];
    bk_request_t *r[N];
    memset(c, 0, sizeof(c));
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);
    for (int round = 0; round < 4; round++) {
        memset(c, 0, sizeof(c));
        tb_set_status(&tb, ON_LINE, 40000, 12000, 0);
        for (int i = 0; i < N; i++) {
            BATTERY_WAIT_STATUS w = {tag, FOREVER, ON_LINE, 0, 0xFFFFFFFF};
            r[i] = send_wait(&tb, &w, &s[i], &c[i]);
        }
        /* The notification's pass runs on a worker while this thread
         * cancels every other request. */
        BATTERY_STATUS off = {BATTERY_DISCHARGING, 39000, 11900, -9000};
        uint32_t got;
        bk_ioctl(tb.battery, IOCTL_TESTMINI_SET_STATUS, &off, sizeof(off), NULL, 0, &got);
        for (int i = 0; i < N; i += 2)
            bk_request_cancel(r[i]);
        bk_host_settle(tb.host);
        for (int i = 0; i < N; i++) {
            CHECK_EQ(__atomic_load_n(&c[i].count, __ATOMIC_SEQ_CST), 1);
            CHECK(c[i].status == STATUS_SUCCESS || (i % 2 == 0 && c[i].status == STATUS_CANCELLED));
            bk_request_free(r[i]);
        }
    }
    tb_stop(&tb);
}

TEST(unload_completes_waiters_device_removed)
{
    tb_t tb;
    BATTERY_STATUS s[3];
    completion_t c[3];
    bk_request_t *r[3];
    memset(c, 0, sizeof(c));
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);
    BATTERY_WAIT_STATUS w[3] = {{tag, FOREVER, ON_LINE, 0, 0xFFFFFFFF},
                                {tag, 60000, ON_LINE, 1000, 45000},
                                {tag, FOREVER, ON_LINE, 39000, 0xFFFFFFFF}};
    for (int i = 0; i < 3; i++)
        r[i] = send_wait(&tb, &w[i], &s[i], &c[i]);
    bk_host_settle(tb.host);
    CHECK_EQ(tb_counters(&tb).NotifyArmed, 1);
    /* The miniclass detaches (what it does for IRP_MN_REMOVE_DEVICE). */
    uint32_t got;
    CHECK_STATUS(bk_ioctl(tb.battery, IOCTL_TESTMINI_UNLOAD_CLASS, NULL, 0, NULL, 0, &got),
                 STATUS_SUCCESS);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(__atomic_load_n(&c[i].count, __ATOMIC_SEQ_CST), 1);
        CHECK_STATUS(c[i].status, STATUS_DEVICE_REMOVED);
        CHECK_EQ(c[i].returned, 0);
    }
    /* The armed notification was disabled, the interface went away, and
     * the 60 s bound of the second request never fires into freed memory. */
    CHECK_EQ(tb_counters(&tb).NotifyArmed, 0);
    char **paths;
    size_t n = bk_host_list_interfaces(tb.host, &GUID_DEVICE_BATTERY, &paths);
    CHECK_EQ(n, 0);
    bk_host_free_list(paths, n);
    tb_advance_ms(&tb, 120000);
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(__atomic_load_n(&c[i].count, __ATOMIC_SEQ_CST), 1);
        bk_request_free(r[i]);
    }
    tb_stop(&tb);
}

TEST(unload_leaves_no_pool)
{
    tb_t tb;
    BATTERY_STATUS s[2];
    completion_t c[2];
    bk_request_t *r[2];
    memset(c, 0, sizeof(c));
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);
    /* Leave battc with everything it can hold: a status waiter with a
     * bound (timer armed), one without, an armed notification, a WMI
     * registration, then remove the device. */
    BATTERY_WAIT_STATUS w0 = {tag, 30000, ON_LINE, 0, 0xFFFFFFFF};
    BATTERY_WAIT_STATUS w1 = {tag, FOREVER, ON_LINE, 30000, 50000};
    r[0] = send_wait(&tb, &w0, &s[0], &c[0]);
    r[1] = send_wait(&tb, &w1, &s[1], &c[1]);
    UCHAR block[64];
    uint32_t got = 0;
    bk_wmi_query(tb.battery, &BATTERY_STATUS_WMI_GUID, block, sizeof(block), &got);
    bk_host_settle(tb.host);
    CHECK_STATUS(bk_host_remove_device(tb.host, tb.device, 0), STATUS_SUCCESS);
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(__atomic_load_n(&c[i].count, __ATOMIC_SEQ_CST), 1);
        CHECK_STATUS(c[i].status, STATUS_DEVICE_REMOVED);
        bk_request_free(r[i]);
    }
    /* tb_stop fails the test if battc (or anyone) left a pool block. */
    tb_stop(&tb);
}

TEST(not_a_battery_ioctl_is_not_supported_and_untouched)
{
    tb_t tb;
    ULONG result[2] = {0xFFFFFFFF, 0};
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    /* The miniclass hands battc IRPs that are not battery IOCTLs and
     * checks each came back STATUS_NOT_SUPPORTED, not completed, its
     * status, information and stack location as they were. */
    CHECK_STATUS(bk_ioctl(tb.battery, IOCTL_TESTMINI_PROBE_NOT_BATTERY, NULL, 0, result,
                          sizeof(result), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(result));
    CHECK_EQ(result[0], 0); /* bit i set: case i was touched */
    CHECK(result[1] >= 5);  /* cases tried */
    tb_stop(&tb);
}

static NTSTATUS update_data(tb_t *tb, ULONG version, ULONG limit, ULONG charging, ULONG pass_null)
{
    TESTMINI_UPDATE u = {version, limit, charging, pass_null};
    NTSTATUS result = 0;
    uint32_t got = 0;
    if (bk_ioctl(tb->battery, IOCTL_TESTMINI_UPDATE_DATA, &u, sizeof(u), &result, sizeof(result),
                 &got) != STATUS_SUCCESS)
        bk_test_fail(__FILE__, __LINE__, "IOCTL_TESTMINI_UPDATE_DATA failed");
    return result;
}

TEST(update_data_accepts_versions_1_and_2_only)
{
    tb_t tb;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    /* docs: charge-limit state and no/inadequate/adequate supply changes. */
    CHECK_STATUS(
        update_data(&tb, BATTERY_MINIPORT_UPDATE_DATA_VER_2, 1, BatteryInadequatePowerSupply, 0),
        STATUS_SUCCESS);
    CHECK_STATUS(
        update_data(&tb, BATTERY_MINIPORT_UPDATE_DATA_VER_1, 0, BatteryAdequatePowerSupply, 0),
        STATUS_SUCCESS);
    CHECK_STATUS(update_data(&tb, 3, 0, BatteryAdequatePowerSupply, 0), STATUS_REVISION_MISMATCH);
    CHECK_STATUS(update_data(&tb, 0, 0, BatteryAdequatePowerSupply, 0), STATUS_REVISION_MISMATCH);
    CHECK_STATUS(update_data(&tb, BATTERY_MINIPORT_UPDATE_DATA_VER_2, 0, 3, 0),
                 STATUS_INVALID_PARAMETER); /* not a BATTERY_CHARGING_STATE */
    CHECK_STATUS(update_data(&tb, BATTERY_MINIPORT_UPDATE_DATA_VER_2, 0, 0, 1),
                 STATUS_INVALID_PARAMETER);
    tb_stop(&tb);
}

/* Many requests waiting on one battery: hundreds with mixed conditions,
 * the aggregate thresholds armed in the miniclass, polling when it cannot
 * notify, BatteryClassStatusNotify from any context, and one miniclass
 * call at a time whatever the load. */
#include "battc_fixture.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ON_LINE BATTERY_POWER_ON_LINE
#define FOREVER 0xFFFFFFFFu

typedef struct waiter {
    BATTERY_WAIT_STATUS wait;
    BATTERY_STATUS out;
    bk_request_t *request;
    int completions; /* atomic */
    bk_status_t status;
    uint32_t returned;
    ULONG capacity_at_completion;
} waiter_t;

static void waiter_done(void *context, bk_status_t status, uint32_t returned)
{
    waiter_t *w = context;
    w->status = status;
    w->returned = returned;
    w->capacity_at_completion = w->out.Capacity;
    __atomic_add_fetch(&w->completions, 1, __ATOMIC_SEQ_CST);
}

static void waiter_send(tb_t *tb, waiter_t *w)
{
    bk_ioctl_async(tb->battery, IOCTL_BATTERY_QUERY_STATUS, &w->wait, sizeof(w->wait), &w->out,
                   sizeof(w->out), waiter_done, w, &w->request);
    if (!w->request)
        bk_test_fail(__FILE__, __LINE__, "QUERY_STATUS not sent");
}

static int done(const waiter_t *w)
{
    return __atomic_load_n(&w->completions, __ATOMIC_SEQ_CST);
}

/* 300 waiters: 100 bounded by distinct timeouts, 100 with distinct
 * LowCapacity, 100 with distinct HighCapacity (pitfall 2: a class driver
 * with one waiter slot serves one of them). */
TEST(status_waiters_hundreds_mixed_conditions_all_served)
{
    enum { N = 100 };
    tb_t tb;
    waiter_t *w = calloc(3 * N, sizeof(*w));
    REQUIRE(w != NULL);
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, ON_LINE, 40000, 12000, 0);
    ULONG tag = tb_tag(&tb);
    waiter_t *timed = w, *low = w + N, *high = w + 2 * N;
    for (int i = 0; i < N; i++) {
        timed[i].wait = (BATTERY_WAIT_STATUS){tag, 1000 + 10 * (ULONG)i, ON_LINE, 0, 0xFFFFFFFF};
        low[i].wait =
            (BATTERY_WAIT_STATUS){tag, FOREVER, ON_LINE, 39900 - 100 * (ULONG)i, 0xFFFFFFFF};
        high[i].wait = (BATTERY_WAIT_STATUS){tag, FOREVER, ON_LINE, 0, 40100 + 100 * (ULONG)i};
    }
    for (int i = 0; i < 3 * N; i++)
        waiter_send(&tb, &w[i]);
    bk_host_settle(tb.host);
    for (int i = 0; i < 3 * N; i++)
        CHECK_EQ(done(&w[i]), 0);
    /* The miniclass is armed with the tightest window of all of them. */
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK_EQ(c.NotifyArmed, 1);
    CHECK_EQ(c.NotifyLow, 39900);
    CHECK_EQ(c.NotifyHigh, 40100);
    CHECK_EQ(c.NotifyPowerState, ON_LINE);

    /* 1.5 s: the timeouts 1000..1500 ms (51 of them) end, no other. */
    tb_advance_ms(&tb, 1500);
    for (int i = 0; i < N; i++)
        CHECK_EQ(done(&timed[i]), i <= 50 ? 1 : 0);
    for (int i = 0; i < N; i++)
        CHECK_EQ(done(&low[i]) + done(&high[i]), 0);

    /* Capacity 35000: every Low above it (39900..35100: 49 waiters). */
    tb_set_status(&tb, ON_LINE, 35000, 12000, 0);
    for (int i = 0; i < N; i++) {
        CHECK_EQ(done(&low[i]), i < 49 ? 1 : 0);
        if (i < 49)
            CHECK_EQ(low[i].capacity_at_completion, 35000);
    }
    /* Capacity 45000: every High below it (40100..44900: 49 waiters). */
    tb_set_status(&tb, ON_LINE, 45000, 12000, 0);
    for (int i = 0; i < N; i++)
        CHECK_EQ(done(&high[i]), i < 49 ? 1 : 0);
    /* Unplugged: every remaining one, at once. */
    tb_set_status(&tb, BATTERY_DISCHARGING, 45000, 11900, -8000);
    for (int i = 0; i < 3 * N; i++) {
        CHECK_EQ(done(&w[i]), 1);
        CHECK_STATUS(w[i].status, STATUS_SUCCESS);
        CHECK_EQ(w[i].returned, sizeof(BATTERY_STATUS));
    }
    /* Nothing waits any more: the notification is disarmed. */
    c = tb_counters(&tb);
    CHECK_EQ(c.NotifyArmed, 0);
    CHECK(c.Calls[TESTMINI_CB_DISABLE_NOTIFY] >= 1);
    CHECK_EQ(c.MaxActive, 1);
    for (int i = 0; i < 3 * N; i++)
        bk_request_free(w[i].request);
    free(w);
    tb_stop(&tb);
}

TEST(set_status_notify_armed_with_aggregate_thresholds)
{
    tb_t tb;
    waiter_t w[3];
    memset(w, 0, sizeof(w));
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, BATTERY_DISCHARGING, 40000, 12000, -5000);
    ULONG tag = tb_tag(&tb);
    w[0].wait = (BATTERY_WAIT_STATUS){tag, FOREVER, BATTERY_DISCHARGING, 30000, 50000};
    w[1].wait = (BATTERY_WAIT_STATUS){tag, FOREVER, BATTERY_DISCHARGING, 35000, 45000};
    w[2].wait = (BATTERY_WAIT_STATUS){tag, FOREVER, BATTERY_DISCHARGING, 20000, 42000};
    for (int i = 0; i < 3; i++)
        waiter_send(&tb, &w[i]);
    bk_host_settle(tb.host);
    /* docs (BATTERY_NOTIFY): notify on leaving the power state, below Low
     * or above High; the union of three windows is the tightest one. */
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK_EQ(c.NotifyArmed, 1);
    CHECK_EQ(c.NotifyTag, tag);
    CHECK_EQ(c.NotifyPowerState, BATTERY_DISCHARGING);
    CHECK_EQ(c.NotifyLow, 35000);
    CHECK_EQ(c.NotifyHigh, 42000);
    /* The tightest waiter leaves: the window widens to the others'. */
    tb_set_status(&tb, BATTERY_DISCHARGING, 34000, 12000, -5000);
    CHECK_EQ(done(&w[1]), 1);
    c = tb_counters(&tb);
    CHECK_EQ(c.NotifyLow, 30000);
    CHECK_EQ(c.NotifyHigh, 42000);
    /* Cancelling the rest disarms it. */
    bk_request_cancel(w[0].request);
    bk_request_cancel(w[2].request);
    bk_host_settle(tb.host);
    CHECK_EQ(tb_counters(&tb).NotifyArmed, 0);
    for (int i = 0; i < 3; i++)
        bk_request_free(w[i].request);
    tb_stop(&tb);
}

static void polling_case(const char *hwid, ULONG flags)
{
    tb_t tb;
    waiter_t w;
    memset(&w, 0, sizeof(w));
    REQUIRE(tb_start(&tb, hwid) == 0);
    tb_config(&tb, flags, 0, 0); /* and no BatteryClassStatusNotify either */
    w.wait = (BATTERY_WAIT_STATUS){tb_tag(&tb), FOREVER, ON_LINE, 0, 0xFFFFFFFF};
    waiter_send(&tb, &w);
    bk_host_settle(tb.host);
    ULONG polls = tb_counters(&tb).Calls[TESTMINI_CB_QUERY_STATUS];
    tb_set_status(&tb, BATTERY_DISCHARGING, 39000, 11900, -9000); /* silently */
    /* docs: the class driver polls QueryStatus at regular but infrequent
     * intervals: BATTC_POLL_INTERVAL_MS = 5000. */
    tb_advance_ms(&tb, 4999);
    CHECK_EQ(done(&w), 0);
    CHECK_EQ(tb_counters(&tb).Calls[TESTMINI_CB_QUERY_STATUS], polls);
    tb_advance_ms(&tb, 1);
    CHECK_EQ(done(&w), 1);
    CHECK_STATUS(w.status, STATUS_SUCCESS);
    CHECK_EQ(w.out.PowerState, BATTERY_DISCHARGING);
    /* And with nothing waiting, the polling stops. */
    ULONG after = tb_counters(&tb).Calls[TESTMINI_CB_QUERY_STATUS];
    tb_advance_ms(&tb, 60000);
    CHECK_EQ(tb_counters(&tb).Calls[TESTMINI_CB_QUERY_STATUS], after);
    bk_request_free(w.request);
    tb_stop(&tb);
}

TEST(polling_when_set_status_notify_unsupported)
{
    polling_case(TESTMINI_HWID, TESTMINI_NOTIFY_UNSUPPORTED);
}

TEST(polling_when_miniclass_has_no_status_notify_callbacks)
{
    polling_case(TESTMINI_HWID_NONOTIFY, 0);
}

TEST(polling_keeps_every_waiters_own_bound)
{
    tb_t tb;
    waiter_t w;
    memset(&w, 0, sizeof(w));
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_config(&tb, TESTMINI_NOTIFY_UNSUPPORTED, 0, 0);
    w.wait = (BATTERY_WAIT_STATUS){tb_tag(&tb), 12000, ON_LINE, 0, 0xFFFFFFFF};
    waiter_send(&tb, &w);
    tb_advance_ms(&tb, 11999); /* two polls went by, nothing changed */
    CHECK_EQ(done(&w), 0);
    tb_advance_ms(&tb, 1);
    CHECK_EQ(done(&w), 1);
    bk_request_free(w.request);
    tb_stop(&tb);
}

TEST(status_notify_never_calls_miniclass_on_callers_stack)
{
    tb_t tb;
    waiter_t w;
    memset(&w, 0, sizeof(w));
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    w.wait = (BATTERY_WAIT_STATUS){tb_tag(&tb), FOREVER, ON_LINE, 0, 0xFFFFFFFF};
    waiter_send(&tb, &w);
    bk_host_settle(tb.host);
    tb_reset_counters(&tb);
    for (int i = 0; i < 20; i++)
        tb_notify(&tb, i % 2 ? DISPATCH_LEVEL : PASSIVE_LEVEL);
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK_EQ(c.NotifyCalls, 20);
    CHECK(c.Calls[TESTMINI_CB_QUERY_STATUS] >= 1);  /* served, from battc's own context */
    CHECK(c.Calls[TESTMINI_CB_QUERY_STATUS] <= 20); /* coalesced at most one pass each */
    CHECK_EQ(c.OnNotifierStack, 0);
    /* A miniclass that notifies from inside its own QueryStatus. */
    tb_config(&tb, TESTMINI_AUTO_NOTIFY | TESTMINI_NOTIFY_IN_CALLBACK, 0, 0);
    tb_notify(&tb, PASSIVE_LEVEL);
    bk_host_settle(tb.host);
    tb_config(&tb, TESTMINI_AUTO_NOTIFY, 0, 0);
    bk_host_settle(tb.host);
    c = tb_counters(&tb);
    CHECK_EQ(c.OnNotifierStack, 0);
    CHECK_EQ(c.MaxActive, 1);
    CHECK_EQ(done(&w), 0);
    tb_set_status(&tb, BATTERY_DISCHARGING, 39000, 11900, -9000);
    CHECK_EQ(done(&w), 1);
    bk_request_free(w.request);
    tb_stop(&tb);
}

/* A miniclass that calls BatteryClassStatusNotify from inside its
 * SetStatusNotify: battc re-arms only when the request changes, so the
 * notify is served once and the finite wait completes on its timeout. */
TEST(set_status_notify_that_notifies_is_not_rearmed_endlessly)
{
    tb_t tb;
    waiter_t w = {0};
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, ON_LINE, 40000, 12000, 0);
    tb_config(&tb, TESTMINI_AUTO_NOTIFY | TESTMINI_NOTIFY_IN_SET, 0, 0);
    tb_reset_counters(&tb);
    w.wait = (BATTERY_WAIT_STATUS){tb_tag(&tb), 2000, ON_LINE, 30000, 50000};
    waiter_send(&tb, &w);
    bk_host_settle(tb.host);
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK(c.Calls[TESTMINI_CB_SET_NOTIFY] >= 1);
    CHECK(c.Calls[TESTMINI_CB_SET_NOTIFY] <= 2); /* the same request is not asked again */
    CHECK_EQ(done(&w), 0);
    tb_advance_ms(&tb, 2000);
    CHECK_EQ(done(&w), 1); /* the finite wait completed */
    CHECK(tb_counters(&tb).Calls[TESTMINI_CB_SET_NOTIFY] <= 3);
    bk_request_free(w.request);
    tb_stop(&tb);
}

TEST(status_notify_with_nothing_pending_calls_nothing)
{
    tb_t tb;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_reset_counters(&tb);
    for (int i = 0; i < 10; i++)
        tb_notify(&tb, PASSIVE_LEVEL);
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK_EQ(c.NotifyCalls, 10);
    for (int i = 0; i < TESTMINI_CB_COUNT; i++)
        CHECK_EQ(c.Calls[i], 0);
    tb_stop(&tb);
}

/* ---- serialization ---- */

typedef struct hammer {
    tb_t *tb;
    ULONG tag;
    int failures;
} hammer_t;

static void *hammer_main(void *arg)
{
    hammer_t *h = arg;
    for (int i = 0; i < 100; i++) {
        BATTERY_STATUS s;
        BATTERY_INFORMATION info;
        ULONG tag;
        uint32_t got;
        BATTERY_WAIT_STATUS w = {h->tag, 0, ON_LINE, 0, 0xFFFFFFFF};
        BATTERY_QUERY_INFORMATION q = {h->tag, BatteryInformation, 0};
        ULONG zero = 0;
        if (bk_ioctl(h->tb->battery, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof(w), &s, sizeof(s),
                     &got) != STATUS_SUCCESS)
            h->failures++;
        if (bk_ioctl(h->tb->battery, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof(q), &info,
                     sizeof(info), &got) != STATUS_SUCCESS)
            h->failures++;
        if (bk_ioctl(h->tb->battery, IOCTL_BATTERY_QUERY_TAG, &zero, sizeof(zero), &tag,
                     sizeof(tag), &got) != STATUS_SUCCESS)
            h->failures++;
    }
    return NULL;
}

TEST(miniclass_calls_are_serialized)
{
    enum { THREADS = 4, WAITERS = 20 };
    tb_t tb;
    pthread_t threads[THREADS];
    hammer_t h[THREADS];
    waiter_t w[WAITERS];
    memset(w, 0, sizeof(w));
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);
    /* Slow answers widen every window in which two calls could meet. */
    tb_config(&tb, TESTMINI_AUTO_NOTIFY, 20000, 0);
    tb_reset_counters(&tb);
    for (int i = 0; i < WAITERS; i++) {
        w[i].wait = (BATTERY_WAIT_STATUS){tag, FOREVER, ON_LINE, 1000 * (ULONG)i, 0xFFFFFFFF};
        waiter_send(&tb, &w[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        h[i] = (hammer_t){&tb, tag, 0};
        pthread_create(&threads[i], NULL, hammer_main, &h[i]);
    }
    /* Meanwhile the miniclass notifies: evaluation passes join in. */
    for (int i = 0; i < 50; i++) {
        ULONG irql = PASSIVE_LEVEL;
        uint32_t got;
        bk_ioctl(tb.battery, IOCTL_TESTMINI_NOTIFY, &irql, sizeof(irql), NULL, 0, &got);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_EQ(h[i].failures, 0);
    }
    bk_host_settle(tb.host);
    TESTMINI_COUNTERS c = tb_counters(&tb);
    /* docs: the class driver serializes requests to the battery. */
    CHECK_EQ(c.MaxActive, 1);
    CHECK(c.Calls[TESTMINI_CB_QUERY_STATUS] >= THREADS * 100);
    tb_set_status(&tb, BATTERY_DISCHARGING, 39000, 11900, -9000);
    for (int i = 0; i < WAITERS; i++) {
        CHECK_EQ(done(&w[i]), 1);
        bk_request_free(w[i].request);
    }
    tb_stop(&tb);
}

/* What waiting requests cost battc, counted rather than timed: a cancel
 * looks at the cancelled waiter only and calls nothing; arming N waits
 * looks at each once (no pass over the others per new waiter); a window
 * left too tight by a cancel is widened by the next change. Counts come
 * from battc's own counters (battc_counters.h), the test miniclass's call
 * counts and the host's IoCallDriver count. */
#include "battc_fixture.h"
#include "battc_counters.h"

#include <dlfcn.h>
#include <stdlib.h>

#define ON_LINE BATTERY_POWER_ON_LINE
#define FOREVER 0xFFFFFFFFu
#define N       1000

static BATTC_COUNTERS battc_counters(void)
{
    BATTC_COUNTERS c = {0};
    /* The host has loaded battc.so: find the export in its copy. */
    void *so = dlopen(BATTC_SO, RTLD_NOW | RTLD_NOLOAD);
    PBATTC_QUERY_COUNTERS query =
        so ? (PBATTC_QUERY_COUNTERS)dlsym(so, BATTC_COUNTERS_EXPORT) : NULL;
    if (!query)
        bk_test_fail(__FILE__, __LINE__, "%s not found in %s", BATTC_COUNTERS_EXPORT, BATTC_SO);
    else
        query(&c);
    if (so)
        dlclose(so);
    return c;
}

static ULONG miniclass_calls(const TESTMINI_COUNTERS *c)
{
    ULONG n = 0;
    for (int i = 0; i < TESTMINI_CB_COUNT; i++)
        n += c->Calls[i];
    return n;
}

typedef struct waits {
    bk_request_t *request[N];
    BATTERY_STATUS out[N];
} waits_t;

/* n waits sent one after another, each settled before the next (as a
 * daemon on real time takes them: one at a time). */
static void arm(tb_t *tb, waits_t *w, int n, BATTERY_WAIT_STATUS (*conditions)(ULONG tag, int i))
{
    ULONG tag = tb_tag(tb);
    for (int i = 0; i < n; i++) {
        BATTERY_WAIT_STATUS ws = conditions(tag, i);
        w->request[i] = tb_wait_status(tb, &ws, &w->out[i]);
        bk_host_settle(tb->host);
    }
}

static BATTERY_WAIT_STATUS same_window(ULONG tag, int i)
{
    (void)i;
    return (BATTERY_WAIT_STATUS){tag, FOREVER, ON_LINE, 30000, 50000};
}

/* Each one tighter than every one before it. */
static BATTERY_WAIT_STATUS tighter_each(ULONG tag, int i)
{
    return (BATTERY_WAIT_STATUS){tag, FOREVER, ON_LINE, 30000 + (ULONG)i, 50000 - (ULONG)i};
}

static int pending(const waits_t *w, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += bk_request_status(w->request[i], NULL) == STATUS_PENDING;
    return k;
}

static void free_all(waits_t *w, int n)
{
    for (int i = 0; i < n; i++)
        bk_request_free(w->request[i]);
}

TEST(cancelling_one_of_1000_waits_touches_only_that_wait)
{
    tb_t tb;
    waits_t *w = calloc(1, sizeof(*w));
    REQUIRE(w != NULL);
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, ON_LINE, 40000, 12000, 0);
    arm(&tb, w, N, same_window);
    CHECK_EQ(pending(w, N), N);

    tb_reset_counters(&tb);
    BATTC_COUNTERS before = battc_counters();
    uint64_t irps = bk_host_io_call_count();
    bk_request_cancel(w->request[N / 2]);
    bk_host_settle(tb.host);
    irps = bk_host_io_call_count() - irps; /* before the counters' own IOCTL */
    BATTC_COUNTERS after = battc_counters();
    TESTMINI_COUNTERS mini = tb_counters(&tb);

    CHECK_STATUS(bk_request_status(w->request[N / 2], NULL), STATUS_CANCELLED);
    CHECK_EQ(pending(w, N), N - 1);
    /* One waiter looked at (the cancelled one), no pass, no miniclass
     * call, no IRP sent anywhere. */
    CHECK_EQ(after.WaitersExamined - before.WaitersExamined, 1);
    CHECK_EQ(after.Passes - before.Passes, 0);
    CHECK_EQ(miniclass_calls(&mini), 0);
    CHECK_EQ(irps, 0);
    CHECK_EQ(mini.NotifyArmed, 1);

    /* The others are still served by what is armed: unplugged, all 999. */
    tb_set_status(&tb, BATTERY_DISCHARGING, 40000, 11900, -8000);
    CHECK_EQ(pending(w, N), 0);
    for (int i = 0; i < N; i++)
        if (i != N / 2)
            CHECK_STATUS(bk_request_status(w->request[i], NULL), STATUS_SUCCESS);
    free_all(w, N);
    free(w);
    tb_stop(&tb);
}

/* Arming the k-th wait used to run a pass over all k-1 before it:
 * 1,000 waits looked at ~500,000 waiter records. */
TEST(arming_1000_waits_is_linear)
{
    tb_t tb;
    waits_t *w = calloc(1, sizeof(*w));
    REQUIRE(w != NULL);
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, ON_LINE, 40000, 12000, 0);
    tb_reset_counters(&tb);
    BATTC_COUNTERS before = battc_counters();
    arm(&tb, w, N, same_window);
    BATTC_COUNTERS after = battc_counters();
    TESTMINI_COUNTERS mini = tb_counters(&tb);

    CHECK_EQ(pending(w, N), N);
    /* Each waiter once when queued, plus the first one's pass (which
     * arms the miniclass; the other 999 are covered by that arming). */
    CHECK(after.WaitersExamined - before.WaitersExamined <= 2 * N);
    CHECK(after.Passes - before.Passes <= 1);
    /* One QueryStatus per request (the answer-at-once check), one more
     * for the pass; armed once. */
    CHECK(mini.Calls[TESTMINI_CB_QUERY_STATUS] <= N + 1);
    CHECK_EQ(mini.Calls[TESTMINI_CB_SET_NOTIFY], 1);
    CHECK_EQ(mini.NotifyLow, 30000);
    CHECK_EQ(mini.NotifyHigh, 50000);
    tb_set_status(&tb, BATTERY_DISCHARGING, 40000, 11900, -8000);
    CHECK_EQ(pending(w, N), 0);
    free_all(w, N);
    free(w);
    tb_stop(&tb);
}

/* A new waiter with a narrower window than the armed one narrows the
 * arming with one SetStatusNotify, not a pass: still linear, and the
 * miniclass ends up armed with the tightest window of them all. */
TEST(arming_1000_ever_tighter_waits_is_linear_and_arms_the_tightest)
{
    tb_t tb;
    waits_t *w = calloc(1, sizeof(*w));
    REQUIRE(w != NULL);
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, ON_LINE, 40000, 12000, 0);
    tb_reset_counters(&tb);
    BATTC_COUNTERS before = battc_counters();
    arm(&tb, w, N, tighter_each);
    BATTC_COUNTERS after = battc_counters();
    TESTMINI_COUNTERS mini = tb_counters(&tb);

    CHECK_EQ(pending(w, N), N);
    CHECK(after.WaitersExamined - before.WaitersExamined <= 2 * N);
    CHECK(after.Passes - before.Passes <= 1);
    CHECK_EQ(mini.Calls[TESTMINI_CB_SET_NOTIFY], N);
    CHECK_EQ(mini.NotifyArmed, 1);
    CHECK_EQ(mini.NotifyPowerState, ON_LINE);
    CHECK_EQ(mini.NotifyLow, 30000 + N - 1);
    CHECK_EQ(mini.NotifyHigh, 50000 - (N - 1));
    /* Just below the tightest Low: the tightest waiter only. */
    tb_set_status(&tb, ON_LINE, 30000 + N - 2, 12000, 0);
    CHECK_EQ(pending(w, N), N - 1);
    CHECK_STATUS(bk_request_status(w->request[N - 1], NULL), STATUS_SUCCESS);
    CHECK_EQ(tb_counters(&tb).NotifyLow, 30000 + N - 2);
    tb_set_status(&tb, BATTERY_DISCHARGING, 40000, 11900, -8000);
    CHECK_EQ(pending(w, N), 0);
    free_all(w, N);
    free(w);
    tb_stop(&tb);
}

/* A cancel leaves the window armed for the cancelled waiter too (tighter
 * than the others need); the change that only it cared about runs a pass
 * that completes nobody and arms the others' wider window. */
TEST(a_change_only_a_cancelled_waiter_wanted_rearms_the_wider_window)
{
    tb_t tb;
    BATTERY_STATUS out[2];
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_set_status(&tb, ON_LINE, 40000, 12000, 0);
    ULONG tag = tb_tag(&tb);
    BATTERY_WAIT_STATUS wide = {tag, FOREVER, ON_LINE, 30000, 50000};
    BATTERY_WAIT_STATUS narrow = {tag, FOREVER, ON_LINE, 35000, 45000};
    bk_request_t *a = tb_wait_status(&tb, &wide, &out[0]);
    bk_host_settle(tb.host);
    bk_request_t *b = tb_wait_status(&tb, &narrow, &out[1]);
    bk_host_settle(tb.host);
    CHECK_EQ(tb_counters(&tb).NotifyLow, 35000);
    bk_request_cancel(b);
    bk_host_settle(tb.host);
    CHECK_STATUS(bk_request_status(b, NULL), STATUS_CANCELLED);
    CHECK_EQ(tb_counters(&tb).NotifyLow, 35000);
    tb_set_status(&tb, ON_LINE, 34000, 12000, 0);
    CHECK_STATUS(bk_request_status(a, NULL), STATUS_PENDING);
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK_EQ(c.NotifyArmed, 1);
    CHECK_EQ(c.NotifyLow, 30000);
    CHECK_EQ(c.NotifyHigh, 50000);
    tb_set_status(&tb, ON_LINE, 29000, 12000, 0);
    CHECK_STATUS(bk_request_status(a, NULL), STATUS_SUCCESS);
    CHECK_EQ(out[0].Capacity, 29000);
    bk_request_free(a);
    bk_request_free(b);
    tb_stop(&tb);
}

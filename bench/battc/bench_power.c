/* bench_power: how long a battery change takes to reach the power
 * manager's system state (battery -> battc -> composite battery -> battc
 * -> power manager, every hop a completed wait), beside the same change
 * reaching a client's QUERY_STATUS wait on the battery itself, both timed
 * from the same change:
 *   BENCH battery_change_to_waiter_us           one hop (the baseline)
 *   BENCH compbatt_change_to_power_status_us    the power manager's state
 */
#include <initguid.h>
#include <ntddk.h>
#include <batclass.h>
#include <battkit/host.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "bench_util.h"
#include "testmini_ioctl.h"

#define ROUNDS   301
#define BOUND_NS (2 * 1000000000ull)
#define STEP_MWH 5000 /* well outside the composite's half-percent window */

typedef struct probe {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    uint32_t want_capacity; /* the change the watch waits for */
    uint64_t power_ns;      /* when the power manager had it, 0 until then */
    uint64_t waiter_ns;
} probe_t;

static probe_t P = {.lock = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void on_power(void *context, const bk_power_state_t *s)
{
    (void)context;
    pthread_mutex_lock(&P.lock);
    if (!P.power_ns && s->remaining_capacity == P.want_capacity) {
        P.power_ns = bench_now_ns();
        pthread_cond_broadcast(&P.cv);
    }
    pthread_mutex_unlock(&P.lock);
}

static void on_waiter(void *context, bk_status_t status, uint32_t returned)
{
    (void)context, (void)status, (void)returned;
    pthread_mutex_lock(&P.lock);
    P.waiter_ns = bench_now_ns();
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.lock);
}

/* Waits (bounded) until both ends saw the change. */
static int wait_both(void)
{
    uint64_t deadline = bench_now_ns() + BOUND_NS;
    pthread_mutex_lock(&P.lock);
    while ((!P.power_ns || !P.waiter_ns) && bench_now_ns() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 10000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&P.cv, &P.lock, &ts);
    }
    int ok = P.power_ns && P.waiter_ns;
    pthread_mutex_unlock(&P.lock);
    return ok ? 0 : -1;
}

int main(void)
{
    static double power_us[ROUNDS], waiter_us[ROUNDS];
    char **paths = NULL;
    bk_handle_t *bat = NULL;
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!host)
        return 1;
    bk_status_t s =
        bk_host_add_root_device(host, TESTMINI_HWID, "battc_testmini", NULL, TESTMINI_SO, NULL);
    size_t n =
        s == STATUS_SUCCESS ? bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &paths) : 0;
    if (n != 1 || bk_host_open(host, paths[0], BK_ACCESS_READ | BK_ACCESS_WRITE, &bat) != 0) {
        fprintf(stderr, "bench_power: no test battery\n");
        return 1;
    }
    bk_host_free_list(paths, n);
    if (bk_host_add_root_device(host, "COMPOSITE_BATTERY", "compbatt", "0", COMPBATT_SO, NULL) !=
        STATUS_SUCCESS) {
        fprintf(stderr, "bench_power: no composite battery\n");
        return 1;
    }
    bk_host_settle(host);
    void *watch = bk_host_watch_power(host, on_power, NULL);
    ULONG zero = 0, tag = 0;
    uint32_t got;
    BATTERY_WAIT_STATUS q = {0};
    BATTERY_STATUS st;
    int failed = bk_ioctl(bat, IOCTL_BATTERY_QUERY_TAG, &zero, 4, &tag, 4, &got) != 0;
    q.BatteryTag = tag;
    failed |= bk_ioctl(bat, IOCTL_BATTERY_QUERY_STATUS, &q, sizeof q, &st, sizeof st, &got) != 0;
    for (int r = 0; r < ROUNDS && !failed; r++) {
        /* a client waiting on the battery for any change of capacity */
        BATTERY_WAIT_STATUS w = {.BatteryTag = tag,
                                 .Timeout = 0xFFFFFFFF,
                                 .PowerState = st.PowerState,
                                 .LowCapacity = st.Capacity,
                                 .HighCapacity = st.Capacity};
        BATTERY_STATUS out;
        bk_request_t *req = NULL;
        pthread_mutex_lock(&P.lock);
        P.power_ns = P.waiter_ns = 0;
        st.Capacity =
            st.Capacity >= 40000 ? 20000 + (ULONG)(r % 3) * STEP_MWH : st.Capacity + STEP_MWH;
        P.want_capacity = st.Capacity;
        pthread_mutex_unlock(&P.lock);
        if (bk_ioctl_async(bat, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &out, sizeof out,
                           on_waiter, NULL, &req) != STATUS_PENDING) {
            failed = 1;
            break;
        }
        uint64_t t0 = bench_now_ns();
        failed |= bk_ioctl(bat, IOCTL_TESTMINI_SET_STATUS, &st, sizeof st, NULL, 0, &got) != 0;
        failed |= bk_ioctl(bat, IOCTL_TESTMINI_NOTIFY, &zero, sizeof zero, NULL, 0, &got) != 0;
        failed |= wait_both() != 0;
        power_us[r] = (double)(P.power_ns - t0) / 1000.0;
        waiter_us[r] = (double)(P.waiter_ns - t0) / 1000.0;
        bk_request_wait(req, BOUND_NS);
        bk_request_free(req);
        bk_host_settle(host);
    }
    bk_host_unwatch_power(host, watch);
    bk_close(bat);
    int leaks = bk_host_destroy(host);
    if (failed || leaks) {
        fprintf(stderr, "bench_power: a change did not arrive (or the host leaked)\n");
        return 1;
    }
    printf("BENCH battery_change_to_waiter_us %.1f\n", bench_quantile(waiter_us, ROUNDS, 0.5));
    printf("BENCH compbatt_change_to_power_status_us %.1f\n",
           bench_quantile(power_us, ROUNDS, 0.5));
    return 0;
}

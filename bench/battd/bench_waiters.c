/* Many waiting clients served by one battery change, beside one waiter,
 * each the median of RUNS changes in the same run (battd on real time, the
 * built-in laptop, started by this program):
 *   notify_1_waiter_served_us            one client's QUERY_STATUS wait: the
 *       SIM AC change sent -> its reply read
 *   notify_1000_waiters_all_served_us    1,000 clients each holding such a
 *       wait: the change sent -> the last of the 1,000 replies read
 *   notify_1000_waiters_first_served_us  ... -> the first reply read
 *   socket_1000_replies_floor_us         the machine's floor for the same
 *       fan-out: a thread of this program writes one reply-sized frame on
 *       each of 1,000 socket pairs, the main thread reads them as above
 *   socket_1000_sends_alone_us           the floor's two halves, one after
 *   socket_1000_reads_alone_us           the other on one thread: the 1,000
 *       sends with no reader waiting, then the 1,000 reads (epoll, as above)
 *       with every frame already there. Either alone is a lower bound for
 *       "all served" with one socket write per client and one reader.
 * The replies are collected with epoll as they come (one read each), on
 * the bench's own thread. */
#define _GNU_SOURCE
#include "battd_child.h"
#include "bench_util.h"
#include "raw.h"

#include <windows.h>
#include <batclass.h>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <unistd.h>

#define WAITERS  1000
#define RUNS     31
#define BOUND_MS 10000

typedef struct waiter {
    int fd;
    uint32_t handle;
    ULONG tag;
    ULONG armed_for; /* the power state its wait was armed with */
    bool done;
} waiter_t;

static waiter_t w[WAITERS];
static ULONG power_state; /* the battery's, as every wait was armed */

static bool waiter_open(waiter_t *x)
{
    x->fd = raw_connect(bench_battd_sock);
    if (x->fd < 0 || !raw_hello(x->fd) || !(x->handle = raw_open_battery(x->fd, "PNP0C0A")))
        return false;
    ULONG zero = 0;
    uint32_t got;
    return raw_ioctl(x->fd, 10, x->handle, IOCTL_BATTERY_QUERY_TAG, &zero, 4, &x->tag, 4, &got,
                     BOUND_MS) == 0;
}

/* The wait for a power state other than `state`, then a POLICY_GET: its
 * reply means battd has taken the wait in (frames are handled in order). */
static bool waiter_arm(waiter_t *x, uint32_t id, ULONG state)
{
    BATTERY_WAIT_STATUS ws = {.BatteryTag = x->tag,
                              .Timeout = 0xFFFFFFFFu,
                              .PowerState = state,
                              .HighCapacity = 0xFFFFFFFEu};
    uint8_t msg[sizeof(bkp_ioctl_t) + sizeof ws];
    bkp_ioctl_t m = {.handle = x->handle,
                     .code = IOCTL_BATTERY_QUERY_STATUS,
                     .out_length = sizeof(BATTERY_STATUS),
                     .in_length = sizeof ws};
    memcpy(msg, &m, sizeof m);
    memcpy(msg + sizeof m, &ws, sizeof ws);
    x->done = false;
    x->armed_for = state;
    return raw_send(x->fd, BKP_MSG_IOCTL, id, msg, sizeof msg) &&
           raw_send(x->fd, BKP_MSG_POLICY_GET, id + 1, NULL, 0);
}

/* true once the POLICY_GET answers. A wait that completed first (the
 * battery changed state on its own, real time) is armed again for the
 * state it reported. */
static bool waiter_armed(waiter_t *x, uint32_t id)
{
    for (int tries = 0; tries < 4; tries++) {
        bkp_header_t h;
        uint8_t tmp[128];
        if (raw_recv(x->fd, &h, tmp, sizeof tmp, BOUND_MS) != 1)
            return false;
        if (h.request_id == id + 1)
            return true;
        BATTERY_STATUS st;
        memcpy(&st, tmp + sizeof(bkp_ioctl_reply_t), sizeof st);
        if (h.request_id != id || st.PowerState == power_state)
            return false;
        power_state = st.PowerState;
        bkp_header_t ph;
        if (raw_recv(x->fd, &ph, tmp, sizeof tmp, BOUND_MS) != 1 || ph.request_id != id + 1 ||
            !waiter_arm(x, id, power_state))
            return false;
    }
    return false;
}

static bool sim_ac(int ctl, uint32_t id, int on)
{
    bkp_sim_t m = {.op = BKP_SIM_AC, .value = on};
    return raw_send(ctl, BKP_MSG_SIM, id, &m, sizeof m);
}

/* One change with n waiters armed: first and last reply times (us after
 * the change was sent). */
static int one_change(int ctl, int ep, int n, uint32_t id, double *first_us, double *last_us)
{
    ULONG armed_for = power_state;
    for (int i = 0; i < n; i++)
        if (!waiter_arm(&w[i], id, power_state))
            return -1;
    for (int i = 0; i < n; i++)
        if (!waiter_armed(&w[i], id)) {
            fprintf(stderr, "bench_waiters: waiter %d not armed\n", i);
            return -1;
        }
    if (power_state != armed_for) {
        /* The battery moved on by itself (real time) while they were
         * armed: the ones armed before complete at once. Take their
         * replies and run again. */
        for (int i = 0; i < n; i++) {
            bkp_header_t h;
            uint8_t tmp[128];
            if (w[i].armed_for != power_state &&
                raw_recv(w[i].fd, &h, tmp, sizeof tmp, BOUND_MS) != 1)
                return -1;
        }
        return 1;
    }
    int on = (power_state & BATTERY_POWER_ON_LINE) ? 0 : 1;
    uint64_t t0 = bench_now_ns(), first = 0, last = 0;
    if (!sim_ac(ctl, id, on))
        return -1;
    int served = 0;
    ULONG new_state = 0;
    while (served < n) {
        struct epoll_event ev[64];
        int k = epoll_wait(ep, ev, 64, BOUND_MS);
        if (k <= 0) {
            fprintf(stderr, "bench_waiters: %d of %d served\n", served, n);
            return -1;
        }
        for (int j = 0; j < k; j++) {
            waiter_t *x = ev[j].data.ptr;
            /* One read takes the whole reply (one small frame, sent whole). */
            uint8_t reply[BKP_HEADER_SIZE + sizeof(bkp_ioctl_reply_t) + sizeof(BATTERY_STATUS)];
            ssize_t got = read(x->fd, reply, sizeof reply);
            uint64_t t = bench_now_ns();
            bkp_header_t h;
            bkp_ioctl_reply_t r;
            BATTERY_STATUS st;
            if (x->done || got != (ssize_t)sizeof reply) {
                fprintf(stderr, "bench_waiters: a reply of %zd bytes (%s)\n", got,
                        x->done ? "a second one" : "expected one frame");
                return -1;
            }
            memcpy(&h, reply, sizeof h);
            memcpy(&r, reply + sizeof h, sizeof r);
            memcpy(&st, reply + sizeof h + sizeof r, sizeof st);
            if (h.request_id != id || r.status != 0 || r.returned != sizeof st ||
                st.PowerState == power_state) {
                fprintf(stderr, "bench_waiters: reply %u/%u status 0x%x state 0x%x (was 0x%x)\n",
                        h.request_id, id, (unsigned)r.status, (unsigned)st.PowerState,
                        (unsigned)power_state);
                return -1;
            }
            new_state = st.PowerState;
            x->done = true;
            if (!first)
                first = t;
            last = t;
            served++;
        }
    }
    bkp_header_t h;
    int32_t status = -1;
    if (raw_recv(ctl, &h, &status, sizeof status, BOUND_MS) != 1 || status != 0) {
        fprintf(stderr, "bench_waiters: SIM answered 0x%x\n", (unsigned)status);
        return -1; /* the SIM's own reply */
    }
    power_state = new_state;
    *first_us = (double)(first - t0) / 1000.0;
    *last_us = (double)(last - t0) / 1000.0;
    return 0;
}

/* RUNS changes with n waiters: medians of the first and last reply. */
static int measure(int ctl, int n, double *first_p50, double *last_p50)
{
    static double first[RUNS], last[RUNS];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < n; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &w[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, w[i].fd, &ev);
    }
    /* A change the battery made on its own while the waits were armed
     * (1) is taken and the run done again; a failure (-1) ends it. */
    int rc = 0, r = 0;
    for (int tries = 0; r < RUNS && rc >= 0 && tries < 2 * RUNS; tries++) {
        rc = one_change(ctl, ep, n, 100 + 2 * (uint32_t)tries, &first[r], &last[r]);
        r += rc == 0;
    }
    close(ep);
    if (rc < 0 || r < RUNS) {
        fprintf(stderr, "bench_waiters: %d of %d changes measured with %d waiters\n", r, RUNS, n);
        return -1;
    }
    *first_p50 = bench_quantile(first, RUNS, 0.5);
    *last_p50 = bench_quantile(last, RUNS, 0.5);
    return 0;
}

/* ---- the floor: 1,000 frames written by one thread, read by another ---- */
#define FRAME_LEN (BKP_HEADER_SIZE + sizeof(bkp_ioctl_reply_t) + sizeof(BATTERY_STATUS))
static int floor_out[WAITERS], floor_in[WAITERS], floor_go;

static void *floor_writer(void *arg)
{
    (void)arg;
    uint8_t frame[FRAME_LEN] = {0};
    uint64_t v;
    while (read(floor_go, &v, sizeof v) == sizeof v) {
        if (v > 1) /* stop */
            break;
        for (int i = 0; i < WAITERS; i++)
            if (send(floor_out[i], frame, sizeof frame, MSG_NOSIGNAL) != (ssize_t)sizeof frame)
                return NULL;
    }
    return NULL;
}

/* The two halves of the floor, on this thread alone. */
static int measure_halves(int ep, double *sends_p50, double *reads_p50)
{
    static double sends[RUNS], reads[RUNS];
    uint8_t frame[FRAME_LEN] = {0};
    for (int r = 0; r < RUNS; r++) {
        uint64_t t0 = bench_now_ns();
        for (int i = 0; i < WAITERS; i++)
            if (send(floor_out[i], frame, sizeof frame, MSG_NOSIGNAL) != (ssize_t)sizeof frame)
                return -1;
        uint64_t t1 = bench_now_ns();
        for (int got = 0; got < WAITERS;) {
            struct epoll_event ev[64];
            int k = epoll_wait(ep, ev, 64, BOUND_MS);
            if (k <= 0)
                return -1;
            for (int j = 0; j < k; j++, got++)
                if (read(ev[j].data.fd, frame, sizeof frame) != (ssize_t)sizeof frame)
                    return -1;
        }
        sends[r] = (double)(t1 - t0) / 1000.0;
        reads[r] = (double)(bench_now_ns() - t1) / 1000.0;
    }
    *sends_p50 = bench_quantile(sends, RUNS, 0.5);
    *reads_p50 = bench_quantile(reads, RUNS, 0.5);
    return 0;
}

static int measure_floor(double *p50, double *sends_p50, double *reads_p50)
{
    static double runs[RUNS];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    floor_go = eventfd(0, EFD_CLOEXEC);
    for (int i = 0; i < WAITERS; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return -1;
        floor_out[i] = sv[0];
        floor_in[i] = sv[1];
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = sv[1]};
        epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev);
    }
    pthread_t t;
    pthread_create(&t, NULL, floor_writer, NULL);
    int rc = 0;
    for (int r = 0; r < RUNS && rc == 0; r++) {
        uint64_t one = 1, t0 = bench_now_ns(), last = 0;
        if (write(floor_go, &one, sizeof one) != sizeof one)
            rc = -1;
        for (int got = 0; got < WAITERS && rc == 0;) {
            struct epoll_event ev[64];
            int k = epoll_wait(ep, ev, 64, BOUND_MS);
            if (k <= 0)
                rc = -1;
            for (int j = 0; j < k; j++) {
                uint8_t frame[FRAME_LEN];
                if (read(ev[j].data.fd, frame, sizeof frame) != (ssize_t)sizeof frame)
                    rc = -1;
                last = bench_now_ns();
                got++;
            }
        }
        runs[r] = (double)(last - t0) / 1000.0;
    }
    uint64_t stop = 2;
    if (write(floor_go, &stop, sizeof stop) != sizeof stop)
        rc = -1;
    pthread_join(t, NULL);
    if (rc == 0)
        rc = measure_halves(ep, sends_p50, reads_p50);
    for (int i = 0; i < WAITERS; i++) {
        close(floor_out[i]);
        close(floor_in[i]);
    }
    close(floor_go);
    close(ep);
    if (rc == 0)
        *p50 = bench_quantile(runs, RUNS, 0.5);
    return rc;
}

int main(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* a thousand waiting clients */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
    double floor_us = 0, sends_us = 0, reads_us = 0;
    if (measure_floor(&floor_us, &sends_us, &reads_us) != 0) {
        fprintf(stderr, "bench_waiters: the socket floor failed\n");
        return 1;
    }
    if (bench_battd_start(NULL) != 0) {
        fprintf(stderr, "bench_waiters: battd did not start (%s)\n", BATTD_PATH);
        return 1;
    }
    int failed = 0, ready = 0;
    int ctl = raw_connect(bench_battd_sock);
    if (ctl < 0 || !raw_hello(ctl))
        failed = 1;
    for (; !failed && ready < WAITERS && waiter_open(&w[ready]); ready++)
        ;
    if (ready < WAITERS) {
        fprintf(stderr, "bench_waiters: only %d of %d clients connected\n", ready, WAITERS);
        failed = 1;
    }
    BATTERY_WAIT_STATUS now = {.BatteryTag = w[0].tag};
    BATTERY_STATUS st;
    uint32_t got;
    if (!failed && raw_ioctl(w[0].fd, 11, w[0].handle, IOCTL_BATTERY_QUERY_STATUS, &now, sizeof now,
                             &st, sizeof st, &got, BOUND_MS) != 0)
        failed = 1;
    power_state = st.PowerState;
    double one_first = 0, one_last = 0, many_first = 0, many_last = 0;
    if (!failed && measure(ctl, 1, &one_first, &one_last) != 0) {
        fprintf(stderr, "bench_waiters: the one-waiter changes failed\n");
        failed = 1;
    }
    if (!failed && measure(ctl, WAITERS, &many_first, &many_last) != 0) {
        fprintf(stderr, "bench_waiters: the %d-waiter changes failed\n", WAITERS);
        failed = 1;
    }
    for (int i = 0; i < ready; i++)
        close(w[i].fd);
    if (ctl >= 0)
        close(ctl);
    if (bench_battd_stop() != 0) {
        fprintf(stderr, "bench_waiters: battd did not stop clean\n");
        failed = 1;
    }
    printf("BENCH notify_1_waiter_served_us %.1f\n", one_last);
    printf("BENCH notify_1000_waiters_all_served_us %.1f\n", many_last);
    printf("BENCH notify_1000_waiters_first_served_us %.1f\n", many_first);
    printf("BENCH socket_1000_replies_floor_us %.1f\n", floor_us);
    printf("BENCH socket_1000_sends_alone_us %.1f\n", sends_us);
    printf("BENCH socket_1000_reads_alone_us %.1f\n", reads_us);
    return failed;
}

/* battd benchmarks, each figure the median (or p99) of many runs, beside
 * its baselines measured in the same run:
 *   battd_query_status_p50_us / _p99_us  one IOCTL_BATTERY_QUERY_STATUS
 *       (Timeout 0) round trip through libbattkit-client and battd's socket
 *   inprocess_query_status_us   the same request through the embedded host
 *       API (bk_ioctl), no socket
 *   sysfs_read_p50_us           open+read+close of one small sysfs file
 *       (a power_supply uevent if the machine has one, else
 *       transparent_hugepage/enabled; stderr says which)
 *   notify_latency_p50_us       a SIM AC change sent -> a client's pending
 *       QUERY_STATUS wait completed
 *   waiting_clients_served      1000 clients each holding a QUERY_STATUS
 *       wait; one AC change; how many completed (must be 1000)
 * battd runs on real time on the built-in laptop, started by this program. */
#define _GNU_SOURCE
#include "battd_child.h"
#include "bench_util.h"
#include "raw.h"

#include <windows.h>
#include <setupapi.h>
#include <devguid.h>
#include <batclass.h>
#include <battkit/client.h>
#include <battkit/host.h>

#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUND_TRIPS    20000
#define WARMUP         2000
#define INPROCESS_RUNS 20000
#define SYSFS_RUNS     20000
#define NOTIFY_RUNS    200
#define WAITERS        1000

static double samples[ROUND_TRIPS > SYSFS_RUNS ? ROUND_TRIPS : SYSFS_RUNS];

/* ---- round trip through the library ---- */
static HANDLE open_battery(ULONG *tag)
{
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_BATTERY, NULL, NULL,
                                        DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    if (set == INVALID_HANDLE_VALUE)
        return INVALID_HANDLE_VALUE;
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
    char buf[600];
    PSP_DEVICE_INTERFACE_DETAIL_DATA_A d = (void *)buf;
    d->cbSize = sizeof *d;
    HANDLE h = INVALID_HANDLE_VALUE;
    if (SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, &did) &&
        SetupDiGetDeviceInterfaceDetailA(set, &did, d, sizeof buf, NULL, NULL))
        h = CreateFileA(d->DevicePath, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    SetupDiDestroyDeviceInfoList(set);
    ULONG wait = 0;
    DWORD got;
    if (h != INVALID_HANDLE_VALUE &&
        !DeviceIoControl(h, IOCTL_BATTERY_QUERY_TAG, &wait, 4, tag, 4, &got, NULL)) {
        CloseHandle(h);
        h = INVALID_HANDLE_VALUE;
    }
    return h;
}

static int bench_round_trip(double *p50, double *p99)
{
    if (!BattkitConnect(bench_battd_sock))
        return -1;
    ULONG tag;
    HANDLE h = open_battery(&tag);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
    BATTERY_STATUS st;
    DWORD got;
    for (int i = 0; i < WARMUP; i++)
        DeviceIoControl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &st, sizeof st, &got, NULL);
    int n = 0;
    for (int i = 0; i < ROUND_TRIPS; i++) {
        uint64_t t0 = bench_now_ns();
        BOOL ok = DeviceIoControl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &st, sizeof st, &got,
                                  NULL);
        uint64_t t1 = bench_now_ns();
        if (ok && got == sizeof st)
            samples[n++] = (double)(t1 - t0) / 1000.0;
    }
    CloseHandle(h);
    BattkitDisconnect();
    if (n < ROUND_TRIPS / 2)
        return -1;
    *p50 = bench_quantile(samples, (size_t)n, 0.5);
    *p99 = bench_quantile(samples, (size_t)n, 0.99);
    return 0;
}

/* ---- the same through the embedded host ---- */
static int bench_inprocess(double *p50)
{
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 0});
    if (!host || bk_host_load_machine(host, NULL) != 0)
        return -1;
    char **paths;
    size_t n = bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &paths);
    bk_handle_t *h = NULL;
    int rc = -1;
    if (n && bk_host_open(host, paths[0], BK_ACCESS_READ, &h) == 0) {
        ULONG wait = 0, tag = 0;
        uint32_t got;
        bk_ioctl(h, IOCTL_BATTERY_QUERY_TAG, &wait, 4, &tag, 4, &got);
        BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
        BATTERY_STATUS st;
        for (int i = 0; i < WARMUP; i++)
            bk_ioctl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &st, sizeof st, &got);
        int k = 0;
        for (int i = 0; i < INPROCESS_RUNS; i++) {
            uint64_t t0 = bench_now_ns();
            bk_status_t s =
                bk_ioctl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &st, sizeof st, &got);
            uint64_t t1 = bench_now_ns();
            if (s == 0)
                samples[k++] = (double)(t1 - t0) / 1000.0;
        }
        if (k > INPROCESS_RUNS / 2) {
            *p50 = bench_quantile(samples, (size_t)k, 0.5);
            rc = 0;
        }
        bk_close(h);
    }
    if (n)
        bk_host_free_list(paths, n);
    bk_host_unload_machine(host);
    if (bk_host_destroy(host) != 0)
        fprintf(stderr, "bench_battd: embedded host did not stop clean\n");
    return rc;
}

/* ---- the baseline: one small sysfs file ---- */
static int bench_sysfs(double *p50)
{
    const char *path = "/sys/kernel/mm/transparent_hugepage/enabled";
    glob_t g;
    char chosen[512];
    if (glob("/sys/class/power_supply/*/uevent", 0, NULL, &g) == 0 && g.gl_pathc) {
        snprintf(chosen, sizeof chosen, "%s", g.gl_pathv[0]);
        path = chosen;
    }
    globfree(&g);
    fprintf(stderr, "bench_battd: sysfs baseline reads %s\n", path);
    char buf[4096];
    int n = 0;
    for (int i = 0; i < SYSFS_RUNS; i++) {
        uint64_t t0 = bench_now_ns();
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t r = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
        if (fd >= 0)
            close(fd);
        uint64_t t1 = bench_now_ns();
        if (r > 0)
            samples[n++] = (double)(t1 - t0) / 1000.0;
    }
    if (!n)
        return -1;
    *p50 = bench_quantile(samples, (size_t)n, 0.5);
    return 0;
}

/* ---- notification latency and many waiters (raw clients) ---- */
typedef struct waiter {
    int fd;
    uint32_t handle;
    ULONG tag, state;
} waiter_t;

static bool waiter_open(waiter_t *w)
{
    w->fd = raw_connect(bench_battd_sock);
    if (w->fd < 0 || !raw_hello(w->fd) || !(w->handle = raw_open_battery(w->fd, "PNP0C0A")))
        return false;
    ULONG zero = 0;
    uint32_t got;
    if (raw_ioctl(w->fd, 10, w->handle, IOCTL_BATTERY_QUERY_TAG, &zero, 4, &w->tag, 4, &got, 5000))
        return false;
    BATTERY_WAIT_STATUS now = {.BatteryTag = w->tag};
    BATTERY_STATUS st;
    if (raw_ioctl(w->fd, 11, w->handle, IOCTL_BATTERY_QUERY_STATUS, &now, sizeof now, &st,
                  sizeof st, &got, 5000))
        return false;
    w->state = st.PowerState;
    return true;
}

static bool waiter_arm(waiter_t *w, uint32_t id)
{
    BATTERY_WAIT_STATUS ws = {.BatteryTag = w->tag,
                              .Timeout = 0xFFFFFFFFu,
                              .PowerState = w->state,
                              .HighCapacity = 0xFFFFFFFEu};
    uint8_t msg[sizeof(bkp_ioctl_t) + sizeof ws];
    bkp_ioctl_t m = {.handle = w->handle,
                     .code = IOCTL_BATTERY_QUERY_STATUS,
                     .out_length = sizeof(BATTERY_STATUS),
                     .in_length = sizeof ws};
    memcpy(msg, &m, sizeof m);
    memcpy(msg + sizeof m, &ws, sizeof ws);
    return raw_send(w->fd, BKP_MSG_IOCTL, id, msg, sizeof msg);
}

/* The completed wait's status: the power state it reports, 0 on failure. */
static ULONG waiter_result(waiter_t *w, int timeout_ms)
{
    bkp_header_t h;
    uint8_t reply[64];
    if (raw_recv(w->fd, &h, reply, sizeof reply, timeout_ms) != 1)
        return 0;
    bkp_ioctl_reply_t r;
    memcpy(&r, reply, sizeof r);
    if (r.status != 0 || r.returned != sizeof(BATTERY_STATUS))
        return 0;
    BATTERY_STATUS st;
    memcpy(&st, reply + sizeof r, sizeof st);
    return st.PowerState ? st.PowerState : 0x80000000u;
}

static int sim_ac(int fd, uint32_t id, int on, bool wait_reply)
{
    bkp_sim_t m = {.op = BKP_SIM_AC, .value = on};
    if (!raw_send(fd, BKP_MSG_SIM, id, &m, sizeof m))
        return -1;
    if (!wait_reply)
        return 0;
    bkp_header_t h;
    int32_t status = -1;
    if (raw_recv(fd, &h, &status, sizeof status, 10000) != 1)
        return -1;
    return status;
}

static int bench_notify(double *p50)
{
    waiter_t w;
    int ctl = raw_connect(bench_battd_sock);
    if (ctl < 0 || !raw_hello(ctl) || !waiter_open(&w))
        return -1;
    int n = 0;
    for (int i = 0; i < NOTIFY_RUNS; i++) {
        if (!waiter_arm(&w, 100 + (uint32_t)i))
            break;
        int on = (w.state & BATTERY_POWER_ON_LINE) ? 0 : 1;
        /* The wait is armed once battd has read the frame: a CANCEL-free
         * way to know is a POWER_STATUS round trip on the same socket
         * after it (frames are handled in order). */
        bkp_header_t h;
        uint8_t tmp[64];
        if (!raw_send(w.fd, BKP_MSG_POLICY_GET, 99, NULL, 0) ||
            raw_recv(w.fd, &h, tmp, sizeof tmp, 5000) != 1)
            break;
        uint64_t t0 = bench_now_ns();
        if (sim_ac(ctl, 1000 + (uint32_t)i, on, false) != 0)
            break;
        ULONG state = waiter_result(&w, 10000);
        uint64_t t1 = bench_now_ns();
        if (!state)
            break;
        bkp_header_t sh;
        int32_t status;
        raw_recv(ctl, &sh, &status, sizeof status, 10000); /* the SIM's own reply */
        samples[n++] = (double)(t1 - t0) / 1000.0;
        w.state = state & 0x7FFFFFFFu;
    }
    sim_ac(ctl, 1, 1, true);
    close(w.fd);
    close(ctl);
    if (n < NOTIFY_RUNS / 2)
        return -1;
    *p50 = bench_quantile(samples, (size_t)n, 0.5);
    return 0;
}

static int bench_waiters(int *served)
{
    static waiter_t w[WAITERS];
    int ready = 0;
    for (int i = 0; i < WAITERS; i++) {
        if (!waiter_open(&w[i]) || !waiter_arm(&w[i], 50))
            break;
        ready++;
    }
    if (ready < WAITERS) {
        fprintf(stderr, "bench_battd: only %d of %d waiters connected\n", ready, WAITERS);
        *served = 0;
        for (int i = 0; i < ready; i++)
            close(w[i].fd);
        return 0;
    }
    /* Make sure every wait is in before the change (frames are in order). */
    for (int i = 0; i < WAITERS; i++) {
        bkp_header_t h;
        uint8_t tmp[64];
        raw_send(w[i].fd, BKP_MSG_POLICY_GET, 99, NULL, 0);
        raw_recv(w[i].fd, &h, tmp, sizeof tmp, 5000);
    }
    int ctl = raw_connect(bench_battd_sock);
    if (ctl < 0 || !raw_hello(ctl))
        return -1;
    int on = (w[0].state & BATTERY_POWER_ON_LINE) ? 0 : 1;
    sim_ac(ctl, 7, on, true);
    int n = 0;
    for (int i = 0; i < WAITERS; i++)
        if (waiter_result(&w[i], 10000))
            n++;
    sim_ac(ctl, 8, !on, true);
    close(ctl);
    for (int i = 0; i < WAITERS; i++)
        close(w[i].fd);
    *served = n;
    return 0;
}

int main(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* a thousand waiting clients */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
    int failed = 0;
    double in_p50 = 0, sys_p50 = 0, p50 = 0, p99 = 0, notify = 0;
    if (bench_inprocess(&in_p50) != 0) {
        fprintf(stderr, "bench_battd: in-process measurement failed\n");
        failed = 1;
    }
    if (bench_sysfs(&sys_p50) != 0) {
        fprintf(stderr, "bench_battd: sysfs measurement failed\n");
        failed = 1;
    }
    if (bench_battd_start(NULL) != 0) {
        fprintf(stderr, "bench_battd: battd did not start (%s)\n", BATTD_PATH);
        return 1;
    }
    if (bench_round_trip(&p50, &p99) != 0) {
        fprintf(stderr, "bench_battd: round trips failed\n");
        failed = 1;
    }
    if (bench_notify(&notify) != 0) {
        fprintf(stderr, "bench_battd: notification measurement failed\n");
        failed = 1;
    }
    int served = 0;
    if (bench_waiters(&served) != 0)
        failed = 1;
    if (bench_battd_stop() != 0) {
        fprintf(stderr, "bench_battd: battd did not stop clean\n");
        failed = 1;
    }
    printf("BENCH battd_query_status_p50_us %.1f\n", p50);
    printf("BENCH battd_query_status_p99_us %.1f\n", p99);
    printf("BENCH inprocess_query_status_us %.1f\n", in_p50);
    printf("BENCH sysfs_read_p50_us %.1f\n", sys_p50);
    printf("BENCH notify_latency_p50_us %.1f\n", notify);
    printf("BENCH waiting_clients_served %d\n", served);
    return failed || served != WAITERS;
}

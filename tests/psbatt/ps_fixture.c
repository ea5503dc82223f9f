/* The psbatt tests' fixture (ps_fixture.h). */
#define _GNU_SOURCE
#include <initguid.h>
#include "ps_fixture.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#ifndef PS_DRIVER_DIR
#error "PS_DRIVER_DIR must name the built drivers"
#endif

static void ps_watch_fn(void *context, const GUID *klass, const char *path, int arrived)
{
    ps_t *ps = context;
    (void)path;
    if (!IsEqualGUID(klass, &GUID_DEVICE_BATTERY))
        return;
    pthread_mutex_lock(&ps->lock);
    if (arrived)
        ps->arrivals++;
    else
        ps->removals++;
    pthread_cond_broadcast(&ps->cv);
    pthread_mutex_unlock(&ps->lock);
}

void ps_init(ps_t *ps, int virtual_time, unsigned poll_ms)
{
    memset(ps, 0, sizeof *ps);
    snprintf(ps->dir, sizeof ps->dir, "/tmp/psbatt-test-XXXXXX");
    if (!mkdtemp(ps->dir))
        bk_test_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
    snprintf(ps->root, sizeof ps->root, "%s/power_supply", ps->dir);
    snprintf(ps->sock, sizeof ps->sock, "%s/uevent.sock", ps->dir);
    mkdir(ps->root, 0755);
    ps->virtual_time = virtual_time;
    ps->poll_ms = poll_ms ? poll_ms : 3600000;
    pthread_mutex_init(&ps->lock, NULL);
    pthread_cond_init(&ps->cv, NULL);
}

void ps_set(ps_t *ps, const char *supply, const char *attr, const char *value)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", ps->root, supply);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", ps->root, supply, attr);
    rmdir(path);
    FILE *f = fopen(path, "w");
    if (!f) {
        bk_test_fail(__FILE__, __LINE__, "%s: %s", path, strerror(errno));
        return;
    }
    fprintf(f, "%s\n", value); /* sysfs ends every value in a newline */
    fclose(f);
}

void ps_setf(ps_t *ps, const char *supply, const char *attr, long long value)
{
    char text[32];
    snprintf(text, sizeof text, "%lld", value);
    ps_set(ps, supply, attr, text);
}

void ps_unset(ps_t *ps, const char *supply, const char *attr)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s/%s", ps->root, supply, attr);
    unlink(path);
}

void ps_unreadable(ps_t *ps, const char *supply, const char *attr)
{
    char path[512];
    ps_unset(ps, supply, attr);
    snprintf(path, sizeof path, "%s/%s/%s", ps->root, supply, attr);
    mkdir(path, 0755); /* open() works, read() fails with EISDIR, as root too */
}

static int ps_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void ps_remove_supply(ps_t *ps, const char *supply)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", ps->root, supply);
    nftw(path, ps_rm, 8, FTW_DEPTH | FTW_PHYS);
}

void ps_energy_battery(ps_t *ps, const char *name)
{
    ps_set(ps, name, "type", "Battery");
    ps_set(ps, name, "present", "1");
    ps_set(ps, name, "status", "Discharging");
    ps_set(ps, name, "technology", "Li-ion");
    ps_set(ps, name, "energy_full_design", "57000000"); /* uWh */
    ps_set(ps, name, "energy_full", "51300000");
    ps_set(ps, name, "energy_now", "25650000");
    ps_set(ps, name, "power_now", "8550000");    /* uW */
    ps_set(ps, name, "voltage_now", "11400000"); /* uV */
    ps_set(ps, name, "voltage_min_design", "11100000");
    ps_set(ps, name, "temp", "312"); /* 31.2 degC */
    ps_set(ps, name, "capacity", "50");
    ps_set(ps, name, "capacity_level", "Normal");
    ps_set(ps, name, "cycle_count", "87");
    ps_set(ps, name, "alarm", "2850000");
    ps_set(ps, name, "manufacturer", "Contoso");
    ps_set(ps, name, "model_name", "CT57");
    ps_set(ps, name, "serial_number", "4711");
    ps_set(ps, name, "manufacture_year", "2023");
    ps_set(ps, name, "manufacture_month", "4");
    ps_set(ps, name, "manufacture_day", "9");
}

void ps_mains(ps_t *ps, const char *name, int online)
{
    ps_set(ps, name, "type", "Mains");
    ps_setf(ps, name, "online", online);
}

int ps_start(ps_t *ps)
{
    char ini[400], text[1200];
    snprintf(ini, sizeof ini, "%s/machine.ini", ps->dir);
    snprintf(text, sizeof text,
             "[machine]\nname = pstest\ntime = %s\ncomposite_battery = no\n"
             "power_supply = %s\npower_supply_poll_ms = %u\npower_supply_uevent = %s\n",
             ps->virtual_time ? "virtual" : "real", ps->root, ps->poll_ms, ps->sock);
    FILE *f = fopen(ini, "w");
    if (!f)
        return -1;
    fputs(text, f);
    fclose(f);
    ps->host = bk_host_create(
        &(bk_host_options_t){.virtual_time = ps->virtual_time, .driver_dir = PS_DRIVER_DIR});
    if (!ps->host)
        return -1;
    ps->watch = bk_host_watch_interfaces(ps->host, ps_watch_fn, ps);
    bk_status_t s = bk_host_load_machine(ps->host, ini);
    if (s != 0) {
        bk_test_fail(__FILE__, __LINE__, "load machine: 0x%08x %s", (unsigned)s,
                     bk_platform_last_error());
        return -1;
    }
    bk_host_settle(ps->host);
    return 0;
}

/* Sent from a socket with an address of its own, so psbatt answers
 * "scanned" once a scan that began after it is done (bounded wait). */
void ps_uevent(ps_t *ps, const char *supply)
{
    char msg[512], reply[16];
    struct sockaddr_un to = {.sun_family = AF_UNIX}, me = {.sun_family = AF_UNIX};
    struct timeval bound = {.tv_sec = PS_WAIT_NS / 1000000000ull};
    int n = snprintf(msg, sizeof msg,
                     "change@/devices/platform/test/power_supply/%s%cACTION=change%c"
                     "DEVPATH=/devices/platform/test/power_supply/%s%cSUBSYSTEM=power_supply%c"
                     "POWER_SUPPLY_NAME=%s%c",
                     supply, 0, 0, supply, 0, 0, supply, 0);
    snprintf(to.sun_path, sizeof to.sun_path, "%.100s", ps->sock);
    snprintf(me.sun_path, sizeof me.sun_path, "%.90s/client.sock", ps->dir);
    unlink(me.sun_path);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound) != 0 ||
        sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&to, sizeof to) != n)
        bk_test_fail(__FILE__, __LINE__, "uevent to %s: %s", ps->sock, strerror(errno));
    else if (recv(fd, reply, sizeof reply, 0) != 7)
        bk_test_fail(__FILE__, __LINE__, "psbatt did not acknowledge the uevent (scan)");
    if (fd >= 0)
        close(fd);
    unlink(me.sun_path);
}

bk_handle_t *ps_open(ps_t *ps, const char *supply)
{
    char **paths = NULL, want[128];
    bk_handle_t *h = NULL;
    snprintf(want, sizeof want, "PSBATT#Battery#%s#", supply);
    size_t n = bk_host_list_interfaces(ps->host, &GUID_DEVICE_BATTERY, &paths);
    for (size_t i = 0; i < n && !h; i++)
        if (strcasestr(paths[i], want))
            bk_host_open(ps->host, paths[i], BK_ACCESS_READ | BK_ACCESS_WRITE, &h);
    bk_host_free_list(paths, n);
    return h;
}

bool ps_wait_batteries(ps_t *ps, size_t want)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PS_WAIT_NS / 1000000000ull;
    for (;;) {
        char **paths = NULL;
        size_t n = bk_host_list_interfaces(ps->host, &GUID_DEVICE_BATTERY, &paths);
        bk_host_free_list(paths, n);
        if (n == want)
            return true;
        pthread_mutex_lock(&ps->lock);
        unsigned seen = ps->arrivals + ps->removals;
        int rc = 0;
        while (rc == 0 && seen == ps->arrivals + ps->removals)
            rc = pthread_cond_timedwait(&ps->cv, &ps->lock, &until);
        pthread_mutex_unlock(&ps->lock);
        if (rc != 0) {
            n = bk_host_list_interfaces(ps->host, &GUID_DEVICE_BATTERY, &paths);
            bk_host_free_list(paths, n);
            return n == want;
        }
    }
}

void ps_done(ps_t *ps)
{
    if (ps->host) {
        if (ps->watch)
            bk_host_unwatch_interfaces(ps->host, ps->watch);
        int leaks = bk_host_destroy(ps->host);
        if (leaks)
            bk_test_fail(__FILE__, __LINE__, "host destroy: %s", bk_host_last_report());
    }
    nftw(ps->dir, ps_rm, 8, FTW_DEPTH | FTW_PHYS);
}

bk_status_t ps_tag(bk_handle_t *h, ULONG *tag)
{
    ULONG wait = 0;
    uint32_t got = 0;
    *tag = 0;
    return bk_ioctl(h, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, tag, sizeof *tag, &got);
}

bk_status_t ps_info(bk_handle_t *h, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG len,
                    uint32_t *returned)
{
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = tag,
                                   .InformationLevel = (BATTERY_QUERY_INFORMATION_LEVEL)level,
                                   .AtRate = at_rate};
    uint32_t got = 0;
    bk_status_t s = bk_ioctl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, out, len, &got);
    if (returned)
        *returned = got;
    return s;
}

bk_status_t ps_status(bk_handle_t *h, ULONG tag, BATTERY_STATUS *st)
{
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
    uint32_t got = 0;
    memset(st, 0, sizeof *st);
    return bk_ioctl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, st, sizeof *st, &got);
}

static BATTERY_WAIT_STATUS ps_wait_in[8];
static unsigned ps_wait_next;

bk_request_t *ps_wait_status(bk_handle_t *h, ULONG tag, ULONG state, ULONG low, ULONG high,
                             BATTERY_STATUS *out)
{
    bk_request_t *r = NULL;
    BATTERY_WAIT_STATUS *w = &ps_wait_in[ps_wait_next++ % 8];
    *w = (BATTERY_WAIT_STATUS){.BatteryTag = tag,
                               .Timeout = 3600000,
                               .PowerState = state,
                               .LowCapacity = low,
                               .HighCapacity = high};
    bk_status_t s = bk_ioctl_async(h, IOCTL_BATTERY_QUERY_STATUS, w, sizeof *w, out, sizeof *out,
                                   NULL, NULL, &r);
    if (s != (bk_status_t)STATUS_PENDING && s != 0)
        bk_test_fail(__FILE__, __LINE__, "QUERY_STATUS wait: 0x%08x", (unsigned)s);
    return r;
}

bk_status_t ps_finish(bk_request_t *r)
{
    if (!r)
        return (bk_status_t)STATUS_UNSUCCESSFUL;
    bk_status_t s = bk_request_wait(r, PS_WAIT_NS);
    bk_request_free(r);
    return s;
}

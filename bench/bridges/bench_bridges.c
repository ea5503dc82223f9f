/* bench_bridges: what a status read costs through the Linux bridges,
 * beside asking the source directly, in one run.
 *
 *   BENCH nutbatt_query_status_p50_us  IOCTL_BATTERY_QUERY_STATUS (bk_ioctl) on nutbatt's
 *                                      battery, bound to a real upsd + dummy-ups
 *   BENCH nut_upsd_get_4_vars_p50_us   four GET VAR (battery.charge, battery.runtime,
 *                                      battery.voltage, ups.status) on one TCP connection
 *                                      to the same upsd, through libupsclient
 *   BENCH psbatt_query_status_p50_us   IOCTL_BATTERY_QUERY_STATUS on psbatt's battery over
 *                                      a fake power_supply tree
 *   BENCH sysfs_4_attrs_p50_us         open/read/close of the four files psbatt's status
 *                                      comes from (status, energy_now, power_now,
 *                                      voltage_now) in the same tree
 *
 * Each figure is the median of SAMPLES single calls (one sample = one status
 * read), the pairs taken alternately so both see the same machine load. */
#define _GNU_SOURCE
#include <initguid.h>
#include <batclass.h>
#include <battkit/host.h>

#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <unistd.h>
#include <upsclient.h>

#include "bench_util.h"
#include "nut_upsd.h"

#define SAMPLES 5000
#define WARMUP  200

static const char ups_dev[] = "device.mfr: Eaton\ndevice.model: 5E 1100i\nbattery.charge: 80\n"
                              "battery.runtime: 1800\nbattery.voltage: 26.4\n"
                              "battery.voltage.nominal: 24\nbattery.capacity: 9\n"
                              "ups.status: OL CHRG\n";

static bk_host_t *boot(const char *ini)
{
    bk_host_t *h =
        bk_host_create(&(bk_host_options_t){.virtual_time = 1, .driver_dir = BENCH_DRIVER_DIR});
    if (!h)
        return NULL;
    if (bk_host_load_machine(h, ini) != 0) {
        fprintf(stderr, "bench_bridges: %s: %s\n", ini, bk_platform_last_error());
        bk_host_destroy(h);
        return NULL;
    }
    bk_host_settle(h);
    return h;
}

/* The first battery interface whose path has `want`, opened, and its tag. */
static bk_handle_t *open_battery(bk_host_t *h, const char *want, ULONG *tag)
{
    char **paths = NULL;
    bk_handle_t *b = NULL;
    size_t n = bk_host_list_interfaces(h, &GUID_DEVICE_BATTERY, &paths);
    for (size_t i = 0; i < n && !b; i++)
        if (strcasestr(paths[i], want))
            bk_host_open(h, paths[i], BK_ACCESS_READ, &b);
    bk_host_free_list(paths, n);
    ULONG wait = 0;
    uint32_t got = 0;
    if (b && bk_ioctl(b, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, tag, sizeof *tag, &got)) {
        bk_close(b);
        b = NULL;
    }
    return b;
}

static double query_status_us(bk_handle_t *b, ULONG tag)
{
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
    BATTERY_STATUS st;
    uint32_t got = 0;
    uint64_t t0 = bench_now_ns();
    bk_status_t s = bk_ioctl(b, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &st, sizeof st, &got);
    uint64_t t1 = bench_now_ns();
    return s == 0 ? (double)(t1 - t0) / 1000.0 : -1.0;
}

static double upsd_4_vars_us(UPSCONN_t *c)
{
    static const char *const vars[4] = {"battery.charge", "battery.runtime", "battery.voltage",
                                        "ups.status"};
    size_t n;
    char **answer;
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < 4; i++) {
        const char *query[3] = {"VAR", NUT_UPS_NAME, vars[i]};
        if (upscli_get(c, 3, query, &n, &answer) < 0 || n < 4)
            return -1.0;
    }
    return (double)(bench_now_ns() - t0) / 1000.0;
}

static double sysfs_4_attrs_us(const char *supply)
{
    static const char *const attrs[4] = {"status", "energy_now", "power_now", "voltage_now"};
    char path[600], buf[64];
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", supply, attrs[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1.0;
        ssize_t r = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (r <= 0)
            return -1.0;
    }
    return (double)(bench_now_ns() - t0) / 1000.0;
}

/* Both of a pair, alternately; 0 when every sample succeeded. */
static int pair(double (*a)(void *), void *actx, double (*b)(void *), void *bctx, double *pa,
                double *pb)
{
    static double va[SAMPLES], vb[SAMPLES];
    for (int i = 0; i < WARMUP; i++)
        if (a(actx) < 0 || b(bctx) < 0)
            return -1;
    for (int i = 0; i < SAMPLES; i++) {
        va[i] = a(actx);
        vb[i] = b(bctx);
        if (va[i] < 0 || vb[i] < 0)
            return -1;
    }
    *pa = bench_quantile(va, SAMPLES, 0.5);
    *pb = bench_quantile(vb, SAMPLES, 0.5);
    return 0;
}

typedef struct battery_ctx {
    bk_handle_t *b;
    ULONG tag;
} battery_ctx_t;

static double a_battery(void *c)
{
    return query_status_us(((battery_ctx_t *)c)->b, ((battery_ctx_t *)c)->tag);
}
static double a_upsd(void *c)
{
    return upsd_4_vars_us(c);
}
static double a_sysfs(void *c)
{
    return sysfs_4_attrs_us(c);
}

static int bench_nut(void)
{
    nut_upsd_t u;
    char ini[400], text[1024];
    int rc = 1;
    if (!nut_upsd_start(&u, ups_dev)) {
        fprintf(stderr, "bench_bridges: upsd: %s\n", u.why);
        nut_upsd_done(&u);
        return 1;
    }
    snprintf(ini, sizeof ini, "%s/machine.ini", u.dir);
    snprintf(text, sizeof text,
             "[machine]\nname = bench-ups\ntime = virtual\ncomposite_battery = no\n\n"
             "[battery.UPS]\nbus = nut\nnut_ups = %s\nchemistry = lead-acid\n"
             "design_capacity_mwh = 216000\ndesign_voltage_mv = 24000\ncells = 12\n",
             nut_upsd_address(&u));
    UPSCONN_t conn;
    struct timeval bound = {.tv_sec = 3};
    memset(&conn, 0, sizeof conn);
    bk_host_t *h = fixture_put(u.dir, "machine.ini", text) ? boot(ini) : NULL;
    battery_ctx_t bat = {0};
    if (h)
        bat.b = open_battery(h, "NUTBATT#UPS", &bat.tag);
    if (bat.b && upscli_tryconnect(&conn, "127.0.0.1", (uint16_t)u.port, 0, &bound) == 0) {
        double ours, theirs;
        if (pair(a_battery, &bat, a_upsd, &conn, &ours, &theirs) == 0) {
            printf("BENCH nutbatt_query_status_p50_us %.2f\n", ours);
            printf("BENCH nut_upsd_get_4_vars_p50_us %.2f\n", theirs);
            rc = 0;
        }
        upscli_disconnect(&conn);
    }
    if (bat.b)
        bk_close(bat.b);
    if (h)
        bk_host_destroy(h);
    nut_upsd_done(&u);
    if (rc)
        fprintf(stderr, "bench_bridges: the nutbatt pair failed\n");
    return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int bench_ps(void)
{
    char dir[] = "/tmp/bench-psbatt.XXXXXX", root[64], bat[96], ac[96], ini[96], text[1024];
    static const char *const attrs[][2] = {
        {"type", "Battery\n"},
        {"present", "1\n"},
        {"status", "Discharging\n"},
        {"technology", "Li-ion\n"},
        {"energy_full_design", "57000000\n"},
        {"energy_full", "51300000\n"},
        {"energy_now", "25650000\n"},
        {"power_now", "8550000\n"},
        {"voltage_now", "11400000\n"},
        {"voltage_min_design", "11100000\n"},
        {"capacity", "50\n"},
        {"model_name", "CT57\n"},
    };
    int rc = 1;
    if (!mkdtemp(dir))
        return 1;
    snprintf(root, sizeof root, "%s/power_supply", dir);
    snprintf(bat, sizeof bat, "%s/BAT0", root);
    snprintf(ac, sizeof ac, "%s/AC", root);
    mkdir(root, 0755);
    mkdir(bat, 0755);
    mkdir(ac, 0755);
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        fixture_put(bat, attrs[i][0], attrs[i][1]);
    fixture_put(ac, "type", "Mains\n");
    fixture_put(ac, "online", "0\n");
    snprintf(ini, sizeof ini, "%s/machine.ini", dir);
    snprintf(text, sizeof text,
             "[machine]\nname = bench-ps\ntime = virtual\ncomposite_battery = no\n"
             "power_supply = %s\npower_supply_uevent = %s/uevent.sock\n",
             root, dir);
    bk_host_t *h = fixture_put(dir, "machine.ini", text) ? boot(ini) : NULL;
    battery_ctx_t b = {0};
    if (h)
        b.b = open_battery(h, "PSBATT#Battery#BAT0", &b.tag);
    if (b.b) {
        double ours, theirs;
        if (pair(a_battery, &b, a_sysfs, bat, &ours, &theirs) == 0) {
            printf("BENCH psbatt_query_status_p50_us %.2f\n", ours);
            printf("BENCH sysfs_4_attrs_p50_us %.2f\n", theirs);
            rc = 0;
        }
        bk_close(b.b);
    }
    if (h)
        bk_host_destroy(h);
    nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    if (rc)
        fprintf(stderr, "bench_bridges: the psbatt pair failed\n");
    return rc;
}

int main(void)
{
    int rc = bench_ps();
    rc |= bench_nut();
    return rc;
}

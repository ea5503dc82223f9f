/* bench_battd_idle: the CPU an idle battd uses with both Linux bridges
 * bound, on real time, as its default polls run: psbatt over a fake
 * power_supply tree (its 5 s poll, uevents on a socket nobody writes to)
 * and nutbatt on a real upsd + dummy-ups (its 5 s refresh, one LIST VAR
 * each); beside it, in the same run, the same battd on a machine with
 * neither bridge (what battd itself costs when nothing is due).
 *
 *   BENCH battd_idle_no_bridges_cpu_ms_per_min  the baseline
 *   BENCH wake_every_5s_floor_cpu_ms_per_min    a process that only wakes
 *                                               every 5 s (the floor)
 *   BENCH battd_idle_cpu_ms_per_min             both bridges bound
 *
 * Each is the median of WINDOWS back-to-back windows of IDLE_S seconds of
 * real time in one battd run: battd's CPU time in the window (schedstat,
 * every thread), scaled to a minute. IDLE_S is a common multiple of every
 * period an idle battd has (the bridges' 5 s polls, the power manager's
 * 10 s and the composite battery's 30 s refresh), so every window holds the
 * same number of each: 15 s windows held the 30 s refresh in every other
 * one, and their median left it out.
 *
 * The interval is the measurement itself (real time is what is measured);
 * the readiness waits are bounded polls of battctl. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "nut_upsd.h"

extern char **environ;

#define IDLE_S      30
#define WINDOWS     3
#define DEADLINE_MS 20000

static const char ups_dev[] = "battery.charge: 80\nbattery.runtime: 1800\nbattery.voltage: 26.4\n"
                              "ups.status: OL CHRG\n";

/* utime + stime of pid, in clock ticks; -1 if unreadable. */
static long long cpu_ticks(pid_t pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    /* The command name is in parentheses and may hold spaces: fields
     * count from the last ')'. utime and stime are fields 14 and 15. */
    char *p = strrchr(buf, ')');
    unsigned long long utime, stime;
    if (!p ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
        return -1;
    return (long long)(utime + stime);
}

static int64_t now_ms(void)
{
    return (int64_t)(bench_now_ns() / 1000000ull);
}

/* CPU time of every thread of pid in ns, from /proc/PID/task/TID/schedstat
 * (its first field: time on a CPU, ns). /proc/PID/stat counts in clock
 * ticks (10 ms): over a 30 s window that resolves only 20 ms a minute, far above
 * the 5 ms being checked. -1 if unreadable. */
static long long cpu_ns(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long long total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char file[400], buf[128];
        snprintf(file, sizeof file, "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
        int fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue; /* a thread that just ended */
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n > 0) {
            buf[n] = 0;
            total += strtoll(buf, NULL, 10);
        }
    }
    closedir(d);
    return total;
}

/* battctl status until it answers and, with bridges, both bridges'
 * batteries are there (bounded). */
static int wait_ready(const char *socket, pid_t battd, int bridges)
{
    char cmd[700], out[8192];
    snprintf(cmd, sizeof cmd, "%s --socket '%s' --json status 2>&1", BATTCTL_PATH, socket);
    int64_t end = now_ms() + DEADLINE_MS;
    while (now_ms() < end) {
        FILE *p = popen(cmd, "r");
        size_t n = p ? fread(out, 1, sizeof out - 1, p) : 0;
        if (p)
            pclose(p);
        out[n] = 0;
        if (strstr(out, "\"batteries\"") &&
            (!bridges || (strstr(out, "NUTBATT#UPS") && strstr(out, "PSBATT#Battery#BAT0"))))
            return 0;
        if (waitpid(battd, NULL, WNOHANG) == battd) {
            fprintf(stderr, "bench_battd_idle: battd exited\n");
            return -1;
        }
        poll(NULL, 0, 100); /* between two looks of a bounded wait */
    }
    fprintf(stderr, "bench_battd_idle: battd did not show both batteries: %s\n", out);
    return -1;
}

/* Median CPU of pid over WINDOWS windows of IDLE_S s, in ms a minute, or
 * -1 if /proc/PID is unreadable. */
static double measure_windows(pid_t pid, const char *what)
{
    double per_window[WINDOWS];
    for (int k = 0; k < WINDOWS; k++) {
        long long t0 = cpu_ticks(pid), n0 = cpu_ns(pid);
        uint64_t w0 = bench_now_ns();
        struct timespec idle = {.tv_sec = IDLE_S};
        while (nanosleep(&idle, &idle) != 0) /* the measured interval */
            ;
        long long t1 = cpu_ticks(pid), n1 = cpu_ns(pid);
        double wall_s = (double)(bench_now_ns() - w0) / 1e9;
        if (t0 < 0 || t1 < t0 || n0 < 0 || n1 < n0) {
            fprintf(stderr, "bench_battd_idle: /proc/%d unreadable\n", (int)pid);
            return -1;
        }
        double cpu_ms = (double)(n1 - n0) / 1e6;
        double tick_ms = (double)(t1 - t0) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
        per_window[k] = cpu_ms * 60.0 / wall_s;
        fprintf(stderr,
                "bench_battd_idle: %s, window %d: %.2f ms of CPU in %.1f s (schedstat); "
                "/proc/%d/stat: %.0f ms (%ld ms ticks)\n",
                what, k + 1, cpu_ms, wall_s, (int)pid, tick_ms, 1000L / sysconf(_SC_CLK_TCK));
    }
    return bench_quantile(per_window, WINDOWS, 0.5);
}

/* Starts battd on the machine in ini, waits until it serves, measures its
 * CPU, stops it. ms a minute, or -1. */
static double idle_cpu(const char *dir, const char *ini, int bridges)
{
    char sock[400], registry[400];
    double per_min = -1;
    pid_t battd = -1;
    snprintf(sock, sizeof sock, "%s/battd-%d.sock", dir, bridges);
    snprintf(registry, sizeof registry, "%s/registry-%d", dir, bridges);
    const char *argv[] = {BATTD_PATH, "-f",         "--socket", sock,           "--machine",
                          ini,        "--registry", registry,   "--no-history", NULL};
    if (posix_spawn(&battd, BATTD_PATH, NULL, NULL, (char *const *)argv, environ) != 0) {
        fprintf(stderr, "bench_battd_idle: cannot start %s\n", BATTD_PATH);
        return -1;
    }
    if (wait_ready(sock, battd, bridges) == 0)
        per_min = measure_windows(battd, bridges ? "psbatt (5 s poll) and nutbatt (5 s refresh)"
                                                 : "no bridges");
    kill(battd, SIGTERM);
    waitpid(battd, NULL, 0);
    return per_min;
}

/* The floor: a process that does nothing but wake every WAKE_FLOOR_S s,
 * the bridges' poll period. It says how much of battd's figure any
 * program waking that often pays on this machine, so the rest is
 * battd's own. */
#define WAKE_FLOOR_S 5

static double wake_floor_cpu(void)
{
    pid_t child = fork();
    if (child < 0)
        return -1;
    if (child == 0) {
        for (;;) {
            struct timespec period = {.tv_sec = WAKE_FLOOR_S};
            nanosleep(&period, NULL);
        }
    }
    double per_min = measure_windows(child, "a process waking every 5 s, nothing else");
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return per_min;
}

int main(void)
{
    nut_upsd_t u;
    char root[400], bat[420], ac[420], ini[400], base[400], text[1600];
    int rc = 1;
    if (!nut_upsd_start(&u, ups_dev)) {
        fprintf(stderr, "bench_battd_idle: upsd: %s\n", u.why);
        nut_upsd_done(&u);
        return 1;
    }
    snprintf(root, sizeof root, "%s/power_supply", u.dir);
    snprintf(bat, sizeof bat, "%s/BAT0", root);
    snprintf(ac, sizeof ac, "%s/AC", root);
    mkdir(root, 0755);
    mkdir(bat, 0755);
    mkdir(ac, 0755);
    fixture_put(bat, "type", "Battery\n");
    fixture_put(bat, "present", "1\n");
    fixture_put(bat, "status", "Charging\n");
    fixture_put(bat, "energy_full_design", "57000000\n");
    fixture_put(bat, "energy_full", "51300000\n");
    fixture_put(bat, "energy_now", "25650000\n");
    fixture_put(bat, "power_now", "8550000\n");
    fixture_put(bat, "voltage_now", "11400000\n");
    fixture_put(ac, "type", "Mains\n");
    fixture_put(ac, "online", "1\n");
    snprintf(ini, sizeof ini, "%s/idle.ini", u.dir);
    snprintf(text, sizeof text,
             "[machine]\nname = bench-idle\ntime = real\n"
             "power_supply = %s\npower_supply_uevent = %s/uevent.sock\n\n"
             "[battery.UPS]\nbus = nut\nnut_ups = %s\nchemistry = lead-acid\n"
             "design_capacity_mwh = 216000\ndesign_voltage_mv = 24000\ncells = 12\n",
             root, u.dir, nut_upsd_address(&u));
    fixture_put(u.dir, "idle.ini", text);
    snprintf(base, sizeof base, "%s/base.ini", u.dir);
    fixture_put(u.dir, "base.ini", "[machine]\nname = bench-idle-base\ntime = real\n");

    double baseline = idle_cpu(u.dir, base, 0);
    double wake_floor = baseline < 0 ? -1 : wake_floor_cpu();
    double bridges = wake_floor < 0 ? -1 : idle_cpu(u.dir, ini, 1);
    if (bridges >= 0) {
        printf("BENCH battd_idle_no_bridges_cpu_ms_per_min %.2f\n", baseline);
        printf("BENCH wake_every_5s_floor_cpu_ms_per_min %.2f\n", wake_floor);
        printf("BENCH battd_idle_cpu_ms_per_min %.2f\n", bridges);
        rc = 0;
    }
    nut_upsd_done(&u);
    return rc;
}

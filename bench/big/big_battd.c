#include "big_battd.h"
#include "battd.h"
#include "history.h"

#include "bench_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BOOT_WAIT_MS 300000

metrics_boot_t big_battd;

static const char *bench_name = "bench";
static char dir[64];
static const char *machine;

const char *battd_machine_name(void) /* main.c's, which this is instead of */
{
    return big_battd.machine_name;
}

_Noreturn void big_battd_die(const char *what)
{
    fprintf(stderr, "%s: %s\n", bench_name, what);
    exit(1);
}

void big_battd_boot(const char *who)
{
    bench_name = who;
    snprintf(dir, sizeof dir, "/tmp/%s.XXXXXX", who);
    if (!mkdtemp(dir))
        big_battd_die("cannot make a temporary folder");
    uint64_t t0 = bench_now_ns();
    if (!(machine = write_big_machine(dir)))
        big_battd_die("cannot write the machine");
    if (metrics_boot(&big_battd, machine, BOOT_WAIT_MS) != 0)
        big_battd_die("the machine does not boot");
    fprintf(stderr, "%s: %zu batteries booted and read in %.1f s\n", who, big_battd.batteries,
            (double)(bench_now_ns() - t0) / 1e9);
    if (big_battd.batteries != BIG_BATTERIES)
        big_battd_die("not every battery came up");
}

int big_battd_shutdown(void)
{
    int rc = metrics_shutdown(&big_battd);
    unlink(machine);
    rmdir(dir);
    return rc;
}

double big_battd_snapshot_us(int runs)
{
    static live_battery_t bs[BIG_BATTERIES];
    double *t = malloc((size_t)runs * sizeof *t);
    if (!t)
        big_battd_die("out of memory");
    for (int k = 0; k < runs; k++) {
        uint64_t t0 = bench_now_ns();
        monitor_snapshot(bs, BIG_BATTERIES, NULL);
        t[k] = (double)(bench_now_ns() - t0);
    }
    double us = bench_quantile(t, (size_t)runs, 0.5) / 1000.0;
    free(t);
    return us;
}

int loopback_get(uint16_t port, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        big_battd_die("connect to battd's HTTP server failed");
    char req[256];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    if (n < 0 || (size_t)n >= sizeof req || write(fd, req, (size_t)n) != n)
        big_battd_die("sending the GET failed");
    return fd;
}

size_t read_to_end(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    for (ssize_t n; len < cap && (n = read(fd, buf + len, cap - len)) > 0;)
        len += (size_t)n;
    return len;
}

/* The uevent listener: a thread blocked in poll() on a NETLINK_KOBJECT_UEVENT
 * socket (the kernel's multicast group 1) - or, when the bus's hardware key
 * names UeventSocket, an AF_UNIX datagram socket there, which tests write
 * kernel-format messages to - and on a pipe that stops it. A message for
 * the power_supply subsystem asks the bus for a scan; nothing else wakes
 * the thread, so an idle battd stays idle. On the test socket a sender
 * that has an address of its own gets a "scanned" datagram back once a
 * scan that began after its message is done, so a test knows when the
 * driver has seen a change without waiting for time to pass. libc and
 * pthreads: Linux-only. */
#define _GNU_SOURCE
#include "psbatt.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct psbatt_monitor {
    PPSBATT_BUS bus;
    int fd;
    int stop[2]; /* write end closed or written: the thread returns */
    pthread_t thread;
    char path[108]; /* the AF_UNIX path to unlink, or "" */
    pthread_mutex_t lock;
    pthread_cond_t scanned;
    ULONG served; /* every ticket up to this one was scanned after */
    BOOLEAN stopping;
} psbatt_monitor_t;

#define PSBATT_ACK_WAIT_S 10 /* bound on a test's acknowledgement */

/* A message is "ACTION@DEVPATH" then KEY=VALUE fields, each NUL-ended
 * (libudev's own messages start "libudev" and are not read here). */
static BOOLEAN PsBattUeventIsPowerSupply(const CHAR *Message, SIZE_T Length)
{
    static const char want[] = "SUBSYSTEM=power_supply";
    SIZE_T i = 0;
    while (i < Length) {
        const char *field = Message + i;
        SIZE_T n = strnlen(field, Length - i);
        if (n == sizeof want - 1 && memcmp(field, want, n) == 0)
            return TRUE;
        i += n + 1;
    }
    return FALSE;
}

VOID PsBattMonitorScanned(PPSBATT_BUS Bus, ULONG Served)
{
    psbatt_monitor_t *m = Bus->Monitor;
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    if ((LONG)(Served - m->served) > 0)
        m->served = Served;
    pthread_cond_broadcast(&m->scanned);
    pthread_mutex_unlock(&m->lock);
}

/* The test socket's acknowledgement: once the scan for Ticket is done. */
static void psbatt_acknowledge(psbatt_monitor_t *m, ULONG Ticket, const struct sockaddr_un *to,
                               socklen_t len)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += PSBATT_ACK_WAIT_S;
    int rc = 0;
    pthread_mutex_lock(&m->lock);
    while (Ticket && !m->stopping && (LONG)(m->served - Ticket) < 0 && rc == 0)
        rc = pthread_cond_timedwait(&m->scanned, &m->lock, &until);
    BOOLEAN done = Ticket && (LONG)(m->served - Ticket) >= 0;
    pthread_mutex_unlock(&m->lock);
    if (done)
        sendto(m->fd, "scanned", 7, MSG_DONTWAIT, (const struct sockaddr *)to, len);
}

static void *psbatt_monitor_main(void *arg)
{
    psbatt_monitor_t *m = arg;
    char buffer[8192];
    struct pollfd fds[2] = {{.fd = m->fd, .events = POLLIN}, {.fd = m->stop[0], .events = POLLIN}};
    for (;;) {
        int n = poll(fds, 2, -1); /* no timeout: the poll timer is the host's */
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || fds[1].revents)
            break;
        if (!(fds[0].revents & POLLIN))
            continue;
        struct sockaddr_un from;
        socklen_t from_len = sizeof from;
        ssize_t got = recvfrom(m->fd, buffer, sizeof buffer - 1, MSG_DONTWAIT,
                               (struct sockaddr *)&from, &from_len);
        if (got < 0 && errno == ENOBUFS) {
            /* The socket overflowed: events were lost, a supply may have
             * come or gone unannounced. */
            PsBattRequestScan(m->bus, TRUE);
            continue;
        }
        if (got <= 0)
            continue;
        buffer[got] = 0;
        if (!PsBattUeventIsPowerSupply(buffer, (SIZE_T)got))
            continue;
        ULONG ticket = PsBattRequestScan(m->bus, TRUE);
        if (m->path[0] && from_len > sizeof(sa_family_t))
            psbatt_acknowledge(m, ticket, &from, from_len);
    }
    return NULL;
}

static int psbatt_open_netlink(void)
{
    struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = 1 /* kernel events */};
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int psbatt_open_unix(const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    unlink(path); /* a socket left by an earlier run */
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

NTSTATUS PsBattMonitorStart(PPSBATT_BUS Bus)
{
    psbatt_monitor_t *m = ExAllocatePoolWithTag(NonPagedPool, sizeof *m, PSBATT_TAG);
    if (!m)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(m, sizeof *m);
    m->bus = Bus;
    m->stop[0] = m->stop[1] = -1;
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->scanned, NULL);
    if (Bus->UeventSocket[0]) {
        snprintf(m->path, sizeof m->path, "%s", Bus->UeventSocket);
        m->fd = psbatt_open_unix(m->path);
    } else {
        m->fd = psbatt_open_netlink();
    }
    if (m->fd < 0)
        goto fail;
    if (pipe2(m->stop, O_CLOEXEC) != 0)
        goto fail;
    if (pthread_create(&m->thread, NULL, psbatt_monitor_main, m) != 0)
        goto fail;
    Bus->Monitor = m;
    return STATUS_SUCCESS;

fail:
    if (m->stop[0] >= 0) {
        close(m->stop[0]);
        close(m->stop[1]);
    }
    if (m->fd >= 0)
        close(m->fd);
    if (m->path[0])
        unlink(m->path);
    ExFreePoolWithTag(m, PSBATT_TAG);
    return STATUS_UNSUCCESSFUL;
}

VOID PsBattMonitorStop(PPSBATT_BUS Bus)
{
    psbatt_monitor_t *m = Bus->Monitor;
    if (!m)
        return;
    pthread_mutex_lock(&m->lock);
    m->stopping = TRUE;
    pthread_cond_broadcast(&m->scanned);
    pthread_mutex_unlock(&m->lock);
    close(m->stop[1]); /* POLLHUP on the read end */
    pthread_join(m->thread, NULL);
    Bus->Monitor = NULL; /* no scan runs now: the bus stopped queueing them */
    close(m->stop[0]);
    close(m->fd);
    if (m->path[0])
        unlink(m->path);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->scanned);
    ExFreePoolWithTag(m, PSBATT_TAG);
}

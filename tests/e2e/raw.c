/* The raw protocol client (raw.h). */
#define _GNU_SOURCE
#include "raw.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int raw_connect(const char *socket_path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", socket_path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

bool raw_send(int fd, uint16_t type, uint32_t id, const void *payload, uint32_t len)
{
    bkp_header_t h = {.length = len, .type = type, .request_id = id};
    uint8_t *buf = malloc(sizeof h + len);
    memcpy(buf, &h, sizeof h);
    if (len)
        memcpy(buf + sizeof h, payload, len);
    bool ok = send(fd, buf, sizeof h + len, MSG_NOSIGNAL) == (ssize_t)(sizeof h + len);
    free(buf);
    return ok;
}

static int read_exact(int fd, void *p, size_t n, int64_t end)
{
    size_t got = 0;
    while (got < n) {
        int left = (int)(end - now_ms());
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pf, 1, left) <= 0)
            return 0;
        ssize_t r = read(fd, (char *)p + got, n - got);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    return 1;
}

int raw_recv(int fd, bkp_header_t *h, void *payload, uint32_t size, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    int r = read_exact(fd, h, sizeof *h, end);
    if (r <= 0)
        return r;
    uint8_t *tmp = malloc(h->length ? h->length : 1);
    r = read_exact(fd, tmp, h->length, end + 1000);
    if (r > 0 && payload)
        memcpy(payload, tmp, h->length < size ? h->length : size);
    free(tmp);
    return r;
}

bool raw_hello(int fd)
{
    bkp_hello_t m = {.magic = BKP_MAGIC, .version = BKP_VERSION};
    bkp_header_t h;
    bkp_hello_reply_t r = {0};
    return raw_send(fd, BKP_MSG_HELLO, 1, &m, sizeof m) &&
           raw_recv(fd, &h, &r, sizeof r, 5000) == 1 && r.status == 0 && r.magic == BKP_MAGIC;
}

uint32_t raw_open_battery(int fd, const char *match)
{
    static const uint8_t battery_guid[16] = {0x54, 0x1e, 0x63, 0x72, 0xa4, 0x78, 0xd0, 0x11,
                                             0xbc, 0xf7, 0x00, 0xaa, 0x00, 0xb7, 0xb3, 0x2a};
    uint8_t buf[BKP_MAX_PAYLOAD];
    bkp_header_t h;
    if (!raw_send(fd, BKP_MSG_ENUM_INTERFACES, 2, battery_guid, 16) ||
        raw_recv(fd, &h, buf, sizeof buf, 5000) != 1)
        return 0;
    bkp_enum_reply_t er;
    memcpy(&er, buf, sizeof er);
    const char *p = (const char *)buf + sizeof er;
    for (uint32_t i = 0; i < er.count; i++, p += strlen(p) + 1) {
        if (!strstr(p, match))
            continue;
        uint8_t msg[1024];
        bkp_open_t o = {.desired_access = 1};
        size_t l = strlen(p) + 1;
        memcpy(msg, &o, sizeof o);
        memcpy(msg + sizeof o, p, l);
        bkp_open_reply_t r = {0};
        if (!raw_send(fd, BKP_MSG_OPEN, 3, msg, (uint32_t)(sizeof o + l)) ||
            raw_recv(fd, &h, &r, sizeof r, 5000) != 1 || r.status != 0)
            return 0;
        return r.handle;
    }
    return 0;
}

int32_t raw_ioctl(int fd, uint32_t id, uint32_t handle, uint32_t code, const void *in,
                  uint32_t in_len, void *out, uint32_t out_len, uint32_t *returned, int timeout_ms)
{
    uint8_t msg[sizeof(bkp_ioctl_t) + 256];
    bkp_ioctl_t m = {.handle = handle, .code = code, .out_length = out_len, .in_length = in_len};
    memcpy(msg, &m, sizeof m);
    memcpy(msg + sizeof m, in, in_len);
    if (!raw_send(fd, BKP_MSG_IOCTL, id, msg, (uint32_t)(sizeof m + in_len)))
        return 0x7fffffff;
    uint8_t reply[sizeof(bkp_ioctl_reply_t) + 256];
    bkp_header_t h;
    if (raw_recv(fd, &h, reply, sizeof reply, timeout_ms) != 1)
        return 0x7fffffff;
    bkp_ioctl_reply_t r;
    memcpy(&r, reply, sizeof r);
    if (returned)
        *returned = r.returned;
    memcpy(out, reply + sizeof r, r.returned < out_len ? r.returned : out_len);
    return r.status;
}

/* daemon_client.c: battinf talking to a running battd: HELLO (which says
 * whether this user is privileged), then one SETUP request, whose reply
 * carries battd's status and report. Blocking socket I/O with a bound. */
#include "daemon_client.h"
#include "protocol.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define REPLY_BOUND_MS (10 * 60 * 1000) /* an install may restart many devices */

_Static_assert(sizeof(battinf_setup_request_t) == 8, "setup request");
_Static_assert(sizeof(battinf_setup_reply_t) == 8, "setup reply");

static void say(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (len)
        vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

static bool send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

/* 1 read, 0 the peer closed, -1 error or timeout. */
static int recv_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, REPLY_BOUND_MS);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return -1;
        ssize_t r = recv(fd, c, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return 0;
        if (r < 0)
            return errno == ECONNRESET ? 0 : -1;
        c += r;
        n -= (size_t)r;
    }
    return 1;
}

static bool send_frame(int fd, uint16_t type, uint32_t id, const void *a, uint32_t alen,
                       const void *b, uint32_t blen)
{
    bkp_header_t h = {.length = alen + blen, .type = type, .flags = 0, .request_id = id};
    return send_all(fd, &h, sizeof h) && send_all(fd, a, alen) && (!blen || send_all(fd, b, blen));
}

/* Reads the reply to request `id`; its payload is malloc'd. */
static int recv_reply(int fd, uint16_t type, uint32_t id, uint8_t **payload, uint32_t *len)
{
    for (;;) {
        bkp_header_t h;
        int rc = recv_all(fd, &h, sizeof h);
        if (rc <= 0)
            return rc;
        if (h.length > BKP_MAX_PAYLOAD)
            return -1;
        uint8_t *buf = malloc(h.length ? h.length : 1);
        if (!buf || (h.length && recv_all(fd, buf, h.length) <= 0)) {
            free(buf);
            return -1;
        }
        if (h.type == (type | BKP_REPLY) && h.request_id == id) {
            *payload = buf;
            *len = h.length;
            return 1;
        }
        free(buf); /* an event: not ours */
    }
}

int battinf_daemon_request(const char *socket_path, uint32_t op, uint32_t flags, const char *arg,
                           int32_t *status, char *report, size_t len, char *err, size_t errlen)
{
    char def[108];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    uint8_t *payload = NULL;
    uint32_t plen = 0;
    int result = BATTINF_DAEMON_ERROR;
    if (len)
        report[0] = 0;
    if (!socket_path && !(socket_path = bkp_default_socket_path(def, sizeof def))) {
        say(err, errlen, "the socket path is too long");
        return BATTINF_DAEMON_ERROR;
    }
    if (strlen(socket_path) >= sizeof addr.sun_path) {
        say(err, errlen, "%s: socket path too long", socket_path);
        return BATTINF_DAEMON_ERROR;
    }
    memcpy(addr.sun_path, socket_path, strlen(socket_path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        say(err, errlen, "socket: %s", strerror(errno));
        return BATTINF_DAEMON_ERROR;
    }
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int e = errno;
        close(fd);
        say(err, errlen, "%s: %s", socket_path, strerror(e));
        return e == ENOENT || e == ECONNREFUSED ? BATTINF_DAEMON_ABSENT : BATTINF_DAEMON_ERROR;
    }

    bkp_hello_t hello = {.magic = BKP_MAGIC, .version = BKP_VERSION};
    if (!send_frame(fd, BKP_MSG_HELLO, 1, &hello, sizeof hello, NULL, 0) ||
        recv_reply(fd, BKP_MSG_HELLO, 1, &payload, &plen) <= 0 ||
        plen < sizeof(bkp_hello_reply_t)) {
        say(err, errlen, "%s: battd did not answer HELLO", socket_path);
        goto out;
    }
    bkp_hello_reply_t hr;
    memcpy(&hr, payload, sizeof hr);
    free(payload);
    payload = NULL;
    if (hr.status != 0) {
        say(err, errlen, "%s: battd refused HELLO (0x%08x)", socket_path, (unsigned)hr.status);
        goto out;
    }
    if (!(hr.server_flags & BKP_SERVER_PRIVILEGED)) {
        say(err, errlen, "battd (pid %u) does not let uid %u install drivers (not privileged)",
            (unsigned)hr.server_pid, (unsigned)getuid());
        goto out;
    }

    size_t alen = strlen(arg ? arg : "") + 1;
    if (alen > BKP_MAX_PAYLOAD - sizeof(battinf_setup_request_t)) {
        say(err, errlen, "argument too long");
        goto out;
    }
    battinf_setup_request_t req = {.op = op, .flags = flags};
    if (!send_frame(fd, BATTINF_MSG_SETUP, 2, &req, sizeof req, arg ? arg : "", (uint32_t)alen)) {
        result = BATTINF_DAEMON_UNSUPPORTED;
        say(err, errlen, "battd closed the connection on the SETUP request");
        goto out;
    }
    int rc = recv_reply(fd, BATTINF_MSG_SETUP, 2, &payload, &plen);
    if (rc == 0) {
        result = BATTINF_DAEMON_UNSUPPORTED;
        say(err, errlen,
            "battd (pid %u) hung up on the SETUP request: it does not serve "
            "installs (stop it and use --registry, or update battd)",
            (unsigned)hr.server_pid);
        goto out;
    }
    if (rc < 0 || plen < sizeof(battinf_setup_reply_t)) {
        say(err, errlen, "battd sent no usable reply to SETUP");
        goto out;
    }
    battinf_setup_reply_t sr;
    memcpy(&sr, payload, sizeof sr);
    size_t text = plen - sizeof sr < sr.report_length ? plen - sizeof sr : sr.report_length;
    if (len) {
        size_t n = text < len - 1 ? text : len - 1;
        memcpy(report, payload + sizeof sr, n);
        report[n] = 0;
    }
    *status = sr.status;
    result = BATTINF_DAEMON_OK;
out:
    free(payload);
    close(fd);
    return result;
}

/* battinf's SETUP request against a stand-in battd: the frames battinf
 * sends (daemon_client.h) served by setup_install_for_daemon on the
 * server's host, so the new binding applies to the running host at once;
 * an unprivileged peer, a battd without SETUP and no battd at all. */
#include "setup_fixture.h"
#include "daemon_client.h"
#include "protocol.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define REPORT 16384

typedef struct server {
    fx_t *fx;
    int listen_fd;
    char path[300];
    bool privileged;
    bool knows_setup;
    pthread_t thread;
} server_t;

static bool read_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r <= 0)
            return false;
        c += r;
        n -= (size_t)r;
    }
    return true;
}

static void reply(int fd, uint16_t type, uint32_t id, const void *p, uint32_t n)
{
    bkp_header_t h = {.length = n, .type = type | BKP_REPLY, .request_id = id};
    if (write(fd, &h, sizeof h) != (ssize_t)sizeof h || write(fd, p, n) != (ssize_t)n)
        bk_test_fail(__FILE__, __LINE__, "stand-in battd: write failed");
}

static void *serve(void *arg)
{
    server_t *s = arg;
    int fd = accept(s->listen_fd, NULL, NULL);
    static uint8_t payload[BKP_MAX_PAYLOAD];
    bkp_header_t h;
    while (fd >= 0 && read_all(fd, &h, sizeof h) && h.length <= sizeof payload &&
           read_all(fd, payload, h.length)) {
        if (h.type == BKP_MSG_HELLO) {
            bkp_hello_reply_t r = {.magic = BKP_MAGIC,
                                   .version = BKP_VERSION,
                                   .server_flags = s->privileged ? BKP_SERVER_PRIVILEGED : 0,
                                   .server_pid = (uint32_t)getpid()};
            reply(fd, h.type, h.request_id, &r, sizeof r);
        } else if (h.type == BATTINF_MSG_SETUP && s->knows_setup &&
                   h.length > sizeof(battinf_setup_request_t) && payload[h.length - 1] == 0) {
            /* What battd's handler does: */
            battinf_setup_request_t req;
            memcpy(&req, payload, sizeof req);
            static uint8_t out[BKP_MAX_PAYLOAD];
            battinf_setup_reply_t *rp = (battinf_setup_reply_t *)out;
            char *text = (char *)out + sizeof *rp;
            rp->status =
                setup_install_for_daemon(s->fx->host, req.op, (const char *)payload + sizeof req,
                                         req.flags, text, sizeof out - sizeof *rp);
            rp->report_length = (uint32_t)strlen(text);
            reply(fd, h.type, h.request_id, out, (uint32_t)(sizeof *rp + rp->report_length));
        } else {
            break; /* battd hangs up on a message it does not know */
        }
    }
    if (fd >= 0)
        close(fd);
    return NULL;
}

static bool start(server_t *s, fx_t *fx, bool privileged, bool knows_setup)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    memset(s, 0, sizeof(*s));
    s->fx = fx;
    s->privileged = privileged;
    s->knows_setup = knows_setup;
    snprintf(s->path, sizeof s->path, "%s/battd.sock", fx->dir);
    if (strlen(s->path) >= sizeof addr.sun_path)
        return false;
    memcpy(addr.sun_path, s->path, strlen(s->path) + 1);
    unlink(s->path);
    s->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        listen(s->listen_fd, 1) != 0)
        return false;
    return pthread_create(&s->thread, NULL, serve, s) == 0;
}

static void stop(server_t *s)
{
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    unlink(s->path);
}

static int request(server_t *s, uint32_t op, const char *arg, int32_t *status, char *report)
{
    char err[512] = "";
    server_t *srv = s;
    int rc = battinf_daemon_request(srv->path, op, 0, arg, status, report, REPORT, err, sizeof err);
    if (rc != BATTINF_DAEMON_OK)
        fprintf(stderr, "battinf_daemon_request: %s\n", err);
    return rc;
}

TEST(battinf_installs_through_battd_and_the_binding_applies_at_once)
{
    fx_t fx;
    server_t s;
    char report[REPORT];
    int32_t status = -1;
    REQUIRE(fx_begin(&fx));
    bk_device_t *dev = fx_add_root(&fx, "SETUPTEST\\Dev", "0");
    const char *inf = fx_package(&fx, &(fx_pkg_t){.name = "fna", .model = "SETUPTEST\\Dev"});

    REQUIRE(start(&s, &fx, true, true));
    CHECK_EQ(request(&s, BK_SETUP_OP_INSTALL, inf, &status, report), BATTINF_DAEMON_OK);
    stop(&s);
    CHECK_STATUS(status, 0);
    CHECK(strstr(report, "fna.inf: installed") != NULL);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED); /* no restart needed */

    REQUIRE(start(&s, &fx, true, true));
    CHECK_EQ(request(&s, BK_SETUP_OP_LIST, "", &status, report), BATTINF_DAEMON_OK);
    stop(&s);
    CHECK(strncmp(report, "fna.inf\tfna\t", 12) == 0);

    REQUIRE(start(&s, &fx, true, true));
    CHECK_EQ(request(&s, BK_SETUP_OP_UNINSTALL, "fna", &status, report), BATTINF_DAEMON_OK);
    stop(&s);
    CHECK_STATUS(status, 0);
    CHECK_STR(fx_device_service(dev), "");

    /* A relative path is refused: battd resolves nothing for its client. */
    REQUIRE(start(&s, &fx, true, true));
    CHECK_EQ(request(&s, BK_SETUP_OP_INSTALL, "fna/fna.inf", &status, report), BATTINF_DAEMON_OK);
    stop(&s);
    CHECK_STATUS(status, STATUS_INVALID_PARAMETER);
    fx_done(&fx);
}

TEST(battinf_does_not_ask_an_unprivileged_battd_and_knows_an_old_one)
{
    fx_t fx;
    server_t s;
    char report[REPORT], err[512];
    int32_t status = -1;
    REQUIRE(fx_begin(&fx));
    REQUIRE(start(&s, &fx, false, true));
    CHECK_EQ(battinf_daemon_request(s.path, BK_SETUP_OP_LIST, 0, "", &status, report, REPORT, err,
                                    sizeof err),
             BATTINF_DAEMON_ERROR);
    CHECK(strstr(err, "not privileged") != NULL);
    stop(&s);
    REQUIRE(start(&s, &fx, true, false));
    CHECK_EQ(battinf_daemon_request(s.path, BK_SETUP_OP_LIST, 0, "", &status, report, REPORT, err,
                                    sizeof err),
             BATTINF_DAEMON_UNSUPPORTED);
    stop(&s);
    CHECK_EQ(battinf_daemon_request(s.path, BK_SETUP_OP_LIST, 0, "", &status, report, REPORT, err,
                                    sizeof err),
             BATTINF_DAEMON_ABSENT);
    fx_done(&fx);
}

/* Soak (issue 15): about 1,000 clients with churn against battd on real
 * time for BK_SOAK_SECONDS (default 5; .ci/run runs 20 against an ASan
 * battd, scripts/soak.sh), while the machine changes (AC toggled and the
 * load moved every 50 ms). Well-behaved clients connect, open the battery,
 * arm IOCTL_BATTERY_QUERY_STATUS waits and take the completion; others
 * cancel their wait, close the handle under it, hang up with it pending,
 * or (in child processes) are killed with SIGKILL holding waits. Pins: every
 * well-behaved wait completes with the new status within a bound, every
 * cancel and close is answered, battd never stops answering, exits 0 (an
 * ASan report or a leak fails its exit status) and logs no sanitizer
 * report. One epoll loop drives every connection: no thread, no sleep. */
#define _GNU_SOURCE
#include "e2e.h"

#include <windows.h>
#include <batclass.h>
#include <errno.h>
#include <ntstatus.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CLIENTS      800 /* driven here */
#define KILLERS      4   /* child processes, each ... */
#define KILLER_WAITS 50  /* ... holding this many waits until SIGKILL */
#define CHANGE_MS    50
#define REPLY_BOUND  10000 /* ms: any expected reply */
#define BOUND_MS     30000
#define WAIT_ID      100

typedef enum { C_IDLE, C_OPEN, C_TAG, C_STATUS, C_WAIT, C_CANCEL, C_CLOSE } cstate_t;
typedef enum { B_WAIT, B_CANCEL, B_CLOSE, B_HANGUP, B_COUNT } behaviour_t;

typedef struct conn {
    int fd;
    cstate_t state;
    behaviour_t how;
    uint32_t handle, wait_id;
    ULONG tag, power_state;
    int replies_due;     /* CANCEL/CLOSE: the IOCTL's reply and the request's */
    unsigned generation; /* a new connection in the same slot */
    int64_t deadline;
    uint8_t in[512];
    size_t in_len;
} conn_t;

static conn_t conns[CLIENTS];
static bool draining; /* the end: waits are taken, nothing new starts */
static char battery_path[512];
static const char *sock;
static int ep;
static struct {
    unsigned connects, completed, cancelled, cancelled_status, closed, hangups, killed, armed;
    unsigned failures;
    char first_failure[320];
} st;

static void fail(conn_t *c, const char *what)
{
    if (!st.failures++)
        snprintf(st.first_failure, sizeof st.first_failure, "client %d: %s (state %d)",
                 (int)(c - conns), what, (int)c->state);
}

static bool send_frame(conn_t *c, uint16_t type, uint32_t id, const void *p, uint32_t len)
{
    return raw_send(c->fd, type, id, p, len);
}

static bool send_ioctl(conn_t *c, uint32_t id, uint32_t code, const void *in, uint32_t in_len,
                       uint32_t out_len)
{
    uint8_t msg[sizeof(bkp_ioctl_t) + 64];
    bkp_ioctl_t m = {.handle = c->handle, .code = code, .out_length = out_len, .in_length = in_len};
    memcpy(msg, &m, sizeof m);
    memcpy(msg + sizeof m, in, in_len);
    return send_frame(c, BKP_MSG_IOCTL, id, msg, (uint32_t)(sizeof m + in_len));
}

static void conn_close(conn_t *c)
{
    if (c->fd >= 0)
        close(c->fd); /* also leaves the epoll set */
    c->fd = -1;
    c->state = C_IDLE;
}

/* A fresh connection: HELLO and OPEN go out at once (frames are in order). */
/* What battd said about it (the run folder goes at exit): its warnings
 * and errors, the last few, so a CI log shows why a client was hung up. */
static void dump_battd_warnings(const battd_t *d)
{
    FILE *f = fopen(d->log, "r");
    char line[512], last[20][512];
    int n = 0;
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        if (strstr(line, " warn") || strstr(line, " error") || strstr(line, "Sanitizer"))
            snprintf(last[n++ % 20], sizeof last[0], "%s", line);
    fclose(f);
    for (int i = n > 20 ? n - 20 : 0; i < n; i++)
        fprintf(stderr, "battd: %s", last[i % 20]);
}

static void conn_start(conn_t *c)
{
    unsigned generation = c->generation + 1;
    memset(c, 0, sizeof *c);
    c->generation = generation;
    c->fd = raw_connect(sock);
    if (c->fd < 0) {
        fail(c, "connect refused");
        return;
    }
    fcntl(c->fd, F_SETFL, O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    bkp_hello_t h = {.magic = BKP_MAGIC, .version = BKP_VERSION};
    uint8_t open[sizeof(bkp_open_t) + sizeof battery_path];
    bkp_open_t o = {.desired_access = 1};
    size_t l = strlen(battery_path) + 1;
    memcpy(open, &o, sizeof o);
    memcpy(open + sizeof o, battery_path, l);
    if (!send_frame(c, BKP_MSG_HELLO, 1, &h, sizeof h) ||
        !send_frame(c, BKP_MSG_OPEN, 2, open, (uint32_t)(sizeof o + l)))
        fail(c, "send HELLO/OPEN");
    c->state = C_OPEN;
    c->deadline = e2e_now_ms() + REPLY_BOUND;
    st.connects++;
}

static void arm_wait(conn_t *c)
{
    BATTERY_WAIT_STATUS ws = {.BatteryTag = c->tag,
                              .Timeout = 0xFFFFFFFFu,
                              .PowerState = c->power_state,
                              .HighCapacity = 0xFFFFFFFEu};
    c->wait_id = c->wait_id ? c->wait_id + 1 : WAIT_ID;
    if (!send_ioctl(c, c->wait_id, IOCTL_BATTERY_QUERY_STATUS, &ws, sizeof ws,
                    sizeof(BATTERY_STATUS)))
        fail(c, "send wait");
    c->how = draining || rand() % 10 < 6 ? B_WAIT : (behaviour_t)(1 + rand() % (B_COUNT - 1));
    c->state = C_WAIT;
    c->deadline = e2e_now_ms() + REPLY_BOUND;
    st.armed++;
    switch (c->how) {
    case B_CANCEL: {
        bkp_cancel_t m = {.target_id = c->wait_id};
        send_frame(c, BKP_MSG_CANCEL, 5, &m, sizeof m);
        c->state = C_CANCEL;
        c->replies_due = 2;
        break;
    }
    case B_CLOSE: {
        bkp_close_t m = {.handle = c->handle};
        send_frame(c, BKP_MSG_CLOSE, 6, &m, sizeof m);
        c->state = C_CLOSE;
        c->replies_due = 2;
        break;
    }
    case B_HANGUP:
        st.hangups++;
        conn_close(c);
        break;
    default:
        break;
    }
}

/* One reply frame for c. */
static void on_frame(conn_t *c, const bkp_header_t *h, const uint8_t *p)
{
    int32_t status;
    memcpy(&status, p, sizeof status);
    c->deadline = e2e_now_ms() + REPLY_BOUND;
    switch (c->state) {
    case C_OPEN:
        if (h->request_id == 1)
            return; /* HELLO's */
        if (status != 0) {
            fail(c, "OPEN refused");
            return conn_close(c);
        }
        memcpy(&c->handle, p + 4, 4);
        ULONG zero = 0;
        send_ioctl(c, 3, IOCTL_BATTERY_QUERY_TAG, &zero, 4, 4);
        c->state = C_TAG;
        return;
    case C_TAG:
    case C_STATUS: {
        bkp_ioctl_reply_t r;
        memcpy(&r, p, sizeof r);
        if (r.status != 0) {
            fail(c, "QUERY_TAG/QUERY_STATUS failed");
            return conn_close(c);
        }
        if (c->state == C_TAG) {
            memcpy(&c->tag, p + sizeof r, 4);
            BATTERY_WAIT_STATUS now = {.BatteryTag = c->tag};
            send_ioctl(c, 4, IOCTL_BATTERY_QUERY_STATUS, &now, sizeof now, sizeof(BATTERY_STATUS));
            c->state = C_STATUS;
            return;
        }
        BATTERY_STATUS s;
        memcpy(&s, p + sizeof r, sizeof s);
        c->power_state = s.PowerState;
        return arm_wait(c);
    }
    case C_WAIT: {
        bkp_ioctl_reply_t r;
        BATTERY_STATUS s;
        memcpy(&r, p, sizeof r);
        memcpy(&s, p + sizeof r, sizeof s);
        if (h->request_id != c->wait_id || r.status != 0 || r.returned != sizeof s ||
            s.PowerState == c->power_state) {
            char why[160];
            snprintf(why, sizeof why,
                     "a well-behaved wait completed wrong: id %u/%u status 0x%x returned %u "
                     "state 0x%x armed for 0x%x",
                     h->request_id, c->wait_id, (unsigned)r.status, r.returned,
                     (unsigned)s.PowerState, (unsigned)c->power_state);
            fail(c, why);
            return conn_close(c);
        }
        st.completed++;
        c->power_state = s.PowerState;
        if (draining)
            return conn_close(c);
        if (rand() % 4 == 0) { /* churn: go and come back */
            conn_close(c);
            return conn_start(c);
        }
        return arm_wait(c);
    }
    case C_CANCEL:
    case C_CLOSE: {
        /* The wait's own reply (cancelled, or completed by a change that
         * came first) and the CANCEL/CLOSE reply, in either order. */
        if (h->request_id == c->wait_id) {
            bkp_ioctl_reply_t r;
            memcpy(&r, p, sizeof r);
            if (r.status != (int32_t)STATUS_CANCELLED && r.status != 0)
                fail(c, "a cancelled wait ended with another status");
            st.cancelled_status += r.status == (int32_t)STATUS_CANCELLED;
        } else if (status != 0 && status != (int32_t)STATUS_NOT_FOUND) {
            fail(c, "CANCEL/CLOSE refused");
        }
        if (--c->replies_due > 0)
            return;
        if (c->state == C_CANCEL) {
            st.cancelled++;
            return arm_wait(c); /* the handle is still open */
        }
        st.closed++;
        conn_close(c);
        if (!draining)
            conn_start(c);
        return;
    }
    default:
        fail(c, "a frame nobody asked for");
    }
}

static void on_readable(conn_t *c)
{
    unsigned generation = c->generation;
    if (c->fd < 0)
        return; /* closed earlier in this batch of events */
    for (;;) {
        ssize_t n = read(c->fd, c->in + c->in_len, sizeof c->in - c->in_len);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
            fail(c, "battd hung up");
            return conn_close(c);
        }
        if (n < 0)
            return;
        c->in_len += (size_t)n;
        size_t off = 0;
        while (c->fd >= 0 && c->in_len - off >= BKP_HEADER_SIZE) {
            bkp_header_t h;
            memcpy(&h, c->in + off, sizeof h);
            if (h.length > sizeof c->in - BKP_HEADER_SIZE) {
                fail(c, "oversized reply");
                return conn_close(c);
            }
            if (c->in_len - off < BKP_HEADER_SIZE + h.length)
                break;
            uint8_t payload[512] = {0};
            memcpy(payload, c->in + off + BKP_HEADER_SIZE, h.length);
            off += BKP_HEADER_SIZE + h.length;
            on_frame(c, &h, payload);
            if (c->generation != generation)
                return; /* hung up and started again: its bytes are gone */
        }
        if (c->fd < 0)
            return;
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
}

/* ---- killed clients: children holding waits until SIGKILL ---- */
typedef struct killer {
    pid_t pid;
    int ready_fd;
    int64_t kill_at; /* 0 until ready */
    unsigned kills;
} killer_t;

static void killer_child(int ready)
{
    static int fd[KILLER_WAITS];
    for (int i = 0; i < KILLER_WAITS; i++) {
        fd[i] = raw_connect(sock);
        uint32_t h;
        ULONG zero = 0, tag = 0;
        uint32_t got;
        if (fd[i] < 0 || !raw_hello(fd[i]) || !(h = raw_open_battery(fd[i], "PNP0C0A")) ||
            raw_ioctl(fd[i], 10, h, IOCTL_BATTERY_QUERY_TAG, &zero, 4, &tag, 4, &got, BOUND_MS))
            _exit(2);
        BATTERY_WAIT_STATUS ws = {
            .BatteryTag = tag, .Timeout = 0xFFFFFFFFu, .PowerState = 0, .HighCapacity = ~0u - 1};
        /* PowerState 0 rarely matches: most complete, the rest stay pending. */
        uint8_t msg[sizeof(bkp_ioctl_t) + sizeof ws];
        bkp_ioctl_t m = {.handle = h,
                         .code = IOCTL_BATTERY_QUERY_STATUS,
                         .out_length = sizeof(BATTERY_STATUS),
                         .in_length = sizeof ws};
        memcpy(msg, &m, sizeof m);
        memcpy(msg + sizeof m, &ws, sizeof ws);
        ws.PowerState = BATTERY_POWER_ON_LINE;
        raw_send(fd[i], BKP_MSG_IOCTL, 11, msg, sizeof msg);
        memcpy(msg + sizeof m, &ws, sizeof ws);
        raw_send(fd[i], BKP_MSG_IOCTL, 12, msg, sizeof msg);
    }
    char c = 'y';
    if (write(ready, &c, 1) != 1)
        _exit(3);
    for (;;)
        pause();
}

static void killer_start(killer_t *k)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    k->pid = fork();
    if (k->pid == 0) {
        close(p[0]);
        killer_child(p[1]);
    }
    close(p[1]);
    k->ready_fd = p[0];
    k->kill_at = 0;
}

static void killer_poll(killer_t *k, int64_t now)
{
    char c;
    if (!k->kill_at && read(k->ready_fd, &c, 1) == 1)
        k->kill_at = now + 20 + rand() % 200;
    if (k->kill_at && now >= k->kill_at) {
        kill(k->pid, SIGKILL);
        waitpid(k->pid, NULL, 0);
        close(k->ready_fd);
        st.killed += KILLER_WAITS;
        unsigned kills = k->kills + 1;
        killer_start(k);
        k->kills = kills;
    }
}

static bool find_battery(void)
{
    static const uint8_t guid[16] = {0x54, 0x1e, 0x63, 0x72, 0xa4, 0x78, 0xd0, 0x11,
                                     0xbc, 0xf7, 0x00, 0xaa, 0x00, 0xb7, 0xb3, 0x2a};
    int fd = raw_connect(sock);
    uint8_t buf[BKP_MAX_PAYLOAD];
    bkp_header_t h;
    bool ok = fd >= 0 && raw_hello(fd) && raw_send(fd, BKP_MSG_ENUM_INTERFACES, 2, guid, 16) &&
              raw_recv(fd, &h, buf, sizeof buf, BOUND_MS) == 1;
    if (fd >= 0)
        close(fd);
    bkp_enum_reply_t er;
    memcpy(&er, buf, sizeof er);
    const char *p = (const char *)buf + sizeof er;
    for (uint32_t i = 0; ok && i < er.count; i++, p += strlen(p) + 1)
        if (strstr(p, "PNP0C0A")) {
            snprintf(battery_path, sizeof battery_path, "%s", p);
            return true;
        }
    return false;
}

/* The machine changes: AC toggled, the load moved (replies read later). */
static bool change_machine(int ctl, uint32_t id, int *ac)
{
    *ac = !*ac;
    bkp_sim_t a = {.op = BKP_SIM_AC, .value = *ac};
    bkp_sim_t l = {.op = BKP_SIM_LOAD, .value = 4000 + rand() % 12000};
    return raw_send(ctl, BKP_MSG_SIM, id, &a, sizeof a) &&
           raw_send(ctl, BKP_MSG_SIM, id + 1, &l, sizeof l);
}

TEST(thousand_clients_with_churn_and_kills_every_wait_completes)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    REQUIRE(rl.rlim_cur >= CLIENTS + KILLERS * KILLER_WAITS + 64);
    int seconds = getenv("BK_SOAK_SECONDS") ? atoi(getenv("BK_SOAK_SECONDS")) : 5;
    REQUIRE(seconds > 0 && seconds <= 600);
    srand(15);
    signal(SIGPIPE, SIG_IGN);
    battd_t d;
    REQUIRE(battd_start(&d, (const char *const[]){"--log-level", "warn", NULL}));
    sock = d.socket;
    REQUIRE(find_battery());
    int ctl = raw_connect(sock);
    REQUIRE(ctl >= 0 && raw_hello(ctl));
    fcntl(ctl, F_SETFL, O_NONBLOCK);
    ep = epoll_create1(EPOLL_CLOEXEC);
    REQUIRE(ep >= 0);
    for (int i = 0; i < CLIENTS; i++)
        conn_start(&conns[i]);
    static killer_t killers[KILLERS];
    for (int i = 0; i < KILLERS; i++)
        killer_start(&killers[i]);

    int ac = 1;
    uint32_t sim_id = 1000;
    unsigned sims_sent = 0, sims_answered = 0;
    int64_t start = e2e_now_ms(), end = start + seconds * 1000, next_change = start;
    for (int64_t now = start; now < end && !st.failures; now = e2e_now_ms()) {
        if (now >= next_change) {
            if (!change_machine(ctl, sim_id, &ac))
                break;
            sim_id += 2;
            sims_sent += 2;
            next_change = now + CHANGE_MS;
        }
        struct epoll_event ev[64];
        int n = epoll_wait(ep, ev, 64, (int)(next_change - now));
        for (int i = 0; i < n; i++)
            on_readable(ev[i].data.ptr);
        bkp_header_t h;
        int32_t s;
        while (raw_recv(ctl, &h, &s, sizeof s, 0) == 1)
            sims_answered += s == 0;
        for (int i = 0; i < KILLERS; i++)
            killer_poll(&killers[i], now);
        for (int i = 0; i < CLIENTS; i++) {
            if (conns[i].state == C_IDLE)
                conn_start(&conns[i]); /* hung up: a new client takes its place */
            else if (now > conns[i].deadline)
                fail(&conns[i], "no reply within the bound");
        }
    }
    /* The end: nothing new starts, every client still busy gets its
     * replies, and a change every CHANGE_MS completes the waits (one
     * armed after a change needs the next). */
    draining = true;
    int64_t drain_end = e2e_now_ms() + REPLY_BOUND;
    for (int busy = 1; busy && !st.failures;) {
        if (e2e_now_ms() > drain_end) {
            fail(conns, "clients still waiting at the end of the bound");
            break;
        }
        if (!change_machine(ctl, sim_id, &ac))
            break;
        sim_id += 2;
        sims_sent += 2;
        int64_t until = e2e_now_ms() + CHANGE_MS;
        for (int64_t now = e2e_now_ms(); now < until; now = e2e_now_ms()) {
            struct epoll_event ev[64];
            int n = epoll_wait(ep, ev, 64, (int)(until - now));
            for (int i = 0; i < n; i++)
                on_readable(ev[i].data.ptr);
        }
        busy = 0;
        for (int i = 0; i < CLIENTS; i++)
            busy += conns[i].state != C_IDLE;
    }
    bkp_header_t h;
    int32_t s;
    while (sims_answered < sims_sent && raw_recv(ctl, &h, &s, sizeof s, BOUND_MS) == 1)
        sims_answered += s == 0;
    /* Each killer is killed holding its waits at least once, however
     * slowly a loaded machine let it connect. */
    for (int i = 0; i < KILLERS; i++) {
        struct pollfd pf = {.fd = killers[i].ready_fd, .events = POLLIN};
        char c;
        if (!killers[i].kills && poll(&pf, 1, BOUND_MS) == 1 && read(pf.fd, &c, 1) == 1)
            st.killed += KILLER_WAITS;
        kill(killers[i].pid, SIGKILL);
        waitpid(killers[i].pid, NULL, 0);
    }
    for (int i = 0; i < CLIENTS; i++)
        conn_close(&conns[i]);
    fprintf(stderr,
            "soak %d s: %u connects, %u waits armed, %u completed, %u cancelled, %u closed "
            "under a wait, %u of those ended STATUS_CANCELLED, %u hung up, %u held by killed "
            "processes, "
            "%u/%u changes answered\n",
            seconds, st.connects, st.armed, st.completed, st.cancelled, st.closed,
            st.cancelled_status, st.hangups, st.killed, sims_answered, sims_sent);
    if (st.failures) {
        fprintf(stderr, "%u failures, the first: %s\n", st.failures, st.first_failure);
        dump_battd_warnings(&d);
    }
    CHECK_EQ(st.failures, 0);
    CHECK(st.completed > 100);
    CHECK(st.cancelled > 10);
    /* A cancel or close races the next change (50 ms away): on an idle
     * machine most win, on a loaded one (ASan, load 6) about 40 %. A cancel
     * that did nothing would end none STATUS_CANCELLED. */
    CHECK(st.cancelled_status > (st.cancelled + st.closed) / 10);
    CHECK(st.closed > 10);
    CHECK(st.killed >= KILLERS * KILLER_WAITS);
    CHECK_EQ(sims_answered, sims_sent);
    /* battd still answers, then stops clean. */
    int last = raw_connect(sock);
    CHECK(last >= 0 && raw_hello(last));
    if (last >= 0)
        close(last);
    close(ctl);
    close(ep);
    CHECK_EQ(battd_stop(&d), 0);
    CHECK(!battd_log_contains(&d, "Sanitizer"));
    CHECK(!battd_log_contains(&d, "runtime error"));
}

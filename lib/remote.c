/* The battd transport: one Unix-socket connection per process speaking
 * daemon/protocol.h. Requests are registered by id before they are sent;
 * whichever thread needs a reply reads the socket itself if no one else
 * is (no thread handoff on the synchronous path), and a reader thread is
 * started only once overlapped requests or watches need completions
 * that nobody waits for. */
#include "internal.h"
#include "protocol.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

typedef struct call {
    struct call *next;
    uint32_t id;
    uint16_t type;
    bool done;
    bool discard;    /* nobody waits: free when the reply comes */
    bool persistent; /* a watch: stays registered for its events */
    NTSTATUS status;
    uint8_t *reply; /* payload copy (not for IOCTL) */
    uint32_t reply_len;
    bkc_io_t *io;       /* IOCTL */
    bkc_watch_t *watch; /* WATCH_INTERFACES */
} call_t;

static struct conn {
    int fd; /* -1 when not connected */
    bool broken;
    bool closing;
    bool reader_busy; /* someone is reading the socket */
    bool thread_started;
    pthread_t thread;
    uint32_t next_id;
    call_t *calls;
    bkp_hello_reply_t hello;
    pthread_mutex_t send_lock;
    size_t rlen; /* reader only */
    uint8_t rbuf[2 * BKP_MAX_FRAME];
} conn = {.fd = -1, .send_lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- calls ---- */
static call_t *find_call_locked(uint32_t id)
{
    for (call_t *c = conn.calls; c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

static void unlink_call_locked(call_t *c)
{
    for (call_t **p = &conn.calls; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            return;
        }
}

static void free_call(call_t *c)
{
    free(c->reply);
    free(c);
}

/* Every outstanding request fails: the daemon is gone. */
static void mark_broken_locked(void)
{
    conn.broken = true;
    for (call_t *c = conn.calls, *next; c; c = next) {
        next = c->next;
        c->status = BKC_STATUS_DISCONNECTED;
        if (c->io) {
            bkc_io_complete_locked(c->io, BKC_STATUS_DISCONNECTED, 0);
            unlink_call_locked(c);
            free_call(c);
            continue;
        }
        if (!c->done && !c->discard && !c->persistent) {
            c->done = true;
            continue; /* its waiter frees it */
        }
        c->done = true;
        if (c->discard || c->persistent) {
            unlink_call_locked(c);
            free_call(c);
        }
    }
    pthread_cond_broadcast(&bkc_cond);
}

/* ---- receiving ---- */
static void dispatch_event_locked(const bkp_header_t *h, const uint8_t *p)
{
    call_t *c = find_call_locked(h->request_id);
    if (h->type != BKP_EVT_INTERFACE || !c || !c->watch ||
        h->length < sizeof(bkp_interface_event_t) + 1 || p[h->length - 1] != 0)
        return; /* a late event for a watch already cancelled */
    const bkp_interface_event_t *e = (const void *)p;
    GUID guid;
    memcpy(&guid, e->interface_class.bytes, sizeof guid);
    bkc_watch_push_locked(c->watch, &guid, (const char *)(p + sizeof *e), e->arrived != 0);
}

static void dispatch_reply_locked(const bkp_header_t *h, const uint8_t *p)
{
    call_t *c = find_call_locked(h->request_id);
    if (!c || (h->type & ~BKP_REPLY) != c->type || h->length < 4) {
        mark_broken_locked(); /* the daemon does not say this: do not guess */
        return;
    }
    memcpy(&c->status, p, 4);
    if (c->io) {
        /* A refusal carries the status alone; a result adds the count and data. */
        bkp_ioctl_reply_t r = {.status = c->status};
        if (h->length >= sizeof r)
            memcpy(&r, p, sizeof r);
        uint32_t n = r.returned;
        if (n > h->length - sizeof r)
            n = h->length - (uint32_t)sizeof r;
        if (n > c->io->out_len)
            n = c->io->out_len;
        if (n && c->io->out)
            memcpy(c->io->out, p + sizeof r, n);
        bkc_io_complete_locked(c->io, r.status, n);
        c->io = NULL;
        unlink_call_locked(c);
        free_call(c);
        return;
    }
    if (c->discard) {
        unlink_call_locked(c);
        free_call(c);
        return;
    }
    c->reply = malloc(h->length);
    if (c->reply) {
        memcpy(c->reply, p, h->length);
        c->reply_len = h->length;
    } else {
        c->status = STATUS_NO_MEMORY;
    }
    c->done = true;
    if (c->persistent && !NT_SUCCESS(c->status))
        c->persistent = false;
}

static void dispatch_frames_locked(void)
{
    size_t off = 0;
    while (conn.rlen - off >= BKP_HEADER_SIZE) {
        bkp_header_t h;
        memcpy(&h, conn.rbuf + off, sizeof h);
        if (h.length > BKP_MAX_PAYLOAD || h.flags) {
            mark_broken_locked();
            return;
        }
        if (conn.rlen - off < BKP_HEADER_SIZE + h.length)
            break;
        const uint8_t *p = conn.rbuf + off + BKP_HEADER_SIZE;
        if (h.type & BKP_REPLY)
            dispatch_reply_locked(&h, p);
        else if (h.type & BKP_EVENT)
            dispatch_event_locked(&h, p);
        else
            mark_broken_locked();
        if (conn.broken)
            return;
        off += BKP_HEADER_SIZE + h.length;
    }
    memmove(conn.rbuf, conn.rbuf + off, conn.rlen - off);
    conn.rlen -= off;
    pthread_cond_broadcast(&bkc_cond);
}

/* How long a caller waiting for a reply polls the socket before it sleeps
 * (BATTKIT_SPIN_US, default 50 us): a reply that comes within it is taken
 * without a wake-up, which on a VM costs more than the whole request. */
static uint64_t spin_ns(void)
{
    static int64_t ns = -1;
    if (ns < 0) {
        const char *e = getenv("BATTKIT_SPIN_US");
        long us = e && *e ? strtol(e, NULL, 10) : 50;
        ns = us < 0 ? 0 : us > 10000 ? 10000000 : us * 1000;
    }
    return (uint64_t)ns;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Reader only, lock not held: 1 data, 0 nothing yet, -1 connection gone. */
static int read_some(int fd, int timeout_ms, bool spin)
{
    if (spin && spin_ns()) {
        uint64_t end = mono_ns() + spin_ns();
        do {
            ssize_t n = recv(fd, conn.rbuf + conn.rlen, sizeof conn.rbuf - conn.rlen, MSG_DONTWAIT);
            if (n > 0) {
                conn.rlen += (size_t)n;
                return 1;
            }
            if (n == 0 || (errno != EAGAIN && errno != EINTR))
                return -1;
            sched_yield(); /* battd may be waiting for this very CPU */
        } while (mono_ns() < end);
    }
    if (timeout_ms >= 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r = poll(&pfd, 1, timeout_ms);
        if (r == 0 || (r < 0 && errno == EINTR))
            return 0;
        if (r < 0)
            return -1;
    }
    ssize_t n = read(fd, conn.rbuf + conn.rlen, sizeof conn.rbuf - conn.rlen);
    if (n > 0) {
        conn.rlen += (size_t)n;
        return 1;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    return -1;
}

typedef bool (*pred_fn)(void *arg);
static bool closing(void *arg);

/* Lock held. Returns when pred holds, the connection breaks, or the
 * deadline passes. Reads the socket itself when no one else does. */
static void pump_until(pred_fn pred, void *arg, const bkc_deadline_t *d)
{
    while (!pred(arg) && !conn.broken) {
        if (!conn.reader_busy) {
            conn.reader_busy = true;
            int fd = conn.fd;
            pthread_mutex_unlock(&bkc_lock);
            /* The reader thread waits for events: it never spins. */
            int r = read_some(fd, bkc_deadline_remaining_ms(d), pred != closing);
            pthread_mutex_lock(&bkc_lock);
            if (r > 0)
                dispatch_frames_locked();
            else if (r < 0 && !conn.broken)
                mark_broken_locked();
            conn.reader_busy = false;
            pthread_cond_broadcast(&bkc_cond);
            pthread_mutex_unlock(&bkc_lock);
            bkc_run_deferred();
            pthread_mutex_lock(&bkc_lock);
            if (r == 0 && !d->infinite && bkc_deadline_remaining_ms(d) == 0)
                return;
        } else if (!bkc_cond_wait(d)) {
            return;
        }
    }
}

static bool call_done(void *arg)
{
    return ((call_t *)arg)->done;
}

static bool io_done(void *arg)
{
    return ((bkc_io_t *)arg)->done;
}

static bool closing(void *arg)
{
    (void)arg;
    return conn.closing;
}

static void *reader_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&bkc_lock);
    pump_until(closing, NULL, &(bkc_deadline_t){.infinite = true});
    pthread_mutex_unlock(&bkc_lock);
    return NULL;
}

/* ---- sending ---- */
static bool send_all(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return true;
}

/* Registers `c` (type and io/watch set by the caller) and sends its frame.
 * Returns STATUS_PENDING, or a failure (then `c` is not registered). */
/* Once c is on the call list the reader thread may complete and free it at
 * any moment: everything needed after that is copied out under the lock
 * (*id_out: the request id, for a later CANCEL). */
static NTSTATUS start_call_id(call_t *c, uint16_t type, const void *a, size_t alen, const void *b,
                              size_t blen, uint32_t *id_out)
{
    if (BKP_HEADER_SIZE + alen + blen > BKP_MAX_FRAME)
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&bkc_lock);
    if (conn.fd < 0 || conn.broken) {
        NTSTATUS s = conn.fd < 0 ? BKC_STATUS_NO_DAEMON : BKC_STATUS_DISCONNECTED;
        pthread_mutex_unlock(&bkc_lock);
        return s;
    }
    do
        c->id = ++conn.next_id;
    while (c->id == 0 || find_call_locked(c->id));
    c->type = type;
    c->next = conn.calls;
    conn.calls = c;
    int fd = conn.fd;
    uint32_t id = c->id;
    if (id_out)
        *id_out = id;
    pthread_mutex_unlock(&bkc_lock);
    bkp_header_t h = {.length = (uint32_t)(alen + blen), .type = type, .request_id = id};
    struct iovec iov[3] = {{&h, sizeof h}, {(void *)a, alen}, {(void *)b, blen}};
    pthread_mutex_lock(&conn.send_lock);
    bool ok = send_all(fd, iov, blen ? 3 : alen ? 2 : 1);
    pthread_mutex_unlock(&conn.send_lock);
    if (!ok) {
        pthread_mutex_lock(&bkc_lock);
        if (!conn.broken)
            mark_broken_locked();
        pthread_mutex_unlock(&bkc_lock);
    }
    return STATUS_PENDING;
}

static NTSTATUS start_call(call_t *c, uint16_t type, const void *a, size_t alen, const void *b,
                           size_t blen)
{
    return start_call_id(c, type, a, alen, b, blen, NULL);
}

/* A request and its reply. *reply (malloc'd payload, status first) is
 * returned on success only when reply is non-NULL. */
/* As transact, but a failed request's reply is handed over too (when it
 * has min_reply bytes): some failures explain themselves. */
static NTSTATUS transact_explained(uint16_t type, const void *a, size_t alen, uint8_t **reply,
                                   uint32_t *reply_len, size_t min_reply)
{
    *reply = NULL;
    call_t *c = calloc(1, sizeof *c);
    if (!c)
        return STATUS_NO_MEMORY;
    NTSTATUS s = start_call(c, type, a, alen, NULL, 0);
    if (s != STATUS_PENDING) {
        free(c);
        return s;
    }
    pthread_mutex_lock(&bkc_lock);
    pump_until(call_done, c, &(bkc_deadline_t){.infinite = true});
    if (!c->done)
        c->status = BKC_STATUS_DISCONNECTED;
    unlink_call_locked(c);
    pthread_mutex_unlock(&bkc_lock);
    s = c->status;
    if (c->reply && c->reply_len >= min_reply) {
        *reply = c->reply;
        *reply_len = c->reply_len;
        c->reply = NULL;
    } else if (NT_SUCCESS(s)) {
        s = STATUS_INVALID_NETWORK_RESPONSE;
    }
    free_call(c);
    return s;
}

static NTSTATUS transact(uint16_t type, const void *a, size_t alen, const void *b, size_t blen,
                         uint8_t **reply, uint32_t *reply_len, size_t min_reply)
{
    call_t *c = calloc(1, sizeof *c);
    if (!c)
        return STATUS_NO_MEMORY;
    NTSTATUS s = start_call(c, type, a, alen, b, blen);
    if (s != STATUS_PENDING) {
        free(c);
        return s;
    }
    pthread_mutex_lock(&bkc_lock);
    pump_until(call_done, c, &(bkc_deadline_t){.infinite = true});
    if (!c->done)
        c->status = BKC_STATUS_DISCONNECTED;
    unlink_call_locked(c);
    pthread_mutex_unlock(&bkc_lock);
    s = c->status;
    if (NT_SUCCESS(s) && (!c->reply || c->reply_len < min_reply))
        s = STATUS_INVALID_NETWORK_RESPONSE; /* a reply too short for its type */
    if (reply && NT_SUCCESS(s)) {
        *reply = c->reply;
        *reply_len = c->reply_len;
        c->reply = NULL;
    }
    free_call(c);
    return s;
}

/* ---- connection ---- */
static void close_conn(void)
{
    pthread_mutex_lock(&bkc_lock);
    if (conn.fd < 0) {
        pthread_mutex_unlock(&bkc_lock);
        return;
    }
    conn.closing = true;
    shutdown(conn.fd, SHUT_RDWR);
    pthread_cond_broadcast(&bkc_cond);
    bool joined = conn.thread_started;
    pthread_mutex_unlock(&bkc_lock);
    if (joined)
        pthread_join(conn.thread, NULL);
    pthread_mutex_lock(&bkc_lock);
    /* A synchronous caller may still be reading; let it see the end. */
    while (conn.reader_busy)
        pthread_cond_wait(&bkc_cond, &bkc_lock);
    if (!conn.broken)
        mark_broken_locked();
    close(conn.fd);
    conn.fd = -1;
    conn.rlen = 0;
    conn.thread_started = false;
    conn.closing = false;
    pthread_mutex_unlock(&bkc_lock);
    bkc_run_deferred();
}

void bkc_remote_disconnect(void)
{
    close_conn();
}

NTSTATUS bkc_remote_connect(const char *path)
{
    char def[sizeof(((struct sockaddr_un *)0)->sun_path)];
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (!path && !(path = bkp_default_socket_path(def, sizeof def)))
        return STATUS_OBJECT_NAME_INVALID;
    if (strlen(path) >= sizeof addr.sun_path || !*path)
        return STATUS_OBJECT_NAME_INVALID;
    strcpy(addr.sun_path, path);
    close_conn();
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        int e = errno;
        close(fd);
        return e == EACCES || e == EPERM ? STATUS_ACCESS_DENIED : BKC_STATUS_NO_DAEMON;
    }
    pthread_mutex_lock(&bkc_lock);
    conn.fd = fd;
    conn.broken = false;
    conn.rlen = 0;
    pthread_mutex_unlock(&bkc_lock);
    bkp_hello_t hello = {.magic = BKP_MAGIC, .version = BKP_VERSION};
    uint8_t *reply = NULL;
    uint32_t len = 0;
    NTSTATUS s = transact(BKP_MSG_HELLO, &hello, sizeof hello, NULL, 0, &reply, &len,
                          sizeof(bkp_hello_reply_t));
    if (NT_SUCCESS(s)) {
        memcpy(&conn.hello, reply, sizeof conn.hello);
        if (conn.hello.magic != BKP_MAGIC || conn.hello.version != BKP_VERSION)
            s = STATUS_REVISION_MISMATCH;
    } else if (s == BKC_STATUS_DISCONNECTED) {
        s = BKC_STATUS_NO_DAEMON; /* closed on us before saying hello */
    }
    free(reply);
    if (!NT_SUCCESS(s))
        close_conn();
    return s;
}

/* ---- the transport ---- */
static NTSTATUS r_enum(const GUID *guid, char ***paths, size_t *count)
{
    uint8_t *reply;
    uint32_t len;
    *paths = NULL;
    *count = 0;
    NTSTATUS s = transact(BKP_MSG_ENUM_INTERFACES, guid, sizeof *guid, NULL, 0, &reply, &len,
                          sizeof(bkp_enum_reply_t));
    if (!NT_SUCCESS(s))
        return s;
    bkp_enum_reply_t r;
    memcpy(&r, reply, sizeof r);
    char **list = calloc(r.count ? r.count : 1, sizeof *list);
    size_t n = 0, off = sizeof r;
    while (list && n < r.count && off < len) {
        const char *p = (const char *)reply + off;
        size_t l = strnlen(p, len - off);
        if (off + l >= len)
            break; /* unterminated: stop at what is sound */
        if (!(list[n] = strdup(p)))
            break;
        n++;
        off += l + 1;
    }
    free(reply);
    if (!list)
        return STATUS_NO_MEMORY;
    *paths = list;
    *count = n;
    return STATUS_SUCCESS;
}

static NTSTATUS r_open(const char *path, uint32_t access, uint64_t *handle, uint32_t *granted)
{
    bkp_open_t o = {.desired_access = access};
    uint8_t *reply;
    uint32_t len;
    size_t plen = strlen(path) + 1;
    if (plen > BKP_MAX_PAYLOAD - sizeof o)
        return STATUS_OBJECT_NAME_INVALID;
    NTSTATUS s =
        transact(BKP_MSG_OPEN, &o, sizeof o, path, plen, &reply, &len, sizeof(bkp_open_reply_t));
    if (!NT_SUCCESS(s))
        return s;
    bkp_open_reply_t r;
    memcpy(&r, reply, sizeof r);
    free(reply);
    *handle = r.handle;
    *granted = r.granted_access;
    return STATUS_SUCCESS;
}

static void r_close(uint64_t handle)
{
    bkp_close_t c = {.handle = (uint32_t)handle};
    transact(BKP_MSG_CLOSE, &c, sizeof c, NULL, 0, NULL, NULL, 0);
}

static NTSTATUS r_ioctl_start(uint64_t handle, bkc_io_t *io, uint32_t code, const void *in,
                              uint32_t in_len)
{
    if (in_len > BKP_MAX_IOCTL_IN)
        return STATUS_INVALID_PARAMETER; /* one frame carries the whole input */
    call_t *c = calloc(1, sizeof *c);
    if (!c)
        return STATUS_NO_MEMORY;
    c->io = io;
    /* Larger output buffers than a frame holds are offered as that much:
     * battery outputs are small; the driver sees the smaller length. */
    bkp_ioctl_t m = {.handle = (uint32_t)handle,
                     .code = code,
                     .out_length =
                         io->out_len > BKP_MAX_IOCTL_OUT ? BKP_MAX_IOCTL_OUT : io->out_len,
                     .in_length = in_len};
    io->token = 0;
    uint32_t id = 0;
    NTSTATUS s = start_call_id(c, BKP_MSG_IOCTL, &m, sizeof m, in, in_len, &id);
    if (s != STATUS_PENDING) {
        free(c);
        return s;
    }
    pthread_mutex_lock(&bkc_lock);
    if (!io->done)
        io->token = id; /* c itself may already be completed and freed */
    pthread_mutex_unlock(&bkc_lock);
    return STATUS_PENDING;
}

static void r_cancel(bkc_io_t *io)
{
    call_t *c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->discard = true;
    pthread_mutex_lock(&bkc_lock);
    bool pending = !io->done && io->token;
    pthread_mutex_unlock(&bkc_lock);
    bkp_cancel_t m = {.target_id = (uint32_t)io->token};
    if (!pending || start_call(c, BKP_MSG_CANCEL, &m, sizeof m, NULL, 0) != STATUS_PENDING)
        free(c);
}

static void r_wait(bkc_io_t *io, const bkc_deadline_t *d)
{
    pump_until(io_done, io, d);
}

static void r_need_async(void)
{
    pthread_mutex_lock(&bkc_lock);
    if (!conn.thread_started && conn.fd >= 0 && !conn.broken)
        conn.thread_started = pthread_create(&conn.thread, NULL, reader_thread, NULL) == 0;
    pthread_mutex_unlock(&bkc_lock);
}

static NTSTATUS r_power_state(bkp_power_state_reply_t *out)
{
    uint8_t *reply;
    uint32_t len;
    NTSTATUS s = transact(BKP_MSG_POWER_STATE, NULL, 0, NULL, 0, &reply, &len, sizeof *out);
    if (!NT_SUCCESS(s))
        return s;
    memcpy(out, reply, sizeof *out);
    free(reply);
    return STATUS_SUCCESS;
}

static NTSTATUS r_watch_start(bkc_watch_t *w)
{
    call_t *c = calloc(1, sizeof *c);
    if (!c)
        return STATUS_NO_MEMORY;
    c->watch = w;
    c->persistent = true;
    NTSTATUS s = start_call(c, BKP_MSG_WATCH_INTERFACES, &w->guid, sizeof w->guid, NULL, 0);
    if (s != STATUS_PENDING) {
        free(c);
        return s;
    }
    pthread_mutex_lock(&bkc_lock);
    w->token = c->id;
    pump_until(call_done, c, &(bkc_deadline_t){.infinite = true});
    s = c->done ? c->status : BKC_STATUS_DISCONNECTED;
    if (!NT_SUCCESS(s) && find_call_locked(c->id) == c) {
        unlink_call_locked(c);
        free_call(c);
    }
    pthread_mutex_unlock(&bkc_lock);
    if (NT_SUCCESS(s))
        r_need_async(); /* events must arrive while nobody calls us */
    return s;
}

static void r_watch_stop(bkc_watch_t *w)
{
    pthread_mutex_lock(&bkc_lock);
    call_t *c = find_call_locked((uint32_t)w->token);
    if (c && c->watch == w) {
        unlink_call_locked(c);
        free_call(c);
    } else {
        c = NULL;
    }
    pthread_mutex_unlock(&bkc_lock);
    if (c) {
        bkp_cancel_t m = {.target_id = (uint32_t)w->token};
        transact(BKP_MSG_CANCEL, &m, sizeof m, NULL, 0, NULL, NULL, 0);
    }
}

static NTSTATUS r_advance(uint64_t ns, uint64_t *now_ns)
{
    bkp_advance_t m = {.ns = ns};
    uint8_t *reply;
    uint32_t len;
    NTSTATUS s =
        transact(BKP_MSG_ADVANCE, &m, sizeof m, NULL, 0, &reply, &len, sizeof(bkp_advance_reply_t));
    if (!NT_SUCCESS(s))
        return s;
    bkp_advance_reply_t r;
    memcpy(&r, reply, sizeof r);
    free(reply);
    if (now_ns)
        *now_ns = r.now_ns;
    return STATUS_SUCCESS;
}

static NTSTATUS r_sim(uint32_t op, int32_t value, uint32_t arg2, const char *name)
{
    bkp_sim_t m = {.op = op, .value = value, .arg2 = arg2};
    size_t nlen = name ? strlen(name) + 1 : 0;
    if (nlen > 256)
        return STATUS_OBJECT_NAME_INVALID;
    return transact(BKP_MSG_SIM, &m, sizeof m, name, nlen, NULL, NULL, 0);
}

static NTSTATUS r_dc_policy_get(bkp_dc_policy_reply_t *out)
{
    uint8_t *reply;
    uint32_t len;
    NTSTATUS s = transact(BKP_MSG_DC_POLICY_GET, NULL, 0, NULL, 0, &reply, &len, sizeof *out);
    if (!NT_SUCCESS(s))
        return s;
    memcpy(out, reply, sizeof *out);
    free(reply);
    return STATUS_SUCCESS;
}

static NTSTATUS r_dc_policy_set(const bkp_dc_policy_t *p, char *why, size_t why_len)
{
    uint8_t *reply = NULL;
    uint32_t len = 0;
    NTSTATUS s = transact_explained(BKP_MSG_DC_POLICY_SET, p, sizeof *p, &reply, &len,
                                    sizeof(bkp_dc_policy_set_reply_t));
    if (reply) {
        bkp_dc_policy_set_reply_t r;
        memcpy(&r, reply, sizeof r);
        free(reply);
        r.why[sizeof r.why - 1] = 0;
        snprintf(why, why_len, "%s", r.why);
    }
    return s;
}

static NTSTATUS r_server_info(PBATTKIT_SERVER_INFO info)
{
    pthread_mutex_lock(&bkc_lock);
    bkp_hello_reply_t h = conn.hello;
    bool up = conn.fd >= 0 && !conn.broken;
    pthread_mutex_unlock(&bkc_lock);
    if (!up)
        return BKC_STATUS_DISCONNECTED;
    info->ProtocolVersion = h.version;
    info->Embedded = FALSE;
    info->Privileged = (h.server_flags & BKP_SERVER_PRIVILEGED) != 0;
    info->VirtualTime = (h.server_flags & BKP_SERVER_VIRTUAL) != 0;
    info->VirtualFactor = h.virtual_factor;
    info->ServerPid = h.server_pid;
    info->PeerUid = h.peer_uid;
    info->NowNs = h.now_ns;
    return STATUS_SUCCESS;
}

const bkc_transport_t bkc_remote_transport = {
    .name = "battd",
    .enum_interfaces = r_enum,
    .open = r_open,
    .close = r_close,
    .ioctl_start = r_ioctl_start,
    .cancel = r_cancel,
    .io_free = NULL,
    .wait = r_wait,
    .need_async = r_need_async,
    .power_state = r_power_state,
    .watch_start = r_watch_start,
    .watch_stop = r_watch_stop,
    .advance = r_advance,
    .sim = r_sim,
    .dc_policy_get = r_dc_policy_get,
    .dc_policy_set = r_dc_policy_set,
    .server_info = r_server_info,
};

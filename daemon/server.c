/* battd's server (the listening socket is made in listen.c): one epoll
 * loop thread for every client socket, framing (length-checked headers,
 * 64 KiB frames), buffered writes, peer credentials, the completion
 * queue, and an orderly stop. What each message does is in handlers.c. */
#include "server.h"
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

server_t srv;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A client that does not read its replies is dropped past this much. */
#define MAX_OUTPUT (8u << 20)
#define TAG_LISTEN ((uint64_t)1)
#define TAG_QUEUE  ((uint64_t)2)
#define TAG_SIGNAL ((uint64_t)3)

/* ---- clients ---- */
static bool is_admin(uid_t uid)
{
    const battd_options_t *o = srv.o;
    if (o->admin_count == 0)
        return uid == 0 || uid == geteuid();
    for (size_t i = 0; i < o->admin_count; i++)
        if (o->admin_uids[i] == uid)
            return true;
    return false;
}

/* Every client has room for one whole frame (64 KiB), but reads a few
 * hundred bytes into it. From malloc those buffers filled the heap: a
 * thousand clients made 64 MB of it, and once they left, small blocks
 * kept among the freed buffers pinned it, so each wave of clients touched
 * pages of it no earlier wave had, and battd's RSS grew by 2.5-5 MB per
 * 1,000 clients (3 MB -> 39 MB after 9 waves of killed waiters) with no
 * block leaked. As a mapping of its own the buffer goes back whole on
 * disconnect and the heap holds only small blocks (tests/e2e/
 * test_aborted_waits.c). */
#define FRAME_GUARD 4096u /* an inaccessible page after it: an overrun faults */

static uint8_t *frame_buffer_alloc(void)
{
    uint8_t *p = mmap(NULL, BKP_MAX_FRAME + FRAME_GUARD, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (mprotect(p + BKP_MAX_FRAME, FRAME_GUARD, PROT_NONE) != 0) {
        munmap(p, BKP_MAX_FRAME + FRAME_GUARD);
        return NULL;
    }
    return p;
}

static void frame_buffer_free(uint8_t *p)
{
    if (p)
        munmap(p, BKP_MAX_FRAME + FRAME_GUARD);
}

static void client_free(client_t *c)
{
    frame_buffer_free(c->in);
    free(c->out);
    free(c->handles);
    free(c);
}

/* Freed only between epoll batches: a later event of the same batch may
 * still name a client dropped by an earlier one. */
static client_t *graveyard;

void client_ref(client_t *c)
{
    c->refs++;
}

void client_unref(client_t *c)
{
    if (--c->refs == 0) {
        c->next = graveyard;
        graveyard = c;
    }
}

void server_bury_clients(void)
{
    while (graveyard) {
        client_t *c = graveyard;
        graveyard = c->next;
        client_free(c);
    }
}

/* A connected socket becomes a client in the loop's list and epoll set;
 * NULL (the fd left open) when memory or epoll refuse. */
client_t *client_add(int fd, uid_t uid, pid_t pid)
{
    client_t *c = calloc(1, sizeof *c);
    if (c) {
        c->in = frame_buffer_alloc();
        c->handles = calloc(srv.o->max_handles, sizeof *c->handles);
    }
    if (!c || !c->in || !c->handles) {
        dlog(DLOG_ERROR, "out of memory accepting a client");
        goto fail;
    }
    c->fd = fd;
    c->serial = ++srv.next_serial;
    c->uid = uid;
    c->pid = pid;
    c->privileged = is_admin(uid);
    c->refs = 1;
    c->pending.next = c->pending.prev = &c->pending;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(srv.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        dlog(DLOG_ERROR, "epoll_ctl: %s", strerror(errno));
        goto fail;
    }
    c->next = &srv.clients;
    c->prev = srv.clients.prev;
    srv.clients.prev->next = c;
    srv.clients.prev = c;
    srv.client_count++;
    stat_add(STAT_CLIENTS, 1);
    stat_add(STAT_CLIENTS_ACCEPTED, 1);
    return c;
fail:
    if (c)
        client_free(c);
    return NULL;
}

/* Connections taken per wake-up of the listening socket (level-triggered:
 * the rest wait for the next turn of the loop, which hands out at most 64
 * events). Kept well below that, the clients already connected - their
 * requests and their hang-ups - go first: under a storm of reconnects,
 * accepting more a turn than the turn could serve let connections that
 * had hung up, not yet seen, count against --max-clients until it refused
 * (the ASan soak: "4096 clients already" with 1,000 connected). */
#define ACCEPT_BATCH 8

static void accept_clients(void)
{
    for (int taken = 0; taken < ACCEPT_BATCH; taken++) {
        int fd = accept4(srv.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                dlog(DLOG_WARN, "accept: %s", strerror(errno));
            return;
        }
        struct ucred cred;
        socklen_t len = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
            dlog(DLOG_WARN, "peer credentials unavailable: %s; refused", strerror(errno));
            stat_add(STAT_CLIENTS_REFUSED, 1);
            close(fd);
            continue;
        }
        if (srv.client_count >= srv.o->max_clients) {
            dlog(DLOG_WARN, "refused uid %u pid %d: %u clients already (--max-clients)",
                 (unsigned)cred.uid, (int)cred.pid, srv.client_count);
            stat_add(STAT_CLIENTS_REFUSED, 1);
            close(fd);
            continue;
        }
        client_t *c = client_add(fd, cred.uid, cred.pid);
        if (!c) {
            close(fd);
            continue;
        }
        dlog(DLOG_DEBUG, "client %llu connected: uid %u pid %d%s", (unsigned long long)c->serial,
             (unsigned)c->uid, (int)c->pid, c->privileged ? " (privileged)" : "");
    }
}

void client_drop(client_t *c, const char *why)
{
    if (c->dead)
        return;
    if (why) {
        dlog(DLOG_WARN, "client %llu (uid %u pid %d) dropped: %s", (unsigned long long)c->serial,
             (unsigned)c->uid, (int)c->pid, why);
        stat_add(STAT_CLIENTS_DROPPED, 1);
    } else {
        dlog(DLOG_DEBUG, "client %llu disconnected", (unsigned long long)c->serial);
    }
    c->dead = true;
    epoll_ctl(srv.epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->prev->next = c->next;
    c->next->prev = c->prev;
    srv.client_count--;
    stat_add(STAT_CLIENTS, -1);
    client_release_resources(c);
    client_unref(c);
}

static void update_interest(client_t *c)
{
    bool want = c->out_len > c->out_off;
    if (want == c->want_write)
        return;
    c->want_write = want;
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(srv.epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

static void flush_output(client_t *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            client_drop(c, NULL);
            return;
        }
        c->out_off += (size_t)n;
    }
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    if (c->close_after_flush && c->out_len == 0) {
        client_drop(c, NULL);
        return;
    }
    update_interest(c);
}

void client_send(client_t *c, const void *data, size_t len)
{
    if (c->dead)
        return;
    size_t sent = 0;
    if (c->out_len == c->out_off) {
        /* Nothing queued: write straight away (the common case). */
        for (;;) {
            ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);
            if (n >= 0) {
                sent = (size_t)n;
                break;
            }
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN) {
                client_drop(c, NULL);
                return;
            }
            break;
        }
        if (sent == len)
            return;
    }
    size_t rest = len - sent;
    if (c->out_len - c->out_off + rest > MAX_OUTPUT) {
        client_drop(c, "does not read its replies (more than 8 MiB queued)");
        return;
    }
    if (c->out_off && c->out_len + rest > c->out_cap) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    if (c->out_len + rest > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + rest)
            cap *= 2;
        uint8_t *p = realloc(c->out, cap);
        if (!p) {
            client_drop(c, "out of memory for its replies");
            return;
        }
        c->out = p;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, (const uint8_t *)data + sent, rest);
    c->out_len += rest;
    update_interest(c);
}

void client_reply(client_t *c, uint16_t type, uint32_t request_id, const void *payload,
                  uint32_t length)
{
    uint8_t frame[BKP_HEADER_SIZE + 256];
    bkp_header_t h = {.length = length, .type = type, .request_id = request_id};
    if (length <= sizeof frame - BKP_HEADER_SIZE) {
        memcpy(frame, &h, sizeof h);
        memcpy(frame + sizeof h, payload, length);
        client_send(c, frame, sizeof h + length);
        return;
    }
    uint8_t *big = malloc(sizeof h + length);
    if (!big) {
        client_drop(c, "out of memory for a reply");
        return;
    }
    memcpy(big, &h, sizeof h);
    memcpy(big + sizeof h, payload, length);
    client_send(c, big, sizeof h + length);
    free(big);
}

/* ---- reading frames ---- */
static void read_client(client_t *c)
{
    ssize_t n = recv(c->fd, c->in + c->in_len, BKP_MAX_FRAME - c->in_len, 0);
    if (n == 0) {
        client_drop(c, NULL);
        return;
    }
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            client_drop(c, NULL);
        return;
    }
    c->in_len += (size_t)n;
    client_take_frames(c);
}

void client_take_frames(client_t *c)
{
    size_t off = 0;
    c->refs++; /* a handler may drop the client; keep the struct until we are done */
    while (!c->dead && c->in_len - off >= BKP_HEADER_SIZE) {
        bkp_header_t h;
        memcpy(&h, c->in + off, sizeof h);
        const char *why = NULL;
        char buf[96];
        if (h.length > BKP_MAX_PAYLOAD) {
            snprintf(buf, sizeof buf, "oversized frame (%u bytes, at most %u)", h.length,
                     BKP_MAX_PAYLOAD);
            why = buf;
        } else if (h.flags != 0) {
            why = "malformed frame header (flags set)";
        }
        if (why) {
            client_drop(c, why);
            break;
        }
        if (c->in_len - off < BKP_HEADER_SIZE + h.length)
            break;
        vclock_catch_up(); /* the client sees the clock as of now */
        if (!handle_frame(c, &h, c->in + off + BKP_HEADER_SIZE, &why)) {
            client_drop(c, why);
            break;
        }
        off += BKP_HEADER_SIZE + h.length;
    }
    if (off)
        vclock_kick();
    if (!c->dead && off) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
    client_unref(c);
}

/* ---- the queue ---- */
void server_drain_queue(void)
{
    q_item_t *item = queue_take_all();
    while (item) {
        q_item_t *next = item->next;
        switch (item->kind) {
        case Q_IOCTL_DONE:
            /* The item lives inside the pending block, freed here. */
            handle_ioctl_done(item->pending);
            item = next;
            continue;
        case Q_INTERFACE:
            handle_interface_event(item);
            break;
        case Q_REPLY:
            if (!item->client->dead)
                client_reply(item->client, item->type, item->request_id, item->data, item->length);
            client_unref(item->client);
            break;
        }
        free(item);
        item = next;
    }
}

/* ---- signals ---- */
static bool handle_signals(void)
{
    struct signalfd_siginfo si;
    bool stop = false;
    while (read(srv.signal_fd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD) {
            int status;
            pid_t pid;
            while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                    dlog(DLOG_INFO, "action command (pid %d) finished", (int)pid);
                else
                    dlog(DLOG_WARN, "action command (pid %d) failed (status 0x%x)", (int)pid,
                         status);
            }
        } else {
            dlog(DLOG_INFO, "%s: shutting down", strsignal((int)si.ssi_signo));
            stop = true;
        }
    }
    return stop;
}

/* ---- stop ---- */
static unsigned pending_total(void)
{
    unsigned n = 0;
    for (client_t *c = srv.clients.next; c != &srv.clients; c = c->next)
        n += c->pending_count;
    return n;
}

/* Every client's requests are cancelled and handles closed; the replies
 * (STATUS_CANCELLED) are delivered as far as the clients take them. */
static void stop_clients(void)
{
    for (client_t *c = srv.clients.next; c != &srv.clients; c = c->next)
        client_release_resources(c);
    /* Completions of cancelled requests come back through the queue. */
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        queue_ack();
        server_drain_queue();
        if (pending_total() == 0)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= 5) {
            dlog(DLOG_ERROR, "%u requests did not complete after cancel", pending_total());
            break;
        }
        struct epoll_event ev;
        epoll_wait(srv.epfd, &ev, 1, 50);
    }
    while (srv.clients.next != &srv.clients) {
        client_t *c = srv.clients.next;
        for (int i = 0; i < 20 && c->out_len > c->out_off && !c->dead; i++) {
            flush_output(c);
            if (!c->dead && c->out_len > c->out_off) {
                /* a last chance for slow readers, bounded at 100 ms */
                struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
                poll(&pfd, 1, 5);
            }
        }
        if (!c->dead)
            client_drop(c, NULL);
    }
}

int server_run(bk_host_t *host, const battd_options_t *o, int signal_fd)
{
    srv.host = host;
    srv.o = o;
    srv.signal_fd = signal_fd;
    srv.clients.next = srv.clients.prev = &srv.clients;
    srv.epfd = epoll_create1(EPOLL_CLOEXEC);
    srv.queue_fd = queue_init();
    if (srv.epfd < 0 || srv.queue_fd < 0) {
        dlog(DLOG_ERROR, "epoll/eventfd: %s", strerror(errno));
        return -1;
    }
    queue_set_loop_thread();
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_LISTEN};
    epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.listen_fd, &ev);
    ev.data.u64 = TAG_QUEUE;
    epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.queue_fd, &ev);
    ev.data.u64 = TAG_SIGNAL;
    epoll_ctl(srv.epfd, EPOLL_CTL_ADD, srv.signal_fd, &ev);
    /* After serving a request the loop polls (epoll_wait with no timeout)
     * for --spin-us before it sleeps: a client that sends its next request
     * at once is served without a wake-up, the dominant cost of a round
     * trip (a cross-CPU wake-up is tens of microseconds on a VM). */
    const uint64_t spin_ns = (uint64_t)o->spin_us * 1000u;
    uint64_t spin_until = 0;
    while (!srv.stopping) {
        struct epoll_event events[64];
        int n = epoll_wait(srv.epfd, events, 64, spin_until && mono_ns() < spin_until ? 0 : -1);
        bool served = false;
        if (n < 0 && errno != EINTR) {
            dlog(DLOG_ERROR, "epoll_wait: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++) {
            uint64_t tag = events[i].data.u64;
            if (tag == TAG_LISTEN) {
                accept_clients();
            } else if (tag == TAG_QUEUE) {
                queue_ack();
            } else if (tag == TAG_SIGNAL) {
                if (handle_signals())
                    srv.stopping = true;
            } else {
                client_t *c = events[i].data.ptr;
                if (c->dead) /* dropped earlier in this batch (still allocated) */
                    continue;
                if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                    read_client(c);
                    served = true;
                }
                if (!c->dead && (events[i].events & EPOLLOUT))
                    flush_output(c);
            }
        }
        server_drain_queue();
        server_bury_clients();
        if (served && spin_ns)
            spin_until = mono_ns() + spin_ns;
        else if (n == 0 && spin_until) {
            /* Nothing yet: give the CPU to whoever may be about to send
             * (often the client itself, on this CPU). */
            if (mono_ns() < spin_until)
                sched_yield();
            else
                spin_until = 0;
        }
    }
    epoll_ctl(srv.epfd, EPOLL_CTL_DEL, srv.listen_fd, NULL);
    close(srv.listen_fd);
    unlink(o->socket_path);
    power_stop();
    stop_clients();
    server_drain_queue();
    server_bury_clients();
    close(srv.epfd);
    queue_shutdown();
    return 0;
}

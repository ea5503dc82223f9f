/* fuzz_wire.c: battd's wire protocol under libFuzzer. The input is what one
 * client sends: byte 0 chooses the peer (bit 0: privileged), the rest is the
 * byte stream, cut into reads at the sizes bytes 1-2 choose. It goes through
 * battd's own framing and handlers (client_take_frames, daemon/server.c)
 * against a booted host (virtual time, the built-in laptop) with no socket
 * to a daemon: the replies go into a socketpair that is drained and thrown
 * away. Then the client disconnects; its waits must be cancelled, its
 * handles closed, nothing kept.
 *
 * One host serves the whole run: a privileged peer's changes to the machine
 * (SIM, ADVANCE, policy) stay for the inputs after it, as they would in a
 * long-running battd. (Rebooting the host per input unloads the drivers,
 * and libFuzzer then reads their unmapped coverage counters.) */
#include "server.h"

#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ADVANCE may ask for a year (battd's limit); simulating that takes minutes,
 * so the harness folds the request into at most a day (no behaviour lost:
 * the same path runs, only shorter). */
#define FUZZ_MAX_ADVANCE_NS (24ull * 3600 * 1000000000ull)

static battd_options_t options;
static bk_host_t *host;

static void boot(void)
{
    char *argv[] = {"battd", "--virtual", "--foreground", "--no-history", "--log-level",
                    "error", NULL};
    if (options_parse(6, argv, &options) != 0)
        abort();
    dlog_set_level(DLOG_ERROR);
    host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!host || bk_host_load_machine(host, NULL) != 0)
        abort();
    if (vclock_start(host, 0) != 0 || power_start(host, &options) != 0)
        abort();
    srv = (server_t){.host = host, .o = &options, .listen_fd = -1, .signal_fd = -1};
    srv.clients.next = srv.clients.prev = &srv.clients;
    srv.epfd = epoll_create1(EPOLL_CLOEXEC);
    srv.queue_fd = queue_init();
    if (srv.epfd < 0 || srv.queue_fd < 0)
        abort();
    queue_set_loop_thread();
}

static void drain_socket(int fd)
{
    static uint8_t sink[65536];
    while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
        ;
}

/* Folds the ns of every whole ADVANCE frame in the stream (see above). */
static void fold_advances(uint8_t *s, size_t n)
{
    size_t off = 0;
    while (n - off >= BKP_HEADER_SIZE) {
        bkp_header_t h;
        memcpy(&h, s + off, sizeof h);
        if (h.length > n - off - BKP_HEADER_SIZE)
            return;
        if (h.type == BKP_MSG_ADVANCE && h.length == sizeof(bkp_advance_t)) {
            bkp_advance_t a;
            memcpy(&a, s + off + BKP_HEADER_SIZE, sizeof a);
            a.ns %= FUZZ_MAX_ADVANCE_NS;
            memcpy(s + off + BKP_HEADER_SIZE, &a, sizeof a);
        }
        off += BKP_HEADER_SIZE + h.length;
    }
}

/* Waits until every request of the dropped client came back (bounded). */
static void settle_client(client_t *c)
{
    for (int i = 0; i < 1000 && c->pending_count; i++) {
        bk_host_settle(host);
        queue_ack();
        server_drain_queue();
    }
    if (c->pending_count) {
        fprintf(stderr, "%u requests not completed after the client left\n", c->pending_count);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    if (!host)
        boot();
    bool privileged = data[0] & 1;
    size_t chunk = 1 + ((size_t)data[1] | (size_t)data[2] << 8);
    size_t n = size - 3;
    uint8_t *stream = malloc(n ? n : 1);
    memcpy(stream, data + 3, n);
    fold_advances(stream, n);

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0)
        abort();
    /* uid 0 is an admin by default; any other uid but ours is not. */
    client_t *c = client_add(sv[0], privileged ? 0 : 65534, 1);
    if (!c)
        abort();
    client_ref(c); /* ours, so the block outlives a drop by a handler */
    for (size_t off = 0; off < n && !c->dead;) {
        size_t room = BKP_MAX_FRAME - c->in_len;
        size_t take = n - off < chunk ? n - off : chunk;
        take = take < room ? take : room;
        memcpy(c->in + c->in_len, stream + off, take);
        c->in_len += take;
        off += take;
        client_take_frames(c);
        server_drain_queue();
        drain_socket(sv[1]);
    }
    /* A second of virtual time: timed waits run out, the rest pend. */
    vclock_advance(1000000000ull);
    server_drain_queue();
    client_drop(c, NULL);
    settle_client(c);
    client_unref(c);
    server_bury_clients();
    drain_socket(sv[1]);
    close(sv[1]);
    free(stream);
    return 0;
}

/* The server's client state, shared by the loop (server.c) and the
 * message handlers (handlers.c). Everything here is touched by the loop
 * thread only; driver threads reach it through the queue. */
#ifndef BATTD_SERVER_H
#define BATTD_SERVER_H

#include "battd.h"

#include <sys/types.h>

typedef struct handle_slot {
    uint32_t id; /* 0: free */
    uint32_t access;
    bk_handle_t *h;
} handle_slot_t;

/* An IOCTL in flight. The reply frame is built in place: `frame` holds the
 * header and bkp_ioctl_reply_t, then the output buffer the driver fills. */
typedef struct pending {
    struct pending *next, *prev;
    struct client *client;
    uint32_t request_id;
    uint32_t code;
    uint32_t handle_id;
    bk_request_t *req;
    q_item_t *item; /* pushed by the completion callback (inside this block) */
    int32_t status; /* set by the completion callback */
    uint32_t returned;
    uint32_t out_len;
    uint8_t frame[]; /* header, reply, output */
} pending_t;

typedef struct watch {
    struct watch *next;
    uint32_t request_id;
    GUID guid;
} watch_t;

typedef struct client {
    struct client *next, *prev;
    int fd;
    uint64_t serial; /* for log lines */
    uid_t uid;
    pid_t pid;
    bool privileged;
    bool hello;
    bool dead; /* disconnected; freed once refs drop to 0 */
    bool close_after_flush;
    int refs; /* 1 while connected + one per pending item elsewhere */
    size_t in_len;
    uint8_t *in;  /* BKP_MAX_FRAME bytes */
    uint8_t *out; /* bytes not yet written */
    size_t out_len, out_cap, out_off;
    bool want_write;
    handle_slot_t *handles; /* max_handles slots */
    uint32_t next_handle;
    unsigned handle_count;
    pending_t pending; /* list head */
    unsigned pending_count;
    watch_t *watches;
} client_t;

typedef struct server {
    bk_host_t *host;
    const battd_options_t *o;
    int epfd, listen_fd, queue_fd, signal_fd;
    client_t clients; /* list head */
    unsigned client_count;
    uint64_t next_serial;
    bool stopping;
} server_t;

extern server_t srv;

/* handlers.c */
/* Handles one complete, header-checked frame. Returns false when the
 * client must be dropped (malformed frame); `why` says what was wrong. */
bool handle_frame(client_t *c, const bkp_header_t *h, const uint8_t *payload, const char **why);
void handle_ioctl_done(pending_t *p);
void handle_interface_event(const q_item_t *item);
void client_release_resources(client_t *c); /* cancel pending, close handles */

/* server.c */
client_t *client_add(int fd, uid_t uid, pid_t pid);
/* Handles every complete frame in c->in (c->in_len bytes); what remains is
 * the start of the next frame. The socket read and the fuzz target feed it. */
void client_take_frames(client_t *c);
void server_drain_queue(void);  /* completions and events from other threads */
void server_bury_clients(void); /* frees dropped clients no longer referenced */
void client_send(client_t *c, const void *data, size_t len);
void client_drop(client_t *c, const char *why);

#endif

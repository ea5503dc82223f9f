/* battd's internal interfaces between its files: logging, options, the
 * completion queue into the loop thread, the server's clients, the power
 * manager's answers and actions, and the virtual clock. */
#ifndef BATTD_H
#define BATTD_H

#include "protocol.h"

#include <battkit/host.h>
#include <ntdef.h>
#include <ntstatus.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- log.c: leveled log lines on stderr ---- */
enum { DLOG_ERROR = 0, DLOG_WARN = 1, DLOG_INFO = 2, DLOG_DEBUG = 3 };
void dlog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dlog_set_level(int level);
int dlog_level(void);
int dlog_parse_level(const char *name); /* -1 if unknown */
const char *dlog_level_name(int level);
const char *dlog_status_name(int32_t status); /* "STATUS_ACCESS_DENIED" or "0x........" */

/* ---- options.c ---- */
#define BATTD_MAX_ADMINS 32
typedef struct battd_options {
    const char *machine; /* NULL: the embedded default laptop */
    bool virtual_time;
    double virtual_factor; /* virtual seconds per real second; 0 = only ADVANCE */
    char socket_path[108];
    const char *group; /* socket group name, NULL: the daemon's group */
    bool foreground;
    const char *pidfile;
    const char *log_file; /* service mode: stderr goes here */
    int log_level;
    uint32_t admin_uids[BATTD_MAX_ADMINS];
    size_t admin_count; /* 0: the default set {0, own uid} */
    unsigned max_clients;
    unsigned max_handles;      /* per client */
    unsigned max_pending;      /* per client */
    unsigned spin_us;          /* poll this long after a request before sleeping */
    const char *registry_file; /* the host registry, persisted (INF installs) */
    const char *store_dir;     /* the driver store for INF installs */
    const char *action_commands[BK_PO_ACTION_COUNT]; /* [BK_PO_ACTION_NONE] unused */
    char history_file[4096];                         /* "" with --no-history */
    unsigned history_retention_days;                 /* 0: keep everything */
    unsigned history_interval_s;                     /* a sample at least this often */
    bool upower;                /* serve org.freedesktop.UPower (docs/upower.md) */
    const char *upower_bus;     /* on this bus address; NULL: the system bus */
    const char *http_address;   /* --http: loopback ADDRESS:PORT; NULL: no HTTP server */
    const char *http_port_file; /* the port chosen is written there */
} battd_options_t;

/* Fills `o` from argv; 0 ok, 1 printed help/version (exit 0), -1 usage
 * error already reported (exit 2). */
int options_parse(int argc, char **argv, battd_options_t *o);

/* ---- queue.c: completions and events into the loop thread ---- */
struct client;
typedef enum q_kind {
    Q_IOCTL_DONE = 1, /* a pending IOCTL finished: item->pending */
    Q_INTERFACE,      /* interface arrival/removal */
    Q_REPLY,          /* a reply built on another thread */
} q_kind_t;

typedef struct q_item {
    struct q_item *next;
    q_kind_t kind;
    struct pending *pending;
    struct client *client;
    uint32_t request_id;
    uint16_t type;
    uint32_t length;
    GUID guid;
    bool arrived;
    uint8_t data[]; /* reply payload or UTF-8 path */
} q_item_t;

int queue_init(void); /* returns the eventfd the loop polls */
void queue_shutdown(void);
void queue_set_loop_thread(void); /* pushes from it need no wakeup */
void queue_push(q_item_t *item);
q_item_t *queue_take_all(void); /* in push order */
void queue_ack(void);           /* drains the eventfd */

/* ---- server.c: the socket, clients, the loop ---- */
typedef struct server_config {
    bk_host_t *host;
    const battd_options_t *options;
} server_config_t;
/* state_file.c: whole files by O_EXCL temp + fsync + rename (never through a
 * planted symlink); logs for append refusing symlinks and hard links. -1 and
 * errno on failure. */
int state_file_write(const char *path, const void *data, size_t len, mode_t mode);
int state_file_open_append(const char *path, mode_t mode);

int server_listen(const battd_options_t *o);
/* Runs until SIGTERM/SIGINT; returns 0 on a clean stop. */
int server_run(bk_host_t *host, const battd_options_t *o, int signal_fd);
/* Sends a reply (status first in payload) to a client if it is still there. */
void client_reply(struct client *c, uint16_t type, uint32_t request_id, const void *payload,
                  uint32_t length);
void client_ref(struct client *c);
void client_unref(struct client *c);

/* ---- power.c: the power manager's answers and DC policy actions ---- */
int power_start(bk_host_t *host, const battd_options_t *o);
void power_stop(void);
void power_state_reply(bkp_power_state_reply_t *out);
void power_dc_policy_reply(bkp_dc_policy_reply_t *out);
/* why gets the reason of a refusal. */
int32_t power_set_dc_policy(const bkp_dc_policy_t *p, uint32_t uid, pid_t pid, char *why,
                            size_t why_len);

/* ---- vclock.c: virtual time ---- */
int vclock_start(bk_host_t *host, double factor); /* factor 0: no thread */
void vclock_stop(void);
void vclock_advance(uint64_t ns); /* serialized with the clock thread */
/* --virtual=FACTOR: bring the clock up to real time now (before a request);
 * tell the clock thread a request may have armed an earlier timer. */
void vclock_catch_up(void);
void vclock_kick(void);

#endif

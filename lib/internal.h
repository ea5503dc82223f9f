/* libbattkit-client's private declarations: the handle table and its object
 * kinds, the one library lock, I/O records, and the transport interface
 * that the daemon connection (remote.c) and the embedded host
 * (embedded.c) implement. Nothing here is part of the API. */
#ifndef BKC_INTERNAL_H
#define BKC_INTERNAL_H

#include <windows.h>
#include <battkit/client.h>
#include "protocol.h"
#include <ntstatus.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Library-private NTSTATUS values (customer bit set) for conditions that
 * have no NTSTATUS of their own; bkc_set_status maps them. */
#define BKC_STATUS_NO_DAEMON    ((NTSTATUS)0xE0DA0001L) /* -> ERROR_SERVICE_NOT_ACTIVE */
#define BKC_STATUS_DISCONNECTED ((NTSTATUS)0xE0DA0002L) /* -> ERROR_BROKEN_PIPE */
#ifndef STATUS_INVALID_NETWORK_RESPONSE
#define STATUS_INVALID_NETWORK_RESPONSE ((NTSTATUS)0xC00000C3L)
#endif
#ifndef STATUS_PIPE_BROKEN
#define STATUS_PIPE_BROKEN ((NTSTATUS)0xC000014BL)
#endif
#ifndef STATUS_PIPE_DISCONNECTED
#define STATUS_PIPE_DISCONNECTED ((NTSTATUS)0xC00000B0L)
#endif

/* ---- lock: one for the whole library; cond is broadcast on every
 * completion, event change and received frame ---- */
extern pthread_mutex_t bkc_lock;
extern pthread_cond_t bkc_cond;
/* Absolute CLOCK_MONOTONIC deadline for a Win32 timeout (INFINITE: none). */
typedef struct bkc_deadline {
    bool infinite;
    struct timespec at;
} bkc_deadline_t;
bkc_deadline_t bkc_deadline_ms(DWORD ms);
/* Waits on bkc_cond (lock held) until the deadline; false once it passed. */
bool bkc_cond_wait(const bkc_deadline_t *d);
int bkc_deadline_remaining_ms(const bkc_deadline_t *d); /* -1 infinite */

/* ---- errors ---- */
void bkc_set_error(DWORD error);      /* SetLastError + no NTSTATUS */
void bkc_set_status(NTSTATUS status); /* SetLastError(mapped) + remembers status */

/* ---- objects behind HANDLEs ---- */
typedef enum bkc_kind { BKC_FILE = 1, BKC_EVENT, BKC_DEVINFO, BKC_WATCH } bkc_kind_t;

typedef struct bkc_object {
    bkc_kind_t kind;
    int refs;                                /* the table's, plus one per user; under bkc_lock */
    void (*destroy)(struct bkc_object *obj); /* lock not held */
} bkc_object_t;

HANDLE bkc_handle_insert(bkc_object_t *obj); /* NULL on exhaustion */
/* Referenced object of that kind (0 = any), or NULL with ERROR_INVALID_HANDLE. */
bkc_object_t *bkc_handle_get(HANDLE h, bkc_kind_t kind);
/* Removes the handle; returns the object (still referenced by the caller). */
bkc_object_t *bkc_handle_remove(HANDLE h, bkc_kind_t kind);
void bkc_object_release(bkc_object_t *obj);
void bkc_object_release_locked(bkc_object_t *obj); /* defers destroy past the lock */
void bkc_run_deferred(void);                       /* destroys deferred objects; lock not held */
void bkc_handles_close_all(bkc_kind_t kind);       /* drops every handle of a kind */

/* Events: also used internally (watches, overlapped completion). */
typedef struct bkc_event {
    bkc_object_t obj;
    bool manual_reset;
    bool signalled;
} bkc_event_t;
void bkc_event_set_handle_locked(HANDLE h); /* SetEvent from completion paths */

/* ---- I/O records: one per DeviceIoControl in flight ---- */
struct bkc_file;
struct bkc_transport;
struct bk_request;
typedef struct bkc_io {
    struct bkc_io *next, *prev; /* in the file's list while pending */
    struct bkc_file *file;
    const struct bkc_transport *tp;
    LPOVERLAPPED ov; /* NULL for synchronous calls */
    void *out;
    uint32_t out_len;
    pthread_t thread; /* issuer, for CancelIo */
    int refs;         /* one while in flight, one per thread looking at it; under bkc_lock */
    bool done;
    NTSTATUS status;
    uint32_t returned;
    uint64_t token;         /* remote: the request id */
    struct bk_request *req; /* embedded: the host's request */
} bkc_io_t;
void bkc_io_release_locked(bkc_io_t *io); /* frees at the last reference */

typedef struct bkc_file {
    bkc_object_t obj;
    const struct bkc_transport *tp;
    uint64_t remote; /* transport handle */
    uint32_t access; /* FILE_READ_DATA | FILE_WRITE_DATA granted */
    bool overlapped; /* FILE_FLAG_OVERLAPPED */
    bool closed;
    uint32_t generation; /* transport generation it was opened on */
    bkc_io_t pending;    /* list head */
} bkc_file_t;

/* Called once per started request by the transport, bkc_lock held:
 * records the result, fills the OVERLAPPED, signals its event. Output
 * bytes must already be in io->out. */
void bkc_io_complete_locked(bkc_io_t *io, NTSTATUS status, uint32_t returned);

/* ---- watches ---- */
typedef struct bkc_watch_event {
    struct bkc_watch_event *next;
    BATTKIT_INTERFACE_EVENT ev;
} bkc_watch_event_t;
typedef struct bkc_watch {
    bkc_object_t obj;
    GUID guid;
    const struct bkc_transport *tp;
    uint64_t token; /* transport's watch id */
    uint32_t generation;
    bkc_watch_event_t *head, **tail;
    size_t queued;
} bkc_watch_t;
/* Queues an event (lock held); drops the oldest past a bound. */
void bkc_watch_push_locked(bkc_watch_t *w, const GUID *guid, const char *path, bool arrived);

/* ---- transports ---- */
typedef struct bkc_transport {
    const char *name;
    /* Paths (malloc'd array of malloc'd UTF-8 strings). */
    NTSTATUS (*enum_interfaces)(const GUID *guid, char ***paths, size_t *count);
    NTSTATUS (*open)(const char *path, uint32_t access, uint64_t *handle, uint32_t *granted);
    void (*close)(uint64_t handle);
    /* Starts a request; returns STATUS_PENDING and later calls
     * bkc_io_complete_locked exactly once (maybe before returning), or
     * returns a failure and never completes it. Lock not held. */
    NTSTATUS(*ioctl_start)
    (uint64_t handle, bkc_io_t *io, uint32_t code, const void *in, uint32_t in_len);
    void (*cancel)(bkc_io_t *io);  /* lock not held; caller holds a reference */
    void (*io_free)(bkc_io_t *io); /* last reference gone (lock may be held) */
    /* Waits (lock held) until io->done or the deadline; may drive I/O. */
    void (*wait)(bkc_io_t *io, const bkc_deadline_t *d);
    /* Makes sure completions arrive without a caller waiting (overlapped). */
    void (*need_async)(void);
    NTSTATUS (*power_state)(bkp_power_state_reply_t *out); /* the power manager's */
    NTSTATUS (*watch_start)(bkc_watch_t *w);               /* lock not held */
    void (*watch_stop)(bkc_watch_t *w);                    /* lock not held */
    NTSTATUS (*advance)(uint64_t ns, uint64_t *now_ns);
    NTSTATUS (*sim)(uint32_t op, int32_t value, uint32_t arg2, const char *name);
    NTSTATUS (*dc_policy_get)(bkp_dc_policy_reply_t *out);
    /* why gets the reason of a refusal (NUL-terminated, may be empty). */
    NTSTATUS (*dc_policy_set)(const bkp_dc_policy_t *policy, char *why, size_t why_len);
    NTSTATUS (*server_info)(PBATTKIT_SERVER_INFO info);
} bkc_transport_t;

/* Runs a transport call and converts its NTSTATUS the Win32 way. */
#define TRANSPORT_CALL(expr_with_tp)                                                               \
    do {                                                                                           \
        const bkc_transport_t *tp = bkc_transport(NULL);                                           \
        if (!tp)                                                                                   \
            return FALSE;                                                                          \
        NTSTATUS s_ = (expr_with_tp);                                                              \
        if (!NT_SUCCESS(s_)) {                                                                     \
            bkc_set_status(s_);                                                                    \
            return FALSE;                                                                          \
        }                                                                                          \
        bkc_set_error(ERROR_SUCCESS);                                                              \
        return TRUE;                                                                               \
    } while (0)

/* The transport in use, connecting to the default daemon on first use.
 * NULL with the last error set when there is none. `generation` changes
 * whenever the transport is replaced (stale handles are then refused). */
const bkc_transport_t *bkc_transport(uint32_t *generation);
uint32_t bkc_transport_generation(void);
extern const bkc_transport_t bkc_remote_transport;
extern const bkc_transport_t bkc_embedded_transport;
NTSTATUS bkc_remote_connect(const char *path);
void bkc_remote_disconnect(void);
NTSTATUS bkc_embedded_attach(struct bk_host *host);
void bkc_embedded_detach(void);

/* ---- strings ---- */
/* UTF-16 (NUL-terminated) -> malloc'd UTF-8; NULL on bad input/memory. */
char *bkc_utf16_to_utf8(const WCHAR *s);
/* UTF-8 -> UTF-16 into dst of dst_chars (NUL included); returns chars
 * needed including the NUL (may exceed dst_chars: then nothing usable). */
size_t bkc_utf8_to_utf16(const char *s, WCHAR *dst, size_t dst_chars);
void bkc_free_paths(char **paths, size_t count);
/* \??\ (host) -> \\?\ (Win32) in place; and back as a malloc'd copy. */
void bkc_path_to_win32(char *path);
char *bkc_path_to_native(const char *path);

#endif

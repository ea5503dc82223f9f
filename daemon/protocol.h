/* battd's wire protocol, shared by the daemon and lib/ (docs/protocol.md is
 * the prose version). Owns the frame header, the message numbers and the
 * fixed payload layouts; not the transport (a Unix stream socket) nor any
 * policy. All integers are little-endian (both ends are on one machine). */
#ifndef BATTKIT_PROTOCOL_H
#define BATTKIT_PROTOCOL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define BKP_MAGIC   0x50574B42u /* "BKWP" */
#define BKP_VERSION 1u

/* Every frame: this header, then `length` payload bytes. */
typedef struct bkp_header {
    uint32_t length;     /* payload bytes after the header */
    uint16_t type;       /* BKP_MSG_*; a reply is the request's type | BKP_REPLY */
    uint16_t flags;      /* 0; anything else is a malformed frame */
    uint32_t request_id; /* chosen by the client, echoed by the reply; events carry the watch's */
} bkp_header_t;

#define BKP_HEADER_SIZE 12u
#define BKP_MAX_FRAME   65536u /* header included */
#define BKP_MAX_PAYLOAD (BKP_MAX_FRAME - BKP_HEADER_SIZE)

#define BKP_REPLY 0x8000u
#define BKP_EVENT 0x4000u

/* Requests (client -> daemon). Every request gets exactly one reply, whose
 * payload starts with an int32 NTSTATUS. */
enum bkp_msg {
    BKP_MSG_HELLO = 1,            /* must be first */
    BKP_MSG_ENUM_INTERFACES = 2,  /* GUID -> device paths */
    BKP_MSG_WATCH_INTERFACES = 3, /* GUID; events follow until CANCEL of this id */
    BKP_MSG_OPEN = 4,             /* path, desired access -> handle */
    BKP_MSG_CLOSE = 5,            /* handle */
    BKP_MSG_IOCTL = 6,            /* DeviceIoControl */
    BKP_MSG_CANCEL = 7,           /* a pending IOCTL or a watch, by request id */
    BKP_MSG_POWER_STATUS = 8,     /* SYSTEM_POWER_STATUS over all batteries */
    BKP_MSG_ADVANCE = 9,          /* virtual time; privileged */
    BKP_MSG_SIM = 10,             /* simulated machine control; privileged */
    BKP_MSG_POLICY_GET = 11,      /* DC power policy */
    BKP_MSG_POLICY_SET = 12,      /* privileged */
    BKP_MSG_SETUP = 13,           /* INF install/uninstall/list; privileged */
    BKP_MSG_POWER_STATE = 14,     /* the power manager's system battery state */
    BKP_MSG_DC_POLICY_GET = 15,   /* the whole DC policy (POLICY_GET is its low/critical part) */
    BKP_MSG_DC_POLICY_SET = 16,   /* privileged */
    BKP_MSG_COUNT
};

/* Events (daemon -> client, unsolicited), request_id = the WATCH's id. */
#define BKP_EVT_INTERFACE (BKP_EVENT | 1u)

/* ---- payloads ---- */
typedef struct bkp_guid {
    uint8_t bytes[16]; /* a GUID as laid out in memory (Data1..Data4, little-endian) */
} bkp_guid_t;

typedef struct bkp_hello {
    uint32_t magic;   /* BKP_MAGIC */
    uint16_t version; /* BKP_VERSION */
    uint16_t reserved;
} bkp_hello_t;

#define BKP_SERVER_PRIVILEGED                                                                      \
    0x0001u                        /* this peer may use ADVANCE, SIM, POLICY_SET, write access     \
                                    */
#define BKP_SERVER_VIRTUAL 0x0002u /* the host runs on virtual time */

typedef struct bkp_hello_reply {
    int32_t status; /* STATUS_REVISION_MISMATCH: versions differ, the daemon then hangs up */
    uint32_t magic;
    uint16_t version;
    uint16_t server_flags; /* BKP_SERVER_* */
    uint32_t max_frame;
    uint32_t peer_uid;
    uint32_t server_pid;
    uint32_t virtual_factor; /* 0 when real time or virtual without a clock thread */
    uint32_t reserved;
    uint64_t now_ns; /* host interrupt time */
} bkp_hello_reply_t;

/* ENUM_INTERFACES: request bkp_guid_t. Reply: status, count, then `count`
 * NUL-terminated UTF-8 paths. STATUS_BUFFER_OVERFLOW: more than fit in one frame. */
typedef struct bkp_enum_reply {
    int32_t status;
    uint32_t count;
} bkp_enum_reply_t;

/* WATCH_INTERFACES: request bkp_guid_t; reply bkp_status_reply_t; then
 * events of this layout followed by the NUL-terminated UTF-8 path. */
typedef struct bkp_interface_event {
    bkp_guid_t interface_class;
    uint32_t arrived; /* 1 arrival, 0 removal */
} bkp_interface_event_t;

/* OPEN: this, then the NUL-terminated UTF-8 path (the whole rest of the frame). */
typedef struct bkp_open {
    uint32_t desired_access; /* FILE_READ_DATA (1) | FILE_WRITE_DATA (2) */
} bkp_open_t;

typedef struct bkp_open_reply {
    int32_t status;
    uint32_t handle;         /* nonzero on success */
    uint32_t granted_access; /* an unprivileged peer gets read access only */
} bkp_open_reply_t;

typedef struct bkp_close {
    uint32_t handle;
} bkp_close_t;

/* IOCTL: this, then in_length input bytes (the Windows buffer, verbatim). */
typedef struct bkp_ioctl {
    uint32_t handle;
    uint32_t code;
    uint32_t out_length; /* at most BKP_MAX_IOCTL_OUT */
    uint32_t in_length;  /* must equal the bytes that follow */
} bkp_ioctl_t;

/* Reply: this, then `returned` output bytes. */
typedef struct bkp_ioctl_reply {
    int32_t status;
    uint32_t returned;
} bkp_ioctl_reply_t;

#define BKP_MAX_IOCTL_IN  (BKP_MAX_PAYLOAD - (uint32_t)sizeof(bkp_ioctl_t))
#define BKP_MAX_IOCTL_OUT (BKP_MAX_PAYLOAD - (uint32_t)sizeof(bkp_ioctl_reply_t))

typedef struct bkp_cancel {
    uint32_t target_id; /* request id of the IOCTL or WATCH */
} bkp_cancel_t;

typedef struct bkp_status_reply {
    int32_t status;
} bkp_status_reply_t;

/* SYSTEM_POWER_STATUS, the Win32 layout (12 bytes). */
typedef struct bkp_power_status_reply {
    int32_t status;
    uint8_t ac_line_status;
    uint8_t battery_flag;
    uint8_t battery_life_percent;
    uint8_t system_status_flag;
    uint32_t battery_life_time;      /* seconds or 0xFFFFFFFF */
    uint32_t battery_full_life_time; /* seconds or 0xFFFFFFFF */
} bkp_power_status_reply_t;

typedef struct bkp_advance {
    uint64_t ns;
} bkp_advance_t;

typedef struct bkp_advance_reply {
    int32_t status;
    uint32_t reserved;
    uint64_t now_ns;
} bkp_advance_reply_t;

/* SIM: this, then an optional NUL-terminated UTF-8 device name (battery or
 * adapter as the machine file names it; empty = every adapter for AC). */
enum bkp_sim_op {
    BKP_SIM_AC = 1,          /* value: 0 offline, 1 online */
    BKP_SIM_PRESENT = 2,     /* value: 0 remove, 1 insert; name required */
    BKP_SIM_FAULT = 3,       /* value: fault bits; arg2: 1 set, 0 clear; name required */
    BKP_SIM_LOAD = 4,        /* value: system load in mW */
    BKP_SIM_CHARGE = 5,      /* value: state of charge in hundredths of a percent; name required */
    BKP_SIM_TEMPERATURE = 6, /* value: tenths of a degree Celsius (signed); name required */
};

typedef struct bkp_sim {
    uint32_t op;
    int32_t value;
    uint32_t arg2;
    uint32_t reserved;
} bkp_sim_t;

/* DC power policy (the power manager's low/critical battery settings). */
enum bkp_action {
    BKP_ACTION_NONE = 0,
    BKP_ACTION_SLEEP = 1,
    BKP_ACTION_HIBERNATE = 2,
    BKP_ACTION_SHUTDOWN = 3,
    BKP_ACTION_COUNT
};

typedef struct bkp_policy {
    uint32_t low_percent;      /* 0..100 */
    uint32_t critical_percent; /* 0..low_percent */
    uint32_t low_action;       /* bkp_action */
    uint32_t critical_action;
} bkp_policy_t;

enum bkp_level { BKP_LEVEL_NORMAL = 0, BKP_LEVEL_LOW = 1, BKP_LEVEL_CRITICAL = 2 };

typedef struct bkp_policy_reply {
    int32_t status;
    bkp_policy_t policy;
    uint32_t level;         /* bkp_level the composite battery is in now */
    uint32_t percent;       /* composite charge, 255 unknown */
    uint32_t on_ac;         /* 1 AC, 0 battery, 255 unknown */
    uint32_t actions_taken; /* how many low/critical actions fired since start */
} bkp_policy_reply_t;

/* POWER_STATE reply: SYSTEM_BATTERY_STATE and SYSTEM_POWER_STATUS as the
 * power manager keeps them (bk_power_state_t of include/battkit/host.h). */
typedef struct bkp_power_state_reply {
    int32_t status;
    uint8_t ac_on_line, battery_present, charging, discharging;
    uint32_t max_capacity, remaining_capacity;
    int32_t rate;
    uint32_t estimated_time, default_alert1, default_alert2;
    uint8_t ac_line_status, battery_flag, battery_life_percent, system_status_flag;
    uint32_t battery_life_time, battery_full_life_time;
    uint32_t composite_tag, capabilities, composite_power_state, policy_level, actions_taken;
    uint64_t generation, updated_ns;
} bkp_power_state_reply_t;

/* The whole DC policy: levels indexed low (0), reserve (1), critical (2). */
enum bkp_dc_level { BKP_DC_LOW = 0, BKP_DC_RESERVE = 1, BKP_DC_CRITICAL = 2, BKP_DC_LEVELS = 3 };
#define BKP_ACTION_NOTIFY 4u
typedef struct bkp_dc_policy {
    uint32_t percent[BKP_DC_LEVELS];
    uint32_t minutes[BKP_DC_LEVELS]; /* 0: by charge only */
    uint32_t action[BKP_DC_LEVELS];  /* bkp_action or BKP_ACTION_NOTIFY */
    uint32_t critical_delay_s;
} bkp_dc_policy_t;

typedef struct bkp_dc_policy_reply {
    int32_t status;
    bkp_dc_policy_t policy;
    uint32_t level;          /* 0 normal, 1 low, 2 reserve, 3 critical */
    uint32_t percent;        /* system charge, 255 unknown */
    uint32_t on_ac;          /* 1 AC, 0 battery */
    uint32_t actions_taken;  /* since the host started */
    uint32_t estimated_time; /* seconds, 0xFFFFFFFF unknown */
} bkp_dc_policy_reply_t;

/* DC_POLICY_SET reply: the status, then why it was refused (NUL-terminated). */
typedef struct bkp_dc_policy_set_reply {
    int32_t status;
    char why[160];
} bkp_dc_policy_set_reply_t;

/* Where battd listens unless told otherwise, and where clients look:
 * $BATTKIT_SOCKET, else $XDG_RUNTIME_DIR/battkit/battd.sock, else
 * /run/battkit/battd.sock. Returns buf, or NULL if it does not fit. */
static inline const char *bkp_default_socket_path(char *buf, size_t size)
{
    const char *env = getenv("BATTKIT_SOCKET");
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    if (env && *env)
        n = snprintf(buf, size, "%s", env);
    else if (xdg && *xdg == '/')
        n = snprintf(buf, size, "%s/battkit/battd.sock", xdg);
    else
        n = snprintf(buf, size, "/run/battkit/battd.sock");
    return n > 0 && (size_t)n < size ? buf : NULL;
}

/* The layouts are the wire: pin them. */
/* SETUP: { op (BK_SETUP_OP_*), flags (BK_SETUP_*) } then the NUL-terminated
 * UTF-8 argument filling the frame (absolute INF path, service/INF name, or
 * "" for list). Reply: { status, report_length } then the report text. */
typedef struct bkp_setup {
    uint32_t op;
    uint32_t flags;
} bkp_setup_t;
typedef struct bkp_setup_reply {
    int32_t status;
    uint32_t report_length;
} bkp_setup_reply_t;

_Static_assert(sizeof(bkp_setup_t) == 8, "setup");
_Static_assert(sizeof(bkp_setup_reply_t) == 8, "setup reply");
_Static_assert(sizeof(bkp_header_t) == BKP_HEADER_SIZE, "header");
_Static_assert(sizeof(bkp_hello_t) == 8, "hello");
_Static_assert(sizeof(bkp_hello_reply_t) == 40, "hello reply");
_Static_assert(sizeof(bkp_ioctl_t) == 16, "ioctl");
_Static_assert(sizeof(bkp_power_status_reply_t) == 16, "power status");
_Static_assert(sizeof(bkp_advance_reply_t) == 16, "advance reply");
_Static_assert(sizeof(bkp_sim_t) == 16, "sim");
_Static_assert(sizeof(bkp_policy_reply_t) == 36, "policy reply");
_Static_assert(sizeof(bkp_power_state_reply_t) == 80, "power state reply");
_Static_assert(sizeof(bkp_dc_policy_t) == 40, "dc policy");
_Static_assert(sizeof(bkp_dc_policy_reply_t) == 64, "dc policy reply");
_Static_assert(sizeof(bkp_dc_policy_set_reply_t) == 164, "dc policy set reply");

#endif

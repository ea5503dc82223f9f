/* daemon_client.h: battinf's side of battd's privileged SETUP request: one
 * connection, HELLO, one SETUP, its reply. The request battd must add to
 * daemon/protocol.h is described there (BATTINF_MSG_SETUP's comment). */
#ifndef BATTINF_DAEMON_CLIENT_H
#define BATTINF_DAEMON_CLIENT_H

#include <stddef.h>
#include <stdint.h>

/* The wire format of SETUP (to become BKP_MSG_SETUP in daemon/protocol.h):
 *   request  type 13, privileged: { uint32 op; uint32 flags; } then the
 *            NUL-terminated UTF-8 argument (absolute INF path for install,
 *            service or INF name for uninstall, "" for list), the rest of
 *            the frame. op = BK_SETUP_OP_*, flags = BK_SETUP_* (host.h).
 *   reply    type 13 | BKP_REPLY: { int32 status; uint32 report_length; }
 *            then report_length bytes of UTF-8 report text (no NUL).
 * battd serves it with setup_install_for_daemon(host, op, arg, flags, ...);
 * an unprivileged peer gets STATUS_ACCESS_DENIED and an empty report. */
#define BATTINF_MSG_SETUP 13u

typedef struct battinf_setup_request {
    uint32_t op;
    uint32_t flags;
} battinf_setup_request_t;

typedef struct battinf_setup_reply {
    int32_t status;
    uint32_t report_length;
} battinf_setup_reply_t;

enum {
    BATTINF_DAEMON_OK = 0,           /* *status holds battd's answer */
    BATTINF_DAEMON_ABSENT = -1,      /* nothing listens on the socket */
    BATTINF_DAEMON_UNSUPPORTED = -2, /* battd hung up on SETUP (an older battd) */
    BATTINF_DAEMON_ERROR = -3,       /* anything else; the reason is in err */
};

/* socket_path NULL: bkp_default_socket_path(). report gets battd's text
 * (NUL-terminated, truncated to len). */
int battinf_daemon_request(const char *socket_path, uint32_t op, uint32_t flags, const char *arg,
                           int32_t *status, char *report, size_t len, char *err, size_t errlen);

#endif

/* battd's command line: every option validated, every bad value a message
 * naming the option, --help text. Owns the defaults (limits, socket path). */
#include "battd.h"
#include "http.h"

#include <battkit/state_dir.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_CLIENTS 4096
#define DEFAULT_MAX_HANDLES 64
#define DEFAULT_MAX_PENDING 256
#define DEFAULT_SPIN_US     50

static const char usage_text[] =
    "Usage: battd [OPTION]...\n"
    "Runs the battkit battery stack (host, drivers, simulated machine) and serves\n"
    "clients (libbattkit-client, battctl) on a Unix socket.\n"
    "\n"
    "  -m, --machine FILE       machine description (default: the built-in laptop)\n"
    "      --virtual[=FACTOR]   virtual time, advanced FACTOR times faster than real\n"
    "                           time (default 1); 0 = moved only by ADVANCE requests\n"
    "  -s, --socket PATH        socket (default $BATTKIT_SOCKET, else\n"
    "                           $XDG_RUNTIME_DIR/battkit/battd.sock, else\n"
    "                           /run/battkit/battd.sock)\n"
    "  -g, --group NAME         group owning the socket (mode 0660; default: battd's)\n"
    "      --admin-uid UID      privileged peer (repeatable; replaces the default\n"
    "                           set {0, battd's own uid}); a name or a number\n"
    "  -f, --foreground         do not detach (what the systemd unit uses)\n"
    "  -p, --pidfile PATH       write the process id there\n"
    "      --log-file PATH      detached: log there instead of discarding\n"
    "  -l, --log-level LEVEL    error, warn, info (default) or debug; the host's\n"
    "                           level follows unless BATTKIT_LOG is set\n"
    "      --registry FILE      keep the host registry (installed drivers) there\n"
    "      --store DIR          driver store for INF installs (battinf install)\n"
    "      --action-command ACTION=COMMAND\n"
    "                           run COMMAND (sh -c) when the DC policy takes ACTION\n"
    "                           (notify, sleep, hibernate, shutdown); without one the\n"
    "                           action is only logged. The policy itself is kept by\n"
    "                           the power manager in the registry (--registry)\n"
    "      --max-clients N      connections at once (default 4096)\n"
    "      --max-handles N      open handles per client (default 64)\n"
    "      --max-pending N      requests in flight per client (default 256)\n"
    "      --spin-us N          after serving a request, poll N microseconds for\n"
    "                           the next before sleeping (default 50; 0: never)\n"
    "      --history FILE       battery history database (SQLite; default: history.db\n"
    "                           beside the registry, in $BATTKIT_STATE_DIR or\n"
    "                           ~/.local/state/battkit, /var/lib/battkit for root)\n"
    "      --no-history         keep no history\n"
    "      --history-retention-days N  drop history older than N days (default 400;\n"
    "                           0: keep all)\n"
    "      --history-interval SECONDS  a sample at least this often (default 60)\n"
    "      --upower             serve the UPower D-Bus interface (org.freedesktop.UPower)\n"
    "                           on the system bus, in place of upowerd\n"
    "      --upower-bus ADDRESS the same on the D-Bus bus at ADDRESS (unix:path=...)\n"
    "      --http ADDRESS:PORT  serve the web dashboard (read-only) over HTTP on a\n"
    "                           loopback address: 127.0.0.1:8080, [::1]:8080,\n"
    "                           localhost:8080; port 0 picks a free one\n"
    "      --http-port-file FILE  write the port listened on there (with port 0)\n"
    "  -h, --help               this text\n"
    "  -V, --version            version\n";

enum {
    OPT_VIRTUAL = 256,
    OPT_ADMIN,
    OPT_LOG_FILE,
    OPT_POLICY_FILE,
    OPT_ACTION,
    OPT_MAX_CLIENTS,
    OPT_MAX_HANDLES,
    OPT_MAX_PENDING,
    OPT_SPIN,
    OPT_REGISTRY,
    OPT_STORE,
    OPT_HISTORY,
    OPT_NO_HISTORY,
    OPT_HISTORY_RETENTION,
    OPT_HISTORY_INTERVAL,
    OPT_UPOWER,
    OPT_UPOWER_BUS,
    OPT_HTTP,
    OPT_HTTP_PORT_FILE,
};

static const struct option long_options[] = {
    {"machine", required_argument, NULL, 'm'},
    {"virtual", optional_argument, NULL, OPT_VIRTUAL},
    {"socket", required_argument, NULL, 's'},
    {"group", required_argument, NULL, 'g'},
    {"admin-uid", required_argument, NULL, OPT_ADMIN},
    {"foreground", no_argument, NULL, 'f'},
    {"pidfile", required_argument, NULL, 'p'},
    {"log-file", required_argument, NULL, OPT_LOG_FILE},
    {"log-level", required_argument, NULL, 'l'},
    {"policy-file", required_argument, NULL, OPT_POLICY_FILE},
    {"action-command", required_argument, NULL, OPT_ACTION},
    {"max-clients", required_argument, NULL, OPT_MAX_CLIENTS},
    {"max-handles", required_argument, NULL, OPT_MAX_HANDLES},
    {"max-pending", required_argument, NULL, OPT_MAX_PENDING},
    {"spin-us", required_argument, NULL, OPT_SPIN},
    {"registry", required_argument, NULL, OPT_REGISTRY},
    {"store", required_argument, NULL, OPT_STORE},
    {"history", required_argument, NULL, OPT_HISTORY},
    {"no-history", no_argument, NULL, OPT_NO_HISTORY},
    {"history-retention-days", required_argument, NULL, OPT_HISTORY_RETENTION},
    {"history-interval", required_argument, NULL, OPT_HISTORY_INTERVAL},
    {"upower", no_argument, NULL, OPT_UPOWER},
    {"upower-bus", required_argument, NULL, OPT_UPOWER_BUS},
    {"http", required_argument, NULL, OPT_HTTP},
    {"http-port-file", required_argument, NULL, OPT_HTTP_PORT_FILE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static int bad(const char *opt, const char *value, const char *why)
{
    fprintf(stderr, "battd: %s '%s': %s\nTry 'battd --help'.\n", opt, value, why);
    return -1;
}

static int parse_count(const char *opt, const char *v, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || end == v || *end || *v == '-' || n < lo || n > hi) {
        char why[64];
        snprintf(why, sizeof why, "expected a whole number from %u to %u", lo, hi);
        return bad(opt, v, why);
    }
    *out = (unsigned)n;
    return 0;
}

static int parse_uid(const char *v, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (!errno && end != v && !*end && *v != '-' && n < 0xFFFFFFFFul) {
        *out = (uint32_t)n;
        return 0;
    }
    struct passwd *pw = getpwnam(v);
    if (!pw)
        return bad("--admin-uid", v, "no such user (a user name or a numeric uid)");
    *out = (uint32_t)pw->pw_uid;
    return 0;
}

static int parse_action(const char *v, battd_options_t *o)
{
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || !eq[1])
        return bad("--action-command", v, "expected ACTION=COMMAND");
    char name[32];
    size_t n = (size_t)(eq - v);
    if (n >= sizeof name)
        return bad("--action-command", v, "unknown action (notify, sleep, hibernate, shutdown)");
    memcpy(name, v, n);
    name[n] = 0;
    int a = bk_po_action_from_name(name);
    if (a <= BK_PO_ACTION_NONE)
        return bad("--action-command", v, "unknown action (notify, sleep, hibernate, shutdown)");
    o->action_commands[a] = eq + 1;
    return 0;
}

static bool default_history(battd_options_t *o)
{
    return bk_default_history_file(o->history_file, sizeof o->history_file) == 0;
}

int options_parse(int argc, char **argv, battd_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->log_level = DLOG_INFO;
    o->max_clients = DEFAULT_MAX_CLIENTS;
    o->max_handles = DEFAULT_MAX_HANDLES;
    o->max_pending = DEFAULT_MAX_PENDING;
    o->spin_us = DEFAULT_SPIN_US;
    o->history_retention_days = 400;
    o->history_interval_s = 60;
    bool have_socket = false, have_history = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:s:g:fp:l:hV", long_options, NULL)) != -1) {
        switch (c) {
        case 'm':
            o->machine = optarg;
            break;
        case OPT_VIRTUAL: {
            o->virtual_time = true;
            o->virtual_factor = 1.0;
            if (optarg) {
                char *end;
                double f = strtod(optarg, &end);
                if (end == optarg || *end || !isfinite(f) || f < 0 || f > 1e6)
                    return bad("--virtual", optarg, "expected a factor from 0 to 1000000");
                o->virtual_factor = f;
            }
            break;
        }
        case 's':
            if (!*optarg || strlen(optarg) >= sizeof o->socket_path)
                return bad("--socket", optarg, "empty or longer than a socket path can be");
            strcpy(o->socket_path, optarg);
            have_socket = true;
            break;
        case 'g':
            o->group = optarg;
            break;
        case OPT_ADMIN:
            if (o->admin_count == BATTD_MAX_ADMINS)
                return bad("--admin-uid", optarg, "too many (at most 32)");
            if (parse_uid(optarg, &o->admin_uids[o->admin_count]) < 0)
                return -1;
            o->admin_count++;
            break;
        case 'f':
            o->foreground = true;
            break;
        case 'p':
            o->pidfile = optarg;
            break;
        case OPT_LOG_FILE:
            o->log_file = optarg;
            break;
        case 'l':
            if ((o->log_level = dlog_parse_level(optarg)) < 0)
                return bad("--log-level", optarg, "expected error, warn, info or debug");
            break;
        case OPT_POLICY_FILE:
            return bad("--policy-file", optarg,
                       "no longer used: the DC policy is kept by the power manager in the "
                       "host registry (--registry FILE); set it with battctl policy");
            break;
        case OPT_REGISTRY:
            o->registry_file = optarg;
            break;
        case OPT_STORE:
            o->store_dir = optarg;
            break;
        case OPT_HISTORY:
            if (!*optarg || strlen(optarg) >= sizeof o->history_file)
                return bad("--history", optarg, "empty or too long");
            strcpy(o->history_file, optarg);
            have_history = true;
            break;
        case OPT_NO_HISTORY:
            o->history_file[0] = 0;
            have_history = true;
            break;
        case OPT_HISTORY_RETENTION:
            if (parse_count("--history-retention-days", optarg, 0, 100000,
                            &o->history_retention_days) < 0)
                return -1;
            break;
        case OPT_HISTORY_INTERVAL:
            if (parse_count("--history-interval", optarg, 1, 86400, &o->history_interval_s) < 0)
                return -1;
            break;
        case OPT_UPOWER:
            o->upower = true;
            break;
        case OPT_UPOWER_BUS:
            /* sd-bus checks the address when it connects; an empty one is a typo. */
            if (!*optarg || !strchr(optarg, ':'))
                return bad("--upower-bus", optarg, "expected a D-Bus address (unix:path=...)");
            o->upower = true;
            o->upower_bus = optarg;
            break;
        case OPT_HTTP: {
            char why[160];
            if (http_parse_address(optarg, why, sizeof why) != 0)
                return bad("--http", optarg, why);
            o->http_address = optarg;
            break;
        }
        case OPT_HTTP_PORT_FILE:
            if (!*optarg)
                return bad("--http-port-file", optarg, "empty");
            o->http_port_file = optarg;
            break;
        case OPT_ACTION:
            if (parse_action(optarg, o) < 0)
                return -1;
            break;
        case OPT_MAX_CLIENTS:
            if (parse_count("--max-clients", optarg, 1, 1000000, &o->max_clients) < 0)
                return -1;
            break;
        case OPT_MAX_HANDLES:
            if (parse_count("--max-handles", optarg, 1, 65536, &o->max_handles) < 0)
                return -1;
            break;
        case OPT_MAX_PENDING:
            if (parse_count("--max-pending", optarg, 1, 65536, &o->max_pending) < 0)
                return -1;
            break;
        case OPT_SPIN:
            if (parse_count("--spin-us", optarg, 0, 10000, &o->spin_us) < 0)
                return -1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 1;
        case 'V':
            printf("battd (battkit) %s, protocol %u\n", BATTKIT_VERSION, BKP_VERSION);
            return 1;
        case ':':
            fprintf(stderr, "battd: option '%s' needs a value\nTry 'battd --help'.\n",
                    argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "battd: unknown option '%s'\nTry 'battd --help'.\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "battd: unexpected argument '%s'\nTry 'battd --help'.\n", argv[optind]);
        return -1;
    }
    if (o->http_port_file && !o->http_address) {
        fprintf(stderr, "battd: --http-port-file needs --http\nTry 'battd --help'.\n");
        return -1;
    }
    if (!have_history && !default_history(o)) {
        fprintf(stderr, "battd: the default history path is too long; use --history\n");
        return -1;
    }
    if (!have_socket && !bkp_default_socket_path(o->socket_path, sizeof o->socket_path)) {
        fprintf(stderr, "battd: the default socket path is too long; use --socket\n");
        return -1;
    }
    return 0;
}

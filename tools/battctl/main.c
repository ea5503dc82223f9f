/* battctl: command dispatch, global options (--socket, --json, --help),
 * and the mapping from Win32 errors to messages and exit codes: 2 usage,
 * 3 access denied, 4 no battery, 5 daemon unreachable, 1 anything else. */
#include "battctl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

options_t opt;

static const char usage_text[] =
    "Usage: battctl [--socket PATH] [--json] COMMAND [ARGS]\n"
    "Shows and controls batteries served by battd (the battkit battery stack).\n"
    "\n"
    "Commands:\n"
    "  list                        the battery slots\n"
    "  info [BATTERY]              static information (capacity, chemistry, names)\n"
    "  status [BATTERY]            charge, rate, voltage, time left; system power\n"
    "  watch [--count N]           print changes as they happen (AC, charge, insertion)\n"
    "  set critical-bias MWH [BATTERY] | set charge [BATTERY] | set discharge [BATTERY]\n"
    "  policy [low PERCENT] [critical PERCENT] [low-action ACTION]\n"
    "         [critical-action ACTION]      show or change the DC power policy\n"
    "  sim ac on|off [ADAPTER]     drive the simulated machine (names from the\n"
    "  sim insert|remove BATTERY   machine file, e.g. BAT0); privileged\n"
    "  sim fault BATTERY KIND [on|off]   KIND: no-answer stuck sensor critical wrong-tag\n"
    "  sim load WATTS | sim charge BATTERY PERCENT | sim temperature BATTERY CELSIUS\n"
    "  sim advance DURATION        move virtual time (e.g. 90s, 5m, 1h30m)\n"
    "  report [--output FILE.html] [--days N] [--history FILE]\n"
    "                              the battery report (HTML, or JSON with --json)\n"
    "                              of the last N days (default 30) of battd's\n"
    "                              history (default $BATTKIT_STATE_DIR/history.db,\n"
    "                              as battd's --history); no battd needed\n"
    "\n"
    "BATTERY is an index from 'battctl list', a device path, or text found in\n"
    "one battery's path or name. ACTION is none, sleep, hibernate or shutdown.\n"
    "\n"
    "Options:\n"
    "  -s, --socket PATH   battd's socket (default $BATTKIT_SOCKET, else\n"
    "                      $XDG_RUNTIME_DIR/battkit/battd.sock, else\n"
    "                      /run/battkit/battd.sock)\n"
    "  -j, --json          machine-readable output (read commands)\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 usage error, 3 access denied, 4 no battery,\n"
    "5 battd unreachable.\n";

int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("battctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'battctl --help'.\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

int exit_code_for(DWORD error)
{
    switch (error) {
    case ERROR_ACCESS_DENIED:
        return EXIT_DENIED;
    case ERROR_FILE_NOT_FOUND:
    case ERROR_DEVICE_REMOVED:
    case ERROR_DEV_NOT_EXIST:
        return EXIT_NO_BATTERY;
    case ERROR_SERVICE_NOT_ACTIVE:
    case ERROR_BROKEN_PIPE:
    case ERROR_PIPE_NOT_CONNECTED:
    case ERROR_REVISION_MISMATCH:
        return EXIT_UNREACHABLE;
    default:
        return EXIT_OTHER;
    }
}

static const struct {
    DWORD error;
    const char *name, *text;
} error_texts[] = {
    {ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED",
     "access denied (battd allows this to privileged users only)"},
    {ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND", "no such battery (removed, or none there)"},
    {ERROR_INVALID_FUNCTION, "ERROR_INVALID_FUNCTION", "the battery does not supply this"},
    {ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED", "not supported by this battery or machine"},
    {ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER", "invalid value"},
    {ERROR_GEN_FAILURE, "ERROR_GEN_FAILURE", "the battery reported a failure"},
    {ERROR_SEM_TIMEOUT, "ERROR_SEM_TIMEOUT", "the battery did not answer"},
    {ERROR_SERVICE_NOT_ACTIVE, "ERROR_SERVICE_NOT_ACTIVE",
     "battd is not running (nothing listens on its socket)"},
    {ERROR_BROKEN_PIPE, "ERROR_BROKEN_PIPE", "battd closed the connection"},
    {ERROR_REVISION_MISMATCH, "ERROR_REVISION_MISMATCH", "battd speaks another protocol version"},
    {ERROR_OPERATION_ABORTED, "ERROR_OPERATION_ABORTED", "cancelled"},
    {ERROR_NO_SYSTEM_RESOURCES, "ERROR_NO_SYSTEM_RESOURCES", "battd's per-client limit reached"},
    {ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER", "buffer too small"},
};

int report_error(const char *what)
{
    DWORD e = GetLastError();
    const char *name = NULL, *text = "failed";
    for (size_t i = 0; i < sizeof error_texts / sizeof error_texts[0]; i++)
        if (error_texts[i].error == e) {
            name = error_texts[i].name;
            text = error_texts[i].text;
        }
    NTSTATUS s = BattkitGetLastNtStatus();
    char extra[64] = "";
    if (s && !(s & 0x20000000))
        snprintf(extra, sizeof extra, ", NTSTATUS 0x%08x", (unsigned)s);
    if (e == ERROR_SERVICE_NOT_ACTIVE && !opt.socket) {
        char path[256];
        if (BattkitDefaultSocketPath(path, sizeof path))
            fprintf(stderr, "battctl: %s: %s at %s (use --socket)\n", what, text, path);
        return exit_code_for(e);
    }
    if (name)
        fprintf(stderr, "battctl: %s: %s (%s%s)\n", what, text, name, extra);
    else
        fprintf(stderr, "battctl: %s: %s (Win32 error %lu%s)\n", what, text, (unsigned long)e,
                extra);
    return exit_code_for(e);
}

int ensure_connected(void)
{
    static bool done;
    if (done)
        return EXIT_OK;
    if (!BattkitConnect(opt.socket)) {
        if (GetLastError() == ERROR_SERVICE_NOT_ACTIVE) {
            char path[256];
            const char *p = opt.socket ? opt.socket : BattkitDefaultSocketPath(path, sizeof path);
            fprintf(stderr,
                    "battctl: cannot reach battd at %s: is it running? "
                    "(ERROR_SERVICE_NOT_ACTIVE)\n",
                    p ? p : "(default socket)");
            return EXIT_UNREACHABLE;
        }
        return report_error("connecting to battd");
    }
    done = true;
    return EXIT_OK;
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"list", cmd_list}, {"info", cmd_info},     {"status", cmd_status}, {"watch", cmd_watch},
    {"set", cmd_set},   {"policy", cmd_policy}, {"sim", cmd_sim},       {"report", cmd_report},
};

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage_text, stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
            opt.json = true;
        } else if (!strcmp(a, "-s") || !strcmp(a, "--socket")) {
            if (++i == argc)
                return usage_error("%s needs a path", a);
            opt.socket = argv[i];
        } else if (!strncmp(a, "--socket=", 9)) {
            opt.socket = a + 9;
        } else if (!strcmp(a, "--")) {
            i++;
            break;
        } else {
            return usage_error("unknown option '%s'", a);
        }
    }
    if (opt.socket && !*opt.socket)
        return usage_error("--socket needs a path");
    if (i == argc)
        return usage_error("no command");
    if (!strcmp(argv[i], "help")) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
        if (strcmp(argv[i], commands[k].name) != 0)
            continue;
        /* --json/--help may also follow the command. */
        int n = 0;
        char **rest = argv + i + 1;
        int rest_n = argc - i - 1;
        char **args = calloc((size_t)rest_n + 1, sizeof *args);
        if (!args)
            return EXIT_OTHER;
        for (int j = 0; j < rest_n; j++) {
            if (!strcmp(rest[j], "--json") || !strcmp(rest[j], "-j")) {
                opt.json = true;
            } else if (!strcmp(rest[j], "--help") || !strcmp(rest[j], "-h")) {
                free(args);
                fputs(usage_text, stdout);
                return EXIT_OK;
            } else {
                args[n++] = rest[j];
            }
        }
        int rc = commands[k].fn(n, args);
        free(args);
        fflush(stdout);
        BattkitDisconnect();
        return rc;
    }
    return usage_error("unknown command '%s'", argv[i]);
}

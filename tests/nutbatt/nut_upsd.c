/* A real upsd and dummy-ups for the tests (nut_upsd.h). */
#define _GNU_SOURCE
#include "nut_upsd.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <upsclient.h>

/* Debian's /sbin/upsd is a wrapper that runs /lib/nut/upsd only when
 * /etc/nut/nut.conf says MODE=standalone: the real binary first. */
static const char *const upsd_paths[] = {"/lib/nut/upsd", "/usr/lib/nut/upsd", "/usr/sbin/upsd",
                                         "/sbin/upsd"};
static const char *const driver_paths[] = {"/lib/nut/dummy-ups", "/usr/lib/nut/dummy-ups",
                                           "/usr/bin/dummy-ups"};

/* Every process started here, killed at exit whatever happened. */
static pid_t live[16];
static int nlive;

static void kill_live(void)
{
    for (int i = 0; i < nlive; i++)
        if (live[i] > 0) {
            kill(live[i], SIGKILL);
            waitpid(live[i], NULL, 0);
            live[i] = 0;
        }
}

static void track(pid_t pid)
{
    if (nlive == 0)
        atexit(kill_live);
    for (int i = 0; i < nlive; i++)
        if (live[i] == 0) {
            live[i] = pid;
            return;
        }
    if (nlive < 16)
        live[nlive++] = pid;
}

static void untrack(pid_t pid)
{
    for (int i = 0; i < nlive; i++)
        if (live[i] == pid)
            live[i] = 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *first_executable(const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (access(paths[i], X_OK) == 0)
            return paths[i];
    return NULL;
}

static bool write_file(const nut_upsd_t *u, const char *name, const char *text, mode_t mode)
{
    char path[400], tmp[420];
    snprintf(path, sizeof path, "%s/%s", u->dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return false;
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len;
    ok = close(fd) == 0 && ok;
    return ok && rename(tmp, path) == 0;
}

bool fixture_put(const char *dir, const char *name, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

/* A port free on 127.0.0.1 now (upsd binds it a moment later). */
static unsigned free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* fork/exec with NUT's paths in the environment; the child dies with us. */
static pid_t start(nut_upsd_t *u, const char *const *argv)
{
    char log[320];
    snprintf(log, sizeof log, "%s/nut.log", u->dir);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        setenv("NUT_CONFPATH", u->dir, 1);
        setenv("NUT_STATEPATH", u->dir, 1);
        setenv("NUT_ALTPIDPATH", u->dir, 1);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (pid > 0)
        track(pid);
    return pid;
}

static void stop(pid_t *pid)
{
    if (*pid <= 0)
        return;
    kill(*pid, SIGTERM);
    int pfd = (int)syscall(SYS_pidfd_open, *pid, 0);
    if (pfd >= 0) {
        struct pollfd p = {.fd = pfd, .events = POLLIN};
        if (poll(&p, 1, NUT_WAIT_MS) <= 0)
            kill(*pid, SIGKILL);
        close(pfd);
    }
    waitpid(*pid, NULL, 0);
    untrack(*pid);
    *pid = 0;
}

/* Reaped now, or already (ECHILD: an earlier look reaped it). */
static bool exited(pid_t pid)
{
    pid_t r = waitpid(pid, NULL, WNOHANG);
    return r == pid || (r < 0 && errno == ECHILD);
}

const char *nut_upsd_address(const nut_upsd_t *u)
{
    static char text[64];
    snprintf(text, sizeof text, "%s@127.0.0.1:%u", NUT_UPS_NAME, u->port);
    return text;
}

bool nut_upsd_get(const nut_upsd_t *u, const char *var, char *value, size_t size)
{
    UPSCONN_t c;
    struct timeval bound = {.tv_sec = 2};
    const char *query[3] = {"VAR", NUT_UPS_NAME, var};
    size_t n;
    char **answer;
    bool ok = false;
    memset(&c, 0, sizeof c);
    if (upscli_tryconnect(&c, "127.0.0.1", (uint16_t)u->port, 0, &bound) < 0)
        return false;
    if (upscli_get(&c, 3, query, &n, &answer) >= 0 && n >= 4) {
        snprintf(value, size, "%s", answer[3]);
        ok = true;
    }
    upscli_disconnect(&c);
    return ok;
}

/* Polls upsd (bounded) until VAR reads `want` (want NULL: until it
 * answers); served false: until it no longer answers for VAR. */
static bool wait_var(nut_upsd_t *u, const char *var, const char *want, bool served)
{
    char value[128];
    int64_t end = now_ms() + NUT_WAIT_MS;
    do {
        bool got = nut_upsd_get(u, var, value, sizeof value);
        if (served ? got && (!want || strcmp(value, want) == 0) : !got)
            return true;
        if ((u->upsd > 0 && exited(u->upsd)) || (u->driver > 0 && exited(u->driver))) {
            snprintf(u->why, sizeof u->why, "upsd or dummy-ups exited (see %s/nut.log)", u->dir);
            return false;
        }
        poll(NULL, 0, 20); /* the poll interval of a bounded wait, not a wait for time */
    } while (now_ms() < end);
    if (served)
        snprintf(u->why, sizeof u->why, "upsd did not report %s = %s within %d ms (see %s/nut.log)",
                 var, want ? want : "anything", NUT_WAIT_MS, u->dir);
    else
        snprintf(u->why, sizeof u->why, "upsd still serves %s %d ms after its driver ended", var,
                 NUT_WAIT_MS);
    return false;
}

bool nut_upsd_start_server(nut_upsd_t *u)
{
    const char *upsd = first_executable(upsd_paths, sizeof upsd_paths / sizeof *upsd_paths);
    struct passwd *pw = getpwuid(getuid());
    if (!upsd || !pw) {
        snprintf(u->why, sizeof u->why, "no upsd (apt-get install nut-server)");
        return false;
    }
    const char *argv[] = {upsd, "-F", "-u", pw->pw_name, NULL};
    char mark[16];
    snprintf(mark, sizeof mark, "%u", u->generation);
    u->upsd = start(u, argv);
    /* Ready: upsd serves what dummy-ups read from the latest .dev file. */
    return u->upsd > 0 && wait_var(u, "ups.test.generation", mark, true);
}

bool nut_upsd_stop_server(nut_upsd_t *u)
{
    char value[64];
    stop(&u->upsd);
    return !nut_upsd_get(u, "ups.status", value, sizeof value);
}

bool nut_upsd_stop_driver(nut_upsd_t *u)
{
    stop(&u->driver);
    /* upsd notices its driver's socket closed on its own next look. */
    return wait_var(u, "ups.status", NULL, false);
}

/* The text and a generation mark, so a wait knows this version is read. */
static bool write_dev(nut_upsd_t *u, const char *dev)
{
    char path[320], text[4096];
    snprintf(text, sizeof text, "%sups.test.generation: %u\n", dev, u->generation + 1);
    if (!write_file(u, "ups.dev", text, 0644))
        return false;
    /* dummy-ups (dummy-once) reads the file again when its time stamp
     * changes: a new whole second each time, whatever the clock says. */
    snprintf(path, sizeof path, "%s/ups.dev", u->dir);
    struct timespec times[2] = {{.tv_sec = 1700000000 + 10 * (time_t)++u->generation},
                                {.tv_sec = 1700000000 + 10 * (time_t)u->generation}};
    return utimensat(AT_FDCWD, path, times, 0) == 0;
}

bool nut_upsd_start(nut_upsd_t *u, const char *dev)
{
    char text[1024], state[320];
    memset(u, 0, sizeof *u);
    snprintf(u->dir, sizeof u->dir, "%s/nutbatt-upsd.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(u->dir)) {
        snprintf(u->why, sizeof u->why, "mkdtemp: %s", strerror(errno));
        return false;
    }
    const char *driver = first_executable(driver_paths, sizeof driver_paths / sizeof *driver_paths);
    struct passwd *pw = getpwuid(getuid());
    if (!driver || !pw) {
        snprintf(u->why, sizeof u->why, "no dummy-ups (apt-get install nut-server)");
        return false;
    }
    /* upsd drops root for the user named with -u; the folder is ours. */
    chmod(u->dir, 0755);
    u->port = free_port();
    snprintf(text, sizeof text, "[%s]\n\tdriver = dummy-ups\n\tport = %s/ups.dev\n", NUT_UPS_NAME,
             u->dir);
    bool ok = write_file(u, "ups.conf", text, 0640) &&
              write_file(u, "nut.conf", "MODE=standalone\n", 0640);
    snprintf(text, sizeof text, "LISTEN 127.0.0.1 %u\nMAXAGE 30\n", u->port);
    ok = ok && write_file(u, "upsd.conf", text, 0640);
    snprintf(text, sizeof text, "[%s]\n\tpassword = \"%s\"\n\tupsmon secondary\n", NUT_USER,
             NUT_PASSWORD);
    ok = ok && write_file(u, "upsd.users", text, 0600) && write_dev(u, dev);
    if (!ok) {
        snprintf(u->why, sizeof u->why, "writing NUT's configuration in %s failed", u->dir);
        return false;
    }
    const char *argv[] = {driver, "-a", NUT_UPS_NAME, "-F", "-i", "1", "-u", pw->pw_name, NULL};
    u->driver = start(u, argv);
    if (u->driver <= 0) {
        snprintf(u->why, sizeof u->why, "dummy-ups did not start");
        return false;
    }
    /* upsd finds the driver by its socket in the state folder. */
    snprintf(state, sizeof state, "%s/dummy-ups-%s", u->dir, NUT_UPS_NAME);
    int64_t end = now_ms() + NUT_WAIT_MS;
    while (access(state, F_OK) != 0 && now_ms() < end && !exited(u->driver))
        poll(NULL, 0, 10);
    if (access(state, F_OK) != 0) {
        snprintf(u->why, sizeof u->why, "dummy-ups made no socket %s (see %s/nut.log)", state,
                 u->dir);
        return false;
    }
    /* dummy-ups fills in device.mfr/model of its own after its first
     * read: read once more, so the file's values are the ones served. */
    /* The port was free a moment ago; another process may have taken it
     * since: upsd then exits, and a new port is tried. */
    bool up = nut_upsd_start_server(u);
    for (int attempt = 0; !up && u->upsd > 0 && exited(u->upsd) && attempt < 3; attempt++) {
        untrack(u->upsd);
        u->upsd = 0;
        u->port = free_port();
        snprintf(text, sizeof text, "LISTEN 127.0.0.1 %u\nMAXAGE 30\n", u->port);
        up = write_file(u, "upsd.conf", text, 0640) && nut_upsd_start_server(u);
    }
    return up && nut_upsd_set(u, dev);
}

bool nut_upsd_set(nut_upsd_t *u, const char *dev)
{
    char mark[16];
    snprintf(mark, sizeof mark, "%u", u->generation + 1);
    return write_dev(u, dev) && wait_var(u, "ups.test.generation", mark, true);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

void nut_upsd_done(nut_upsd_t *u)
{
    stop(&u->upsd);
    stop(&u->driver);
    if (u->dir[0])
        nftw(u->dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
    u->dir[0] = 0;
}

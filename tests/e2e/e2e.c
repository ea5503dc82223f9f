/* The end-to-end helpers: processes, bounded waits, raw protocol. */
#define _GNU_SOURCE
#include "e2e.h"

#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define START_BOUND_MS 15000
#define RUN_BOUND_MS   30000

int64_t e2e_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for a child's exit with a bound, through a pidfd (no polling). */
static int wait_exit(pid_t pid, int timeout_ms)
{
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd >= 0) {
        struct pollfd p = {.fd = pfd, .events = POLLIN};
        int r = poll(&p, 1, timeout_ms);
        close(pfd);
        if (r <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return -1;
        }
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static pid_t spawn(const char *const *argv, int out_fd, int err_fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
    if (err_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, err_fd, STDERR_FILENO);
    pid_t pid;
    int r = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    return r == 0 ? pid : -1;
}

/* Temp dirs made by the tests, removed when the program ends (their logs
 * are read after the daemons stop). */
static char *tracked[64];
static int ntracked;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tracked(void)
{
    for (int i = 0; i < ntracked; i++) {
        nftw(tracked[i], remove_one, 8, FTW_DEPTH | FTW_PHYS);
        free(tracked[i]);
    }
}

void e2e_track_dir(const char *dir)
{
    if (ntracked == 0)
        atexit(remove_tracked);
    if (ntracked < 64)
        tracked[ntracked++] = strdup(dir);
}

bool battd_start(battd_t *d, const char *const *extra)
{
    memset(d, 0, sizeof *d);
    snprintf(d->dir, sizeof d->dir, "%s/battkit-e2e.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(d->dir))
        return false;
    e2e_track_dir(d->dir);
    snprintf(d->socket, sizeof d->socket, "%s/battd.sock", d->dir);
    snprintf(d->log, sizeof d->log, "%s/battd.log", d->dir);
    const char *argv[48] = {BATTD_PATH, "-f", "--socket", d->socket, "--log-level", "debug"};
    int n = 6;
    for (int i = 0; extra && extra[i] && n < 46; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    int log = open(d->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log < 0)
        return false;
    d->pid = spawn(argv, -1, log);
    close(log);
    if (d->pid < 0)
        return false;
    /* Ready = a HELLO is answered; the bound is the only clock here. */
    int64_t end = e2e_now_ms() + START_BOUND_MS;
    int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    inotify_add_watch(ino, d->dir, IN_CREATE);
    bool ok = false;
    while (!ok && e2e_now_ms() < end) {
        int fd = raw_connect(d->socket);
        if (fd >= 0) {
            ok = raw_hello(fd);
            close(fd);
            break;
        }
        if (waitpid(d->pid, NULL, WNOHANG) == d->pid) {
            d->pid = 0;
            break;
        }
        struct pollfd p = {.fd = ino, .events = POLLIN};
        if (poll(&p, 1, 100) > 0) {
            char buf[4096];
            while (read(ino, buf, sizeof buf) > 0)
                ;
        }
    }
    close(ino);
    if (!ok) {
        fprintf(stderr, "battd did not start; its log:\n");
        char cmd[400];
        snprintf(cmd, sizeof cmd, "cat %s >&2", d->log);
        if (system(cmd) != 0)
            fprintf(stderr, "(no log)\n");
    }
    return ok;
}

int battd_stop(battd_t *d)
{
    if (d->pid <= 0)
        return -1;
    kill(d->pid, SIGTERM);
    int rc = wait_exit(d->pid, RUN_BOUND_MS);
    d->pid = 0;
    return rc;
}

bool battd_log_contains(const battd_t *d, const char *text)
{
    FILE *f = fopen(d->log, "r");
    if (!f)
        return false;
    char line[2048];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, text) != NULL;
    fclose(f);
    return found;
}

static char *read_all(int fd, int timeout_ms)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    int64_t end = e2e_now_ms() + timeout_ms;
    for (;;) {
        int left = (int)(end - e2e_now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        if (len + 1024 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = 0;
    return buf;
}

int battctl(const battd_t *d, char **out, const char *const *args)
{
    const char *argv[48] = {BATTCTL_PATH, "--socket", d->socket};
    int n = 3;
    for (int i = 0; args[i] && n < 46; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = spawn(argv, p[1], p[1]);
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        return -1;
    }
    char *text = read_all(p[0], RUN_BOUND_MS);
    close(p[0]);
    int rc = wait_exit(pid, RUN_BOUND_MS);
    if (out)
        *out = text;
    else
        free(text);
    return rc;
}

bool battctl_spawn(const battd_t *d, child_t *c, const char *const *args)
{
    const char *argv[48] = {BATTCTL_PATH, "--socket", d->socket};
    int n = 3;
    for (int i = 0; args[i] && n < 46; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int p[2];
    memset(c, 0, sizeof *c);
    if (pipe2(p, O_CLOEXEC) != 0)
        return false;
    c->pid = spawn(argv, p[1], -1);
    close(p[1]);
    c->fd = p[0];
    return c->pid > 0;
}

bool child_line(child_t *c, char *line, size_t size, int timeout_ms)
{
    int64_t end = e2e_now_ms() + timeout_ms;
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl) {
            size_t l = (size_t)(nl - c->buf);
            snprintf(line, size, "%.*s", (int)l, c->buf);
            memmove(c->buf, nl + 1, c->len - l - 1);
            c->len -= l + 1;
            return true;
        }
        int left = (int)(end - e2e_now_ms());
        struct pollfd p = {.fd = c->fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0 || c->len == sizeof c->buf)
            return false;
        ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
        if (n <= 0)
            return false;
        c->len += (size_t)n;
    }
}

int child_wait(child_t *c, int timeout_ms)
{
    int rc = wait_exit(c->pid, timeout_ms);
    close(c->fd);
    return rc;
}

bool wait_for_file(const char *dir, const char *name, int timeout_ms)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int ino = inotify_init1(IN_CLOEXEC);
    inotify_add_watch(ino, dir, IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO);
    int64_t end = e2e_now_ms() + timeout_ms;
    bool found = access(path, F_OK) == 0;
    while (!found) {
        int left = (int)(end - e2e_now_ms());
        struct pollfd p = {.fd = ino, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        char buf[4096];
        if (read(ino, buf, sizeof buf) < 0)
            break;
        found = access(path, F_OK) == 0;
    }
    close(ino);
    return found;
}

int run_detached_stderr(const char *const *argv, int err_fd)
{
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    pid_t pid = spawn(argv, null, err_fd >= 0 ? err_fd : null);
    close(null);
    return pid < 0 ? -1 : wait_exit(pid, RUN_BOUND_MS);
}

int run_detached(const char *const *argv)
{
    return run_detached_stderr(argv, -1);
}

int stop_foreign(int pid, int timeout_ms)
{
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pfd < 0)
        return -1;
    kill(pid, SIGTERM);
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    int r = poll(&p, 1, timeout_ms);
    close(pfd);
    return r == 1 ? 0 : -1;
}

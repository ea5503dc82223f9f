/* battd: boots the host on a machine description, serves clients until
 * SIGTERM/SIGINT, then stops clean (requests cancelled, handles closed,
 * drivers unloaded, pool empty: exit 0; otherwise the host's report is
 * logged and the exit status is 1). Without -f it detaches once the
 * socket is listening, so "battd && battctl list" works. */
#include "battd.h"
#include "dashboard.h"
#include "history.h"
#include "http.h"
#include "metrics.h"
#include "server.h"
#include "upower.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <initguid.h>
#include <windows.h>
#include <poclass.h>

/* ---- interface events from the host ---- */
static void on_interface(void *context, const GUID *guid, const char *path, int arrived)
{
    (void)context;
    size_t len = strlen(path) + 1;
    q_item_t *item = calloc(1, sizeof *item + len);
    if (item) {
        item->kind = Q_INTERFACE;
        item->guid = *guid;
        item->arrived = arrived != 0;
        memcpy(item->data, path, len);
        queue_push(item);
    } else {
        dlog(DLOG_ERROR, "out of memory: interface event for %s lost", path);
    }
}

/* ---- process ---- */
static void raise_fd_limit(void)
{
    /* A thousand waiting clients need a thousand descriptors. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Service mode: the parent returns once the child is serving (0) or
 * failed (1); the child keeps stderr until then so errors are seen. */
static int ready_fd = -1;

static int detach(void)
{
    int p[2];
    if (pipe(p) != 0) {
        fprintf(stderr, "battd: pipe: %s\n", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "battd: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid > 0) {
        close(p[1]);
        char c = 1;
        ssize_t n = read(p[0], &c, 1);
        _exit(n == 1 && c == 0 ? 0 : 1);
    }
    close(p[0]);
    ready_fd = p[1];
    setsid();
    if (chdir("/") != 0)
        return -1;
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
    return 0;
}

/* Once serving: stderr goes to --log-file (a symlink or hard link planted
 * there is refused, root must not append to another file) and the parent
 * learns we are ready. -1 if the log cannot be used. */
static int announce_ready(const battd_options_t *o)
{
    if (ready_fd < 0)
        return 0;
    int err = o->log_file ? state_file_open_append(o->log_file, 0640)
                          : open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (err < 0) {
        dlog(DLOG_ERROR, "log file %s: %s (not a regular file of its own?)", o->log_file,
             strerror(errno));
        return -1;
    }
    dup2(err, STDERR_FILENO);
    close(err);
    char ok = 0;
    ssize_t n = write(ready_fd, &ok, 1);
    (void)n;
    close(ready_fd);
    ready_fd = -1;
    return 0;
}

/* The pidfile by a fresh temp file and rename, 0644: its content is for everyone. */
static int write_pidfile(const char *path)
{
    char text[32];
    int len = snprintf(text, sizeof text, "%d\n", (int)getpid());
    if (state_file_write(path, text, (size_t)len, 0644) != 0) {
        dlog(DLOG_ERROR, "pidfile %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- history, live state, HTTP ---- */
static char machine_name[64] = "machine";

const char *battd_machine_name(void)
{
    return machine_name;
}

static int battd_history_start(bk_host_t *host, const battd_options_t *o)
{
    int64_t start_ms = -1;
    if (history_machine_describe(o->machine, machine_name, sizeof machine_name, &start_ms) != 0)
        start_ms = -1;
    history_set_clock(host, start_ms >= 0 ? start_ms : (int64_t)time(NULL) * 1000);
    history_open(&(history_config_t){.path = o->history_file[0] ? o->history_file : NULL,
                                     .retention_days = o->history_retention_days,
                                     .interval_s = o->history_interval_s});
    /* Without history (off, or a bad file) the live state still serves. */
    return monitor_start(host, o->history_interval_s);
}

static void battd_history_stop(void)
{
    monitor_stop();
    history_close();
}

int main(int argc, char **argv)
{
    battd_options_t o;
    int r = options_parse(argc, argv, &o);
    if (r != 0)
        return r > 0 ? 0 : 2;
    dlog_set_level(o.log_level);
    /* The host's log follows --log-level unless BATTKIT_LOG says otherwise. */
    setenv("BATTKIT_LOG", dlog_level_name(o.log_level), 0);
    if (!o.foreground && detach() != 0)
        return 1;

    /* Signals are read from a signalfd by the loop; block them before any
     * thread exists so every thread inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    int sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    raise_fd_limit();

    int exit_code = 1;
    bool pidfile_written = false;
    bk_host_t *host = NULL;
    bool machine_loaded = false;
    void *watch = NULL;
    if (sfd < 0)
        goto out;
    host = bk_host_create(
        &(bk_host_options_t){.virtual_time = o.virtual_time, .registry_file = o.registry_file});
    if (!host) {
        dlog(DLOG_ERROR, "cannot create the host");
        goto out;
    }
    if (o.store_dir && bk_host_set_driver_store(host, o.store_dir) != 0) {
        dlog(DLOG_ERROR, "driver store %s cannot be used", o.store_dir);
        goto out;
    }
    bk_status_t s = bk_host_load_machine(host, o.machine);
    if (s != 0) {
        const char *why = bk_platform_last_error();
        dlog(DLOG_ERROR, "machine %s: %s", o.machine ? o.machine : "(built-in laptop)",
             why && *why ? why : dlog_status_name(s));
        goto out;
    }
    machine_loaded = true;
    srv.listen_fd = server_listen(&o);
    if (srv.listen_fd < 0)
        goto out;
    if (o.pidfile) {
        if (write_pidfile(o.pidfile) != 0) {
            close(srv.listen_fd);
            unlink(o.socket_path);
            goto out;
        }
        pidfile_written = true;
    }
    watch = bk_host_watch_interfaces(host, on_interface, NULL);
    if (battd_history_start(host, &o) != 0) {
        close(srv.listen_fd);
        unlink(o.socket_path);
        goto out;
    }
    if (vclock_start(host, o.virtual_time ? o.virtual_factor : 0) != 0 ||
        power_start(host, &o) != 0) {
        dlog(DLOG_ERROR, "cannot start battd's threads");
        close(srv.listen_fd);
        unlink(o.socket_path);
        goto out;
    }
    /* Asked for and not possible (bus, name, policy) is an error at start. */
    if (o.upower && upower_start(host, o.upower_bus) != 0) {
        close(srv.listen_fd);
        unlink(o.socket_path);
        goto out;
    }
    if (o.http_address &&
        (dashboard_register(host, o.history_file) != 0 || metrics_register(host) != 0 ||
         http_start(o.http_address, o.http_port_file) != 0)) {
        close(srv.listen_fd);
        unlink(o.socket_path);
        goto out;
    }
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &paths);
    if (paths)
        bk_host_free_list(paths, n);
    if (o.virtual_time)
        dlog(DLOG_INFO, "serving %s: %zu batter%s, virtual time x%g", o.socket_path, n,
             n == 1 ? "y" : "ies", o.virtual_factor);
    else
        dlog(DLOG_INFO, "serving %s: %zu batter%s, real time", o.socket_path, n,
             n == 1 ? "y" : "ies");
    if (announce_ready(&o) != 0) {
        close(srv.listen_fd);
        unlink(o.socket_path);
        goto out;
    }
    exit_code = server_run(host, &o, sfd) == 0 ? 0 : 1;
out:
    http_stop();   /* before the watcher it reads */
    upower_stop(); /* the same */
    vclock_stop();
    power_stop();
    battd_history_stop();
    if (watch)
        bk_host_unwatch_interfaces(host, watch);
    if (machine_loaded)
        bk_host_unload_machine(host); /* its devices, drivers, platform device */
    if (host) {
        int leaks = bk_host_destroy(host);
        if (leaks) {
            dlog(DLOG_ERROR, "host shut down unclean:\n%s", bk_host_last_report());
            exit_code = 1;
        } else if (exit_code == 0) {
            dlog(DLOG_INFO, "stopped clean (drivers unloaded, pool empty)");
        }
    }
    if (pidfile_written)
        unlink(o.pidfile);
    if (sfd >= 0)
        close(sfd);
    return exit_code;
}

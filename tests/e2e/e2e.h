/* Helpers for the end-to-end tests: battd and battctl as child processes
 * (bounded waits on their output and exit, never sleeps), and a raw client
 * that speaks daemon/protocol.h directly. */
#ifndef TESTS_E2E_H
#define TESTS_E2E_H

#include "bk_test.h"
#include "protocol.h"
#include "raw.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct battd {
    pid_t pid;
    char dir[256]; /* private temp dir: socket, log, policy */
    char socket[300];
    char log[300];
} battd_t;

/* Starts battd -f --socket DIR/battd.sock --log-level debug plus extra
 * args (NULL-terminated); returns once the socket answers (bounded). */
bool battd_start(battd_t *d, const char *const *extra);
/* SIGTERM, then its exit status (-1 if it did not exit within the bound). */
int battd_stop(battd_t *d);
bool battd_log_contains(const battd_t *d, const char *text);

/* Runs battctl --socket d->socket ARGS...; returns its exit status and its
 * stdout+stderr (malloc'd, into *out if non-NULL). */
int battctl(const battd_t *d, char **out, const char *const *args);
#define BATTCTL(d, out, ...) battctl((d), (out), (const char *const[]){__VA_ARGS__, NULL})

/* A battctl left running (watch): pid and the read end of its stdout. */
typedef struct child {
    pid_t pid;
    int fd;
    char buf[8192];
    size_t len;
} child_t;
bool battctl_spawn(const battd_t *d, child_t *c, const char *const *args);
/* Next line of output within timeout_ms; false on timeout or end. */
bool child_line(child_t *c, char *line, size_t size, int timeout_ms);
/* Exit status within timeout_ms, or -1 (the child is then killed). */
int child_wait(child_t *c, int timeout_ms);

/* Runs a program to its end (bounded); its exit status, -1 on timeout. */
int run_detached(const char *const *argv);
/* The same with the command's stderr on err_fd (-1: /dev/null). */
int run_detached_stderr(const char *const *argv, int err_fd);
/* SIGTERM to a process that is not our child; 0 once it is gone (pidfd). */
int stop_foreign(int pid, int timeout_ms);

/* CLOCK_MONOTONIC in milliseconds, for the tests' deadlines. */
int64_t e2e_now_ms(void);

/* Removes dir (and what is in it) when the test program ends. */
void e2e_track_dir(const char *dir);

/* Waits (inotify, bounded) until dir/name exists. */
bool wait_for_file(const char *dir, const char *name, int timeout_ms);

#endif

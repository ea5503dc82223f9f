/* battd as a benchmark's child (battd_child.h). */
#define _GNU_SOURCE
#include "battd_child.h"
#include "bench_util.h"
#include "raw.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

char bench_battd_sock[300];
pid_t bench_battd_pid;
static char dir[] = "/tmp/battkit-bench.XXXXXX";

int bench_battd_start(const char *const *extra)
{
    if (!mkdtemp(dir))
        return -1;
    snprintf(bench_battd_sock, sizeof bench_battd_sock, "%s/battd.sock", dir);
    char log[320];
    snprintf(log, sizeof log, "%s/battd.log", dir);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, STDERR_FILENO);
    const char *argv[32] = {BATTD_PATH, "-f", "--socket", bench_battd_sock, "--log-level", "warn"};
    int n = 6;
    for (int i = 0; extra && extra[i] && n < 31; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    int r = posix_spawn(&bench_battd_pid, argv[0], &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd);
    if (r != 0)
        return -1;
    /* Ready when a HELLO is answered; bounded at 10 s. */
    uint64_t end = bench_now_ns() + 10000000000ull;
    while (bench_now_ns() < end) {
        int c = raw_connect(bench_battd_sock);
        if (c >= 0) {
            bool ok = raw_hello(c);
            close(c);
            if (ok)
                return 0;
        }
        struct pollfd none;
        poll(&none, 0, 20);
    }
    return -1;
}

int bench_battd_stop(void)
{
    kill(bench_battd_pid, SIGTERM);
    int status = 0;
    waitpid(bench_battd_pid, &status, 0);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

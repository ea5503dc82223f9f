/* battd's listening socket in a directory another user may write: nothing
 * they swap in after the bind redirects battd's chmod/chown (swap_after_bind.so
 * plays that user), a directory others can write without the sticky bit is
 * refused, and a sticky one (/tmp-like) still serves with a 0660 socket. */
#include "e2e.h"

#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_pid(const char *pidfile)
{
    int pid = 0;
    FILE *f = fopen(pidfile, "r");
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return pid;
}

/* battd detached on sock with a pidfile beside it; its exit status (0 once
 * it serves), the pid in *pid. stderr goes to DIR/stderr. */
static int start_detached(const char *dir, const char *sock, const char *group, int *pid)
{
    char pidfile[300], errpath[300];
    snprintf(pidfile, sizeof pidfile, "%s/battd.pid", dir);
    snprintf(errpath, sizeof errpath, "%s/stderr", dir);
    int err = open(errpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const char *argv[10] = {BATTD_PATH, "--socket", sock, "--pidfile", pidfile, "--virtual=0"};
    int n = 6;
    if (group) {
        argv[n++] = "--group";
        argv[n++] = group;
    }
    argv[n] = NULL;
    int rc = run_detached_stderr(argv, err);
    if (err >= 0)
        close(err);
    *pid = rc == 0 ? read_pid(pidfile) : 0;
    return rc;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

TEST(socket_swapped_for_a_symlink_after_bind_does_not_redirect_chmod)
{
    char dir[] = "/tmp/battkit-e2e-sock.XXXXXX";
    REQUIRE(mkdtemp(dir));
    e2e_track_dir(dir);
    char sock[300], victim[300];
    snprintf(sock, sizeof sock, "%s/battd.sock", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    int v = open(victim, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    REQUIRE(v >= 0);
    close(v);
    REQUIRE(chmod(victim, 0604) == 0);
    struct group *g = getgrgid(getegid());
    REQUIRE(g);
    char group[64];
    snprintf(group, sizeof group, "%s", g->gr_name);
    /* The swap happens after a bind to the socket's own path: where the old
     * battd bound it, before its chown and chmod by that path. */
    setenv("LD_PRELOAD", SWAP_AFTER_BIND_SO, 1);
    setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
    setenv("BK_SWAP_PATH", sock, 1);
    setenv("BK_SWAP_TARGET", victim, 1);
    int pid = 0;
    int rc = start_detached(dir, sock, group, &pid);
    unsetenv("LD_PRELOAD");
    unsetenv("BK_SWAP_PATH");
    unsetenv("BK_SWAP_TARGET");
    CHECK_EQ(rc, 0);
    CHECK_EQ(mode_of(victim), 0604); /* the old battd made it 0660 */
    struct stat st;
    CHECK(lstat(sock, &st) == 0 && S_ISSOCK(st.st_mode));
    CHECK_EQ(st.st_mode & 07777, 0660);
    int fd = raw_connect(sock);
    CHECK(fd >= 0 && raw_hello(fd));
    if (fd >= 0)
        close(fd);
    if (pid > 0)
        CHECK_EQ(stop_foreign(pid, 10000), 0);
}

TEST(socket_directory_writable_by_others_without_sticky_bit_is_refused)
{
    char dir[] = "/tmp/battkit-e2e-sock.XXXXXX";
    REQUIRE(mkdtemp(dir));
    e2e_track_dir(dir);
    char open_dir[300], sock[400], errpath[300];
    snprintf(open_dir, sizeof open_dir, "%s/open", dir);
    REQUIRE(mkdir(open_dir, 0700) == 0);
    REQUIRE(chmod(open_dir, 0777) == 0);
    snprintf(sock, sizeof sock, "%s/battd.sock", open_dir);
    int pid = 0;
    CHECK_EQ(start_detached(dir, sock, NULL, &pid), 1);
    CHECK(access(sock, F_OK) != 0);
    battd_t d = {0};
    snprintf(errpath, sizeof errpath, "%s/stderr", dir);
    snprintf(d.log, sizeof d.log, "%s", errpath);
    CHECK(battd_log_contains(&d, "writable by others without the sticky bit"));
    if (pid > 0)
        stop_foreign(pid, 10000);

    /* Sticky (/tmp's mode): others cannot rename battd's socket, so it serves. */
    REQUIRE(chmod(open_dir, 01777) == 0);
    CHECK_EQ(start_detached(dir, sock, NULL, &pid), 0);
    CHECK_EQ(mode_of(sock), 0660);
    int fd = raw_connect(sock);
    CHECK(fd >= 0 && raw_hello(fd));
    if (fd >= 0)
        close(fd);
    /* Nothing left of the private directory it bound in. */
    char cmd[500];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s | grep -v battd.sock)\"", open_dir);
    CHECK_EQ(system(cmd), 0);
    if (pid > 0)
        CHECK_EQ(stop_foreign(pid, 10000), 0);
}

TEST(a_live_battd_socket_is_not_taken_over)
{
    char dir[] = "/tmp/battkit-e2e-sock.XXXXXX";
    REQUIRE(mkdtemp(dir));
    e2e_track_dir(dir);
    char sock[300];
    snprintf(sock, sizeof sock, "%s/battd.sock", dir);
    int pid = 0, second = 0;
    REQUIRE(start_detached(dir, sock, NULL, &pid) == 0);
    CHECK_EQ(start_detached(dir, sock, NULL, &second), 1);
    int fd = raw_connect(sock);
    CHECK(fd >= 0 && raw_hello(fd));
    if (fd >= 0)
        close(fd);
    if (pid > 0)
        CHECK_EQ(stop_foreign(pid, 10000), 0);
}

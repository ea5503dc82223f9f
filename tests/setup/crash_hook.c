/* crash_hook.c: an LD_PRELOAD library for the kill -9 tests. It counts the
 * persisted steps a process takes under one directory - every open for
 * writing, write, fsync, rename, unlink, mkdir, rmdir and link there - and
 * with BK_CRASH_AT=N kills the process with SIGKILL right before the N-th,
 * as a power cut or kill -9 at that moment would. BK_CRASH_COUNT=FILE:
 * the number of steps taken so far is kept there (rewritten at every step,
 * so a test can read it while the process runs: the measuring run).
 *   BK_CRASH_DIR    the directory (absolute; only paths under it count)
 * Only what libc's exported functions do is seen, which is how battkit's
 * registry writer and driver store write (open/write/fsync/rename). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 4096

static char dir[PATH_MAX];
static size_t dir_len;
static long crash_at = -1;
static atomic_long steps;
static atomic_bool tracked[MAX_FD]; /* fds opened under dir */
static int count_fd = -1;

#define REAL(name, ret, ...)                                                                       \
    static ret (*real_##name)(__VA_ARGS__);                                                        \
    if (!real_##name)                                                                              \
        real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name);

static void publish(long n);

__attribute__((constructor)) static void hook_init(void)
{
    const char *d = getenv("BK_CRASH_DIR"), *at = getenv("BK_CRASH_AT");
    if (d && strlen(d) < sizeof dir) {
        strcpy(dir, d);
        dir_len = strlen(dir);
        while (dir_len > 1 && dir[dir_len - 1] == '/')
            dir[--dir_len] = 0;
    }
    if (at && *at)
        crash_at = atol(at);
    const char *out = getenv("BK_CRASH_COUNT");
    int (*real_open)(const char *, int, ...) =
        (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    if (out && real_open)
        count_fd = real_open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    publish(0);
    unsetenv("BK_CRASH_COUNT"); /* children (battd's helpers) do not count */
    unsetenv("LD_PRELOAD");
}

static void publish(long n)
{
    static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
    char text[24];
    if (count_fd < 0)
        return;
    if (!real_pwrite)
        real_pwrite = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
    int len = snprintf(text, sizeof text, "%20ld\n", n);
    if (real_pwrite)
        real_pwrite(count_fd, text, (size_t)len, 0);
}

/* A path under dir: absolute, or relative to the working directory or to
 * an open directory. */
static bool under(int dirfd, const char *path)
{
    char full[PATH_MAX * 2];
    if (!dir_len || !path)
        return false;
    if (path[0] == '/') {
        snprintf(full, sizeof full, "%s", path);
    } else {
        char base[PATH_MAX];
        if (dirfd == AT_FDCWD) {
            if (!getcwd(base, sizeof base))
                return false;
        } else {
            char link[64];
            snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
            ssize_t n = readlink(link, base, sizeof base - 1);
            if (n < 0)
                return false;
            base[n] = 0;
        }
        snprintf(full, sizeof full, "%s/%s", base, path);
    }
    return strncmp(full, dir, dir_len) == 0 && (full[dir_len] == '/' || full[dir_len] == 0);
}

static void step(void)
{
    long n = ++steps;
    if (crash_at > 0 && n >= crash_at)
        raise(SIGKILL);
    publish(n);
}

static bool is_tracked(int fd)
{
    return fd >= 0 && fd < MAX_FD && tracked[fd];
}

static int opened(int fd, int dirfd, const char *path)
{
    if (fd >= 0 && fd < MAX_FD)
        tracked[fd] = under(dirfd, path);
    return fd;
}

static bool writes(int flags)
{
    return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)) != 0;
}

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
    REAL(openat, int, int, const char *, int, ...);
    if (writes(flags) && under(dirfd, path))
        step();
    return opened(real_openat(dirfd, path, flags, mode), dirfd, path);
}

static mode_t mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat(AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat(dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    return do_openat(dirfd, path, flags, mode);
}

/* _FORTIFY_SOURCE's forms (no mode: O_CREAT is not allowed there). */
int __open_2(const char *path, int flags)
{
    return do_openat(AT_FDCWD, path, flags, 0);
}

int __open64_2(const char *path, int flags)
{
    return do_openat(AT_FDCWD, path, flags, 0);
}

int creat(const char *path, mode_t mode)
{
    return do_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int close(int fd)
{
    REAL(close, int, int);
    if (fd >= 0 && fd < MAX_FD)
        tracked[fd] = false;
    return real_close(fd);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write, ssize_t, int, const void *, size_t);
    if (is_tracked(fd))
        step();
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite, ssize_t, int, const void *, size_t, off_t);
    if (is_tracked(fd))
        step();
    return real_pwrite(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    REAL(writev, ssize_t, int, const struct iovec *, int);
    if (is_tracked(fd))
        step();
    return real_writev(fd, iov, n);
}

int fsync(int fd)
{
    REAL(fsync, int, int);
    if (is_tracked(fd))
        step();
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync, int, int);
    if (is_tracked(fd))
        step();
    return real_fdatasync(fd);
}

int ftruncate(int fd, off_t len)
{
    REAL(ftruncate, int, int, off_t);
    if (is_tracked(fd))
        step();
    return real_ftruncate(fd, len);
}

int rename(const char *from, const char *to)
{
    REAL(rename, int, const char *, const char *);
    if (under(AT_FDCWD, from) || under(AT_FDCWD, to))
        step();
    return real_rename(from, to);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    REAL(renameat, int, int, const char *, int, const char *);
    if (under(fd1, from) || under(fd2, to))
        step();
    return real_renameat(fd1, from, fd2, to);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    REAL(renameat2, int, int, const char *, int, const char *, unsigned);
    if (under(fd1, from) || under(fd2, to))
        step();
    return real_renameat2(fd1, from, fd2, to, flags);
}

int unlink(const char *path)
{
    REAL(unlink, int, const char *);
    if (under(AT_FDCWD, path))
        step();
    return real_unlink(path);
}

int unlinkat(int fd, const char *path, int flags)
{
    REAL(unlinkat, int, int, const char *, int);
    if (under(fd, path))
        step();
    return real_unlinkat(fd, path, flags);
}

int mkdir(const char *path, mode_t mode)
{
    REAL(mkdir, int, const char *, mode_t);
    if (under(AT_FDCWD, path))
        step();
    return real_mkdir(path, mode);
}

int mkdirat(int fd, const char *path, mode_t mode)
{
    REAL(mkdirat, int, int, const char *, mode_t);
    if (under(fd, path))
        step();
    return real_mkdirat(fd, path, mode);
}

int rmdir(const char *path)
{
    REAL(rmdir, int, const char *);
    if (under(AT_FDCWD, path))
        step();
    return real_rmdir(path);
}

int link(const char *from, const char *to)
{
    REAL(link, int, const char *, const char *);
    if (under(AT_FDCWD, to))
        step();
    return real_link(from, to);
}

int symlink(const char *target, const char *path)
{
    REAL(symlink, int, const char *, const char *);
    if (under(AT_FDCWD, path))
        step();
    return real_symlink(target, path);
}

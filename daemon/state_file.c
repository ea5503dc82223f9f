/* Files battd writes as root in directories others may reach: whole files
 * are written to a fresh O_EXCL temp file beside the target, fsync'd and
 * renamed over it (a planted symlink is replaced, never followed); logs are
 * opened for append refusing symlinks and hard links. Not the registry
 * (ntos/registry has its own writer) nor SQLite (history_db.c). */
#include "battd.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fsync_parent(const char *path)
{
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path);
    int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    int rc = fsync(dfd);
    close(dfd);
    return rc;
}

int state_file_write(const char *path, const void *data, size_t len, mode_t mode)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    /* mkostemp creates with O_EXCL: nothing planted under the name is used. */
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0)
        return -1;
    const char *p = data;
    size_t left = len;
    int saved = 0;
    if (fchmod(fd, mode) != 0)
        goto fail;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto fail;
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0)
        goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto fail;
    (void)fsync_parent(path);
    return 0;
fail:
    saved = errno ? errno : EIO;
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    errno = saved;
    return -1;
}

int state_file_open_append(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
        /* A FIFO/device, or a hard link another user made to a file of ours. */
        close(fd);
        errno = S_ISREG(st.st_mode) ? EMLINK : EINVAL;
        return -1;
    }
    return fd;
}

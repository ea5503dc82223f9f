/* battd's listening socket: made group-owned and mode 0660 where nobody else
 * can reach it (a fresh 0700 directory beside the target), then renamed into
 * place, so root never chmods or chowns by a path another user could swap
 * for a symlink. Not the clients (server.c). */
#include "battd.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SUN_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/* The socket's directory into dir ("." for a bare name); created if it is
 * missing (only the last level: /run/battkit or $XDG_RUNTIME_DIR/battkit).
 * Refused when others may write it without the sticky bit: they could
 * rename battd's socket away and put their own in its place. */
static int socket_dir(const char *path, char *dir, size_t size)
{
    snprintf(dir, size, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == dir)
        slash[1] = 0;
    else
        *slash = 0;
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT || mkdir(dir, 0755) != 0 || stat(dir, &st) != 0) {
            dlog(DLOG_ERROR, "cannot create the directory of %s: %s", path, strerror(errno));
            return -1;
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        dlog(DLOG_ERROR, "the directory of %s is not a directory", path);
        return -1;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
        dlog(DLOG_ERROR,
             "socket directory %s is writable by others without the sticky bit (mode %04o): "
             "refused",
             dir, (unsigned)(st.st_mode & 07777));
        return -1;
    }
    return 0;
}

/* True if a battd still answers on path: its socket is never taken over. */
static bool socket_answers(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool answers = fd >= 0 && connect(fd, (const struct sockaddr *)addr, sizeof *addr) == 0;
    if (fd >= 0)
        close(fd);
    return answers;
}

int server_listen(const battd_options_t *o)
{
    char dir[SUN_PATH_MAX], priv[SUN_PATH_MAX + 16];
    struct sockaddr_un target = {.sun_family = AF_UNIX}, tmp = {.sun_family = AF_UNIX};
    int fd = -1, dfd = -1;
    bool made_priv = false, bound = false;
    snprintf(target.sun_path, sizeof target.sun_path, "%s", o->socket_path);
    if (socket_dir(o->socket_path, dir, sizeof dir) != 0)
        return -1;
    gid_t gid = (gid_t)-1;
    if (o->group) {
        struct group *g = getgrnam(o->group);
        if (!g) {
            dlog(DLOG_ERROR, "--group %s: no such group", o->group);
            return -1;
        }
        gid = g->gr_gid;
    }
    if (socket_answers(&target)) {
        dlog(DLOG_ERROR, "another battd is already serving %s", o->socket_path);
        return -1;
    }
    /* The private directory beside the target (same file system, so the
     * rename below is atomic); mkdtemp makes it 0700. */
    if ((size_t)snprintf(priv, sizeof priv, "%s/.battd-XXXXXX", dir) + 2 >= SUN_PATH_MAX) {
        dlog(DLOG_ERROR, "socket directory %s: path too long for its private directory", dir);
        return -1;
    }
    if (!mkdtemp(priv)) {
        dlog(DLOG_ERROR, "cannot create a private directory in %s: %s", dir, strerror(errno));
        return -1;
    }
    made_priv = true;
    memcpy(tmp.sun_path, priv, strlen(priv)); /* fits: checked above */
    memcpy(tmp.sun_path + strlen(priv), "/s", 3);
    dfd = open(priv, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (dfd < 0 || fd < 0) {
        dlog(DLOG_ERROR, "socket: %s", strerror(errno));
        goto fail;
    }
    mode_t old = umask(0117); /* the socket file is created 0660 */
    int r = bind(fd, (struct sockaddr *)&tmp, sizeof tmp);
    umask(old);
    if (r != 0) {
        dlog(DLOG_ERROR, "bind %s: %s", tmp.sun_path, strerror(errno));
        goto fail;
    }
    bound = true;
    /* Inside the 0700 directory only root can change entries, and
     * AT_SYMLINK_NOFOLLOW: this names battd's own socket file. */
    struct stat st;
    if ((gid != (gid_t)-1 && fchownat(dfd, "s", (uid_t)-1, gid, AT_SYMLINK_NOFOLLOW) != 0) ||
        fstatat(dfd, "s", &st, AT_SYMLINK_NOFOLLOW) != 0) {
        dlog(DLOG_ERROR, "setting the group of %s: %s", o->socket_path, strerror(errno));
        goto fail;
    }
    if (!S_ISSOCK(st.st_mode) || (st.st_mode & 07777) != 0660) {
        dlog(DLOG_ERROR, "socket %s came out mode %04o, not 0660", tmp.sun_path,
             (unsigned)(st.st_mode & 07777));
        goto fail;
    }
    if (listen(fd, 512) != 0) {
        dlog(DLOG_ERROR, "listen: %s", strerror(errno));
        goto fail;
    }
    /* Replaces a dead battd's socket, or anything planted at the name
     * (a symlink is replaced, never followed), in one step. */
    if (renameat(dfd, "s", AT_FDCWD, o->socket_path) != 0) {
        dlog(DLOG_ERROR, "cannot put the socket in place at %s: %s", o->socket_path,
             strerror(errno));
        goto fail;
    }
    bound = false;
    close(dfd);
    rmdir(priv);
    return fd;
fail:
    if (bound)
        unlinkat(dfd, "s", 0);
    if (dfd >= 0)
        close(dfd);
    if (made_priv)
        rmdir(priv);
    if (fd >= 0)
        close(fd);
    return -1;
}

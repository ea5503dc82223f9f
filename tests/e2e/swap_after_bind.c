/* LD_PRELOAD into battd: plays the other user who, in a directory they can
 * write, swaps battd's freshly bound socket for a symlink before battd sets
 * its owner and mode. After a bind to exactly $BK_SWAP_PATH succeeds, the
 * socket is renamed to PATH.moved and PATH becomes a symlink to
 * $BK_SWAP_TARGET. A battd that then chmods/chowns PATH changes the target. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
    int (*real)(int, const struct sockaddr *, socklen_t) =
        (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
    int r = real(fd, addr, len);
    const char *path = getenv("BK_SWAP_PATH"), *target = getenv("BK_SWAP_TARGET");
    if (r == 0 && path && target && addr->sa_family == AF_UNIX &&
        strcmp(((const struct sockaddr_un *)addr)->sun_path, path) == 0) {
        char moved[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];
        snprintf(moved, sizeof moved, "%s.moved", path);
        if (rename(path, moved) != 0 || symlink(target, path) != 0)
            perror("swap_after_bind");
    }
    return r;
}

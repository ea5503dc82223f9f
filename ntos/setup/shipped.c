/* shipped.c: bk_host_install_shipped_drivers, installing the drivers the
 * build ships (each driver's INF beside its .so in the driver directory)
 * through their INFs, in place and trusted, as Windows' inbox drivers are:
 * `make run` and the tests bind devices this way, not by hand. */
#include "setup_internal.h"
#include "../ldr/ldr.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

bk_status_t bk_host_install_shipped_drivers(bk_host_t *host)
{
    const char *dir = ldr_driver_dir();
    setup_strv_t infs = {0};
    NTSTATUS first = STATUS_SUCCESS;
    char report[4096];
    DIR *d = opendir(dir);
    if (!d) {
        bk_log(BK_LOG_ERROR, "setup: cannot read the driver directory %s", dir);
        return STATUS_OBJECT_PATH_NOT_FOUND;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 4 && !setup_strcasecmp(e->d_name + n - 4, ".inf")) {
            char *path = setup_printf("%s/%s", dir, e->d_name);
            if (path)
                setup_strv_add(&infs, path);
            free(path);
        }
    }
    closedir(d);
    if (infs.count)
        qsort(infs.items, infs.count, sizeof(*infs.items), by_name);
    for (size_t i = 0; i < infs.count; i++) {
        NTSTATUS s = bk_host_install_inf_ex(
            host, infs.items[i], BK_SETUP_IN_PLACE | BK_SETUP_TRUSTED | BK_SETUP_NO_REBIND, report,
            sizeof report);
        if (!NT_SUCCESS(s)) {
            bk_log(BK_LOG_ERROR, "setup: shipped driver %s not installed (0x%08x):\n%s",
                   infs.items[i], (unsigned)s, report);
            if (NT_SUCCESS(first))
                first = s;
        }
    }
    setup_strv_free(&infs);
    setup_lock();
    pnp_rebind(NULL, 0);
    setup_unlock();
    return first;
}

/* Test fixture: hosts with machines, temporary files, driver directories. */
#include "fixture.h"
#include "bk_test.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char driver_dir[PATH_MAX];
static char temp_files[16][PATH_MAX];
static int ntemp;

/* A directory of symbolic links to the wanted drivers of the build. */
static const char *make_driver_dir(const char *drivers)
{
    char tmpl[] = "/tmp/bk-drivers-XXXXXX";
    if (!mkdtemp(tmpl))
        return NULL;
    snprintf(driver_dir, sizeof driver_dir, "%s", tmpl);
    char list[200];
    snprintf(list, sizeof list, "%s", drivers);
    for (char *save, *name = strtok_r(list, " ", &save); name; name = strtok_r(NULL, " ", &save)) {
        char from[PATH_MAX + 64], to[PATH_MAX + 64];
        snprintf(from, sizeof from, "%s/%s.so", BK_BUILD_DRIVER_DIR, name);
        snprintf(to, sizeof to, "%s/%s.so", driver_dir, name);
        if (symlink(from, to) != 0)
            return NULL;
        /* The driver's INF too: the machine binds devices by installing INFs. */
        snprintf(from, sizeof from, "%s/%s.inf", BK_BUILD_DRIVER_DIR, name);
        snprintf(to, sizeof to, "%s/%s.inf", driver_dir, name);
        if (access(from, R_OK) == 0 && symlink(from, to) != 0)
            return NULL;
    }
    return driver_dir;
}

bk_host_t *fx_start(const char *drivers, const char *machine_text)
{
    bk_host_options_t opt = {.virtual_time = 1, .driver_dir = BK_BUILD_DRIVER_DIR};
    if (drivers) {
        opt.driver_dir = make_driver_dir(drivers);
        if (!opt.driver_dir) {
            bk_test_fail(__FILE__, __LINE__, "cannot make a driver directory");
            return NULL;
        }
    }
    bk_host_t *h = bk_host_create(&opt);
    if (!h) {
        bk_test_fail(__FILE__, __LINE__, "bk_host_create failed");
        return NULL;
    }
    const char *file = machine_text ? fx_temp_file(".ini", machine_text) : NULL;
    bk_status_t s = bk_host_load_machine(h, file);
    if (s != 0) {
        bk_test_fail(__FILE__, __LINE__, "bk_host_load_machine: 0x%08x: %s", (unsigned)s,
                     bk_platform_last_error());
        bk_host_destroy(h);
        return NULL;
    }
    return h;
}

void fx_stop(bk_host_t *host)
{
    if (!host)
        return;
    bk_host_unload_machine(host);
    int problems = bk_host_destroy(host);
    if (problems)
        bk_test_fail(__FILE__, __LINE__, "host destroyed with problems: %s", bk_host_last_report());
    while (ntemp > 0)
        unlink(temp_files[--ntemp]);
    if (driver_dir[0]) {
        char cmd[PATH_MAX + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", driver_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", driver_dir);
        driver_dir[0] = 0;
    }
}

const char *fx_temp_file(const char *suffix, const char *text)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "/tmp/bk-test-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0)
        return NULL;
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) {
        close(fd);
        return NULL;
    }
    close(fd);
    if (ntemp < 16)
        snprintf(temp_files[ntemp++], PATH_MAX, "%s", path);
    return path;
}

void *fx_pdo(bk_host_t *host, const char *instance_path)
{
    bk_device_t *d = bk_host_find_device(host, instance_path);
    return d ? bk_device_pdo(d) : NULL;
}

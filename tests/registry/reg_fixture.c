/* See reg_fixture.h. */
#include "reg_fixture.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

static char dir[256];
static char file[300];

static void remove_dir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *e;
    char p[600];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(path);
}

const char *fixture_dir(void)
{
    return dir;
}

const char *fixture_file(void)
{
    return file;
}

void fixture_start(bool persistent)
{
    clk_init(CLK_VIRTUAL, 0);
    snprintf(dir, sizeof dir, "/tmp/bk-registry-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(file, sizeof file, "%s/registry.txt", dir);
    reg_init(persistent ? file : NULL);
}

void fixture_stop(void)
{
    reg_shutdown();
    remove_dir(dir);
}

char *fixture_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = 0;
    if (len)
        *len = (size_t)n;
    fclose(f);
    return buf;
}

void fixture_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fwrite(data, 1, len, f);
    fclose(f);
}

bool fixture_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

reg_key_t *fixture_key(const char *path)
{
    reg_key_t *k = NULL;
    NTSTATUS s = reg_open(path, true, &k);
    CHECK_STATUS(s, STATUS_SUCCESS);
    return k;
}

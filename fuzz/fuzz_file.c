/* fuzz_file.c: see fuzz_file.h. */
#include "fuzz_file.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static void remove_dir(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

const char *fuzz_file_path(const char *name)
{
    static char path[256];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/bk-fuzz-XXXXXX");
        if (!mkdtemp(dir))
            abort();
        atexit(remove_dir);
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

void fuzz_file_write(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "fuzz: cannot write %s\n", path);
        abort();
    }
}

unsigned fuzz_file_lines(const void *data, size_t size, bool cr_ends_lines)
{
    const char *p = data;
    unsigned n = 1;
    for (size_t i = 0; i < size; i++)
        n += p[i] == '\n' || (cr_ends_lines && p[i] == '\r' && (i + 1 == size || p[i + 1] != '\n'));
    return n;
}

void fuzz_file_check_error(const char *what, const char *msg, const char *file, unsigned lines)
{
    size_t fl = strlen(file);
    char *end = NULL;
    unsigned long line = 0;
    if (strncmp(msg, file, fl) == 0 && msg[fl] == ':') {
        line = strtoul(msg + fl + 1, &end, 10);
        if (end == msg + fl + 1 || strncmp(end, ": ", 2) != 0 || !end[2])
            end = NULL;
    }
    if (!end || line < 1 || line > lines + 1) {
        fprintf(stderr, "%s: refusal without %s:LINE (1..%u): \"%s\"\n", what, file, lines, msg);
        abort();
    }
}

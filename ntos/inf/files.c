/* files.c: finding the files an INF names on a Linux file system, where names
 * are case-sensitive but Windows names are not, and where battkit builds a
 * driver NAME.sys as the shared object NAME.so. */
#include "inf_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *find_exact_or_case(const char *dir, const char *name)
{
    char *path = join(dir, name);
    if (!path || is_file(path))
        return path;
    free(path);
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *found = NULL;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        if (bk_strcaseeq(e->d_name, name)) {
            found = join(dir, e->d_name);
            if (found && !is_file(found)) {
                free(found);
                found = NULL;
            }
        }
    }
    closedir(d);
    return found;
}

char *bk_inf_find_file(const char *dir, const char *name)
{
    if (!name || !*name || strchr(name, '/') || strchr(name, '\\') || !strcmp(name, ".") ||
        !strcmp(name, ".."))
        return NULL;
    char *p = find_exact_or_case(dir, name);
    if (p)
        return p;
    size_t n = strlen(name);
    if (n > 4 && bk_strcaseeq(name + n - 4, ".sys")) {
        char so[FILENAME_MAX];
        if (n - 4 + 4 > sizeof(so))
            return NULL;
        snprintf(so, sizeof(so), "%.*s.so", (int)(n - 4), name);
        p = find_exact_or_case(dir, so);
    }
    return p;
}

/* store.c: the driver store on disk. A package lives in
 * <store>/<inf name>_<hash>/ (the hash covers the INF and every file, so the
 * same package always lands in the same directory). Files are copied into a
 * temp directory, fsynced, and renamed into place; a package is removed by
 * renaming it to a temp name first. gc removes what a crash left behind:
 * temp directories and package directories no record refers to. */
#include "setup_internal.h"

#include <battkit/state_dir.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAGING_PREFIX  ".staging-"
#define REMOVING_PREFIX ".removing-"

static char store_root[SETUP_PATH_MAX];

int bk_setup_default_paths(char *registry_file, size_t registry_len, char *store_dir,
                           size_t store_len)
{
    char state[SETUP_PATH_MAX];
    if (bk_state_dir(state, sizeof state) != 0)
        return -1;
    if (registry_file &&
        (size_t)snprintf(registry_file, registry_len, "%s/registry", state) >= registry_len)
        return -1;
    if (store_dir && (size_t)snprintf(store_dir, store_len, "%s/driverstore", state) >= store_len)
        return -1;
    return 0;
}

bk_status_t bk_host_set_driver_store(bk_host_t *host, const char *dir)
{
    (void)host;
    if (dir && strlen(dir) >= sizeof store_root)
        return STATUS_INVALID_PARAMETER;
    setup_lock();
    snprintf(store_root, sizeof store_root, "%s", dir ? dir : "");
    setup_unlock();
    return STATUS_SUCCESS;
}

const char *setup_store_root(void)
{
    if (!store_root[0] && bk_setup_default_paths(NULL, 0, store_root, sizeof store_root) != 0)
        snprintf(store_root, sizeof store_root, "/tmp/battkit-driverstore");
    return store_root;
}

const char *bk_host_driver_store(bk_host_t *host)
{
    (void)host;
    return setup_store_root();
}

/* ---- hashing ---- */
uint64_t setup_hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull; /* the 64-bit FNV prime */
    }
    return h;
}

bool setup_hash_file(uint64_t *h, const char *path)
{
    unsigned char buf[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        *h = setup_hash_bytes(*h, buf, (size_t)n);
    close(fd);
    return n == 0;
}

/* ---- directories ---- */
bool setup_mkdirs(const char *dir)
{
    char p[SETUP_PATH_MAX];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return false;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return false;
        *s = '/';
    }
    return mkdir(p, 0755) == 0 || errno == EEXIST;
}

static void fsync_path(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static bool copy_file(const char *from, const char *to)
{
    unsigned char buf[65536];
    bool ok = false;
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    if (in < 0 || out < 0)
        goto done;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n == 0)
            break;
        if (n < 0)
            goto done;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0)
                goto done;
            off += w;
        }
    }
    ok = fsync(out) == 0;
done:
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        ok = false;
    return ok;
}

/* rm -r of a directory the store made (regular files and directories only). */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *sub = setup_printf("%s/%s", path, e->d_name);
            struct stat st;
            if (sub && lstat(sub, &st) == 0) {
                if (S_ISDIR(st.st_mode))
                    remove_tree(sub);
                else
                    unlink(sub);
            }
            free(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

static char *temp_name(const char *root, const char *prefix, const char *what)
{
    static unsigned counter;
    return setup_printf("%s/%s%s.%d.%u", root, prefix, what, (int)getpid(),
                        __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST));
}

NTSTATUS setup_store_place(const char *root, const char *dirname, const setup_file_t *files,
                           size_t nfiles, bool *created, setup_report_t *r)
{
    NTSTATUS s = STATUS_SUCCESS;
    char *final = setup_printf("%s/%s", root, dirname);
    char *temp = temp_name(root, STAGING_PREFIX, dirname);
    struct stat st;
    *created = false;
    if (!final || !temp) {
        s = STATUS_INSUFFICIENT_RESOURCES;
        goto out;
    }
    if (stat(final, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* The same name is the same content: nothing to copy. */
        setup_report(r, "store: %s is already in the store", final);
        goto out;
    }
    if (!setup_mkdirs(root) || mkdir(temp, 0755) != 0) {
        setup_report(r, "store: cannot create %s: %s", temp, strerror(errno));
        s = STATUS_ACCESS_DENIED;
        goto out;
    }
    for (size_t i = 0; i < nfiles; i++) {
        char *to = setup_printf("%s/%s", temp, files[i].stored_name);
        bool ok = to && copy_file(files[i].source, to);
        if (!ok)
            setup_report(r, "store: cannot copy %s to %s: %s", files[i].source,
                         to ? to : "(no memory)", strerror(errno));
        free(to);
        if (!ok) {
            s = STATUS_UNSUCCESSFUL;
            goto fail;
        }
    }
    fsync_path(temp);
    if (setup_fault(BK_SETUP_AT_FILES_STAGED)) {
        setup_report(r, "store: stopped after staging by the test hook");
        s = STATUS_UNSUCCESSFUL;
        goto fail;
    }
    if (rename(temp, final) != 0) {
        setup_report(r, "store: cannot rename %s to %s: %s", temp, final, strerror(errno));
        s = STATUS_UNSUCCESSFUL;
        goto fail;
    }
    fsync_path(root);
    *created = true;
    setup_report(r, "store: copied %zu file%s to %s", nfiles, nfiles == 1 ? "" : "s", final);
    goto out;
fail:
    remove_tree(temp);
out:
    free(final);
    free(temp);
    return s;
}

void setup_store_remove(const char *dir)
{
    char *slash = strrchr(dir, '/');
    char *root = slash ? strndup(dir, (size_t)(slash - dir)) : strdup(".");
    char *temp = root ? temp_name(root, REMOVING_PREFIX, slash ? slash + 1 : dir) : NULL;
    if (temp && rename(dir, temp) == 0) {
        fsync_path(root);
        remove_tree(temp);
    } else {
        remove_tree(dir);
    }
    free(root);
    free(temp);
}

/* "<name>_<16 lower-case hex digits>": a package directory the store made. */
static bool package_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 18 || name[n - 17] != '_')
        return false;
    for (size_t i = n - 16; i < n; i++) {
        char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

void setup_store_gc(const char *root)
{
    setup_strv_t names = {0}, dirs = {0};
    DIR *d = opendir(root);
    if (!d)
        return;
    setup_record_names(&names);
    for (size_t i = 0; i < names.count; i++) {
        setup_record_t rec;
        if (setup_record_read(names.items[i], &rec)) {
            if (!rec.in_place && rec.store_dir)
                setup_strv_add(&dirs, rec.store_dir);
            setup_record_free(&rec);
        }
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        bool temp = !strncmp(e->d_name, STAGING_PREFIX, strlen(STAGING_PREFIX)) ||
                    !strncmp(e->d_name, REMOVING_PREFIX, strlen(REMOVING_PREFIX));
        if (!temp && !package_name(e->d_name))
            continue;
        char *path = setup_printf("%s/%s", root, e->d_name);
        if (path && (temp || !setup_strv_has(&dirs, path))) {
            bk_log(BK_LOG_INFO, "setup: store: removing %s (left by an interrupted %s)", path,
                   temp ? "operation" : "install or uninstall");
            remove_tree(path);
        }
        free(path);
    }
    closedir(d);
    setup_strv_free(&names);
    setup_strv_free(&dirs);
}

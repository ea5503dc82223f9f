/* The installer tests' fixture: see setup_fixture.h. */
#include "setup_fixture.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_rf(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

bool fx_begin(fx_t *fx)
{
    const char *tmp = getenv("TMPDIR");
    memset(fx, 0, sizeof(*fx));
    snprintf(fx->dir, sizeof fx->dir, "%s/battkit-setup-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx->dir)) {
        bk_test_fail(__FILE__, __LINE__, "mkdtemp: %s", strerror(errno));
        return false;
    }
    snprintf(fx->registry, sizeof fx->registry, "%s/registry", fx->dir);
    snprintf(fx->store, sizeof fx->store, "%s/store", fx->dir);
    mkdir(fx->store, 0755);
    fx_restart(fx);
    return fx->host != NULL;
}

void fx_restart(fx_t *fx)
{
    if (fx->host) {
        int leaks = bk_host_destroy(fx->host);
        if (leaks)
            bk_test_fail(__FILE__, __LINE__, "host not clean: %s", bk_host_last_report());
    }
    /* The build's driver directory (where pnp_testfn.so is), named every
     * time: the loader keeps the last one a host was given. */
    fx->host = bk_host_create(&(bk_host_options_t){
        .virtual_time = 1, .registry_file = fx->registry, .driver_dir = PNPTEST_DRIVER_DIR});
    if (!fx->host)
        bk_test_fail(__FILE__, __LINE__, "bk_host_create failed");
    else
        bk_host_set_driver_store(fx->host, fx->store);
}

void fx_done(fx_t *fx)
{
    if (fx->host) {
        int leaks = bk_host_destroy(fx->host);
        if (leaks)
            bk_test_fail(__FILE__, __LINE__, "host not clean: %s", bk_host_last_report());
        fx->host = NULL;
    }
    bk_setup_set_fault_hook(NULL, NULL);
    if (fx->dir[0] && !getenv("SETUP_TEST_KEEP"))
        rm_rf(fx->dir);
}

void fx_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        bk_test_fail(__FILE__, __LINE__, "%s: %s", path, strerror(errno));
        return;
    }
    fputs(text, f);
    fclose(f);
}

char *fx_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = 0;
    return buf;
}

static void copy_file(const char *from, const char *to)
{
    char *data = NULL;
    size_t n = 0;
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    if (in && out) {
        char buf[65536];
        while ((n = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, n, out);
    } else {
        bk_test_fail(__FILE__, __LINE__, "copy %s -> %s: %s", from, to, strerror(errno));
    }
    if (in)
        fclose(in);
    if (out)
        fclose(out);
    free(data);
}

const char *fx_package(fx_t *fx, const fx_pkg_t *p)
{
    static char slots[5][512];
    static int next;
    char *inf = slots[next++ % 5];
    const char *service = p->service ? p->service : p->name;
    char dir[400], so[512];
    snprintf(dir, sizeof dir, "%s/%s", fx->dir, p->name);
    mkdir(dir, 0755);
    snprintf(inf, sizeof slots[0], "%s/%s.inf", dir, p->name);
    snprintf(so, sizeof so, "%s/%s.so", dir, service);
    copy_file(PNPTEST_DRIVER_DIR "/pnp_testfn.so", so);
    const char *nt = p->no_nt ? "" : ".NT";
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fprintf(f,
            "; %s: a test package for the installer tests\n"
            "[Version]\n"
            "Signature = \"$WINDOWS NT$\"\n"
            "%s\n"
            "Provider = %%Prov%%\n"
            "DriverVer = %s\n"
            "\n"
            "[DestinationDirs]\n"
            "DefaultDestDir = 12\n"
            "\n"
            "[SourceDisksNames]\n"
            "1 = %%Disk%%\n"
            "\n"
            "[SourceDisksFiles]\n"
            "%s.sys = 1\n"
            "\n"
            "[Manufacturer]\n"
            "%%Prov%% = Models,NTamd64\n"
            "\n"
            "[Models.NTamd64]\n"
            "%%Desc%% = Inst, %s\n"
            "\n"
            "[Inst%s]\n"
            "CopyFiles = @%s.sys\n"
            "%s\n"
            "\n"
            "[Inst%s.HW]\n"
            "%s\n"
            "\n"
            "[Inst%s.Services]\n"
            "AddService = %s, 0x00000002, Service_Inst\n"
            "\n"
            "[Service_Inst]\n"
            "DisplayName = %%Desc%%\n"
            "ServiceType = %s\n"
            "StartType = 3\n"
            "ErrorControl = 1\n"
            "ServiceBinary = %%12%%\\%s.sys\n"
            "%s\n"
            "\n"
            "%s\n"
            "[Strings]\n"
            "Prov = \"battkit tests\"\n"
            "Disk = \"test disk\"\n"
            "Desc = \"%s test device\"\n",
            p->name,
            p->class_lines ? p->class_lines
                           : "Class = System\nClassGuid = {4d36e97d-e325-11ce-bfc1-08002be10318}",
            p->driver_ver ? p->driver_ver : "01/01/2025,1.0.0.0", service, p->model, nt, service,
            p->install_lines ? p->install_lines : "", nt, p->hw_lines ? p->hw_lines : "", nt,
            service, p->service_type ? p->service_type : "1", service,
            p->service_lines ? p->service_lines : "", p->sections ? p->sections : "", p->name);
    fclose(f);
    fx_write(inf, text);
    free(text);
    return inf;
}

char *fx_registry_dump(fx_t *fx)
{
    bk_status_t s = bk_registry_flush();
    if (s != 0)
        bk_test_fail(__FILE__, __LINE__, "bk_registry_flush: 0x%08x", (unsigned)s);
    char *d = fx_slurp(fx->registry);
    return d ? d : strdup("(no registry file)");
}

static uint64_t fnv_file(const char *path)
{
    uint64_t h = 0xcbf29ce484222325ull;
    FILE *f = fopen(path, "rb");
    int c;
    while (f && (c = fgetc(f)) != EOF) {
        h ^= (unsigned char)c;
        h *= 0x100000001b3ull;
    }
    if (f)
        fclose(f);
    return h;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const char *root, const char *rel, char ***lines, size_t *n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char sub[1024], full[1100], line[1300];
        struct stat st;
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        if (lstat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            snprintf(line, sizeof line, "%s/", sub);
        else
            snprintf(line, sizeof line, "%s %lld %016llx", sub, (long long)st.st_size,
                     (unsigned long long)fnv_file(full));
        *lines = realloc(*lines, (*n + 1) * sizeof(**lines));
        (*lines)[(*n)++] = strdup(line);
        if (S_ISDIR(st.st_mode))
            walk(root, sub, lines, n);
    }
    if (d)
        closedir(d);
}

char *fx_listing(const char *dir)
{
    char **lines = NULL, *out = NULL;
    size_t n = 0, len = 0;
    walk(dir, "", &lines, &n);
    if (n)
        qsort(lines, n, sizeof(*lines), cmp_str);
    FILE *f = open_memstream(&out, &len);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s\n", lines[i]);
        free(lines[i]);
    }
    fclose(f);
    free(lines);
    return out;
}

char *fx_state(fx_t *fx)
{
    char *reg = fx_registry_dump(fx), *store = fx_listing(fx->store), *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    fprintf(f, "== registry\n%s== store\n%s", reg, store);
    fclose(f);
    free(reg);
    free(store);
    return out;
}

bool fx_same(const char *what, const char *a, const char *b)
{
    if (!strcmp(a, b))
        return true;
    size_t line = 1, i = 0;
    for (; a[i] && a[i] == b[i]; i++)
        line += a[i] == '\n';
    size_t start = i;
    while (start && a[start - 1] != '\n')
        start--;
    fprintf(stderr, "%s differs at line %zu:\n  before: %.*s\n  after:  %.*s\n", what, line,
            (int)strcspn(a + start, "\n"), a + start, (int)strcspn(b + start, "\n"), b + start);
    return false;
}

char *fx_reg_string(const char *path, const char *name)
{
    reg_key_t *k;
    char buf[1024];
    if (!NT_SUCCESS(reg_open(path, false, &k)))
        return NULL;
    NTSTATUS s = reg_get_string(k, name, buf, sizeof buf);
    reg_close(k);
    return NT_SUCCESS(s) ? strdup(buf) : NULL;
}

bool fx_reg_exists(const char *path)
{
    reg_key_t *k;
    if (!NT_SUCCESS(reg_open(path, false, &k)))
        return false;
    reg_close(k);
    return true;
}

const char *fx_device_service(bk_device_t *dev)
{
    static char service[128];
    char path[512];
    snprintf(path, sizeof path, "%s\\%s", FX_ENUM, bk_device_instance_path(dev));
    char *s = fx_reg_string(path, "Service");
    snprintf(service, sizeof service, "%s", s ? s : "");
    free(s);
    return service;
}

bk_device_t *fx_add_root(fx_t *fx, const char *hardware_id, const char *instance)
{
    bk_device_t *dev = NULL;
    bk_status_t s = bk_host_add_root_device(fx->host, hardware_id, NULL, instance, NULL, &dev);
    if (s != 0)
        bk_test_fail(__FILE__, __LINE__, "bk_host_add_root_device(%s): 0x%08x", hardware_id,
                     (unsigned)s);
    return dev;
}

void fx_knob(const char *so_path, int knob, long value)
{
    void *h = dlopen(so_path, RTLD_NOW | RTLD_NOLOAD);
    void (*set)(int, long) = h ? (void (*)(int, long))dlsym(h, "pnptest_set") : NULL;
    if (!set)
        bk_test_fail(__FILE__, __LINE__, "%s is not loaded", so_path);
    else
        set(knob, value);
    if (h)
        dlclose(h);
}

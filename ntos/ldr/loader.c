/* The loader: starts drivers by service name (the built-in table, shipped as
 * shared objects beside the host) or from a shared object by path, both the
 * same way: dlopen, DRIVER_OBJECT, DriverEntry. It also knows each module's
 * address range, which is how the pool attributes allocations to drivers. */
#define _GNU_SOURCE
#include "../private.h"
#include "ldr.h"

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define DRIVER_OBJECT_TAG 'rvDI'
#define MAX_MODULES       64

/* Built-in drivers: service name -> shared object in the driver directory. */
static const struct builtin_driver {
    const char *service;
    const char *file;
} builtin_drivers[] = {
    {"battc", "battc.so"},     {"simbatt", "simbatt.so"},   {"cmbatt", "cmbatt.so"},
    {"acpi", "acpi.so"},       {"compbatt", "compbatt.so"}, {"psbatt", "psbatt.so"},
    {"nutbatt", "nutbatt.so"},
};

static ldr_module_t *modules[MAX_MODULES];
static int module_count;
static pthread_mutex_t ldr_lock = PTHREAD_MUTEX_INITIALIZER;
static char driver_dir[PATH_MAX];

void ldr_set_driver_dir(const char *dir)
{
    snprintf(driver_dir, sizeof driver_dir, "%s", dir ? dir : "");
}

const char *ldr_driver_dir(void)
{
    if (driver_dir[0] == 0) {
        const char *env = getenv("BATTKIT_DRIVER_DIR");
        if (env && *env)
            ldr_set_driver_dir(env);
        else if (access(BATTKIT_BUILD_DRIVER_DIR, R_OK) == 0)
            ldr_set_driver_dir(BATTKIT_BUILD_DRIVER_DIR);
        else
            ldr_set_driver_dir(BATTKIT_INSTALL_DRIVER_DIR);
    }
    return driver_dir;
}

/* Bumped whenever the module table changes, so a cached answer of
 * ldr_owner_of is only trusted while the table it came from stands. */
static uint64_t ldr_generation;

/* Per thread, by call site: the pool asks ldr_owner_of on every
 * allocation (a battery query makes several), and a call site keeps its
 * owner until a module is loaded or unloaded. Direct-mapped. */
#define OWNER_CACHE_SLOTS 16
struct owner_cache_entry {
    uintptr_t address;
    uint64_t generation; /* 0: empty (the table starts at generation 1) */
    const void *owner;
};
static __thread struct owner_cache_entry owner_cache[OWNER_CACHE_SLOTS]
    __attribute__((tls_model("initial-exec")));

static uint64_t owner_scans;

uint64_t ldr_owner_scans(void)
{
    return __atomic_load_n(&owner_scans, __ATOMIC_RELAXED);
}

static const void *owner_scan(uintptr_t a)
{
    __atomic_fetch_add(&owner_scans, 1, __ATOMIC_RELAXED); /* the slow path only */
    for (int i = 0; i < module_count; i++) {
        ldr_module_t *m = modules[i];
        if (m && a >= m->base && a < m->end)
            return m;
    }
    return NULL;
}

const void *ldr_owner_of(const void *code_address)
{
    uintptr_t a = (uintptr_t)code_address;
    if (!a)
        return NULL;
    uint64_t generation = __atomic_load_n(&ldr_generation, __ATOMIC_ACQUIRE) + 1;
    struct owner_cache_entry *e = &owner_cache[(a >> 2) % OWNER_CACHE_SLOTS];
    if (e->address == a && e->generation == generation)
        return e->owner;
    const void *owner = owner_scan(a);
    *e = (struct owner_cache_entry){a, generation, owner};
    return owner;
}

struct range_query {
    uintptr_t load_address;
    uintptr_t lo, hi;
    bool found;
};

static int find_range(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct range_query *q = data;
    if (info->dlpi_addr != q->load_address)
        return 0;
    q->lo = UINTPTR_MAX;
    q->hi = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if (lo < q->lo)
            q->lo = lo;
        if (hi > q->hi)
            q->hi = hi;
    }
    q->found = q->hi > q->lo;
    return q->found;
}

static bool module_range(void *handle, uintptr_t *lo, uintptr_t *hi)
{
    struct link_map *lm = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm)
        return false;
    struct range_query q = {.load_address = lm->l_addr};
    dl_iterate_phdr(find_range, &q);
    *lo = q.lo;
    *hi = q.hi;
    return q.found;
}

/* Set by the registry side of the host: an installed service's ImagePath
 * (...\\Services\\<name>), as the INF installer recorded it. */
bool (*ldr_service_image_path)(const char *service, char *buf, size_t len);

static const char *resolve_path(const char *service, const char *path, char *buf, size_t len)
{
    if (path && *path)
        return path;
    if (ldr_service_image_path && ldr_service_image_path(service, buf, len))
        return buf;
    for (size_t i = 0; i < RTL_NUMBER_OF(builtin_drivers); i++) {
        if (strcmp(builtin_drivers[i].service, service) == 0) {
            snprintf(buf, len, "%s/%s", ldr_driver_dir(), builtin_drivers[i].file);
            return buf;
        }
    }
    return NULL;
}

ldr_module_t *ldr_find(const char *service)
{
    ldr_module_t *found = NULL;
    pthread_mutex_lock(&ldr_lock);
    for (int i = 0; i < module_count; i++)
        if (modules[i] && strcmp(modules[i]->service, service) == 0)
            found = modules[i];
    pthread_mutex_unlock(&ldr_lock);
    return found;
}

/* Maps a shared object and records its range. Export drivers (battc) are
 * mapped this way too, so their pool blocks are attributed to them. */
static NTSTATUS map_module(const char *service, const char *path, ldr_module_t **out)
{
    char resolved[PATH_MAX];
    *out = NULL;
    if (!realpath(path, resolved)) {
        bk_log(BK_LOG_ERROR, "driver %s: %s: not found", service, path);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    /* Export drivers the module imports (battc.so) must be mapped and
     * registered first, from the same directory. */
    void *handle = dlopen(resolved, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        bk_log(BK_LOG_ERROR, "driver %s: %s", service, dlerror());
        return STATUS_DRIVER_UNABLE_TO_LOAD;
    }
    ldr_module_t *m = calloc(1, sizeof(*m));
    if (!m) {
        dlclose(handle);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    snprintf(m->service, sizeof m->service, "%s", service);
    snprintf(m->path, sizeof m->path, "%s", resolved);
    m->handle = handle;
    if (!module_range(handle, &m->base, &m->end))
        bk_log(BK_LOG_WARN, "driver %s: address range unknown; pool attribution off", service);
    pthread_mutex_lock(&ldr_lock);
    if (module_count == MAX_MODULES) {
        pthread_mutex_unlock(&ldr_lock);
        dlclose(handle);
        free(m);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    modules[module_count++] = m;
    __atomic_add_fetch(&ldr_generation, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&ldr_lock);
    *out = m;
    return STATUS_SUCCESS;
}

static void set_unicode(PUNICODE_STRING s, WCHAR *storage, size_t chars, const char *prefix,
                        const char *name)
{
    char text[256];
    snprintf(text, sizeof text, "%s%s", prefix, name);
    size_t n = rtl_utf8_to_utf16(text, storage, chars);
    s->Buffer = storage;
    s->Length = (USHORT)(n * sizeof(WCHAR));
    s->MaximumLength = (USHORT)(chars * sizeof(WCHAR));
}

/* Export drivers a miniclass imports; mapped before the miniclass so their
 * ranges are known when the miniclass's DriverEntry first calls them. */
static void map_export_dependencies(const char *path)
{
    (void)path;
    if (ldr_find("battc"))
        return;
    char buf[PATH_MAX];
    const char *battc = resolve_path("battc", NULL, buf, sizeof buf);
    ldr_module_t *m;
    if (battc && access(battc, R_OK) == 0 && NT_SUCCESS(map_module("battc", battc, &m)))
        m->export_driver = true;
}

NTSTATUS ldr_load_driver(const char *service, const char *path, PDRIVER_OBJECT *out)
{
    char buf[PATH_MAX];
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    *out = NULL;
    ldr_module_t *existing = ldr_find(service);
    if (existing && existing->driver) {
        *out = existing->driver;
        return STATUS_SUCCESS;
    }
    const char *file = resolve_path(service, path, buf, sizeof buf);
    if (!file) {
        bk_log(BK_LOG_ERROR, "driver %s: no built-in driver of that name and no path", service);
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    map_export_dependencies(file);
    ldr_module_t *m = existing;
    NTSTATUS status = m ? STATUS_SUCCESS : map_module(service, file, &m);
    if (!NT_SUCCESS(status))
        return status;
    PDRIVER_INITIALIZE entry = (PDRIVER_INITIALIZE)dlsym(m->handle, "DriverEntry");
    if (!entry) {
        bk_log(BK_LOG_ERROR, "driver %s: %s has no DriverEntry", service, m->path);
        status = STATUS_DRIVER_UNABLE_TO_LOAD;
        goto fail;
    }
    PDRIVER_OBJECT drv = ex_alloc(NonPagedPoolNx, sizeof(DRIVER_OBJECT) + sizeof(DRIVER_EXTENSION),
                                  DRIVER_OBJECT_TAG, true, NULL);
    if (!drv) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    io_init_driver_object(drv, (PDRIVER_EXTENSION)(drv + 1), NULL);
    drv->DriverSection = m;
    drv->DriverStart = (PVOID)m->base;
    drv->DriverSize = (ULONG)(m->end - m->base);
    drv->DriverInit = entry;
    set_unicode(&drv->DriverName, m->driver_name, RTL_NUMBER_OF(m->driver_name), "\\Driver\\",
                service);
    set_unicode(&m->registry_path, m->registry_path_buf, RTL_NUMBER_OF(m->registry_path_buf),
                "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\", service);
    set_unicode(&drv->DriverExtension->ServiceKeyName, m->service_w, RTL_NUMBER_OF(m->service_w),
                "", service);
    m->driver = drv;
    status = entry(drv, &m->registry_path);
    if (!NT_SUCCESS(status)) {
        bk_log(BK_LOG_ERROR, "driver %s: DriverEntry failed with 0x%08x", service,
               (unsigned)status);
        m->driver = NULL;
        ex_free(drv, DRIVER_OBJECT_TAG, true);
        goto fail;
    }
    bk_log(BK_LOG_INFO, "driver %s loaded from %s", service, m->path);
    *out = drv;
    return STATUS_SUCCESS;
fail:
    ldr_forget(m);
    return status;
}

void ldr_forget(ldr_module_t *m)
{
    pthread_mutex_lock(&ldr_lock);
    for (int i = 0; i < module_count; i++) {
        if (modules[i] == m) {
            modules[i] = modules[--module_count];
            break;
        }
    }
    __atomic_add_fetch(&ldr_generation, 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&ldr_lock);
    /* Under AddressSanitizer keep the mapping so leak reports can name code. */
    if (!getenv("BATTKIT_NO_DLCLOSE"))
        dlclose(m->handle);
    free(m);
}

/* IoCreateDevice's tag: one pool block per device object. */
static void count_device_blocks(ULONG tag, SIZE_T size, void *ctx)
{
    (void)size;
    if (tag == 'veDI')
        ++*(size_t *)ctx;
}

NTSTATUS ldr_unload_driver(PDRIVER_OBJECT drv, char *report, size_t report_len)
{
    ldr_module_t *m = drv->DriverSection;
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (report_len)
        report[0] = 0;
    /* A device still in a PnP stack must be removed first; a legacy driver's
     * own control devices are its Unload routine's to delete. */
    for (PDEVICE_OBJECT d = drv->DeviceObject; d; d = d->NextDevice) {
        if (d->AttachedDevice || ob_lower_device(d) || d->DeviceObjectExtension->DeviceNode) {
            snprintf(report, report_len, "driver %s still has devices in a device stack",
                     m->service);
            return STATUS_DEVICE_BUSY;
        }
    }
    /* A device object deleted but still referenced (a handle open on it)
     * would outlive the code its IRPs call into: refuse until it is gone. */
    size_t devices = 0, listed = 0;
    ex_pool_walk(m, count_device_blocks, &devices);
    for (PDEVICE_OBJECT d = drv->DeviceObject; d; d = d->NextDevice)
        listed++;
    if (devices > listed) {
        snprintf(report, report_len, "driver %s has %zu deleted device object(s) still referenced",
                 m->service, devices - listed);
        return STATUS_DEVICE_BUSY;
    }
    if (drv->DriverUnload)
        drv->DriverUnload(drv);
    ke_settle(); /* work items the unload queued finish before the check */
    if (drv->DeviceObject) {
        snprintf(report, report_len, "driver %s left device objects after its Unload routine",
                 m->service);
        bk_log(BK_LOG_ERROR, "%s", report);
        return STATUS_DEVICE_BUSY;
    }
    m->driver = NULL;
    ex_free(drv, DRIVER_OBJECT_TAG, true);
    size_t leaked = ex_pool_leak_report(m, report, report_len);
    if (leaked) {
        bk_log(BK_LOG_ERROR, "driver %s unloaded with %zu pool block(s) outstanding: %s",
               m->service, leaked, report);
        ldr_forget(m);
        return STATUS_UNSUCCESSFUL;
    }
    ldr_forget(m);
    return STATUS_SUCCESS;
}

int ldr_module_count(void)
{
    return module_count;
}

ldr_module_t *ldr_module_at(int i)
{
    return i < module_count ? modules[i] : NULL;
}

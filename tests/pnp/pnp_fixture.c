/* The PnP test fixture: see pnp_fixture.h. */
#include <initguid.h>
#include "pnp_fixture.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

pnp_test_driver_t fx_fn = {.service = "pnp_testfn"};
pnp_test_driver_t fx_alt = {.service = "pnp_altfn"};
pnp_test_driver_t fx_leak = {.service = "pnp_leakfn"};
pnp_test_driver_t fx_bus = {.service = "pnp_testbus"};
static pnp_test_driver_t *const drivers[] = {&fx_fn, &fx_alt, &fx_leak, &fx_bus};

/* The tests map each driver first: the loader's dlopen then shares the
 * mapping, and the driver's log stays readable after DriverUnload. */
static void map_driver(pnp_test_driver_t *d)
{
    if (d->handle)
        return;
    snprintf(d->path, sizeof d->path, "%s/%s.so", PNPTEST_DRIVER_DIR, d->service);
    d->handle = dlopen(d->path, RTLD_NOW | RTLD_LOCAL);
    if (!d->handle) {
        fprintf(stderr, "fixture: %s\n", dlerror());
        abort();
    }
    d->log = (const char *(*)(void))dlsym(d->handle, "pnptest_log");
    d->reset = (void (*)(void))dlsym(d->handle, "pnptest_reset");
    d->set = (void (*)(int, long))dlsym(d->handle, "pnptest_set");
    d->get = (long (*)(int))dlsym(d->handle, "pnptest_get");
    if (!d->log || !d->reset || !d->set || !d->get) {
        fprintf(stderr, "fixture: %s lacks the pnptest exports\n", d->path);
        abort();
    }
}

bk_host_t *fx_start(void)
{
    for (size_t i = 0; i < RTL_NUMBER_OF(drivers); i++) {
        map_driver(drivers[i]);
        drivers[i]->reset();
    }
    return bk_host_create(&(bk_host_options_t){.virtual_time = 1});
}

int fx_stop(bk_host_t *host)
{
    return bk_host_destroy(host);
}

/* Calls fn(line, ctx) for each log line until it returns nonzero. */
static int each_line(pnp_test_driver_t *d, int (*fn)(const char *line, size_t len, void *ctx),
                     void *ctx)
{
    const char *p = d->log();
    int index = 0;
    while (*p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (fn(p, len, ctx))
            return index;
        index++;
        p += len + (end ? 1 : 0);
    }
    return -1;
}

static int equals(const char *line, size_t len, void *ctx)
{
    const char *want = ctx;
    return strlen(want) == len && strncmp(line, want, len) == 0;
}

int fx_line(pnp_test_driver_t *d, const char *line)
{
    return each_line(d, equals, (void *)line);
}

struct counter {
    const char *want;
    int n;
};

static int count_equal(const char *line, size_t len, void *ctx)
{
    struct counter *c = ctx;
    c->n += equals(line, len, (void *)c->want);
    return 0;
}

int fx_count(pnp_test_driver_t *d, const char *line)
{
    struct counter c = {line, 0};
    each_line(d, count_equal, &c);
    return c.n;
}

int fx_before(pnp_test_driver_t *d, const char *a, const char *b)
{
    int i = fx_line(d, a), j = fx_line(d, b);
    return i >= 0 && j >= 0 && i < j;
}

bk_status_t fx_add_fn(bk_host_t *host, const char *hardware_id, bk_device_t **device)
{
    return bk_host_add_root_device(host, hardware_id, fx_fn.service, NULL, fx_fn.path, device);
}

bk_status_t fx_add_bus(bk_host_t *host, bk_device_t **device)
{
    return bk_host_add_root_device(host, "PNPTEST\\BUS", fx_bus.service, NULL, fx_bus.path, device);
}

bk_status_t fx_set_children(bk_host_t *host, ULONG mask)
{
    char **paths;
    bk_handle_t *bus;
    uint32_t got;
    size_t n = bk_host_list_interfaces(host, &GUID_PNPTEST_BUS_INTERFACE, &paths);
    if (n != 1) {
        bk_host_free_list(paths, n);
        return STATUS_NO_SUCH_DEVICE;
    }
    bk_status_t status = bk_host_open(host, paths[0], BK_ACCESS_READ | BK_ACCESS_WRITE, &bus);
    bk_host_free_list(paths, n);
    if (!NT_SUCCESS(status))
        return status;
    status = bk_ioctl(bus, IOCTL_PNPTEST_SET_CHILDREN, &mask, sizeof mask, NULL, 0, &got);
    bk_close(bus);
    bk_host_settle(host);
    return status;
}

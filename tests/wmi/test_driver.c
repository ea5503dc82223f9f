/* A WMILIB provider driver (drivers/wmiprov) started as a root device by
 * the PnP manager: registration on start with PDO-based instance names,
 * bk_wmi_query through its stack, events enabled by a watch and delivered
 * while watched, and deregistration on (surprise) removal. */
#include <initguid.h>
#include <wdm.h>
#include <wmistr.h>
#include <battkit/host.h>

#include "bk_test.h"
#include "wmiprov.h"

#include <stdlib.h>

#ifndef WMIPROV_SO
#error "WMIPROV_SO (path of wmiprov.so) must be defined by the build"
#endif

typedef struct {
    bk_host_t *host;
    bk_device_t *device;
    bk_handle_t *handle;
} fx_t;

static int fx_start(fx_t *fx, const char *instance)
{
    char **paths = NULL;
    memset(fx, 0, sizeof *fx);
    fx->host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!fx->host)
        return -1;
    bk_status_t s = bk_host_add_root_device(fx->host, "BKTEST\\WmiProv", "wmiprov", instance,
                                            WMIPROV_SO, &fx->device);
    if (s != STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "adding the device: 0x%08x", (unsigned)s);
        return -1;
    }
    size_t n = bk_host_list_interfaces(fx->host, &GUID_WMIPROV_INTERFACE, &paths);
    if (n == 1)
        s = bk_host_open(fx->host, paths[0], BK_ACCESS_READ | BK_ACCESS_WRITE, &fx->handle);
    bk_host_free_list(paths, n);
    if (n != 1 || s != STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "%zu interfaces; open 0x%08x", n, (unsigned)s);
        return -1;
    }
    bk_host_settle(fx->host);
    return 0;
}

static void fx_stop(fx_t *fx)
{
    if (fx->handle)
        bk_close(fx->handle);
    if (fx->host) {
        int problems = bk_host_destroy(fx->host);
        CHECK_EQ(problems, 0);
        if (problems)
            printf("  %s\n", bk_host_last_report());
    }
}

static WMIPROV_DATA query(fx_t *fx, bk_status_t *status)
{
    WMIPROV_DATA d = {0};
    uint32_t got = 0;
    *status = bk_wmi_query(fx->handle, &GUID_WMIPROV_DATA, &d, sizeof d, &got);
    if (*status == STATUS_SUCCESS)
        CHECK_EQ(got, sizeof d);
    return d;
}

TEST(started_provider_answers_bk_wmi_query)
{
    fx_t fx;
    if (fx_start(&fx, "0") == 0) {
        bk_status_t s;
        WMIPROV_DATA d = query(&fx, &s);
        CHECK_STATUS(s, STATUS_SUCCESS);
        CHECK_EQ(d.Magic, WMIPROV_MAGIC);
        CHECK_EQ(d.Queries, 1);
        CHECK_EQ(d.EventsEnabled, 0);
        d = query(&fx, &s);
        CHECK_EQ(d.Queries, 2);
        uint32_t got = 0;
        CHECK_STATUS(bk_wmi_query(fx.handle, &GUID_WMIPROV_EVENT, &d, sizeof d, &got),
                     STATUS_WMI_GUID_NOT_FOUND); /* event-only */
    }
    fx_stop(&fx);
}

TEST(pdo_instance_name_is_the_device_instance_path_with_index_0)
{
    fx_t fx;
    if (fx_start(&fx, "7") == 0) {
        char **names;
        size_t n = bk_wmi_list_instances(&GUID_WMIPROV_DATA, &names);
        CHECK_EQ(n, 1);
        char want[256];
        snprintf(want, sizeof want, "%s_0", bk_device_instance_path(fx.device));
        if (n == 1)
            CHECK_STR(names[0], want);
        CHECK_STR(want, "ROOT\\BKTEST\\7_0");
        bk_host_free_list(names, n);
    }
    fx_stop(&fx);
}

struct log {
    int calls;
    ULONG value;
    char name[128];
};

static void on_event(void *context, const GUID *guid, const char *instance_name, const void *data,
                     uint32_t size)
{
    struct log *log = context;
    CHECK(IsEqualGUID(guid, &GUID_WMIPROV_EVENT));
    log->calls++;
    if (size == sizeof(ULONG))
        memcpy(&log->value, data, sizeof(ULONG));
    snprintf(log->name, sizeof log->name, "%s", instance_name ? instance_name : "(none)");
}

static bk_status_t fire(fx_t *fx, ULONG value)
{
    uint32_t got;
    return bk_ioctl(fx->handle, IOCTL_WMIPROV_FIRE, &value, sizeof value, NULL, 0, &got);
}

TEST(watch_enables_the_providers_event_and_delivers_it)
{
    fx_t fx;
    if (fx_start(&fx, "0") == 0) {
        struct log log = {0};
        /* Not enabled yet: the driver does not fire. */
        CHECK_STATUS(fire(&fx, 1), STATUS_DEVICE_NOT_READY);
        void *watch = bk_wmi_watch_events(&GUID_WMIPROV_EVENT, on_event, &log);
        bk_status_t s;
        CHECK_EQ(query(&fx, &s).EventsEnabled, 1);
        CHECK_STATUS(fire(&fx, 42), STATUS_SUCCESS);
        bk_host_settle(fx.host);
        CHECK_EQ(log.calls, 1);
        CHECK_EQ(log.value, 42);
        char want[256];
        snprintf(want, sizeof want, "%s_0", bk_device_instance_path(fx.device));
        CHECK_STR(log.name, want);
        bk_wmi_unwatch_events(watch);
        CHECK_EQ(query(&fx, &s).EventsEnabled, 0);
        CHECK_STATUS(fire(&fx, 2), STATUS_DEVICE_NOT_READY);
    }
    fx_stop(&fx);
}

TEST(removal_deregisters_the_provider)
{
    fx_t fx;
    if (fx_start(&fx, "0") == 0) {
        bk_close(fx.handle);
        fx.handle = NULL;
        CHECK_STATUS(bk_host_remove_device(fx.host, fx.device, 0), STATUS_SUCCESS);
        char **names;
        CHECK_EQ(bk_wmi_list_instances(&GUID_WMIPROV_DATA, &names), 0);
    }
    fx_stop(&fx);
}

TEST(surprise_removal_deregisters_the_provider)
{
    fx_t fx;
    if (fx_start(&fx, "0") == 0) {
        bk_close(fx.handle);
        fx.handle = NULL;
        CHECK_STATUS(bk_host_remove_device(fx.host, fx.device, 1), STATUS_SUCCESS);
        char **names;
        CHECK_EQ(bk_wmi_list_instances(&GUID_WMIPROV_DATA, &names), 0);
    }
    fx_stop(&fx);
}

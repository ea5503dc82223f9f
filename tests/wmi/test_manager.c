/* The WMI manager with devices made by hand: IoWMIRegistrationControl and
 * the REGINFO_EX exchange, static instance names, bk_wmi_query through a
 * device stack, DEREGISTER, UPDATE_GUIDS, and event delivery to watchers
 * (enable on first watch, disable on last, only watched events). */
#define _GNU_SOURCE
#include "wmi_fixture.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

static const GUID GUID_DATA = {0x5eed0001, 0x0001, 0x4000, {0x90, 1, 2, 3, 4, 5, 6, 7}};
static const GUID GUID_EVENT = {0x5eed0001, 0x0002, 0x4000, {0x90, 1, 2, 3, 4, 5, 6, 7}};
static const GUID GUID_LATER = {0x5eed0001, 0x0003, 0x4000, {0x90, 1, 2, 3, 4, 5, 6, 7}};

static struct {
    int queries, enables, disables;
    ULONG last_control_index;
    bool pend;
    PIRP pended;
    bool deregister_inside;
    NTSTATUS inside_status;
    PDEVICE_OBJECT pdo;
} seen;

static const ULONG data0 = 0xCAFEF00D;

static NTSTATUS reginfo(PDEVICE_OBJECT device, PULONG flags, PUNICODE_STRING instance_name,
                        PUNICODE_STRING *path, PUNICODE_STRING mof, PDEVICE_OBJECT *pdo)
{
    UNREFERENCED_PARAMETER(device);
    UNREFERENCED_PARAMETER(mof);
    static UNICODE_STRING none = {0};
    *path = &none;
    if (seen.pdo) {
        *flags = WMIREG_FLAG_INSTANCE_PDO;
        *pdo = seen.pdo;
        return STATUS_SUCCESS;
    }
    static const WCHAR base[] = L"Battery";
    *flags = WMIREG_FLAG_INSTANCE_BASENAME;
    instance_name->Buffer = ExAllocatePoolWithTag(PagedPool, sizeof base, 'tsT2');
    memcpy(instance_name->Buffer, base, sizeof base);
    instance_name->Length = sizeof base - sizeof(WCHAR);
    instance_name->MaximumLength = sizeof base;
    return STATUS_SUCCESS;
}

static NTSTATUS query(PDEVICE_OBJECT device, PIRP irp, ULONG guid_index, ULONG instance_index,
                      ULONG count, PULONG lengths, ULONG avail, PUCHAR buffer)
{
    UNREFERENCED_PARAMETER(guid_index);
    UNREFERENCED_PARAMETER(instance_index);
    seen.queries++;
    if (seen.deregister_inside)
        seen.inside_status = IoWMIRegistrationControl(device, WMIREG_ACTION_DEREGISTER);
    if (seen.pend) {
        IoMarkIrpPending(irp);
        __atomic_store_n(&seen.pended, irp, __ATOMIC_SEQ_CST);
        return STATUS_PENDING;
    }
    ULONG need = (ULONG)ALIGN_UP_BY(sizeof data0, 8) * (count - 1) + sizeof data0;
    if (!lengths || avail < need)
        return WmiCompleteRequest(device, irp, STATUS_BUFFER_TOO_SMALL, need, IO_NO_INCREMENT);
    for (ULONG i = 0; i < count; i++) {
        ULONG v = data0 + i;
        memcpy(buffer + 8 * i, &v, sizeof v);
        lengths[i] = sizeof v;
    }
    return WmiCompleteRequest(device, irp, STATUS_SUCCESS, need, IO_NO_INCREMENT);
}

static NTSTATUS control(PDEVICE_OBJECT device, PIRP irp, ULONG guid_index,
                        WMIENABLEDISABLECONTROL function, BOOLEAN enable)
{
    if (function == WmiEventControl) {
        if (enable)
            seen.enables++;
        else
            seen.disables++;
        seen.last_control_index = guid_index;
    }
    return WmiCompleteRequest(device, irp, STATUS_SUCCESS, 0, IO_NO_INCREMENT);
}

static WMIGUIDREGINFO guids[3];
static WMILIB_CONTEXT ctx = {
    .GuidList = guids,
    .QueryWmiRegInfo = reginfo,
    .QueryWmiDataBlock = query,
    .WmiFunctionControl = control,
};

/* A provider (named, so bk_host_open finds it) under a filter that only
 * forwards; registered and settled. */
static PDEVICE_OBJECT provider, filter;

static void start(int virtual_time)
{
    memset(&seen, 0, sizeof seen);
    guids[0] = (WMIGUIDREGINFO){&GUID_DATA, 2, 0};
    guids[1] = (WMIGUIDREGINFO){&GUID_EVENT, 1, WMIREG_FLAG_EVENT_ONLY_GUID};
    ctx.GuidCount = 2;
    fixture_start(virtual_time);
    provider = fixture_device(L"\\Device\\WmiProvider", &ctx, NULL);
    filter = fixture_device(NULL, NULL, provider);
}

static void register_provider(void)
{
    CHECK_STATUS(IoWMIRegistrationControl(provider, WMIREG_ACTION_REGISTER), STATUS_SUCCESS);
    bk_host_settle(fixture_host);
}

static void stop(void)
{
    IoWMIRegistrationControl(provider, WMIREG_ACTION_DEREGISTER);
    fixture_delete(filter);
    fixture_delete(provider);
    fixture_stop();
}

static size_t names_of(const GUID *guid, char ***names)
{
    return bk_wmi_list_instances(guid, names);
}

TEST(registration_sends_reginfo_ex_to_the_top_of_the_stack)
{
    start(1);
    register_provider();
    /* docs: WMI sends the IRP to the stack; the filter above the provider
     * saw it first and forwarded it by ProviderId. */
    CHECK(fixture_ext(filter)->system_control_irps >= 1);
    CHECK_EQ(fixture_ext(provider)->last_minor, IRP_MN_REGINFO_EX);
    CHECK_EQ(fixture_ext(provider)->disposition, IrpNotCompleted);
    char **names;
    size_t n = names_of(&GUID_DATA, &names);
    CHECK_EQ(n, 2);
    if (n == 2) {
        /* docs: base name + counter */
        CHECK_STR(names[0], "Battery0");
        CHECK_STR(names[1], "Battery1");
    }
    bk_host_free_list(names, n);
    stop();
}

TEST(bk_wmi_query_returns_raw_data_of_instance_zero)
{
    start(1);
    register_provider();
    bk_handle_t *h = NULL;
    REQUIRE(bk_host_open(fixture_host, "\\Device\\WmiProvider", BK_ACCESS_READ, &h) ==
            STATUS_SUCCESS);
    ULONG value = 0;
    uint32_t got = 0;
    CHECK_STATUS(bk_wmi_query(h, &GUID_DATA, &value, sizeof value, &got), STATUS_SUCCESS);
    CHECK_EQ(got, 4);
    CHECK_EQ(value, data0);
    CHECK_EQ(seen.queries, 1);
    bk_close(h);
    stop();
}

TEST(bk_wmi_query_small_buffer_is_buffer_too_small_with_needed_size)
{
    start(1);
    register_provider();
    bk_handle_t *h = NULL;
    REQUIRE(bk_host_open(fixture_host, "\\Device\\WmiProvider", BK_ACCESS_READ, &h) ==
            STATUS_SUCCESS);
    unsigned char small[2];
    uint32_t got = 0;
    CHECK_STATUS(bk_wmi_query(h, &GUID_DATA, small, sizeof small, &got), STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 4);
    CHECK_STATUS(bk_wmi_query(h, &GUID_DATA, NULL, 0, &got), STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 4);
    bk_close(h);
    stop();
}

TEST(bk_wmi_query_unknown_or_event_only_guid_is_wmi_guid_not_found)
{
    start(1);
    register_provider();
    bk_handle_t *h = NULL;
    REQUIRE(bk_host_open(fixture_host, "\\Device\\WmiProvider", BK_ACCESS_READ, &h) ==
            STATUS_SUCCESS);
    ULONG v;
    uint32_t got = 7;
    CHECK_STATUS(bk_wmi_query(h, &GUID_LATER, &v, sizeof v, &got), STATUS_WMI_GUID_NOT_FOUND);
    CHECK_EQ(got, 0);
    CHECK_STATUS(bk_wmi_query(h, &GUID_EVENT, &v, sizeof v, &got), STATUS_WMI_GUID_NOT_FOUND);
    CHECK_EQ(seen.queries, 0);
    bk_close(h);
    stop();
}

TEST(deregistered_provider_gets_no_more_wmi_irps)
{
    start(1);
    register_provider();
    bk_handle_t *h = NULL;
    REQUIRE(bk_host_open(fixture_host, "\\Device\\WmiProvider", BK_ACCESS_READ, &h) ==
            STATUS_SUCCESS);
    CHECK_STATUS(IoWMIRegistrationControl(provider, WMIREG_ACTION_DEREGISTER), STATUS_SUCCESS);
    int irps = fixture_ext(provider)->system_control_irps;
    ULONG v;
    uint32_t got;
    CHECK_STATUS(bk_wmi_query(h, &GUID_DATA, &v, sizeof v, &got), STATUS_WMI_GUID_NOT_FOUND);
    CHECK_EQ(fixture_ext(provider)->system_control_irps, irps);
    char **names;
    CHECK_EQ(names_of(&GUID_DATA, &names), 0);
    /* A second DEREGISTER has nothing to remove. */
    CHECK_STATUS(IoWMIRegistrationControl(provider, WMIREG_ACTION_DEREGISTER),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(IoWMIRegistrationControl(provider, 77), STATUS_INVALID_PARAMETER);
    bk_close(h);
    stop();
}

TEST(update_guids_adds_and_removes_blocks)
{
    start(1);
    register_provider();
    /* docs: WMIREG_FLAG_REMOVE_GUID drops a block, a new one is added. */
    guids[0].Flags = WMIREG_FLAG_REMOVE_GUID;
    guids[2] = (WMIGUIDREGINFO){&GUID_LATER, 3, 0};
    ctx.GuidCount = 3;
    CHECK_STATUS(IoWMIRegistrationControl(provider, WMIREG_ACTION_UPDATE_GUIDS), STATUS_SUCCESS);
    bk_host_settle(fixture_host);
    char **names;
    CHECK_EQ(names_of(&GUID_DATA, &names), 0);
    size_t n = names_of(&GUID_LATER, &names);
    CHECK_EQ(n, 3);
    bk_host_free_list(names, n);
    n = names_of(&GUID_EVENT, &names);
    CHECK_EQ(n, 1);
    bk_host_free_list(names, n);
    stop();
}

TEST(pdo_instance_names_are_the_pdo_path_with_an_index)
{
    start(1);
    /* A device that is no PnP PDO: its name stands in for the instance
     * path (a real PDO's path is checked by test_wmi_driver). */
    PDEVICE_OBJECT pdo = fixture_device(L"\\Device\\FakePdo", NULL, NULL);
    seen.pdo = pdo;
    LONG refs = pdo->ReferenceCount;
    register_provider();
    char **names;
    size_t n = names_of(&GUID_DATA, &names);
    CHECK_EQ(n, 2);
    if (n == 2) {
        CHECK_STR(names[0], "\\Device\\FakePdo_0");
        CHECK_STR(names[1], "\\Device\\FakePdo_1");
    }
    bk_host_free_list(names, n);
    /* The references WMILIB took for the manager are dropped again. */
    CHECK_EQ(pdo->ReferenceCount, refs);
    fixture_delete(pdo);
    stop();
}

struct event_log {
    int calls;
    GUID guid;
    char name[64];
    ULONG value;
    uint32_t size;
};

static void on_event(void *context, const GUID *guid, const char *instance_name, const void *data,
                     uint32_t size)
{
    struct event_log *log = context;
    log->calls++;
    log->guid = *guid;
    snprintf(log->name, sizeof log->name, "%s", instance_name ? instance_name : "(none)");
    log->size = size;
    if (size >= 4)
        memcpy(&log->value, data, 4);
}

static PVOID pool_ulong(ULONG v)
{
    PULONG p = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof v, 'tvE1');
    *p = v;
    return p;
}

TEST(fire_event_reaches_enabled_listener_only)
{
    start(1);
    register_provider();
    bk_pool_stats_t before, after;
    bk_host_pool_stats(&before);
    struct event_log log = {0};
    void *watch = bk_wmi_watch_events(&GUID_EVENT, on_event, &log);
    REQUIRE(watch);
    /* The first watch enables the block at its provider. */
    CHECK_EQ(seen.enables, 1);
    CHECK_EQ(seen.last_control_index, 1);

    CHECK_STATUS(WmiFireEvent(provider, &GUID_EVENT, 0, 4, pool_ulong(0x1234)), STATUS_SUCCESS);
    /* GUID_DATA was never enabled: dropped, as Windows delivers only
     * enabled events. */
    CHECK_STATUS(WmiFireEvent(provider, &GUID_DATA, 0, 4, pool_ulong(0x9999)), STATUS_SUCCESS);
    bk_host_settle(fixture_host);
    CHECK_EQ(log.calls, 1);
    CHECK(IsEqualGUID(&log.guid, &GUID_EVENT));
    CHECK_EQ(log.size, 4);
    CHECK_EQ(log.value, 0x1234);
    CHECK_STR(log.name, "Battery0");
    /* docs: WmiFireEvent frees EventData: no pool left behind. */
    bk_host_pool_stats(&after);
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
    bk_wmi_unwatch_events(watch);
    stop();
}

TEST(unwatch_of_the_last_listener_sends_disable_events)
{
    start(1);
    register_provider();
    struct event_log a = {0}, b = {0};
    void *wa = bk_wmi_watch_events(&GUID_EVENT, on_event, &a);
    void *wb = bk_wmi_watch_events(&GUID_EVENT, on_event, &b);
    CHECK_EQ(seen.enables, 1); /* one enable for two watchers */
    WmiFireEvent(provider, &GUID_EVENT, 0, 4, pool_ulong(1));
    bk_host_settle(fixture_host);
    CHECK_EQ(a.calls, 1);
    CHECK_EQ(b.calls, 1);
    bk_wmi_unwatch_events(wa);
    CHECK_EQ(seen.disables, 0);
    WmiFireEvent(provider, &GUID_EVENT, 0, 4, pool_ulong(2));
    bk_host_settle(fixture_host);
    CHECK_EQ(a.calls, 1);
    CHECK_EQ(b.calls, 2);
    bk_wmi_unwatch_events(wb);
    CHECK_EQ(seen.disables, 1);
    WmiFireEvent(provider, &GUID_EVENT, 0, 4, pool_ulong(3));
    bk_host_settle(fixture_host);
    CHECK_EQ(b.calls, 2);
    stop();
}

TEST(provider_registering_after_a_watch_gets_enable_events)
{
    start(1);
    struct event_log log = {0};
    void *watch = bk_wmi_watch_events(&GUID_EVENT, on_event, &log);
    CHECK_EQ(seen.enables, 0);
    register_provider();
    CHECK_EQ(seen.enables, 1);
    WmiFireEvent(provider, &GUID_EVENT, 0, 0, NULL);
    bk_host_settle(fixture_host);
    CHECK_EQ(log.calls, 1);
    CHECK_EQ(log.size, 0);
    bk_wmi_unwatch_events(watch);
    stop();
}

static void *unwatch_self_ctx;
static void unwatch_inside(void *context, const GUID *guid, const char *instance_name,
                           const void *data, uint32_t size)
{
    on_event(context, guid, instance_name, data, size);
    bk_wmi_unwatch_events(unwatch_self_ctx);
}

TEST(a_listener_may_unwatch_from_inside_its_callback)
{
    start(1);
    register_provider();
    struct event_log log = {0};
    unwatch_self_ctx = bk_wmi_watch_events(&GUID_EVENT, unwatch_inside, &log);
    WmiFireEvent(provider, &GUID_EVENT, 0, 4, pool_ulong(5));
    bk_host_settle(fixture_host);
    CHECK_EQ(log.calls, 1);
    CHECK_EQ(seen.disables, 1);
    WmiFireEvent(provider, &GUID_EVENT, 0, 4, pool_ulong(6));
    bk_host_settle(fixture_host);
    CHECK_EQ(log.calls, 1);
    stop();
}

TEST(io_wmi_write_event_too_large_is_buffer_overflow_and_the_caller_keeps_it)
{
    start(1);
    register_provider();
    struct event_log log = {0};
    void *watch = bk_wmi_watch_events(&GUID_EVENT, on_event, &log);
    ULONG size = 0x10001;
    PWNODE_HEADER big = ExAllocatePoolWithTag(NonPagedPoolNx, size, 'tvE2');
    memset(big, 0, size);
    big->BufferSize = size;
    big->Guid = GUID_EVENT;
    big->Flags = WNODE_FLAG_EVENT_ITEM;
    CHECK_STATUS(IoWMIWriteEvent(big), STATUS_BUFFER_OVERFLOW);
    ExFreePool(big); /* docs: on failure the buffer is still the caller's */
    /* A bare WNODE_EVENT_ITEM: the data is what follows the header. */
    PWNODE_HEADER item = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(WNODE_HEADER) + 4, 'tvE2');
    memset(item, 0, sizeof(WNODE_HEADER));
    item->BufferSize = sizeof(WNODE_HEADER) + 4;
    item->Guid = GUID_EVENT;
    item->Flags = WNODE_FLAG_EVENT_ITEM;
    ULONG v = 77;
    memcpy(item + 1, &v, 4);
    CHECK_STATUS(IoWMIWriteEvent(item), STATUS_SUCCESS); /* freed by WMI now */
    bk_host_settle(fixture_host);
    CHECK_EQ(log.calls, 1);
    CHECK_EQ(log.value, 77);
    CHECK_STR(log.name, "(none)");
    bk_wmi_unwatch_events(watch);
    stop();
}

static void *query_thread(void *arg)
{
    bk_handle_t *h = arg;
    ULONG v;
    uint32_t got;
    bk_wmi_query(h, &GUID_DATA, &v, sizeof v, &got);
    return NULL;
}

static void *deregister_thread(void *arg)
{
    UNREFERENCED_PARAMETER(arg);
    IoWMIRegistrationControl(provider, WMIREG_ACTION_DEREGISTER);
    return NULL;
}

TEST(deregister_waits_for_wmi_irps_in_flight)
{
    start(0); /* real time: the pended IRP just waits */
    register_provider();
    bk_handle_t *h = NULL;
    REQUIRE(bk_host_open(fixture_host, "\\Device\\WmiProvider", BK_ACCESS_READ, &h) ==
            STATUS_SUCCESS);
    seen.pend = true;
    pthread_t q, d;
    pthread_create(&q, NULL, query_thread, h);
    while (!__atomic_load_n(&seen.pended, __ATOMIC_SEQ_CST))
        sched_yield();
    pthread_create(&d, NULL, deregister_thread, NULL);
    /* docs: DEREGISTER blocks until the IRPs sent to the device complete. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 200 * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    CHECK_EQ(pthread_timedjoin_np(d, NULL, &until), ETIMEDOUT);
    ULONG v = data0;
    PIRP irp = seen.pended;
    PUCHAR buffer = IoGetCurrentIrpStackLocation(irp)->Parameters.WMI.Buffer;
    PWNODE_ALL_DATA w = (PWNODE_ALL_DATA)buffer;
    memcpy(buffer + w->DataBlockOffset, &v, 4);
    ((PULONG)(buffer + offsetof(WNODE_ALL_DATA, OffsetInstanceDataAndLength)))[0] = 4;
    ((PULONG)(buffer + offsetof(WNODE_ALL_DATA, OffsetInstanceDataAndLength)))[1] = 4;
    WmiCompleteRequest(provider, irp, STATUS_SUCCESS, 12, IO_NO_INCREMENT);
    pthread_join(q, NULL);
    pthread_join(d, NULL);
    bk_close(h);
    fixture_delete(filter);
    fixture_delete(provider);
    fixture_stop();
}

TEST(deregister_inside_the_providers_own_wmi_irp_is_reported_not_hung)
{
    start(1);
    register_provider();
    bk_handle_t *h = NULL;
    REQUIRE(bk_host_open(fixture_host, "\\Device\\WmiProvider", BK_ACCESS_READ, &h) ==
            STATUS_SUCCESS);
    seen.deregister_inside = true;
    ULONG v;
    uint32_t got;
    bk_wmi_query(h, &GUID_DATA, &v, sizeof v, &got); /* logs the Windows deadlock */
    CHECK_STATUS(seen.inside_status, STATUS_SUCCESS);
    char **names;
    CHECK_EQ(names_of(&GUID_DATA, &names), 0);
    bk_close(h);
    fixture_delete(filter);
    fixture_delete(provider);
    fixture_stop();
}

struct order_log {
    int count;
    bool in_order;
};

static void on_ordered(void *context, const GUID *guid, const char *instance_name, const void *data,
                       uint32_t size)
{
    UNREFERENCED_PARAMETER(guid);
    UNREFERENCED_PARAMETER(instance_name);
    struct order_log *log = context;
    ULONG v = 0;
    if (size == 4)
        memcpy(&v, data, 4);
    if (v != (ULONG)log->count)
        log->in_order = false;
    log->count++;
}

TEST(events_reach_a_listener_in_the_order_they_were_fired)
{
    start(1);
    register_provider();
    struct order_log log = {0, true};
    void *watch = bk_wmi_watch_events(&GUID_EVENT, on_ordered, &log);
    for (ULONG i = 0; i < 200; i++)
        CHECK_STATUS(WmiFireEvent(provider, &GUID_EVENT, 0, 4, pool_ulong(i)), STATUS_SUCCESS);
    bk_host_settle(fixture_host);
    CHECK_EQ(log.count, 200);
    CHECK(log.in_order);
    bk_wmi_unwatch_events(watch);
    stop();
}

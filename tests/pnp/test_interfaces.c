/* Device interfaces: symbolic link names, enable/disable status codes,
 * IoGetDeviceInterfaces, opening through a link, and arrival/removal
 * notifications (delivery thread, INCLUDE_EXISTING, unregistering). */
#include "pnp_fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define FN_LINK "\\??\\ROOT#PNPTEST#0000#{6f0b3a52-7d0e-4c55-9a41-3c1de5a0b001}"

/* What a listener saw. */
#define MAX_SEEN 16
static struct seen {
    pthread_mutex_t lock;
    int count, arrivals, removals;
    int bad_header, bad_irql, on_caller_stack, before_start_done;
    char last_link[256];
    GUID last_class;
    pthread_t thread;
} seen = {.lock = PTHREAD_MUTEX_INITIALIZER};
static volatile int in_set_state_call;
static pthread_t test_thread;
static DRIVER_OBJECT listener_driver; /* the "driver" the test registers as */

static void seen_reset(void)
{
    pthread_mutex_lock(&seen.lock);
    seen.count = seen.arrivals = seen.removals = 0;
    seen.bad_header = seen.bad_irql = seen.on_caller_stack = seen.before_start_done = 0;
    seen.last_link[0] = 0;
    pthread_mutex_unlock(&seen.lock);
    test_thread = pthread_self();
}

static NTSTATUS listener(PVOID NotificationStructure, PVOID Context)
{
    PDEVICE_INTERFACE_CHANGE_NOTIFICATION n = NotificationStructure;
    (void)Context;
    pthread_mutex_lock(&seen.lock);
    seen.count++;
    if (n->Version != 1 || n->Size != sizeof(*n))
        seen.bad_header++;
    if (KeGetCurrentIrql() != PASSIVE_LEVEL)
        seen.bad_irql++;
    if (in_set_state_call && pthread_equal(pthread_self(), test_thread))
        seen.on_caller_stack++;
    if (IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_ARRIVAL)) {
        seen.arrivals++;
        /* docs: no arrival before the device's START has completed. */
        if (fx_line(&fx_fn, "PNPTEST\\FN START_DONE=00000000") < 0)
            seen.before_start_done++;
    } else if (IsEqualGUID(&n->Event, &GUID_DEVICE_INTERFACE_REMOVAL)) {
        seen.removals++;
    }
    seen.last_class = n->InterfaceClassGuid;
    rtl_utf16_to_utf8(n->SymbolicLinkName->Buffer, n->SymbolicLinkName->Length / sizeof(WCHAR),
                      seen.last_link, sizeof seen.last_link);
    seen.thread = pthread_self();
    pthread_mutex_unlock(&seen.lock);
    return STATUS_SUCCESS;
}

static NTSTATUS register_listener(ULONG flags, PVOID *entry)
{
    listener_driver.Type = IO_TYPE_DRIVER;
    return IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, flags,
                                          (PVOID)&GUID_PNPTEST_FN_INTERFACE, &listener_driver,
                                          listener, NULL, entry);
}

static void to_unicode(const char *utf8, WCHAR *buf, size_t chars, UNICODE_STRING *u)
{
    size_t n = rtl_utf8_to_utf16(utf8, buf, chars);
    u->Buffer = buf;
    u->Length = (USHORT)(n * sizeof(WCHAR));
    u->MaximumLength = (USHORT)(chars * sizeof(WCHAR));
}

TEST(register_device_interface_builds_documented_link)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    UNICODE_STRING name, ref, again;
    char text[256];
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    /* docs: "\??\" + instance path with '#' for '\' + "#{class guid}";
     * registering the same one again returns the same name. */
    CHECK_STATUS(
        IoRegisterDeviceInterface(bk_device_pdo(dev), &GUID_PNPTEST_FN_INTERFACE, NULL, &name),
        STATUS_SUCCESS);
    rtl_utf16_to_utf8(name.Buffer, name.Length / sizeof(WCHAR), text, sizeof text);
    CHECK_STR(text, FN_LINK);
    CHECK_EQ(name.Buffer[name.Length / sizeof(WCHAR)], 0);
    RtlInitUnicodeString(&ref, L"second");
    CHECK_STATUS(
        IoRegisterDeviceInterface(bk_device_pdo(dev), &GUID_PNPTEST_FN_INTERFACE, &ref, &again),
        STATUS_SUCCESS);
    rtl_utf16_to_utf8(again.Buffer, again.Length / sizeof(WCHAR), text, sizeof text);
    CHECK_STR(text, FN_LINK "\\second");
    RtlFreeUnicodeString(&name);
    RtlFreeUnicodeString(&again);
    /* docs: the device must be a PDO. */
    PDEVICE_OBJECT fdo = IoGetAttachedDeviceReference(bk_device_pdo(dev));
    CHECK_STATUS(IoRegisterDeviceInterface(fdo, &GUID_PNPTEST_FN_INTERFACE, NULL, &name),
                 STATUS_INVALID_DEVICE_REQUEST);
    ObDereferenceObject(fdo);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(set_interface_state_returns_documented_status)
{
    bk_host_t *h = fx_start();
    WCHAR buf[128];
    UNICODE_STRING link, unknown;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", NULL)));
    to_unicode(FN_LINK, buf, RTL_NUMBER_OF(buf), &link);
    /* docs: enabling an enabled interface is the informational
     * STATUS_OBJECT_NAME_EXISTS; disabling a disabled one fails. */
    CHECK_STATUS(IoSetDeviceInterfaceState(&link, TRUE), 0x40000000 /* OBJECT_NAME_EXISTS */);
    CHECK_STATUS(IoSetDeviceInterfaceState(&link, FALSE), STATUS_SUCCESS);
    CHECK_STATUS(IoSetDeviceInterfaceState(&link, FALSE), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(IoSetDeviceInterfaceState(&link, TRUE), STATUS_SUCCESS);
    RtlInitUnicodeString(&unknown, L"\\??\\NO#SUCH#0#{00000000-0000-0000-0000-000000000000}");
    CHECK_STATUS(IoSetDeviceInterfaceState(&unknown, TRUE), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(fx_stop(h), 0);
}

static ULONG count_links(const WCHAR *list)
{
    ULONG n = 0;
    for (; *list; n++)
        while (*list++)
            ;
    return n;
}

TEST(get_device_interfaces_lists_enabled_links_as_multi_sz)
{
    bk_host_t *h = fx_start();
    bk_device_t *a = NULL, *b = NULL;
    PWSTR list;
    WCHAR buf[128];
    UNICODE_STRING link;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &a)));
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &b)));
    CHECK_STATUS(IoGetDeviceInterfaces(&GUID_PNPTEST_FN_INTERFACE, NULL, 0, &list), STATUS_SUCCESS);
    CHECK_EQ(count_links(list), 2);
    ExFreePool(list);
    CHECK_STATUS(IoGetDeviceInterfaces(&GUID_PNPTEST_FN_INTERFACE, bk_device_pdo(b), 0, &list),
                 STATUS_SUCCESS);
    CHECK_EQ(count_links(list), 1);
    ExFreePool(list);
    to_unicode(FN_LINK, buf, RTL_NUMBER_OF(buf), &link);
    CHECK_STATUS(IoSetDeviceInterfaceState(&link, FALSE), STATUS_SUCCESS);
    CHECK_STATUS(IoGetDeviceInterfaces(&GUID_PNPTEST_FN_INTERFACE, NULL, 0, &list), STATUS_SUCCESS);
    CHECK_EQ(count_links(list), 1);
    ExFreePool(list);
    CHECK_STATUS(IoGetDeviceInterfaces(&GUID_PNPTEST_FN_INTERFACE, NULL,
                                       DEVICE_INTERFACE_INCLUDE_NONACTIVE, &list),
                 STATUS_SUCCESS);
    CHECK_EQ(count_links(list), 2);
    ExFreePool(list);
    /* docs: no match is success with an empty list. */
    CHECK_STATUS(IoGetDeviceInterfaces(&GUID_PNPTEST_BUS_INTERFACE, NULL, 0, &list),
                 STATUS_SUCCESS);
    REQUIRE(list);
    CHECK_EQ(list[0], 0);
    ExFreePool(list);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(interface_arrival_is_notified_to_registered_listener)
{
    bk_host_t *h = fx_start();
    PVOID entry = NULL;
    seen_reset();
    CHECK_STATUS(register_listener(0, &entry), STATUS_SUCCESS);
    REQUIRE(entry);
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", NULL)));
    bk_host_settle(h);
    CHECK_EQ(seen.arrivals, 1);
    CHECK_EQ(seen.removals, 0);
    CHECK_EQ(seen.bad_header, 0);
    CHECK(IsEqualGUID(&seen.last_class, &GUID_PNPTEST_FN_INTERFACE));
    CHECK_STR(seen.last_link, FN_LINK);
    /* docs: arrivals wait until IRP_MN_START_DEVICE has completed. */
    CHECK_EQ(seen.before_start_done, 0);
    CHECK_STATUS(IoUnregisterPlugPlayNotificationEx(entry), STATUS_SUCCESS);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(include_existing_interfaces_flag_reports_present_ones)
{
    bk_host_t *h = fx_start();
    PVOID plain = NULL, existing = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", NULL)));
    bk_host_settle(h);
    seen_reset();
    CHECK_STATUS(register_listener(0, &plain), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_EQ(seen.count, 0);
    CHECK_STATUS(
        register_listener(PNPNOTIFY_DEVICE_INTERFACE_INCLUDE_EXISTING_INTERFACES, &existing),
        STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_EQ(seen.arrivals, 1); /* to the new registration only */
    CHECK_STR(seen.last_link, FN_LINK);
    IoUnregisterPlugPlayNotification(plain);
    IoUnregisterPlugPlayNotification(existing);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(notification_not_on_callers_stack)
{
    bk_host_t *h = fx_start();
    PVOID entry = NULL;
    WCHAR buf[128];
    UNICODE_STRING link;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", NULL)));
    bk_host_settle(h);
    seen_reset();
    CHECK_STATUS(register_listener(0, &entry), STATUS_SUCCESS);
    to_unicode(FN_LINK, buf, RTL_NUMBER_OF(buf), &link);
    in_set_state_call = 1;
    CHECK_STATUS(IoSetDeviceInterfaceState(&link, FALSE), STATUS_SUCCESS);
    CHECK_STATUS(IoSetDeviceInterfaceState(&link, TRUE), STATUS_SUCCESS);
    in_set_state_call = 0;
    bk_host_settle(h);
    CHECK_EQ(seen.removals, 1);
    CHECK_EQ(seen.arrivals, 1);
    CHECK_EQ(seen.on_caller_stack, 0);
    CHECK_EQ(seen.bad_irql, 0);
    CHECK(!pthread_equal(seen.thread, pthread_self()));
    IoUnregisterPlugPlayNotification(entry);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(unregister_stops_callbacks)
{
    bk_host_t *h = fx_start();
    PVOID entry = NULL;
    seen_reset();
    CHECK_STATUS(register_listener(0, &entry), STATUS_SUCCESS);
    CHECK_STATUS(IoUnregisterPlugPlayNotification(entry), STATUS_SUCCESS);
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", NULL)));
    bk_host_settle(h);
    CHECK_EQ(seen.count, 0);
    CHECK_EQ(fx_stop(h), 0);
}

/* A listener that blocks until the test lets it go. */
static struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    int entered, released, exited, unregister_saw_exited, unregister_done;
    PVOID entry;
} gate = {.lock = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static NTSTATUS blocking_listener(PVOID n, PVOID ctx)
{
    (void)n;
    (void)ctx;
    pthread_mutex_lock(&gate.lock);
    gate.entered = 1;
    pthread_cond_broadcast(&gate.cv);
    while (!gate.released)
        pthread_cond_wait(&gate.cv, &gate.lock);
    gate.exited = 1;
    pthread_mutex_unlock(&gate.lock);
    return STATUS_SUCCESS;
}

static void *unregister_thread(void *arg)
{
    (void)arg;
    IoUnregisterPlugPlayNotificationEx(gate.entry);
    pthread_mutex_lock(&gate.lock);
    gate.unregister_saw_exited = gate.exited;
    gate.unregister_done = 1;
    pthread_cond_broadcast(&gate.cv);
    pthread_mutex_unlock(&gate.lock);
    return NULL;
}

TEST(unregister_waits_for_callback_in_flight)
{
    bk_host_t *h = fx_start();
    pthread_t t;
    listener_driver.Type = IO_TYPE_DRIVER;
    CHECK_STATUS(IoRegisterPlugPlayNotification(EventCategoryDeviceInterfaceChange, 0,
                                                (PVOID)&GUID_PNPTEST_FN_INTERFACE, &listener_driver,
                                                blocking_listener, NULL, &gate.entry),
                 STATUS_SUCCESS);
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", NULL)));
    pthread_mutex_lock(&gate.lock);
    while (!gate.entered)
        pthread_cond_wait(&gate.cv, &gate.lock);
    pthread_mutex_unlock(&gate.lock);
    REQUIRE(pthread_create(&t, NULL, unregister_thread, NULL) == 0);
    pthread_mutex_lock(&gate.lock);
    gate.released = 1;
    pthread_cond_broadcast(&gate.cv);
    while (!gate.unregister_done)
        pthread_cond_wait(&gate.cv, &gate.lock);
    pthread_mutex_unlock(&gate.lock);
    pthread_join(t, NULL);
    /* docs (IoUnregisterPlugPlayNotificationEx): once it returns, no
     * callback is running or will run. */
    CHECK_EQ(gate.unregister_saw_exited, 1);
    CHECK_EQ(fx_stop(h), 0);
}

/* ---- host watches ---- */
static struct watch_log {
    pthread_mutex_t lock;
    char events[8][300];
    int n;
} wlog = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void watcher(void *ctx, const GUID *klass, const char *path, int arrived)
{
    (void)ctx;
    if (!IsEqualGUID(klass, &GUID_PNPTEST_FN_INTERFACE))
        return;
    pthread_mutex_lock(&wlog.lock);
    if (wlog.n < 8)
        snprintf(wlog.events[wlog.n++], sizeof wlog.events[0], "%s %s",
                 arrived ? "arrival" : "removal", path);
    pthread_mutex_unlock(&wlog.lock);
}

TEST(interface_disabled_on_remove)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    char **paths;
    wlog.n = 0;
    void *watch = bk_host_watch_interfaces(h, watcher, NULL);
    REQUIRE(watch);
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    bk_host_settle(h);
    CHECK_EQ(bk_host_list_interfaces(h, &GUID_PNPTEST_FN_INTERFACE, &paths), 1);
    bk_host_free_list(paths, 1);
    CHECK_STATUS(bk_host_remove_device(h, dev, 1), STATUS_SUCCESS);
    bk_host_settle(h);
    /* The driver did not disable its interface: the PnP manager did, before
     * IRP_MN_REMOVE_DEVICE reached it. */
    CHECK(fx_line(&fx_fn, "PNPTEST\\FN REMOVE_ACTIVE=00000000") >= 0);
    CHECK_EQ(bk_host_list_interfaces(h, &GUID_PNPTEST_FN_INTERFACE, &paths), 0);
    bk_host_free_list(paths, 0);
    CHECK_EQ(wlog.n, 2);
    CHECK_STR(wlog.events[0], "arrival " FN_LINK);
    CHECK_STR(wlog.events[1], "removal " FN_LINK);
    bk_host_unwatch_interfaces(h, watch);
    CHECK_EQ(fx_stop(h), 0);
}

/* ---- opening through a link ---- */
TEST(get_device_object_pointer_opens_top_of_stack)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    WCHAR buf[128];
    UNICODE_STRING link, unknown;
    PFILE_OBJECT file = NULL;
    PDEVICE_OBJECT top = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    to_unicode(FN_LINK, buf, RTL_NUMBER_OF(buf), &link);
    CHECK_STATUS(IoGetDeviceObjectPointer(&link, FILE_READ_DATA, &file, &top), STATUS_SUCCESS);
    REQUIRE(file && top);
    /* docs: the device returned is the top of the stack, opened (CREATE). */
    CHECK(top != bk_device_pdo(dev));
    CHECK(ob_lower_device(top) == bk_device_pdo(dev));
    CHECK(file->DeviceObject == top);
    CHECK(fx_line(&fx_fn, "PNPTEST\\FN CREATE") >= 0);
    ObDereferenceObject(file);
    RtlInitUnicodeString(&unknown, L"\\Device\\NoSuchDevice");
    CHECK_STATUS(IoGetDeviceObjectPointer(&unknown, FILE_READ_DATA, &file, &top),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(only_enabled_interfaces_can_be_opened)
{
    bk_host_t *h = fx_start();
    bk_handle_t *handle = NULL;
    WCHAR buf[128];
    UNICODE_STRING link;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", NULL)));
    CHECK_STATUS(bk_host_open(h, FN_LINK, BK_ACCESS_READ, &handle), STATUS_SUCCESS);
    bk_close(handle);
    /* The user-mode spelling of the same link. */
    CHECK_STATUS(bk_host_open(h, "\\\\?\\ROOT#PNPTEST#0000#{6f0b3a52-7d0e-4c55-9a41-3c1de5a0b001}",
                              BK_ACCESS_READ, &handle),
                 STATUS_SUCCESS);
    bk_close(handle);
    to_unicode(FN_LINK, buf, RTL_NUMBER_OF(buf), &link);
    CHECK_STATUS(IoSetDeviceInterfaceState(&link, FALSE), STATUS_SUCCESS);
    CHECK_STATUS(bk_host_open(h, FN_LINK, BK_ACCESS_READ, &handle), STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(fx_stop(h), 0);
}

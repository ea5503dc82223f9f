/* Events and waits (the OVERLAPPED's hEvent, battctl's multi-wait) and
 * interface arrival/removal through BattkitWatchInterfaces. */
#include "fixture.h"

TEST(wait_for_multiple_objects_returns_the_lowest_signalled_index)
{
    HANDLE e[3];
    for (int i = 0; i < 3; i++)
        e[i] = CreateEventW(NULL, TRUE, FALSE, NULL);
    CHECK_EQ(WaitForMultipleObjects(3, e, FALSE, 0), WAIT_TIMEOUT);
    SetEvent(e[2]);
    SetEvent(e[1]);
    CHECK_EQ(WaitForMultipleObjects(3, e, FALSE, 0), WAIT_OBJECT_0 + 1);
    CHECK_EQ(WaitForMultipleObjects(3, e, TRUE, 0), WAIT_TIMEOUT);
    SetEvent(e[0]);
    CHECK_EQ(WaitForMultipleObjects(3, e, TRUE, 10), WAIT_OBJECT_0);
    CHECK_EQ(WaitForMultipleObjects(0, e, FALSE, 0), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    for (int i = 0; i < 3; i++)
        CHECK(CloseHandle(e[i]));
    CHECK_EQ(WaitForSingleObject(e[0], 0), WAIT_FAILED);
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
}

TEST(auto_reset_event_resets_when_a_wait_is_satisfied)
{
    HANDLE e = CreateEventA(NULL, FALSE, TRUE, NULL);
    CHECK_EQ(WaitForSingleObject(e, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(e, 0), WAIT_TIMEOUT);
    HANDLE m = CreateEventA(NULL, TRUE, TRUE, NULL);
    CHECK_EQ(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
    CHECK_EQ(WaitForSingleObject(m, 0), WAIT_OBJECT_0);
    CHECK(ResetEvent(m));
    CHECK_EQ(WaitForSingleObject(m, 1), WAIT_TIMEOUT);
    CloseHandle(e);
    CloseHandle(m);
}

TEST(named_events_are_refused)
{
    CHECK(CreateEventW(NULL, TRUE, FALSE, L"Global\\x") == NULL);
    CHECK_EQ(GetLastError(), ERROR_NOT_SUPPORTED);
}

TEST(interface_watch_reports_arrival_and_removal)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE watch = BattkitWatchInterfaces(&GUID_DEVCLASS_BATTERY);
    REQUIRE(watch);
    CHECK_EQ(WaitForSingleObject(watch, 0), WAIT_TIMEOUT);
    BATTKIT_INTERFACE_EVENT ev;
    CHECK(!BattkitReadInterfaceEvent(watch, &ev));
    CHECK_EQ(GetLastError(), ERROR_NO_MORE_ITEMS);
    bk_device_t *dev = NULL;
    /* Bound by simbatt.inf (the machine installed the shipped INFs). */
    CHECK_STATUS(bk_host_add_root_device(host, "SIMBATT\\Battery", NULL, "EXTRA", NULL, &dev),
                 STATUS_SUCCESS);
    bk_host_settle(host);
    CHECK_EQ(WaitForSingleObject(watch, 1000), WAIT_OBJECT_0);
    CHECK(BattkitReadInterfaceEvent(watch, &ev));
    CHECK(ev.Arrived);
    CHECK(IsEqualGUID(&ev.InterfaceClassGuid, &GUID_DEVICE_BATTERY));
    CHECK(ev.DevicePath[0] == L'\\' && ev.DevicePath[1] == L'\\');
    if (dev)
        CHECK_STATUS(bk_host_remove_device(host, dev, 0), STATUS_SUCCESS);
    bk_host_settle(host);
    CHECK(BattkitReadInterfaceEvent(watch, &ev));
    CHECK(!ev.Arrived);
    CHECK(CloseHandle(watch));
    fixture_stop(host);
}

/* Overlapped DeviceIoControl for the long waits: ERROR_IO_PENDING, the
 * OVERLAPPED's event, GetOverlappedResult with and without waiting,
 * CancelIo/CancelIoEx and CloseHandle ending a wait with
 * ERROR_OPERATION_ABORTED (reference 1.6, 7.3). */
#include "fixture.h"

typedef struct pending_wait {
    HANDLE h, ev;
    OVERLAPPED ov;
    BATTERY_WAIT_STATUS in;
    BATTERY_STATUS out;
    ULONG tag;
} pending_wait_t;

/* Starts a QUERY_STATUS that waits for the power state to change. */
static BOOL start_wait(pending_wait_t *w)
{
    memset(w, 0, sizeof *w);
    w->h = fixture_open(GENERIC_READ, FILE_FLAG_OVERLAPPED);
    if (w->h == INVALID_HANDLE_VALUE)
        return FALSE;
    w->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    /* A synchronous call on an overlapped handle needs its OVERLAPPED too. */
    ULONG wait = 0;
    DWORD got;
    if (DeviceIoControl(w->h, IOCTL_BATTERY_QUERY_TAG, &wait, 4, &w->tag, 4, &got, NULL) ||
        GetLastError() != ERROR_INVALID_PARAMETER)
        return FALSE;
    OVERLAPPED o = {.hEvent = w->ev};
    if (!DeviceIoControl(w->h, IOCTL_BATTERY_QUERY_TAG, &wait, 4, &w->tag, 4, &got, &o) &&
        !GetOverlappedResult(w->h, &o, &got, TRUE))
        return FALSE;
    BATTERY_WAIT_STATUS now = {.BatteryTag = w->tag};
    o = (OVERLAPPED){.hEvent = w->ev};
    if (!DeviceIoControl(w->h, IOCTL_BATTERY_QUERY_STATUS, &now, sizeof now, &w->out, sizeof w->out,
                         &got, &o) &&
        !GetOverlappedResult(w->h, &o, &got, TRUE))
        return FALSE;
    w->in = (BATTERY_WAIT_STATUS){.BatteryTag = w->tag,
                                  .Timeout = 0xFFFFFFFFu,
                                  .PowerState = w->out.PowerState,
                                  .LowCapacity = 0,
                                  .HighCapacity = 0xFFFFFFFEu};
    w->ov.hEvent = w->ev;
    SetEvent(w->ev); /* must be reset when the request starts */
    BOOL done = DeviceIoControl(w->h, IOCTL_BATTERY_QUERY_STATUS, &w->in, sizeof w->in, &w->out,
                                sizeof w->out, NULL, &w->ov);
    return !done && GetLastError() == ERROR_IO_PENDING;
}

TEST(overlapped_status_wait_pends_until_the_power_state_changes)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    pending_wait_t w;
    REQUIRE(start_wait(&w));
    CHECK(!HasOverlappedIoCompleted(&w.ov));
    CHECK_EQ(WaitForSingleObject(w.ev, 0), WAIT_TIMEOUT);
    DWORD got = 7;
    CHECK(!GetOverlappedResult(w.h, &w.ov, &got, FALSE));
    CHECK_EQ(GetLastError(), ERROR_IO_INCOMPLETE);
    bk_host_advance(host, 60ull * 1000000000); /* a quiet virtual minute: still waiting */
    CHECK(!HasOverlappedIoCompleted(&w.ov));
    CHECK(BattkitSim(BATTKIT_SIM_AC, 0, 0, NULL)); /* unplug */
    bk_host_advance(host, 1000000000);
    CHECK_EQ(WaitForSingleObject(w.ev, 0), WAIT_OBJECT_0);
    CHECK(HasOverlappedIoCompleted(&w.ov));
    CHECK(GetOverlappedResult(w.h, &w.ov, &got, FALSE));
    CHECK_EQ(got, sizeof(BATTERY_STATUS));
    CHECK(!(w.out.PowerState & BATTERY_POWER_ON_LINE));
    CHECK(w.out.PowerState & BATTERY_DISCHARGING);
    CloseHandle(w.ev);
    CloseHandle(w.h);
    fixture_stop(host);
}

TEST(cancelioex_ends_a_wait_with_operation_aborted)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    pending_wait_t w;
    REQUIRE(start_wait(&w));
    CHECK(CancelIoEx(w.h, &w.ov));
    DWORD got = 7;
    CHECK(!GetOverlappedResult(w.h, &w.ov, &got, TRUE));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CHECK_EQ(got, 0);
    CHECK_EQ(WaitForSingleObject(w.ev, 0), WAIT_OBJECT_0);
    /* docs: nothing left to cancel is ERROR_NOT_FOUND. */
    CHECK(!CancelIoEx(w.h, &w.ov));
    CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
    CHECK(!CancelIoEx(w.h, NULL));
    CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
    CloseHandle(w.ev);
    CloseHandle(w.h);
    fixture_stop(host);
}

TEST(cancelio_cancels_the_calling_threads_requests)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    pending_wait_t w;
    REQUIRE(start_wait(&w));
    CHECK(CancelIo(w.h));
    DWORD got;
    CHECK(!GetOverlappedResult(w.h, &w.ov, &got, TRUE));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);
    CloseHandle(w.ev);
    CloseHandle(w.h);
    fixture_stop(host);
}

TEST(closehandle_aborts_a_pending_wait)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    pending_wait_t w;
    REQUIRE(start_wait(&w));
    CHECK(CloseHandle(w.h));
    /* docs: the request still completes, through its OVERLAPPED. */
    CHECK_EQ(WaitForSingleObject(w.ev, 5000), WAIT_OBJECT_0);
    CHECK_STATUS((NTSTATUS)w.ov.Internal, STATUS_CANCELLED);
    CloseHandle(w.ev);
    fixture_stop(host);
}

TEST(synchronous_wait_with_timeout_returns_the_status_when_it_expires)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ, 0);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    ULONG tag = fixture_tag(h);
    BATTERY_STATUS now;
    REQUIRE(fixture_status(h, tag, &now));
    BATTKIT_SERVER_INFO before, after;
    REQUIRE(BattkitGetServerInfo(&before));
    CHECK(before.Embedded && before.VirtualTime);
    /* Nothing changes on AC within 5 s: the timeout ends the wait, and on
     * virtual time the synchronous call moves the clock to get there. */
    BATTERY_WAIT_STATUS in = {.BatteryTag = tag,
                              .Timeout = 5000,
                              .PowerState = now.PowerState,
                              .LowCapacity = 0,
                              .HighCapacity = 0xFFFFFFFEu};
    BATTERY_STATUS out;
    DWORD got = 0;
    CHECK(DeviceIoControl(h, IOCTL_BATTERY_QUERY_STATUS, &in, sizeof in, &out, sizeof out, &got,
                          NULL));
    CHECK_EQ(got, sizeof out);
    REQUIRE(BattkitGetServerInfo(&after));
    CHECK(after.NowNs - before.NowNs >= 5000ull * 1000000);
    CloseHandle(h);
    fixture_stop(host);
}

TEST(tag_wait_on_an_empty_slot_completes_when_a_battery_is_inserted)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ, FILE_FLAG_OVERLAPPED);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    CHECK(BattkitSim(BATTKIT_SIM_PRESENT, 0, 0, "BAT0"));
    ULONG wait = 0, tag = 0;
    DWORD got;
    OVERLAPPED o = {.hEvent = ev};
    BOOL ok = DeviceIoControl(h, IOCTL_BATTERY_QUERY_TAG, &wait, 4, &tag, 4, &got, &o);
    if (!ok && GetLastError() == ERROR_IO_PENDING)
        ok = GetOverlappedResult(h, &o, &got, TRUE);
    CHECK(!ok);
    CHECK_EQ(GetLastError(), ERROR_FILE_NOT_FOUND); /* docs: no battery when the wait ends */
    wait = 0xFFFFFFFFu;
    o = (OVERLAPPED){.hEvent = ev};
    CHECK(!DeviceIoControl(h, IOCTL_BATTERY_QUERY_TAG, &wait, 4, &tag, 4, NULL, &o));
    CHECK_EQ(GetLastError(), ERROR_IO_PENDING);
    bk_host_advance(host, 10ull * 1000000000);
    CHECK(!HasOverlappedIoCompleted(&o));
    CHECK(BattkitSim(BATTKIT_SIM_PRESENT, 1, 0, "BAT0"));
    bk_host_advance(host, 1000000000);
    CHECK_EQ(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult(h, &o, &got, FALSE));
    CHECK(tag != BATTERY_TAG_INVALID);
    CloseHandle(ev);
    CloseHandle(h);
    fixture_stop(host);
}

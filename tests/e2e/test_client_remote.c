/* libbattkit-client over a real battd (the socket transport): overlapped
 * waits completed by a change and by CancelIoEx/CloseHandle, the Win32
 * errors of refusals (ERROR_ACCESS_DENIED for an unprivileged SET, the
 * daemon going away), GetSystemPowerStatus and interface events through
 * the daemon. */
#include "e2e.h"

#include <windows.h>
#include <setupapi.h>
#include <devguid.h>
#include <batclass.h>
#include <battkit/client.h>
#include <powrprof.h>
#include <ntstatus.h>
#include <string.h>

#define BOUND_MS 20000

static HANDLE open_acpi(DWORD flags)
{
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_BATTERY, "PNP0C0A", NULL,
                                        DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    if (set == INVALID_HANDLE_VALUE)
        return INVALID_HANDLE_VALUE;
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
    char buf[600];
    PSP_DEVICE_INTERFACE_DETAIL_DATA_A d = (void *)buf;
    d->cbSize = sizeof *d;
    HANDLE h = INVALID_HANDLE_VALUE;
    if (SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, &did) &&
        SetupDiGetDeviceInterfaceDetailA(set, &did, d, sizeof buf, NULL, NULL))
        h = CreateFileA(d->DevicePath, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, flags,
                        NULL);
    SetupDiDestroyDeviceInfoList(set);
    return h;
}

/* Starts an overlapped QUERY_STATUS that waits for the power state to change. */
static BOOL start_wait(HANDLE h, HANDLE sync, OVERLAPPED *ov, BATTERY_WAIT_STATUS *in,
                       BATTERY_STATUS *out)
{
    ULONG zero = 0, tag = 0;
    DWORD got;
    if (!DeviceIoControl(sync, IOCTL_BATTERY_QUERY_TAG, &zero, 4, &tag, 4, &got, NULL))
        return FALSE;
    BATTERY_WAIT_STATUS now = {.BatteryTag = tag};
    if (!DeviceIoControl(sync, IOCTL_BATTERY_QUERY_STATUS, &now, sizeof now, out, sizeof *out, &got,
                         NULL))
        return FALSE;
    *in = (BATTERY_WAIT_STATUS){.BatteryTag = tag,
                                .Timeout = 0xFFFFFFFFu,
                                .PowerState = out->PowerState,
                                .HighCapacity = 0xFFFFFFFEu};
    return !DeviceIoControl(h, IOCTL_BATTERY_QUERY_STATUS, in, sizeof *in, out, sizeof *out, NULL,
                            ov) &&
           GetLastError() == ERROR_IO_PENDING;
}

TEST(remote_overlapped_wait_completes_on_a_change_and_cancels)
{
    battd_t d;
    REQUIRE(battd_start(&d, (const char *const[]){"--virtual=0", NULL}));
    REQUIRE(BattkitConnect(d.socket));
    BATTKIT_SERVER_INFO info;
    REQUIRE(BattkitGetServerInfo(&info));
    CHECK(!info.Embedded && info.Privileged && info.VirtualTime);
    CHECK_EQ(info.ProtocolVersion, BKP_VERSION);

    HANDLE sync = open_acpi(0), h = open_acpi(FILE_FLAG_OVERLAPPED);
    REQUIRE(sync != INVALID_HANDLE_VALUE && h != INVALID_HANDLE_VALUE);
    HANDLE ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    OVERLAPPED ov = {.hEvent = ev};
    BATTERY_WAIT_STATUS in;
    BATTERY_STATUS out;
    REQUIRE(start_wait(h, sync, &ov, &in, &out));
    DWORD got = 0;
    CHECK(!GetOverlappedResult(h, &ov, &got, FALSE));
    CHECK_EQ(GetLastError(), ERROR_IO_INCOMPLETE);
    CHECK_EQ(WaitForSingleObject(ev, 200), WAIT_TIMEOUT);
    /* The change, through the daemon's simulator and clock. */
    CHECK(BattkitSim(BATTKIT_SIM_AC, (in.PowerState & BATTERY_POWER_ON_LINE) ? 0 : 1, 0, NULL));
    ULONGLONG now = 0;
    CHECK(BattkitAdvance(1000000000ull, &now));
    CHECK(now >= 1000000000ull);
    CHECK_EQ(WaitForSingleObject(ev, BOUND_MS), WAIT_OBJECT_0);
    CHECK(GetOverlappedResult(h, &ov, &got, TRUE));
    CHECK_EQ(got, sizeof out);
    CHECK(out.PowerState != in.PowerState);

    /* CancelIoEx: the wait ends with ERROR_OPERATION_ABORTED. */
    ov = (OVERLAPPED){.hEvent = ev};
    REQUIRE(start_wait(h, sync, &ov, &in, &out));
    CHECK(CancelIoEx(h, &ov));
    CHECK(!GetOverlappedResult(h, &ov, &got, TRUE));
    CHECK_EQ(GetLastError(), ERROR_OPERATION_ABORTED);

    /* CloseHandle: the pending wait is aborted too and still completes. */
    ov = (OVERLAPPED){.hEvent = ev};
    REQUIRE(start_wait(h, sync, &ov, &in, &out));
    CHECK(CloseHandle(h));
    CHECK_EQ(WaitForSingleObject(ev, BOUND_MS), WAIT_OBJECT_0);
    CHECK_STATUS((NTSTATUS)ov.Internal, STATUS_CANCELLED);

    SYSTEM_POWER_STATUS ps;
    CHECK(GetSystemPowerStatus(&ps));
    CHECK(ps.ACLineStatus == AC_LINE_ONLINE || ps.ACLineStatus == AC_LINE_OFFLINE);
    CHECK(ps.BatteryLifePercent <= 100);
    CloseHandle(sync);
    CloseHandle(ev);

    /* The daemon goes away: calls fail with ERROR_BROKEN_PIPE, then the
     * socket is gone (ERROR_SERVICE_NOT_ACTIVE). */
    CHECK_EQ(battd_stop(&d), 0);
    CHECK(!GetSystemPowerStatus(&ps));
    CHECK_EQ(GetLastError(), ERROR_BROKEN_PIPE);
    CHECK(!BattkitConnect(d.socket));
    CHECK_EQ(GetLastError(), ERROR_SERVICE_NOT_ACTIVE);
    BattkitDisconnect();
}

TEST(remote_unprivileged_set_is_access_denied)
{
    battd_t d;
    REQUIRE(battd_start(&d, (const char *const[]){"--virtual=0", "--admin-uid", "4242", NULL}));
    REQUIRE(BattkitConnect(d.socket));
    BATTKIT_SERVER_INFO info;
    REQUIRE(BattkitGetServerInfo(&info));
    CHECK(!info.Privileged);
    HANDLE h = open_acpi(0); /* asked for read and write: granted read */
    REQUIRE(h != INVALID_HANDLE_VALUE);
    ULONG zero = 0, tag = 0;
    DWORD got;
    CHECK(DeviceIoControl(h, IOCTL_BATTERY_QUERY_TAG, &zero, 4, &tag, 4, &got, NULL));
    BATTERY_SET_INFORMATION s = {.BatteryTag = tag, .InformationLevel = BatteryCharge};
    CHECK(!DeviceIoControl(h, IOCTL_BATTERY_SET_INFORMATION, &s, 8, NULL, 0, &got, NULL));
    CHECK_EQ(GetLastError(), ERROR_ACCESS_DENIED);
    CHECK_STATUS(BattkitGetLastNtStatus(), STATUS_ACCESS_DENIED);
    CHECK(!BattkitSim(BATTKIT_SIM_AC, 0, 0, NULL));
    CHECK_EQ(GetLastError(), ERROR_ACCESS_DENIED);
    BATTKIT_POLICY p = {.LowPercent = 20, .CriticalPercent = 5};
    CHECK(!BattkitSetPolicy(&p));
    CHECK_EQ(GetLastError(), ERROR_ACCESS_DENIED);
    BATTKIT_POLICY_STATE st;
    CHECK(BattkitGetPolicy(&st)); /* reading is open */
    CloseHandle(h);
    BattkitDisconnect();
    CHECK_EQ(battd_stop(&d), 0);
}

TEST(remote_watch_sees_no_interface_event_for_a_battery_leaving_its_slot)
{
    battd_t d;
    REQUIRE(battd_start(&d, (const char *const[]){"--virtual=0", "--machine", MACHINE_FILE, NULL}));
    REQUIRE(BattkitConnect(d.socket));
    HANDLE watch = BattkitWatchInterfaces(&GUID_DEVCLASS_BATTERY);
    REQUIRE(watch);
    CHECK_EQ(WaitForSingleObject(watch, 100), WAIT_TIMEOUT);
    /* A battery leaving its slot is not an interface removal (the slot
     * stays); the interface events are the device's own. */
    CHECK(BattkitSim(BATTKIT_SIM_PRESENT, 0, 0, "BAT1"));
    CHECK(BattkitSim(BATTKIT_SIM_PRESENT, 1, 0, "BAT1"));
    CHECK_EQ(WaitForSingleObject(watch, 100), WAIT_TIMEOUT);
    CHECK(CloseHandle(watch));
    BattkitDisconnect();
    CHECK_EQ(battd_stop(&d), 0);
}

/* Through battd, the power manager's answers (GetSystemPowerStatus and
 * CallNtPowerInformation(SystemBatteryState)) are the composite battery's
 * figures at every step of a discharge. */
TEST(remote_system_power_answers_match_the_composite_at_every_step)
{
    battd_t d;
    REQUIRE(battd_start(&d, (const char *const[]){"--virtual=0", NULL}));
    REQUIRE(BattkitConnect(d.socket));
    HANDLE c =
        CreateFileA("\\Device\\CompositeBattery", GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    REQUIRE(c != INVALID_HANDLE_VALUE);
    REQUIRE(BattkitSim(BATTKIT_SIM_AC, 0, 0, NULL));
    for (int step = 0; step < 8; step++) {
        ULONG zero = 0, tag = 0;
        DWORD got;
        BATTERY_INFORMATION bi;
        BATTERY_STATUS bs;
        REQUIRE(DeviceIoControl(c, IOCTL_BATTERY_QUERY_TAG, &zero, 4, &tag, 4, &got, NULL));
        BATTERY_QUERY_INFORMATION q = {.BatteryTag = tag, .InformationLevel = BatteryInformation};
        REQUIRE(DeviceIoControl(c, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, &bi, sizeof bi,
                                &got, NULL));
        BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
        REQUIRE(DeviceIoControl(c, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &bs, sizeof bs, &got,
                                NULL));
        SYSTEM_BATTERY_STATE s;
        REQUIRE(CallNtPowerInformation(SystemBatteryState, NULL, 0, &s, sizeof s) == 0);
        SYSTEM_POWER_STATUS ps;
        REQUIRE(GetSystemPowerStatus(&ps));
        CHECK_EQ(s.BatteryPresent, 1);
        CHECK_EQ(s.AcOnLine, 0);
        CHECK_EQ(s.Discharging, 1);
        CHECK_EQ(s.MaxCapacity, bi.FullChargedCapacity);
        CHECK_EQ(s.RemainingCapacity, bs.Capacity);
        CHECK_EQ((LONG)s.Rate, (LONG)bs.Rate);
        CHECK_EQ(ps.ACLineStatus, AC_LINE_OFFLINE);
        CHECK_EQ(ps.BatteryLifePercent, (BYTE)((bs.Capacity * 100ull + bi.FullChargedCapacity / 2) /
                                               bi.FullChargedCapacity));
        CHECK_EQ(ps.BatteryLifeTime, s.EstimatedTime);
        if (step > 0) /* after the settle period */
            CHECK(s.EstimatedTime != BATTERY_UNKNOWN_TIME);
        REQUIRE(BattkitAdvance(10 * 60 * 1000000000ull, NULL));
    }
    CloseHandle(c);
    BattkitDisconnect();
    CHECK_EQ(battd_stop(&d), 0);
}

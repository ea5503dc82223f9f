/* CreateFile/CloseHandle and synchronous DeviceIoControl: the documented
 * query sequence, and the Win32 error each NTSTATUS becomes (reference
 * 1.6: tag mismatch ERROR_FILE_NOT_FOUND, short buffer
 * ERROR_INSUFFICIENT_BUFFER with 0 bytes, write access for SET). */
#include "fixture.h"

#include <string.h>

TEST(createfile_opens_the_path_setupdi_gives)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ | GENERIC_WRITE, 0);
    CHECK(h != INVALID_HANDLE_VALUE);
    CHECK(fixture_tag(h) != BATTERY_TAG_INVALID);
    CHECK(CloseHandle(h));
    CHECK(!CloseHandle(h));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    fixture_stop(host);
}

TEST(createfile_unknown_path_is_file_not_found)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = CreateFileW(L"\\\\?\\ACPI#PNP0C0A#9#{72631e54-78a4-11d0-bcf7-00aa00b7b32a}",
                           GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(h == INVALID_HANDLE_VALUE);
    CHECK_EQ(GetLastError(), ERROR_FILE_NOT_FOUND);
    h = CreateFileA(NULL, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    CHECK(h == INVALID_HANDLE_VALUE);
    CHECK_EQ(GetLastError(), ERROR_PATH_NOT_FOUND);
    fixture_stop(host);
}

TEST(createfile_needs_open_existing)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    char path[512];
    REQUIRE(fixture_first_path(path, sizeof path));
    HANDLE h = CreateFileA(path, GENERIC_READ, 0, NULL, CREATE_ALWAYS, 0, NULL);
    CHECK(h == INVALID_HANDLE_VALUE);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    fixture_stop(host);
}

TEST(documented_query_sequence_returns_the_windows_layouts)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ | GENERIC_WRITE, 0);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    ULONG tag = fixture_tag(h);
    REQUIRE(tag);
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = tag, .InformationLevel = BatteryInformation};
    BATTERY_INFORMATION bi;
    DWORD got = 0;
    CHECK(DeviceIoControl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, &bi, sizeof bi, &got,
                          NULL));
    CHECK_EQ(got, 36);
    CHECK(bi.Capabilities & BATTERY_SYSTEM_BATTERY);
    CHECK_EQ(bi.DesignedCapacity, 57000); /* the built-in laptop's 57 Wh */
    BATTERY_STATUS bs;
    CHECK(fixture_status(h, tag, &bs));
    CHECK(bs.PowerState & BATTERY_POWER_ON_LINE);
    CHECK(bs.Capacity > 0 && bs.Capacity <= bi.FullChargedCapacity);
    CloseHandle(h);
    fixture_stop(host);
}

TEST(synchronous_ioctl_needs_bytes_returned)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ, 0);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    ULONG wait = 0, tag = 0;
    CHECK(!DeviceIoControl(h, IOCTL_BATTERY_QUERY_TAG, &wait, 4, &tag, 4, NULL, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    DWORD got;
    CHECK(!DeviceIoControl(h, IOCTL_BATTERY_QUERY_TAG, NULL, 4, &tag, 4, &got, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CHECK(!DeviceIoControl((HANDLE)(uintptr_t)0x4444, IOCTL_BATTERY_QUERY_TAG, &wait, 4, &tag, 4,
                           &got, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CloseHandle(h);
    fixture_stop(host);
}

TEST(stale_tag_fails_with_file_not_found)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ, 0);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    ULONG tag = fixture_tag(h);
    BATTERY_STATUS bs;
    CHECK(!fixture_status(h, tag + 1, &bs));
    CHECK_EQ(GetLastError(), ERROR_FILE_NOT_FOUND);
    CHECK_STATUS(BattkitGetLastNtStatus(), STATUS_NO_SUCH_DEVICE);
    CloseHandle(h);
    fixture_stop(host);
}

TEST(output_too_small_is_insufficient_buffer_with_zero_bytes)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ, 0);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = fixture_tag(h),
                                   .InformationLevel = BatteryInformation};
    BYTE small[8];
    DWORD got = 99;
    CHECK(!DeviceIoControl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, small, sizeof small,
                           &got, NULL));
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    CHECK_EQ(got, 0);
    CloseHandle(h);
    fixture_stop(host);
}

TEST(undefined_information_level_is_invalid_parameter)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ, 0);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = fixture_tag(h), .InformationLevel = 99};
    BYTE out[64];
    DWORD got;
    CHECK(!DeviceIoControl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, out, sizeof out, &got,
                           NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    CloseHandle(h);
    fixture_stop(host);
}

TEST(set_information_needs_a_handle_opened_for_write)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ, 0);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    BATTERY_SET_INFORMATION s = {.BatteryTag = fixture_tag(h), .InformationLevel = BatteryCharge};
    DWORD got;
    CHECK(!DeviceIoControl(h, IOCTL_BATTERY_SET_INFORMATION, &s, 8, NULL, 0, &got, NULL));
    CHECK_EQ(GetLastError(), ERROR_ACCESS_DENIED);
    CloseHandle(h);
    fixture_stop(host);
}

TEST(set_critical_bias_is_taken_by_simbatt_and_read_back)
{
    bk_host_t *host = fixture_start(fixture_machine("two-batteries.ini"));
    REQUIRE(host);
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_BATTERY, "SIMBATT", NULL,
                                        DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
    char buf[600];
    PSP_DEVICE_INTERFACE_DETAIL_DATA_A d = (void *)buf;
    d->cbSize = sizeof *d;
    REQUIRE(SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, &did));
    REQUIRE(SetupDiGetDeviceInterfaceDetailA(set, &did, d, sizeof buf, NULL, NULL));
    SetupDiDestroyDeviceInfoList(set);
    HANDLE h =
        CreateFileA(d->DevicePath, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    ULONG tag = fixture_tag(h);
    struct {
        BATTERY_SET_INFORMATION s;
        ULONG pad;
    } req = {.s = {.BatteryTag = tag, .InformationLevel = BatteryCriticalBias}};
    ULONG bias = 150; /* mWh */
    memcpy(req.s.Buffer, &bias, sizeof bias);
    DWORD got;
    CHECK(DeviceIoControl(h, IOCTL_BATTERY_SET_INFORMATION, &req, 12, NULL, 0, &got, NULL));
    /* docs: re-read BATTERY_INFORMATION to confirm (the tag may have
     * changed with the static data). */
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = fixture_tag(h),
                                   .InformationLevel = BatteryInformation};
    BATTERY_INFORMATION bi;
    CHECK(DeviceIoControl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, &bi, sizeof bi, &got,
                          NULL));
    CHECK_EQ(bi.CriticalBias, 150);
    CloseHandle(h);
    fixture_stop(host);
}

/* NTSTATUS -> Win32 error codes (reference 7.4 rows and translation
 * rules), last-error per thread, the daemon-unreachable error. */
#include "fixture.h"

#include <pthread.h>
#include <stdlib.h>

TEST(ntstatus_maps_to_the_reference_win32_errors)
{
    static const struct {
        uint32_t status;
        DWORD error;
    } rows[] = {
        {0xC000000E, 2},    {0xC0000010, 1},    {0xC0000023, 122},  {0xC000000D, 87},
        {0x00000000, 0},    {0x00000102, 1460}, {0x00000103, 997},  {0x80000005, 234},
        {0x80000011, 170},  {0x8000001A, 259},  {0xC0000001, 31},   {0xC0000002, 1},
        {0xC0000003, 87},   {0xC0000004, 24},   {0xC000000F, 2},    {0xC0000022, 5},
        {0xC0000034, 2},    {0xC0000056, 5},    {0xC0000059, 1306}, {0xC000009A, 1450},
        {0xC00000A3, 21},   {0xC00000B5, 121},  {0xC00000BB, 50},   {0xC00000C0, 55},
        {0xC00000EF, 87},   {0xC00000F0, 87},   {0xC00000F1, 87},   {0xC00000F2, 87},
        {0xC0000120, 995},  {0xC0000206, 1784}, {0xC0000295, 4200}, {0xC0000296, 4201},
        {0xC00002B6, 1617},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        CHECK_EQ(BattkitNtStatusToWin32Error((NTSTATUS)rows[i].status), rows[i].error);
}

TEST(ntstatus_translation_rules)
{
    CHECK_EQ(BattkitNtStatusToWin32Error((NTSTATUS)0xC0FFEEEE), ERROR_MR_MID_NOT_FOUND);
    CHECK_EQ(BattkitNtStatusToWin32Error((NTSTATUS)0xE0001234), 0xE0001234); /* customer */
    CHECK_EQ(BattkitNtStatusToWin32Error((NTSTATUS)0xD0000022), ERROR_ACCESS_DENIED);
    CHECK_EQ(BattkitNtStatusToWin32Error((NTSTATUS)0xC0010057), 0x57);
    CHECK_EQ(BattkitNtStatusToWin32Error((NTSTATUS)0x80070005), 5);
}

static void *other_thread(void *arg)
{
    (void)arg;
    CHECK_EQ(GetLastError(), 0);
    SetLastError(ERROR_BUSY);
    return NULL;
}

TEST(last_error_is_per_thread)
{
    SetLastError(ERROR_NOT_FOUND);
    pthread_t t;
    pthread_create(&t, NULL, other_thread, NULL);
    pthread_join(t, NULL);
    CHECK_EQ(GetLastError(), ERROR_NOT_FOUND);
}

TEST(no_daemon_is_service_not_active)
{
    CHECK(!BattkitConnect("/nonexistent/battkit/battd.sock"));
    CHECK_EQ(GetLastError(), ERROR_SERVICE_NOT_ACTIVE);
    setenv("BATTKIT_SOCKET", "/nonexistent/battkit/battd.sock", 1);
    BattkitDisconnect();
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_BATTERY, NULL, NULL,
                                        DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    CHECK(set == INVALID_HANDLE_VALUE);
    CHECK_EQ(GetLastError(), ERROR_SERVICE_NOT_ACTIVE);
    SYSTEM_POWER_STATUS ps;
    CHECK(!GetSystemPowerStatus(&ps));
    CHECK_EQ(GetLastError(), ERROR_SERVICE_NOT_ACTIVE);
    unsetenv("BATTKIT_SOCKET");
}

TEST(handles_of_a_replaced_host_are_invalid)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HANDLE h = fixture_open(GENERIC_READ, 0);
    REQUIRE(h != INVALID_HANDLE_VALUE);
    CHECK(BattkitUseEmbeddedHost(NULL)); /* closes what it had opened */
    ULONG wait = 0, tag;
    DWORD got;
    CHECK(!DeviceIoControl(h, IOCTL_BATTERY_QUERY_TAG, &wait, 4, &tag, 4, &got, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(CloseHandle(h));
    bk_host_unload_machine(host);
    CHECK_EQ(bk_host_destroy(host), 0);
}

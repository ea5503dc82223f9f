/* SetupDi enumeration as the documented flow uses it (reference 7.3):
 * class GUID or interface GUID, ERROR_NO_MORE_ITEMS at the end, the
 * two-call detail pattern and its buffer rules. */
#include "fixture.h"

#include <stddef.h>
#include <string.h>

static HDEVINFO battery_set(void)
{
    return SetupDiGetClassDevsW(&GUID_DEVCLASS_BATTERY, NULL, NULL,
                                DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
}

TEST(setupdi_enumerates_battery_interfaces_until_no_more_items)
{
    bk_host_t *host = fixture_start(fixture_machine("two-batteries.ini"));
    REQUIRE(host);
    const GUID *guids[] = {&GUID_DEVCLASS_BATTERY, &GUID_DEVICE_BATTERY};
    for (int g = 0; g < 2; g++) {
        HDEVINFO set =
            SetupDiGetClassDevsW(guids[g], NULL, NULL, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
        CHECK(set != INVALID_HANDLE_VALUE);
        SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
        CHECK(SetupDiEnumDeviceInterfaces(set, NULL, guids[g], 0, &did));
        CHECK(IsEqualGUID(&did.InterfaceClassGuid, &GUID_DEVICE_BATTERY));
        CHECK_EQ(did.Flags, SPINT_ACTIVE);
        CHECK(SetupDiEnumDeviceInterfaces(set, NULL, guids[g], 1, &did));
        CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, guids[g], 2, &did));
        CHECK_EQ(GetLastError(), ERROR_NO_MORE_ITEMS);
        CHECK(SetupDiDestroyDeviceInfoList(set));
    }
    fixture_stop(host);
}

TEST(setupdi_detail_reports_required_size_then_fills_the_path)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HDEVINFO set = battery_set();
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
    REQUIRE(SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, &did));
    DWORD need = 0;
    CHECK(!SetupDiGetDeviceInterfaceDetailW(set, &did, NULL, 0, &need, NULL));
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    REQUIRE(need > offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_W, DevicePath) + sizeof(WCHAR));
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W d = LocalAlloc(LPTR, need);
    REQUIRE(d);
    d->cbSize = sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W);
    CHECK_EQ(d->cbSize, 8); /* x64 */
    SP_DEVINFO_DATA dev = {.cbSize = sizeof dev};
    CHECK(SetupDiGetDeviceInterfaceDetailW(set, &did, d, need, NULL, &dev));
    /* The Win32 device path form, NUL-terminated exactly at the end. */
    CHECK(d->DevicePath[0] == L'\\' && d->DevicePath[1] == L'\\' && d->DevicePath[2] == L'?' &&
          d->DevicePath[3] == L'\\');
    size_t chars = (need - offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_W, DevicePath)) / 2;
    CHECK_EQ(d->DevicePath[chars - 1], 0);
    CHECK(IsEqualGUID(&dev.ClassGuid, &GUID_DEVCLASS_BATTERY));
    LocalFree(d);
    SetupDiDestroyDeviceInfoList(set);
    fixture_stop(host);
}

TEST(setupdi_detail_needs_cbsize_of_the_fixed_part)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HDEVINFO set = battery_set();
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
    REQUIRE(SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, &did));
    DWORD need = 0;
    SetupDiGetDeviceInterfaceDetailA(set, &did, NULL, 0, &need, NULL);
    char buf[600];
    PSP_DEVICE_INTERFACE_DETAIL_DATA_A d = (void *)buf;
    /* docs: cbSize is sizeof the structure (8 on x64), not the buffer size. */
    d->cbSize = need;
    CHECK(!SetupDiGetDeviceInterfaceDetailA(set, &did, d, sizeof buf, NULL, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_USER_BUFFER);
    d->cbSize = 6; /* the x86 size of the W form */
    CHECK(!SetupDiGetDeviceInterfaceDetailA(set, &did, d, sizeof buf, NULL, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_USER_BUFFER);
    d->cbSize = sizeof *d;
    CHECK(!SetupDiGetDeviceInterfaceDetailA(set, &did, d, 4, NULL, NULL)); /* < fixed + 1 char */
    CHECK_EQ(GetLastError(), ERROR_INVALID_USER_BUFFER);
    CHECK(!SetupDiGetDeviceInterfaceDetailA(set, &did, d, need - 1, NULL, NULL));
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    CHECK(!SetupDiGetDeviceInterfaceDetailA(set, &did, NULL, 16, &need, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_USER_BUFFER);
    CHECK(SetupDiGetDeviceInterfaceDetailA(set, &did, d, need, NULL, NULL));
    CHECK(strncmp(d->DevicePath, "\\\\?\\", 4) == 0);
    SetupDiDestroyDeviceInfoList(set);
    fixture_stop(host);
}

TEST(setupdi_enum_checks_the_interface_data_size)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HDEVINFO set = battery_set();
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = 0};
    CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, &did));
    CHECK_EQ(GetLastError(), ERROR_INVALID_USER_BUFFER);
    CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, NULL));
    CHECK_EQ(GetLastError(), ERROR_INVALID_USER_BUFFER);
    did.cbSize = sizeof did;
    CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVICE_LID, 0, &did));
    CHECK_EQ(GetLastError(), ERROR_NO_MORE_ITEMS); /* no lid interfaces in this set */
    SetupDiDestroyDeviceInfoList(set);
    fixture_stop(host);
}

TEST(setupdi_refuses_unsupported_flags_and_missing_guid)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    CHECK(SetupDiGetClassDevsW(NULL, NULL, NULL, DIGCF_ALLCLASSES | DIGCF_DEVICEINTERFACE) ==
          INVALID_HANDLE_VALUE);
    CHECK_EQ(GetLastError(), ERROR_INVALID_FLAGS);
    CHECK(SetupDiGetClassDevsW(&GUID_DEVCLASS_BATTERY, NULL, NULL, 0x100) == INVALID_HANDLE_VALUE);
    CHECK_EQ(GetLastError(), ERROR_INVALID_FLAGS);
    CHECK(SetupDiGetClassDevsW(NULL, NULL, NULL, DIGCF_DEVICEINTERFACE) == INVALID_HANDLE_VALUE);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    /* Another class lists nothing, but is a valid, empty set. */
    HDEVINFO set = SetupDiGetClassDevsW(&GUID_DEVICE_LID, NULL, NULL, DIGCF_DEVICEINTERFACE);
    CHECK(set != INVALID_HANDLE_VALUE);
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
    CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVICE_LID, 0, &did));
    CHECK_EQ(GetLastError(), ERROR_NO_MORE_ITEMS);
    SetupDiDestroyDeviceInfoList(set);
    fixture_stop(host);
}

TEST(setupdi_destroyed_set_is_an_invalid_handle)
{
    bk_host_t *host = fixture_start(NULL);
    REQUIRE(host);
    HDEVINFO set = battery_set();
    CHECK(SetupDiDestroyDeviceInfoList(set));
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
    CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, &did));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(!SetupDiDestroyDeviceInfoList(set));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    CHECK(!SetupDiDestroyDeviceInfoList((HDEVINFO)(uintptr_t)0x7777));
    CHECK_EQ(GetLastError(), ERROR_INVALID_HANDLE);
    fixture_stop(host);
}

TEST(setupdi_enumerator_filters_the_paths)
{
    bk_host_t *host = fixture_start(fixture_machine("two-batteries.ini"));
    REQUIRE(host);
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_BATTERY, "PNP0C0A", NULL,
                                        DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    REQUIRE(set != INVALID_HANDLE_VALUE);
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
    CHECK(SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, &did));
    CHECK(!SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 1, &did));
    SetupDiDestroyDeviceInfoList(set);
    fixture_stop(host);
}

/* Lists the machine's batteries and the system power state the way the
 * Windows documentation shows an application doing it ("Enumerating
 * Battery Devices", "Battery Information", GetSystemPowerStatus): SetupDi
 * enumeration of GUID_DEVCLASS_BATTERY, CreateFile on each device path,
 * IOCTL_BATTERY_QUERY_TAG, _QUERY_INFORMATION and _QUERY_STATUS. Nothing
 * here is battkit's: the file builds unchanged for Windows
 * (x86_64-w64-mingw32-gcc battery_status.c -lsetupapi) and against
 * battkit's lib/include (-I lib/include -I include -fshort-wchar, linked
 * with libbattkit-client, which talks to battd). Exit status: 0 with at
 * least one battery, 2 with none, 1 on an error. */
#include <windows.h>
#include <batclass.h>
#include <setupapi.h>
#include <initguid.h> /* GUID_DEVCLASS_BATTERY defined here, as with the SDK */
#include <devguid.h>
#include <stdio.h>

static void print_name(HANDLE battery, ULONG tag, BATTERY_QUERY_INFORMATION_LEVEL level,
                       const char *label)
{
    BATTERY_QUERY_INFORMATION bqi = {0};
    WCHAR text[64] = {0};
    char utf8[192];
    DWORD got = 0;
    bqi.BatteryTag = tag;
    bqi.InformationLevel = level;
    if (!DeviceIoControl(battery, IOCTL_BATTERY_QUERY_INFORMATION, &bqi, sizeof(bqi), text,
                         sizeof(text) - sizeof(WCHAR), &got, NULL)) {
        /* Levels a battery cannot supply fail with ERROR_INVALID_FUNCTION. */
        printf("  %-14s (not supplied, error %u)\n", label, (unsigned)GetLastError());
        return;
    }
    if (!WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, sizeof(utf8), NULL, NULL))
        utf8[0] = 0;
    printf("  %-14s %s\n", label, utf8);
}

static void print_state(ULONG state)
{
    printf("  %-14s%s%s%s%s\n", "Power state:", (state & BATTERY_POWER_ON_LINE) ? " on-line" : "",
           (state & BATTERY_CHARGING) ? " charging" : "",
           (state & BATTERY_DISCHARGING) ? " discharging" : "",
           (state & BATTERY_CRITICAL) ? " critical" : "");
}

/* One battery slot: returns 1 if a battery was read, 0 for an empty slot. */
static int show_battery(const TCHAR *path, int index)
{
    HANDLE battery =
        CreateFile(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                   OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (battery == INVALID_HANDLE_VALUE) {
        printf("battery %d: CreateFile failed, error %u\n", index, (unsigned)GetLastError());
        return -1;
    }
    int result = 0;
    BATTERY_QUERY_INFORMATION bqi = {0};
    DWORD wait = 0, got = 0;
    /* The tag names the battery now in the slot; a zero tag means none. */
    if (!DeviceIoControl(battery, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof(wait), &bqi.BatteryTag,
                         sizeof(bqi.BatteryTag), &got, NULL) ||
        !bqi.BatteryTag) {
        printf("battery %d: no battery in this slot\n", index);
        goto done;
    }
    BATTERY_INFORMATION bi = {0};
    bqi.InformationLevel = BatteryInformation;
    if (!DeviceIoControl(battery, IOCTL_BATTERY_QUERY_INFORMATION, &bqi, sizeof(bqi), &bi,
                         sizeof(bi), &got, NULL)) {
        printf("battery %d: QUERY_INFORMATION failed, error %u\n", index, (unsigned)GetLastError());
        result = -1;
        goto done;
    }
    printf("battery %d: tag %u\n", index, (unsigned)bqi.BatteryTag);
    print_name(battery, bqi.BatteryTag, BatteryDeviceName, "Name:");
    print_name(battery, bqi.BatteryTag, BatteryManufactureName, "Manufacturer:");
    printf("  %-14s %.4s, %s\n", "Chemistry:", (const char *)bi.Chemistry,
           bi.Technology ? "rechargeable" : "primary");
    printf("  %-14s %u mWh design, %u mWh full\n", "Capacity:", (unsigned)bi.DesignedCapacity,
           (unsigned)bi.FullChargedCapacity);
    printf("  %-14s %s%s\n", "Kind:",
           (bi.Capabilities & BATTERY_SYSTEM_BATTERY) ? "system battery" : "not a system battery",
           (bi.Capabilities & BATTERY_IS_SHORT_TERM) ? " (short term, a UPS)" : "");

    BATTERY_WAIT_STATUS bws = {0}; /* Timeout 0: the status now */
    BATTERY_STATUS bs = {0};
    bws.BatteryTag = bqi.BatteryTag;
    if (!DeviceIoControl(battery, IOCTL_BATTERY_QUERY_STATUS, &bws, sizeof(bws), &bs, sizeof(bs),
                         &got, NULL)) {
        printf("battery %d: QUERY_STATUS failed, error %u\n", index, (unsigned)GetLastError());
        result = -1;
        goto done;
    }
    print_state(bs.PowerState);
    if (bs.Capacity != BATTERY_UNKNOWN_CAPACITY && bi.FullChargedCapacity)
        printf("  %-14s %u mWh (%u%%)\n", "Charge:", (unsigned)bs.Capacity,
               (unsigned)(100.0 * bs.Capacity / bi.FullChargedCapacity + 0.5));
    if ((ULONG)bs.Rate != BATTERY_UNKNOWN_RATE)
        printf("  %-14s %d mW\n", "Rate:", (int)bs.Rate);
    if (bs.Voltage != BATTERY_UNKNOWN_VOLTAGE)
        printf("  %-14s %u mV\n", "Voltage:", (unsigned)bs.Voltage);
    result = 1;
done:
    CloseHandle(battery);
    return result;
}

int main(void)
{
    HDEVINFO hdev =
        SetupDiGetClassDevs(&GUID_DEVCLASS_BATTERY, 0, 0, DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    if (hdev == INVALID_HANDLE_VALUE) {
        printf("SetupDiGetClassDevs failed, error %u\n", (unsigned)GetLastError());
        return 1;
    }
    int batteries = 0, failed = 0;
    for (DWORD idev = 0; idev < 100; idev++) {
        SP_DEVICE_INTERFACE_DATA did = {0};
        did.cbSize = sizeof(did);
        if (!SetupDiEnumDeviceInterfaces(hdev, 0, &GUID_DEVCLASS_BATTERY, idev, &did)) {
            if (GetLastError() != ERROR_NO_MORE_ITEMS)
                failed = 1;
            break;
        }
        DWORD required = 0;
        SetupDiGetDeviceInterfaceDetail(hdev, &did, 0, 0, &required, 0);
        if (GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
            failed = 1;
            break;
        }
        PSP_DEVICE_INTERFACE_DETAIL_DATA pdidd =
            (PSP_DEVICE_INTERFACE_DETAIL_DATA)LocalAlloc(LPTR, required);
        if (!pdidd) {
            failed = 1;
            break;
        }
        pdidd->cbSize = sizeof(*pdidd); /* the fixed part, not the buffer */
        if (SetupDiGetDeviceInterfaceDetail(hdev, &did, pdidd, required, &required, 0)) {
            int r = show_battery(pdidd->DevicePath, (int)idev);
            if (r > 0)
                batteries++;
            else if (r < 0)
                failed = 1;
        } else {
            failed = 1;
        }
        LocalFree(pdidd);
    }
    SetupDiDestroyDeviceInfoList(hdev);

    SYSTEM_POWER_STATUS sps;
    if (!GetSystemPowerStatus(&sps)) {
        printf("GetSystemPowerStatus failed, error %u\n", (unsigned)GetLastError());
        return 1;
    }
    printf("system: AC line %s, battery flag 0x%02x, %u%%",
           sps.ACLineStatus == 1   ? "online"
           : sps.ACLineStatus == 0 ? "offline"
                                   : "unknown",
           sps.BatteryFlag, sps.BatteryLifePercent);
    if (sps.BatteryLifeTime != (DWORD)-1)
        printf(", %u s left", (unsigned)sps.BatteryLifeTime);
    printf("\n");
    if (failed)
        return 1;
    return batteries ? 0 : 2;
}

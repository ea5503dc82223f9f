/* The client-library test fixture: embedded host, machine, helpers. */
#include "fixture.h"

#include <stdio.h>
#include <string.h>

bk_host_t *fixture_start(const char *machine)
{
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!host)
        return NULL;
    if (bk_host_load_machine(host, machine) != 0) {
        fprintf(stderr, "fixture: machine: %s\n", bk_platform_last_error());
        bk_host_destroy(host);
        return NULL;
    }
    if (!BattkitUseEmbeddedHost(host)) {
        bk_host_unload_machine(host);
        bk_host_destroy(host);
        return NULL;
    }
    return host;
}

void fixture_stop(bk_host_t *host)
{
    if (!host)
        return;
    CHECK(BattkitUseEmbeddedHost(NULL));
    bk_host_unload_machine(host);
    int leaks = bk_host_destroy(host);
    if (leaks)
        fprintf(stderr, "fixture: %s\n", bk_host_last_report());
    CHECK_EQ(leaks, 0);
}

BOOL fixture_first_path(char *path, size_t size)
{
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_BATTERY, NULL, NULL,
                                        DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    if (set == INVALID_HANDLE_VALUE)
        return FALSE;
    SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
    BOOL ok = SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, 0, &did);
    char buf[600];
    PSP_DEVICE_INTERFACE_DETAIL_DATA_A d = (void *)buf;
    d->cbSize = sizeof *d;
    ok = ok && SetupDiGetDeviceInterfaceDetailA(set, &did, d, sizeof buf, NULL, NULL);
    if (ok)
        snprintf(path, size, "%s", d->DevicePath);
    SetupDiDestroyDeviceInfoList(set);
    return ok;
}

HANDLE fixture_open(DWORD access, DWORD flags)
{
    char path[512];
    if (!fixture_first_path(path, sizeof path))
        return INVALID_HANDLE_VALUE;
    return CreateFileA(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                       FILE_ATTRIBUTE_NORMAL | flags, NULL);
}

ULONG fixture_tag(HANDLE h)
{
    ULONG wait = 0, tag = 0;
    DWORD got = 0;
    if (!DeviceIoControl(h, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, &tag, sizeof tag, &got,
                         NULL))
        return 0;
    return tag;
}

BOOL fixture_status(HANDLE h, ULONG tag, BATTERY_STATUS *out)
{
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag};
    DWORD got = 0;
    return DeviceIoControl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, out, sizeof *out, &got,
                           NULL) &&
           got == sizeof *out;
}

const char *fixture_machine(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", TESTS_LIB_DIR, name);
    return path;
}

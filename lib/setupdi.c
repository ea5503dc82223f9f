/* SetupDi* device-interface enumeration (reference 7.3): a device
 * information set is a snapshot of one interface class's device paths,
 * listed by the transport when the set is made. Buffer and size rules
 * follow the SDK setupapi pages. */
#include "internal.h"
#include <setupapi.h>

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct devinfo {
    bkc_object_t obj;
    GUID guid;
    char **paths;
    size_t count;
} devinfo_t;

#define DETAIL_FIXED offsetof(SP_DEVICE_INTERFACE_DETAIL_DATA_W, DevicePath)
_Static_assert(sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W) == 8, "x64 detail size");
_Static_assert(sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_A) == 8, "x64 detail size");
_Static_assert(sizeof(SP_DEVICE_INTERFACE_DATA) == 32, "x64 interface data size");
_Static_assert(sizeof(SP_DEVINFO_DATA) == 32, "x64 devinfo size");

static void devinfo_destroy(bkc_object_t *obj)
{
    devinfo_t *d = (devinfo_t *)obj;
    bkc_free_paths(d->paths, d->count);
    free(d);
}

static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

static HDEVINFO get_class_devs(const GUID *guid, const char *enumerator, DWORD flags)
{
    const DWORD known =
        DIGCF_DEFAULT | DIGCF_PRESENT | DIGCF_ALLCLASSES | DIGCF_PROFILE | DIGCF_DEVICEINTERFACE;
    if ((flags & ~known) || (flags & DIGCF_ALLCLASSES)) {
        bkc_set_error(ERROR_INVALID_FLAGS);
        return INVALID_HANDLE_VALUE;
    }
    if (!guid) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    /* Every interface the host lists is present, so DIGCF_PRESENT changes
     * nothing. Without DIGCF_DEVICEINTERFACE the GUID names a setup class;
     * the battery setup class has the battery interface class's value. */
    const bkc_transport_t *tp = bkc_transport(NULL);
    if (!tp)
        return INVALID_HANDLE_VALUE;
    devinfo_t *d = calloc(1, sizeof *d);
    if (!d) {
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
        return INVALID_HANDLE_VALUE;
    }
    d->obj.kind = BKC_DEVINFO;
    d->obj.destroy = devinfo_destroy;
    d->guid = *guid;
    NTSTATUS s = tp->enum_interfaces(guid, &d->paths, &d->count);
    if (!NT_SUCCESS(s)) {
        free(d);
        bkc_set_status(s);
        return INVALID_HANDLE_VALUE;
    }
    /* The host names interfaces as kernel symbolic links (\??\...);
     * applications see the Win32 form (\\?\...), as SetupDi gives it. */
    for (size_t i = 0; i < d->count; i++)
        bkc_path_to_win32(d->paths[i]);
    if (enumerator) {
        size_t kept = 0;
        for (size_t i = 0; i < d->count; i++) {
            if (contains_nocase(d->paths[i], enumerator))
                d->paths[kept++] = d->paths[i];
            else
                free(d->paths[i]);
        }
        d->count = kept;
    }
    HANDLE h = bkc_handle_insert(&d->obj);
    if (!h) {
        devinfo_destroy(&d->obj);
        bkc_set_error(ERROR_NO_SYSTEM_RESOURCES);
        return INVALID_HANDLE_VALUE;
    }
    bkc_set_error(ERROR_SUCCESS);
    return h;
}

HDEVINFO WINAPI SetupDiGetClassDevsW(const GUID *ClassGuid, PCWSTR Enumerator, HWND hwndParent,
                                     DWORD Flags)
{
    (void)hwndParent;
    char *e = NULL;
    if (Enumerator && !(e = bkc_utf16_to_utf8(Enumerator))) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return INVALID_HANDLE_VALUE;
    }
    HDEVINFO h = get_class_devs(ClassGuid, e, Flags);
    free(e);
    return h;
}

HDEVINFO WINAPI SetupDiGetClassDevsA(const GUID *ClassGuid, PCSTR Enumerator, HWND hwndParent,
                                     DWORD Flags)
{
    (void)hwndParent;
    return get_class_devs(ClassGuid, Enumerator, Flags);
}

BOOL WINAPI SetupDiEnumDeviceInterfaces(HDEVINFO DeviceInfoSet, PSP_DEVINFO_DATA DeviceInfoData,
                                        const GUID *InterfaceClassGuid, DWORD MemberIndex,
                                        PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData)
{
    devinfo_t *d = (devinfo_t *)bkc_handle_get(DeviceInfoSet, BKC_DEVINFO);
    if (!d)
        return FALSE;
    BOOL ok = FALSE;
    if (!InterfaceClassGuid) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        goto out;
    }
    if (!DeviceInterfaceData || DeviceInterfaceData->cbSize != sizeof(SP_DEVICE_INTERFACE_DATA) ||
        (DeviceInfoData && DeviceInfoData->cbSize != sizeof(SP_DEVINFO_DATA))) {
        bkc_set_error(ERROR_INVALID_USER_BUFFER);
        goto out;
    }
    size_t index = MemberIndex;
    if (DeviceInfoData) {
        /* Only the interfaces of that one device: each device here has one. */
        if (MemberIndex != 0 || DeviceInfoData->DevInst == 0) {
            bkc_set_error(ERROR_NO_MORE_ITEMS);
            goto out;
        }
        index = DeviceInfoData->DevInst - 1;
    }
    if (!IsEqualGUID(InterfaceClassGuid, &d->guid) || index >= d->count) {
        bkc_set_error(ERROR_NO_MORE_ITEMS);
        goto out;
    }
    DeviceInterfaceData->InterfaceClassGuid = d->guid;
    DeviceInterfaceData->Flags = SPINT_ACTIVE;
    DeviceInterfaceData->Reserved = index + 1;
    bkc_set_error(ERROR_SUCCESS);
    ok = TRUE;
out:
    bkc_object_release(&d->obj);
    return ok;
}

/* Shared by the W and A forms: char_size 2 (UTF-16) or 1 (UTF-8). */
static BOOL interface_detail(HDEVINFO set, PSP_DEVICE_INTERFACE_DATA data, void *detail, DWORD size,
                             PDWORD required, PSP_DEVINFO_DATA devinfo, size_t char_size)
{
    devinfo_t *d = (devinfo_t *)bkc_handle_get(set, BKC_DEVINFO);
    if (!d)
        return FALSE;
    BOOL ok = FALSE;
    WCHAR *wide = NULL;
    if (!data || data->cbSize != sizeof(SP_DEVICE_INTERFACE_DATA) || data->Reserved == 0 ||
        data->Reserved > d->count) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        goto out;
    }
    size_t index = data->Reserved - 1;
    const char *path = d->paths[index];
    size_t chars = char_size == 1 ? strlen(path) + 1 : bkc_utf8_to_utf16(path, NULL, 0);
    size_t need = DETAIL_FIXED + chars * char_size;
    if (required)
        *required = (DWORD)need;
    if (!detail) {
        /* docs: first call with NULL and 0 to learn the size. */
        bkc_set_error(size ? ERROR_INVALID_USER_BUFFER : ERROR_INSUFFICIENT_BUFFER);
        goto out;
    }
    /* docs: cbSize is the fixed part's size (8 on x64), not the buffer's. */
    if (*(DWORD *)detail != sizeof(SP_DEVICE_INTERFACE_DETAIL_DATA_W) ||
        size < DETAIL_FIXED + char_size) {
        bkc_set_error(ERROR_INVALID_USER_BUFFER);
        goto out;
    }
    if (devinfo && devinfo->cbSize != sizeof(SP_DEVINFO_DATA)) {
        bkc_set_error(ERROR_INVALID_USER_BUFFER);
        goto out;
    }
    if (size < need) {
        bkc_set_error(ERROR_INSUFFICIENT_BUFFER);
        goto out;
    }
    char *dst = (char *)detail + DETAIL_FIXED;
    if (char_size == 1) {
        memcpy(dst, path, chars);
    } else {
        wide = malloc(chars * sizeof(WCHAR));
        if (!wide) {
            bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
            goto out;
        }
        bkc_utf8_to_utf16(path, wide, chars);
        memcpy(dst, wide, chars * sizeof(WCHAR));
    }
    if (devinfo) {
        devinfo->ClassGuid = d->guid;
        devinfo->DevInst = (DWORD)(index + 1);
        devinfo->Reserved = index + 1;
    }
    bkc_set_error(ERROR_SUCCESS);
    ok = TRUE;
out:
    free(wide);
    bkc_object_release(&d->obj);
    return ok;
}

BOOL WINAPI SetupDiGetDeviceInterfaceDetailW(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_W DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData)
{
    return interface_detail(DeviceInfoSet, DeviceInterfaceData, DeviceInterfaceDetailData,
                            DeviceInterfaceDetailDataSize, RequiredSize, DeviceInfoData,
                            sizeof(WCHAR));
}

BOOL WINAPI SetupDiGetDeviceInterfaceDetailA(
    HDEVINFO DeviceInfoSet, PSP_DEVICE_INTERFACE_DATA DeviceInterfaceData,
    PSP_DEVICE_INTERFACE_DETAIL_DATA_A DeviceInterfaceDetailData,
    DWORD DeviceInterfaceDetailDataSize, PDWORD RequiredSize, PSP_DEVINFO_DATA DeviceInfoData)
{
    return interface_detail(DeviceInfoSet, DeviceInterfaceData, DeviceInterfaceDetailData,
                            DeviceInterfaceDetailDataSize, RequiredSize, DeviceInfoData, 1);
}

BOOL WINAPI SetupDiDestroyDeviceInfoList(HDEVINFO DeviceInfoSet)
{
    bkc_object_t *obj = bkc_handle_remove(DeviceInfoSet, BKC_DEVINFO);
    if (!obj)
        return FALSE;
    bkc_object_release(obj);
    bkc_set_error(ERROR_SUCCESS);
    return TRUE;
}

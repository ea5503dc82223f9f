/* The batteries as the documented application flow finds them: SetupDi
 * enumeration of GUID_DEVCLASS_BATTERY interfaces, CreateFile on each
 * path, QUERY_TAG with no wait, then QUERY_INFORMATION per level and
 * QUERY_STATUS with Timeout 0. A battery's handle is opened when it is
 * first used and closed once its command has done with it, so battctl
 * holds one at a time on a machine of any size (battd limits the handles
 * a client holds at once, --max-handles). */
#include "battctl.h"

#include <devguid.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Room for one more entry; the list has no bound but memory. */
static bool grow(battery_t **v, size_t n, size_t *cap)
{
    if (n < *cap)
        return true;
    size_t want = *cap ? *cap * 2 : 16;
    battery_t *g = realloc(*v, want * sizeof *g);
    if (!g)
        return false;
    memset(g + *cap, 0, (want - *cap) * sizeof *g);
    *v = g;
    *cap = want;
    return true;
}

int batteries_open(DWORD access, DWORD flags, battery_t **list, size_t *count)
{
    *list = NULL;
    *count = 0;
    int rc = ensure_connected();
    if (rc)
        return rc;
    HDEVINFO set = SetupDiGetClassDevsA(&GUID_DEVCLASS_BATTERY, NULL, NULL,
                                        DIGCF_PRESENT | DIGCF_DEVICEINTERFACE);
    if (set == INVALID_HANDLE_VALUE)
        return report_error("listing batteries");
    battery_t *v = NULL;
    size_t n = 0, cap = 0;
    for (DWORD i = 0;; i++) {
        SP_DEVICE_INTERFACE_DATA did = {.cbSize = sizeof did};
        if (!SetupDiEnumDeviceInterfaces(set, NULL, &GUID_DEVCLASS_BATTERY, i, &did)) {
            if (GetLastError() != ERROR_NO_MORE_ITEMS)
                rc = report_error("listing batteries");
            break;
        }
        if (!grow(&v, n, &cap)) {
            fprintf(stderr, "battctl: out of memory listing %zu batteries\n", n + 1);
            rc = EXIT_OTHER;
            break;
        }
        DWORD need = 0;
        SetupDiGetDeviceInterfaceDetailA(set, &did, NULL, 0, &need, NULL);
        if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || need > sizeof v[n].path + 8) {
            rc = report_error("reading a battery's device path");
            break;
        }
        PSP_DEVICE_INTERFACE_DETAIL_DATA_A d = LocalAlloc(LPTR, need);
        if (!d) {
            rc = report_error("reading a battery's device path");
            break;
        }
        d->cbSize = sizeof *d;
        if (!SetupDiGetDeviceInterfaceDetailA(set, &did, d, need, &need, NULL)) {
            LocalFree(d);
            rc = report_error("reading a battery's device path");
            break;
        }
        battery_t *b = &v[n++];
        b->index = (int)i;
        b->access = access;
        b->flags = flags;
        snprintf(b->path, sizeof b->path, "%s", d->DevicePath);
        LocalFree(d);
    }
    SetupDiDestroyDeviceInfoList(set);
    if (rc) {
        batteries_close(v, n);
        return rc;
    }
    *list = v;
    *count = n;
    return EXIT_OK;
}

HANDLE battery_handle(battery_t *b)
{
    if (b->h)
        return b->h;
    if (b->gone || b->open_rc)
        return NULL;
    HANDLE h = CreateFileA(b->path, b->access, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | b->flags, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        if (GetLastError() == ERROR_FILE_NOT_FOUND)
            b->gone = true; /* removed since the listing: an empty slot */
        else
            b->open_rc = report_error(b->path);
        return NULL;
    }
    b->h = h;
    return h;
}

void battery_release(battery_t *b)
{
    if (b->h)
        CloseHandle(b->h);
    b->h = NULL;
}

void batteries_close(battery_t *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        battery_release(&list[i]);
    free(list);
}

int batteries_select(battery_t *list, size_t count, const char *sel, size_t *first, size_t *last)
{
    if (count == 0) {
        fprintf(stderr, "battctl: no battery\n");
        return EXIT_NO_BATTERY;
    }
    *first = 0;
    *last = count - 1;
    if (!sel)
        return EXIT_OK;
    char *end;
    long idx = strtol(sel, &end, 10);
    if (*sel && !*end) {
        for (size_t i = 0; i < count; i++)
            if (list[i].index == idx) {
                *first = *last = i;
                return EXIT_OK;
            }
        fprintf(stderr, "battctl: no battery %s (battctl list shows them)\n", sel);
        return EXIT_NO_BATTERY;
    }
    /* A device path, or text found in exactly one path or name. */
    size_t hits = 0, hit = 0;
    for (size_t i = 0; i < count; i++) {
        if (strcasecmp(list[i].path, sel) == 0) {
            *first = *last = i;
            return EXIT_OK;
        }
        if (!list[i].name[0] && !list[i].probed) {
            if (battery_query_tag(&list[i]))
                battery_read_info(&list[i]);
            battery_release(&list[i]);
        }
        if (strcasestr(list[i].path, sel) || (list[i].name[0] && strcasestr(list[i].name, sel)) ||
            (list[i].serial[0] && strcasecmp(list[i].serial, sel) == 0)) {
            hits++;
            hit = i;
        }
    }
    if (hits == 1) {
        *first = *last = hit;
        return EXIT_OK;
    }
    if (hits > 1) {
        fprintf(stderr, "battctl: '%s' names %zu batteries; use the index battctl list shows\n",
                sel, hits);
        return EXIT_USAGE;
    }
    fprintf(stderr, "battctl: no battery matches '%s' (battctl list shows them)\n", sel);
    return EXIT_NO_BATTERY;
}

BOOL battery_query_tag(battery_t *b)
{
    ULONG wait = 0, tag = 0; /* docs: 0 = do not wait for a battery */
    DWORD got = 0;
    b->tag = 0;
    b->probed = true;
    HANDLE h = battery_handle(b);
    if (!h)
        return FALSE;
    if (!DeviceIoControl(h, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, &tag, sizeof tag, &got,
                         NULL))
        return FALSE;
    b->tag = tag; /* docs: check the tag too, not just the return value */
    return tag != BATTERY_TAG_INVALID;
}

static BOOL query_level(battery_t *b, BATTERY_QUERY_INFORMATION_LEVEL level, void *out, DWORD size,
                        DWORD *got)
{
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = b->tag, .InformationLevel = level};
    HANDLE h = battery_handle(b);
    return h &&
           DeviceIoControl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, out, size, got, NULL);
}

static void query_string(battery_t *b, BATTERY_QUERY_INFORMATION_LEVEL level, char *out, size_t n)
{
    WCHAR w[MAX_BATTERY_STRING_SIZE];
    DWORD got = 0;
    out[0] = 0;
    memset(w, 0, sizeof w);
    if (query_level(b, level, w, sizeof w, &got))
        wide_to_utf8(w, got / sizeof(WCHAR), out, n);
}

BOOL battery_read_info(battery_t *b)
{
    DWORD got = 0;
    b->have_info =
        query_level(b, BatteryInformation, &b->info, sizeof b->info, &got) && got == sizeof b->info;
    if (!b->have_info)
        return FALSE;
    DWORD err = 0;
    /* Levels a battery may not supply fail with ERROR_INVALID_FUNCTION. */
    query_string(b, BatteryDeviceName, b->name, sizeof b->name);
    query_string(b, BatteryManufactureName, b->manufacturer, sizeof b->manufacturer);
    query_string(b, BatterySerialNumber, b->serial, sizeof b->serial);
    query_string(b, BatteryUniqueID, b->unique_id, sizeof b->unique_id);
    b->have_date = query_level(b, BatteryManufactureDate, &b->date, sizeof b->date, &got) &&
                   got == sizeof b->date;
    b->have_temperature =
        query_level(b, BatteryTemperature, &b->temperature, sizeof b->temperature, &got) &&
        got == sizeof b->temperature;
    b->scales = 0;
    if (query_level(b, BatteryGranularityInformation, b->scale, sizeof b->scale, &got))
        b->scales = (int)(got / sizeof b->scale[0]); /* docs: entries = bytes / 8 */
    (void)err;
    return TRUE;
}

BOOL battery_read_status(battery_t *b)
{
    BATTERY_WAIT_STATUS w = {.BatteryTag = b->tag, .Timeout = 0};
    DWORD got = 0;
    HANDLE h = battery_handle(b);
    b->have_status = h &&
                     DeviceIoControl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &b->status,
                                     sizeof b->status, &got, NULL) &&
                     got == sizeof b->status;
    if (!b->have_status)
        return FALSE;
    /* docs: AtRate 0 estimates at the present drain. */
    b->estimated_time = BATTERY_UNKNOWN_TIME;
    ULONG t;
    if (query_level(b, BatteryEstimatedTime, &t, sizeof t, &got) && got == sizeof t)
        b->estimated_time = t;
    return TRUE;
}

int battery_percent(const battery_t *b, ULONG capacity)
{
    if (!b->have_info || capacity == BATTERY_UNKNOWN_CAPACITY || !b->info.FullChargedCapacity ||
        b->info.FullChargedCapacity == BATTERY_UNKNOWN_CAPACITY)
        return -1;
    double p = 100.0 * capacity / b->info.FullChargedCapacity;
    return p > 100 ? 100 : (int)(p + 0.5);
}

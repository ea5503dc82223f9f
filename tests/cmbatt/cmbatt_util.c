/* Battery IOCTL helpers for the cmbatt and scenario tests. */
#include <initguid.h>
#include "cmbatt_util.h"

#include <stdlib.h>

size_t cb_battery_count(bk_host_t *host)
{
    char **paths;
    size_t n = bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &paths);
    bk_host_free_list(paths, n);
    return n;
}

bk_handle_t *cb_open_battery(bk_host_t *host, size_t index)
{
    char **paths;
    bk_handle_t *h = NULL;
    size_t n = bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &paths);
    if (index < n && bk_host_open(host, paths[index], BK_ACCESS_READ | BK_ACCESS_WRITE, &h) != 0)
        h = NULL;
    bk_host_free_list(paths, n);
    return h;
}

NTSTATUS cb_query_tag(bk_handle_t *h, ULONG wait_ms, ULONG *tag)
{
    uint32_t got = 0;
    *tag = 0;
    return bk_ioctl(h, IOCTL_BATTERY_QUERY_TAG, &wait_ms, sizeof wait_ms, tag, sizeof *tag, &got);
}

NTSTATUS cb_query_info(bk_handle_t *h, ULONG tag, BATTERY_QUERY_INFORMATION_LEVEL level,
                       LONG at_rate, void *out, ULONG out_len, ULONG *returned)
{
    BATTERY_QUERY_INFORMATION q = {
        .BatteryTag = tag, .InformationLevel = level, .AtRate = (ULONG)at_rate};
    uint32_t got = 0;
    NTSTATUS s = bk_ioctl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, out, out_len, &got);
    if (returned)
        *returned = got;
    return s;
}

NTSTATUS cb_query_status(bk_handle_t *h, ULONG tag, BATTERY_STATUS *status)
{
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag, .Timeout = 0};
    uint32_t got = 0;
    return bk_ioctl(h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, status, sizeof *status, &got);
}

bk_request_t *cb_wait_status(bk_handle_t *h, const BATTERY_WAIT_STATUS *wait, BATTERY_STATUS *out)
{
    bk_request_t *r = NULL;
    bk_ioctl_async(h, IOCTL_BATTERY_QUERY_STATUS, wait, sizeof *wait, out, sizeof *out, NULL, NULL,
                   &r);
    return r;
}

bk_request_t *cb_wait_power_change(bk_handle_t *h, ULONG tag, ULONG power_state,
                                   BATTERY_STATUS *out)
{
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag,
                             .Timeout = 0xFFFFFFFF,
                             .PowerState = power_state,
                             .LowCapacity = 0,
                             .HighCapacity = 0x7FFFFFFF};
    return cb_wait_status(h, &w, out);
}

bk_request_t *cb_wait_tag(bk_handle_t *h, ULONG wait_ms, ULONG *tag)
{
    bk_request_t *r = NULL;
    /* The input is copied into the IRP's system buffer at once. */
    bk_ioctl_async(h, IOCTL_BATTERY_QUERY_TAG, &wait_ms, sizeof wait_ms, tag, sizeof *tag, NULL,
                   NULL, &r);
    return r;
}

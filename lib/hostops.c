/* Host-side operations shared by battd and the embedded transport: the
 * documented per-battery read (QUERY_TAG with no wait, QUERY_INFORMATION
 * BatteryInformation, QUERY_STATUS with Timeout 0) for the composite
 * power status, and the simulator operations on the platform. */
#include "hostops.h"
#include "hostweak.h"
#include "protocol.h"

#include <windows.h>
#include <poclass.h>
#include <ntstatus.h>

void bkc_read_battery(bk_handle_t *h, bkc_ioctl_fn fn, void *ctx, bkc_battery_reading_t *out,
                      uint32_t *tag_out)
{
    ULONG wait = 0, tag = 0;
    uint32_t got = 0;
    *out = (bkc_battery_reading_t){.state = BKC_BATTERY_ERROR};
    *tag_out = 0;
    bk_status_t s = fn(ctx, h, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, &tag, sizeof tag, &got);
    if (s == STATUS_NO_SUCH_DEVICE) {
        out->state = BKC_BATTERY_ABSENT; /* docs: an empty slot has no tag */
        return;
    }
    if (!NT_SUCCESS(s) || got != sizeof tag || tag == BATTERY_TAG_INVALID)
        return;
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = tag, .InformationLevel = BatteryInformation};
    BATTERY_INFORMATION bi = {0};
    s = fn(ctx, h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, &bi, sizeof bi, &got);
    if (!NT_SUCCESS(s) || got != sizeof bi) {
        if (s == STATUS_NO_SUCH_DEVICE)
            out->state = BKC_BATTERY_ABSENT; /* removed between the calls */
        return;
    }
    BATTERY_WAIT_STATUS w = {.BatteryTag = tag, .Timeout = 0};
    BATTERY_STATUS bs = {0};
    s = fn(ctx, h, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, &bs, sizeof bs, &got);
    if (!NT_SUCCESS(s) || got != sizeof bs) {
        if (s == STATUS_NO_SUCH_DEVICE)
            out->state = BKC_BATTERY_ABSENT;
        return;
    }
    *tag_out = tag;
    *out = (bkc_battery_reading_t){.state = BKC_BATTERY_OK,
                                   .capabilities = bi.Capabilities,
                                   .full_capacity = bi.FullChargedCapacity,
                                   .power_state = bs.PowerState,
                                   .capacity = bs.Capacity,
                                   .rate = bs.Rate};
}

#define MAX_BATTERIES 64

bk_status_t bkc_host_power_status(bk_host_t *host, bkc_ioctl_fn fn, void *ctx,
                                  bkc_power_status_t *out)
{
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &paths);
    bkc_battery_reading_t readings[MAX_BATTERIES];
    size_t count = 0;
    for (size_t i = 0; i < n && count < MAX_BATTERIES; i++) {
        bk_handle_t *h = NULL;
        if (!NT_SUCCESS(bk_host_open(host, paths[i], BK_ACCESS_READ, &h))) {
            /* gone between listing and opening: an interface being removed */
            continue;
        }
        uint32_t tag;
        bkc_read_battery(h, fn, ctx, &readings[count++], &tag);
        bk_close(h);
    }
    if (paths)
        bk_host_free_list(paths, n);
    bkc_compute_power_status(readings, count, out);
    return STATUS_SUCCESS;
}

bk_status_t bkc_host_sim(bk_host_t *host, uint32_t op, int32_t value, uint32_t arg2,
                         const char *name)
{
    const char *dev = name && *name ? name : NULL;
    if (!bk_platform_set_ac)
        return STATUS_NOT_SUPPORTED;
    switch (op) {
    case BKP_SIM_AC:
        if (value != 0 && value != 1)
            return STATUS_INVALID_PARAMETER;
        return bk_platform_set_ac(host, dev, value);
    case BKP_SIM_PRESENT:
        if (!dev || (value != 0 && value != 1))
            return STATUS_INVALID_PARAMETER;
        return bk_platform_set_present(host, dev, value);
    case BKP_SIM_FAULT:
        if (!dev || value <= 0 || (uint32_t)value > 0x1Fu || arg2 > 1)
            return STATUS_INVALID_PARAMETER;
        return bk_platform_set_faults(host, dev, (uint32_t)value, (int)arg2);
    case BKP_SIM_LOAD:
        /* mW on the wire; 0 .. 10 kW is a machine, beyond is a typo */
        if (value < 0 || value > 10000000)
            return STATUS_INVALID_PARAMETER;
        return bk_platform_set_load_w(host, value / 1000.0);
    case BKP_SIM_CHARGE:
        if (!dev || value < 0 || value > 10000)
            return STATUS_INVALID_PARAMETER;
        return bk_platform_set_soc(host, dev, value / 100.0);
    case BKP_SIM_TEMPERATURE:
        if (!dev || value < -600 || value > 1500)
            return STATUS_INVALID_PARAMETER;
        return bk_platform_set_temperature(host, dev, value / 10.0);
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

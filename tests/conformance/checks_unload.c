/* Removal and unload (reference 3 BatteryClassUnload, 4.2 Unload): removing
 * the device completes what battc still holds for it, and once the device
 * and its driver are gone the pool holds nothing more than before the
 * device was added. A battery of a machine is removed too; its driver may
 * stay for other devices, so then the pool must only not have grown. */
#include <string.h>

#include "cf_internal.h"

struct remove_job {
    bk_host_t *host;
    bk_device_t *device;
    bk_status_t status;
};

static void remove_on_helper(void *arg)
{
    struct remove_job *j = arg;
    j->status = bk_host_remove_device(j->host, j->device, 0);
}

static void close_on_helper(void *arg)
{
    cf_battery_t *b = arg;
    bk_close(b->handle);
    b->handle = NULL;
}

/* A status wait that only removal can end: the power state it waits to
 * change from is the present one and the window is wide open. */
static bool start_pending_wait(cf_ctx_t *c, cf_req_t *r)
{
    BATTERY_STATUS st;
    uint32_t got;

    if (!cf_refresh_tag(c) || !NT_SUCCESS(cf_query_status(c, c->bat->tag, &st, &got)))
        return false;
    BATTERY_WAIT_STATUS w = {.BatteryTag = c->bat->tag,
                             .Timeout = 0xFFFFFFFF,
                             .PowerState = st.PowerState,
                             .LowCapacity = 0,
                             .HighCapacity = 0xFFFFFFFF};
    cf_start(c, r, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, sizeof st);
    return cf_peek(c, r, NULL, NULL) == STATUS_PENDING;
}

void cf_check_unload(cf_ctx_t *c, bk_device_t *device, bool added, const bk_pool_stats_t *before)
{
    const char *pending_name = "removal_completes_pending_requests";
    const char *pool_name = "unload_leaves_no_pool";
    cf_req_t r;
    bool waiting;

    if (!device || c->opt->keep_device) {
        const char *why = device ? "the device is kept (keep_device)"
                                 : "no device found behind the battery interface";
        cf_skip(c, pending_name, "%s", why);
        cf_skip(c, pool_name, "%s", why);
        return;
    }
    /* The device pointer is only valid until the removal. */
    char instance[256];
    snprintf(instance, sizeof instance, "%s",
             bk_device_instance_path(device) ? bk_device_instance_path(device) : "the device");
    memset(&r, 0, sizeof r);
    waiting = c->bat && c->bat->handle && start_pending_wait(c, &r);

    struct remove_job job = {.host = c->host, .device = device, .status = STATUS_IO_TIMEOUT};
    cf_call(c, remove_on_helper, &job);
    bk_host_settle(c->host);

    /* docs (issue, 3): what battc holds is completed when the battery goes. */
    if (!waiting) {
        cf_skip(c, pending_name, "no status wait could be left pending before the removal");
    } else {
        uint32_t got = 0;
        NTSTATUS s = cf_peek(c, &r, NULL, &got);
        if (s == STATUS_PENDING)
            cf_fail(c, pending_name, "a QUERY_STATUS wait is still pending after the removal");
        else if (NT_SUCCESS(s))
            cf_fail(c, pending_name, "a QUERY_STATUS wait ended with %s at the removal",
                    cf_status_name(s));
        else
            cf_pass(c, pending_name, "a waiting QUERY_STATUS ended with %s", cf_status_name(s));
    }
    cf_release(c, &r);
    if (c->bat && c->bat->handle)
        cf_call(c, close_on_helper, c->bat);
    bk_host_settle(c->host);

    /* The PnP manager unloads a driver once its last device is gone (or
     * once the last handle on it closes); unloading it here covers both,
     * and either way a driver leaving pool behind is refused with a by-tag
     * report. battc stays: it is an export driver. */
    bk_status_t unload =
        added ? bk_host_unload_driver(c->host, c->service) : STATUS_OBJECT_NAME_NOT_FOUND;
    const char *report = bk_host_last_unload_report(c->host);
    bk_pool_stats_t after;
    bk_host_pool_stats(&after);
    long long blocks = (long long)after.blocks_outstanding - (long long)before->blocks_outstanding;
    long long bytes = (long long)after.bytes_outstanding - (long long)before->bytes_outstanding;
    cf_log(c, "pool: %lld blocks, %lld bytes more than before the run", blocks, bytes);
    if (!NT_SUCCESS(job.status))
        cf_fail(c, pool_name, "bk_host_remove_device: %s%s%s", cf_status_name(job.status),
                report && *report ? "; " : "", report ? report : "");
    else if (report && *report)
        cf_fail(c, pool_name, "the driver left pool at unload: %s", report);
    else if (unload == STATUS_DEVICE_BUSY)
        cf_fail(c, pool_name, "driver %s still has device objects after the removal", c->service);
    else if (!NT_SUCCESS(unload) && unload != STATUS_OBJECT_NAME_NOT_FOUND)
        cf_fail(c, pool_name, "unloading driver %s: %s (pool left behind)", c->service,
                cf_status_name(unload));
    else if (blocks > 0)
        cf_fail(c, pool_name, "%lld blocks (%lld bytes) more in the pool than before %s", blocks,
                bytes, added ? "the device was added" : "the run");
    else if (!added)
        cf_pass(c, pool_name,
                "%s removed, %lld blocks fewer in the pool (its driver stays for the machine's "
                "other devices; the host checks its pool when it is destroyed)",
                instance, -blocks);
    else
        cf_pass(c, pool_name, "device removed, driver %s unloaded, pool back to %llu blocks",
                c->service, (unsigned long long)after.blocks_outstanding);
}

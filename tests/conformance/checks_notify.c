/* Notification (reference 3 BatteryClassStatusNotify, 4.6): with a
 * controller, a QUERY_STATUS waiting for the power state to change must
 * complete soon after the change, well before battc's poll interval would
 * end it, so the miniclass's notification (not polling) did it. */
#include <string.h>

#include "cf_internal.h"

#define CF_NOTIFY_WAIT_MS 60000 /* the waiting request's own Timeout */

/* Makes the power state differ from `before`; remembers how to undo it. */
static NTSTATUS make_change(cf_ctx_t *c, const BATTERY_STATUS *before, const char **how,
                            int *restore_ac)
{
    const bk_conformance_controller_t *ctl = c->bat->ctl;
    const bool was_on_ac = (before->PowerState & BATTERY_POWER_ON_LINE) != 0;

    *restore_ac = -1;
    if (ctl->notify_change) {
        *how = "the controller's status change";
        return cf_ctl_notify_change(c);
    }
    if (ctl->set_ac) {
        *how = was_on_ac ? "AC going offline" : "AC coming online";
        *restore_ac = was_on_ac;
        return cf_ctl_set_ac(c, !was_on_ac);
    }
    bk_conformance_status_t s = cf_made_up_status(c, !was_on_ac);
    *how = was_on_ac ? "a discharging status set" : "a charging status set";
    return cf_ctl_set_status(c, &s);
}

void cf_check_notification(cf_ctx_t *c)
{
    const char *name = "status_change_is_notified";
    const bk_conformance_controller_t *ctl = c->bat->ctl;
    BATTERY_STATUS before, after;
    uint32_t got = 0;
    const char *how = "";
    int restore_ac = -1;

    if (!cf_wants(c, name))
        return;
    if (!ctl || !(ctl->notify_change || ctl->set_ac || ctl->set_status)) {
        cf_skip(c, name,
                ctl ? "the controller cannot change the power state"
                    : "no battery controller for this driver");
        return;
    }
    if (!cf_refresh_tag(c) || !NT_SUCCESS(cf_query_status(c, c->bat->tag, &before, &got))) {
        cf_skip(c, name, "no battery status to wait on");
        return;
    }
    /* Waits for "power state differs"; the capacity window is wide open. */
    BATTERY_WAIT_STATUS w = {.BatteryTag = c->bat->tag,
                             .Timeout = CF_NOTIFY_WAIT_MS,
                             .PowerState = before.PowerState,
                             .LowCapacity = 0,
                             .HighCapacity = 0xFFFFFFFF};
    cf_req_t r;
    cf_start(c, &r, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, sizeof after);
    NTSTATUS early = cf_peek(c, &r, &after, &got);
    if (early != STATUS_PENDING) {
        cf_release(c, &r);
        cf_fail(c, name,
                "a wait for PowerState to leave 0x%x ended before any change: %s, PowerState 0x%x",
                (unsigned)before.PowerState, cf_status_name(early), (unsigned)after.PowerState);
        return;
    }
    uint64_t changed_at = bk_host_now_ns(c->host);
    NTSTATUS cs = make_change(c, &before, &how, &restore_ac);
    if (!NT_SUCCESS(cs)) {
        cf_release(c, &r);
        cf_skip(c, name, "the controller could not make %s: %s", how, cf_status_name(cs));
        return;
    }
    /* Waited for past the bound, to tell polling from never. */
    memset(&after, 0, sizeof after);
    NTSTATUS s = cf_finish(c, &r, (changed_at - r.started_ns) + c->notify_bound_ns + CF_MS(10000),
                           &after, &got, NULL);
    unsigned ms = (unsigned)((bk_host_now_ns(c->host) - changed_at) / 1000000);
    unsigned bound = (unsigned)(c->notify_bound_ns / 1000000);
    cf_release(c, &r);
    if (s == STATUS_PENDING)
        cf_fail(c, name, "still waiting %u ms after %s", ms, how);
    else if (ms > bound)
        cf_fail(c, name,
                "the wait ended %u ms after %s (bound %u ms, battc polls every 5000 ms): the "
                "change was polled, not notified",
                ms, how, bound);
    else if (s == STATUS_NO_SUCH_DEVICE)
        cf_pass(c, name, "the wait ended %u ms after %s, aborted by a new tag", ms, how);
    else if (!NT_SUCCESS(s) || got != sizeof after)
        cf_fail(c, name, "the wait ended %u ms after %s with %s, %u bytes", ms, how,
                cf_status_name(s), got);
    else if (after.PowerState == before.PowerState)
        cf_fail(c, name, "the wait ended %u ms after %s but PowerState is still 0x%x", ms, how,
                (unsigned)after.PowerState);
    else
        cf_pass(c, name, "the wait ended %u ms after %s: PowerState 0x%x -> 0x%x", ms, how,
                (unsigned)before.PowerState, (unsigned)after.PowerState);
    if (restore_ac >= 0)
        cf_ctl_set_ac(c, restore_ac);
    cf_refresh_tag(c);
}

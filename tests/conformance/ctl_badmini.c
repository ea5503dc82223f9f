/* The battery controller for badmini, the suite's own test miniclass: its
 * private IOCTLs (drivers/badmini/badmini_ioctl.h) on the battery's handle. */
#include "cf_internal.h"
#include "badmini_ioctl.h"

static int badmini_open(const bk_conformance_target_t *target, void **state)
{
    *state = target->handle;
    return 0;
}

static void badmini_close(void *state)
{
    (void)state;
}

static bk_status_t badmini_send(void *state, ULONG code, const void *in, ULONG in_len)
{
    uint32_t got;
    return bk_ioctl(state, code, in, in_len, NULL, 0, &got);
}

static bk_status_t badmini_present(void *state, ULONG present)
{
    return badmini_send(state, IOCTL_BADMINI_SET_PRESENT, &present, sizeof present);
}

static bk_status_t badmini_insert(void *state)
{
    return badmini_present(state, 1);
}

static bk_status_t badmini_remove(void *state)
{
    return badmini_present(state, 0);
}

static bk_status_t badmini_set_ac(void *state, int online)
{
    ULONG v = online ? 1 : 0;
    return badmini_send(state, IOCTL_BADMINI_SET_AC, &v, sizeof v);
}

static bk_status_t badmini_set_status(void *state, const bk_conformance_status_t *s)
{
    BATTERY_STATUS st = {.PowerState = s->power_state,
                         .Capacity = s->capacity,
                         .Voltage = s->voltage,
                         .Rate = s->rate};
    return badmini_send(state, IOCTL_BADMINI_SET_STATUS, &st, sizeof st);
}

const bk_conformance_controller_t bk_conformance_controller_badmini = {
    .name = "badmini",
    .open = badmini_open,
    .close = badmini_close,
    .insert = badmini_insert,
    .remove = badmini_remove,
    .set_ac = badmini_set_ac,
    .set_status = badmini_set_status,
};

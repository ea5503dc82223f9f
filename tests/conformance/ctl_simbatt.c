/* The battery controller for simbatt: its control IOCTLs
 * (include/battkit/simbatt.h), sent on the battery's own handle (simbatt
 * takes them on any handle of its device). simbatt has no AC of its own:
 * the suite sets charging and discharging statuses instead. */
#include "cf_internal.h"

#if __has_include(<battkit/simbatt.h>)
#include <battkit/simbatt.h>

static int simbatt_open(const bk_conformance_target_t *target, void **state)
{
    SIMBATT_STATE st;
    uint32_t got = 0;
    /* Only a simbatt battery driven by its IOCTLs (not by a model) will do. */
    if (!NT_SUCCESS(
            bk_ioctl(target->handle, IOCTL_SIMBATT_GET_STATE, NULL, 0, &st, sizeof st, &got)) ||
        got < sizeof st || st.ModelAttached)
        return -1;
    *state = target->handle;
    return 0;
}

static void simbatt_close(void *state)
{
    (void)state;
}

static bk_status_t simbatt_send(void *state, ULONG code, const void *in, ULONG in_len)
{
    uint32_t got;
    return bk_ioctl(state, code, in, in_len, NULL, 0, &got);
}

static bk_status_t simbatt_insert(void *state)
{
    return simbatt_send(state, IOCTL_SIMBATT_INSERT_BATTERY, NULL, 0);
}

static bk_status_t simbatt_remove(void *state)
{
    return simbatt_send(state, IOCTL_SIMBATT_REMOVE_BATTERY, NULL, 0);
}

static bk_status_t simbatt_set_status(void *state, const bk_conformance_status_t *s)
{
    BATTERY_STATUS st = {.PowerState = s->power_state,
                         .Capacity = s->capacity,
                         .Voltage = s->voltage,
                         .Rate = s->rate};
    return simbatt_send(state, IOCTL_SIMBATT_SET_STATUS, &st, sizeof st);
}

const bk_conformance_controller_t bk_conformance_controller_simbatt = {
    .name = "simbatt",
    .open = simbatt_open,
    .close = simbatt_close,
    .insert = simbatt_insert,
    .remove = simbatt_remove,
    .set_status = simbatt_set_status,
};
#else
const bk_conformance_controller_t bk_conformance_controller_simbatt = {.name = "simbatt"};
#endif

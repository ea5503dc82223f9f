/* The battery controller for battc_testmini, the battc tests' scriptable
 * miniclass (tests/battc/drivers/battc_testmini/testmini_ioctl.h): presence
 * and status IOCTLs on the battery's handle; it notifies battc of each
 * change itself (TESTMINI_AUTO_NOTIFY, its default). */
#include "cf_internal.h"

#if __has_include("testmini_ioctl.h")
#include "testmini_ioctl.h"

static int testmini_open(const bk_conformance_target_t *target, void **state)
{
    *state = target->handle;
    return 0;
}

static void testmini_close(void *state)
{
    (void)state;
}

static bk_status_t testmini_send(void *state, ULONG code, const void *in, ULONG in_len)
{
    uint32_t got;
    return bk_ioctl(state, code, in, in_len, NULL, 0, &got);
}

static bk_status_t testmini_present(void *state, ULONG present)
{
    return testmini_send(state, IOCTL_TESTMINI_SET_PRESENT, &present, sizeof present);
}

static bk_status_t testmini_insert(void *state)
{
    return testmini_present(state, 1);
}

static bk_status_t testmini_remove(void *state)
{
    return testmini_present(state, 0);
}

static bk_status_t testmini_set_status(void *state, const bk_conformance_status_t *s)
{
    BATTERY_STATUS st = {.PowerState = s->power_state,
                         .Capacity = s->capacity,
                         .Voltage = s->voltage,
                         .Rate = s->rate};
    return testmini_send(state, IOCTL_TESTMINI_SET_STATUS, &st, sizeof st);
}

const bk_conformance_controller_t bk_conformance_controller_testmini = {
    .name = "battc_testmini",
    .open = testmini_open,
    .close = testmini_close,
    .insert = testmini_insert,
    .remove = testmini_remove,
    .set_status = testmini_set_status,
};
#else
const bk_conformance_controller_t bk_conformance_controller_testmini = {.name = "battc_testmini"};
#endif

/* load.c: what the system draws from a pack over time: nothing, constant
 * power, constant current, or a piecewise-constant profile that may repeat.
 * Knows nothing about the pack; the integrator asks it per step. */
#include "model.h"

#include <math.h>
#include <string.h>

bk_load_t bk_load_none(void)
{
    bk_load_t l;
    memset(&l, 0, sizeof(l));
    l.kind = BK_LOAD_NONE;
    return l;
}

bk_load_t bk_load_power(double watts)
{
    bk_load_t l = bk_load_none();
    l.kind = BK_LOAD_POWER;
    l.value = watts;
    return l;
}

bk_load_t bk_load_current(double amperes)
{
    bk_load_t l = bk_load_none();
    l.kind = BK_LOAD_CURRENT;
    l.value = amperes;
    return l;
}

int bk_load_add_segment(bk_load_t *load, uint64_t duration_ns, bk_load_kind_t kind, double value)
{
    if (load->kind != BK_LOAD_PROFILE) {
        bool repeat = load->repeat;
        *load = bk_load_none();
        load->kind = BK_LOAD_PROFILE;
        load->repeat = repeat;
    }
    if (load->nsegments == BK_LOAD_MAX_SEGMENTS || duration_ns == 0 || kind == BK_LOAD_PROFILE ||
        !(value >= 0.0) || !isfinite(value))
        return -1;
    load->seg[load->nsegments++] = (bk_load_segment_t){duration_ns, kind, value};
    return 0;
}

bk_load_segment_t bk_load_at(const bk_load_t *load, uint64_t offset_ns, uint64_t *constant_for_ns)
{
    bk_load_segment_t none = {UINT64_MAX, BK_LOAD_NONE, 0.0};
    uint64_t total = 0;

    *constant_for_ns = UINT64_MAX;
    if (load->kind != BK_LOAD_PROFILE)
        return (bk_load_segment_t){UINT64_MAX, load->kind, load->value};
    for (unsigned i = 0; i < load->nsegments; i++)
        total += load->seg[i].duration_ns;
    if (total == 0)
        return none;
    if (offset_ns >= total) {
        if (!load->repeat)
            return none;
        offset_ns %= total;
    }
    for (unsigned i = 0; i < load->nsegments; i++) {
        if (offset_ns < load->seg[i].duration_ns) {
            *constant_for_ns = load->seg[i].duration_ns - offset_ns;
            return load->seg[i];
        }
        offset_ns -= load->seg[i].duration_ns;
    }
    return none; /* not reached: offset_ns < total */
}

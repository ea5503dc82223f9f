/* Host-side operations shared by battd and the embedded transport: the
 * power manager's state and DC policy in their wire layouts, and the
 * simulator operations on the platform. */
#include "hostops.h"
#include "hostweak.h"
#include "protocol.h"

#include <windows.h>
#include <poclass.h>
#include <ntstatus.h>
#include <string.h>

void bkc_power_state_to_wire(const bk_power_state_t *s, bkp_power_state_reply_t *r)
{
    *r = (bkp_power_state_reply_t){.status = STATUS_SUCCESS,
                                   .ac_on_line = s->ac_on_line,
                                   .battery_present = s->battery_present,
                                   .charging = s->charging,
                                   .discharging = s->discharging,
                                   .max_capacity = s->max_capacity,
                                   .remaining_capacity = s->remaining_capacity,
                                   .rate = s->rate,
                                   .estimated_time = s->estimated_time,
                                   .default_alert1 = s->default_alert1,
                                   .default_alert2 = s->default_alert2,
                                   .ac_line_status = s->ac_line_status,
                                   .battery_flag = s->battery_flag,
                                   .battery_life_percent = s->battery_life_percent,
                                   .system_status_flag = s->system_status_flag,
                                   .battery_life_time = s->battery_life_time,
                                   .battery_full_life_time = s->battery_full_life_time,
                                   .composite_tag = s->composite_tag,
                                   .capabilities = s->capabilities,
                                   .composite_power_state = s->composite_power_state,
                                   .policy_level = s->policy_level,
                                   .actions_taken = s->actions_taken,
                                   .generation = s->generation,
                                   .updated_ns = s->updated_ns};
}

/* The host indexes levels by bk_po_level (LOW = 1); the wire from 0. */
void bkc_dc_policy_to_wire(const bk_dc_policy_t *p, bkp_dc_policy_t *w)
{
    for (int i = 0; i < BKP_DC_LEVELS; i++) {
        w->percent[i] = p->percent[BK_PO_LEVEL_LOW + i];
        w->minutes[i] = p->minutes[BK_PO_LEVEL_LOW + i];
        w->action[i] = p->action[BK_PO_LEVEL_LOW + i];
    }
    w->critical_delay_s = p->critical_delay_s;
}

void bkc_dc_policy_from_wire(const bkp_dc_policy_t *w, bk_dc_policy_t *p)
{
    *p = (bk_dc_policy_t){.critical_delay_s = w->critical_delay_s};
    for (int i = 0; i < BKP_DC_LEVELS; i++) {
        p->percent[BK_PO_LEVEL_LOW + i] = w->percent[i];
        p->minutes[BK_PO_LEVEL_LOW + i] = w->minutes[i];
        p->action[BK_PO_LEVEL_LOW + i] = w->action[i];
    }
}

void bkc_dc_policy_apply_old(bkp_dc_policy_t *p, const bkp_policy_t *old)
{
    p->percent[BKP_DC_LOW] = old->low_percent;
    p->percent[BKP_DC_CRITICAL] = old->critical_percent;
    p->action[BKP_DC_LOW] = old->low_action;
    p->action[BKP_DC_CRITICAL] = old->critical_action;
    /* The reserve level lies between the two: keep it there. */
    if (p->percent[BKP_DC_RESERVE] > p->percent[BKP_DC_LOW])
        p->percent[BKP_DC_RESERVE] = p->percent[BKP_DC_LOW];
    if (p->percent[BKP_DC_RESERVE] < p->percent[BKP_DC_CRITICAL])
        p->percent[BKP_DC_RESERVE] = p->percent[BKP_DC_CRITICAL];
}

void bkc_dc_policy_reply(bk_host_t *host, bkp_dc_policy_reply_t *r)
{
    bk_dc_policy_t p;
    bk_power_state_t s;
    memset(r, 0, sizeof *r);
    bk_host_get_dc_policy(host, &p);
    bkc_dc_policy_to_wire(&p, &r->policy);
    r->status = bk_host_power_state(host, &s);
    r->level = s.policy_level;
    r->percent = s.battery_life_percent;
    r->on_ac = s.ac_on_line ? 1 : 0;
    r->actions_taken = s.actions_taken;
    r->estimated_time = s.estimated_time;
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

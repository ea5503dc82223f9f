/* step.c: the integrator. One step moves charge (discharge under the load,
 * or CC/CV charge on AC), then heat, self-discharge and ageing, and books
 * every watt-hour; advance_to cuts time into steps that never straddle a
 * change of load. Inputs are constant within a step. */
#include "model_internal.h"

#include <math.h>

#define EPS_SOC 1e-12

/* Current (A, > 0) that delivers power_w at the terminals from an EMF v
 * behind r, from power = i * (v - i * r); the smaller root, written so it
 * stays exact for small r. -1 when no current can deliver that power. */
static double current_for_discharge_power(double power_w, double v, double r)
{
    double d = v * v - 4.0 * power_w * r;
    if (d < 0.0 || v <= 0.0)
        return -1.0;
    return 2.0 * power_w / (v + sqrt(d));
}

/* Current (A) that puts power_w into the pack: power = i * (v + i * r). */
static double current_for_charge_power(double power_w, double v, double r)
{
    return 2.0 * power_w / (v + sqrt(v * v + 4.0 * power_w * r));
}

static double pack_ah(const bk_pack_t *p)
{
    return p->q_full_ah * p->cfg.parallel;
}

/* Mean EMF (V) over an SOC interval, from the exact integral of the curve. */
static double mean_emf(const bk_pack_t *p, const bk_table_t *curve, double s0, double s1)
{
    if (fabs(s1 - s0) < EPS_SOC)
        return p->cfg.series * bk_table_eval(curve, s0);
    return p->cfg.series * (bk_table_integral(curve, s1) - bk_table_integral(curve, s0)) /
           (s1 - s0);
}

typedef struct step_flow {
    double i;      /* A, + charging; what the getters show afterwards */
    double used_s; /* seconds of the step this flow lasted */
    double out_wh; /* terminals */
    double in_wh;  /* terminals */
    double soc1;
} step_flow_t;

static void deplete(bk_pack_t *p, double after_s)
{
    p->depleted = true;
    p->depleted_at_ns = p->now_ns + (uint64_t)llround(after_s * 1e9);
}

/* AC offline: the load draws from the pack until it is empty (SOC at the
 * cold floor) or its loaded voltage is under cut-off; then the system is
 * off (depleted) until AC returns. */
static void discharge(bk_pack_t *p, double h, step_flow_t *f)
{
    const bk_table_t *ocv = &p->cfg.chemistry->ocv;
    double soc0 = p->soc, floor = bk_pack_floor_soc(p, p->temp_c);
    double r = bk_pack_resistance_at(p, soc0, p->temp_c);
    double q = pack_ah(p), ia = 0.0;
    uint64_t unused;
    bk_load_segment_t seg = bk_load_at(&p->load, p->now_ns - p->load_start_ns, &unused);

    if (p->depleted || seg.kind == BK_LOAD_NONE || seg.value <= 0.0)
        return;
    if (soc0 <= floor) {
        deplete(p, 0.0);
        return;
    }
    if (seg.kind == BK_LOAD_CURRENT) {
        ia = seg.value;
    } else {
        /* Constant power: solve for the current with the step's mean EMF,
         * refined a few times, so that power * time is delivered exactly and
         * the charge drawn matches the OCV integral. */
        double v = bk_pack_ocv_at(p, soc0);
        for (int k = 0; k < 4; k++) {
            ia = current_for_discharge_power(seg.value, v, r);
            if (ia < 0.0) {
                deplete(p, 0.0); /* voltage collapse: cannot deliver the load */
                return;
            }
            double s1 = fmax(soc0 - ia * h / BK_SECONDS_PER_H / q, floor);
            v = mean_emf(p, ocv, soc0, s1);
        }
    }
    f->used_s = h;
    f->soc1 = soc0 - ia * h / BK_SECONDS_PER_H / q;
    if (f->soc1 <= floor) {
        f->used_s = (soc0 - floor) * q * BK_SECONDS_PER_H / ia;
        f->soc1 = floor;
        deplete(p, f->used_s);
    }
    if (seg.kind == BK_LOAD_POWER)
        f->out_wh = seg.value * f->used_s / BK_SECONDS_PER_H;
    else
        f->out_wh = (bk_pack_stored_wh_at(p, soc0) - bk_pack_stored_wh_at(p, f->soc1)) -
                    ia * ia * r * f->used_s / BK_SECONDS_PER_H;
    if (!p->depleted &&
        bk_pack_ocv_at(p, f->soc1) - ia * r < p->cfg.series * p->cfg.chemistry->cutoff_v)
        deplete(p, f->used_s);
    f->i = -ia;
}

/* AC online: CC at the charger's current (and power) limit until the
 * terminal voltage reaches the CV voltage, then CV with the current
 * tapering as the EMF rises, "full" below the termination current; a full
 * pack recharges once self-discharge takes it under restart_soc. */
static void charge(bk_pack_t *p, double h, step_flow_t *f)
{
    const bk_chemistry_t *c = p->cfg.chemistry;
    const bk_table_t *curve = c->charge_v_curve.n ? &c->charge_v_curve : &c->ocv;
    double soc0 = p->soc, r = bk_pack_resistance_at(p, soc0, p->temp_c);
    double vc = p->cfg.series * bk_table_eval(curve, soc0), vcv = p->cfg.series * c->charge_v;
    double imax = p->cfg.charge_current_ma / 1000.0, ia;
    /* 3 K of hysteresis on the temperature window, so a charger that warms
     * its pack to the limit pauses until it has cooled, not every step. */
    double margin = (p->charger == BK_CHARGER_INHIBITED) ? 3.0 : 0.0;
    bool allowed = !p->charge_inhibit && p->temp_c >= c->charge_min_c + margin &&
                   p->temp_c <= c->charge_max_c - margin;

    p->depleted = false;
    if (!allowed)
        p->charger = BK_CHARGER_INHIBITED;
    else if (p->charger == BK_CHARGER_OFF || p->charger == BK_CHARGER_INHIBITED ||
             (p->charger == BK_CHARGER_FULL && soc0 < c->restart_soc))
        p->charger = BK_CHARGER_CC;
    if (p->charger != BK_CHARGER_CC && p->charger != BK_CHARGER_CV)
        return;

    if (p->cfg.charge_power_mw)
        imax = fmin(imax, current_for_charge_power(p->cfg.charge_power_mw / 1000.0, vc, r));
    ia = imax;
    if (p->charger == BK_CHARGER_CC && vc + ia * r >= vcv)
        p->charger = BK_CHARGER_CV;
    if (p->charger == BK_CHARGER_CV) {
        ia = fmin(fmax((vcv - vc) / r, 0.0), imax);
        /* A chemistry whose charge curve stays under the CV voltage at full
         * would never taper: SOC 1 terminates too. */
        if (ia < p->cfg.term_current_ma / 1000.0 || soc0 >= 1.0) {
            p->charger = BK_CHARGER_FULL;
            /* The gauge learns "full" here (docs/model.md, "Gauge view"). */
            p->learned_fcc_wh = bk_pack_stored_wh_at(p, soc0);
            return;
        }
    }
    f->used_s = h;
    f->soc1 = fmin(soc0 + c->coulombic_eff * ia * h / BK_SECONDS_PER_H / pack_ah(p), 1.0);
    f->in_wh = ia * h / BK_SECONDS_PER_H * (mean_emf(p, curve, soc0, f->soc1) + ia * r);
    f->i = ia;
}

/* Heat flows to ambient through the conductance; exact for a constant heat
 * input over the step, so any step length is stable. */
static void heat(bk_pack_t *p, double heat_w, double s)
{
    double g = p->cfg.conductance_w_k, cth = p->cfg.heat_capacity_j_k;
    if (g <= 0.0) {
        p->temp_c += heat_w * s / cth;
        return;
    }
    double target = p->ambient_c + heat_w / g;
    p->temp_c = target + (p->temp_c - target) * exp(-g * s / cth);
}

/* Both self-discharge and calendar ageing double per 10 K above 25 degC. */
static double arrhenius(double temp_c)
{
    return exp2((temp_c - 25.0) / 10.0);
}

uint64_t bk_pack_step(bk_pack_t *p, uint64_t h_ns)
{
    const bk_chemistry_t *c = p->cfg.chemistry;
    double h = h_ns / 1e9, e0 = bk_pack_stored_wh_at(p, p->soc), e1, loss;
    step_flow_t f = {0.0, h, 0.0, 0.0, p->soc};
    uint64_t used_ns;

    if (p->ac_online) {
        charge(p, h, &f);
    } else {
        p->charger = BK_CHARGER_OFF;
        discharge(p, h, &f);
    }
    p->soc = f.soc1;
    e1 = bk_pack_stored_wh_at(p, p->soc);
    loss = (e0 - e1) - f.out_wh + f.in_wh;
    p->stats.out_wh += f.out_wh;
    p->stats.in_wh += f.in_wh;
    p->stats.loss_wh += loss;
    if (f.i < 0.0)
        p->discharged_wh += e0 - e1;

    used_ns = (f.used_s >= h) ? h_ns : (uint64_t)llround(f.used_s * 1e9);
    if (used_ns == 0 && f.used_s < h) {
        /* depleted at the step's start: the rest of it is at rest */
        p->current_a = 0.0;
        return 0;
    }
    heat(p, f.used_s > 0.0 ? loss * BK_SECONDS_PER_H / f.used_s : 0.0, f.used_s);

    double sd = c->self_discharge_per_month / (30.0 * 86400.0) * arrhenius(p->temp_c) * f.used_s;
    double before = bk_pack_stored_wh_at(p, p->soc);
    p->soc = fmax(p->soc - sd, 0.0);
    p->stats.self_discharge_wh += before - bk_pack_stored_wh_at(p, p->soc);

    p->calendar_years += f.used_s / BK_SECONDS_PER_YR * arrhenius(p->temp_c);
    bk_pack_update_capacity(p);

    p->current_a = p->depleted ? 0.0 : f.i;
    p->now_ns += used_ns;
    return used_ns;
}

void bk_pack_refresh(bk_pack_t *p)
{
    step_flow_t f = {0.0, 0.0, 0.0, 0.0, p->soc};
    if (p->ac_online) {
        charge(p, 0.0, &f);
    } else {
        p->charger = BK_CHARGER_OFF;
        discharge(p, 0.0, &f);
    }
    p->current_a = p->depleted ? 0.0 : f.i;
}

static bool at_rest(const bk_pack_t *p)
{
    uint64_t unused;
    if (p->ac_online)
        return p->charger == BK_CHARGER_FULL || p->charger == BK_CHARGER_INHIBITED;
    if (p->depleted)
        return true;
    bk_load_segment_t seg = bk_load_at(&p->load, p->now_ns - p->load_start_ns, &unused);
    return seg.kind == BK_LOAD_NONE || seg.value <= 0.0;
}

void bk_pack_advance_to_ns(bk_pack_t *p, uint64_t t_ns)
{
    while (p->now_ns < t_ns) {
        uint64_t rest = t_ns - p->now_ns, constant_for;
        uint64_t h = (at_rest(p) ? p->cfg.idle_step_ms : p->cfg.substep_ms) * 1000000ull;
        bk_load_at(&p->load, p->now_ns - p->load_start_ns, &constant_for);
        if (h > constant_for)
            h = constant_for;
        if (h > rest)
            h = rest;
        if (bk_pack_step(p, h) == 0) {
            /* Depleted right at the start: nothing flows, step again at rest.
             * The state changed (depleted), so this cannot repeat forever. */
            continue;
        }
    }
}

void bk_pack_advance(bk_pack_t *p, double dt_seconds)
{
    if (!(dt_seconds > 0.0))
        return;
    bk_pack_advance_to_ns(p, p->now_ns + (uint64_t)llround(dt_seconds * 1e9));
}

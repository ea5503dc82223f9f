/* pack.c: a battery pack's configuration, inputs, faults and what it
 * reports (physical getters and the gauge reading). The integration itself
 * is in step.c, prediction in predict.c, persistence in persist.c. */
#include "model_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

void bk_pack_config_init(bk_pack_config_t *cfg, const bk_chemistry_t *chem, unsigned series,
                         unsigned parallel, uint32_t design_mwh)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->chemistry = chem;
    cfg->series = series;
    cfg->parallel = parallel;
    cfg->design_mwh = design_mwh;
    cfg->warning_mwh = design_mwh / 10;
    cfg->critical_mwh = design_mwh * 3 / 100;
    cfg->ambient_c = 25.0;
    cfg->initial_soc = 1.0;
    cfg->cycle_threshold = 0.9; /* the cycle-count threshold bq-style gauges use */
    cfg->substep_ms = 1000;
    cfg->idle_step_ms = 60000;
    /* Heat leaves through the surface, which grows as volume^(2/3): a
     * 57 Wh laptop pack gets 0.30 W/K, a 216 Wh UPS block 0.72 W/K. */
    cfg->conductance_w_k = 0.02 * pow(design_mwh / 1000.0, 2.0 / 3.0);
    if (chem)
        cfg->design_voltage_mv = (uint32_t)lround(chem->nominal_v * series * 1000.0);
    if (chem && series && parallel) {
        double cell_ah = design_mwh / 1000.0 / (series * parallel * bk_chemistry_mean_ocv(chem));
        double pack_ah = cell_ah * parallel;
        cfg->charge_current_ma = (uint32_t)lround(chem->cc_c_rate * pack_ah * 1000.0);
        cfg->term_current_ma = (uint32_t)lround(chem->term_c_rate * pack_ah * 1000.0);
        cfg->heat_capacity_j_k = chem->heat_j_per_k_wh * design_mwh / 1000.0;
    }
}

int bk_pack_create(const bk_pack_config_t *cfg, bk_pack_t **out)
{
    const bk_chemistry_t *c = cfg->chemistry;
    bk_pack_t *p;

    *out = NULL;
    if (!c || c->ocv.n < 2 || cfg->series == 0 || cfg->parallel == 0 || cfg->design_mwh == 0 ||
        !(cfg->initial_soc >= 0.0 && cfg->initial_soc <= 1.0) || !(cfg->heat_capacity_j_k > 0.0) ||
        !(cfg->conductance_w_k >= 0.0) ||
        !(cfg->cycle_threshold > 0.0 && cfg->cycle_threshold <= 1.0) || cfg->substep_ms == 0 ||
        cfg->idle_step_ms < cfg->substep_ms || !isfinite(cfg->ambient_c))
        return -EINVAL;
    p = calloc(1, sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->cfg = *cfg;
    p->ncells = (double)cfg->series * cfg->parallel;
    p->q_design_ah = cfg->design_mwh / 1000.0 / (p->ncells * bk_chemistry_mean_ocv(c));
    p->drop_factor = 1.0;
    p->q_full_ah = p->q_design_ah;
    p->load = bk_load_none();
    p->ambient_c = cfg->ambient_c;
    p->temp_c = cfg->ambient_c;
    p->soc = cfg->initial_soc;
    p->charger = BK_CHARGER_OFF;
    p->stats.initial_stored_wh = bk_pack_stored_wh_at(p, p->soc);
    p->learned_fcc_wh = bk_pack_stored_wh_at(p, 1.0);
    *out = p;
    return 0;
}

void bk_pack_destroy(bk_pack_t *pack)
{
    free(pack);
}

bk_pack_t *bk_pack_clone(const bk_pack_t *pack)
{
    bk_pack_t *p = malloc(sizeof(*p));
    if (p)
        *p = *pack;
    return p;
}

const bk_pack_config_t *bk_pack_config(const bk_pack_t *pack)
{
    return &pack->cfg;
}

/* ---- Curves at pack level ------------------------------------------------ */

double bk_pack_ocv_at(const bk_pack_t *p, double soc)
{
    return p->cfg.series * bk_chemistry_ocv(p->cfg.chemistry, soc);
}

static double age_fade(const bk_pack_t *p)
{
    const bk_chemistry_t *c = p->cfg.chemistry;
    double efc = p->discharged_wh / (p->cfg.design_mwh / 1000.0);
    return clamp(c->fade_per_cycle * efc + c->fade_per_year * p->calendar_years, 0.0, 0.95);
}

double bk_pack_resistance_at(const bk_pack_t *p, double soc, double temp_c)
{
    const bk_chemistry_t *c = p->cfg.chemistry;
    double cell = c->r_ohm_ah / p->q_design_ah * bk_table_eval(&c->r_soc, soc) *
                  bk_table_eval(&c->r_temp, temp_c) * (1.0 + c->r_growth_per_fade * age_fade(p));
    return cell * p->cfg.series / p->cfg.parallel;
}

/* bk_table_integral of the pack's OCV curve at soc, from the memo when it
 * was asked lately. */
static double ocv_integral(const bk_pack_t *cp, double soc)
{
    bk_pack_t *p = (bk_pack_t *)cp; /* the memo only: the state is not touched */
    const size_t slots = sizeof p->ocv_memo / sizeof p->ocv_memo[0];
    for (size_t i = 0; i < slots; i++)
        if (p->ocv_memo[i].valid && p->ocv_memo[i].soc == soc)
            return p->ocv_memo[i].value;
    double value = bk_table_integral(&p->cfg.chemistry->ocv, soc);
    size_t slot = p->ocv_memo_next++ % slots;
    p->ocv_memo[slot].soc = soc;
    p->ocv_memo[slot].value = value;
    p->ocv_memo[slot].valid = true;
    return value;
}

double bk_pack_stored_wh_at(const bk_pack_t *p, double soc)
{
    return p->ncells * p->q_full_ah * (ocv_integral(p, soc) - ocv_integral(p, 0.0));
}

double bk_pack_floor_soc(const bk_pack_t *p, double temp_c)
{
    return clamp(1.0 - bk_table_eval(&p->cfg.chemistry->cap_temp, temp_c), 0.0, 1.0);
}

void bk_pack_update_capacity(bk_pack_t *p)
{
    double before = bk_pack_stored_wh_at(p, p->soc);
    p->q_full_ah = p->q_design_ah * (1.0 - age_fade(p)) * p->drop_factor;
    p->stats.fade_wh += before - bk_pack_stored_wh_at(p, p->soc);
}

/* ---- Inputs -------------------------------------------------------------- */

uint64_t bk_pack_time_ns(const bk_pack_t *pack)
{
    return pack->now_ns;
}

void bk_pack_set_time_ns(bk_pack_t *pack, uint64_t t_ns)
{
    pack->load_start_ns = t_ns - (pack->now_ns - pack->load_start_ns);
    pack->now_ns = t_ns;
}

void bk_pack_set_load(bk_pack_t *pack, const bk_load_t *load)
{
    pack->load = *load;
    pack->load_start_ns = pack->now_ns;
    bk_pack_refresh(pack);
}

const bk_load_t *bk_pack_load(const bk_pack_t *pack)
{
    return &pack->load;
}

void bk_pack_set_ac(bk_pack_t *pack, bool online)
{
    pack->ac_online = online;
    if (online)
        pack->depleted = false;
    else
        pack->charger = BK_CHARGER_OFF;
    bk_pack_refresh(pack);
}

bool bk_pack_ac(const bk_pack_t *pack)
{
    return pack->ac_online;
}

void bk_pack_set_charge_inhibit(bk_pack_t *pack, bool inhibit)
{
    pack->charge_inhibit = inhibit;
    bk_pack_refresh(pack);
}

void bk_pack_set_ambient_c(bk_pack_t *pack, double celsius)
{
    pack->ambient_c = celsius;
}

void bk_pack_set_temperature_c(bk_pack_t *pack, double celsius)
{
    pack->temp_c = celsius;
    bk_pack_refresh(pack);
}

void bk_pack_set_soc(bk_pack_t *pack, double soc)
{
    double before = bk_pack_stored_wh_at(pack, pack->soc);
    pack->soc = clamp(soc, 0.0, 1.0);
    /* An outside change of state, not a flow: move the baseline so the
     * bookkeeping identity still holds. */
    pack->stats.initial_stored_wh += bk_pack_stored_wh_at(pack, pack->soc) - before;
    pack->depleted = false;
    if (pack->charger == BK_CHARGER_FULL)
        pack->charger = BK_CHARGER_CC;
    bk_pack_refresh(pack);
}

/* Scales what the gauge has learned as full along with the physical
 * capacity: for changes a gauge would see at once (a cell going bad, a
 * pack that arrives aged). */
static void change_capacity_seen_by_gauge(bk_pack_t *pack)
{
    double before = pack->q_full_ah;
    bk_pack_update_capacity(pack);
    pack->learned_fcc_wh *= pack->q_full_ah / before;
}

void bk_pack_age(bk_pack_t *pack, double cycles, double days)
{
    if (cycles > 0.0)
        pack->discharged_wh += cycles * pack->cfg.design_mwh / 1000.0;
    if (days > 0.0)
        pack->calendar_years += days * 86400.0 / BK_SECONDS_PER_YR;
    change_capacity_seen_by_gauge(pack);
}

void bk_pack_set_full_charge_mwh(bk_pack_t *pack, double mwh)
{
    double now = bk_pack_full_charge_mwh(pack);
    if (!(mwh > 0.0) || !(now > 0.0))
        return;
    /* The capacity scale that sudden drops use, here set to a target. */
    pack->drop_factor *= mwh / now;
    change_capacity_seen_by_gauge(pack);
}

/* ---- Faults -------------------------------------------------------------- */

static const struct {
    unsigned flag;
    const char *name;
} fault_names[] = {
    {BK_FAULT_STUCK, "stuck"},         {BK_FAULT_SENSOR, "sensor"},
    {BK_FAULT_NO_ANSWER, "no-answer"}, {BK_FAULT_CRITICAL, "critical"},
    {BK_FAULT_WRONG_TAG, "wrong-tag"},
};

unsigned bk_fault_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
        if (strcmp(name, fault_names[i].name) == 0)
            return fault_names[i].flag;
    return 0;
}

const char *bk_fault_name(unsigned flag)
{
    for (size_t i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
        if (flag == fault_names[i].flag)
            return fault_names[i].name;
    return NULL;
}

void bk_pack_set_faults(bk_pack_t *pack, unsigned flags, bool on)
{
    if (on && (flags & BK_FAULT_STUCK) && !(pack->faults & BK_FAULT_STUCK))
        bk_pack_read_live(pack, &pack->stuck);
    if (on)
        pack->faults |= flags;
    else
        pack->faults &= ~flags;
}

unsigned bk_pack_faults(const bk_pack_t *pack)
{
    return pack->faults;
}

void bk_pack_drop_capacity(bk_pack_t *pack, double percent)
{
    pack->drop_factor *= 1.0 - clamp(percent, 0.0, 99.0) / 100.0;
    change_capacity_seen_by_gauge(pack);
}

/* ---- Physical getters ---------------------------------------------------- */

double bk_pack_soc(const bk_pack_t *pack)
{
    return pack->soc;
}

double bk_pack_ocv_v(const bk_pack_t *pack)
{
    return bk_pack_ocv_at(pack, pack->soc);
}

double bk_pack_resistance_ohm(const bk_pack_t *pack)
{
    return bk_pack_resistance_at(pack, pack->soc, pack->temp_c);
}

/* Under charge the cell sits on its charge curve (OCV plus polarisation),
 * under discharge on its OCV; either way I*R on top. */
double bk_pack_voltage_v(const bk_pack_t *pack)
{
    const bk_chemistry_t *c = pack->cfg.chemistry;
    double emf = bk_pack_ocv_v(pack);
    if (pack->current_a > 0.0 && c->charge_v_curve.n)
        emf = pack->cfg.series * bk_table_eval(&c->charge_v_curve, pack->soc);
    return emf + pack->current_a * bk_pack_resistance_ohm(pack);
}

double bk_pack_current_a(const bk_pack_t *pack)
{
    return pack->current_a;
}

double bk_pack_power_w(const bk_pack_t *pack)
{
    return pack->current_a * bk_pack_voltage_v(pack);
}

double bk_pack_temperature_c(const bk_pack_t *pack)
{
    return pack->temp_c;
}

double bk_pack_ambient_c(const bk_pack_t *pack)
{
    return pack->ambient_c;
}

double bk_pack_remaining_mwh(const bk_pack_t *pack)
{
    double floor = bk_pack_floor_soc(pack, pack->temp_c);
    if (pack->soc <= floor)
        return 0.0;
    return 1000.0 * (bk_pack_stored_wh_at(pack, pack->soc) - bk_pack_stored_wh_at(pack, floor));
}

double bk_pack_full_charge_mwh(const bk_pack_t *pack)
{
    return 1000.0 * bk_pack_stored_wh_at(pack, 1.0);
}

double bk_pack_health(const bk_pack_t *pack)
{
    return pack->q_full_ah / pack->q_design_ah;
}

double bk_pack_equivalent_cycles(const bk_pack_t *pack)
{
    return pack->discharged_wh / (pack->cfg.design_mwh / 1000.0);
}

/* A cycle counts once cycle_threshold of the design capacity has been
 * discharged past the previous count, so N full discharges count N even
 * though each delivers a little less than design. */
uint32_t bk_pack_cycle_count(const bk_pack_t *pack)
{
    return (uint32_t)floor(bk_pack_equivalent_cycles(pack) + 1.0 - pack->cfg.cycle_threshold);
}

bk_charger_state_t bk_pack_charger_state(const bk_pack_t *pack)
{
    return pack->charger;
}

bool bk_pack_is_depleted(const bk_pack_t *pack)
{
    return pack->depleted;
}

uint64_t bk_pack_depleted_at_ns(const bk_pack_t *pack)
{
    return pack->depleted_at_ns;
}

static bool critical_at(const bk_pack_t *pack, double remaining_mwh)
{
    return pack->depleted || remaining_mwh <= pack->cfg.critical_mwh;
}

bool bk_pack_is_critical(const bk_pack_t *pack)
{
    return critical_at(pack, bk_pack_remaining_mwh(pack));
}

void bk_pack_stats(const bk_pack_t *pack, bk_pack_stats_t *out)
{
    *out = pack->stats;
    out->stored_wh = bk_pack_stored_wh_at(pack, pack->soc);
}

const char *bk_charger_state_name(bk_charger_state_t s)
{
    static const char *const names[] = {
        [BK_CHARGER_OFF] = "off",
        [BK_CHARGER_CC] = "cc",
        [BK_CHARGER_CV] = "cv",
        [BK_CHARGER_FULL] = "full",
        [BK_CHARGER_INHIBITED] = "inhibited",
    };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* ---- The gauge reading --------------------------------------------------- */

static uint32_t to_u32(double x)
{
    return x <= 0.0 ? 0 : (x >= 4294967294.0 ? 4294967294u : (uint32_t)lround(x));
}

static int32_t to_i32(double x)
{
    return (int32_t)lround(clamp(x, -2147483647.0, 2147483647.0));
}

void bk_pack_read_live(const bk_pack_t *p, bk_reading_t *out)
{
    double remaining = bk_pack_remaining_mwh(p); /* once: critical is judged on it too */
    memset(out, 0, sizeof(*out));
    out->design_mwh = p->cfg.design_mwh;
    out->full_charge_mwh = to_u32(p->learned_fcc_wh * 1000.0);
    out->remaining_mwh = to_u32(fmin(remaining, p->learned_fcc_wh * 1000.0));
    out->design_voltage_mv = p->cfg.design_voltage_mv;
    out->voltage_mv = to_u32(bk_pack_voltage_v(p) * 1000.0);
    out->rate_mw = to_i32(bk_pack_power_w(p) * 1000.0);
    out->current_ma = to_i32(p->current_a * 1000.0);
    out->temperature_dk = to_u32((p->temp_c + 273.15) * 10.0);
    out->cycle_count = bk_pack_cycle_count(p);
    out->warning_mwh = p->cfg.warning_mwh;
    out->critical_mwh = p->cfg.critical_mwh;
    out->charging = p->current_a > 0.0;
    out->discharging = p->current_a < 0.0;
    out->critical = critical_at(p, remaining);
    out->ac_online = p->ac_online;
    out->charger = p->charger;
    out->faults = p->faults;
}

void bk_pack_read(const bk_pack_t *pack, bk_reading_t *out)
{
    if (pack->faults & BK_FAULT_STUCK)
        *out = pack->stuck;
    else
        bk_pack_read_live(pack, out);
    if (pack->faults & BK_FAULT_SENSOR) {
        out->voltage_mv = BK_UNKNOWN_U32;
        out->rate_mw = BK_UNKNOWN_RATE;
        out->current_ma = BK_UNKNOWN_RATE;
        out->temperature_dk = BK_UNKNOWN_U32;
    }
    if (pack->faults & BK_FAULT_CRITICAL)
        out->critical = true;
    out->faults = pack->faults;
}

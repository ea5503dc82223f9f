/* chemistry.c: the cell chemistries as data tables (OCV, resistance and
 * capacity over SOC and temperature, charge, self-discharge and ageing
 * figures) and table interpolation. Typical published figures for each
 * chemistry, rounded; not any one manufacturer's cell. */
#include "model_internal.h"

#include <math.h>
#include <strings.h>

#define TABLE(a)                                                                                   \
    {                                                                                              \
        sizeof(a) / sizeof((a)[0]), (a)                                                            \
    }

double bk_table_eval(const bk_table_t *t, double x)
{
    if (t->n == 0)
        return 0.0;
    if (x <= t->p[0].x)
        return t->p[0].y;
    for (size_t i = 1; i < t->n; i++) {
        if (x <= t->p[i].x) {
            const bk_point_t *a = &t->p[i - 1], *b = &t->p[i];
            return a->y + (b->y - a->y) * (x - a->x) / (b->x - a->x);
        }
    }
    return t->p[t->n - 1].y;
}

/* Exact for the piecewise-linear curve: trapezoids on whole segments and
 * on the part of the segment that contains x. */
static uint64_t integrals;

uint64_t bk_table_integral_count(void)
{
    return __atomic_load_n(&integrals, __ATOMIC_RELAXED);
}

double bk_table_integral(const bk_table_t *t, double x)
{
    double sum = 0.0;
    __atomic_fetch_add(&integrals, 1, __ATOMIC_RELAXED);
    if (t->n == 0 || x <= t->p[0].x)
        return (t->n == 0) ? 0.0 : (x - t->p[0].x) * t->p[0].y;
    for (size_t i = 1; i < t->n; i++) {
        const bk_point_t *a = &t->p[i - 1], *b = &t->p[i];
        if (x <= b->x) {
            double yx = a->y + (b->y - a->y) * (x - a->x) / (b->x - a->x);
            return sum + 0.5 * (a->y + yx) * (x - a->x);
        }
        sum += 0.5 * (a->y + b->y) * (b->x - a->x);
    }
    return sum + (x - t->p[t->n - 1].x) * t->p[t->n - 1].y;
}

/* ---- Lithium-ion, NMC cathode / graphite anode --------------------------- */

static const bk_point_t li_ocv[] = {
    {0.00, 3.000}, {0.05, 3.400}, {0.10, 3.500}, {0.15, 3.560}, {0.20, 3.600}, {0.25, 3.630},
    {0.30, 3.660}, {0.35, 3.680}, {0.40, 3.700}, {0.45, 3.720}, {0.50, 3.740}, {0.55, 3.770},
    {0.60, 3.800}, {0.65, 3.840}, {0.70, 3.880}, {0.75, 3.920}, {0.80, 3.960}, {0.85, 4.010},
    {0.90, 4.060}, {0.95, 4.120}, {1.00, 4.200},
};
/* While charging, diffusion polarisation holds the cell some 50-90 mV above
 * its OCV until the two meet at full; that is what moves the CC/CV switch
 * to about 85 % SOC at 0.7 C, as real packs do. */
static const bk_point_t li_charge[] = {
    {0.00, 3.100}, {0.05, 3.470}, {0.10, 3.580}, {0.30, 3.740}, {0.50, 3.830},
    {0.70, 3.970}, {0.80, 4.050}, {0.90, 4.140}, {0.95, 4.175}, {1.00, 4.200},
};
static const bk_point_t li_r_soc[] = {
    {0.00, 2.00}, {0.10, 1.40}, {0.20, 1.15}, {0.50, 1.00}, {0.80, 1.00}, {1.00, 1.05},
};
static const bk_point_t li_r_temp[] = {
    {-20.0, 5.00}, {-10.0, 3.00}, {0.0, 2.00},  {10.0, 1.40},
    {25.0, 1.00},  {45.0, 0.85},  {60.0, 0.80},
};
static const bk_point_t li_cap_temp[] = {
    {-20.0, 0.60}, {-10.0, 0.72}, {0.0, 0.85}, {10.0, 0.93}, {25.0, 1.00},
};

/* ---- Lead-acid (valve-regulated, 2 V cells) ------------------------------ */

static const bk_point_t pb_ocv[] = {
    {0.0, 1.950}, {0.1, 1.970}, {0.2, 1.990}, {0.3, 2.010}, {0.4, 2.030}, {0.5, 2.050},
    {0.6, 2.070}, {0.7, 2.090}, {0.8, 2.100}, {0.9, 2.115}, {1.0, 2.130},
};
/* Under charge the cell sits well above its OCV and climbs steeply near full
 * (gassing); that is what makes the absorption (CV) current taper. */
static const bk_point_t pb_charge[] = {
    {0.0, 2.050}, {0.5, 2.170}, {0.8, 2.250}, {0.9, 2.310}, {0.95, 2.360}, {1.0, 2.400},
};
static const bk_point_t pb_r_soc[] = {
    {0.0, 1.60},
    {0.2, 1.20},
    {0.5, 1.00},
    {1.0, 0.95},
};
static const bk_point_t pb_r_temp[] = {
    {-20.0, 2.50},
    {0.0, 1.50},
    {25.0, 1.00},
    {50.0, 0.90},
};
static const bk_point_t pb_cap_temp[] = {
    {-20.0, 0.50}, {-10.0, 0.65}, {0.0, 0.80}, {10.0, 0.90}, {25.0, 1.00},
};

/* ---- Nickel-metal hydride ------------------------------------------------ */

static const bk_point_t ni_ocv[] = {
    {0.0, 1.100}, {0.1, 1.200}, {0.2, 1.230}, {0.4, 1.250},
    {0.6, 1.270}, {0.8, 1.300}, {0.9, 1.330}, {1.0, 1.400},
};
static const bk_point_t ni_charge[] = {
    {0.0, 1.300}, {0.5, 1.360}, {0.8, 1.400}, {0.9, 1.430}, {1.0, 1.480},
};
static const bk_point_t ni_r_soc[] = {
    {0.0, 1.80},
    {0.1, 1.20},
    {0.5, 1.00},
    {1.0, 1.10},
};
static const bk_point_t ni_r_temp[] = {
    {-20.0, 4.00},
    {0.0, 1.80},
    {25.0, 1.00},
    {45.0, 0.90},
};
static const bk_point_t ni_cap_temp[] = {
    {-20.0, 0.55},
    {0.0, 0.80},
    {25.0, 1.00},
};

static const bk_chemistry_t chemistries[] = {
    {
        .name = "li-ion",
        .code = "LION",
        .nominal_v = 3.7,
        .charge_v = 4.2,
        .cutoff_v = 2.75,
        .ocv = TABLE(li_ocv),
        .charge_v_curve = TABLE(li_charge),
        .r_ohm_ah = 0.125, /* about 50 mOhm for a 2.5 Ah 18650 */
        .r_soc = TABLE(li_r_soc),
        .r_temp = TABLE(li_r_temp),
        .cap_temp = TABLE(li_cap_temp),
        .cc_c_rate = 0.7,
        .term_c_rate = 0.05,
        .restart_soc = 0.95,
        .charge_min_c = 0.0, /* no charging below freezing: lithium plating */
        .charge_max_c = 45.0,
        .coulombic_eff = 0.999,
        .self_discharge_per_month = 0.03, /* 2 % cell + protection circuit */
        .fade_per_cycle = 0.00025,        /* 80 % after about 800 cycles */
        .fade_per_year = 0.03,
        .r_growth_per_fade = 2.5,
        .heat_j_per_k_wh = 5.0,
    },
    {
        .name = "lead-acid",
        .code = "PbAc",
        .nominal_v = 2.0,
        .charge_v = 2.4,
        .cutoff_v = 1.75,
        .ocv = TABLE(pb_ocv),
        .charge_v_curve = TABLE(pb_charge),
        .r_ohm_ah = 0.03,
        .r_soc = TABLE(pb_r_soc),
        .r_temp = TABLE(pb_r_temp),
        .cap_temp = TABLE(pb_cap_temp),
        .cc_c_rate = 0.25,
        .term_c_rate = 0.02,
        .restart_soc = 0.97,
        .charge_min_c = -20.0,
        .charge_max_c = 50.0,
        .coulombic_eff = 0.90,
        .self_discharge_per_month = 0.04,
        .fade_per_cycle = 0.00067, /* 80 % after about 300 deep cycles */
        .fade_per_year = 0.04,
        .r_growth_per_fade = 2.0,
        .heat_j_per_k_wh = 25.0,
    },
    {
        .name = "nimh",
        .code = "NiMH",
        .nominal_v = 1.2,
        .charge_v = 1.48,
        .cutoff_v = 0.9,
        .ocv = TABLE(ni_ocv),
        .charge_v_curve = TABLE(ni_charge),
        .r_ohm_ah = 0.06,
        .r_soc = TABLE(ni_r_soc),
        .r_temp = TABLE(ni_r_temp),
        .cap_temp = TABLE(ni_cap_temp),
        .cc_c_rate = 0.5,
        .term_c_rate = 0.05,
        .restart_soc = 0.90,
        .charge_min_c = 0.0,
        .charge_max_c = 45.0,
        .coulombic_eff = 0.80,
        .self_discharge_per_month = 0.20,
        .fade_per_cycle = 0.0004,
        .fade_per_year = 0.04,
        .r_growth_per_fade = 2.0,
        .heat_j_per_k_wh = 12.0,
    },
};

static const struct {
    const char *alias;
    size_t index;
} aliases[] = {
    {"lion", 0}, {"li-i", 0}, {"nmc", 0},  {"lithium-ion", 0},
    {"pbac", 1}, {"lead", 1}, {"vrla", 1}, {"ni-mh", 2},
};

size_t bk_chemistry_count(void)
{
    return sizeof(chemistries) / sizeof(chemistries[0]);
}

const bk_chemistry_t *bk_chemistry_at(size_t i)
{
    return i < bk_chemistry_count() ? &chemistries[i] : NULL;
}

const bk_chemistry_t *bk_chemistry_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < bk_chemistry_count(); i++)
        if (strcasecmp(name, chemistries[i].name) == 0 ||
            strcasecmp(name, chemistries[i].code) == 0)
            return &chemistries[i];
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (strcasecmp(name, aliases[i].alias) == 0)
            return &chemistries[aliases[i].index];
    return NULL;
}

double bk_chemistry_ocv(const bk_chemistry_t *c, double soc)
{
    return bk_table_eval(&c->ocv, soc);
}

double bk_chemistry_mean_ocv(const bk_chemistry_t *c)
{
    return bk_table_integral(&c->ocv, 1.0) - bk_table_integral(&c->ocv, 0.0);
}

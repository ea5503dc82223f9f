/* model.h: battkit's battery physics library (chemistry tables, a pack with
 * charge/discharge, CC/CV charger, thermal model, ageing, faults) and the
 * scenario files that drive it. No driver knowledge; libc and libm only.
 * Time comes from the caller: nothing here reads the wall clock. */
#ifndef BK_MODEL_H
#define BK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "Unknown" as the ACPI packages and BATTERY_STATUS spell it: 0xFFFFFFFF for
 * capacities, voltages and temperatures, INT32_MIN (BATTERY_UNKNOWN_RATE) for
 * signed rates. */
#define BK_UNKNOWN_U32  0xFFFFFFFFu
#define BK_UNKNOWN_RATE INT32_MIN

#define BK_NAME_MAX 16 /* battery and profile names, including the NUL */

/* ---- Tables and chemistries ------------------------------------------- */

typedef struct bk_point {
    double x, y;
} bk_point_t;

/* A curve as points with strictly increasing x; evaluated by linear
 * interpolation and held flat beyond the ends. */
typedef struct bk_table {
    size_t n;
    const bk_point_t *p;
} bk_table_t;

double bk_table_eval(const bk_table_t *t, double x);
/* Integral of the curve from its first x to x (flat extension outside). */
double bk_table_integral(const bk_table_t *t, double x);
/* bk_table_integral calls since the process started (tests count what one
 * reading of a pack costs). */
uint64_t bk_table_integral_count(void);

/* A cell chemistry as data. Per-cell values; the pack multiplies by its
 * series/parallel counts. SOC is a fraction 0..1 of the full charge. */
typedef struct bk_chemistry {
    const char *name;                  /* "li-ion", "lead-acid", "nimh" */
    char code[5];                      /* BATTERY_INFORMATION.Chemistry: "LION", "PbAc", "NiMH" */
    double nominal_v;                  /* design voltage per cell, V */
    double charge_v;                   /* CV (absorption) voltage per cell, V */
    double cutoff_v;                   /* loaded voltage at which the system gives up, V */
    bk_table_t ocv;                    /* open-circuit voltage per cell (V) over SOC */
    bk_table_t charge_v_curve;         /* equilibrium voltage while charging (V) over
                                          SOC, i.e. OCV plus polarisation; n == 0:
                                          same as ocv (no hysteresis) */
    double r_ohm_ah;                   /* cell resistance times cell capacity (ohm*Ah) at
                                          25 degC, 50 % SOC: bigger cells, lower resistance */
    bk_table_t r_soc;                  /* resistance multiplier over SOC */
    bk_table_t r_temp;                 /* resistance multiplier over degC */
    bk_table_t cap_temp;               /* usable fraction of the charge over degC */
    double cc_c_rate;                  /* default charge current, in C (1/h) */
    double term_c_rate;                /* CV termination current, in C */
    double restart_soc;                /* maintenance rule: a full pack recharges below this */
    double charge_min_c, charge_max_c; /* charger inhibits outside, degC */
    double coulombic_eff;              /* charge stored / charge pushed in */
    double self_discharge_per_month;   /* fraction of full per 30 days at 25 degC */
    double fade_per_cycle;             /* capacity lost per equivalent full cycle */
    double fade_per_year;              /* calendar capacity loss per year at 25 degC */
    double r_growth_per_fade;          /* resistance multiplier 1 + k * fade */
    double heat_j_per_k_wh;            /* heat capacity per Wh of design capacity */
} bk_chemistry_t;

size_t bk_chemistry_count(void);
const bk_chemistry_t *bk_chemistry_at(size_t i);
/* By name ("li-ion"), alias ("lion", "nmc", "pbac", "lead", "nimh") or
 * BATTERY_INFORMATION code, case-insensitive; NULL if unknown. */
const bk_chemistry_t *bk_chemistry_find(const char *name);
double bk_chemistry_ocv(const bk_chemistry_t *c, double soc); /* V per cell */
/* Mean OCV over SOC 0..1 (V per cell): energy per Ah. A pack's cell
 * capacity is design mWh / (cells * mean OCV), so a new pack's full
 * charge energy equals its design capacity exactly. */
double bk_chemistry_mean_ocv(const bk_chemistry_t *c);

/* ---- Loads --------------------------------------------------------------- */

typedef enum bk_load_kind {
    BK_LOAD_NONE,    /* nothing drawn */
    BK_LOAD_POWER,   /* constant power at the pack terminals, W */
    BK_LOAD_CURRENT, /* constant current, A */
    BK_LOAD_PROFILE, /* piecewise constant segments over time */
} bk_load_kind_t;

typedef struct bk_load_segment {
    uint64_t duration_ns;
    bk_load_kind_t kind; /* NONE, POWER or CURRENT */
    double value;        /* W or A, >= 0 */
} bk_load_segment_t;

#define BK_LOAD_MAX_SEGMENTS 32

/* Plain value type: copy freely. A profile starts when it is given to a
 * pack (bk_pack_set_load) and, with repeat, starts over after its last
 * segment; without repeat it draws nothing after the last segment. */
typedef struct bk_load {
    bk_load_kind_t kind;
    double value; /* W or A for POWER / CURRENT */
    bool repeat;
    unsigned nsegments;
    bk_load_segment_t seg[BK_LOAD_MAX_SEGMENTS];
} bk_load_t;

bk_load_t bk_load_none(void);
bk_load_t bk_load_power(double watts);
bk_load_t bk_load_current(double amperes);
/* Appends a segment to a profile (load->kind becomes PROFILE); -1 when full
 * or the segment is invalid. */
int bk_load_add_segment(bk_load_t *load, uint64_t duration_ns, bk_load_kind_t kind, double value);
/* What the load draws at offset_ns since it started, and for how long that
 * stays constant (UINT64_MAX: forever). */
bk_load_segment_t bk_load_at(const bk_load_t *load, uint64_t offset_ns, uint64_t *constant_for_ns);

/* ---- Pack ---------------------------------------------------------------- */

typedef enum bk_charger_state {
    BK_CHARGER_OFF,       /* AC offline */
    BK_CHARGER_CC,        /* constant current */
    BK_CHARGER_CV,        /* constant voltage, current tapering */
    BK_CHARGER_FULL,      /* terminated; recharges below restart_soc */
    BK_CHARGER_INHIBITED, /* AC online but charging not allowed
                             (temperature window, or bk_pack_set_charge_inhibit) */
} bk_charger_state_t;

const char *bk_charger_state_name(bk_charger_state_t s);

/* Faults are flags that drivers read and act on; the model itself only
 * changes what bk_pack_read returns (STUCK, SENSOR) and the critical flag
 * (CRITICAL). A sudden capacity drop is an operation, bk_pack_drop_capacity. */
enum {
    BK_FAULT_STUCK = 1u << 0,     /* readings frozen at the moment it was set */
    BK_FAULT_SENSOR = 1u << 1,    /* voltage, rate and temperature unknown */
    BK_FAULT_NO_ANSWER = 1u << 2, /* the device does not answer (driver's job) */
    BK_FAULT_CRITICAL = 1u << 3,  /* critical flag forced on */
    BK_FAULT_WRONG_TAG = 1u << 4, /* the device answers with a stale tag (driver's job) */
};
/* Name <-> flag, one table both ways: "stuck", "sensor", "no-answer",
 * "critical", "wrong-tag". 0 / NULL when unknown. */
unsigned bk_fault_from_name(const char *name);
const char *bk_fault_name(unsigned flag);

typedef struct bk_pack_config {
    const bk_chemistry_t *chemistry;
    unsigned series, parallel; /* cells */
    uint32_t design_mwh;
    uint32_t design_voltage_mv; /* reported only; default nominal * series */
    uint32_t warning_mwh;       /* ACPI "design capacity of warning" */
    uint32_t critical_mwh;      /* ACPI "design capacity of low": critical below */
    uint32_t charge_current_ma; /* charger limit (CC current) */
    uint32_t charge_power_mw;   /* charger limit, 0 = none */
    uint32_t term_current_ma;   /* CV phase ends below this */
    double ambient_c;
    double initial_soc;       /* 0..1 */
    double heat_capacity_j_k; /* pack heat capacity, J/K */
    double conductance_w_k;   /* heat flow to ambient per kelvin, W/K */
    double cycle_threshold;   /* a cycle counts once this fraction of design
                                 capacity is discharged past the last one */
    uint32_t substep_ms;      /* integration step under current */
    uint32_t idle_step_ms;    /* longer step while no current flows */
} bk_pack_config_t;

/* Fills every field with the chemistry's defaults for the given shape:
 * warning 10 % and critical 3 % of design, charge current cc_c_rate,
 * termination term_c_rate, 25 degC, full, 1 s steps, 60 s idle steps. */
void bk_pack_config_init(bk_pack_config_t *cfg, const bk_chemistry_t *chem, unsigned series,
                         unsigned parallel, uint32_t design_mwh);

typedef struct bk_pack bk_pack_t;

/* 0, or -EINVAL for an inconsistent configuration, -ENOMEM. */
int bk_pack_create(const bk_pack_config_t *cfg, bk_pack_t **out);
void bk_pack_destroy(bk_pack_t *pack);
bk_pack_t *bk_pack_clone(const bk_pack_t *pack);
const bk_pack_config_t *bk_pack_config(const bk_pack_t *pack);

/* The pack's own clock, in ns of the caller's time base (starts at 0). */
uint64_t bk_pack_time_ns(const bk_pack_t *pack);
void bk_pack_set_time_ns(bk_pack_t *pack, uint64_t t_ns); /* jumps, no physics */
/* Integrates from the pack's time to t_ns in sub-steps; earlier t is a no-op. */
void bk_pack_advance_to_ns(bk_pack_t *pack, uint64_t t_ns);
void bk_pack_advance(bk_pack_t *pack, double dt_seconds);

/* Inputs. */
void bk_pack_set_load(bk_pack_t *pack, const bk_load_t *load); /* starts now */
const bk_load_t *bk_pack_load(const bk_pack_t *pack);
/* AC online: the system load runs from AC and the charger charges. Going
 * online also ends the depleted state. */
void bk_pack_set_ac(bk_pack_t *pack, bool online);
bool bk_pack_ac(const bk_pack_t *pack);
void bk_pack_set_charge_inhibit(bk_pack_t *pack, bool inhibit);
void bk_pack_set_ambient_c(bk_pack_t *pack, double celsius);
void bk_pack_set_temperature_c(bk_pack_t *pack, double celsius);
void bk_pack_set_soc(bk_pack_t *pack, double soc);
/* Ages the pack directly, as if it had gone through `cycles` equivalent
 * full cycles and `days` of calendar time at 25 degC. */
void bk_pack_age(bk_pack_t *pack, double cycles, double days);

/* Sets the full charge capacity (e.g. a machine description's measured
 * value for an aged pack) on top of whatever ageing is recorded; SOC is
 * kept. The gauge reports it at once. */
void bk_pack_set_full_charge_mwh(bk_pack_t *pack, double mwh);

/* Faults. */
void bk_pack_set_faults(bk_pack_t *pack, unsigned flags, bool on);
unsigned bk_pack_faults(const bk_pack_t *pack);
/* Sudden loss of `percent` of the full charge capacity; SOC is kept, so the
 * remaining capacity drops by the same fraction. */
void bk_pack_drop_capacity(bk_pack_t *pack, double percent);

/* True physical state (not affected by faults). */
double bk_pack_soc(const bk_pack_t *pack);
double bk_pack_voltage_v(const bk_pack_t *pack); /* terminal voltage */
double bk_pack_ocv_v(const bk_pack_t *pack);
double bk_pack_current_a(const bk_pack_t *pack); /* + charging, - discharging */
double bk_pack_power_w(const bk_pack_t *pack);   /* + charging, - discharging */
double bk_pack_resistance_ohm(const bk_pack_t *pack);
double bk_pack_temperature_c(const bk_pack_t *pack);
double bk_pack_ambient_c(const bk_pack_t *pack);
double bk_pack_remaining_mwh(const bk_pack_t *pack);   /* usable now (cold reduces it) */
double bk_pack_full_charge_mwh(const bk_pack_t *pack); /* aged, at 25 degC */
double bk_pack_health(const bk_pack_t *pack);          /* full charge / design */
uint32_t bk_pack_cycle_count(const bk_pack_t *pack);
double bk_pack_equivalent_cycles(const bk_pack_t *pack); /* discharged / design */
bk_charger_state_t bk_pack_charger_state(const bk_pack_t *pack);
bool bk_pack_is_depleted(const bk_pack_t *pack);        /* hit empty or cut-off */
uint64_t bk_pack_depleted_at_ns(const bk_pack_t *pack); /* when it last did */
bool bk_pack_is_critical(const bk_pack_t *pack);        /* remaining <= critical_mwh */

/* Energy bookkeeping since creation, Wh. stored(start) - stored(now) =
 * out - in + loss + self_discharge + fade, exactly up to rounding. */
typedef struct bk_pack_stats {
    double out_wh;            /* delivered at the terminals */
    double in_wh;             /* accepted at the terminals */
    double loss_wh;           /* resistive and charge losses (heat) */
    double self_discharge_wh; /* lost to self-discharge */
    double fade_wh;           /* lost with capacity fade at constant SOC */
    double stored_wh;         /* chemical energy above SOC 0 now */
    double initial_stored_wh;
} bk_pack_stats_t;
void bk_pack_stats(const bk_pack_t *pack, bk_pack_stats_t *out);

/* What a gauge would report, in the units of BATTERY_STATUS and ACPI _BST /
 * _BIX; faults applied (STUCK freezes, SENSOR makes voltage, rate, current
 * and temperature BK_UNKNOWN_*). */
typedef struct bk_reading {
    uint32_t design_mwh;
    uint32_t full_charge_mwh;
    uint32_t remaining_mwh;
    uint32_t design_voltage_mv;
    uint32_t voltage_mv;
    int32_t rate_mw;         /* + charging, - discharging */
    int32_t current_ma;      /* + charging, - discharging */
    uint32_t temperature_dk; /* tenths of kelvin */
    uint32_t cycle_count;
    uint32_t warning_mwh, critical_mwh;
    bool charging, discharging, critical, ac_online;
    bk_charger_state_t charger;
    unsigned faults;
} bk_reading_t;
void bk_pack_read(const bk_pack_t *pack, bk_reading_t *out);

/* The model's own integral: chemical energy (mWh) between two SOCs of the
 * pack as it is now (integral of the OCV curve times the full charge). */
double bk_pack_energy_mwh(const bk_pack_t *pack, double soc_from, double soc_to);
/* Seconds until the remaining capacity falls to level_mwh (or the pack
 * depletes) under a constant terminal power load_w with AC offline, by
 * integrating the same equations as bk_pack_advance on a copy of the pack
 * (minute steps while far from the level, so light loads stay cheap).
 * 0 if already there; INFINITY if never within 1000 days. */
double bk_pack_predict_seconds(const bk_pack_t *pack, double load_w, double level_mwh);

/* Persistence as a small text blob ("key value" lines). save returns the
 * length it needs (like snprintf) and NUL-terminates when it fits. restore
 * refuses a blob for another chemistry or shape; 0 or -EINVAL with err set. */
size_t bk_pack_save(const bk_pack_t *pack, char *buf, size_t len);
int bk_pack_restore(bk_pack_t *pack, const char *text, char *err, size_t errlen);

/* ---- Units --------------------------------------------------------------- */

/* "90s", "1h30m", "2.5h", "500ms", "1d", "0". 0 or -1. */
int bk_parse_duration_ns(const char *s, uint64_t *out);
typedef enum bk_unit {
    BK_UNIT_WATT,      /* "15W", "1500mW" -> W */
    BK_UNIT_AMPERE,    /* "1.5A", "1500mA" -> A */
    BK_UNIT_WATT_HOUR, /* "57Wh", "57000mWh" -> Wh */
    BK_UNIT_PERCENT,   /* "20%" -> 20 */
    BK_UNIT_CELSIUS,   /* "-10C", "298.15K" -> degC */
} bk_unit_t;
/* 0 or -1 when malformed or not one of the units allowed by the mask
 * (bit 1 << BK_UNIT_x). */
int bk_parse_quantity(const char *s, unsigned allowed, bk_unit_t *unit, double *value);

/* ---- Scenarios ----------------------------------------------------------- */

typedef enum bk_event_kind {
    BK_EVENT_LOAD,            /* load */
    BK_EVENT_AC,              /* on */
    BK_EVENT_INSERT,          /* battery */
    BK_EVENT_REMOVE,          /* battery */
    BK_EVENT_FAULT,           /* battery, fault, on */
    BK_EVENT_CAPACITY_DROP,   /* battery, value = percent */
    BK_EVENT_AMBIENT,         /* value = degC */
    BK_EVENT_SET_SOC,         /* battery, value = fraction */
    BK_EVENT_SET_TEMPERATURE, /* battery, value = degC */
} bk_event_kind_t;

const char *bk_event_kind_name(bk_event_kind_t k);

typedef struct bk_event {
    uint64_t at_ns; /* from the scenario's origin */
    bk_event_kind_t kind;
    char battery[BK_NAME_MAX]; /* "" = every bound battery */
    unsigned line;             /* in the scenario file */
    bool on;                   /* AC online; fault set (true) or cleared */
    unsigned fault;            /* BK_FAULT_* bits */
    double value;
    bk_load_t load;
} bk_event_t;

typedef struct bk_scenario bk_scenario_t;

/* Parse from a file or from text (name is used in messages). 0, or -EINVAL
 * with "name:line: reason" in err, -ENOENT / -ENOMEM. */
int bk_scenario_load(const char *path, bk_scenario_t **out, char *err, size_t errlen);
int bk_scenario_parse(const char *name, const char *text, bk_scenario_t **out, char *err,
                      size_t errlen);
void bk_scenario_free(bk_scenario_t *sc);

size_t bk_scenario_event_count(const bk_scenario_t *sc);
const bk_event_t *bk_scenario_event(const bk_scenario_t *sc, size_t i);

/* Scenario times are relative to the origin (host time, default 0). */
void bk_scenario_set_origin_ns(bk_scenario_t *sc, uint64_t origin_ns);
/* Host time of the next event not yet applied; UINT64_MAX when none. */
uint64_t bk_scenario_next_event_time(const bk_scenario_t *sc);
/* Host time of `until` (or of the last event when there is none). */
uint64_t bk_scenario_end_time(const bk_scenario_t *sc);

/* Packs the executor drives itself, by battery name; NULL unbinds. Up to
 * BK_SCENARIO_MAX_PACKS. 0 or -ENOSPC. */
#define BK_SCENARIO_MAX_PACKS 8
int bk_scenario_bind_pack(bk_scenario_t *sc, const char *battery, bk_pack_t *pack);

/* Called for every event as it is applied. Return 1 when the host has dealt
 * with it (the executor does nothing more), 0 to let the executor apply its
 * default (below), negative to stop with that error. */
typedef int (*bk_scenario_handler_fn)(void *ctx, const bk_event_t *ev);

/* Applies, in file order, every event due at or before t_ns. Before each
 * event the bound packs are advanced to its time, and at the end to t_ns.
 * Defaults: LOAD sets the load on the named (or every attached) pack; AC
 * sets it on every bound pack; REMOVE takes the pack out of the system (no
 * load, no AC: it sits on a shelf), INSERT puts it back; FAULT,
 * CAPACITY_DROP, AMBIENT, SET_* apply to the named (or every) pack. An
 * event for an unbound battery that the handler did not take is an error.
 * Returns the number of events applied or a negative errno;
 * bk_scenario_error() then says "file:line: reason". */
int bk_scenario_apply_until(bk_scenario_t *sc, uint64_t t_ns, bk_scenario_handler_fn fn, void *ctx);
/* Model-only convenience: applies every event and advances the bound packs
 * to the end time. */
int bk_scenario_run(bk_scenario_t *sc, bk_scenario_handler_fn fn, void *ctx);
const char *bk_scenario_error(const bk_scenario_t *sc);

#ifdef __cplusplus
}
#endif

#endif

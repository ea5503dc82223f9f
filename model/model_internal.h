/* model_internal.h: the pack's state as the model's .c files share it, and
 * the few helpers between them (curves at pack level, one integration step).
 * Not installed; hosts use model.h only. */
#ifndef BK_MODEL_INTERNAL_H
#define BK_MODEL_INTERNAL_H

#include "model.h"

#define BK_NS_PER_S       1000000000ull
#define BK_SECONDS_PER_H  3600.0
#define BK_SECONDS_PER_YR (365.25 * 86400.0)

struct bk_pack {
    bk_pack_config_t cfg;
    double q_design_ah; /* per cell, from design_mwh / (cells * mean OCV) */
    double ncells;      /* series * parallel */

    /* Time and inputs. */
    uint64_t now_ns;
    bk_load_t load;
    uint64_t load_start_ns;
    bool ac_online;
    bool charge_inhibit;
    double ambient_c;

    /* Physical state. */
    double soc; /* fraction of q_full */
    double temp_c;
    double q_full_ah;      /* per cell: design * health * drop_factor */
    double drop_factor;    /* product of sudden capacity drops */
    double learned_fcc_wh; /* what the gauge reports as full: energy from the
                              last charge termination down to empty */
    double discharged_wh;  /* chemical energy drawn out by loads, for cycles */
    double calendar_years; /* effective years at 25 degC */
    bk_charger_state_t charger;
    bool depleted;
    uint64_t depleted_at_ns;

    /* Results of the last step, for the getters. */
    double current_a; /* + charging */
    double voltage_v;

    unsigned faults;
    bk_reading_t stuck; /* snapshot taken when STUCK was set */
    bk_pack_stats_t stats;

    /* The OCV curve's integral at the last few SOCs asked (the state, the
     * cold floor, 0 and full): each reading asks for the same ones until
     * the pack moves, and each integral walks the whole curve. Keyed by
     * the SOC itself, so no change of state can leave one stale. A pack is
     * used by one thread at a time (the platform holds its lock). */
    struct {
        double soc, value;
        bool valid;
    } ocv_memo[4];
    unsigned ocv_memo_next;
};

/* Pack-level curves (all series cells, parallel strings). */
double bk_pack_ocv_at(const bk_pack_t *p, double soc);
double bk_pack_resistance_at(const bk_pack_t *p, double soc, double temp_c);
/* Chemical energy above SOC 0 at the present full charge, Wh. */
double bk_pack_stored_wh_at(const bk_pack_t *p, double soc);
/* SOC below which the charge is not usable at this temperature. */
double bk_pack_floor_soc(const bk_pack_t *p, double temp_c);
/* Recomputes q_full_ah from the ageing state, booking the lost energy. */
void bk_pack_update_capacity(bk_pack_t *p);
/* Fills a reading from the live state, ignoring faults. */
void bk_pack_read_live(const bk_pack_t *p, bk_reading_t *out);

/* Decides the charger state and current for the present inputs without
 * moving time, so a reading right after a change (AC plugged in, new load)
 * already shows it. */
void bk_pack_refresh(bk_pack_t *p);
/* One integration step of h_ns; returns the ns actually integrated under
 * the present conditions (may be shorter when the pack depletes). */
uint64_t bk_pack_step(bk_pack_t *p, uint64_t h_ns);

#endif

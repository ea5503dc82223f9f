/* predict.c: the model's own integrals, exposed so tests and drivers can
 * compare against them: energy between two SOCs, and the time a constant
 * power load takes to bring the remaining capacity down to a level. */
#include "model_internal.h"

#include <math.h>

#define HORIZON_NS (1000ull * 86400ull * BK_NS_PER_S)

double bk_pack_energy_mwh(const bk_pack_t *pack, double soc_from, double soc_to)
{
    return 1000.0 * (bk_pack_stored_wh_at(pack, soc_to) - bk_pack_stored_wh_at(pack, soc_from));
}

/* Runs the same step function as bk_pack_advance on a private copy of the
 * pack (struct copy: the pack owns no pointers but its chemistry), with AC
 * off and the load replaced, and interpolates inside the step that crosses
 * the level. */
double bk_pack_predict_seconds(const bk_pack_t *pack, double load_w, double level_mwh)
{
    bk_pack_t sim = *pack;
    bk_load_t load = bk_load_power(load_w);
    uint64_t t0 = pack->now_ns;

    if (bk_pack_remaining_mwh(pack) <= level_mwh)
        return 0.0;
    if (!(load_w > 0.0))
        return INFINITY;
    bk_pack_set_ac(&sim, false);
    sim.depleted = false;
    bk_pack_set_load(&sim, &load);
    while (sim.now_ns - t0 < HORIZON_NS) {
        uint64_t before_ns = sim.now_ns, h = sim.cfg.substep_ms * 1000000ull;
        double before = bk_pack_remaining_mwh(&sim);
        /* Far from the level, a minute's step: each step integrates the OCV
         * exactly over the charge it moves, so only R and temperature are
         * held a little longer, and a light load's prediction stays cheap. */
        if (before - level_mwh > 0.05 * bk_pack_full_charge_mwh(&sim) &&
            before - level_mwh > 120.0 * load_w * 1000.0 / 3600.0)
            h *= 60;
        bk_pack_step(&sim, h);
        double after = bk_pack_remaining_mwh(&sim);
        if (after <= level_mwh) {
            double frac = (before - level_mwh) / (before - after);
            return ((double)(before_ns - t0) + frac * (double)(sim.now_ns - before_ns)) / 1e9;
        }
        if (sim.depleted)
            return (double)(sim.depleted_at_ns - t0) / 1e9;
    }
    return INFINITY;
}

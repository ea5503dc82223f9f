/* What both battd and the client library's embedded mode do with a host:
 * put the power manager's state and DC policy into the wire layouts, and
 * apply a simulator operation to the platform. */
#ifndef BKC_HOSTOPS_H
#define BKC_HOSTOPS_H

#include "protocol.h"

#include <battkit/host.h>

void bkc_power_state_to_wire(const bk_power_state_t *state, bkp_power_state_reply_t *reply);
void bkc_dc_policy_to_wire(const bk_dc_policy_t *policy, bkp_dc_policy_t *wire);
void bkc_dc_policy_from_wire(const bkp_dc_policy_t *wire, bk_dc_policy_t *policy);
/* The older low/critical-only policy set onto the whole one. */
void bkc_dc_policy_apply_old(bkp_dc_policy_t *policy, const bkp_policy_t *old);
/* The policy and the level the system is in now. */
void bkc_dc_policy_reply(bk_host_t *host, bkp_dc_policy_reply_t *reply);
/* op/value/arg2/name as bkp_sim_t (daemon/protocol.h) carries them. */
bk_status_t bkc_host_sim(bk_host_t *host, uint32_t op, int32_t value, uint32_t arg2,
                         const char *name);

#endif

/* Shared between the power manager's files only: power.c and system.c
 * (device and system power IRPs), battery.c (the composite battery it
 * opens), estimate.c (time to empty), state.c (SYSTEM_BATTERY_STATE and
 * SYSTEM_POWER_STATUS from what the composite says) and policy.c (the DC
 * policy). */
#ifndef NTOS_PO_INTERNAL_H
#define NTOS_PO_INTERNAL_H

#include "../private.h"

#include <batclass.h>
#include <battkit/host.h>

/* Drops every PoSetPowerState record (host shutdown). */
void po_forget_all(void);

/* ---- what the composite battery says (battery.c) ---- */
typedef struct po_view {
    bool attached; /* \Device\CompositeBattery is open */
    bool readable; /* its last answer was one (a battery, or no battery) */
    bool present;  /* it has a tag: some battery is there */
    ULONG tag;
    BATTERY_INFORMATION info;
    BATTERY_STATUS status;
} po_view_t;

void po_battery_init(void);
void po_battery_shutdown(void);

/* ---- time to empty (estimate.c) ---- */
#define PO_SETTLE_MS       30000u /* no estimate for this long after the power source changes */
#define PO_SMOOTH_TAU_S    60.0   /* time constant of the rate's exponential average */
#define PO_MAX_FULL_LIFE_S (200u * 3600u) /* a drain slower than a full charge in 200 h is noise   \
                                           */

typedef struct po_estimate {
    double drain_mw; /* smoothed, > 0 once have */
    uint64_t last_ns, settle_until_ns;
    bool have;
} po_estimate_t;

/* The power source changed (or the battery set did): start again. */
void po_estimate_restart(po_estimate_t *e, uint64_t now_ns, bool settle);
/* A status the composite reported at now_ns. */
void po_estimate_sample(po_estimate_t *e, uint64_t now_ns, const BATTERY_INFORMATION *info,
                        const BATTERY_STATUS *status);
/* Seconds to empty from capacity (and from full), or BATTERY_UNKNOWN_TIME. */
ULONG po_estimate_seconds(const po_estimate_t *e, uint64_t now_ns, ULONG capacity);
/* Nanoseconds until the settle period ends (0 if over). */
uint64_t po_estimate_settle_left_ns(const po_estimate_t *e, uint64_t now_ns);

/* ---- the system's battery state (state.c) ---- */
/* Fills every SYSTEM_BATTERY_STATE and SYSTEM_POWER_STATUS field of out
 * from the view and the estimates (seconds or BATTERY_UNKNOWN_TIME). */
void po_compute_state(const po_view_t *v, ULONG estimate_s, ULONG full_life_s,
                      bk_power_state_t *out);

/* ---- DC policy (policy.c) ---- */
void po_policy_init(void);
void po_policy_shutdown(void);
/* The system state changed: moves between levels and fires actions.
 * PASSIVE_LEVEL, from the power manager's worker. */
void po_policy_evaluate(const bk_power_state_t *state);
uint32_t po_policy_level(void);
uint32_t po_policy_actions_taken(void);
/* The level a state is in under a policy (exported for tests). */
uint32_t po_policy_level_of(const bk_dc_policy_t *p, const bk_power_state_t *s);
bool po_policy_validate(const bk_dc_policy_t *p, char *why, size_t why_len);

/* Publishes a changed state to watchers (battery.c). */
void po_state_changed(void);

#endif

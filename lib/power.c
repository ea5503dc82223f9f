/* The power manager's answers to applications: GetSystemPowerStatus,
 * CallNtPowerInformation(SystemBatteryState) and the DC policy
 * (BattkitGetDcPolicy, and the older low/critical BattkitGetPolicy), all
 * from one reading of the power manager's state through the transport. */
#include "internal.h"
#include "hostops.h"

#include <powrprof.h>
#include <stdio.h>
#include <string.h>

static NTSTATUS read_state(bkp_power_state_reply_t *r)
{
    const bkc_transport_t *tp = bkc_transport(NULL);
    if (!tp)
        return STATUS_UNSUCCESSFUL; /* last error already set */
    return tp->power_state(r);
}

static NTSTATUS power_status(const bkc_transport_t *tp, SYSTEM_POWER_STATUS *out)
{
    bkp_power_state_reply_t r;
    NTSTATUS s = tp->power_state(&r);
    if (NT_SUCCESS(s))
        *out = (SYSTEM_POWER_STATUS){
            .ACLineStatus = r.ac_line_status,
            .BatteryFlag = r.battery_flag,
            .BatteryLifePercent = r.battery_life_percent,
            .SystemStatusFlag = r.system_status_flag,
            .BatteryLifeTime = r.battery_life_time,
            .BatteryFullLifeTime = r.battery_full_life_time,
        };
    return s;
}

BOOL WINAPI GetSystemPowerStatus(LPSYSTEM_POWER_STATUS lpSystemPowerStatus)
{
    if (!lpSystemPowerStatus) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    TRANSPORT_CALL(power_status(tp, lpSystemPowerStatus));
}

static void to_battery_state(const bkp_power_state_reply_t *r, SYSTEM_BATTERY_STATE *out)
{
    memset(out, 0, sizeof *out);
    out->AcOnLine = r->ac_on_line;
    out->BatteryPresent = r->battery_present;
    out->Charging = r->charging;
    out->Discharging = r->discharging;
    out->MaxCapacity = r->max_capacity;
    out->RemainingCapacity = r->remaining_capacity;
    out->Rate = (DWORD)r->rate;
    out->EstimatedTime = r->estimated_time;
    out->DefaultAlert1 = r->default_alert1;
    out->DefaultAlert2 = r->default_alert2;
}

/* docs: returns an NTSTATUS rather than setting the last error. */
NTSTATUS WINAPI CallNtPowerInformation(POWER_INFORMATION_LEVEL InformationLevel, PVOID InputBuffer,
                                       ULONG InputBufferLength, PVOID OutputBuffer,
                                       ULONG OutputBufferLength)
{
    if (InformationLevel != SystemBatteryState)
        return STATUS_NOT_IMPLEMENTED;
    /* docs: SystemBatteryState takes no input buffer. */
    if (InputBuffer || InputBufferLength)
        return STATUS_INVALID_PARAMETER;
    if (!OutputBuffer || OutputBufferLength < sizeof(SYSTEM_BATTERY_STATE))
        return STATUS_BUFFER_TOO_SMALL;
    bkp_power_state_reply_t r;
    NTSTATUS s = read_state(&r);
    if (!NT_SUCCESS(s))
        return s;
    SYSTEM_BATTERY_STATE sbs;
    to_battery_state(&r, &sbs);
    memcpy(OutputBuffer, &sbs, sizeof sbs);
    return STATUS_SUCCESS;
}

/* ---- DC policy ---- */
static void from_wire(const bkp_dc_policy_t *w, BATTKIT_DC_POLICY *p)
{
    *p = (BATTKIT_DC_POLICY){
        .LowPercent = w->percent[BKP_DC_LOW],
        .ReservePercent = w->percent[BKP_DC_RESERVE],
        .CriticalPercent = w->percent[BKP_DC_CRITICAL],
        .LowMinutes = w->minutes[BKP_DC_LOW],
        .ReserveMinutes = w->minutes[BKP_DC_RESERVE],
        .CriticalMinutes = w->minutes[BKP_DC_CRITICAL],
        .LowAction = w->action[BKP_DC_LOW],
        .ReserveAction = w->action[BKP_DC_RESERVE],
        .CriticalAction = w->action[BKP_DC_CRITICAL],
        .CriticalDelaySeconds = w->critical_delay_s,
    };
}

static void to_wire(const BATTKIT_DC_POLICY *p, bkp_dc_policy_t *w)
{
    *w = (bkp_dc_policy_t){
        .percent = {p->LowPercent, p->ReservePercent, p->CriticalPercent},
        .minutes = {p->LowMinutes, p->ReserveMinutes, p->CriticalMinutes},
        .action = {p->LowAction, p->ReserveAction, p->CriticalAction},
        .critical_delay_s = p->CriticalDelaySeconds,
    };
}

static NTSTATUS dc_policy_get(const bkc_transport_t *tp, PBATTKIT_DC_POLICY_STATE state)
{
    bkp_dc_policy_reply_t r;
    NTSTATUS s = tp->dc_policy_get(&r);
    if (NT_SUCCESS(s)) {
        from_wire(&r.policy, &state->Policy);
        state->Level = r.level;
        state->Percent = r.percent;
        state->OnAc = r.on_ac;
        state->ActionsTaken = r.actions_taken;
        state->EstimatedTime = r.estimated_time;
    }
    return s;
}

BOOL WINAPI BattkitGetDcPolicy(PBATTKIT_DC_POLICY_STATE state)
{
    if (!state) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    TRANSPORT_CALL(dc_policy_get(tp, state));
}

static NTSTATUS dc_policy_set(const bkc_transport_t *tp, const bkp_dc_policy_t *w, LPSTR why,
                              DWORD why_len)
{
    char reason[160] = "";
    NTSTATUS s = tp->dc_policy_set(w, reason, sizeof reason);
    if (why && why_len)
        snprintf(why, why_len, "%s", reason);
    return s;
}

BOOL WINAPI BattkitSetDcPolicy(const BATTKIT_DC_POLICY *policy, LPSTR why, DWORD whyLength)
{
    if (!policy) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    bkp_dc_policy_t w;
    to_wire(policy, &w);
    if (why && whyLength)
        why[0] = 0;
    TRANSPORT_CALL(dc_policy_set(tp, &w, why, whyLength));
}

/* The older low/critical view: reserve counts as low, as it did not exist. */
BOOL WINAPI BattkitGetPolicy(PBATTKIT_POLICY_STATE state)
{
    BATTKIT_DC_POLICY_STATE full;
    if (!state) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if (!BattkitGetDcPolicy(&full))
        return FALSE;
    static const DWORD old_level[] = {0, 1, 1, 2};
    state->Policy = (BATTKIT_POLICY){.LowPercent = full.Policy.LowPercent,
                                     .CriticalPercent = full.Policy.CriticalPercent,
                                     .LowAction = full.Policy.LowAction,
                                     .CriticalAction = full.Policy.CriticalAction};
    state->Level = full.Level < 4 ? old_level[full.Level] : 0;
    state->Percent = full.Percent;
    state->OnAc = full.OnAc;
    state->ActionsTaken = full.ActionsTaken;
    return TRUE;
}

static NTSTATUS set_low_critical(const bkc_transport_t *tp, const BATTKIT_POLICY *policy)
{
    bkp_dc_policy_reply_t now;
    NTSTATUS s = tp->dc_policy_get(&now);
    if (!NT_SUCCESS(s))
        return s;
    bkp_policy_t old = {.low_percent = policy->LowPercent,
                        .critical_percent = policy->CriticalPercent,
                        .low_action = policy->LowAction,
                        .critical_action = policy->CriticalAction};
    bkc_dc_policy_apply_old(&now.policy, &old);
    char why[160];
    return tp->dc_policy_set(&now.policy, why, sizeof why);
}

BOOL WINAPI BattkitSetPolicy(const BATTKIT_POLICY *policy)
{
    if (!policy) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    TRANSPORT_CALL(set_low_critical(tp, policy));
}

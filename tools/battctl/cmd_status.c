/* battctl status: each battery's BATTERY_STATUS (charge, rate, voltage,
 * time left) and, for the whole machine, what the power manager says:
 * GetSystemPowerStatus, the composite figures of
 * CallNtPowerInformation(SystemBatteryState) and the DC policy level. */
#include "battctl.h"

#include <powrprof.h>

static const char *const level_names[] = {"normal", "low", "reserve", "critical"};

static void composite_text(const SYSTEM_BATTERY_STATE *s, const BATTKIT_DC_POLICY_STATE *p)
{
    if (!s->BatteryPresent)
        return;
    char rem[32], max[32], rate[40];
    fmt_energy(rem, sizeof rem, s->RemainingCapacity, false);
    fmt_energy(max, sizeof max, s->MaxCapacity, false);
    fmt_power(rate, sizeof rate, (LONG)s->Rate, false);
    printf("Composite: %s of %s, %s", rem, max, rate);
    if (s->EstimatedTime != BATTERY_UNKNOWN_TIME) {
        char t[32];
        fmt_duration(t, sizeof t, s->EstimatedTime);
        printf(", %s to empty", t);
    }
    if (p)
        printf(", policy level %s", p->Level < 4 ? level_names[p->Level] : "?");
    printf("\n");
}

static void composite_json(const SYSTEM_BATTERY_STATE *s, const BATTKIT_DC_POLICY_STATE *p)
{
    printf("{\"battery_present\":%s,\"ac_on_line\":%s,\"charging\":%s,\"discharging\":%s,"
           "\"max_capacity_mwh\":%lu,\"remaining_capacity_mwh\":%lu,\"rate_mw\":%ld,"
           "\"estimated_time_s\":%ld,\"default_alert1_mwh\":%lu,\"default_alert2_mwh\":%lu,"
           "\"policy_level\":\"%s\"}",
           s->BatteryPresent ? "true" : "false", s->AcOnLine ? "true" : "false",
           s->Charging ? "true" : "false", s->Discharging ? "true" : "false",
           (unsigned long)s->MaxCapacity, (unsigned long)s->RemainingCapacity, (long)(LONG)s->Rate,
           s->EstimatedTime == BATTERY_UNKNOWN_TIME ? -1L : (long)s->EstimatedTime,
           (unsigned long)s->DefaultAlert1, (unsigned long)s->DefaultAlert2,
           p && p->Level < 4 ? level_names[p->Level] : "unknown");
}

static void system_text(const SYSTEM_POWER_STATUS *ps)
{
    const char *ac = ps->ACLineStatus == AC_LINE_ONLINE         ? "AC"
                     : ps->ACLineStatus == AC_LINE_OFFLINE      ? "battery"
                     : ps->ACLineStatus == AC_LINE_BACKUP_POWER ? "backup power"
                                                                : "unknown";
    printf("System: on %s", ac);
    if (ps->BatteryFlag == BATTERY_FLAG_NO_BATTERY)
        printf(", no system battery\n");
    else {
        if (ps->BatteryLifePercent <= 100)
            printf(", %u %%", ps->BatteryLifePercent);
        if (ps->BatteryFlag != BATTERY_FLAG_UNKNOWN) {
            if (ps->BatteryFlag & BATTERY_FLAG_CHARGING)
                printf(", charging");
            if (ps->BatteryFlag & BATTERY_FLAG_CRITICAL)
                printf(", critical");
            else if (ps->BatteryFlag & BATTERY_FLAG_LOW)
                printf(", low");
            else if (ps->BatteryFlag & BATTERY_FLAG_HIGH)
                printf(", high");
        } else {
            printf(", battery state unknown");
        }
        if (ps->BatteryLifeTime != BATTERY_LIFE_UNKNOWN) {
            char t[32], f[32];
            fmt_duration(t, sizeof t, ps->BatteryLifeTime);
            fmt_duration(f, sizeof f, ps->BatteryFullLifeTime);
            printf(", %s left (%s when full)", t, f);
        }
        printf("\n");
    }
}

static void system_json(const SYSTEM_POWER_STATUS *ps)
{
    printf(
        "{\"ac_line_status\":%u,\"battery_flag\":%u,\"battery_life_percent\":%u,"
        "\"system_status_flag\":%u,\"battery_life_time_s\":%ld,\"battery_full_life_time_s\":%ld}",
        ps->ACLineStatus, ps->BatteryFlag, ps->BatteryLifePercent, ps->SystemStatusFlag,
        ps->BatteryLifeTime == BATTERY_LIFE_UNKNOWN ? -1L : (long)ps->BatteryLifeTime,
        ps->BatteryFullLifeTime == BATTERY_LIFE_UNKNOWN ? -1L : (long)ps->BatteryFullLifeTime);
}

static void battery_text(const battery_t *b)
{
    const BATTERY_STATUS *s = &b->status;
    bool rel = b->have_info && (b->info.Capabilities & BATTERY_CAPACITY_RELATIVE);
    char st[96], cap[32], rate[40], volt[32], t[32];
    fmt_power_state(st, sizeof st, s->PowerState);
    fmt_energy(cap, sizeof cap, s->Capacity, rel);
    fmt_power(rate, sizeof rate, s->Rate, rel);
    fmt_voltage(volt, sizeof volt, s->Voltage);
    printf("Battery %d: %s\n", b->index, b->path);
    printf("  State:      %s\n", st);
    int pct = battery_percent(b, s->Capacity);
    if (pct >= 0)
        printf("  Charge:     %d %% (%s)\n", pct, cap);
    else
        printf("  Charge:     %s\n", cap);
    printf("  Rate:       %s\n", rate);
    printf("  Voltage:    %s\n", volt);
    if (b->estimated_time != BATTERY_UNKNOWN_TIME) {
        fmt_duration(t, sizeof t, b->estimated_time);
        printf("  Time left:  %s (h:mm)\n", t);
    }
}

static void battery_json(const battery_t *b)
{
    const BATTERY_STATUS *s = &b->status;
    printf("{\"index\":%d,\"path\":", b->index);
    json_string(stdout, b->path);
    printf(",\"tag\":%lu,\"power_state\":", (unsigned long)b->tag);
    json_power_state(stdout, s->PowerState);
    printf(",\"capacity_mwh\":%ld,\"percent\":%d,\"rate_mw\":%s%ld,\"voltage_mv\":%ld"
           ",\"estimated_time_s\":%ld}",
           s->Capacity == BATTERY_UNKNOWN_CAPACITY ? -1L : (long)s->Capacity,
           battery_percent(b, s->Capacity), "",
           (ULONG)s->Rate == BATTERY_UNKNOWN_RATE ? 0L : (long)s->Rate,
           s->Voltage == BATTERY_UNKNOWN_VOLTAGE ? -1L : (long)s->Voltage,
           b->estimated_time == BATTERY_UNKNOWN_TIME ? -1L : (long)b->estimated_time);
}

int cmd_status(int argc, char **argv)
{
    if (argc > 1)
        return usage_error("status takes at most one BATTERY");
    battery_t *b;
    size_t n, first = 0, last = 0;
    int rc = batteries_open(GENERIC_READ, 0, &b, &n);
    if (rc)
        return rc;
    if (n || argc)
        rc = batteries_select(b, n, argc ? argv[0] : NULL, &first, &last);
    if (rc)
        goto out;
    size_t shown = 0;
    if (opt.json)
        printf("{\"batteries\":[");
    for (size_t i = first; n && i <= last; i++) {
        battery_query_tag(&b[i]);
        if (b[i].open_rc) {
            rc = b[i].open_rc;
            continue;
        }
        if (!b[i].tag) {
            battery_release(&b[i]);
            if (!opt.json)
                printf("Battery %d: %s\n  (no battery in this slot)\n", b[i].index, b[i].path);
            continue;
        }
        battery_read_info(&b[i]);
        bool read = battery_read_status(&b[i]);
        if (!read)
            rc = report_error(b[i].path);
        battery_release(&b[i]); /* one handle at a time (battd's --max-handles) */
        if (!read)
            continue;
        if (opt.json) {
            printf("%s", shown ? "," : "");
            battery_json(&b[i]);
        } else {
            battery_text(&b[i]);
        }
        shown++;
    }
    SYSTEM_POWER_STATUS ps;
    SYSTEM_BATTERY_STATE sbs;
    BATTKIT_DC_POLICY_STATE pol;
    bool have_system = !argc && GetSystemPowerStatus(&ps);
    bool have_composite =
        have_system && CallNtPowerInformation(SystemBatteryState, NULL, 0, &sbs, sizeof sbs) == 0;
    bool have_policy = have_system && BattkitGetDcPolicy(&pol);
    if (opt.json) {
        printf("]");
        if (have_system) {
            printf(",\"system\":");
            system_json(&ps);
        }
        if (have_composite) {
            printf(",\"composite\":");
            composite_json(&sbs, have_policy ? &pol : NULL);
        }
        printf("}\n");
    } else if (have_system) {
        system_text(&ps);
        if (have_composite)
            composite_text(&sbs, have_policy ? &pol : NULL);
    }
    if (!argc && !have_system)
        rc = report_error("GetSystemPowerStatus");
    if (!rc && !shown)
        rc = EXIT_NO_BATTERY;
out:
    batteries_close(b, n);
    return rc;
}

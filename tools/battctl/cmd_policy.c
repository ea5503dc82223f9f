/* battctl policy: the DC power policy the power manager keeps (low,
 * reserve and critical battery levels, each a charge and optionally a
 * remaining time, with an action, and the critical action's delay),
 * shown or changed key by key. */
#include "battctl.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const actions[] = {"none", "sleep", "hibernate", "shutdown", "notify"};
#define ACTION_COUNT (sizeof actions / sizeof actions[0])
static const char *const levels[] = {"normal", "low", "reserve", "critical"};

typedef enum { K_PERCENT, K_MINUTES, K_ACTION, K_SECONDS } kind_t;

/* One row per key: the table is the command's grammar. */
static const struct key {
    const char *name;
    kind_t kind;
    size_t offset;
    unsigned max;
} keys[] = {
    {"low", K_PERCENT, offsetof(BATTKIT_DC_POLICY, LowPercent), 100},
    {"reserve", K_PERCENT, offsetof(BATTKIT_DC_POLICY, ReservePercent), 100},
    {"critical", K_PERCENT, offsetof(BATTKIT_DC_POLICY, CriticalPercent), 100},
    {"low-minutes", K_MINUTES, offsetof(BATTKIT_DC_POLICY, LowMinutes), 1440},
    {"reserve-minutes", K_MINUTES, offsetof(BATTKIT_DC_POLICY, ReserveMinutes), 1440},
    {"critical-minutes", K_MINUTES, offsetof(BATTKIT_DC_POLICY, CriticalMinutes), 1440},
    {"low-action", K_ACTION, offsetof(BATTKIT_DC_POLICY, LowAction), 0},
    {"reserve-action", K_ACTION, offsetof(BATTKIT_DC_POLICY, ReserveAction), 0},
    {"critical-action", K_ACTION, offsetof(BATTKIT_DC_POLICY, CriticalAction), 0},
    {"critical-delay", K_SECONDS, offsetof(BATTKIT_DC_POLICY, CriticalDelaySeconds), 3600},
};
#define KEY_LIST                                                                                   \
    "low, reserve, critical, low-minutes, reserve-minutes, critical-minutes, low-action, "         \
    "reserve-action, critical-action, critical-delay"

static DWORD *field(BATTKIT_DC_POLICY *p, const struct key *k)
{
    return (DWORD *)((char *)p + k->offset);
}

static const char *action_name(DWORD a)
{
    return a < ACTION_COUNT ? actions[a] : "?";
}

static int parse_value(const struct key *k, const char *v, DWORD *out)
{
    if (k->kind == K_ACTION) {
        for (size_t i = 0; i < ACTION_COUNT; i++)
            if (!strcmp(v, actions[i])) {
                *out = (DWORD)i;
                return 0;
            }
        return usage_error("policy %s: '%s' is not none, notify, sleep, hibernate or shutdown",
                           k->name, v);
    }
    static const char *const units[] = {[K_PERCENT] = "%", [K_MINUTES] = "min", [K_SECONDS] = "s"};
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || (*end && strcmp(end, units[k->kind])) || n < 0 || n > (long)k->max)
        return usage_error("policy %s: '%s' is not a number from 0 to %u", k->name, v, k->max);
    *out = (DWORD)n;
    return 0;
}

static void show_time(const char *label, DWORD minutes)
{
    if (minutes)
        printf(" or %lu min left", (unsigned long)minutes);
    (void)label;
}

static void show(const BATTKIT_DC_POLICY_STATE *st)
{
    const BATTKIT_DC_POLICY *p = &st->Policy;
    const char *lv = st->Level < 4 ? levels[st->Level] : "?";
    if (opt.json) {
        printf("{\"low_percent\":%lu,\"low_minutes\":%lu,\"low_action\":\"%s\","
               "\"reserve_percent\":%lu,\"reserve_minutes\":%lu,\"reserve_action\":\"%s\","
               "\"critical_percent\":%lu,\"critical_minutes\":%lu,\"critical_action\":\"%s\","
               "\"critical_delay_s\":%lu,\"level\":\"%s\",\"percent\":%ld,\"on_ac\":%s,"
               "\"actions_taken\":%lu,\"estimated_time_s\":%ld}\n",
               (unsigned long)p->LowPercent, (unsigned long)p->LowMinutes,
               action_name(p->LowAction), (unsigned long)p->ReservePercent,
               (unsigned long)p->ReserveMinutes, action_name(p->ReserveAction),
               (unsigned long)p->CriticalPercent, (unsigned long)p->CriticalMinutes,
               action_name(p->CriticalAction), (unsigned long)p->CriticalDelaySeconds, lv,
               st->Percent > 100 ? -1L : (long)st->Percent, st->OnAc ? "true" : "false",
               (unsigned long)st->ActionsTaken,
               st->EstimatedTime == 0xFFFFFFFFu ? -1L : (long)st->EstimatedTime);
        return;
    }
    printf("DC power policy:\n");
    printf("  Low battery:       %lu %%, action %s", (unsigned long)p->LowPercent,
           action_name(p->LowAction));
    show_time("low", p->LowMinutes);
    printf("\n  Reserve battery:   %lu %%, action %s", (unsigned long)p->ReservePercent,
           action_name(p->ReserveAction));
    show_time("reserve", p->ReserveMinutes);
    printf("\n  Critical battery:  %lu %%, action %s", (unsigned long)p->CriticalPercent,
           action_name(p->CriticalAction));
    show_time("critical", p->CriticalMinutes);
    if (p->CriticalDelaySeconds)
        printf(", after %lu s unless AC returns", (unsigned long)p->CriticalDelaySeconds);
    printf("\nNow: on %s", st->OnAc == 1 ? "AC" : "battery");
    if (st->Percent <= 100)
        printf(", %lu %%", (unsigned long)st->Percent);
    printf(", level %s, %lu action%s taken\n", lv, (unsigned long)st->ActionsTaken,
           st->ActionsTaken == 1 ? "" : "s");
}

/* The order of the levels, checked here too so the message names the
 * keys as battctl spells them. */
static int check_order(const BATTKIT_DC_POLICY *p)
{
    if (p->CriticalPercent > p->LowPercent)
        return usage_error("policy: critical (%lu %%) must not be above low (%lu %%)",
                           (unsigned long)p->CriticalPercent, (unsigned long)p->LowPercent);
    if (p->ReservePercent > p->LowPercent)
        return usage_error("policy: reserve (%lu %%) must not be above low (%lu %%)",
                           (unsigned long)p->ReservePercent, (unsigned long)p->LowPercent);
    if (p->CriticalPercent > p->ReservePercent)
        return usage_error("policy: critical (%lu %%) must not be above reserve (%lu %%)",
                           (unsigned long)p->CriticalPercent, (unsigned long)p->ReservePercent);
    return 0;
}

int cmd_policy(int argc, char **argv)
{
    if (argc % 2)
        return usage_error("policy takes KEY VALUE pairs (" KEY_LIST ")");
    int rc = ensure_connected();
    if (rc)
        return rc;
    BATTKIT_DC_POLICY_STATE st;
    if (!BattkitGetDcPolicy(&st))
        return report_error("reading the DC policy");
    if (argc == 0) {
        show(&st);
        return EXIT_OK;
    }
    BATTKIT_DC_POLICY p = st.Policy;
    for (int i = 0; i < argc; i += 2) {
        const struct key *k = NULL;
        for (size_t j = 0; j < sizeof keys / sizeof keys[0] && !k; j++)
            if (!strcmp(argv[i], keys[j].name))
                k = &keys[j];
        if (!k)
            return usage_error("policy: unknown key '%s' (" KEY_LIST ")", argv[i]);
        if ((rc = parse_value(k, argv[i + 1], field(&p, k))) != 0)
            return rc;
    }
    if ((rc = check_order(&p)) != 0)
        return rc;
    char why[160];
    if (!BattkitSetDcPolicy(&p, why, sizeof why)) {
        if (*why)
            fprintf(stderr, "battctl: policy refused: %s\n", why);
        return report_error("changing the DC policy");
    }
    if (!BattkitGetDcPolicy(&st))
        return report_error("reading the DC policy");
    show(&st);
    return EXIT_OK;
}

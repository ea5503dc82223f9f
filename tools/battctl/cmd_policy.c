/* battctl policy: the DC power policy battd keeps (low and critical
 * battery levels and their actions), shown or changed key by key. */
#include "battctl.h"

#include <stdlib.h>
#include <string.h>

static const char *const actions[] = {"none", "sleep", "hibernate", "shutdown"};
static const char *const levels[] = {"normal", "low", "critical"};

static int action_from(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, actions[i]))
            return i;
    return -1;
}

static int percent_from(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || (*end && strcmp(end, "%")) || v < 0 || v > 100)
        return -1;
    return (int)v;
}

static void show(const BATTKIT_POLICY_STATE *st)
{
    const BATTKIT_POLICY *p = &st->Policy;
    const char *la = p->LowAction < 4 ? actions[p->LowAction] : "?";
    const char *ca = p->CriticalAction < 4 ? actions[p->CriticalAction] : "?";
    const char *lv = st->Level < 3 ? levels[st->Level] : "?";
    if (opt.json) {
        printf("{\"low_percent\":%lu,\"low_action\":\"%s\",\"critical_percent\":%lu,"
               "\"critical_action\":\"%s\",\"level\":\"%s\",\"percent\":%ld,\"on_ac\":%s,"
               "\"actions_taken\":%lu}\n",
               (unsigned long)p->LowPercent, la, (unsigned long)p->CriticalPercent, ca, lv,
               st->Percent > 100 ? -1L : (long)st->Percent,
               st->OnAc == 1   ? "true"
               : st->OnAc == 0 ? "false"
                               : "null",
               (unsigned long)st->ActionsTaken);
        return;
    }
    printf("DC power policy:\n");
    printf("  Low battery:       %lu %%, action %s\n", (unsigned long)p->LowPercent, la);
    printf("  Critical battery:  %lu %%, action %s\n", (unsigned long)p->CriticalPercent, ca);
    printf("Now: on %s", st->OnAc == 1 ? "AC" : st->OnAc == 0 ? "battery" : "unknown power");
    if (st->Percent <= 100)
        printf(", %lu %%", (unsigned long)st->Percent);
    printf(", level %s, %lu action%s taken\n", lv, (unsigned long)st->ActionsTaken,
           st->ActionsTaken == 1 ? "" : "s");
}

int cmd_policy(int argc, char **argv)
{
    if (argc % 2)
        return usage_error("policy takes KEY VALUE pairs (low, critical, low-action, "
                           "critical-action)");
    int rc = ensure_connected();
    if (rc)
        return rc;
    BATTKIT_POLICY_STATE st;
    if (!BattkitGetPolicy(&st))
        return report_error("reading the DC policy");
    if (argc == 0) {
        show(&st);
        return EXIT_OK;
    }
    BATTKIT_POLICY p = st.Policy;
    for (int i = 0; i < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        int n;
        if (!strcmp(k, "low") || !strcmp(k, "critical")) {
            if ((n = percent_from(v)) < 0)
                return usage_error("policy %s: '%s' is not a percentage from 0 to 100", k, v);
            *(!strcmp(k, "low") ? &p.LowPercent : &p.CriticalPercent) = (DWORD)n;
        } else if (!strcmp(k, "low-action") || !strcmp(k, "critical-action")) {
            if ((n = action_from(v)) < 0)
                return usage_error("policy %s: '%s' is not none, sleep, hibernate or shutdown", k,
                                   v);
            *(!strcmp(k, "low-action") ? &p.LowAction : &p.CriticalAction) = (DWORD)n;
        } else {
            return usage_error("policy: unknown key '%s' (low, critical, low-action, "
                               "critical-action)",
                               k);
        }
    }
    if (p.CriticalPercent > p.LowPercent)
        return usage_error("policy: critical (%lu %%) must not be above low (%lu %%)",
                           (unsigned long)p.CriticalPercent, (unsigned long)p.LowPercent);
    if (!BattkitSetPolicy(&p))
        return report_error("changing the DC policy");
    if (!BattkitGetPolicy(&st))
        return report_error("reading the DC policy");
    show(&st);
    return EXIT_OK;
}

/* battd's side of the power manager (ntos/po): the answers to POWER_STATUS,
 * POWER_STATE and the DC policy requests come from it, and the policy's
 * actions are carried out here by running the command configured for each
 * (--action-command), because battd does not own the machine it runs on:
 * without a command an action is logged only. The power manager keeps
 * the state and the policy; nothing is computed here. */
#include "battd.h"
#include "hostops.h"
#include "metrics.h"

#include <windows.h>
#include <ntstatus.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static struct {
    bk_host_t *host;
    const char *const *commands; /* [bk_po_action], NULL: none configured */
    void *watch;
    uint8_t ac_line_status; /* last seen, for the log */
} P = {.ac_line_status = 0xFE};

/* Runs on a host worker thread: spawns and returns, never waits. */
static void run_command(const bk_power_action_t *a)
{
    const char *name = bk_po_action_name(a->action);
    const char *level = bk_po_level_name(a->level);
    const char *cmd = P.commands ? P.commands[a->action] : NULL;
    stat_policy_action(a->level, a->action);
    if (a->action == BK_PO_ACTION_NONE)
        return;
    if (!cmd) {
        stat_add(STAT_COMMANDS_MISSING, 1);
        dlog(DLOG_WARN,
             "policy: battery %s (%u%% on battery): action %s - no command configured "
             "(--action-command %s=COMMAND), not executed",
             level, a->percent, name, name);
        return;
    }
    char e_action[64], e_level[64], e_percent[64], e_remaining[64];
    snprintf(e_action, sizeof e_action, "BATTKIT_ACTION=%s", name);
    snprintf(e_level, sizeof e_level, "BATTKIT_LEVEL=%s", level);
    snprintf(e_percent, sizeof e_percent, "BATTKIT_PERCENT=%u", a->percent);
    if (a->remaining_s == 0xFFFFFFFFu)
        snprintf(e_remaining, sizeof e_remaining, "BATTKIT_REMAINING_S=unknown");
    else
        snprintf(e_remaining, sizeof e_remaining, "BATTKIT_REMAINING_S=%u", a->remaining_s);
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 5, sizeof *env);
    if (!env) {
        stat_add(STAT_COMMANDS_FAILED, 1);
        dlog(DLOG_ERROR, "policy: out of memory running the %s command", name);
        return;
    }
    memcpy(env, environ, n * sizeof *env);
    env[n] = e_action;
    env[n + 1] = e_level;
    env[n + 2] = e_percent;
    env[n + 3] = e_remaining;
    char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
    /* battd blocks its signals (signalfd) and ignores SIGPIPE: the command
     * gets a clean disposition. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, pipe_set;
    sigemptyset(&none);
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &pipe_set);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int r = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, env);
    posix_spawnattr_destroy(&attr);
    free(env);
    stat_add(r != 0 ? STAT_COMMANDS_FAILED : STAT_COMMANDS_RUN, 1);
    if (r != 0)
        dlog(DLOG_ERROR, "policy: battery %s (%u%%): action %s: cannot run '%s': %s", level,
             a->percent, name, cmd, strerror(r));
    else
        dlog(DLOG_WARN, "policy: battery %s (%u%% on battery): action %s: running '%s' (pid %d)",
             level, a->percent, name, cmd, (int)pid);
}

static void on_action(void *context, const bk_power_action_t *a)
{
    (void)context;
    run_command(a);
}

static void on_power_change(void *context, const bk_power_state_t *s)
{
    (void)context;
    if (s->ac_line_status == P.ac_line_status)
        return;
    P.ac_line_status = s->ac_line_status; /* one worker at a time calls watchers */
    dlog(DLOG_INFO, "power source: %s, battery %u%%",
         s->ac_line_status == AC_LINE_ONLINE    ? "AC"
         : s->ac_line_status == AC_LINE_OFFLINE ? "battery"
                                                : "unknown",
         s->battery_life_percent);
}

int power_start(bk_host_t *host, const battd_options_t *o)
{
    P.host = host;
    P.commands = o->action_commands;
    bk_host_set_power_action_handler(host, on_action, NULL);
    P.watch = bk_host_watch_power(host, on_power_change, NULL);
    return P.watch ? 0 : -1;
}

void power_stop(void)
{
    if (!P.host)
        return;
    bk_host_set_power_action_handler(P.host, NULL, NULL);
    if (P.watch)
        bk_host_unwatch_power(P.host, P.watch);
    P.watch = NULL;
    P.host = NULL;
}

void power_state_reply(bkp_power_state_reply_t *out)
{
    bk_power_state_t s;
    bk_status_t st = bk_host_power_state(P.host, &s);
    if (st == STATUS_SUCCESS)
        bkc_power_state_to_wire(&s, out);
    else
        *out = (bkp_power_state_reply_t){.status = st};
}

void power_dc_policy_reply(bkp_dc_policy_reply_t *out)
{
    bkc_dc_policy_reply(P.host, out);
}

int32_t power_set_dc_policy(const bkp_dc_policy_t *p, uint32_t uid, pid_t pid, char *why,
                            size_t why_len)
{
    bk_dc_policy_t policy;
    bkc_dc_policy_from_wire(p, &policy);
    bk_status_t s = bk_host_set_dc_policy(P.host, &policy, why, why_len);
    if (s != STATUS_SUCCESS) {
        dlog(DLOG_WARN, "policy set by uid %u pid %d refused: %s", uid, (int)pid, why);
        return s;
    }
    dlog(DLOG_INFO,
         "policy set by uid %u pid %d: low %u%% %s, reserve %u%% %s, critical %u%% %s "
         "(delay %u s)",
         uid, (int)pid, p->percent[BKP_DC_LOW], bk_po_action_name(p->action[BKP_DC_LOW]),
         p->percent[BKP_DC_RESERVE], bk_po_action_name(p->action[BKP_DC_RESERVE]),
         p->percent[BKP_DC_CRITICAL], bk_po_action_name(p->action[BKP_DC_CRITICAL]),
         p->critical_delay_s);
    return STATUS_SUCCESS;
}

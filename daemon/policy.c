/* The DC power policy store: low and critical battery levels and what to
 * do at each (none, sleep, hibernate, shutdown), as the power manager's
 * DC settings hold them. Defaults are Windows' DC defaults: low at 10 %
 * doing nothing, critical at 5 % hibernating. Kept in --policy-file
 * (key = value lines, replaced atomically) when given. An action runs the
 * command configured for it (--action-command); without one it is logged
 * only, because battd does not put the machine it runs on to sleep. */
#include "battd.h"

#include <ctype.h>
#include <errno.h>
#include <ntstatus.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bkp_policy_t current = {.low_percent = 10,
                               .critical_percent = 5,
                               .low_action = BKP_ACTION_NONE,
                               .critical_action = BKP_ACTION_HIBERNATE};
static const char *file;
static const char *const *commands;

static const char *const action_names[BKP_ACTION_COUNT] = {
    [BKP_ACTION_NONE] = "none",
    [BKP_ACTION_SLEEP] = "sleep",
    [BKP_ACTION_HIBERNATE] = "hibernate",
    [BKP_ACTION_SHUTDOWN] = "shutdown",
};

const char *policy_action_name(uint32_t action)
{
    return action < BKP_ACTION_COUNT ? action_names[action] : "?";
}

int policy_action_from_name(const char *name)
{
    for (int i = 0; i < BKP_ACTION_COUNT; i++)
        if (strcmp(name, action_names[i]) == 0)
            return i;
    return -1;
}

int32_t policy_validate(const bkp_policy_t *p)
{
    if (p->low_percent > 100 || p->critical_percent > p->low_percent ||
        p->low_action >= BKP_ACTION_COUNT || p->critical_action >= BKP_ACTION_COUNT)
        return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

void policy_get(bkp_policy_t *out)
{
    pthread_mutex_lock(&lock);
    *out = current;
    pthread_mutex_unlock(&lock);
}

static int save(const bkp_policy_t *p)
{
    if (!file)
        return 0;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f,
            "# battd DC power policy (battctl policy changes it)\n"
            "low_percent = %u\ncritical_percent = %u\nlow_action = %s\ncritical_action = %s\n",
            p->low_percent, p->critical_percent, policy_action_name(p->low_action),
            policy_action_name(p->critical_action));
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, file) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int32_t policy_set(const bkp_policy_t *p)
{
    int32_t s = policy_validate(p);
    if (s != STATUS_SUCCESS)
        return s;
    pthread_mutex_lock(&lock);
    current = *p;
    int r = save(p);
    pthread_mutex_unlock(&lock);
    if (r != 0) {
        dlog(DLOG_ERROR, "policy: cannot write %s: %s (kept in memory)", file, strerror(errno));
        return STATUS_UNSUCCESSFUL;
    }
    return STATUS_SUCCESS;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

static int parse_percent(const char *v, uint32_t *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (end == v || *end || n < 0 || n > 100)
        return -1;
    *out = (uint32_t)n;
    return 0;
}

/* Reads file into `p`; -1 with "FILE:LINE: reason" logged. */
static int load(bkp_policy_t *p)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0; /* first run: defaults, written on the first change */
        dlog(DLOG_ERROR, "%s: %s", file, strerror(errno));
        return -1;
    }
    char line[512];
    int n = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        char *s = trim(line);
        if (!*s || *s == '#' || *s == ';')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            dlog(DLOG_ERROR, "%s:%d: expected key = value", file, n);
            rc = -1;
            break;
        }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        int a = policy_action_from_name(val);
        if (strcmp(key, "low_percent") == 0 && parse_percent(val, &p->low_percent) == 0)
            continue;
        if (strcmp(key, "critical_percent") == 0 && parse_percent(val, &p->critical_percent) == 0)
            continue;
        if (strcmp(key, "low_action") == 0 && a >= 0) {
            p->low_action = (uint32_t)a;
            continue;
        }
        if (strcmp(key, "critical_action") == 0 && a >= 0) {
            p->critical_action = (uint32_t)a;
            continue;
        }
        dlog(DLOG_ERROR,
             "%s:%d: bad entry '%s = %s' (keys: low_percent, critical_percent 0..100; "
             "low_action, critical_action: none, sleep, hibernate, shutdown)",
             file, n, key, val);
        rc = -1;
        break;
    }
    fclose(f);
    if (rc == 0 && policy_validate(p) != STATUS_SUCCESS) {
        dlog(DLOG_ERROR, "%s: critical_percent (%u) is above low_percent (%u)", file,
             p->critical_percent, p->low_percent);
        rc = -1;
    }
    return rc;
}

int policy_init(const battd_options_t *o)
{
    file = o->policy_file;
    commands = o->action_commands;
    if (!file)
        return 0;
    bkp_policy_t p = current;
    if (load(&p) != 0)
        return -1;
    current = p;
    return 0;
}

void policy_run_action(uint32_t action, const char *level, unsigned percent)
{
    const char *name = policy_action_name(action);
    if (action == BKP_ACTION_NONE) {
        dlog(DLOG_WARN, "policy: battery %s (%u%% on battery): action none", level, percent);
        return;
    }
    const char *cmd = commands ? commands[action] : NULL;
    if (!cmd) {
        dlog(DLOG_WARN,
             "policy: battery %s (%u%% on battery): action %s - no command configured "
             "(--action-command %s=COMMAND), not executed",
             level, percent, name, name);
        return;
    }
    char e_action[64], e_level[64], e_percent[64];
    snprintf(e_action, sizeof e_action, "BATTKIT_ACTION=%s", name);
    snprintf(e_level, sizeof e_level, "BATTKIT_LEVEL=%s", level);
    snprintf(e_percent, sizeof e_percent, "BATTKIT_PERCENT=%u", percent);
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 4, sizeof *env);
    if (!env) {
        dlog(DLOG_ERROR, "policy: out of memory running the %s command", name);
        return;
    }
    for (size_t i = 0; i < n; i++)
        env[i] = environ[i];
    env[n] = e_action;
    env[n + 1] = e_level;
    env[n + 2] = e_percent;
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
    if (r != 0)
        dlog(DLOG_ERROR, "policy: battery %s (%u%%): action %s: cannot run '%s': %s", level,
             percent, name, cmd, strerror(r));
    else
        dlog(DLOG_WARN, "policy: battery %s (%u%% on battery): action %s: running '%s' (pid %d)",
             level, percent, name, cmd, (int)pid);
}

/* A manifest of runs (machines x scenarios x parameter values) expanded into
 * one independent shell command per run, so any batch system can schedule
 * them: `battkit-sim --plan M | xargs -P 4 -I{} sh -c {}`, a Slurm array
 * reading line $SLURM_ARRAY_TASK_ID, a Kubernetes indexed Job.
 *
 *   machine  laptop   ../data/machines/laptop.ini   # name, file
 *   scenario drain    ../data/scenarios/full-discharge.scn
 *   param    load_w   5 10 15                       # each value a run
 *   step     60                                     # seconds (optional)
 *
 * Paths are relative to the manifest. A bad line is "FILE:LINE: reason". */
#include "sim.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS  64
#define MAX_VALUES 64

typedef struct named_path {
    char name[32];
    char path[PATH_MAX];
} named_path_t;

typedef struct param_axis {
    char name[32];
    char values[MAX_VALUES][32];
    size_t count;
} param_axis_t;

typedef struct manifest {
    named_path_t machines[MAX_ITEMS], scenarios[MAX_ITEMS];
    size_t nmachines, nscenarios;
    param_axis_t axes[SIM_MAX_PARAMS];
    size_t naxes;
    char step[32];
} manifest_t;

static void shell_quote(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", out);
        else
            fputc(*s, out);
    }
    fputc('\'', out);
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) >= 32)
        return 0;
    for (; *s; s++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", *s))
            return 0;
    return 1;
}

static int resolve(const char *dir, const char *rel, char *out)
{
    char joined[PATH_MAX * 2];
    snprintf(joined, sizeof joined, "%s%s%s", rel[0] == '/' ? "" : dir, rel[0] == '/' ? "" : "/",
             rel);
    return realpath(joined, out) ? 0 : -1;
}

static int parse_line(manifest_t *m, const char *dir, char *line, char *err, size_t err_len)
{
    char *save, *kw = strtok_r(line, " \t", &save);
    if (!kw)
        return 0;
    if (!strcmp(kw, "machine") || !strcmp(kw, "scenario")) {
        int is_machine = kw[0] == 'm';
        named_path_t *list = is_machine ? m->machines : m->scenarios;
        size_t *n = is_machine ? &m->nmachines : &m->nscenarios;
        char *name = strtok_r(NULL, " \t", &save), *path = strtok_r(NULL, " \t", &save);
        if (!name || !path || strtok_r(NULL, " \t", &save)) {
            snprintf(err, err_len, "expected \"%s NAME FILE\"", kw);
            return -1;
        }
        if (!valid_name(name)) {
            snprintf(err, err_len, "bad %s name \"%s\" (letters, digits, _ and -)", kw, name);
            return -1;
        }
        if (*n == MAX_ITEMS) {
            snprintf(err, err_len, "more than %d %ss", MAX_ITEMS, kw);
            return -1;
        }
        snprintf(list[*n].name, sizeof list[*n].name, "%s", name);
        if (resolve(dir, path, list[*n].path) < 0) {
            snprintf(err, err_len, "%s: %s", path, strerror(errno));
            return -1;
        }
        (*n)++;
        return 0;
    }
    if (!strcmp(kw, "param")) {
        char *name = strtok_r(NULL, " \t", &save);
        if (!name || !sim_param_known(name)) {
            snprintf(err, err_len, "unknown parameter \"%s\"; known:\n%s", name ? name : "",
                     sim_param_help());
            return -1;
        }
        if (m->naxes == SIM_MAX_PARAMS) {
            snprintf(err, err_len, "more than %d parameters", SIM_MAX_PARAMS);
            return -1;
        }
        param_axis_t *a = &m->axes[m->naxes];
        snprintf(a->name, sizeof a->name, "%s", name);
        for (char *v; (v = strtok_r(NULL, " \t", &save));) {
            char *end;
            strtod(v, &end);
            if (*end || end == v || strlen(v) >= sizeof a->values[0]) {
                snprintf(err, err_len, "parameter %s: \"%s\" is not a number", name, v);
                return -1;
            }
            if (a->count == MAX_VALUES) {
                snprintf(err, err_len, "parameter %s: more than %d values", name, MAX_VALUES);
                return -1;
            }
            snprintf(a->values[a->count++], sizeof a->values[0], "%s", v);
        }
        if (!a->count) {
            snprintf(err, err_len, "parameter %s has no values", name);
            return -1;
        }
        m->naxes++;
        return 0;
    }
    if (!strcmp(kw, "step")) {
        char *v = strtok_r(NULL, " \t", &save), *end;
        if (!v || strtod(v, &end) <= 0 || *end || strtok_r(NULL, " \t", &save)) {
            snprintf(err, err_len, "expected \"step SECONDS\" with SECONDS > 0");
            return -1;
        }
        snprintf(m->step, sizeof m->step, "%s", v);
        return 0;
    }
    snprintf(err, err_len, "unknown keyword \"%s\" (machine, scenario, param, step)", kw);
    return -1;
}

static int read_manifest(const char *file, manifest_t *m, char *err, size_t err_len)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(err, err_len, "%s: %s", file, strerror(errno));
        return -1;
    }
    char dir[PATH_MAX], line[4096], why[1024];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(dir, sizeof dir, ".");
    int rc = 0;
    for (unsigned lineno = 1; fgets(line, sizeof line, f); lineno++) {
        line[strcspn(line, "#\r\n")] = 0;
        if (parse_line(m, dir, line, why, sizeof why) < 0) {
            snprintf(err, err_len, "%s:%u: %s", file, lineno, why);
            rc = -1;
            break;
        }
    }
    fclose(f);
    if (rc == 0 && (!m->nmachines || !m->nscenarios)) {
        snprintf(err, err_len, "%s: a plan needs at least one machine and one scenario", file);
        rc = -1;
    }
    return rc;
}

int sim_plan(const char *file, const char *results_dir, const char *self, FILE *out, char *err,
             size_t err_len)
{
    manifest_t *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    if (read_manifest(file, m, err, err_len) < 0) {
        free(m);
        return -1;
    }
    size_t points = 1;
    for (size_t a = 0; a < m->naxes; a++)
        points *= m->axes[a].count;
    for (size_t mi = 0; mi < m->nmachines; mi++) {
        for (size_t si = 0; si < m->nscenarios; si++) {
            for (size_t p = 0; p < points; p++) {
                char id[128];
                snprintf(id, sizeof id, "%s.%s.p%03zu", m->machines[mi].name, m->scenarios[si].name,
                         p);
                shell_quote(out, self);
                fputs(" run --id ", out);
                shell_quote(out, id);
                fputs(" --machine ", out);
                shell_quote(out, m->machines[mi].path);
                fputs(" --scenario ", out);
                shell_quote(out, m->scenarios[si].path);
                if (m->step[0])
                    fprintf(out, " --step %s", m->step);
                /* Mixed radix: the last axis varies fastest. */
                size_t rest = p;
                char chosen[SIM_MAX_PARAMS][32];
                for (size_t a = m->naxes; a-- > 0;) {
                    snprintf(chosen[a], sizeof chosen[a], "%s",
                             m->axes[a].values[rest % m->axes[a].count]);
                    rest /= m->axes[a].count;
                }
                for (size_t a = 0; a < m->naxes; a++)
                    fprintf(out, " --param %s=%s", m->axes[a].name, chosen[a]);
                fputs(" --out ", out);
                char dir[PATH_MAX + 160];
                snprintf(dir, sizeof dir, "%s/%s", results_dir, id);
                shell_quote(out, dir);
                fputc('\n', out);
            }
        }
    }
    free(m);
    return 0;
}

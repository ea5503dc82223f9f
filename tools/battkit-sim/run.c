/* One run: a host on virtual time in this process, the machine and the
 * scenario loaded, the clock moved a step at a time. Each step records what
 * the system reports (GetSystemPowerStatus through the client library's
 * embedded transport, the same call an application makes) beside the
 * model's truth (the platform's readings). */
#include "sim.h"

#include <battkit/host.h>
#include <battkit/client.h>
#include <windows.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef bk_status_t (*param_apply_fn)(bk_host_t *h, const char *battery, double value);

static bk_status_t set_soc(bk_host_t *h, const char *b, double v)
{
    return bk_platform_set_soc(h, b, v);
}
static bk_status_t set_load(bk_host_t *h, const char *b, double v)
{
    (void)b;
    return bk_platform_set_load_w(h, v);
}
static bk_status_t set_ambient(bk_host_t *h, const char *b, double v)
{
    (void)b;
    return bk_platform_set_ambient(h, v);
}
static bk_status_t set_ac(bk_host_t *h, const char *b, double v)
{
    (void)b;
    return bk_platform_set_ac(h, NULL, v != 0);
}
static bk_status_t set_age(bk_host_t *h, const char *b, double v)
{
    return bk_platform_age(h, b, v, 0);
}
static bk_status_t set_temp(bk_host_t *h, const char *b, double v)
{
    return bk_platform_set_temperature(h, b, v);
}

static const struct {
    const char *name;
    int per_battery; /* applied to every battery of the machine */
    param_apply_fn apply;
    const char *help;
} params[] = {
    {"soc", 1, set_soc, "state of charge of every battery, percent"},
    {"load_w", 0, set_load, "system load on battery, watts"},
    {"ambient_c", 0, set_ambient, "ambient temperature, degrees Celsius"},
    {"ac", 0, set_ac, "AC adapters online (1) or offline (0)"},
    {"age_cycles", 1, set_age, "equivalent full cycles of ageing added to every battery"},
    {"temperature_c", 1, set_temp, "pack temperature of every battery, degrees Celsius"},
};

const char *sim_param_help(void)
{
    static char text[1024];
    if (!text[0]) {
        size_t off = 0;
        for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
            off += (size_t)snprintf(text + off, sizeof text - off, "  %-14s %s\n", params[i].name,
                                    params[i].help);
    }
    return text;
}

int sim_param_known(const char *name)
{
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        if (!strcmp(params[i].name, name))
            return 1;
    return 0;
}

static int apply_param(bk_host_t *h, const sim_param_t *p, const bk_platform_reading_t *devs,
                       size_t n, char *err, size_t err_len)
{
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        if (strcmp(params[i].name, p->name))
            continue;
        bk_status_t s = 0;
        if (!params[i].per_battery)
            s = params[i].apply(h, NULL, p->value);
        for (size_t d = 0; params[i].per_battery && d < n && s >= 0; d++)
            if (devs[d].kind == 1)
                s = params[i].apply(h, devs[d].name, p->value);
        if (s < 0) {
            snprintf(err, err_len, "parameter %s=%g refused by the machine (0x%08x)", p->name,
                     p->value, (unsigned)s);
            return -1;
        }
        return 0;
    }
    snprintf(err, err_len, "unknown parameter \"%s\"", p->name);
    return -1;
}

/* Sum of the batteries' model readings at one instant. */
typedef struct totals {
    double remaining_mwh, full_mwh, power_w;
    int batteries, depleted, full, on_ac;
} totals_t;

static totals_t add_up(const bk_platform_reading_t *devs, size_t n)
{
    totals_t t = {0};
    for (size_t i = 0; i < n; i++) {
        if (devs[i].kind == 2) {
            t.on_ac |= devs[i].present;
            continue;
        }
        if (!devs[i].present)
            continue;
        t.batteries++;
        t.remaining_mwh += devs[i].remaining_mwh;
        t.full_mwh += devs[i].full_charge_mwh;
        t.power_w += devs[i].power_w;
        t.depleted += devs[i].depleted != 0;
        t.full += devs[i].charger && !strcmp(devs[i].charger, "full");
    }
    return t;
}

typedef struct estimate_sample {
    double t_s, estimate_s;
} estimate_sample_t;

typedef struct run_state {
    const sim_run_options_t *o;
    FILE *series;
    bk_platform_reading_t *devs;
    size_t ndevs;
    estimate_sample_t *estimates;
    size_t nestimates, cap_estimates;
    double prev_t_s, prev_discharge_w;
} run_state_t;

static void write_header(run_state_t *r)
{
    if (r->o->jsonl)
        return;
    fputs("t_s,ac_line,percent,life_time_s,battery_flag,remaining_mwh,full_mwh,power_w", r->series);
    for (size_t i = 0; i < r->ndevs; i++)
        if (r->devs[i].kind == 1)
            fprintf(r->series, ",%s_soc", r->devs[i].name);
    fputc('\n', r->series);
}

static void write_sample(run_state_t *r, double t_s, const SYSTEM_POWER_STATUS *sps,
                         const totals_t *t)
{
    long life = sps->BatteryLifeTime == BATTERY_LIFE_UNKNOWN ? -1 : (long)sps->BatteryLifeTime;
    int pct = sps->BatteryLifePercent == BATTERY_PERCENTAGE_UNKNOWN ? -1 : sps->BatteryLifePercent;
    if (r->o->jsonl) {
        fprintf(
            r->series,
            "{\"t_s\":%.0f,\"ac_line\":%u,\"percent\":%d,\"life_time_s\":%ld,\"battery_flag\":%u,"
            "\"remaining_mwh\":%.1f,\"full_mwh\":%.1f,\"power_w\":%.3f,\"soc\":{",
            t_s, sps->ACLineStatus, pct, life, sps->BatteryFlag, t->remaining_mwh, t->full_mwh,
            t->power_w);
        const char *sep = "";
        for (size_t i = 0; i < r->ndevs; i++)
            if (r->devs[i].kind == 1) {
                fprintf(r->series, "%s\"%s\":%.2f", sep, r->devs[i].name, r->devs[i].soc_percent);
                sep = ",";
            }
        fputs("}}\n", r->series);
        return;
    }
    fprintf(r->series, "%.0f,%u,%d,%ld,%u,%.1f,%.1f,%.3f", t_s, sps->ACLineStatus, pct, life,
            sps->BatteryFlag, t->remaining_mwh, t->full_mwh, t->power_w);
    for (size_t i = 0; i < r->ndevs; i++)
        if (r->devs[i].kind == 1)
            fprintf(r->series, ",%.2f", r->devs[i].soc_percent);
    fputc('\n', r->series);
}

static int keep_estimate(run_state_t *r, double t_s, double estimate_s)
{
    if (r->nestimates == r->cap_estimates) {
        size_t cap = r->cap_estimates ? 2 * r->cap_estimates : 256;
        estimate_sample_t *grown = realloc(r->estimates, cap * sizeof *grown);
        if (!grown)
            return -1;
        r->estimates = grown;
        r->cap_estimates = cap;
    }
    r->estimates[r->nestimates++] = (estimate_sample_t){t_s, estimate_s};
    return 0;
}

/* The estimate against what happened: at each sample on battery the truth
 * is the time the batteries actually took to run out from there. Samples
 * in the last ten minutes are left out: a relative error near zero
 * remaining time says nothing about the estimator. */
static void score_estimates(const run_state_t *r, sim_summary_t *s)
{
    s->estimate_error_mean_pct = s->estimate_error_max_pct = -1;
    if (s->time_to_empty_s < 0)
        return;
    double sum = 0, max = 0;
    uint64_t n = 0;
    for (size_t i = 0; i < r->nestimates; i++) {
        double truth = s->time_to_empty_s - r->estimates[i].t_s;
        if (truth < 600)
            continue;
        double err = fabs(r->estimates[i].estimate_s - truth) / truth * 100.0;
        sum += err;
        max = err > max ? err : max;
        n++;
    }
    if (n) {
        s->estimate_error_mean_pct = sum / (double)n;
        s->estimate_error_max_pct = max;
    }
    s->estimate_samples = n;
}

static void note_events(run_state_t *r, double t_s, const SYSTEM_POWER_STATUS *sps,
                        const totals_t *t, sim_summary_t *s)
{
    int pct = sps->BatteryLifePercent == BATTERY_PERCENTAGE_UNKNOWN ? -1 : sps->BatteryLifePercent;
    int on_battery = sps->ACLineStatus == AC_LINE_OFFLINE;
    if (on_battery && pct >= 0 && pct <= r->o->low_percent && s->time_to_low_s < 0)
        s->time_to_low_s = t_s;
    if (on_battery && pct >= 0 && pct <= r->o->critical_percent && s->time_to_critical_s < 0)
        s->time_to_critical_s = t_s;
    if (!t->on_ac && t->batteries && t->depleted == t->batteries && s->time_to_empty_s < 0)
        s->time_to_empty_s = t_s;
    if (t->on_ac && t->batteries && t->full == t->batteries && s->time_to_full_s < 0)
        s->time_to_full_s = t_s;
    if (on_battery && sps->BatteryLifeTime != BATTERY_LIFE_UNKNOWN)
        keep_estimate(r, t_s, sps->BatteryLifeTime);
    /* Energy out of the batteries: the discharge power, trapezoids between samples. */
    double discharge_w = t->power_w < 0 ? -t->power_w : 0;
    s->energy_drawn_wh += (discharge_w + r->prev_discharge_w) / 2 * (t_s - r->prev_t_s) / 3600.0;
    r->prev_discharge_w = discharge_w;
    r->prev_t_s = t_s;
    s->final_percent = pct;
}

/* The power manager's DC policy acts on the run: its low and critical
 * levels are the run's (the reserve level kept between them). */
static int apply_policy(bk_host_t *h, const sim_run_options_t *o, char *err, size_t err_len)
{
    bk_dc_policy_t p;
    char why[160];
    bk_host_get_dc_policy(h, &p);
    p.percent[BK_PO_LEVEL_LOW] = (uint32_t)o->low_percent;
    p.percent[BK_PO_LEVEL_CRITICAL] = (uint32_t)o->critical_percent;
    uint32_t *reserve = &p.percent[BK_PO_LEVEL_RESERVE];
    if (*reserve > p.percent[BK_PO_LEVEL_LOW])
        *reserve = p.percent[BK_PO_LEVEL_LOW];
    if (*reserve < p.percent[BK_PO_LEVEL_CRITICAL])
        *reserve = p.percent[BK_PO_LEVEL_CRITICAL];
    if (bk_host_set_dc_policy(h, &p, why, sizeof why) != 0) {
        snprintf(err, err_len, "DC policy: %s", why);
        return -1;
    }
    return 0;
}

/* The actions the policy took, with their times from the start. */
static void record_actions(bk_host_t *h, uint64_t start, sim_summary_t *s)
{
    bk_power_action_t a[64];
    bk_power_state_t st;
    size_t n = bk_host_power_actions(h, a, 64), used = 0;
    s->policy_actions = bk_host_power_state(h, &st) == 0 ? st.actions_taken : n;
    s->actions[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (a[i].time_ns < start)
            continue;
        int w = snprintf(s->actions + used, sizeof s->actions - used, "%s%s:%s@%.0f",
                         used ? ";" : "", bk_po_level_name(a[i].level),
                         bk_po_action_name(a[i].action), (double)(a[i].time_ns - start) / 1e9);
        if (w < 0 || (size_t)w >= sizeof s->actions - used)
            break;
        used += (size_t)w;
    }
}

static int sample(run_state_t *r, bk_host_t *h, double t_s, sim_summary_t *s, char *err,
                  size_t err_len)
{
    SYSTEM_POWER_STATUS sps;
    if (!GetSystemPowerStatus(&sps)) {
        snprintf(err, err_len, "GetSystemPowerStatus failed at %.0f s (error %lu)", t_s,
                 (unsigned long)GetLastError());
        return -1;
    }
    bk_platform_snapshot(h, r->devs, r->ndevs);
    totals_t t = add_up(r->devs, r->ndevs);
    write_sample(r, t_s, &sps, &t);
    note_events(r, t_s, &sps, &t, s);
    s->samples++;
    return 0;
}

static void copy_str(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static void describe_params(const sim_run_options_t *o, char *dst, size_t len)
{
    size_t off = 0;
    dst[0] = 0;
    for (size_t i = 0; i < o->param_count && off < len; i++)
        off += (size_t)snprintf(dst + off, len - off, "%s%s=%g", i ? ";" : "", o->params[i].name,
                                o->params[i].value);
}

int sim_run(const sim_run_options_t *o, sim_summary_t *s, char *err, size_t err_len)
{
    int rc = -1;
    char path[4096];
    run_state_t r = {.o = o};
    memset(s, 0, sizeof *s);
    copy_str(s->id, sizeof s->id, o->id);
    copy_str(s->machine, sizeof s->machine, o->machine);
    copy_str(s->scenario, sizeof s->scenario, o->scenario);
    describe_params(o, s->params, sizeof s->params);
    s->time_to_low_s = s->time_to_critical_s = s->time_to_empty_s = s->time_to_full_s = -1;
    s->final_percent = -1;

    if (mkdir(o->out_dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "%s: %s", o->out_dir, strerror(errno));
        return -1;
    }
    bk_host_t *h = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!h) {
        snprintf(err, err_len, "cannot create the host");
        return -1;
    }
    if (bk_host_load_machine(h, o->machine) < 0) {
        snprintf(err, err_len, "%s", bk_platform_last_error());
        goto out_host;
    }
    if (o->scenario && bk_platform_run_scenario(h, o->scenario) < 0) {
        snprintf(err, err_len, "%s", bk_platform_last_error());
        goto out_machine;
    }
    r.ndevs = bk_platform_snapshot(h, NULL, 0);
    if (!(r.devs = calloc(r.ndevs ? r.ndevs : 1, sizeof *r.devs)))
        goto out_machine;
    bk_platform_snapshot(h, r.devs, r.ndevs);
    for (size_t i = 0; i < o->param_count; i++)
        if (apply_param(h, &o->params[i], r.devs, r.ndevs, err, err_len) < 0)
            goto out_devs;
    if (apply_policy(h, o, err, err_len) < 0)
        goto out_devs;
    bk_host_settle(h); /* the first sample shows what the drivers made of the set-up */
    if (!BattkitUseEmbeddedHost(h)) {
        snprintf(err, err_len, "cannot use the embedded host (error %lu)",
                 (unsigned long)GetLastError());
        goto out_devs;
    }
    snprintf(path, sizeof path, "%s/series.%s", o->out_dir, o->jsonl ? "jsonl" : "csv");
    if (!(r.series = fopen(path, "w"))) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        goto out_embedded;
    }
    write_header(&r);

    uint64_t start = bk_host_now_ns(h);
    int err_seen = 0;
    if (sample(&r, h, 0, s, err, err_len) < 0)
        err_seen = 1;
    /* The scenario's `until` bounds the run; without a scenario, one day. */
    while (!err_seen && (o->scenario ? bk_platform_scenario_running(h)
                                     : bk_host_now_ns(h) - start < 86400ull * 1000000000ull)) {
        bk_host_advance(h, o->step_ns);
        double t_s = (double)(bk_host_now_ns(h) - start) / 1e9;
        if (sample(&r, h, t_s, s, err, err_len) < 0)
            err_seen = 1;
    }
    s->duration_s = (double)(bk_host_now_ns(h) - start) / 1e9;
    score_estimates(&r, s);
    record_actions(h, start, s);
    if (fclose(r.series) != 0 && !err_seen) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        err_seen = 1;
    }
    r.series = NULL;
    if (!err_seen) {
        snprintf(path, sizeof path, "%s/summary.json", o->out_dir);
        if (sim_summary_write(path, s) < 0)
            snprintf(err, err_len, "%s: %s", path, strerror(errno));
        else
            rc = 0;
    }
out_embedded:
    if (r.series)
        fclose(r.series);
    BattkitUseEmbeddedHost(NULL);
out_devs:
    free(r.devs);
    free(r.estimates);
out_machine:
    bk_host_unload_machine(h);
out_host:
    if (bk_host_destroy(h) != 0 && rc == 0) {
        snprintf(err, err_len, "the host did not shut down clean: %s", bk_host_last_report());
        rc = -1;
    }
    return rc;
}

/* battkit-sim: one machine with one scenario on virtual time, no daemon, no
 * socket (run.c); a manifest of many runs expanded into independent commands
 * (plan.c); their summaries merged into one table and one page (merge.c). */
#ifndef BATTKIT_SIM_H
#define BATTKIT_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SIM_MAX_PARAMS 16

/* A parameter applied to the machine after the scenario's time-0 events,
 * so a plan can sweep what the scenario leaves open. */
typedef struct sim_param {
    char name[32];
    double value;
} sim_param_t;

typedef struct sim_run_options {
    const char *id;                       /* the run's name in tables ("" if none) */
    const char *machine;                  /* machine description file */
    const char *scenario;                 /* scenario file; its `until` ends the run */
    const char *out_dir;                  /* series.csv / series.jsonl and summary.json go here */
    int jsonl;                            /* time series as JSON lines instead of CSV */
    uint64_t step_ns;                     /* sampling step on virtual time (default 60 s) */
    double low_percent, critical_percent; /* levels for time-to-low/critical */
    sim_param_t params[SIM_MAX_PARAMS];
    size_t param_count;
} sim_run_options_t;

/* What a run measured; every time is virtual seconds from the start, -1
 * when it never happened. */
typedef struct sim_summary {
    char id[64], machine[256], scenario[256], params[256];
    double duration_s;
    uint64_t samples;
    double time_to_low_s, time_to_critical_s, time_to_empty_s, time_to_full_s;
    double final_percent;   /* system charge at the end, -1 unknown */
    double energy_drawn_wh; /* discharged from the batteries, model truth */
    double estimate_error_mean_pct, estimate_error_max_pct; /* -1: nothing to compare */
    uint64_t estimate_samples;
    uint64_t policy_actions;
    char actions[512]; /* "low@123;critical@456" */
} sim_summary_t;

/* The parameters a plan may sweep (table: name, what it sets). */
const char *sim_param_help(void);
int sim_param_known(const char *name);

int sim_run(const sim_run_options_t *options, sim_summary_t *summary, char *err, size_t err_len);

/* summary.json: one flat JSON object, written and read by these two. */
int sim_summary_write(const char *path, const sim_summary_t *s);
int sim_summary_read(const char *path, sim_summary_t *s, char *err, size_t err_len);
/* The columns of the merged table, one row per summary. */
void sim_summary_csv_header(FILE *f);
void sim_summary_csv_row(FILE *f, const sim_summary_t *s);

int sim_plan(const char *manifest, const char *results_dir, const char *self, FILE *out, char *err,
             size_t err_len);
int sim_merge(const char *out_prefix, char *const *dirs, size_t count, char *err, size_t err_len);

#endif

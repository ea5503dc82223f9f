/* battkit-report: the battery report (issue 13) from a history database
 * that battd writes (docs/history.md), as a model, a self-contained HTML
 * page and JSON; and the inline SVG charts the report and battd's
 * dashboard share. It opens the database read-only and never writes it.
 * docs/report.md describes the figures and this API. */
#ifndef BATTKIT_REPORT_H
#define BATTKIT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- svg_chart.c: series in, one <svg> element out ---- */

/* A value that is NAN is a missing point (no bar, no point). */
typedef struct svg_series {
    const char *name;     /* legend text (escaped on output) */
    const double *values; /* one per label */
} svg_series_t;

typedef struct svg_chart {
    const char *title;         /* <title> of the svg (escaped) */
    const char *unit;          /* y axis unit, e.g. "mWh" */
    const char *const *labels; /* x labels, label_count of them */
    size_t label_count;
    const svg_series_t *series;
    size_t series_count;
    int width, height; /* px; 0: 720 x 240 */
} svg_chart_t;

/* Bars grouped per label: one <rect class="bar"> per present value.
 * Lines: per series one <polyline class="line"> and one
 * <circle class="point"> per present value. Both write well-formed SVG
 * (usable inline in HTML or as image/svg+xml), every text escaped; 0, or
 * -1 on a write error. For a buffer, pass open_memstream's FILE. */
int svg_bar_chart(FILE *out, const svg_chart_t *chart);
int svg_line_chart(FILE *out, const svg_chart_t *chart);
/* Writes s with & < > " ' escaped for XML text and attributes. */
void report_xml_escape(FILE *out, const char *s);

/* ---- report_db.c: the model ---- */

#define REPORT_TEXT 128

typedef struct report_battery {
    int64_t id; /* battery.id in the database */
    char unique_id[REPORT_TEXT * 2], device_name[REPORT_TEXT], manufacturer[REPORT_TEXT];
    char serial[REPORT_TEXT], chemistry[16], bus[32];
    int64_t design_mwh, full_mwh, cycle_count; /* latest known; -1 unknown */
    int64_t first_seen_ms, last_seen_ms;
    /* Observed on battery in the report's range: the sum of capacity drops
     * between consecutive discharging samples, over their time. */
    int64_t drain_mwh, discharge_ms;
    double average_drain_mw;           /* 0: no discharge observed */
    double life_full_h, life_design_h; /* estimates; 0 unknown */
} report_battery_t;

/* One power-state change of one battery (samples whose power_state
 * differs from that battery's previous sample; the first in range too). */
typedef struct report_change {
    int64_t t_ms;
    size_t battery;       /* index into batteries */
    uint32_t power_state; /* BATTERY_POWER_ON_LINE 1, DISCHARGING 2, CHARGING 4, CRITICAL 8 */
    int64_t capacity_mwh; /* -1 unknown */
} report_change_t;

/* One report period (a day of usage, or a week of capacity). */
typedef struct report_day {
    int64_t start_ms;
    int64_t drain_mwh;         /* all batteries, while discharging */
    int64_t battery_ms, ac_ms; /* time with the system on battery / on AC */
} report_day_t;

typedef struct report_capacity_point {
    size_t battery;
    size_t week;                                     /* index into the weeks */
    int64_t t_ms, full_mwh, design_mwh, cycle_count; /* the week's last row */
} report_capacity_point_t;

#define REPORT_DAY_MS      86400000LL
#define REPORT_WEEK_MS     (7 * REPORT_DAY_MS)
#define REPORT_RECENT_DAYS 3

typedef struct report {
    char path[512];
    int64_t generated_ms; /* the newest row: the report's "now" */
    int64_t end_ms;       /* the UTC midnight at or after it: days are calendar days */
    int64_t start_ms;     /* end_ms - days */
    unsigned days;
    report_battery_t *batteries;
    size_t battery_count;
    report_change_t *changes; /* in the last REPORT_RECENT_DAYS days, by time */
    size_t change_count;
    report_day_t *per_day; /* days of them, oldest first: [start + i d, start + (i+1) d) */
    report_capacity_point_t *capacity; /* by week, then battery */
    size_t capacity_count;
    size_t weeks;            /* ceil(days / 7), oldest first, ending at end_ms */
    double average_drain_mw; /* all batteries */
} report_t;

/* Reads the file read-only and builds the report of the last `days` UTC
 * calendar days up to its newest row. NULL with err = "FILE: reason" for a missing,
 * unreadable, corrupt, foreign (application_id) or other-schema file, or
 * an empty history. */
report_t *report_load(const char *path, unsigned days, char *err, size_t errlen);
void report_free(report_t *r);

/* ---- report_html.c, report_json.c ---- */
/* 0, or -1 on a write error. */
int report_write_html(FILE *out, const report_t *r);
int report_write_json(FILE *out, const report_t *r);

/* The dashboard's pieces of the page: each chart alone (an <svg>). */
int report_chart_drain(FILE *out, const report_t *r);
int report_chart_capacity(FILE *out, const report_t *r);
int report_chart_usage(FILE *out, const report_t *r);

/* ISO 8601 UTC ("2026-01-05T08:00:00Z"), for labels. */
void report_format_time(int64_t t_ms, char *buf, size_t n);

#endif

/* The report as one self-contained HTML page (inline CSS and SVG, no
 * script, no network), in the order of powercfg /batteryreport; and the
 * report's three charts, each alone for the dashboard. Well-formed XML
 * throughout, so it also parses as XHTML. */
#include "report.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

void report_format_time(int64_t t_ms, char *buf, size_t n)
{
    time_t t = (time_t)(t_ms / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, n, "%lld ms", (long long)t_ms);
}

static void day_label(int64_t t_ms, char *buf, size_t n)
{
    char iso[32];
    report_format_time(t_ms, iso, sizeof iso);
    snprintf(buf, n, "%.10s", iso);
}

/* The name shown for a pack: its device name and serial (two packs of one
 * model differ by serial), else its unique ID. */
static const char *battery_name(const report_t *r, size_t i)
{
    static _Thread_local char name[REPORT_TEXT * 2 + 4];
    const report_battery_t *b = &r->batteries[i];
    if (!b->device_name[0])
        return b->unique_id;
    snprintf(name, sizeof name, b->serial[0] ? "%s #%s" : "%s", b->device_name, b->serial);
    return name;
}

/* The labels (one per day or week) in one block the caller frees. */
static char (*period_labels(const report_t *r, size_t count, int64_t first, int64_t step))[16]
{
    char(*labels)[16] = calloc(count ? count : 1, sizeof *labels);
    for (size_t i = 0; labels && i < count; i++)
        day_label(first + (int64_t)i * step, labels[i], sizeof labels[i]);
    (void)r;
    return labels;
}

static int chart_with_labels(FILE *out, const char *title, const char *unit, char (*labels)[16],
                             size_t count, const svg_series_t *series, size_t series_count,
                             bool bars)
{
    const char **ptrs = calloc(count ? count : 1, sizeof *ptrs);
    if (!ptrs)
        return -1;
    for (size_t i = 0; i < count; i++)
        ptrs[i] = labels[i];
    svg_chart_t c = {title, unit, ptrs, count, series, series_count, 0, 0};
    int rc = bars ? svg_bar_chart(out, &c) : svg_line_chart(out, &c);
    free(ptrs);
    return rc;
}

int report_chart_drain(FILE *out, const report_t *r)
{
    double *v = calloc(r->days, sizeof *v);
    char(*labels)[16] = period_labels(r, r->days, r->start_ms, REPORT_DAY_MS);
    int rc = -1;
    if (v && labels) {
        for (size_t i = 0; i < r->days; i++)
            v[i] = (double)r->per_day[i].drain_mwh;
        svg_series_t s = {"drain on battery", v};
        rc = chart_with_labels(out, "Battery drain per day", "mWh", labels, r->days, &s, 1, true);
    }
    free(v);
    free(labels);
    return rc;
}

int report_chart_usage(FILE *out, const report_t *r)
{
    double *v = calloc(2 * (size_t)r->days, sizeof *v);
    char(*labels)[16] = period_labels(r, r->days, r->start_ms, REPORT_DAY_MS);
    int rc = -1;
    if (v && labels) {
        for (size_t i = 0; i < r->days; i++) {
            v[i] = (double)r->per_day[i].battery_ms / 3.6e6;
            v[r->days + i] = (double)r->per_day[i].ac_ms / 3.6e6;
        }
        svg_series_t s[2] = {{"on battery", v}, {"on AC", v + r->days}};
        rc = chart_with_labels(out, "Time on battery and on AC per day", "hours", labels, r->days,
                               s, 2, true);
    }
    free(v);
    free(labels);
    return rc;
}

/* Per battery two series over the weeks: full charge and design. */
int report_chart_capacity(FILE *out, const report_t *r)
{
    size_t ns = 2 * r->battery_count, w = r->weeks;
    double *v = malloc((ns ? ns : 1) * w * sizeof *v);
    svg_series_t *s = calloc(ns ? ns : 1, sizeof *s);
    char(*names)[REPORT_TEXT * 2 + 16] = calloc(ns ? ns : 1, sizeof *names);
    char(*labels)[16] =
        period_labels(r, w, r->end_ms - (int64_t)w * REPORT_WEEK_MS, REPORT_WEEK_MS);
    int rc = -1;
    if (v && s && names && labels) {
        for (size_t i = 0; i < ns * w; i++)
            v[i] = NAN;
        for (size_t k = 0; k < r->capacity_count; k++) {
            const report_capacity_point_t *p = &r->capacity[k];
            if (p->full_mwh >= 0)
                v[(2 * p->battery) * w + p->week] = (double)p->full_mwh;
            if (p->design_mwh >= 0)
                v[(2 * p->battery + 1) * w + p->week] = (double)p->design_mwh;
        }
        for (size_t b = 0; b < r->battery_count; b++) {
            snprintf(names[2 * b], sizeof names[0], "%s full charge", battery_name(r, b));
            snprintf(names[2 * b + 1], sizeof names[0], "%s design", battery_name(r, b));
            s[2 * b] = (svg_series_t){names[2 * b], v + 2 * b * w};
            s[2 * b + 1] = (svg_series_t){names[2 * b + 1], v + (2 * b + 1) * w};
        }
        rc = chart_with_labels(out, "Full charge and design capacity per week", "mWh", labels, w, s,
                               ns, false);
    }
    free(v);
    free(s);
    free(names);
    free(labels);
    return rc;
}

static const struct {
    uint32_t bit;
    const char *text;
} state_bits[] = {{1, "on AC"}, {2, "discharging"}, {4, "charging"}, {8, "critical"}};

static void state_text(FILE *out, uint32_t state)
{
    int n = 0;
    for (size_t i = 0; i < sizeof state_bits / sizeof state_bits[0]; i++)
        if (state & state_bits[i].bit)
            fprintf(out, "%s%s", n++ ? ", " : "", state_bits[i].text);
    if (!n)
        fputs("idle", out);
}

static void cell_text(FILE *out, const char *s)
{
    fputs("<td>", out);
    report_xml_escape(out, s && *s ? s : "-");
    fputs("</td>", out);
}

static void cell_int(FILE *out, int64_t v, const char *cls)
{
    if (v < 0)
        fprintf(out, "<td class=\"%s\">-</td>", cls);
    else
        fprintf(out, "<td class=\"%s\">%lld</td>", cls, (long long)v);
}

static void cell_hours(FILE *out, double h, const char *cls)
{
    if (h > 0)
        fprintf(out, "<td class=\"%s\">%.2f</td>", cls, h);
    else
        fprintf(out, "<td class=\"%s\">-</td>", cls);
}

static const char style[] =
    "body{font-family:sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:0.2em 0.6em;text-align:left}"
    "td.num{text-align:right}h2{margin-top:1.5em;border-bottom:1px solid #888}";

static void section_batteries(FILE *out, const report_t *r)
{
    fputs("<h2 id=\"batteries\">Installed batteries</h2><table id=\"battery-table\"><tr>"
          "<th>name</th><th>manufacturer</th><th>serial</th><th>chemistry</th><th>bus</th>"
          "<th>design capacity (mWh)</th><th>full charge capacity (mWh)</th>"
          "<th>cycle count</th><th>unique ID</th><th>first seen</th><th>last seen</th></tr>",
          out);
    for (size_t i = 0; i < r->battery_count; i++) {
        const report_battery_t *b = &r->batteries[i];
        char first[32], last[32];
        report_format_time(b->first_seen_ms, first, sizeof first);
        report_format_time(b->last_seen_ms, last, sizeof last);
        fputs("<tr class=\"battery\">", out);
        cell_text(out, b->device_name);
        cell_text(out, b->manufacturer);
        cell_text(out, b->serial);
        cell_text(out, b->chemistry);
        cell_text(out, b->bus);
        cell_int(out, b->design_mwh, "num design");
        cell_int(out, b->full_mwh, "num full");
        cell_int(out, b->cycle_count, "num cycles");
        cell_text(out, b->unique_id);
        cell_text(out, first);
        cell_text(out, last);
        fputs("</tr>", out);
    }
    fputs("</table>", out);
}

static void section_recent(FILE *out, const report_t *r)
{
    fprintf(out,
            "<h2 id=\"recent\">Recent usage</h2><p>Power-state changes of the last %d days."
            "</p><table id=\"recent-table\"><tr><th>time</th><th>battery</th><th>state</th>"
            "<th>capacity (mWh)</th><th>capacity (%%)</th></tr>",
            REPORT_RECENT_DAYS);
    for (size_t i = 0; i < r->change_count; i++) {
        const report_change_t *c = &r->changes[i];
        const report_battery_t *b = &r->batteries[c->battery];
        char t[32];
        report_format_time(c->t_ms, t, sizeof t);
        fputs("<tr class=\"change\">", out);
        cell_text(out, t);
        cell_text(out, battery_name(r, c->battery));
        fputs("<td>", out);
        state_text(out, c->power_state);
        fputs("</td>", out);
        cell_int(out, c->capacity_mwh, "num");
        if (c->capacity_mwh >= 0 && b->full_mwh > 0)
            fprintf(out, "<td class=\"num\">%.0f</td>",
                    100.0 * (double)c->capacity_mwh / (double)b->full_mwh);
        else
            fputs("<td class=\"num\">-</td>", out);
        fputs("</tr>", out);
    }
    fputs("</table>", out);
}

static void section_days(FILE *out, const report_t *r)
{
    fputs("<h2 id=\"usage\">Battery usage</h2><p>Charge drawn from the batteries while "
          "discharging, per day.</p>",
          out);
    report_chart_drain(out, r);
    fputs("<h2 id=\"usage-history\">Usage history</h2>", out);
    report_chart_usage(out, r);
    fputs("<table id=\"day-table\"><tr><th>day from</th><th>drain (mWh)</th>"
          "<th>on battery (h)</th><th>on AC (h)</th></tr>",
          out);
    for (size_t i = 0; i < r->days; i++) {
        const report_day_t *d = &r->per_day[i];
        char t[32];
        report_format_time(d->start_ms, t, sizeof t);
        fputs("<tr class=\"day\">", out);
        cell_text(out, t);
        cell_int(out, d->drain_mwh, "num drain");
        fprintf(out, "<td class=\"num battery-h\">%.2f</td><td class=\"num ac-h\">%.2f</td></tr>",
                (double)d->battery_ms / 3.6e6, (double)d->ac_ms / 3.6e6);
    }
    fputs("</table>", out);
}

static void section_capacity(FILE *out, const report_t *r)
{
    fputs("<h2 id=\"capacity\">Battery capacity history</h2>", out);
    report_chart_capacity(out, r);
    fputs("<table id=\"capacity-table\"><tr><th>week from</th><th>battery</th>"
          "<th>full charge capacity (mWh)</th><th>design capacity (mWh)</th>"
          "<th>cycle count</th></tr>",
          out);
    for (size_t i = 0; i < r->capacity_count; i++) {
        const report_capacity_point_t *p = &r->capacity[i];
        char t[32];
        report_format_time(r->end_ms - (int64_t)(r->weeks - p->week) * REPORT_WEEK_MS, t, sizeof t);
        fputs("<tr class=\"capacity\">", out);
        cell_text(out, t);
        cell_text(out, battery_name(r, p->battery));
        cell_int(out, p->full_mwh, "num");
        cell_int(out, p->design_mwh, "num");
        cell_int(out, p->cycle_count, "num");
        fputs("</tr>", out);
    }
    fputs("</table>", out);
}

static void section_life(FILE *out, const report_t *r)
{
    fputs("<h2 id=\"life\">Battery life estimates</h2><p>From the average drain observed on "
          "battery in this range.</p><table id=\"life-table\"><tr><th>battery</th>"
          "<th>observed on battery (h)</th><th>average drain (mW)</th>"
          "<th>at full charge (h)</th><th>at design capacity (h)</th></tr>",
          out);
    for (size_t i = 0; i < r->battery_count; i++) {
        const report_battery_t *b = &r->batteries[i];
        fputs("<tr class=\"life\">", out);
        cell_text(out, battery_name(r, i));
        fprintf(out, "<td class=\"num\">%.2f</td>", (double)b->discharge_ms / 3.6e6);
        if (b->average_drain_mw > 0)
            fprintf(out, "<td class=\"num drain-mw\">%.0f</td>", b->average_drain_mw);
        else
            fputs("<td class=\"num drain-mw\">-</td>", out);
        cell_hours(out, b->life_full_h, "num life-full");
        cell_hours(out, b->life_design_h, "num life-design");
        fputs("</tr>", out);
    }
    fputs("</table>", out);
}

int report_write_html(FILE *out, const report_t *r)
{
    char now[32], from[32], to[32];
    report_format_time(r->generated_ms, now, sizeof now);
    report_format_time(r->start_ms, from, sizeof from);
    report_format_time(r->end_ms, to, sizeof to);
    fprintf(out,
            "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>"
            "<meta charset=\"utf-8\"/><title>Battery report</title><style>%s</style></head>"
            "<body><h1>Battery report</h1><table id=\"about\"><tr><th>history</th>",
            style);
    cell_text(out, r->path);
    fprintf(out,
            "</tr><tr><th>report time (newest row)</th><td>%s</td></tr><tr><th>range</th>"
            "<td>%s to %s (%u days, UTC)</td></tr></table>",
            now, from, to, r->days);
    section_batteries(out, r);
    section_recent(out, r);
    section_days(out, r);
    section_capacity(out, r);
    section_life(out, r);
    fputs("</body></html>\n", out);
    return ferror(out) ? -1 : 0;
}

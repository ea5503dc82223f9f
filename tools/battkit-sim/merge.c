/* Merges the summaries of many runs: PREFIX.csv (one row per run, the
 * columns of summary.json, rows in id order) and PREFIX.html (the same table
 * and two inline SVG charts; no script, no network). */
#include "sim.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int by_id(const void *a, const void *b)
{
    return strcmp(((const sim_summary_t *)a)->id, ((const sim_summary_t *)b)->id);
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '&':
            fputs("&amp;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        default:
            fputc(*s, f);
        }
    }
}

static const char *palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

/* A colour per distinct machine, in order of first appearance. */
static void colour_machines(const sim_summary_t *rows, size_t n, size_t *colour)
{
    size_t next = 0;
    for (size_t i = 0; i < n; i++) {
        colour[i] = SIZE_MAX;
        for (size_t j = 0; j < i && colour[i] == SIZE_MAX; j++)
            if (!strcmp(rows[j].machine, rows[i].machine))
                colour[i] = colour[j];
        if (colour[i] == SIZE_MAX)
            colour[i] = next++;
    }
}

#define COLOUR(i) palette[colour[i] % (sizeof palette / sizeof palette[0])]

/* One dot per run: x the run, y the figure; runs without it are left out. */
static void chart(FILE *f, const char *title, const char *unit, const sim_summary_t *rows, size_t n,
                  const size_t *colour, double (*value)(const sim_summary_t *))
{
    const double w = 760, h = 260, left = 60, bottom = 30, top = 30;
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (value(&rows[i]) > max)
            max = value(&rows[i]);
    if (max <= 0)
        max = 1;
    fprintf(f, "<h2>");
    html_text(f, title);
    fprintf(f,
            "</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "role=\"img\" aria-label=\"",
            w, h);
    html_text(f, title);
    fprintf(f, "\">\n<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444\"/>\n",
            left, h - bottom, w - 10, h - bottom);
    fprintf(f, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444\"/>\n", left,
            top, left, h - bottom);
    fprintf(f, "<text x=\"4\" y=\"%.0f\" font-size=\"11\">%.1f %s</text>\n", top + 4, max, unit);
    fprintf(f, "<text x=\"4\" y=\"%.0f\" font-size=\"11\">0</text>\n", h - bottom);
    for (size_t i = 0; i < n; i++) {
        double v = value(&rows[i]);
        if (v < 0)
            continue;
        double x = left + 5 + (w - left - 20) * (n > 1 ? (double)i / (double)(n - 1) : 0.5);
        double y = h - bottom - (h - bottom - top) * v / max;
        fprintf(f, "<circle class=\"run\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>", x,
                y, COLOUR(i));
        html_text(f, rows[i].id);
        fprintf(f, ": %.3f %s</title></circle>\n", v, unit);
    }
    fputs("</svg>\n", f);
}

static double hours_to_empty(const sim_summary_t *s)
{
    return s->time_to_empty_s < 0 ? -1 : s->time_to_empty_s / 3600.0;
}

static double estimate_error(const sim_summary_t *s)
{
    return s->estimate_error_mean_pct;
}

static void write_html(FILE *f, const sim_summary_t *rows, size_t n, const size_t *colour)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<title>battkit-sim results</title>\n<style>body{font-family:sans-serif;margin:1em}"
          "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
          "padding:2px 6px;text-align:right}</style></head><body>\n",
          f);
    fprintf(f, "<h1>battkit-sim: %zu runs</h1>\n<p>Machines:", n);
    for (size_t i = 0, shown = 0; i < n; i++) {
        if (colour[i] != shown)
            continue;
        shown++;
        fprintf(f, " <span style=\"color:%s\">&#9679; ", COLOUR(i));
        html_text(f, rows[i].machine);
        fputs("</span>", f);
    }
    fputs("</p>\n", f);
    chart(f, "Time to empty", "h", rows, n, colour, hours_to_empty);
    chart(f, "Mean error of the time estimate", "%", rows, n, colour, estimate_error);
    fputs("<h2>Runs</h2>\n<table>\n<tr><th>id</th><th>params</th><th>to low (s)</th>"
          "<th>to critical (s)</th><th>to empty (s)</th><th>to full (s)</th><th>energy (Wh)</th>"
          "<th>estimate error mean (%)</th><th>policy actions</th></tr>\n",
          f);
    for (size_t i = 0; i < n; i++) {
        const sim_summary_t *s = &rows[i];
        fputs("<tr><td>", f);
        html_text(f, s->id);
        fputs("</td><td>", f);
        html_text(f, s->params);
        fprintf(f,
                "</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.3f</td>"
                "<td>%.2f</td><td>",
                s->time_to_low_s, s->time_to_critical_s, s->time_to_empty_s, s->time_to_full_s,
                s->energy_drawn_wh, s->estimate_error_mean_pct);
        html_text(f, s->actions);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n</body></html>\n", f);
}

int sim_merge(const char *prefix, char *const *dirs, size_t count, char *err, size_t err_len)
{
    int rc = -1;
    sim_summary_t *rows = calloc(count ? count : 1, sizeof *rows);
    if (!rows) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/summary.json", dirs[i]);
        if (sim_summary_read(path, &rows[i], err, err_len) < 0)
            goto out;
    }
    qsort(rows, count, sizeof *rows, by_id);
    char path[4096];
    snprintf(path, sizeof path, "%s.csv", prefix);
    FILE *csv = fopen(path, "w");
    if (!csv) {
        snprintf(err, err_len, "%s: cannot write", path);
        goto out;
    }
    sim_summary_csv_header(csv);
    for (size_t i = 0; i < count; i++)
        sim_summary_csv_row(csv, &rows[i]);
    if (fclose(csv) != 0) {
        snprintf(err, err_len, "%s: write failed", path);
        goto out;
    }
    snprintf(path, sizeof path, "%s.html", prefix);
    FILE *html = fopen(path, "w");
    if (!html) {
        snprintf(err, err_len, "%s: cannot write", path);
        goto out;
    }
    size_t *colour = calloc(count ? count : 1, sizeof *colour);
    if (!colour) {
        fclose(html);
        snprintf(err, err_len, "out of memory");
        goto out;
    }
    colour_machines(rows, count, colour);
    write_html(html, rows, count, colour);
    free(colour);
    if (fclose(html) != 0) {
        snprintf(err, err_len, "%s: write failed", path);
        goto out;
    }
    rc = 0;
out:
    free(rows);
    return rc;
}

/* The dashboard's page: index.html, dashboard.js, dashboard.css and the
 * icon (daemon/dashboard/, built into battd by cmake/embed.cmake), and the
 * battery report's charts from the history database, drawn by
 * tools/report's own SVG builder, inline in the page and alone at
 * /report.svg. The live parts are dashboard.js's, from dashboard_api.c. */
#include "dashboard.h"
#include "http.h"

#include <report.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

extern const unsigned char dash_index_html[], dash_dashboard_js[], dash_dashboard_css[],
    dash_favicon_svg[];
extern const size_t dash_index_html_len, dash_dashboard_js_len, dash_dashboard_css_len,
    dash_favicon_svg_len;

#define CHARTS_MARK  "<!-- charts -->"
#define DEFAULT_DAYS 7

static char history_path[4096]; /* "" without history */

/* ---- the files as they are ---- */
static const struct asset {
    const char *path, *type;
    const unsigned char *data;
    const size_t *len;
} assets[] = {
    {"/dashboard.js", "text/javascript; charset=utf-8", dash_dashboard_js, &dash_dashboard_js_len},
    {"/dashboard.css", "text/css; charset=utf-8", dash_dashboard_css, &dash_dashboard_css_len},
    {"/favicon.svg", "image/svg+xml", dash_favicon_svg, &dash_favicon_svg_len},
};

static void get_asset(const http_request_t *req, http_response_t *res)
{
    for (size_t i = 0; i < sizeof assets / sizeof assets[0]; i++)
        if (strcmp(http_request_path(req), assets[i].path) == 0) {
            res->content_type = assets[i].type;
            fwrite(assets[i].data, 1, *assets[i].len, res->body);
            return;
        }
    res->status = 404;
}

/* ---- the report ---- */
/* ?days=N (1..3650), DEFAULT_DAYS without; false (400 written) if bad. */
static bool days_of(const http_request_t *req, http_response_t *res, unsigned *days)
{
    const char *v = http_request_arg(req, "days");
    *days = DEFAULT_DAYS;
    if (!v)
        return true;
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || end == v || *end || *v == '-' || n < 1 || n > 3650) {
        res->status = 400;
        res->content_type = "text/plain; charset=utf-8";
        fputs("days: expected a whole number from 1 to 3650\n", res->body);
        return false;
    }
    *days = (unsigned)n;
    return true;
}

static report_t *load(unsigned days, char *why, size_t n)
{
    if (!history_path[0]) {
        snprintf(why, n, "battd keeps no history (--no-history)");
        return NULL;
    }
    return report_load(history_path, days, why, n);
}

static const struct chart {
    const char *name, *title;
    int (*draw)(FILE *out, const report_t *r);
} charts[] = {
    {"drain", "Battery drain per day", report_chart_drain},
    {"usage", "Time on battery and on AC per day", report_chart_usage},
    {"capacity", "Full charge and design capacity per week", report_chart_capacity},
};

static void write_charts(FILE *out, unsigned days)
{
    char why[600];
    report_t *r = load(days, why, sizeof why);
    if (!r) {
        fputs("<p class=\"note\" id=\"no-report\">No report yet: ", out);
        report_xml_escape(out, why);
        fputs(".</p>\n", out);
        return;
    }
    fprintf(out,
            "<p class=\"note\" id=\"report-range\">The last %u days of battd's history "
            "(<code>battctl report</code> writes the whole report).</p>\n",
            r->days);
    for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
        fprintf(out, "<h3 class=\"chart-title\">%s</h3>\n<div class=\"chart-box\" id=\"chart-%s\">",
                charts[i].title, charts[i].name);
        charts[i].draw(out, r);
        fputs("</div>\n", out);
    }
    report_free(r);
}

static void get_page(const http_request_t *req, http_response_t *res)
{
    unsigned days;
    if (!days_of(req, res, &days))
        return;
    const char *page = (const char *)dash_index_html;
    const char *mark = strstr(page, CHARTS_MARK);
    res->content_type = "text/html; charset=utf-8";
    if (!mark) { /* the build embeds index.html with the mark; never without */
        fwrite(page, 1, dash_index_html_len, res->body);
        return;
    }
    fwrite(page, 1, (size_t)(mark - page), res->body);
    write_charts(res->body, days);
    fputs(mark + strlen(CHARTS_MARK), res->body);
}

/* /report.svg?chart=drain|usage|capacity[&days=N]: one chart alone. */
static void get_report_svg(const http_request_t *req, http_response_t *res)
{
    unsigned days;
    if (!days_of(req, res, &days))
        return;
    const char *name = http_request_arg(req, "chart");
    const struct chart *c = NULL;
    for (size_t i = 0; name && i < sizeof charts / sizeof charts[0]; i++)
        if (strcmp(name, charts[i].name) == 0)
            c = &charts[i];
    if (!c) {
        res->status = 400;
        fputs("chart: expected drain, usage or capacity\n", res->body);
        return;
    }
    char why[600];
    report_t *r = load(days, why, sizeof why);
    if (!r) {
        res->status = 404;
        fprintf(res->body, "no report: %s\n", why);
        return;
    }
    res->content_type = "image/svg+xml";
    c->draw(res->body, r);
    report_free(r);
}

int dashboard_page_register(const char *history_file)
{
    snprintf(history_path, sizeof history_path, "%s", history_file ? history_file : "");
    static const http_route_t routes[] = {
        {"GET", "/", get_page},
        {"GET", "/dashboard.js", get_asset},
        {"GET", "/dashboard.css", get_asset},
        {"GET", "/favicon.svg", get_asset},
        {"GET", "/report.svg", get_report_svg},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (http_route_add(&routes[i]) != 0)
            return -1;
    return 0;
}

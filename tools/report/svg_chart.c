/* Inline SVG charts: grouped bars and lines from labelled series, with a
 * y axis from 0 to a rounded maximum. Owns the drawing only; what the
 * series mean is the caller's (report_html.c, battd's dashboard). */
#include "report.h"

#include <math.h>

#define MARGIN_LEFT   64
#define MARGIN_RIGHT  16
#define MARGIN_TOP    28
#define MARGIN_BOTTOM 40
#define TICKS         4

/* Series colours, repeated past the end. */
static const char *const palette[] = {"#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280"};

void report_xml_escape(FILE *out, const char *s)
{
    static const struct {
        char c;
        const char *entity;
    } entities[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
    for (; s && *s; s++) {
        const char *e = NULL;
        for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++)
            if (*s == entities[i].c)
                e = entities[i].entity;
        /* Control characters other than tab/newline are not XML text. */
        if (e)
            fputs(e, out);
        else if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
            fputc('?', out);
        else
            fputc(*s, out);
    }
}

typedef struct frame {
    int w, h;
    double plot_w, plot_h, max;
} frame_t;

/* The axis maximum: the first of these steps times a power of ten at or
 * above the data, so the tallest value fills most of the plot. */
static double nice_max(double v)
{
    static const double steps[] = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    if (!(v > 0))
        return 1;
    double p = pow(10, floor(log10(v)));
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * p >= v)
            return steps[i] * p;
    return 10 * p;
}

static frame_t open_chart(FILE *out, const svg_chart_t *c, const char *kind)
{
    frame_t f = {c->width ? c->width : 720, c->height ? c->height : 240, 0, 0, 0};
    f.plot_w = f.w - MARGIN_LEFT - MARGIN_RIGHT;
    f.plot_h = f.h - MARGIN_TOP - MARGIN_BOTTOM;
    double max = 0;
    for (size_t s = 0; s < c->series_count; s++)
        for (size_t i = 0; i < c->label_count; i++)
            if (!isnan(c->series[s].values[i]) && c->series[s].values[i] > max)
                max = c->series[s].values[i];
    f.max = nice_max(max);
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>",
            kind, f.w, f.h, f.w, f.h);
    report_xml_escape(out, c->title);
    fputs("</title>", out);
    /* Axis, gridlines and their values. */
    for (int t = 0; t <= TICKS; t++) {
        double y = MARGIN_TOP + f.plot_h - f.plot_h * t / TICKS;
        fprintf(out,
                "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" font-size=\"11\" "
                "text-anchor=\"end\">%g</text>",
                MARGIN_LEFT, y, MARGIN_LEFT + f.plot_w, y, MARGIN_LEFT - 4, y + 4,
                f.max * t / TICKS);
    }
    fprintf(out, "<text x=\"4\" y=\"14\" font-size=\"11\">");
    report_xml_escape(out, c->unit);
    fputs("</text>", out);
    /* Legend across the top right. */
    for (size_t s = 0; s < c->series_count; s++) {
        double x = MARGIN_LEFT + 8 + 160.0 * (double)s;
        fprintf(out,
                "<rect class=\"legend\" x=\"%.1f\" y=\"6\" width=\"10\" height=\"10\" "
                "fill=\"%s\"/><text x=\"%.1f\" y=\"15\" font-size=\"11\">",
                x, palette[s % 5], x + 14);
        report_xml_escape(out, c->series[s].name);
        fputs("</text>", out);
    }
    return f;
}

/* x labels: at most ~12 shown so they do not overlap. */
static void x_labels(FILE *out, const svg_chart_t *c, const frame_t *f)
{
    size_t every = c->label_count > 12 ? (c->label_count + 11) / 12 : 1;
    double slot = c->label_count ? f->plot_w / (double)c->label_count : 0;
    for (size_t i = 0; i < c->label_count; i += every) {
        fprintf(out,
                "<text class=\"label\" x=\"%.1f\" y=\"%d\" font-size=\"11\" "
                "text-anchor=\"middle\">",
                MARGIN_LEFT + slot * ((double)i + 0.5), f->h - MARGIN_BOTTOM + 16);
        report_xml_escape(out, c->labels[i]);
        fputs("</text>", out);
    }
}

static double y_of(const frame_t *f, double v)
{
    return MARGIN_TOP + f->plot_h - f->plot_h * (v / f->max);
}

int svg_bar_chart(FILE *out, const svg_chart_t *c)
{
    frame_t f = open_chart(out, c, "bars");
    double slot = c->label_count ? f.plot_w / (double)c->label_count : 0;
    double bar = c->series_count ? slot * 0.8 / (double)c->series_count : 0;
    for (size_t i = 0; i < c->label_count; i++)
        for (size_t s = 0; s < c->series_count; s++) {
            double v = c->series[s].values[i];
            if (isnan(v))
                continue;
            double y = y_of(&f, v < 0 ? 0 : v);
            fprintf(out,
                    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    "fill=\"%s\"><title>",
                    MARGIN_LEFT + slot * (double)i + slot * 0.1 + bar * (double)s, y, bar,
                    MARGIN_TOP + f.plot_h - y, palette[s % 5]);
            report_xml_escape(out, c->labels[i]);
            fprintf(out, ": %g ", v);
            report_xml_escape(out, c->unit);
            fputs("</title></rect>", out);
        }
    x_labels(out, c, &f);
    fputs("</svg>", out);
    return ferror(out) ? -1 : 0;
}

int svg_line_chart(FILE *out, const svg_chart_t *c)
{
    frame_t f = open_chart(out, c, "lines");
    double slot = c->label_count ? f.plot_w / (double)c->label_count : 0;
    for (size_t s = 0; s < c->series_count; s++) {
        const double *v = c->series[s].values;
        fprintf(out, "<polyline class=\"line\" fill=\"none\" stroke=\"%s\" points=\"",
                palette[s % 5]);
        for (size_t i = 0, n = 0; i < c->label_count; i++)
            if (!isnan(v[i]))
                fprintf(out, "%s%.1f,%.1f", n++ ? " " : "", MARGIN_LEFT + slot * ((double)i + 0.5),
                        y_of(&f, v[i]));
        fputs("\"/>", out);
        for (size_t i = 0; i < c->label_count; i++) {
            if (isnan(v[i]))
                continue;
            fprintf(out,
                    "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>",
                    MARGIN_LEFT + slot * ((double)i + 0.5), y_of(&f, v[i]), palette[s % 5]);
            report_xml_escape(out, c->series[s].name);
            fputs(" ", out);
            report_xml_escape(out, c->labels[i]);
            fprintf(out, ": %g ", v[i]);
            report_xml_escape(out, c->unit);
            fputs("</title></circle>", out);
        }
    }
    x_labels(out, c, &f);
    fputs("</svg>", out);
    return ferror(out) ? -1 : 0;
}

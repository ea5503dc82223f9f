/* The chart API battd's dashboard shares (tools/report/svg_chart.c): one
 * shape per present value, NAN leaves a gap, every text escaped, the
 * output balanced, the tallest value near the top, write errors told. */
#include "bk_test.h"
#include "report.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

static char *render(int (*draw)(FILE *, const svg_chart_t *), const svg_chart_t *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    int rc = draw(f, c);
    fclose(f);
    if (rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p++)
        n++;
    return n;
}

/* A strict tag-balance check: every <x ...> closed by </x> in order or
 * written <x .../>; no '<' or '&' in text that is not markup/an entity. */
static int balanced(const char *s)
{
    char stack[64][32];
    int depth = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '&') {
            const char *semi = strchr(p, ';');
            if (!semi || semi - p > 6)
                return 0;
            continue;
        }
        if (*p != '<')
            continue;
        const char *end = strchr(p, '>');
        if (!end)
            return 0;
        bool closing = p[1] == '/', empty = end[-1] == '/';
        const char *name = p + 1 + closing;
        size_t n = strcspn(name, " />");
        if (n == 0 || n >= 32)
            return 0;
        for (const char *q = p + 1; q < end; q++)
            if (*q == '<')
                return 0;
        if (closing) {
            if (depth == 0 || strncmp(stack[depth - 1], name, n) != 0 || stack[depth - 1][n])
                return 0;
            depth--;
        } else if (!empty) {
            if (depth == 64)
                return 0;
            memcpy(stack[depth], name, n);
            stack[depth++][n] = 0;
        }
        p = end;
    }
    return depth == 0;
}

static const char *const labels[] = {"Mon", "Tue", "<Wed>", "Thu"};

TEST(bar_chart_draws_one_bar_per_present_value_and_escapes_text)
{
    double a[] = {10, NAN, 30, 0}, b[] = {5, 6, NAN, NAN};
    svg_series_t s[] = {{"pack & <one>", a}, {"two \"quoted\"", b}};
    svg_chart_t c = {"drain <per> day", "mWh", labels, 4, s, 2, 0, 0};
    char *svg = render(svg_bar_chart, &c);
    REQUIRE(svg);
    CHECK_EQ(count(svg, "<rect class=\"bar\""), 5);
    CHECK(balanced(svg));
    CHECK(strstr(svg, "pack &amp; &lt;one&gt;") != NULL);
    CHECK(strstr(svg, "two &quot;quoted&quot;") != NULL);
    CHECK(strstr(svg, "&lt;Wed&gt;") != NULL);
    CHECK(strstr(svg, "<one>") == NULL && strstr(svg, "<Wed>") == NULL);
    CHECK(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
    free(svg);
}

TEST(line_chart_draws_a_line_per_series_and_a_point_per_present_value)
{
    double full[] = {57000, 56000, NAN, 54000}, design[] = {57000, 57000, 57000, 57000};
    svg_series_t s[] = {{"full", full}, {"design", design}};
    svg_chart_t c = {"capacity", "mWh", labels, 4, s, 2, 400, 200};
    char *svg = render(svg_line_chart, &c);
    REQUIRE(svg);
    CHECK_EQ(count(svg, "<polyline class=\"line\""), 2);
    CHECK_EQ(count(svg, "<circle class=\"point\""), 7);
    CHECK(strstr(svg, "width=\"400\" height=\"200\"") != NULL);
    CHECK(balanced(svg));
    free(svg);
}

TEST(tallest_bar_fills_most_of_the_plot)
{
    /* 57000 on a 0..100000 axis would leave the tallest bar half high. */
    static const double maxima[] = {1, 7, 57000, 101, 999, 0.3};
    for (size_t k = 0; k < sizeof maxima / sizeof maxima[0]; k++) {
        double v[] = {maxima[k] / 2, maxima[k]};
        svg_series_t s = {"x", v};
        svg_chart_t c = {"t", "u", labels, 2, &s, 1, 720, 240};
        char *svg = render(svg_bar_chart, &c);
        REQUIRE(svg);
        double tallest = 0;
        for (const char *p = svg; (p = strstr(p, "<rect class=\"bar\"")); p++) {
            const char *h = strstr(p, "height=\"");
            if (h && atof(h + 8) > tallest)
                tallest = atof(h + 8);
        }
        double plot = 240 - 28 - 40; /* the chart's top and bottom margins */
        if (!(tallest >= 0.75 * plot && tallest <= plot + 0.1))
            bk_test_fail(__FILE__, __LINE__, "max %g: tallest bar %g of %g", maxima[k], tallest,
                         plot);
        free(svg);
    }
}

TEST(write_error_is_reported)
{
    FILE *f = fopen("/dev/null", "r");
    REQUIRE(f);
    double v[] = {1, 2, 3, 4};
    svg_series_t s = {"x", v};
    svg_chart_t c = {"t", "u", labels, 4, &s, 1, 0, 0};
    CHECK_EQ(svg_bar_chart(f, &c), -1);
    fclose(f);
}

/* The suite's report: one result per check and battery, its printed line,
 * the summary, and the comparison with an expected set of failures. Also
 * the NTSTATUS and level names the details use. */
#include <stdlib.h>
#include <string.h>

#include "cf_internal.h"

static const char *const verdict_names[] = {"PASS", "FAIL", "SKIP", "WARN"};

static void report_append(bk_conformance_report_t *r, FILE *out, const char *check,
                          const char *battery, bk_conformance_verdict_t verdict, const char *detail)
{
    if (out) {
        fprintf(out, "%s %s: %s%s%s\n", verdict_names[verdict], check,
                battery && *battery ? battery : "", battery && *battery ? ": " : "", detail);
        fflush(out);
    }
    if (!r)
        return;
    bk_conformance_result_t *grown = realloc(r->results, (r->count + 1) * sizeof(*grown));
    if (grown) {
        r->results = grown;
        bk_conformance_result_t *res = &r->results[r->count++];
        memset(res, 0, sizeof(*res));
        snprintf(res->check, sizeof res->check, "%s", check);
        snprintf(res->battery, sizeof res->battery, "%s", battery ? battery : "");
        snprintf(res->detail, sizeof res->detail, "%s", detail);
        res->verdict = verdict;
    }
    switch (verdict) {
    case BK_CONFORMANCE_PASS:
        r->passed++;
        break;
    case BK_CONFORMANCE_FAIL:
        r->failed++;
        break;
    case BK_CONFORMANCE_SKIP:
        r->skipped++;
        break;
    case BK_CONFORMANCE_WARN:
        r->warned++;
        break;
    }
}

void bk_conformance_report_add(bk_conformance_report_t *report, FILE *out, const char *check,
                               bk_conformance_verdict_t verdict, const char *fmt, ...)
{
    char detail[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    report_append(report, out, check, "", verdict, detail);
}

void bk_conformance_report_free(bk_conformance_report_t *report)
{
    if (!report)
        return;
    free(report->results);
    memset(report, 0, sizeof(*report));
}

void bk_conformance_print_summary(const bk_conformance_report_t *r, FILE *out)
{
    if (out)
        fprintf(out, "conformance: %zu passed, %zu failed, %zu skipped, %zu warnings\n", r->passed,
                r->failed, r->skipped, r->warned);
}

/* Is `name` one of the comma-separated names in `list`? */
static bool in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (*p == ' ')) {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}

static bool failed_in_report(const bk_conformance_report_t *r, const char *name)
{
    for (size_t i = 0; i < r->count; i++) {
        if (r->results[i].verdict == BK_CONFORMANCE_FAIL && strcmp(r->results[i].check, name) == 0)
            return true;
    }
    return false;
}

int bk_conformance_expect_failures(const bk_conformance_report_t *r, const char *expected,
                                   FILE *out)
{
    int differences = 0;
    /* Every FAIL must be expected (each name counted once). */
    for (size_t i = 0; i < r->count; i++) {
        const bk_conformance_result_t *res = &r->results[i];
        bool first = true;
        for (size_t j = 0; j < i; j++) {
            if (r->results[j].verdict == BK_CONFORMANCE_FAIL &&
                strcmp(r->results[j].check, res->check) == 0)
                first = false;
        }
        if (res->verdict == BK_CONFORMANCE_FAIL && first && !in_list(expected, res->check)) {
            differences++;
            if (out)
                fprintf(out, "expectation: %s failed but was not expected to\n", res->check);
        }
    }
    /* Every expected name must have failed. */
    for (const char *p = expected; p && *p;) {
        const char *end = strchr(p, ',');
        char name[64];
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && *p == ' ') {
            p++;
            len--;
        }
        while (len && p[len - 1] == ' ')
            len--;
        snprintf(name, sizeof name, "%.*s", (int)len, p);
        if (len && !failed_in_report(r, name)) {
            differences++;
            if (out)
                fprintf(out, "expectation: %s was expected to fail but did not\n", name);
        }
        if (!end)
            break;
        p = end + 1;
    }
    if (out)
        fprintf(out, "expectation: %s\n",
                differences ? "the failures differ from the expected set"
                            : "exactly the expected checks failed");
    return differences;
}

bool cf_wants(cf_ctx_t *c, const char *check)
{
    return !c->opt->only || in_list(c->opt->only, check);
}

void cf_result(cf_ctx_t *c, const char *check, bk_conformance_verdict_t verdict, const char *fmt,
               ...)
{
    char detail[320];
    va_list ap;
    if (!cf_wants(c, check))
        return;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    report_append(c->report, c->opt->out, check, c->bat ? c->bat->label : "", verdict, detail);
}

void cf_log(cf_ctx_t *c, const char *fmt, ...)
{
    va_list ap;
    if (!c->opt->verbose || !c->opt->out)
        return;
    fputs("  | ", c->opt->out);
    va_start(ap, fmt);
    vfprintf(c->opt->out, fmt, ap);
    va_end(ap);
    fputc('\n', c->opt->out);
}

void cf_note(cf_text_t *t, const char *fmt, ...)
{
    va_list ap;
    if (t->len + 1 >= sizeof t->buf)
        return;
    if (t->count++) {
        int n = snprintf(t->buf + t->len, sizeof t->buf - t->len, "; ");
        t->len += n > 0 ? (size_t)n : 0;
    }
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len = t->len + (size_t)n >= sizeof t->buf ? sizeof t->buf - 1 : t->len + (size_t)n;
}

static const struct {
    NTSTATUS status;
    const char *name;
} status_names[] = {
    {STATUS_SUCCESS, "STATUS_SUCCESS"},
    {STATUS_PENDING, "STATUS_PENDING (no answer)"},
    {STATUS_BUFFER_OVERFLOW, "STATUS_BUFFER_OVERFLOW"},
    {STATUS_UNSUCCESSFUL, "STATUS_UNSUCCESSFUL"},
    {STATUS_NOT_IMPLEMENTED, "STATUS_NOT_IMPLEMENTED"},
    {STATUS_INVALID_PARAMETER, "STATUS_INVALID_PARAMETER"},
    {STATUS_NO_SUCH_DEVICE, "STATUS_NO_SUCH_DEVICE"},
    {STATUS_INVALID_DEVICE_REQUEST, "STATUS_INVALID_DEVICE_REQUEST"},
    {STATUS_BUFFER_TOO_SMALL, "STATUS_BUFFER_TOO_SMALL"},
    {STATUS_ACCESS_DENIED, "STATUS_ACCESS_DENIED"},
    {STATUS_NOT_SUPPORTED, "STATUS_NOT_SUPPORTED"},
    {STATUS_CANCELLED, "STATUS_CANCELLED"},
    {STATUS_DEVICE_REMOVED, "STATUS_DEVICE_REMOVED"},
    {STATUS_DELETE_PENDING, "STATUS_DELETE_PENDING"},
    {STATUS_DEVICE_DOES_NOT_EXIST, "STATUS_DEVICE_DOES_NOT_EXIST"},
    {STATUS_INSUFFICIENT_RESOURCES, "STATUS_INSUFFICIENT_RESOURCES"},
    {STATUS_WMI_GUID_NOT_FOUND, "STATUS_WMI_GUID_NOT_FOUND"},
    {STATUS_OBJECT_NAME_NOT_FOUND, "STATUS_OBJECT_NAME_NOT_FOUND"},
    {STATUS_IO_TIMEOUT, "STATUS_IO_TIMEOUT"},
};

const char *cf_status_name(NTSTATUS status)
{
    static __thread char other[16];
    for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++) {
        if (status_names[i].status == status)
            return status_names[i].name;
    }
    snprintf(other, sizeof other, "0x%08x", (unsigned)status);
    return other;
}

const char *cf_level_name(ULONG level)
{
    static const char *const names[CF_LEVELS] = {
        "BatteryInformation",     "BatteryGranularityInformation",
        "BatteryTemperature",     "BatteryEstimatedTime",
        "BatteryDeviceName",      "BatteryManufactureDate",
        "BatteryManufactureName", "BatteryUniqueID",
        "BatterySerialNumber"};
    return level < CF_LEVELS ? names[level] : "an undefined level";
}

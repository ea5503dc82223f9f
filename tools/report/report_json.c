/* The report as JSON: the same model as the HTML page, numbers in the
 * database's units (ms since 1970 UTC, mWh, mW), null for unknown. */
#include "report.h"

#include <stddef.h>

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void json_int(FILE *out, int64_t v)
{
    if (v < 0)
        fputs("null", out);
    else
        fprintf(out, "%lld", (long long)v);
}

static void json_double(FILE *out, double v)
{
    if (v > 0)
        fprintf(out, "%.3f", v);
    else
        fputs("null", out);
}

static void batteries(FILE *out, const report_t *r)
{
    static const struct {
        const char *key;
        size_t offset;
    } texts[] = {
        {"unique_id", offsetof(report_battery_t, unique_id)},
        {"device_name", offsetof(report_battery_t, device_name)},
        {"manufacturer", offsetof(report_battery_t, manufacturer)},
        {"serial", offsetof(report_battery_t, serial)},
        {"chemistry", offsetof(report_battery_t, chemistry)},
        {"bus", offsetof(report_battery_t, bus)},
    };
    fputs("\"batteries\":[", out);
    for (size_t i = 0; i < r->battery_count; i++) {
        const report_battery_t *b = &r->batteries[i];
        fprintf(out, "%s{\"id\":%lld", i ? "," : "", (long long)b->id);
        for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
            fprintf(out, ",\"%s\":", texts[k].key);
            json_string(out, (const char *)b + texts[k].offset);
        }
        fputs(",\"design_mwh\":", out);
        json_int(out, b->design_mwh);
        fputs(",\"full_mwh\":", out);
        json_int(out, b->full_mwh);
        fputs(",\"cycle_count\":", out);
        json_int(out, b->cycle_count);
        fprintf(out,
                ",\"first_seen_ms\":%lld,\"last_seen_ms\":%lld,\"drain_mwh\":%lld,"
                "\"discharge_ms\":%lld,\"average_drain_mw\":",
                (long long)b->first_seen_ms, (long long)b->last_seen_ms, (long long)b->drain_mwh,
                (long long)b->discharge_ms);
        json_double(out, b->average_drain_mw);
        fputs(",\"life_full_h\":", out);
        json_double(out, b->life_full_h);
        fputs(",\"life_design_h\":", out);
        json_double(out, b->life_design_h);
        fputs("}", out);
    }
    fputs("]", out);
}

int report_write_json(FILE *out, const report_t *r)
{
    fputs("{\"history\":", out);
    json_string(out, r->path);
    fprintf(out, ",\"generated_ms\":%lld,\"start_ms\":%lld,\"end_ms\":%lld,\"days\":%u,",
            (long long)r->generated_ms, (long long)r->start_ms, (long long)r->end_ms, r->days);
    batteries(out, r);
    fputs(",\"recent\":[", out);
    for (size_t i = 0; i < r->change_count; i++) {
        const report_change_t *c = &r->changes[i];
        fprintf(out, "%s{\"t_ms\":%lld,\"battery\":%zu,\"power_state\":%u,\"capacity_mwh\":",
                i ? "," : "", (long long)c->t_ms, c->battery, (unsigned)c->power_state);
        json_int(out, c->capacity_mwh);
        fputs("}", out);
    }
    fputs("],\"per_day\":[", out);
    for (size_t i = 0; i < r->days; i++) {
        const report_day_t *d = &r->per_day[i];
        fprintf(out, "%s{\"start_ms\":%lld,\"drain_mwh\":%lld,\"battery_ms\":%lld,\"ac_ms\":%lld}",
                i ? "," : "", (long long)d->start_ms, (long long)d->drain_mwh,
                (long long)d->battery_ms, (long long)d->ac_ms);
    }
    fprintf(out, "],\"weeks\":%zu,\"capacity\":[", r->weeks);
    for (size_t i = 0; i < r->capacity_count; i++) {
        const report_capacity_point_t *p = &r->capacity[i];
        fprintf(out, "%s{\"battery\":%zu,\"week\":%zu,\"t_ms\":%lld,\"full_mwh\":", i ? "," : "",
                p->battery, p->week, (long long)p->t_ms);
        json_int(out, p->full_mwh);
        fputs(",\"design_mwh\":", out);
        json_int(out, p->design_mwh);
        fputs(",\"cycle_count\":", out);
        json_int(out, p->cycle_count);
        fputs("}", out);
    }
    fputs("],\"average_drain_mw\":", out);
    json_double(out, r->average_drain_mw);
    fputs("}\n", out);
    return ferror(out) ? -1 : 0;
}

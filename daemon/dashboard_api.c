/* The dashboard's data: the live state as JSON (/api/system,
 * /api/batteries, /api/policy) and as server-sent events (/events), all
 * from the battery watcher's live state (history_monitor.c) and the power
 * manager, which are safe to read from any thread. An event is sent when
 * the watcher's generation moves (the notifications battctl watch waits
 * on), never on a timer of its own. Read-only: nothing here changes state. */
#include "battd.h"
#include "dashboard.h"
#include "history.h"
#include "http.h"

#include <poclass.h>
#include <stdlib.h>
#include <string.h>

#define WAIT_SLICE_MS 250   /* a stream sees http_stopping() this soon */
#define KEEPALIVE_MS  15000 /* a comment line after this long without news */

static bk_host_t *dash_host;

/* ---- JSON ---- */
static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void json_int(FILE *out, int64_t v)
{
    if (v == HIST_UNKNOWN)
        fputs("null", out);
    else
        fprintf(out, "%lld", (long long)v);
}

static const char *ac_name(int ac)
{
    return ac == 1 ? "online" : ac == 0 ? "offline" : "unknown";
}

/* The same words as battctl --json (tools/battctl/format.c). */
static const struct {
    uint32_t bit;
    const char *name;
} state_bits[] = {
    {BATTERY_CHARGING, "charging"},
    {BATTERY_DISCHARGING, "discharging"},
    {BATTERY_POWER_ON_LINE, "power_on_line"},
    {BATTERY_CRITICAL, "critical"},
};

/* As battctl's percent: of the full-charge capacity, rounded, at most 100. */
static int64_t battery_percent(const live_battery_t *b)
{
    if (b->capacity_mwh == HIST_UNKNOWN || b->full_mwh == HIST_UNKNOWN || b->full_mwh <= 0)
        return HIST_UNKNOWN;
    double p = 100.0 * (double)b->capacity_mwh / (double)b->full_mwh;
    return p > 100 ? 100 : (int64_t)(p + 0.5);
}

static void write_battery(FILE *out, const live_battery_t *b)
{
    static const struct {
        const char *key;
        size_t offset;
    } texts[] = {
        {"unique_id", offsetof(live_battery_t, unique_id)},
        {"name", offsetof(live_battery_t, device_name)},
        {"manufacturer", offsetof(live_battery_t, manufacturer)},
        {"serial", offsetof(live_battery_t, serial)},
        {"chemistry", offsetof(live_battery_t, chemistry)},
        {"bus", offsetof(live_battery_t, bus)},
    };
    /* The path as battctl and SetupDi show it: \\?\ in user mode, not \??\. */
    char path[sizeof b->path + 1];
    if (strncmp(b->path, "\\??\\", 4) == 0)
        snprintf(path, sizeof path, "\\\\?\\%s", b->path + 4);
    else
        snprintf(path, sizeof path, "%s", b->path);
    fputs("{\"path\":", out);
    json_string(out, path);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        fprintf(out, ",\"%s\":", texts[i].key);
        json_string(out, (const char *)b + texts[i].offset);
    }
    fprintf(out, ",\"present\":%s,\"percent\":", b->present ? "true" : "false");
    json_int(out, battery_percent(b));
    const struct {
        const char *key;
        int64_t v;
    } numbers[] = {
        {"capacity_mwh", b->capacity_mwh}, {"full_mwh", b->full_mwh},
        {"design_mwh", b->design_mwh},     {"rate_mw", b->rate_mw},
        {"voltage_mv", b->voltage_mv},     {"temperature_dk", b->temperature_dk},
        {"cycle_count", b->cycle_count},   {"t_ms", b->t_ms},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        fprintf(out, ",\"%s\":", numbers[i].key);
        json_int(out, numbers[i].v);
    }
    fprintf(out, ",\"rechargeable\":%s,\"power_state\":[", b->technology == 1 ? "true" : "false");
    bool first = true;
    for (size_t i = 0; i < sizeof state_bits / sizeof state_bits[0]; i++)
        if (b->present && (b->power_state & state_bits[i].bit)) {
            fprintf(out, "%s\"%s\"", first ? "" : ",", state_bits[i].name);
            first = false;
        }
    fputs("]}", out);
}

/* The batteries now (no bound on their number); *n set, NULL if none. */
static live_battery_t *snapshot(size_t *n, uint64_t *generation)
{
    size_t want = monitor_snapshot(NULL, 0, generation);
    for (;;) {
        live_battery_t *all = want ? calloc(want, sizeof *all) : NULL;
        if (want && !all) {
            *n = 0;
            return NULL;
        }
        size_t got = monitor_snapshot(all, want, generation);
        if (got <= want) {
            *n = got;
            return all;
        }
        free(all); /* one arrived between the two calls */
        want = got;
    }
}

static void write_batteries(FILE *out, const live_battery_t *all, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        write_battery(out, &all[i]);
    }
    fputc(']', out);
}

static void write_system(FILE *out, size_t nbatteries, uint64_t generation)
{
    live_system_t s;
    monitor_system_state(&s);
    bk_power_state_t ps;
    bool have_ps = dash_host && bk_host_power_state(dash_host, &ps) == STATUS_SUCCESS;
    fputs("{\"machine\":", out);
    json_string(out, battd_machine_name());
    /* ac_line_status as SYSTEM_POWER_STATUS (and battctl --json) has it. */
    fprintf(out, ",\"time_ms\":%lld,\"generation\":%llu,\"ac_line_status\":%d,\"ac\":\"%s\"",
            (long long)history_now_ms(), (unsigned long long)generation, s.ac_line_status,
            ac_name(s.ac_line_status));
    fprintf(out, ",\"on_battery\":%s,\"battery_flag\":%d,\"battery_life_percent\":",
            s.ac_line_status == 0 ? "true" : "false", s.battery_flag);
    json_int(out, s.battery_life_percent == 255 ? HIST_UNKNOWN : s.battery_life_percent);
    fputs(",\"battery_life_time_s\":", out);
    json_int(out, s.battery_life_time_s < 0 ? HIST_UNKNOWN : s.battery_life_time_s);
    fputs(",\"remaining_mwh\":", out);
    json_int(out, s.remaining_mwh);
    fputs(",\"full_mwh\":", out);
    json_int(out, s.full_mwh);
    fputs(",\"rate_mw\":", out);
    json_int(out, s.rate_mw);
    fprintf(out, ",\"policy_level\":\"%s\",\"batteries\":%zu,\"history\":%s}",
            have_ps ? bk_po_level_name(ps.policy_level) : "unknown", nbatteries,
            history_enabled() ? "true" : "false");
}

/* The DC policy as the power manager keeps it. Changing it is battctl
 * policy's job (privileged peers on battd's socket); this server has no
 * way to change it, so "writable" is always false. */
static void write_policy(FILE *out)
{
    bk_dc_policy_t p;
    bk_host_get_dc_policy(dash_host, &p);
    fputs("{\"writable\":false,\"levels\":[", out);
    for (uint32_t l = BK_PO_LEVEL_LOW; l < BK_PO_LEVEL_COUNT; l++)
        fprintf(out, "%s{\"level\":\"%s\",\"percent\":%u,\"minutes\":%u,\"action\":\"%s\"}",
                l == BK_PO_LEVEL_LOW ? "" : ",", bk_po_level_name(l), p.percent[l], p.minutes[l],
                bk_po_action_name(p.action[l]));
    fprintf(out, "],\"critical_delay_s\":%u}", p.critical_delay_s);
}

uint64_t dashboard_write_state(FILE *out)
{
    size_t n;
    uint64_t g;
    live_battery_t *all = snapshot(&n, &g);
    fputs("{\"system\":", out);
    write_system(out, n, g);
    fputs(",\"batteries\":", out);
    write_batteries(out, all, n);
    fputs(",\"policy\":", out);
    write_policy(out);
    fputc('}', out);
    free(all);
    return g;
}

/* ---- routes ---- */
static void get_system(const http_request_t *req, http_response_t *res)
{
    (void)req;
    size_t n;
    uint64_t g;
    free(snapshot(&n, &g));
    res->content_type = "application/json";
    write_system(res->body, n, g);
    fputc('\n', res->body);
}

static void get_batteries(const http_request_t *req, http_response_t *res)
{
    (void)req;
    size_t n;
    uint64_t g;
    live_battery_t *all = snapshot(&n, &g);
    res->content_type = "application/json";
    write_batteries(res->body, all, n);
    fputc('\n', res->body);
    free(all);
}

static void get_policy(const http_request_t *req, http_response_t *res)
{
    (void)req;
    res->content_type = "application/json";
    write_policy(res->body);
    fputc('\n', res->body);
}

/* ---- /events ---- */
typedef struct events {
    uint64_t seen;
    bool started;
    unsigned idle_ms;
} events_t;

static void write_event(FILE *out, events_t *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *state = open_memstream(&buf, &len);
    if (!state)
        return;
    /* The generation the state was read at: the next wait starts there. */
    uint64_t g = dashboard_write_state(state);
    if (fclose(state) != 0) {
        free(buf);
        return;
    }
    e->seen = g;
    fprintf(out, "id: %llu\nevent: state\ndata: %s\n\n", (unsigned long long)e->seen, buf);
    free(buf);
    e->idle_ms = 0;
}

static int events_next(void *ctx, FILE *out)
{
    events_t *e = ctx;
    if (!e->started) {
        e->started = true;
        fputs("retry: 2000\n", out); /* EventSource reconnects after a battd restart */
        write_event(out, e);
        return 0;
    }
    uint64_t g = monitor_wait_change(e->seen, WAIT_SLICE_MS);
    if (http_stopping())
        return 1;
    if (g != e->seen) {
        write_event(out, e);
    } else if ((e->idle_ms += WAIT_SLICE_MS) >= KEEPALIVE_MS) {
        fputs(": still here\n\n", out); /* finds a client that went away */
        e->idle_ms = 0;
    }
    return 0;
}

static void get_events(const http_request_t *req, http_response_t *res)
{
    (void)req;
    events_t *e = calloc(1, sizeof *e);
    if (!e) {
        res->status = 503;
        fputs("out of memory\n", res->body);
        return;
    }
    res->content_type = "text/event-stream";
    res->stream = (http_stream_t){.next = events_next, .done = free, .ctx = e};
}

int dashboard_api_register(bk_host_t *host)
{
    dash_host = host;
    static const http_route_t routes[] = {
        {"GET", "/api/system", get_system},
        {"GET", "/api/batteries", get_batteries},
        {"GET", "/api/policy", get_policy},
        {"GET", "/events", get_events},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (http_route_add(&routes[i]) != 0)
            return -1;
    return 0;
}

/* metrics_dump [--machine FILE] [--check]: battd's metrics exposition of a
 * machine, booted in process, on stdout (for promtool check metrics).
 * --check also reads every battery and the power manager directly (the
 * IOCTLs, not the watcher) and compares them with the exposition as a
 * scraper reads it: its own parser of the text format, label values
 * unescaped, so a wrong value, a lost battery or a broken escape fails. */
#include "metrics_boot.h"
#include "metrics.h"

#include <windows.h>
#include <poclass.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the text format, read back ---- */
typedef struct sample {
    char name[128];
    char unique_id[256]; /* the unique_id label, unescaped ("" if none) */
    char device_name[256];
    double value;
} sample_t;

/* name{a="v",...} value; label values unescaped. false on a malformed line. */
static bool parse_line(const char *line, sample_t *s)
{
    memset(s, 0, sizeof *s);
    size_t n = strcspn(line, "{ ");
    if (n == 0 || n >= sizeof s->name)
        return false;
    memcpy(s->name, line, n);
    const char *p = line + n;
    if (*p == '{') {
        p++;
        while (*p != '}') {
            char key[64], val[256];
            size_t k = strcspn(p, "=");
            if (k == 0 || k >= sizeof key || p[k] != '=' || p[k + 1] != '"')
                return false;
            memcpy(key, p, k);
            key[k] = 0;
            p += k + 2;
            size_t v = 0;
            for (; *p && *p != '"'; p++) {
                char c = *p;
                if (c == '\\') {
                    p++;
                    c = *p == 'n' ? '\n' : *p; /* \\ \" \n */
                    if (!*p)
                        return false;
                }
                if (v + 1 < sizeof val)
                    val[v++] = c;
            }
            if (*p != '"')
                return false;
            val[v] = 0;
            p++;
            if (strcmp(key, "unique_id") == 0)
                snprintf(s->unique_id, sizeof s->unique_id, "%s", val);
            if (strcmp(key, "device_name") == 0)
                snprintf(s->device_name, sizeof s->device_name, "%s", val);
            if (*p == ',')
                p++;
            else if (*p != '}')
                return false;
        }
        p++;
    }
    if (*p != ' ')
        return false;
    char *end;
    s->value = strtod(p + 1, &end);
    return end != p + 1 && (*end == 0 || *end == '\n');
}

static sample_t *samples;
static size_t nsamples;

static bool read_back(const char *text)
{
    for (const char *line = text; *line;) {
        const char *eol = strchr(line, '\n');
        if (!eol)
            return false; /* the format ends every line */
        char buf[2048];
        size_t len = (size_t)(eol - line);
        if (len >= sizeof buf)
            return false;
        memcpy(buf, line, len);
        buf[len] = 0;
        line = eol + 1;
        if (buf[0] == '#')
            continue;
        sample_t *grown = realloc(samples, (nsamples + 1) * sizeof *samples);
        if (!grown)
            return false;
        samples = grown;
        if (!parse_line(buf, &samples[nsamples])) {
            fprintf(stderr, "FAIL malformed sample line: %s\n", buf);
            return false;
        }
        nsamples++;
    }
    return true;
}

/* The one sample of name for the battery (uid NULL: a series without it). */
static const sample_t *find(const char *name, const char *uid)
{
    const sample_t *hit = NULL;
    for (size_t i = 0; i < nsamples; i++) {
        if (strcmp(samples[i].name, name) != 0 || strcmp(samples[i].unique_id, uid ? uid : "") != 0)
            continue;
        if (hit)
            return NULL; /* two series for one battery */
        hit = &samples[i];
    }
    return hit;
}

static int failures;

static void expect(const char *name, const char *uid, double want)
{
    const sample_t *s = find(name, uid);
    if (!s) {
        fprintf(stderr, "FAIL %s{unique_id=\"%s\"}: no single series\n", name, uid ? uid : "");
        failures++;
    } else if (s->value != want) {
        fprintf(stderr, "FAIL %s{unique_id=\"%s\"} = %.17g, the driver says %.17g\n", name,
                uid ? uid : "", s->value, want);
        failures++;
    }
}

/* ---- the batteries as their drivers answer ---- */
static void narrow(const WCHAR *w, size_t max, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < max && w[i] && o + 1 < n; i++)
        out[o++] = w[i] < 0x80 ? (char)w[i] : '?';
    out[o] = 0;
}

static bool query(bk_handle_t *h, ULONG tag, BATTERY_QUERY_INFORMATION_LEVEL level, void *out,
                  uint32_t len, uint32_t *got)
{
    BATTERY_QUERY_INFORMATION q = {.BatteryTag = tag, .InformationLevel = level};
    return bk_ioctl(h, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, out, len, got) == 0;
}

static void check_battery(bk_host_t *host, const char *path)
{
    bk_handle_t *h = NULL;
    ULONG zero = 0, tag = 0;
    uint32_t got = 0;
    if (bk_host_open(host, path, BK_ACCESS_READ, &h) != 0 ||
        bk_ioctl(h, IOCTL_BATTERY_QUERY_TAG, &zero, sizeof zero, &tag, sizeof tag, &got) != 0) {
        fprintf(stderr, "FAIL %s: cannot be read\n", path);
        failures++;
        if (h)
            bk_close(h);
        return;
    }
    WCHAR w[MAX_BATTERY_STRING_SIZE / sizeof(WCHAR)] = {0};
    char uid[256], name[256];
    query(h, tag, BatteryUniqueID, w, sizeof w, &got);
    narrow(w, got / sizeof(WCHAR), uid, sizeof uid);
    memset(w, 0, sizeof w);
    query(h, tag, BatteryDeviceName, w, sizeof w, &got);
    narrow(w, got / sizeof(WCHAR), name, sizeof name);
    BATTERY_INFORMATION bi = {0};
    query(h, tag, BatteryInformation, &bi, sizeof bi, &got);
    BATTERY_WAIT_STATUS ws = {.BatteryTag = tag};
    BATTERY_STATUS st = {0};
    bk_ioctl(h, IOCTL_BATTERY_QUERY_STATUS, &ws, sizeof ws, &st, sizeof st, &got);
    bk_close(h);

    expect("battkit_battery_remaining_capacity_wh", uid, st.Capacity / 1000.0);
    expect("battkit_battery_full_charge_capacity_wh", uid, bi.FullChargedCapacity / 1000.0);
    expect("battkit_battery_design_capacity_wh", uid, bi.DesignedCapacity / 1000.0);
    expect("battkit_battery_voltage_volts", uid, st.Voltage / 1000.0);
    expect("battkit_battery_rate_watts", uid, (LONG)st.Rate / 1000.0);
    expect("battkit_battery_cycles", uid, bi.CycleCount);
    const sample_t *info = find("battkit_battery_info", uid);
    if (!info || strcmp(info->device_name, name) != 0) {
        fprintf(stderr,
                "FAIL battkit_battery_info of %s: device_name \"%s\", the driver's \"%s\"\n", uid,
                info ? info->device_name : "(none)", name);
        failures++;
    }
    fprintf(stderr, "checked %s (%s): %.3f Wh of %.3f\n", uid, name, st.Capacity / 1000.0,
            bi.FullChargedCapacity / 1000.0);
}

static void check(metrics_boot_t *b)
{
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(b->host, &GUID_DEVICE_BATTERY, &paths);
    for (size_t i = 0; i < n; i++)
        if (!strstr(paths[i], "COMPOSITE"))
            check_battery(b->host, paths[i]);
    if (paths)
        bk_host_free_list(paths, n);
    expect("battkit_batteries", NULL, (double)b->batteries);
    bk_power_state_t ps;
    if (bk_host_power_state(b->host, &ps) == 0 && ps.battery_present) {
        expect("battkit_system_remaining_capacity_wh", NULL, ps.remaining_capacity / 1000.0);
        expect("battkit_system_full_charge_capacity_wh", NULL, ps.max_capacity / 1000.0);
        expect("battkit_system_ac_online", NULL, ps.ac_line_status);
    }
}

int main(int argc, char **argv)
{
    const char *machine = NULL;
    bool do_check = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--machine") == 0 && i + 1 < argc) {
            machine = argv[++i];
        } else if (strcmp(argv[i], "--check") == 0) {
            do_check = true;
        } else {
            fprintf(stderr, "usage: metrics_dump [--machine FILE] [--check]\n");
            return 2;
        }
    }
    metrics_boot_t b;
    if (metrics_boot(&b, machine, 20000) != 0)
        return 1;
    mtext_t t;
    mt_init(&t);
    int r = metrics_render(b.host, b.machine_name, &t);
    if (r == 0) {
        fwrite(t.buf, 1, t.len, stdout);
        if (do_check) {
            if (!read_back(t.buf))
                failures++;
            else
                check(&b);
        }
    } else {
        fprintf(stderr, "FAIL metrics_render: out of memory\n");
        failures++;
    }
    mt_free(&t);
    free(samples);
    if (metrics_shutdown(&b) != 0)
        failures++;
    return r != 0 || failures ? 1 : 0;
}

/* battd's state as Prometheus metrics (docs/metrics.md lists them): the
 * batteries from the battery watcher's live state (history_monitor.c), the
 * system from the power manager (ntos/po over the composite battery), the
 * counters battd keeps (stats.c) and battd's own process. Every family is a
 * row of a table; the text format is metrics_text.c's. Runs on whatever
 * thread serves the scrape: it only reads. */
#include "metrics.h"
#include "battd.h"
#include "history.h"

#include <windows.h>
#include <poclass.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* A value in a decimal unit: units / 10^decimals, or not known. */
typedef struct mval {
    bool known;
    int64_t units;
    int decimals;
} mval_t;

static mval_t milli(int64_t v) /* mWh, mW, mV, ms: HIST_UNKNOWN is unknown */
{
    return (mval_t){v != HIST_UNKNOWN, v, 3};
}

static mval_t whole(int64_t v)
{
    return (mval_t){v != HIST_UNKNOWN, v, 0};
}

/* ---- batteries ---- */
static bool relative(const live_battery_t *b) /* capacities not in mWh */
{
    return (b->capabilities & BATTERY_CAPACITY_RELATIVE) != 0;
}

static mval_t b_remaining(const live_battery_t *b)
{
    return relative(b) ? (mval_t){0} : milli(b->capacity_mwh);
}
static mval_t b_full(const live_battery_t *b)
{
    return relative(b) ? (mval_t){0} : milli(b->full_mwh);
}
static mval_t b_design(const live_battery_t *b)
{
    return relative(b) ? (mval_t){0} : milli(b->design_mwh);
}
static mval_t b_rate(const live_battery_t *b)
{
    return relative(b) ? (mval_t){0} : milli(b->rate_mw);
}
static mval_t b_voltage(const live_battery_t *b)
{
    return milli(b->voltage_mv);
}
/* Remaining over full charge, in millionths: a ratio needs no unit. */
static mval_t b_charge(const live_battery_t *b)
{
    if (b->capacity_mwh == HIST_UNKNOWN || b->full_mwh == HIST_UNKNOWN || b->full_mwh <= 0)
        return (mval_t){0};
    return (mval_t){true, b->capacity_mwh * 1000000 / b->full_mwh, 6};
}
static mval_t b_cycles(const live_battery_t *b)
{
    return whole(b->cycle_count);
}
/* Tenths of kelvin to hundredths of a degree Celsius: exact. */
static mval_t b_temperature(const live_battery_t *b)
{
    if (b->temperature_dk == HIST_UNKNOWN)
        return (mval_t){0};
    return (mval_t){true, b->temperature_dk * 10 - 27315, 2};
}
static mval_t b_time(const live_battery_t *b)
{
    return b->t_ms > 0 ? milli(b->t_ms) : (mval_t){0};
}

static const struct battery_family {
    const char *name, *type, *help;
    mval_t (*value)(const live_battery_t *b);
} battery_families[] = {
    {"battkit_battery_remaining_capacity_wh", "gauge",
     "Remaining capacity (BATTERY_STATUS.Capacity) in watt-hours.", b_remaining},
    {"battkit_battery_full_charge_capacity_wh", "gauge",
     "Full-charge capacity (BATTERY_INFORMATION.FullChargedCapacity) in watt-hours.", b_full},
    {"battkit_battery_design_capacity_wh", "gauge",
     "Design capacity (BATTERY_INFORMATION.DesignedCapacity) in watt-hours.", b_design},
    {"battkit_battery_rate_watts", "gauge",
     "Charge (positive) or discharge (negative) rate (BATTERY_STATUS.Rate) in watts.", b_rate},
    {"battkit_battery_voltage_volts", "gauge",
     "Terminal voltage (BATTERY_STATUS.Voltage) in volts.", b_voltage},
    {"battkit_battery_charge_ratio", "gauge", "Remaining capacity over full-charge capacity (0-1).",
     b_charge},
    {"battkit_battery_cycles", "gauge", "Charge/discharge cycles (BATTERY_INFORMATION.CycleCount).",
     b_cycles},
    {"battkit_battery_temperature_celsius", "gauge",
     "Battery temperature (BatteryTemperature) in degrees Celsius, where the driver knows it.",
     b_temperature},
    {"battkit_battery_status_time_seconds", "gauge",
     "When the status was read, seconds since 1970 by battd's clock (virtual on a virtual-time "
     "machine).",
     b_time},
};

/* BATTERY_STATUS.PowerState bits: several can be set at once. */
static const struct {
    uint32_t bit;
    const char *name;
} power_state_bits[] = {
    {BATTERY_POWER_ON_LINE, "power_on_line"},
    {BATTERY_DISCHARGING, "discharging"},
    {BATTERY_CHARGING, "charging"},
    {BATTERY_CRITICAL, "critical"},
};

static void battery_labels(mtext_t *l, const live_battery_t *b, const char *machine)
{
    mt_reset(l);
    mt_label(l, "unique_id", b->unique_id);
    mt_label(l, "device_name", b->device_name);
    mt_label(l, "manufacturer", b->manufacturer);
    mt_label(l, "chemistry", b->chemistry);
    mt_label(l, "bus", b->bus);
    mt_label(l, "machine", machine);
}

static void render_batteries(mtext_t *t, const live_battery_t *bs, size_t n, const char *machine)
{
    size_t present = 0;
    for (size_t i = 0; i < n; i++)
        present += bs[i].present;
    mtext_t l = {0};
    mtext_t *labels = calloc(present ? present : 1, sizeof *labels);
    if (!labels) {
        t->failed = true;
        return;
    }
    /* The label sets once per battery; every family repeats them. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (bs[i].present)
            battery_labels(&labels[k++], &bs[i], machine);

    mt_family(t, "battkit_batteries", "gauge", "Batteries present.");
    mt_label(&l, "machine", machine);
    mt_sample_fixed(t, "battkit_batteries", &l, (int64_t)present, 0);
    mt_family(t, "battkit_battery_slots", "gauge",
              "Battery device interfaces (slots), with or without a battery in them.");
    mt_sample_fixed(t, "battkit_battery_slots", &l, (int64_t)n, 0);

    mt_family(t, "battkit_battery_info", "gauge",
              "Always 1: a present battery's identity, with its serial number and slot.");
    k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!bs[i].present)
            continue;
        mt_reset(&l);
        mt_append(&l, labels[k].buf, labels[k].len);
        mt_label(&l, "serial", bs[i].serial);
        mt_label(&l, "slot", bs[i].path);
        mt_sample_fixed(t, "battkit_battery_info", &l, 1, 0);
        k++;
    }
    for (size_t f = 0; f < sizeof battery_families / sizeof battery_families[0]; f++) {
        const struct battery_family *fam = &battery_families[f];
        mt_family(t, fam->name, fam->type, fam->help);
        k = 0;
        for (size_t i = 0; i < n; i++) {
            if (!bs[i].present)
                continue;
            mval_t v = fam->value(&bs[i]);
            if (v.known)
                mt_sample_fixed(t, fam->name, &labels[k], v.units, v.decimals);
            k++;
        }
    }
    mt_family(t, "battkit_battery_state", "gauge",
              "BATTERY_STATUS.PowerState, one series per flag: 1 set, 0 not.");
    k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!bs[i].present)
            continue;
        for (size_t s = 0; s < sizeof power_state_bits / sizeof power_state_bits[0]; s++) {
            mt_reset(&l);
            mt_append(&l, labels[k].buf, labels[k].len);
            mt_label(&l, "state", power_state_bits[s].name);
            mt_sample_fixed(t, "battkit_battery_state", &l,
                            (bs[i].power_state & power_state_bits[s].bit) != 0, 0);
        }
        k++;
    }
    for (size_t i = 0; i < present; i++) {
        if (labels[i].failed)
            t->failed = true;
        mt_free(&labels[i]);
    }
    if (l.failed)
        t->failed = true;
    free(labels);
    mt_free(&l);
}

/* ---- the system: the power manager ---- */
static bool s_absolute(const bk_power_state_t *s)
{
    return s->battery_present && !(s->capabilities & BATTERY_CAPACITY_RELATIVE);
}
static mval_t s_ac(const bk_power_state_t *s)
{
    return (mval_t){s->ac_line_status <= 1, s->ac_line_status, 0};
}
static mval_t s_present(const bk_power_state_t *s)
{
    return (mval_t){true, s->battery_present, 0};
}
static mval_t s_charging(const bk_power_state_t *s)
{
    return (mval_t){true, s->charging, 0};
}
static mval_t s_discharging(const bk_power_state_t *s)
{
    return (mval_t){true, s->discharging, 0};
}
static mval_t s_remaining(const bk_power_state_t *s)
{
    return (mval_t){s_absolute(s) && s->remaining_capacity != BATTERY_UNKNOWN_CAPACITY,
                    s->remaining_capacity, 3};
}
static mval_t s_full(const bk_power_state_t *s)
{
    return (mval_t){s_absolute(s) && s->max_capacity != BATTERY_UNKNOWN_CAPACITY, s->max_capacity,
                    3};
}
static mval_t s_rate(const bk_power_state_t *s)
{
    return (mval_t){s_absolute(s) && s->rate != INT32_MIN, s->rate, 3};
}
static mval_t s_percent(const bk_power_state_t *s) /* 255: unknown */
{
    return (mval_t){s->battery_life_percent <= 100, s->battery_life_percent, 2};
}
static mval_t s_life(const bk_power_state_t *s)
{
    return (mval_t){s->battery_life_time != BATTERY_UNKNOWN_TIME, s->battery_life_time, 0};
}
static mval_t s_full_life(const bk_power_state_t *s)
{
    return (mval_t){s->battery_full_life_time != BATTERY_UNKNOWN_TIME, s->battery_full_life_time,
                    0};
}

static const struct system_family {
    const char *name, *help;
    mval_t (*value)(const bk_power_state_t *s);
} system_families[] = {
    {"battkit_system_ac_online", "SYSTEM_POWER_STATUS.ACLineStatus: 1 on AC, 0 on battery.", s_ac},
    {"battkit_system_battery_present", "SYSTEM_BATTERY_STATE.BatteryPresent (the composite).",
     s_present},
    {"battkit_system_charging", "SYSTEM_BATTERY_STATE.Charging.", s_charging},
    {"battkit_system_discharging", "SYSTEM_BATTERY_STATE.Discharging.", s_discharging},
    {"battkit_system_remaining_capacity_wh",
     "SYSTEM_BATTERY_STATE.RemainingCapacity of all batteries, in watt-hours.", s_remaining},
    {"battkit_system_full_charge_capacity_wh",
     "SYSTEM_BATTERY_STATE.MaxCapacity of all batteries, in watt-hours.", s_full},
    {"battkit_system_rate_watts", "SYSTEM_BATTERY_STATE.Rate: negative discharging, in watts.",
     s_rate},
    {"battkit_system_battery_life_ratio", "SYSTEM_POWER_STATUS.BatteryLifePercent over 100.",
     s_percent},
    {"battkit_system_battery_life_time_seconds",
     "SYSTEM_POWER_STATUS.BatteryLifeTime: seconds left on battery.", s_life},
    {"battkit_system_battery_full_life_time_seconds",
     "SYSTEM_POWER_STATUS.BatteryFullLifeTime: seconds a full charge lasts.", s_full_life},
};

static void render_system(mtext_t *t, bk_host_t *host, const char *machine)
{
    mtext_t l = {0};
    mt_label(&l, "machine", machine);
    bk_power_state_t s;
    bool have = bk_host_power_state(host, &s) == STATUS_SUCCESS;
    for (size_t f = 0; f < sizeof system_families / sizeof system_families[0]; f++) {
        mt_family(t, system_families[f].name, "gauge", system_families[f].help);
        mval_t v = have ? system_families[f].value(&s) : (mval_t){0};
        if (v.known)
            mt_sample_fixed(t, system_families[f].name, &l, v.units, v.decimals);
    }
    bk_dc_policy_t p;
    bk_host_get_dc_policy(host, &p);
    mtext_t ll = {0};
    mt_family(t, "battkit_power_policy_level", "gauge",
              "The DC policy level the system is in: 1 for the present one.");
    for (uint32_t lv = 0; lv < BK_PO_LEVEL_COUNT && have; lv++) {
        mt_reset(&ll);
        mt_append(&ll, l.buf, l.len);
        mt_label(&ll, "level", bk_po_level_name(lv));
        mt_sample_fixed(t, "battkit_power_policy_level", &ll, s.policy_level == lv, 0);
    }
    mt_family(t, "battkit_power_policy_threshold_ratio", "gauge",
              "The charge (over 100) at which a DC policy level is reached.");
    for (uint32_t lv = BK_PO_LEVEL_LOW; lv < BK_PO_LEVEL_COUNT; lv++) {
        mt_reset(&ll);
        mt_append(&ll, l.buf, l.len);
        mt_label(&ll, "level", bk_po_level_name(lv));
        mt_label(&ll, "action", bk_po_action_name(p.action[lv]));
        mt_sample_fixed(t, "battkit_power_policy_threshold_ratio", &ll, p.percent[lv], 2);
    }
    mt_family(t, "battkit_power_policy_actions_total", "counter",
              "DC policy actions carried out, by level and action.");
    for (uint32_t lv = BK_PO_LEVEL_LOW; lv < BK_PO_LEVEL_COUNT; lv++)
        for (uint32_t a = 0; a < BK_PO_ACTION_COUNT; a++) {
            mt_reset(&ll);
            mt_append(&ll, l.buf, l.len);
            mt_label(&ll, "level", bk_po_level_name(lv));
            mt_label(&ll, "action", bk_po_action_name(a));
            mt_sample_fixed(t, "battkit_power_policy_actions_total", &ll,
                            (int64_t)stat_policy_actions(lv, a), 0);
        }
    static const struct {
        stat_counter_t which;
        const char *result;
    } commands[] = {
        {STAT_COMMANDS_RUN, "started"},
        {STAT_COMMANDS_FAILED, "failed"},
        {STAT_COMMANDS_MISSING, "not_configured"},
    };
    mt_family(t, "battkit_power_policy_commands_total", "counter",
              "Policy action commands (--action-command): started, failed to start, or none "
              "configured.");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        mt_reset(&ll);
        mt_append(&ll, l.buf, l.len);
        mt_label(&ll, "result", commands[i].result);
        mt_sample_fixed(t, "battkit_power_policy_commands_total", &ll, stat_get(commands[i].which),
                        0);
    }
    mt_family(t, "battkit_clock_seconds", "gauge",
              "battd's clock, seconds since 1970 (virtual on a virtual-time machine).");
    mt_sample_fixed(t, "battkit_clock_seconds", &l, history_now_ms(), 3);
    if (l.failed || ll.failed)
        t->failed = true;
    mt_free(&l);
    mt_free(&ll);
}

/* ---- the server's counters ---- */
static const char *ioctl_name(uint32_t code, char *buf, size_t n)
{
    static const struct {
        uint32_t code;
        const char *name;
    } names[] = {
        {IOCTL_BATTERY_QUERY_TAG, "IOCTL_BATTERY_QUERY_TAG"},
        {IOCTL_BATTERY_QUERY_INFORMATION, "IOCTL_BATTERY_QUERY_INFORMATION"},
        {IOCTL_BATTERY_SET_INFORMATION, "IOCTL_BATTERY_SET_INFORMATION"},
        {IOCTL_BATTERY_QUERY_STATUS, "IOCTL_BATTERY_QUERY_STATUS"},
        {IOCTL_BATTERY_CHARGING_SOURCE_CHANGE, "IOCTL_BATTERY_CHARGING_SOURCE_CHANGE"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == code)
            return names[i].name;
    snprintf(buf, n, "0x%08x", code);
    return buf;
}

static const char *const message_names[BKP_MSG_COUNT] = {
    [BKP_MSG_HELLO] = "HELLO",
    [BKP_MSG_ENUM_INTERFACES] = "ENUM_INTERFACES",
    [BKP_MSG_WATCH_INTERFACES] = "WATCH_INTERFACES",
    [BKP_MSG_OPEN] = "OPEN",
    [BKP_MSG_CLOSE] = "CLOSE",
    [BKP_MSG_IOCTL] = "IOCTL",
    [BKP_MSG_CANCEL] = "CANCEL",
    [BKP_MSG_POWER_STATUS] = "POWER_STATUS",
    [BKP_MSG_ADVANCE] = "ADVANCE",
    [BKP_MSG_SIM] = "SIM",
    [BKP_MSG_POLICY_GET] = "POLICY_GET",
    [BKP_MSG_POLICY_SET] = "POLICY_SET",
    [BKP_MSG_SETUP] = "SETUP",
    [BKP_MSG_POWER_STATE] = "POWER_STATE",
    [BKP_MSG_DC_POLICY_GET] = "DC_POLICY_GET",
    [BKP_MSG_DC_POLICY_SET] = "DC_POLICY_SET",
};

static void render_server(mtext_t *t)
{
    static const struct {
        const char *name, *type, *help;
        stat_counter_t which;
    } plain[] = {
        {"battkit_clients", "gauge", "Clients connected to battd's socket now.", STAT_CLIENTS},
        {"battkit_clients_accepted_total", "counter", "Client connections accepted.",
         STAT_CLIENTS_ACCEPTED},
        {"battkit_clients_refused_total", "counter",
         "Client connections refused (--max-clients, no peer credentials).", STAT_CLIENTS_REFUSED},
        {"battkit_clients_dropped_total", "counter",
         "Clients disconnected by battd for a malformed message or unread replies.",
         STAT_CLIENTS_DROPPED},
        {"battkit_pending_ioctls", "gauge",
         "Client IOCTLs in flight now: mostly waits (QUERY_TAG, QUERY_STATUS with a timeout).",
         STAT_PENDING_IOCTLS},
    };
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        mt_family(t, plain[i].name, plain[i].type, plain[i].help);
        mt_sample_fixed(t, plain[i].name, NULL, stat_get(plain[i].which), 0);
    }
    mt_family(t, "battkit_monitor_pending_waits", "gauge",
              "battd's own battery watcher's waits in flight (one per battery slot).");
    mt_sample_fixed(t, "battkit_monitor_pending_waits", NULL, monitor_pending_waits(), 0);

    mtext_t l = {0};
    mt_family(t, "battkit_messages_total", "counter",
              "Protocol requests handled, by message type.");
    for (uint16_t m = 1; m < BKP_MSG_COUNT; m++) {
        if (!message_names[m])
            continue;
        mt_reset(&l);
        mt_label(&l, "type", message_names[m]);
        mt_sample_fixed(t, "battkit_messages_total", &l, (int64_t)stat_messages(m), 0);
    }
    stat_ioctl_row_t rows[STAT_IOCTL_SLOTS + 1];
    size_t n = stat_ioctl_rows(rows, STAT_IOCTL_SLOTS + 1);
    mt_family(t, "battkit_ioctls_total", "counter",
              "Client IOCTLs answered, by code and NTSTATUS (code \"other\": past the table's "
              "bound).");
    for (size_t i = 0; i < n; i++) {
        char code[16];
        mt_reset(&l);
        mt_label(&l, "code",
                 rows[i].overflow ? "other" : ioctl_name(rows[i].code, code, sizeof code));
        mt_label(&l, "status", rows[i].overflow ? "other" : dlog_status_name(rows[i].status));
        mt_sample_fixed(t, "battkit_ioctls_total", &l, (int64_t)rows[i].count, 0);
    }
    if (l.failed)
        t->failed = true;
    mt_free(&l);
}

/* ---- battd's process (the names every Prometheus client library uses) ---- */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* not the directory's own descriptor */
}

/* /proc/self/stat after the command name: fields 14, 15 (utime, stime in
 * clock ticks), 22 (start, ticks after boot), 23 (vsize bytes), 24 (rss pages). */
static bool read_stat(unsigned long long f[25])
{
    char buf[1024];
    FILE *fp = fopen("/proc/self/stat", "r");
    if (!fp)
        return false;
    size_t got = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[got] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (!p)
        return false;
    p++;
    memset(f, 0, 25 * sizeof *f);
    for (int i = 3; i <= 24; i++) {
        while (*p == ' ')
            p++;
        if (i == 3) { /* the state letter */
            p++;
            continue;
        }
        char *end;
        f[i] = strtoull(p, &end, 10);
        if (end == p)
            return false;
        p = end;
    }
    return true;
}

static long long boot_time(void)
{
    FILE *fp = fopen("/proc/stat", "r");
    if (!fp)
        return -1;
    char line[256];
    long long bt = -1;
    while (fgets(line, sizeof line, fp))
        if (sscanf(line, "btime %lld", &bt) == 1)
            break;
    fclose(fp);
    return bt;
}

static void render_process(mtext_t *t)
{
    unsigned long long f[25];
    long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    if (read_stat(f) && tick > 0) {
        mt_family(t, "process_cpu_seconds_total", "counter",
                  "Total user and system CPU time spent in seconds.");
        mt_sample_double(t, "process_cpu_seconds_total", NULL, (double)(f[14] + f[15]) / tick);
        mt_family(t, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
        mt_sample_fixed(t, "process_virtual_memory_bytes", NULL, (int64_t)f[23], 0);
        mt_family(t, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        mt_sample_fixed(t, "process_resident_memory_bytes", NULL, (int64_t)f[24] * page, 0);
        long long bt = boot_time();
        if (bt >= 0) {
            mt_family(t, "process_start_time_seconds", "gauge",
                      "Start time of the process since unix epoch in seconds.");
            mt_sample_double(t, "process_start_time_seconds", NULL,
                             (double)bt + (double)f[22] / tick);
        }
    }
    int fds = count_fds();
    if (fds >= 0) {
        mt_family(t, "process_open_fds", "gauge", "Number of open file descriptors.");
        mt_sample_fixed(t, "process_open_fds", NULL, fds, 0);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        mt_family(t, "process_max_fds", "gauge", "Maximum number of open file descriptors.");
        mt_sample_fixed(t, "process_max_fds", NULL, (int64_t)rl.rlim_cur, 0);
    }
}

int metrics_render(bk_host_t *host, const char *machine, mtext_t *t)
{
    /* The last scrape's size plus a little: one allocation, no regrowth
     * copies (a 500-battery machine is about 1 MB). */
    static _Atomic size_t last_len;
    mt_reset(t);
    mt_reserve(t, last_len + last_len / 8);
    mtext_t l = {0};
    mt_label(&l, "version", BATTKIT_VERSION);
    mt_label(&l, "machine", machine);
    mt_family(t, "battkit_build_info", "gauge", "Always 1: battd's version and machine.");
    mt_sample_fixed(t, "battkit_build_info", &l, 1, 0);
    if (l.failed)
        t->failed = true;
    mt_free(&l);

    /* The watcher's list may grow between the count and the copy: retry. */
    live_battery_t *bs = NULL;
    size_t n = monitor_snapshot(NULL, 0, NULL), got;
    for (;;) {
        live_battery_t *grown = realloc(bs, (n ? n : 1) * sizeof *bs);
        if (!grown) {
            free(bs);
            t->failed = true;
            return -1;
        }
        bs = grown;
        got = monitor_snapshot(bs, n, NULL);
        if (got <= n)
            break;
        n = got;
    }
    render_batteries(t, bs, got, machine);
    free(bs);
    render_system(t, host, machine);
    render_server(t);
    render_process(t);
    if (!t->failed)
        last_len = t->len;
    return t->failed ? -1 : 0;
}

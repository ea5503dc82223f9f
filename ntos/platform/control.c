/* The host control API of the simulated machine (host.h, platform
 * additions): AC, system load, insertion and removal, faults, state of
 * charge, temperature, ageing, firmware shape, and reading the model's own
 * values back. Each change moves the physics to now first and raises the
 * Notify values a firmware would. Called from host threads, never from a
 * driver. */
#include "platform_internal.h"

#include <stdarg.h>
#include <stdio.h>

static char last_error[512];

void plat_set_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    bk_log(BK_LOG_ERROR, "%s", last_error);
}

void plat_keep_error(const char *text)
{
    snprintf(last_error, sizeof last_error, "%s", text);
}

const char *bk_platform_last_error(void)
{
    return last_error;
}

/* ---- changes (plat.lock held; shared with the scenario runner) ---- */

NTSTATUS plat_set_ac_locked(const char *name, bool online)
{
    size_t device;
    bool any = false;
    for (size_t i = 0; i < plat.nac; i++) {
        plat_ac_t *a = &plat.ac[i];
        if (name && strcasecmp(a->name, name) != 0)
            continue;
        any = true;
        if (a->online == online)
            continue;
        a->online = online;
        /* docs (firmware page): on a _PSR change the platform notifies
         * the power source device 0x80 at once; a machine may say its
         * firmware does not (notify = no), leaving the batteries' own. */
        plat_find_ac_locked(a->name, &device);
        if (a->notify)
            plat_queue_event_locked(device, BATTKIT_NOTIFY_STATUS);
    }
    if (!any)
        return STATUS_NO_SUCH_DEVICE;
    plat_apply_inputs_locked();
    for (size_t i = 0; i < plat.nbat; i++)
        plat_detect_locked(i); /* charging <-> discharging: 0x80 on each battery */
    return STATUS_SUCCESS;
}

NTSTATUS plat_set_present_locked(const char *name, bool present)
{
    size_t device;
    plat_battery_t *b = plat_find_battery_locked(name, &device);
    if (!b)
        return STATUS_NO_SUCH_DEVICE;
    if (b->present == present)
        return STATUS_SUCCESS;
    b->present = present;
    b->trip_mwh = 0; /* a new battery starts without a trip point */
    /* _STA bit 4 changed: Notify(0x01) device check, and 0x81 as firmware
     * commonly adds on insertion and removal, then 0x80 for the status. */
    plat_queue_event_locked(device, BATTKIT_NOTIFY_DEVICE_CHECK);
    plat_queue_event_locked(device, BATTKIT_NOTIFY_INFORMATION);
    plat_apply_inputs_locked();
    plat_detect_locked(device);
    plat_queue_event_locked(device, BATTKIT_NOTIFY_STATUS);
    return STATUS_SUCCESS;
}

NTSTATUS plat_set_faults_locked(const char *name, unsigned faults, bool on)
{
    size_t device;
    plat_battery_t *b = plat_find_battery_locked(name, &device);
    if (!b)
        return STATUS_NO_SUCH_DEVICE;
    unsigned before = b->faults;
    b->faults = on ? b->faults | faults : b->faults & ~faults;
    /* The model keeps the flags that change its readings (stuck, sensor,
     * critical); no-answer and wrong-tag are for the bus and simbatt. */
    bk_pack_set_faults(b->pack, plat_model_faults(faults), on);
    plat_detect_locked(device);
    if (before != b->faults && b->present)
        plat_queue_event_locked(device, BATTKIT_NOTIFY_STATUS);
    return STATUS_SUCCESS;
}

void plat_set_system_load_locked(const bk_load_t *load)
{
    plat.system_load = *load;
    plat_apply_inputs_locked();
    for (size_t i = 0; i < plat.nbat; i++)
        plat_detect_locked(i);
}

/* ---- the host API ---- */

/* Brackets every API call: the machine must be loaded, the physics is
 * brought to now, and queued Notify values go out afterwards. */
static bool begin(void)
{
    plat_ensure_init();
    pthread_mutex_lock(&plat.lock);
    if (!plat.loaded) {
        pthread_mutex_unlock(&plat.lock);
        return false;
    }
    plat_advance_all_locked();
    return true;
}

static void end(void)
{
    plat_rearm_tick_locked();
    plat_kick_delivery_locked();
    pthread_mutex_unlock(&plat.lock);
}

bk_status_t bk_platform_set_ac(bk_host_t *host, const char *adapter, int online)
{
    (void)host;
    if (!begin())
        return STATUS_DEVICE_NOT_READY;
    NTSTATUS s = plat_set_ac_locked(adapter, online != 0);
    end();
    return s;
}

bk_status_t bk_platform_set_load_w(bk_host_t *host, double watts)
{
    (void)host;
    if (!(watts >= 0.0))
        return STATUS_INVALID_PARAMETER;
    if (!begin())
        return STATUS_DEVICE_NOT_READY;
    bk_load_t load = watts > 0.0 ? bk_load_power(watts) : bk_load_none();
    plat_set_system_load_locked(&load);
    end();
    return STATUS_SUCCESS;
}

bk_status_t bk_platform_set_load_profile(bk_host_t *host, const bk_platform_segment_t *segments,
                                         size_t count, int repeat)
{
    (void)host;
    bk_load_t load = bk_load_none();
    if (!segments || !count || count > BK_LOAD_MAX_SEGMENTS)
        return STATUS_INVALID_PARAMETER;
    for (size_t i = 0; i < count; i++)
        if (bk_load_add_segment(&load, segments[i].duration_ns,
                                segments[i].watts > 0.0 ? BK_LOAD_POWER : BK_LOAD_NONE,
                                segments[i].watts > 0.0 ? segments[i].watts : 0.0) < 0)
            return STATUS_INVALID_PARAMETER;
    load.repeat = repeat != 0;
    if (!begin())
        return STATUS_DEVICE_NOT_READY;
    plat_set_system_load_locked(&load);
    end();
    return STATUS_SUCCESS;
}

bk_status_t bk_platform_set_present(bk_host_t *host, const char *battery, int present)
{
    (void)host;
    if (!begin())
        return STATUS_DEVICE_NOT_READY;
    NTSTATUS s = plat_set_present_locked(battery, present != 0);
    end();
    return s;
}

bk_status_t bk_platform_set_faults(bk_host_t *host, const char *battery, uint32_t faults, int on)
{
    (void)host;
    const uint32_t known = BK_PLATFORM_FAULT_NO_ANSWER | BK_PLATFORM_FAULT_STUCK |
                           BK_PLATFORM_FAULT_SENSOR | BK_PLATFORM_FAULT_CRITICAL |
                           BK_PLATFORM_FAULT_WRONG_TAG;
    if (faults & ~known)
        return STATUS_INVALID_PARAMETER;
    if (!begin())
        return STATUS_DEVICE_NOT_READY;
    NTSTATUS s = plat_set_faults_locked(battery, faults, on != 0);
    end();
    return s;
}

/* One battery changed by fn; Notify follows from what the firmware sees. */
static bk_status_t change_battery(const char *battery, void (*fn)(plat_battery_t *, double, double),
                                  double a, double b, ULONG extra_notify)
{
    size_t device;
    if (!begin())
        return STATUS_DEVICE_NOT_READY;
    plat_battery_t *bat = plat_find_battery_locked(battery, &device);
    if (!bat) {
        end();
        return STATUS_NO_SUCH_DEVICE;
    }
    fn(bat, a, b);
    plat_apply_inputs_locked();
    plat_detect_locked(device);
    if (extra_notify && bat->present)
        plat_queue_event_locked(device, extra_notify);
    end();
    return STATUS_SUCCESS;
}

static void do_drop(plat_battery_t *b, double percent, double unused)
{
    (void)unused;
    bk_pack_drop_capacity(b->pack, percent);
}

static void do_soc(plat_battery_t *b, double percent, double unused)
{
    (void)unused;
    bk_pack_set_soc(b->pack, percent / 100.0);
}

static void do_temperature(plat_battery_t *b, double celsius, double unused)
{
    (void)unused;
    bk_pack_set_temperature_c(b->pack, celsius);
}

static void do_age(plat_battery_t *b, double cycles, double days)
{
    bk_pack_age(b->pack, cycles, days);
}

static void do_firmware(plat_battery_t *b, double bif_only, double mah)
{
    b->firmware = bif_only != 0.0 ? BATTKIT_FIRMWARE_BIF_ONLY : BATTKIT_FIRMWARE_BIX;
    b->power_unit = mah != 0.0 ? 1 : 0;
}

bk_status_t bk_platform_drop_capacity(bk_host_t *host, const char *battery, double percent)
{
    (void)host;
    if (!(percent >= 0.0 && percent <= 100.0))
        return STATUS_INVALID_PARAMETER;
    return change_battery(battery, do_drop, percent, 0, 0);
}

bk_status_t bk_platform_set_soc(bk_host_t *host, const char *battery, double percent)
{
    (void)host;
    if (!(percent >= 0.0 && percent <= 100.0))
        return STATUS_INVALID_PARAMETER;
    /* The remaining capacity jumps: a status change to report. */
    return change_battery(battery, do_soc, percent, 0, BATTKIT_NOTIFY_STATUS);
}

bk_status_t bk_platform_set_temperature(bk_host_t *host, const char *battery, double celsius)
{
    (void)host;
    if (!(celsius > -273.15 && celsius < 200.0))
        return STATUS_INVALID_PARAMETER;
    return change_battery(battery, do_temperature, celsius, 0, 0);
}

bk_status_t bk_platform_age(bk_host_t *host, const char *battery, double cycles, double days)
{
    (void)host;
    if (!(cycles >= 0.0 && days >= 0.0))
        return STATUS_INVALID_PARAMETER;
    return change_battery(battery, do_age, cycles, days, 0);
}

bk_status_t bk_platform_set_firmware(bk_host_t *host, const char *battery, int bif_only, int mah)
{
    (void)host;
    return change_battery(battery, do_firmware, bif_only ? 1.0 : 0.0, mah ? 1.0 : 0.0,
                          BATTKIT_NOTIFY_INFORMATION);
}

bk_status_t bk_platform_set_ambient(bk_host_t *host, double celsius)
{
    (void)host;
    if (!(celsius > -273.15 && celsius < 200.0))
        return STATUS_INVALID_PARAMETER;
    if (!begin())
        return STATUS_DEVICE_NOT_READY;
    plat.ambient_c = celsius;
    for (size_t i = 0; i < plat.nbat; i++) {
        bk_pack_set_ambient_c(plat.bat[i].pack, celsius);
        plat_detect_locked(i);
    }
    end();
    return STATUS_SUCCESS;
}

/* ---- reading the model back ---- */

static void fill_battery(const plat_battery_t *b, bk_platform_reading_t *out)
{
    const bk_pack_t *p = b->pack;
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof out->name, "%s", b->name);
    out->kind = BattkitDeviceBattery;
    out->bus = b->bus;
    out->present = b->present;
    out->soc_percent = bk_pack_soc(p) * 100.0;
    out->remaining_mwh = bk_pack_remaining_mwh(p);
    out->full_charge_mwh = bk_pack_full_charge_mwh(p);
    out->design_mwh = bk_pack_config(p)->design_mwh;
    out->power_w = bk_pack_power_w(p);
    out->voltage_v = bk_pack_voltage_v(p);
    out->current_a = bk_pack_current_a(p);
    out->temperature_c = bk_pack_temperature_c(p);
    out->cycle_count = bk_pack_cycle_count(p);
    out->charging = bk_pack_current_a(p) > 0.0;
    out->discharging = bk_pack_current_a(p) < 0.0;
    out->critical = bk_pack_is_critical(p);
    out->depleted = bk_pack_is_depleted(p);
    out->charger = bk_charger_state_name(bk_pack_charger_state(p));
    out->faults = b->faults;
    out->trip_mwh = b->trip_mwh;
}

static void fill_ac(const plat_ac_t *a, bk_platform_reading_t *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof out->name, "%s", a->name);
    out->kind = BattkitDeviceAcAdapter;
    out->bus = BattkitBusAcpi;
    out->present = a->online;
    out->charger = "";
}

void bk_platform_counters(bk_host_t *host, bk_platform_counters_t *out)
{
    (void)host;
    out->battery_reads = __atomic_load_n(&plat.battery_reads, __ATOMIC_RELAXED);
    out->ac_reads = __atomic_load_n(&plat.ac_reads, __ATOMIC_RELAXED);
    out->identity_formats = __atomic_load_n(&plat.identity_formats, __ATOMIC_RELAXED);
    out->model_integrals = bk_table_integral_count();
}

bk_status_t bk_platform_read(bk_host_t *host, const char *name, bk_platform_reading_t *out)
{
    (void)host;
    if (!name || !out)
        return STATUS_INVALID_PARAMETER;
    if (!begin())
        return STATUS_DEVICE_NOT_READY;
    NTSTATUS s = STATUS_SUCCESS;
    plat_battery_t *b = plat_find_battery_locked(name, NULL);
    plat_ac_t *a = b ? NULL : plat_find_ac_locked(name, NULL);
    if (b)
        fill_battery(b, out);
    else if (a)
        fill_ac(a, out);
    else
        s = STATUS_NO_SUCH_DEVICE;
    end();
    return s;
}

size_t bk_platform_snapshot(bk_host_t *host, bk_platform_reading_t *out, size_t max)
{
    (void)host;
    if (!begin())
        return 0;
    size_t n = plat.ndev;
    for (size_t i = 0; out && i < n && i < max; i++) {
        if (plat.dev[i].kind == BattkitDeviceBattery)
            fill_battery(&plat.bat[plat.dev[i].index], &out[i]);
        else
            fill_ac(&plat.ac[plat.dev[i].index], &out[i]);
    }
    end();
    return n;
}

double bk_platform_predict_seconds(bk_host_t *host, const char *battery, double load_w,
                                   double level_mwh)
{
    (void)host;
    if (!begin())
        return -1.0;
    plat_battery_t *b = plat_find_battery_locked(battery, NULL);
    double s = b ? bk_pack_predict_seconds(b->pack, load_w, level_mwh) : -1.0;
    end();
    return s;
}

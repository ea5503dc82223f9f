/* Loading and unloading the simulated machine: the machine description
 * (bk_inf's parser) becomes one bk_pack per battery, the AC adapters, the
 * platform device, and the root devices that put drivers on them - the
 * emulated ACPI bus (ACPI_HAL\PNP0C08, service acpi), simbatt batteries and
 * the file's own devices. The platform's life cycle (plat_init /
 * plat_shutdown) is here too. */
#include "platform_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

plat_t plat;
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static bool initialised;
static bk_host_t *plat_host;

void plat_init(void)
{
    pthread_mutex_lock(&init_lock);
    if (!initialised) {
        memset(&plat, 0, sizeof plat);
        pthread_mutex_init(&plat.lock, NULL);
        pthread_cond_init(&plat.idle, NULL);
        InitializeListHead(&plat.clients);
        plat_device_init();
        plat_events_init();
        plat_scenario_init();
        initialised = true;
    }
    pthread_mutex_unlock(&init_lock);
}

void plat_ensure_init(void)
{
    plat_init();
}

/* ---- building the machine ---- */

static void copy_name(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
}

static int build_pack(const bk_machine_t *m, const bk_machine_battery_t *mb, plat_battery_t *b)
{
    const bk_chemistry_t *chem = bk_chemistry_find(bk_machine_chemistry_name(mb->chemistry));
    bk_pack_config_t cfg;
    if (!chem) {
        plat_set_error("%s:%d: battery %s: no model for chemistry %s", m->file, mb->line, mb->name,
                       bk_machine_chemistry_name(mb->chemistry));
        return -1;
    }
    bk_pack_config_init(&cfg, chem, mb->cells, mb->parallel ? mb->parallel : 1,
                        mb->design_capacity_mwh);
    cfg.design_voltage_mv = mb->design_voltage_mv;
    if (mb->warning_capacity_mwh)
        cfg.warning_mwh = mb->warning_capacity_mwh;
    if (mb->low_capacity_mwh)
        cfg.critical_mwh = mb->low_capacity_mwh;
    if (mb->charge_current_ma)
        cfg.charge_current_ma = mb->charge_current_ma;
    cfg.ambient_c = mb->temperature_c;
    cfg.initial_soc = mb->initial_soc_percent / 100.0;
    int rc = bk_pack_create(&cfg, &b->pack);
    if (rc != 0) {
        plat_set_error("%s:%d: battery %s: the battery model refuses this configuration (%s)",
                       m->file, mb->line, mb->name, rc == -ENOMEM ? "out of memory" : "invalid");
        return -1;
    }
    bk_pack_set_time_ns(b->pack, plat_now_ns());
    if (mb->cycle_count)
        bk_pack_age(b->pack, mb->cycle_count, 0.0);
    if (mb->full_charge_capacity_mwh)
        bk_pack_set_full_charge_mwh(b->pack, mb->full_charge_capacity_mwh);
    return 0;
}

static BATTKIT_DEVICE_BUS device_bus(const bk_machine_battery_t *mb)
{
    switch (mb->bus) {
    case BK_MACHINE_BUS_ACPI:
        return BattkitBusAcpi;
    case BK_MACHINE_BUS_NUT:
        return BattkitBusNut;
    case BK_MACHINE_BUS_SIMBATT:
    case BK_MACHINE_BUS_ROOT: /* a root-enumerated battery is a simulated one */
    default:
        return BattkitBusSimbatt;
    }
}

static int build_battery(const bk_machine_t *m, const bk_machine_battery_t *mb, ULONG uid,
                         plat_battery_t *b)
{
    copy_name(b->name, sizeof b->name, mb->name);
    b->line = mb->line;
    b->bus = device_bus(mb);
    b->uid = uid;
    b->present = mb->present;
    b->firmware =
        mb->firmware == BK_MACHINE_FIRMWARE_BIF ? BATTKIT_FIRMWARE_BIF_ONLY : BATTKIT_FIRMWARE_BIX;
    b->power_unit = 0;
    plat_format_identity(b->oem, sizeof b->oem, mb->manufacturer);
    plat_format_identity(b->model, sizeof b->model, mb->model);
    plat_format_identity(b->serial, sizeof b->serial, mb->serial);
    b->year = (USHORT)mb->manufacture_date.year;
    b->month = (UCHAR)mb->manufacture_date.month;
    b->day = (UCHAR)mb->manufacture_date.day;
    /* A gauge that resolves a thousandth of the design capacity. */
    b->granularity1 = mb->design_capacity_mwh / 1000 ? mb->design_capacity_mwh / 1000 : 1;
    b->granularity2 = b->granularity1;
    b->given = bk_load_none();
    if (build_pack(m, mb, b) != 0)
        return -1;
    plat_format_identity(b->type, sizeof b->type,
                         bk_chemistry_find(bk_machine_chemistry_name(mb->chemistry))->code);
    return 0;
}

static void free_machine_state(void)
{
    for (size_t i = 0; i < plat.nbat; i++)
        bk_pack_destroy(plat.bat[i].pack);
    free(plat.bat);
    free(plat.ac);
    free(plat.dev);
    for (size_t i = 0; i < plat.nroots; i++)
        free(plat.roots[i]);
    free(plat.roots);
    plat.bat = NULL;
    plat.ac = NULL;
    plat.dev = NULL;
    plat.roots = NULL;
    plat.nbat = plat.nac = plat.ndev = plat.nroots = 0;
}

static int build_machine_locked(const bk_machine_t *m)
{
    plat.bat = calloc(m->nbatteries ? m->nbatteries : 1, sizeof(*plat.bat));
    plat.ac = calloc(m->nacs ? m->nacs : 1, sizeof(*plat.ac));
    plat.dev = calloc(m->nbatteries + m->nacs + 1, sizeof(*plat.dev));
    plat.roots = calloc(m->nbatteries + m->ndevices + 3,
                        sizeof(*plat.roots)); /* + ACPI bus, composite, psbatt bus */
    if (!plat.bat || !plat.ac || !plat.dev || !plat.roots) {
        plat_set_error("%s:1: out of memory", m->file);
        return -1;
    }
    for (size_t i = 0; i < m->nbatteries; i++) {
        if (build_battery(m, &m->batteries[i], (ULONG)i, &plat.bat[i]) != 0)
            return -1;
        plat.nbat++;
        plat.dev[plat.ndev++] = (plat_device_t){BattkitDeviceBattery, i};
    }
    for (size_t i = 0; i < m->nacs; i++) {
        copy_name(plat.ac[i].name, sizeof plat.ac[i].name, m->acs[i].name);
        plat.ac[i].line = m->acs[i].line;
        plat.ac[i].uid = (ULONG)i;
        plat.ac[i].online = m->acs[i].online;
        plat.ac[i].notify = m->acs[i].notify;
        plat.nac++;
        plat.dev[plat.ndev++] = (plat_device_t){BattkitDeviceAcAdapter, i};
    }
    plat.system_load =
        m->load_constant_mw ? bk_load_power(m->load_constant_mw / 1000.0) : bk_load_none();
    plat.ambient_c = m->nbatteries ? m->batteries[0].temperature_c : 25.0;
    snprintf(plat.file, sizeof plat.file, "%s", m->file);
    plat_apply_inputs_locked();
    for (size_t i = 0; i < plat.nbat; i++)
        plat_detect_locked(i); /* the baseline: nothing to notify yet */
    return 0;
}

/* ---- root devices ---- */

/* A device whose driver cannot be found or started is left out with a
 * warning: the machine still runs, and the rest of it still works. Only
 * the emulated ACPI bus is essential to the machine (required). */
static NTSTATUS add_root(const char *hardware_id, const char *service, const char *instance,
                         const char *so_path, bool required)
{
    bk_device_t *dev = NULL;
    NTSTATUS s = bk_host_add_root_device(plat_host, hardware_id, service, instance, so_path, &dev);
    if (!NT_SUCCESS(s)) {
        if (required) {
            plat_set_error("%s: cannot add root device %s (%s): 0x%08x", plat.file, hardware_id,
                           service ? service : "bound by INF", (unsigned)s);
            return s;
        }
        bk_log(BK_LOG_WARN, "platform: %s: root device %s\\%s (%s) left out: 0x%08x", plat.file,
               hardware_id, instance ? instance : "", service ? service : "bound by INF",
               (unsigned)s);
        return STATUS_SUCCESS;
    }
    const char *path = bk_device_instance_path(dev);
    if (!path || !(plat.roots[plat.nroots] = strdup(path))) {
        plat_set_error("%s: out of memory", plat.file);
        bk_host_remove_device(plat_host, dev, 0);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    plat.nroots++;
    return STATUS_SUCCESS;
}

/* The service of an out-of-tree driver: its file name without ".so". */
static void service_of_path(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, len, "%s", base);
    char *dot = strrchr(out, '.');
    if (dot && dot != out)
        *dot = 0;
}

static NTSTATUS add_devices(const bk_machine_t *m)
{
    NTSTATUS s = STATUS_SUCCESS;
    bool acpi = plat.nac > 0;
    for (size_t i = 0; i < plat.nbat; i++)
        acpi = acpi || plat.bat[i].bus == BattkitBusAcpi;
    /* Drivers are bound the way Windows binds them: the shipped INFs are
     * installed (idempotent) and the PnP manager picks each device's driver
     * by hardware ID - acpi.inf for the ACPI bus, cmbatt.inf for PNP0C0A and
     * ACPI0003, simbatt.inf for SIMBATT\\Battery. */
    s = bk_host_install_shipped_drivers(plat_host);
    if (!NT_SUCCESS(s)) {
        plat_set_error("%s: installing the shipped driver INFs failed: 0x%08x", plat.file,
                       (unsigned)s);
        return s;
    }
    if (acpi)
        s = add_root("ACPI_HAL\\PNP0C08", NULL, "0", NULL, true);
    /* simbatt's helper finds its battery by the instance ID (= its name). */
    for (size_t i = 0; i < plat.nbat && NT_SUCCESS(s); i++)
        if (plat.bat[i].bus == BattkitBusSimbatt)
            s = add_root("SIMBATT\\Battery", NULL, plat.bat[i].name, NULL, false);
    /* The Linux bridges: psbatt's bus over a power_supply class, and one
     * nutbatt device per UPS (bridges.c writes what each needs to know). */
    if (NT_SUCCESS(s) && m->power_supply) {
        s = plat_bridge_params(m, NULL);
        if (NT_SUCCESS(s))
            s = add_root("PSBATT\\Bus", NULL, "0", NULL, false);
    }
    for (size_t i = 0; i < m->nbatteries && NT_SUCCESS(s); i++) {
        if (m->batteries[i].bus != BK_MACHINE_BUS_NUT)
            continue;
        s = plat_bridge_params(m, &m->batteries[i]);
        if (NT_SUCCESS(s))
            s = add_root("NUTBATT\\UPS", NULL, m->batteries[i].name, NULL, false);
    }
    /* One composite battery per system, as on Windows (compbatt.inf binds
     * COMPOSITE_BATTERY): the power manager's view of every battery. */
    if (NT_SUCCESS(s) && m->composite_battery)
        s = add_root("COMPOSITE_BATTERY", NULL, "0", NULL, false);
    for (size_t i = 0; i < m->ndevices && NT_SUCCESS(s); i++) {
        const bk_machine_device_t *d = &m->devices[i];
        char service[64];
        if (d->service)
            snprintf(service, sizeof service, "%s", d->service);
        else if (d->driver)
            service_of_path(d->driver, service, sizeof service);
        /* Neither: bound by hardware ID from the installed INFs, or left
         * without a driver until an INF for it is installed. */
        s = add_root(d->hardware_id, d->service || d->driver ? service : NULL, d->name, d->driver,
                     false);
    }
    return s;
}

static void remove_roots(void)
{
    /* Reverse order: the file's devices, simbatt, then the ACPI bus. */
    while (plat.nroots) {
        char *instance = plat.roots[--plat.nroots];
        bk_device_t *dev = bk_host_find_device(plat_host, instance);
        NTSTATUS s = dev ? bk_host_remove_device(plat_host, dev, 0) : STATUS_SUCCESS;
        if (!NT_SUCCESS(s))
            bk_log(BK_LOG_WARN, "platform: removing machine device %s failed: 0x%08x", instance,
                   (unsigned)s);
        free(instance);
    }
}

/* Takes the machine down. remove_devices = 0 when the PnP manager has
 * already removed every device (host shutdown). */
static void unload(bool remove_devices)
{
    pthread_mutex_lock(&plat.lock);
    bool loaded = plat.loaded;
    if (loaded)
        plat_scenario_stop_locked();
    pthread_mutex_unlock(&plat.lock);
    if (!loaded)
        return;
    if (remove_devices)
        remove_roots();
    plat_events_stop();
    pthread_mutex_lock(&plat.lock);
    plat.loaded = false;
    plat_events_drop_all_locked();
    size_t clients = plat_client_count_locked();
    pthread_mutex_unlock(&plat.lock);
    if (clients)
        bk_log(BK_LOG_WARN,
               "platform: %zu interface(s) still referenced at unload; their calls "
               "now fail with STATUS_NO_SUCH_DEVICE",
               clients);
    plat_device_delete();
    pthread_mutex_lock(&plat.lock);
    free_machine_state();
    free(plat.events);
    plat.events = NULL;
    plat.events_cap = 0;
    pthread_mutex_unlock(&plat.lock);
}

void plat_shutdown(void)
{
    pthread_mutex_lock(&init_lock);
    bool up = initialised;
    pthread_mutex_unlock(&init_lock);
    if (up)
        unload(false);
}

/* ---- host API ---- */

bk_status_t bk_host_load_machine(bk_host_t *host, const char *machine_file)
{
    bk_machine_t m;
    bk_diags_t diags;
    char text[512], named[4096];
    plat_ensure_init();
    bk_diags_init(&diags);
    machine_file = plat_machine_path(machine_file, named, sizeof named);
    int rc = machine_file ? bk_machine_load_file(machine_file, &m, &diags)
                          : bk_machine_load_default(&m, &diags);
    /* Every problem is logged; the first error (by line) is kept. */
    bk_diags_sort(&diags);
    bool kept = false;
    for (size_t i = 0; i < diags.count; i++) {
        bk_diag_format(&diags.items[i], text, sizeof text);
        bool error = diags.items[i].severity == BK_SEV_ERROR;
        bk_log(error ? BK_LOG_ERROR : BK_LOG_WARN, "%s", text);
        if (error && !kept) {
            plat_keep_error(text);
            kept = true;
        }
    }
    bk_diags_free(&diags);
    if (rc != 0)
        return STATUS_INVALID_PARAMETER;

    pthread_mutex_lock(&plat.lock);
    if (plat.loaded) {
        pthread_mutex_unlock(&plat.lock);
        plat_set_error("%s: a machine is already loaded (%s)", m.file ? m.file : "?", plat.file);
        bk_machine_free(&m);
        return STATUS_INVALID_DEVICE_STATE;
    }
    plat_host = host;
    if (build_machine_locked(&m) != 0) {
        free_machine_state();
        pthread_mutex_unlock(&plat.lock);
        bk_machine_free(&m);
        return STATUS_INVALID_PARAMETER;
    }
    plat.loaded = true;
    pthread_mutex_unlock(&plat.lock);

    NTSTATUS s = plat_device_create();
    if (!NT_SUCCESS(s)) {
        plat_set_error("%s: cannot create %s: 0x%08x", m.file, "\\Device\\BattkitPlatform",
                       (unsigned)s);
        goto fail;
    }
    plat_events_start();
    s = add_devices(&m);
    if (!NT_SUCCESS(s))
        goto fail;
    if (m.load_scenario) {
        s = bk_platform_run_scenario(host, m.load_scenario);
        if (!NT_SUCCESS(s))
            goto fail;
    }
    bk_log(BK_LOG_INFO, "platform: machine %s loaded: %zu batteries, %zu AC adapters", m.name,
           plat.nbat, plat.nac);
    bk_machine_free(&m);
    return STATUS_SUCCESS;

fail:
    bk_machine_free(&m);
    unload(true);
    return s;
}

void bk_host_unload_machine(bk_host_t *host)
{
    (void)host;
    plat_ensure_init();
    unload(true);
}

/* bk_conformance_run: starts the driver (or takes the batteries already on
 * the host), finds each battery's interface, attaches a controller, runs
 * the checks in order and removes the device. Also the list of checks, each
 * with the part of the reference (battery-interface.md) it pins. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cf_internal.h"

/* Every check, in run order, with its reference section. */
static const char *const check_names[] = {
    "driver_starts",                                       /* 4.2 AddDevice + start succeed */
    "battery_interface_registered",                        /* 3 BatteryClassInitializeDevice */
    "query_tag_nonzero_while_present",                     /* 1.2, 4.5 */
    "query_tag_short_buffer_too_small",                    /* 1.2 */
    "query_information_battery_information",               /* 1.3, 4.4 */
    "query_information_granularity",                       /* 1.3, 2.3 */
    "query_information_temperature",                       /* 1.3 */
    "query_information_estimated_time",                    /* 1.3 */
    "query_information_device_name",                       /* 1.3 */
    "query_information_manufacture_date",                  /* 1.3, 2.3 */
    "query_information_manufacture_name",                  /* 1.3 */
    "query_information_unique_id",                         /* 1.3 */
    "query_information_serial_number",                     /* 1.3 */
    "query_information_undefined_level_invalid_parameter", /* 4.3, 1.6 */
    "query_information_short_buffer_too_small",            /* 1.3, 1.6 */
    "static_information_stable_for_tag",                   /* 1.2 */
    "stale_tag_query_information",                         /* 1.3, 4.3 */
    "stale_tag_query_status",                              /* 1.5, pitfall 10.6 */
    "stale_tag_set_information",                           /* 1.4, 4.3 */
    "information_technology_valid",                        /* 2.2 */
    "information_full_charged_within_designed",            /* 2.3 (warning) */
    "information_alerts_ordered",                          /* 2.3 (warning) */
    "temperature_tenths_of_kelvin",                        /* 1.3 */
    "estimated_time_unknown_on_ac",                        /* 1.3 */
    "query_status_returns_status",                         /* 1.5 */
    "status_power_state_documented_bits",                  /* 2.2 */
    "status_rate_sign_matches_power_state",                /* 2.3 */
    "status_capacity_within_full_charged",                 /* 2.2, 2.3 */
    "status_voltage_plausible_mv",                         /* 2.3 */
    "wmi_battery_status",                                  /* 5.1, 5.2 */
    "wmi_battery_runtime",                                 /* 5.1, 5.2 */
    "wmi_battery_temperature",                             /* 5.1, 5.2 */
    "wmi_battery_full_charged_capacity",                   /* 5.1, 5.2 */
    "wmi_battery_cycle_count",                             /* 5.1, 5.2 */
    "wmi_battery_static_data",                             /* 5.1, 5.2 */
    "status_change_is_notified",                           /* 3 StatusNotify, 4.6 */
    "query_tag_invalid_without_battery",                   /* 4.3, 4.5 */
    "query_tag_wait_times_out_without_battery",            /* 1.2, pitfall 10.3 */
    "query_tag_wait_completes_on_insertion",               /* 1.2, 4.6, pitfall 10.4 */
    "query_tag_changes_on_every_insertion",                /* 4.3, 4.5 */
    "stale_tag_after_reinsertion",                         /* 1.2 */
    "answers_without_waiting",                             /* 4.1 serialized calls */
    "removal_completes_pending_requests",                  /* 3 BatteryClassUnload */
    "unload_leaves_no_pool",                               /* 3, 4.2 Unload */
    NULL,
};

const char *const *bk_conformance_check_names(void)
{
    return check_names;
}

static const char *base_name(const char *driver)
{
    const char *slash = strrchr(driver, '/');
    return slash ? slash + 1 : driver;
}

static bool name_is(const char *driver, const char *name)
{
    const char *b = base_name(driver);
    size_t n = strlen(name);
    return strncmp(b, name, n) == 0 && (b[n] == 0 || strcmp(b + n, ".so") == 0);
}

const bk_conformance_controller_t *bk_conformance_find_controller(const char *driver)
{
    static const struct {
        const char *driver;
        const bk_conformance_controller_t *ctl;
    } table[] = {
        {"badmini", &bk_conformance_controller_badmini},
        {"simbatt", &bk_conformance_controller_simbatt},
        {"kmdfbatt", &bk_conformance_controller_simbatt}, /* speaks simbatt's control IOCTLs */
        {"battc_testmini", &bk_conformance_controller_testmini},
    };
    const bk_conformance_controller_t *ctl = NULL;
    if (!driver)
        ctl = &bk_conformance_controller_platform;
    for (size_t i = 0; driver && i < sizeof table / sizeof table[0]; i++) {
        if (name_is(driver, table[i].driver))
            ctl = table[i].ctl;
    }
    return ctl && ctl->open ? ctl : NULL;
}

/* ---- host operations on the helper thread (a driver may block) ---- */
/* A shipped driver (its INF installed from the driver directory, in place)
 * named by its service: is `hwid` one of the IDs its package binds? */
typedef enum shipped_binding { NOT_SHIPPED, SHIPPED_BINDS, SHIPPED_NOT_LISTED } shipped_binding_t;

static bool id_listed(const char *ids, const char *hwid)
{
    size_t n = strlen(hwid);
    for (const char *p = ids; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncasecmp(p, hwid, n) == 0)
            return true;
        p = end ? end + 1 : p + len;
    }
    return false;
}

static bool first_service_is(const char *services, const char *service)
{
    size_t n = strlen(service);
    return services && strncasecmp(services, service, n) == 0 &&
           (services[n] == 0 || services[n] == ',');
}

struct install_job {
    bk_host_t *host;
    const char *service, *hwid;
    shipped_binding_t result;
    bk_status_t status;
};

static void install_on_helper(void *arg)
{
    struct install_job *j = arg;
    bk_installed_driver_t *list = NULL;
    j->status = bk_host_install_shipped_drivers(j->host);
    size_t n = bk_host_list_installed(j->host, &list);
    j->result = NOT_SHIPPED;
    for (size_t i = 0; i < n; i++) {
        if ((list[i].flags & BK_SETUP_IN_PLACE) && first_service_is(list[i].services, j->service))
            j->result = id_listed(list[i].ids, j->hwid) ? SHIPPED_BINDS : SHIPPED_NOT_LISTED;
    }
    bk_host_free_installed(list, n);
}

struct add_job {
    bk_host_t *host;
    const char *hwid, *service, *instance, *so_path;
    bk_device_t *device;
    bk_status_t status;
};

static void add_on_helper(void *arg)
{
    struct add_job *j = arg;
    j->status =
        bk_host_add_root_device(j->host, j->hwid, j->service, j->instance, j->so_path, &j->device);
}

struct open_job {
    bk_host_t *host;
    cf_battery_t *bat;
    bk_status_t status;
};

static void open_on_helper(void *arg)
{
    struct open_job *j = arg;
    j->status =
        bk_host_open(j->host, j->bat->path, BK_ACCESS_READ | BK_ACCESS_WRITE, &j->bat->handle);
}

static void close_on_helper(void *arg)
{
    cf_battery_t *b = arg;
    bk_close(b->handle);
    b->handle = NULL;
}

struct ctl_open_job {
    cf_battery_t *bat;
    const bk_conformance_controller_t *ctl;
    int result;
};

static void ctl_open_on_helper(void *arg)
{
    struct ctl_open_job *j = arg;
    j->result = j->ctl->open(&j->bat->target, &j->bat->ctl_state);
}

static void ctl_close_on_helper(void *arg)
{
    cf_battery_t *b = arg;
    b->ctl->close(b->ctl_state);
}

/* ---- one battery ---- */
static void run_battery(cf_ctx_t *c, cf_battery_t *b)
{
    const bk_conformance_options_t *o = c->opt;
    const bk_conformance_controller_t *ctl = NULL;

    c->bat = b;
    if (!o->no_controller && o->controller)
        ctl = o->controller;
    else if (!o->no_controller)
        ctl = o->composite ? &bk_conformance_controller_composite
                           : bk_conformance_find_controller(o->driver);
    if (ctl && ctl->open) {
        struct ctl_open_job j = {.bat = b, .ctl = ctl, .result = -1};
        if (cf_call(c, ctl_open_on_helper, &j) && j.result == 0)
            b->ctl = ctl;
    }
    cf_log(c, "battery %s: controller %s", b->path, b->ctl ? b->ctl->name : "none");

    cf_check_tags(c);
    cf_check_levels(c);
    cf_check_stale_tags(c);
    cf_check_status_units(c);
    cf_check_wmi(c);
    cf_check_notification(c);
    cf_check_insertion(c);

    if (b->ctl && b->ctl->close && !c->wedged)
        cf_call(c, ctl_close_on_helper, b);
}

static bool unknown_names(const bk_conformance_options_t *o)
{
    bool bad = false;
    for (const char *p = o->only; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool found = false;
        for (size_t i = 0; check_names[i]; i++)
            found |= strlen(check_names[i]) == len && strncmp(check_names[i], p, len) == 0;
        if (!found && len) {
            bad = true;
            if (o->out)
                fprintf(o->out, "conformance: no check named \"%.*s\"\n", (int)len, p);
        }
        p = end ? end + 1 : p + len;
    }
    return bad;
}

/* The device whose interface `path` is: the link is
 * "\\??\\<instance path with '\\' as '#'>#{class GUID}". */
static bk_device_t *device_behind(bk_host_t *host, const char *path)
{
    char instance[256];
    const char *p = strncmp(path, "\\??\\", 4) == 0 ? path + 4 : path;
    const char *end = strstr(p, "#{");
    size_t n = end ? (size_t)(end - p) : 0;
    if (!n || n >= sizeof instance)
        return NULL;
    for (size_t i = 0; i < n; i++)
        instance[i] = p[i] == '#' ? '\\' : p[i];
    instance[n] = 0;
    return bk_host_find_device(host, instance);
}

/* Interfaces in `after` that are not in `before`. */
static bool listed(char **list, size_t n, const char *path)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(list[i], path) == 0)
            return true;
    }
    return false;
}

/* The composite battery is opened by name, as the power manager opens it,
 * and must not be a GUID_DEVICE_BATTERY interface: applications that
 * enumerate batteries would count every battery twice. */
static char composite_path[] = "\\Device\\CompositeBattery";
static const char composite_instance[] = "ROOT\\COMPOSITE_BATTERY\\0";

static bool find_composite(cf_ctx_t *c, char **interfaces, size_t n, bk_device_t **device)
{
    const char *name = "battery_interface_registered";
    *device = bk_host_find_device(c->host, composite_instance);
    if (!*device) {
        cf_fail(c, name, "the machine has no composite battery (%s; composite_battery = no?)",
                composite_instance);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (device_behind(c->host, interfaces[i]) == *device) {
            cf_fail(c, name,
                    "the composite battery is a battery interface (%s): enumerating "
                    "applications would count each battery twice",
                    interfaces[i]);
            return false;
        }
    }
    cf_pass(c, name,
            "%s is opened by name and is no GUID_DEVICE_BATTERY interface (the %zu "
            "interface%s are its members)",
            composite_path, n, n == 1 ? "" : "s");
    return true;
}

int bk_conformance_run(bk_host_t *host, const bk_conformance_options_t *options,
                       bk_conformance_report_t *report)
{
    bk_conformance_report_t local = {0};
    cf_ctx_t c = {0};
    char **before = NULL, **after = NULL;
    size_t nbefore = 0, nafter = 0, nbat = 0;
    cf_battery_t *bats = NULL;
    bk_device_t *device = NULL;
    bk_pool_stats_t pool_before = {0};
    size_t failed_before;

    if (!report)
        report = &local;
    failed_before = report->failed;
    if (!host || !options || (options->driver && !options->hwid) ||
        (options->driver && options->composite) || unknown_names(options))
        return -1;
    if (!bk_host_is_virtual(host)) {
        if (options->out)
            fprintf(options->out, "conformance: the suite needs a host on virtual time\n");
        return -1;
    }
    c.host = host;
    c.opt = options;
    c.report = report;
    c.notify_bound_ns = CF_MS(options->notify_bound_ms ? options->notify_bound_ms : 1000);
    c.answer_bound_ns = CF_MS(options->answer_bound_ms ? options->answer_bound_ms : 1000);
    cf_helper_start(&c);

    nbefore = bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &before);
    bk_host_pool_stats(&pool_before);
    if (options->driver) {
        /* An .so path names its service after the file. */
        const char *so_path = strchr(options->driver, '/') ? options->driver : NULL;
        char *service = c.service;
        snprintf(c.service, sizeof c.service, "%s", base_name(options->driver));
        char *dot = strstr(service, ".so");
        if (dot && dot[3] == 0)
            *dot = 0;
        /* A shipped driver named by its service is installed through its
         * INF and the device bound by its hardware ID, as battd binds it:
         * no service is named. An out-of-tree .so is started by path. */
        struct install_job inst = {.host = host,
                                   .service = service,
                                   .hwid = options->hwid,
                                   .result = NOT_SHIPPED,
                                   .status = STATUS_IO_TIMEOUT};
        if (!so_path)
            cf_call(&c, install_on_helper, &inst);
        if (inst.result == SHIPPED_NOT_LISTED) {
            cf_fail(&c, "driver_starts",
                    "%s is a shipped driver: its INF binds it, and it does not list %s",
                    options->driver, options->hwid);
            goto done;
        }
        if (inst.result == SHIPPED_BINDS && !NT_SUCCESS(inst.status))
            cf_log(&c, "installing the shipped INFs: %s", cf_status_name(inst.status));
        struct add_job j = {.host = host,
                            .hwid = options->hwid,
                            .service = inst.result == SHIPPED_BINDS ? NULL : service,
                            .instance = options->instance ? options->instance : "CONF0000",
                            .so_path = so_path,
                            .status = STATUS_IO_TIMEOUT};
        cf_call(&c, add_on_helper, &j);
        bk_host_settle(host);
        if (!NT_SUCCESS(j.status) || !j.device) {
            cf_fail(&c, "driver_starts", "bk_host_add_root_device(\"%s\", %s): %s", options->hwid,
                    options->driver, cf_status_name(j.status));
            goto done;
        }
        device = j.device;
        cf_pass(&c, "driver_starts", "%s started on %s%s", options->driver, options->hwid,
                j.service ? "" : " (bound by its INF)");
    } else {
        cf_skip(&c, "driver_starts", "testing the %s already on the host",
                options->composite ? "composite battery" : "batteries");
    }

    nafter = bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &after);
    bats = calloc(nafter ? nafter : 1, sizeof *bats);
    if (bats && options->composite) {
        if (!find_composite(&c, after, nafter, &device))
            goto unload;
        bats[nbat++].path = composite_path;
    }
    for (size_t i = 0; bats && !options->composite && i < nafter; i++) {
        if (options->driver && listed(before, nbefore, after[i]))
            continue;
        bats[nbat++].path = after[i];
    }
    if (nbat == 0) {
        cf_fail(&c, "battery_interface_registered",
                "no new GUID_DEVICE_BATTERY interface is enabled");
        goto unload;
    }
    if (!options->composite)
        cf_pass(&c, "battery_interface_registered", "%zu battery interface%s: %s", nbat,
                nbat > 1 ? "s" : "", bats[0].path);

    for (size_t i = 0; i < nbat && !c.wedged; i++) {
        cf_battery_t *b = &bats[i];
        if (nbat > 1)
            snprintf(b->label, sizeof b->label, "battery %zu", i);
        struct open_job j = {.host = host, .bat = b, .status = STATUS_IO_TIMEOUT};
        c.bat = b;
        cf_call(&c, open_on_helper, &j);
        if (!NT_SUCCESS(j.status)) {
            cf_fail(&c, "battery_interface_registered", "bk_host_open(%s): %s", b->path,
                    cf_status_name(j.status));
            continue;
        }
        b->target = (bk_conformance_target_t){.host = host,
                                              .device = device,
                                              .interface_path = b->path,
                                              .handle = b->handle,
                                              .driver = options->driver,
                                              .hwid = options->hwid,
                                              .index = (unsigned)i};
        run_battery(&c, b);
    }

unload:
    c.bat = NULL;
    if (!c.wedged)
        cf_check_promptness(&c);
    /* Removal looks at the first battery's handle (the suite's device has
     * one battery); the others are closed first. */
    for (size_t i = 1; i < nbat && !c.wedged; i++) {
        if (bats[i].handle)
            cf_call(&c, close_on_helper, &bats[i]);
    }
    c.bat = nbat ? &bats[0] : NULL;
    if (!c.wedged)
        cf_check_unload(&c, device ? device : (c.bat ? device_behind(host, c.bat->path) : NULL),
                        device != NULL && !options->composite, &pool_before);
    if (!c.wedged && c.bat && c.bat->handle)
        cf_call(&c, close_on_helper, c.bat);
    c.bat = NULL;

done:
    if (c.wedged) {
        report->wedged = 1;
        c.bat = NULL;
        cf_fail(&c, "answers_without_waiting",
                "a call into the driver never returned, even with the clock moved on; the run "
                "stopped there");
    }
    if (!c.wedged)
        cf_sweep_kept(&c);
    cf_helper_stop(&c);
    free(bats);
    bk_host_free_list(before, nbefore);
    bk_host_free_list(after, nafter);
    int failures = (int)(report->failed - failed_before);
    if (report == &local)
        bk_conformance_report_free(&local);
    return failures;
}

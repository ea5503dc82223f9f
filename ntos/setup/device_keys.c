/* device_keys.c: the per-device half of an install. An INF's DDInstall
 * AddReg (HKR = the device's software key) and DDInstall.HW AddReg (HKR =
 * its hardware key) are kept in the package record and copied to a device's
 * keys (Enum\<instance>\Driver and Enum\<instance>\Device Parameters, the
 * keys IoOpenDeviceRegistryKey opens) when the device binds to the package. */
#include "setup_internal.h"

#include <stdlib.h>
#include <string.h>

/* The installed package a device's `service` came from: of the device's
 * IDs whose Bindings entry names `service`, the best-ranked one (as
 * pnp_find_binding ranks them: setup_binding_score, earlier ID on ties).
 * Its values are malloc'd; false when none, or when the best is a binding
 * made by hand (no package). */
typedef struct device_install {
    char *id, *inf, *section, *date, *version;
} device_install_t;

static void install_free(device_install_t *d)
{
    free(d->id);
    free(d->inf);
    free(d->section);
    free(d->date);
    free(d->version);
    memset(d, 0, sizeof(*d));
}

static bool find_install(const char *const lists[2], const char *service, device_install_t *out)
{
    char key[SETUP_NAME_MAX * 2];
    char *best_path = NULL;
    const char *best_id = NULL;
    ULONG best_score = 0;
    memset(out, 0, sizeof(*out));
    for (size_t l = 0; l < 2; l++) {
        unsigned pos = 0;
        for (const char *id = lists[l]; id && *id; id += strlen(id) + 1, pos++) {
            setup_id_key(key, sizeof key, id);
            char *path = setup_printf("%s\\%s", SETUP_KEY_BINDINGS, key);
            char *svc = path ? setup_reg_string(path, "Service") : NULL;
            ULONG rank = 0;
            if (svc && !setup_strcasecmp(svc, service)) {
                if (!setup_reg_dword(path, "Rank", &rank))
                    rank = 0;
                ULONG score = setup_binding_score(rank, l == 1, pos);
                if (!best_id || score < best_score) {
                    free(best_path);
                    best_path = path;
                    path = NULL;
                    best_id = id;
                    best_score = score;
                }
            }
            free(svc);
            free(path);
        }
    }
    if (best_path) {
        out->inf = setup_reg_string(best_path, "Inf");
        out->section = out->inf ? setup_reg_string(best_path, "InstallSection") : NULL;
        out->date = setup_reg_string(best_path, "DriverDate");
        out->version = setup_reg_string(best_path, "DriverVersion");
        out->id = strdup(best_id);
    }
    free(best_path);
    if (out->inf && out->section && out->id)
        return true;
    install_free(out); /* bound by hand: no package */
    return false;
}

/* The software key values Windows writes when it installs a driver on a
 * device (InfPath, InfSection, DriverDate, DriverVersion, MatchingDeviceId).
 * The same package already installed on the device: nothing to copy. */
static const char *const install_values[] = {"InfPath", "InfSection", "DriverDate",
                                             "DriverVersion"};

static bool same_text(const char *a, const char *b)
{
    return !setup_strcasecmp(a ? a : "", b ? b : "");
}

static bool already_installed(const char *driver_key, const device_install_t *d)
{
    const char *want[] = {d->inf, d->section, d->date, d->version};
    bool same = true;
    for (size_t i = 0; i < RTL_NUMBER_OF(install_values) && same; i++) {
        char *have = setup_reg_string(driver_key, install_values[i]);
        same = have && same_text(have, want[i]);
        free(have);
    }
    return same;
}

static void record_install(const char *driver_key, const device_install_t *d)
{
    const char *values[] = {d->inf, d->section, d->date, d->version};
    reg_key_t *k;
    if (!NT_SUCCESS(reg_open(driver_key, true, &k))) {
        bk_log(BK_LOG_WARN, "setup: cannot write %s", driver_key);
        return;
    }
    for (size_t i = 0; i < RTL_NUMBER_OF(install_values); i++)
        reg_set_string(k, install_values[i], values[i] ? values[i] : "");
    reg_set_string(k, "MatchingDeviceId", d->id);
    reg_close(k);
}

static void copy_template(const char *from, const char *to)
{
    bool oom = false;
    setup_snap_t snap;
    if (!setup_snap_take(from, &snap, &oom))
        return;
    if (snap.nvalues || snap.nsubkeys) {
        NTSTATUS s = setup_snap_write(to, &snap);
        if (!NT_SUCCESS(s))
            bk_log(BK_LOG_WARN, "setup: writing %s failed: 0x%08x", to, (unsigned)s);
    }
    setup_snap_free(&snap);
}

void setup_apply_device_keys(const char *instance_path, const char *hardware_ids,
                             const char *compatible_ids, const char *service)
{
    device_install_t d;
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!instance_path || !service || !*service)
        return;
    if (!find_install((const char *const[]){hardware_ids, compatible_ids}, service, &d))
        return;
    char *rec = setup_record_path(d.inf, "Devices");
    char *sw = rec ? setup_printf("%s\\%s\\Software", rec, d.section) : NULL;
    char *hw = rec ? setup_printf("%s\\%s\\Hardware", rec, d.section) : NULL;
    char *sw_to = setup_printf("%s\\%s\\Driver", SETUP_KEY_ENUM, instance_path);
    char *hw_to = setup_printf("%s\\%s\\Device Parameters", SETUP_KEY_ENUM, instance_path);
    /* docs (INF DDInstall.HW section): these sections are processed during
     * the installation of the device, not at every start: a value changed
     * since (PersistState set by an administrator) stays as it is until
     * another package, or another version, is installed on the device. */
    /* One batch: a flush from another thread never writes the values
     * without the record of the package they came from, or the reverse. */
    reg_batch_begin();
    if (sw && hw && sw_to && hw_to && !already_installed(sw_to, &d)) {
        copy_template(sw, sw_to);
        copy_template(hw, hw_to);
        record_install(sw_to, &d);
    }
    reg_batch_end();
    free(rec);
    free(sw);
    free(hw);
    free(sw_to);
    free(hw_to);
    install_free(&d);
}

/* Calls fn with every device instance key, Enum\<enumerator>\<device
 * ID>\<instance>, present or not (an offline host has no devices). */
static void each_instance_key(setup_stage_t *st, void (*fn)(setup_stage_t *, const char *, void *),
                              void *context)
{
    setup_strv_t enumerators = {0};
    setup_reg_subkeys(SETUP_KEY_ENUM, &enumerators);
    for (size_t e = 0; e < enumerators.count; e++) {
        char *ep = setup_printf("%s\\%s", SETUP_KEY_ENUM, enumerators.items[e]);
        setup_strv_t devices = {0};
        if (ep)
            setup_reg_subkeys(ep, &devices);
        for (size_t d = 0; d < devices.count; d++) {
            char *dp = setup_printf("%s\\%s", ep, devices.items[d]);
            setup_strv_t instances = {0};
            if (dp)
                setup_reg_subkeys(dp, &instances);
            for (size_t i = 0; i < instances.count; i++) {
                char *key = setup_printf("%s\\%s", dp, instances.items[i]);
                if (key)
                    fn(st, key, context);
                st->oom |= !key;
                free(key);
            }
            setup_strv_free(&instances);
            st->oom |= !dp;
            free(dp);
        }
        setup_strv_free(&devices);
        st->oom |= !ep;
        free(ep);
    }
    setup_strv_free(&enumerators);
}

/* Enum\<instance>\Driver of a device the packages were installed on. */
static void forget_install(setup_stage_t *st, const char *instance_key, void *context)
{
    const setup_strv_t *infs = context;
    char *key = setup_printf("%s\\Driver", instance_key);
    char *inf = key ? setup_reg_string(key, "InfPath") : NULL;
    if (inf && setup_strv_has(infs, inf)) {
        for (size_t v = 0; v < RTL_NUMBER_OF(install_values); v++)
            setup_stage_delete_value(st, key, install_values[v]);
        setup_stage_delete_value(st, key, "MatchingDeviceId");
    }
    st->oom |= !key;
    free(inf);
    free(key);
}

void setup_stage_forget_installs(setup_stage_t *st, const setup_strv_t *infs)
{
    each_instance_key(st, forget_install, (void *)infs);
}

/* A device key naming a removed service: the PnP manager takes a present
 * device off it (pnp_unbind_service); this covers the devices that are not
 * present (an offline uninstall), so no key names a driver that is gone. */
static void forget_service(setup_stage_t *st, const char *instance_key, void *context)
{
    const setup_strv_t *services = context;
    char *service = setup_reg_string(instance_key, "Service");
    for (size_t i = 0; service && i < services->count; i++) {
        if (!setup_strcasecmp(service, services->items[i])) {
            setup_stage_delete_value(st, instance_key, "Service");
            setup_stage_delete_value(st, instance_key, "ClassGUID");
            break;
        }
    }
    free(service);
}

void setup_stage_forget_services(setup_stage_t *st, const setup_strv_t *services)
{
    each_instance_key(st, forget_service, (void *)services);
}

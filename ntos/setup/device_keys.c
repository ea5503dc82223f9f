/* device_keys.c: the per-device half of an install. An INF's DDInstall
 * AddReg (HKR = the device's software key) and DDInstall.HW AddReg (HKR =
 * its hardware key) are kept in the package record and copied to a device's
 * keys (Enum\<instance>\Driver and Enum\<instance>\Device Parameters, the
 * keys IoOpenDeviceRegistryKey opens) when the device binds to the package. */
#include "setup_internal.h"

#include <stdlib.h>
#include <string.h>

/* The Bindings entry (by ID) that gave the device `service` and came from
 * an installed package: its Inf and InstallSection (malloc'd). */
static bool find_install(const char *ids, const char *service, char **inf, char **section)
{
    char key[SETUP_NAME_MAX * 2];
    for (const char *id = ids; id && *id; id += strlen(id) + 1) {
        setup_id_key(key, sizeof key, id);
        char *path = setup_printf("%s\\%s", SETUP_KEY_BINDINGS, key);
        char *svc = path ? setup_reg_string(path, "Service") : NULL;
        bool match = svc && !setup_strcasecmp(svc, service);
        *inf = match ? setup_reg_string(path, "Inf") : NULL;
        *section = match && *inf ? setup_reg_string(path, "InstallSection") : NULL;
        free(svc);
        free(path);
        if (match && *inf && *section)
            return true;
        free(*inf);
        free(*section);
        if (match)
            return false; /* bound by hand: no package */
    }
    return false;
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
    char *inf = NULL, *section = NULL;
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!instance_path || !service || !*service)
        return;
    if (!find_install(hardware_ids, service, &inf, &section) &&
        !find_install(compatible_ids, service, &inf, &section))
        return;
    char *rec = setup_record_path(inf, "Devices");
    char *sw = rec ? setup_printf("%s\\%s\\Software", rec, section) : NULL;
    char *hw = rec ? setup_printf("%s\\%s\\Hardware", rec, section) : NULL;
    char *sw_to = setup_printf("%s\\%s\\Driver", SETUP_KEY_ENUM, instance_path);
    char *hw_to = setup_printf("%s\\%s\\Device Parameters", SETUP_KEY_ENUM, instance_path);
    if (sw && hw && sw_to && hw_to) {
        copy_template(sw, sw_to);
        copy_template(hw, hw_to);
    }
    free(rec);
    free(sw);
    free(hw);
    free(sw_to);
    free(hw_to);
    free(inf);
    free(section);
}

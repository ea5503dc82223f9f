/* The bridges' root devices (bus wiring only): a machine that names a
 * power_supply class gets PSBATT\Bus (psbatt.inf binds it), and every
 * battery on bus nut a NUTBATT\UPS device (nutbatt.inf) whose instance is
 * the battery's name. What each driver needs from the machine description
 * goes into the device's hardware key (Enum\<instance>\Device Parameters,
 * IoOpenDeviceRegistryKey's PLUGPLAY_REGKEY_DEVICE) before the device is
 * added, so the driver reads it at START as on Windows. */
#include "platform_internal.h"
#include "../registry/registry.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ENUM_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Enum"

typedef struct plat_param {
    const char *name;
    const char *text; /* REG_SZ when set */
    ULONG dword;      /* else REG_DWORD */
} plat_param_t;

/* The hardware key of ROOT\<device>\<instance>, written afresh. */
static NTSTATUS write_params(const char *device, const char *instance, const plat_param_t *params,
                             size_t count)
{
    char path[512];
    reg_key_t *key;
    snprintf(path, sizeof path, "%s\\ROOT\\%s\\%s\\Device Parameters", ENUM_KEY, device, instance);
    NTSTATUS s = reg_open(path, true, &key);
    if (!NT_SUCCESS(s))
        return s;
    for (size_t i = 0; i < count && NT_SUCCESS(s); i++) {
        if (params[i].text)
            s = reg_set_string(key, params[i].name, params[i].text);
        else
            s = reg_set_dword(key, params[i].name, params[i].dword);
    }
    reg_close(key);
    return s;
}

NTSTATUS plat_bridge_params(const bk_machine_t *m, const bk_machine_battery_t *nut)
{
    if (!nut) {
        plat_param_t ps[] = {
            {"Root", m->power_supply, 0},
            {"PollIntervalMs", NULL, m->power_supply_poll_ms},
            {"UeventSocket", m->power_supply_uevent ? m->power_supply_uevent : "", 0},
        };
        return write_params("PSBATT", "0", ps, sizeof ps / sizeof ps[0]);
    }
    plat_param_t ups[] = {
        {"Ups", nut->nut_ups, 0},
        {"User", nut->nut_user ? nut->nut_user : "", 0},
        {"Password", nut->nut_password ? nut->nut_password : "", 0},
        {"PollIntervalMs", NULL, nut->nut_poll_ms},
        {"DesignCapacityMwh", NULL, nut->design_capacity_mwh},
        {"DesignVoltageMv", NULL, nut->design_voltage_mv},
        {"Manufacturer", nut->manufacturer ? nut->manufacturer : "", 0},
        {"Model", nut->model ? nut->model : "", 0},
        {"Serial", nut->serial ? nut->serial : "", 0},
        {"Chemistry", nut->chemistry == BK_MACHINE_LEAD_ACID ? "PbAc" : "LION", 0},
    };
    return write_params("NUTBATT", nut->name, ups, sizeof ups / sizeof ups[0]);
}

/* `--machine host`: a bare name (no '/', no '.') that is not a file names
 * NAME.ini in the source tree's data/machines, else the installed one. */
const char *plat_machine_path(const char *arg, char *buf, size_t len)
{
    static const char *const dirs[] = {BATTKIT_BUILD_MACHINE_DIR, BATTKIT_INSTALL_MACHINE_DIR};
    if (!arg || strchr(arg, '/') || strchr(arg, '.') || access(arg, R_OK) == 0)
        return arg;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(buf, len, "%s/%s.ini", dirs[i], arg);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    return arg; /* refused by the reader with its own message */
}

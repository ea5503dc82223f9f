/* The simbatt tests' fixture: one host per test (virtual time), one simbatt
 * battery, its handles, and IOCTL helpers. */
#define _GNU_SOURCE /* strcasestr */
#include <initguid.h>
#include "simbatt_fixture.h"

#include "registry/registry.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SIMBATT_DRIVER_DIR
#error "SIMBATT_DRIVER_DIR (where simbatt.so and battc.so are built) must be defined"
#endif

#define SB_INSTANCE "SIM0"
#define SB_ENUM     "\\Registry\\Machine\\System\\CurrentControlSet\\Enum\\"

/* The one interface of the class that belongs to our device: its link is
 * \??\<instance path with '#' for '\'>#{class}. Other drivers' batteries
 * (cmbatt on a machine's ACPI bus) may be there too. */
static char *sb_device_path(sb_t *sb, const GUID *klass)
{
    char **paths = NULL;
    char *path = NULL;
    char hashed[128];
    size_t i, matches = 0, n = bk_host_list_interfaces(sb->host, klass, &paths);

    for (i = 0; sb->instance[i] && i + 1 < sizeof hashed; i++)
        hashed[i] = sb->instance[i] == '\\' ? '#' : sb->instance[i];
    hashed[i] = 0;
    for (i = 0; i < n; i++) {
        if (strcasestr(paths[i], hashed)) {
            matches++;
            if (!path)
                path = strdup(paths[i]);
        }
    }
    if (matches != 1)
        bk_test_fail(__FILE__, __LINE__, "%zu interfaces of %s in the class, expected 1", matches,
                     sb->instance);
    bk_host_free_list(paths, n);
    return path;
}

int sb_open_handles(sb_t *sb)
{
    char *battery = sb_device_path(sb, &GUID_DEVICE_BATTERY);
    char *control = sb_device_path(sb, &GUID_DEVINTERFACE_BATTKIT_SIMBATT);
    bk_status_t s1 = STATUS_UNSUCCESSFUL, s2 = STATUS_UNSUCCESSFUL, s3 = STATUS_UNSUCCESSFUL;
    int result = -1;

    if (battery && control) {
        s1 = bk_host_open(sb->host, battery, BK_ACCESS_READ | BK_ACCESS_WRITE, &sb->battery);
        s2 = bk_host_open(sb->host, control, BK_ACCESS_READ | BK_ACCESS_WRITE, &sb->control);
        s3 = bk_host_open(sb->host, control, BK_ACCESS_READ, &sb->reader);
        if (s1 == STATUS_SUCCESS && s2 == STATUS_SUCCESS && s3 == STATUS_SUCCESS)
            result = 0;
        else
            bk_test_fail(__FILE__, __LINE__, "opening: 0x%08x 0x%08x 0x%08x", (unsigned)s1,
                         (unsigned)s2, (unsigned)s3);
    }
    free(battery);
    free(control);
    bk_host_settle(sb->host);
    return result;
}

void sb_close_handles(sb_t *sb)
{
    if (sb->battery)
        bk_close(sb->battery);
    if (sb->control)
        bk_close(sb->control);
    if (sb->reader)
        bk_close(sb->reader);
    sb->battery = sb->control = sb->reader = NULL;
}

int sb_add_device(sb_t *sb)
{
    /* No service named: the PnP manager binds SIMBATT\Battery to simbatt
     * through simbatt.inf, installed by sb_start. */
    bk_status_t s = bk_host_add_root_device(sb->host, SIMBATT_HARDWARE_ID, NULL, SB_INSTANCE, NULL,
                                            &sb->device);
    if (s != STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "adding SIMBATT\\Battery: 0x%08x", (unsigned)s);
        return -1;
    }
    sb->own_device = 1;
    return sb_open_handles(sb);
}

bk_status_t sb_remove_device(sb_t *sb, int surprise)
{
    sb_close_handles(sb);
    bk_status_t s = bk_host_remove_device(sb->host, sb->device, surprise);
    sb->device = NULL;
    sb->own_device = 0;
    bk_host_settle(sb->host);
    return s;
}

/* Does the device's hardware key hold a PersistState value already? */
static int sb_has_persist_value(const char *instance_path)
{
    char path[512];
    reg_key_t *key = NULL;
    ULONG value;
    snprintf(path, sizeof path, SB_ENUM "%s\\Device Parameters", instance_path);
    if (reg_open(path, false, &key) != STATUS_SUCCESS)
        return 0;
    int has = reg_get_dword(key, "PersistState", &value) == STATUS_SUCCESS;
    reg_close(key);
    return has;
}

int sb_start(sb_t *sb, const sb_options_t *options)
{
    sb_options_t none = {0};
    if (!options)
        options = &none;
    memset(sb, 0, sizeof(*sb));
    sb->instance = "ROOT\\SIMBATT\\" SB_INSTANCE;
    sb->host = bk_host_create(&(bk_host_options_t){.virtual_time = 1,
                                                   .driver_dir = SIMBATT_DRIVER_DIR,
                                                   .registry_file = options->registry_file});
    if (!sb->host) {
        bk_test_fail(__FILE__, __LINE__, "bk_host_create failed");
        return -1;
    }
    /* The shipped drivers are installed by their INFs, as at every start
     * of battd (simbatt.inf binds SIMBATT\Battery). */
    bk_status_t installed = bk_host_install_shipped_drivers(sb->host);
    if (installed != STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "installing the shipped INFs: 0x%08x",
                     (unsigned)installed);
        return -1;
    }
    if (options->persist)
        sb_set_persist(sb, sb->instance, 1);
    if (options->machine_text) {
        char path[] = "/tmp/simbatt-machine-XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!f) {
            bk_test_fail(__FILE__, __LINE__, "cannot write a machine file");
            return -1;
        }
        fputs(options->machine_text, f);
        fclose(f);
        bk_status_t s = bk_host_load_machine(sb->host, path);
        unlink(path);
        if (s != STATUS_SUCCESS) {
            bk_test_fail(__FILE__, __LINE__, "machine refused: %s", bk_platform_last_error());
            return -1;
        }
        sb->machine_loaded = 1;
    }
    if (options->no_device)
        return 0;
    if (options->machine_text && options->machine_battery) {
        snprintf(sb->instance_buffer, sizeof sb->instance_buffer, "ROOT\\SIMBATT\\%s",
                 options->machine_battery);
        sb->instance = sb->instance_buffer;
        sb->device = bk_host_find_device(sb->host, sb->instance);
        if (!sb->device) {
            bk_test_fail(__FILE__, __LINE__, "the platform added no %s", sb->instance);
            return -1;
        }
        return sb_open_handles(sb);
    }
    /* A registry file may already hold the device, simbatt installed on it. */
    int known = sb_has_persist_value(sb->instance);
    if (sb_add_device(sb) != 0)
        return -1;
    if (options->persist || known)
        return 0;
    /* simbatt.inf turns PersistState on when it is installed on a device.
     * These tests start from a device whose administrator turned it off:
     * the value stays off across restarts (the INF's AddReg runs when the
     * driver is installed on the device, not at every start). */
    sb_set_persist(sb, sb->instance, 0);
    if (sb_remove_device(sb, 0) != STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "restarting the device without PersistState failed");
        return -1;
    }
    return sb_add_device(sb);
}

void sb_stop(sb_t *sb)
{
    sb_close_handles(sb);
    /* bk_host_destroy leaves the platform's machine (and its device)
     * loaded for now: unload it first, as the platform tests do. */
    if (sb->host && sb->machine_loaded) {
        /* Our own device goes first: it may follow one of the machine's batteries. */
        if (sb->device && sb->own_device)
            sb_remove_device(sb, 0);
        bk_host_unload_machine(sb->host);
    }
    if (sb->host) {
        int problems = bk_host_destroy(sb->host);
        if (problems)
            bk_test_fail(__FILE__, __LINE__, "host pool check: %s", bk_host_last_report());
    }
    memset(sb, 0, sizeof(*sb));
}

void sb_advance_ms(sb_t *sb, uint64_t ms)
{
    bk_host_advance(sb->host, ms * SB_MS);
}

static reg_key_t *sb_device_key(const char *instance_path)
{
    char path[512];
    reg_key_t *key = NULL;
    snprintf(path, sizeof path, SB_ENUM "%s\\Device Parameters", instance_path);
    if (reg_open(path, true, &key) != STATUS_SUCCESS)
        bk_test_fail(__FILE__, __LINE__, "cannot open %s", path);
    return key;
}

void sb_set_persist(sb_t *sb, const char *instance_path, ULONG value)
{
    (void)sb;
    reg_key_t *key = sb_device_key(instance_path);
    if (key) {
        reg_set_dword(key, "PersistState", value);
        reg_close(key);
    }
}

void sb_write_saved_state(const char *instance_path, ULONG type, const void *data, ULONG size)
{
    reg_key_t *key = sb_device_key(instance_path);
    if (key) {
        reg_set_value(key, "SavedState", type, data, size);
        reg_close(key);
    }
}

bk_status_t sb_ctl(sb_t *sb, uint32_t code, const void *in, uint32_t in_len)
{
    uint32_t got = 0;
    bk_status_t s = bk_ioctl(sb->control, code, in, in_len, NULL, 0, &got);
    bk_host_settle(sb->host);
    return s;
}

SIMBATT_STATE sb_state(sb_t *sb)
{
    SIMBATT_STATE st;
    uint32_t got = 0;
    memset(&st, 0, sizeof st);
    bk_status_t s = bk_ioctl(sb->reader, IOCTL_SIMBATT_GET_STATE, NULL, 0, &st, sizeof st, &got);
    if (s != STATUS_SUCCESS || got != sizeof st)
        bk_test_fail(__FILE__, __LINE__, "GET_STATE: 0x%08x, %u bytes", (unsigned)s, got);
    return st;
}

void sb_set_status(sb_t *sb, ULONG power_state, ULONG capacity, ULONG voltage, LONG rate)
{
    BATTERY_STATUS st = {power_state, capacity, voltage, rate};
    bk_status_t s = sb_ctl(sb, IOCTL_SIMBATT_SET_STATUS, &st, sizeof st);
    if (s != STATUS_SUCCESS)
        bk_test_fail(__FILE__, __LINE__, "SET_STATUS: 0x%08x", (unsigned)s);
}

bk_status_t sb_set_string(sb_t *sb, ULONG level, const WCHAR *text)
{
    SIMBATT_STRING req;
    memset(&req, 0, sizeof req);
    req.Level = level;
    for (size_t i = 0; text[i] && i + 1 < SIMBATT_MAX_STRING_CHARS; i++)
        req.String[i] = text[i];
    return sb_ctl(sb, IOCTL_SIMBATT_SET_STRING, &req, sizeof req);
}

bk_status_t sb_set_faults(sb_t *sb, ULONG faults, ULONG drop_percent)
{
    SIMBATT_FAULTS f = {faults, drop_percent};
    return sb_ctl(sb, IOCTL_SIMBATT_SET_FAULTS, &f, sizeof f);
}

bk_status_t sb_query_tag(sb_t *sb, ULONG timeout_ms, ULONG *tag)
{
    uint32_t got = 0;
    *tag = BATTERY_TAG_INVALID;
    return bk_ioctl(sb->battery, IOCTL_BATTERY_QUERY_TAG, &timeout_ms, sizeof timeout_ms, tag,
                    sizeof *tag, &got);
}

ULONG sb_tag(sb_t *sb)
{
    ULONG tag;
    bk_status_t s = sb_query_tag(sb, 0, &tag);
    if (s != STATUS_SUCCESS || tag == BATTERY_TAG_INVALID)
        bk_test_fail(__FILE__, __LINE__, "no battery tag: 0x%08x", (unsigned)s);
    return tag;
}

bk_status_t sb_query_status(sb_t *sb, ULONG tag, BATTERY_STATUS *out)
{
    BATTERY_WAIT_STATUS w = {tag, 0, 0, 0, 0};
    uint32_t got = 0;
    memset(out, 0, sizeof *out);
    return bk_ioctl(sb->battery, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, out, sizeof *out, &got);
}

bk_status_t sb_query_info(sb_t *sb, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG out_len,
                          uint32_t *returned)
{
    BATTERY_QUERY_INFORMATION q = {tag, (BATTERY_QUERY_INFORMATION_LEVEL)level, (ULONG)at_rate};
    uint32_t got = 0;
    bk_status_t s =
        bk_ioctl(sb->battery, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof q, out, out_len, &got);
    if (returned)
        *returned = got;
    return s;
}

bk_status_t sb_set_info(sb_t *sb, ULONG tag, ULONG level, const void *payload, ULONG payload_len)
{
    UCHAR buffer[64];
    uint32_t got = 0;
    ULONG header = FIELD_OFFSET(BATTERY_SET_INFORMATION, Buffer);
    memset(buffer, 0, sizeof buffer);
    memcpy(buffer, &tag, sizeof tag);
    memcpy(buffer + 4, &level, sizeof level);
    if (payload_len)
        memcpy(buffer + header, payload, payload_len);
    bk_status_t s = bk_ioctl(sb->battery, IOCTL_BATTERY_SET_INFORMATION, buffer,
                             header + payload_len, NULL, 0, &got);
    bk_host_settle(sb->host);
    return s;
}

bk_request_t *sb_wait_status(sb_t *sb, ULONG tag, ULONG timeout_ms, ULONG power_state, ULONG low,
                             ULONG high, BATTERY_STATUS *out)
{
    BATTERY_WAIT_STATUS w = {tag, timeout_ms, power_state, low, high};
    bk_request_t *r = NULL;
    memset(out, 0, sizeof *out);
    bk_status_t s = bk_ioctl_async(sb->battery, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, out,
                                   sizeof *out, NULL, NULL, &r);
    if (!r)
        bk_test_fail(__FILE__, __LINE__, "QUERY_STATUS not sent: 0x%08x", (unsigned)s);
    bk_host_settle(sb->host);
    return r;
}

bk_request_t *sb_wait_tag(sb_t *sb, ULONG timeout_ms, ULONG *tag)
{
    ULONG timeout = timeout_ms; /* copied into the IRP's system buffer */
    bk_request_t *r = NULL;
    *tag = BATTERY_TAG_INVALID;
    bk_status_t s = bk_ioctl_async(sb->battery, IOCTL_BATTERY_QUERY_TAG, &timeout, sizeof timeout,
                                   tag, sizeof *tag, NULL, NULL, &r);
    if (!r)
        bk_test_fail(__FILE__, __LINE__, "QUERY_TAG not sent: 0x%08x", (unsigned)s);
    bk_host_settle(sb->host);
    return r;
}

void *sb_context(sb_t *sb)
{
    PDEVICE_OBJECT pdo = bk_device_pdo(sb->device);
    return pdo && pdo->AttachedDevice ? pdo->AttachedDevice->DeviceExtension : NULL;
}

void *sb_driver_symbol(const char *name)
{
    void *lib = dlopen(SIMBATT_DRIVER_DIR "/simbatt.so", RTLD_NOW | RTLD_NOLOAD);
    void *sym = lib ? dlsym(lib, name) : NULL;
    if (lib)
        dlclose(lib); /* drops only the reference NOLOAD took */
    if (!sym)
        bk_test_fail(__FILE__, __LINE__, "simbatt.so has no %s", name);
    return sym;
}

size_t sb_wlen(const WCHAR *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

const char *sb_narrow(const WCHAR *s)
{
    static char out[256];
    size_t i;
    for (i = 0; s[i] && i + 1 < sizeof out; i++)
        out[i] = s[i] < 0x80 ? (char)s[i] : '?';
    out[i] = 0;
    return out;
}

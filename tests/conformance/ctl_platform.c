/* The battery controller for the batteries of a loaded machine: the
 * platform's host API (include/battkit/host.h, bk_platform_*) inserts and
 * removes a pack and switches AC, and the platform raises the ACPI Notify
 * a firmware would, so the driver learns of it as on real hardware. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cf_internal.h"

typedef struct platform_state {
    bk_host_t *host;
    char name[32]; /* the machine file's battery name, e.g. "BAT0" */
} platform_state_t;

/* The machine battery behind an interface. Its link is
 * "\??\<instance path with '\' as '#'>#{class GUID}" (host.h): a root
 * simbatt device's instance is the battery's name, an ACPI battery's is
 * its _UID, which the platform numbers in machine-file order. */
static bool battery_name(bk_host_t *host, const char *path, char *name, size_t len)
{
    char parts[3][64] = {{0}};
    const char *p = strncmp(path, "\\??\\", 4) == 0 ? path + 4 : path;
    const char *end = strstr(p, "#{");
    int n = 0;

    if (!end)
        return false;
    while (p < end && n < 3) {
        const char *hash = memchr(p, '#', (size_t)(end - p));
        const char *stop = hash ? hash : end;
        snprintf(parts[n++], sizeof parts[0], "%.*s", (int)(stop - p), p);
        p = hash ? hash + 1 : end;
    }
    if (n == 3 && strcasecmp(parts[0], "ROOT") == 0 && strcasecmp(parts[1], "SIMBATT") == 0) {
        return (size_t)snprintf(name, len, "%s", parts[2]) < len;
    }
    if (n == 3 && strcasecmp(parts[0], "ACPI") == 0 && strcasecmp(parts[1], "PNP0C0A") == 0) {
        /* As many devices as the machine has: no bound of our own. */
        size_t count = bk_platform_snapshot(host, NULL, 0);
        bk_platform_reading_t *devices = calloc(count ? count : 1, sizeof *devices);
        if (!devices)
            return false;
        size_t now = bk_platform_snapshot(host, devices, count); /* fills at most count */
        if (now < count)
            count = now;
        unsigned long uid = strtoul(parts[2], NULL, 10), seen = 0;
        bool found = false;
        for (size_t i = 0; i < count && !found; i++) {
            if (devices[i].kind != 1)
                continue;
            if (seen++ == uid)
                found = (size_t)snprintf(name, len, "%s", devices[i].name) < len;
        }
        free(devices);
        return found;
    }
    return false;
}

static int platform_open(const bk_conformance_target_t *target, void **state)
{
    platform_state_t *s = calloc(1, sizeof *s);
    bk_platform_reading_t reading;

    if (!s)
        return -1;
    s->host = target->host;
    if (!target->interface_path ||
        !battery_name(target->host, target->interface_path, s->name, sizeof s->name) ||
        !NT_SUCCESS(bk_platform_read(target->host, s->name, &reading)) || reading.kind != 1) {
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static void platform_close(void *state)
{
    free(state);
}

static bk_status_t platform_insert(void *state)
{
    platform_state_t *s = state;
    return bk_platform_set_present(s->host, s->name, 1);
}

static bk_status_t platform_remove(void *state)
{
    platform_state_t *s = state;
    return bk_platform_set_present(s->host, s->name, 0);
}

static bk_status_t platform_set_ac(void *state, int online)
{
    platform_state_t *s = state;
    return bk_platform_set_ac(s->host, NULL, online);
}

const bk_conformance_controller_t bk_conformance_controller_platform = {
    .name = "platform",
    .open = platform_open,
    .close = platform_close,
    .insert = platform_insert,
    .remove = platform_remove,
    .set_ac = platform_set_ac,
};

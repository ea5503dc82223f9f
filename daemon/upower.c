/* battd's UPower-compatible D-Bus service (battd --upower): owns
 * org.freedesktop.UPower on the system bus (or a given bus) with one
 * org.freedesktop.UPower.Device object per battery slot, the AC line and the
 * display device, and sends PropertiesChanged when battkit's state does.
 * The values come from the battery watcher (history_monitor.c) and the
 * power manager; their mapping is upower_map.c. Every sd-bus call happens
 * on this file's bus thread; a second thread only turns the watcher's change
 * notification into a wake-up of it. */
#include "battd.h"
#include "upower.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define UP_NAME      "org.freedesktop.UPower"
#define UP_PATH      "/org/freedesktop/UPower"
#define UP_DEVICE_IF "org.freedesktop.UPower.Device"
#define UP_DEVICES   UP_PATH "/devices/"

typedef struct up_device {
    char path[256]; /* the object path */
    char key[160];  /* the battery's device interface path; "" for AC and display */
    up_values_t v;
    sd_bus_slot *slot;
    bool seen; /* in the latest snapshot */
} up_device_t;

static struct {
    bk_host_t *host;
    sd_bus *bus;
    sd_bus_slot *manager_slot;
    sd_bus_vtable *device_vtable;
    int wake_fd;
    pthread_t bus_thread, watch_thread;
    bool bus_running, watch_running;
    atomic_bool stop;
    up_device_t display, line;
    up_device_t **batteries; /* both grow with the machine: no fixed bound */
    size_t nbatteries, batteries_cap;
    int on_battery;
    live_battery_t *snapshot;
    size_t snapshot_cap;
} U = {.wake_fd = -1};

/* ---- the Device interface: one vtable built from the property table ---- */
static int device_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                      sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    (void)bus, (void)path, (void)interface;
    const up_device_t *d = userdata;
    const up_property_t *p = up_property_find(property);
    if (!p)
        return sd_bus_error_setf(error, SD_BUS_ERROR_UNKNOWN_PROPERTY, "no property %s", property);
    return up_property_append(reply, p, &d->v);
}

static void refresh(void);

static int device_refresh(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    (void)userdata, (void)error;
    refresh(); /* battkit's state is always current; this only re-reads it */
    return sd_bus_reply_method_return(m, "");
}

/* battd keeps its history in its own database (battctl report), not here. */
static int device_empty_history(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    (void)userdata, (void)error;
    sd_bus_message *reply = NULL;
    const char *sig = strcmp(sd_bus_message_get_member(m), "GetHistory") == 0 ? "(udu)" : "(dd)";
    int r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', sig);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    if (r >= 0)
        r = sd_bus_send(NULL, reply, NULL);
    sd_bus_message_unref(reply);
    return r;
}

static sd_bus_vtable *build_device_vtable(void)
{
    static const sd_bus_vtable head = SD_BUS_VTABLE_START(0);
    static const sd_bus_vtable methods[] = {
        SD_BUS_METHOD("Refresh", "", "", device_refresh, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("GetHistory", "suu", "a(udu)", device_empty_history,
                      SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("GetStatistics", "s", "a(dd)", device_empty_history,
                      SD_BUS_VTABLE_UNPRIVILEGED),
    };
    static const sd_bus_vtable end = SD_BUS_VTABLE_END;
    size_t nm = sizeof methods / sizeof methods[0];
    sd_bus_vtable *vt = calloc(up_property_count + nm + 2, sizeof *vt);
    if (!vt)
        return NULL;
    size_t k = 0;
    vt[k++] = head;
    for (size_t i = 0; i < up_property_count; i++)
        vt[k++] =
            (sd_bus_vtable)SD_BUS_PROPERTY(up_properties[i].name, up_properties[i].signature,
                                           device_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE);
    for (size_t i = 0; i < nm; i++)
        vt[k++] = methods[i];
    vt[k] = end;
    return vt;
}

/* ---- the manager object ---- */
static int manager_enumerate(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    (void)userdata, (void)error;
    sd_bus_message *reply = NULL;
    int r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "o");
    if (r >= 0)
        r = sd_bus_message_append_basic(reply, 'o', U.line.path);
    for (size_t i = 0; i < U.nbatteries && r >= 0; i++)
        r = sd_bus_message_append_basic(reply, 'o', U.batteries[i]->path);
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    if (r >= 0)
        r = sd_bus_send(NULL, reply, NULL);
    sd_bus_message_unref(reply);
    return r;
}

static int manager_display(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    (void)userdata, (void)error;
    return sd_bus_reply_method_return(m, "o", U.display.path);
}

static int manager_critical_action(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
    (void)userdata, (void)error;
    bk_dc_policy_t p;
    bk_host_get_dc_policy(U.host, &p);
    return sd_bus_reply_method_return(m, "s",
                                      up_critical_action_name(p.action[BK_PO_LEVEL_CRITICAL]));
}

static int manager_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                       sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
    (void)bus, (void)path, (void)interface, (void)userdata, (void)error;
    static const int no = 0;
    if (strcmp(property, "DaemonVersion") == 0)
        return sd_bus_message_append_basic(reply, 's', BATTKIT_VERSION);
    if (strcmp(property, "OnBattery") == 0)
        return sd_bus_message_append_basic(reply, 'b', &U.on_battery);
    return sd_bus_message_append_basic(reply, 'b', &no); /* LidIsClosed, LidIsPresent */
}

static const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("EnumerateDevices", "", "ao", manager_enumerate, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("GetDisplayDevice", "", "o", manager_display, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("GetCriticalAction", "", "s", manager_critical_action,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_PROPERTY("DaemonVersion", "s", manager_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("OnBattery", "b", manager_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("LidIsClosed", "b", manager_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("LidIsPresent", "b", manager_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_SIGNAL("DeviceAdded", "o", 0),
    SD_BUS_SIGNAL("DeviceRemoved", "o", 0),
    SD_BUS_VTABLE_END,
};

/* ---- devices from battkit's state ---- */
/* "\??\ACPI#PNP0C0A#0#{guid}" -> "battery_ACPI_PNP0C0A_0": the device
 * instance, stable across restarts, in the letters an object path allows. */
static void battery_object_path(const char *interface_path, char *out, size_t n)
{
    const char *s = interface_path;
    s += strspn(s, "\\?"); /* the \??\ (or \\?\) prefix */
    const char *end = strstr(s, "#{");
    size_t len = end ? (size_t)(end - s) : strlen(s);
    int o = snprintf(out, n, UP_DEVICES "battery_");
    for (size_t i = 0; i < len && (size_t)o + 1 < n; i++) {
        char c = s[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        out[o++] = ok ? c : '_';
    }
    out[o] = 0;
}

static double now_s(void)
{
    return (double)history_now_ms() / 1000.0;
}

/* Takes the new values; sends one PropertiesChanged naming what differs.
 * stamp: the device has no time of its own, UpdateTime is when it changed. */
static void update_device(up_device_t *d, up_values_t *v, bool stamp)
{
    const char *changed[64];
    size_t n = 0;
    if (stamp)
        v->update_time = d->v.update_time;
    for (size_t i = 0; i < up_property_count && n + 2 < 64; i++)
        if (!up_property_equal(&up_properties[i], &d->v, v))
            changed[n++] = up_properties[i].name;
    if (n == 0)
        return;
    if (stamp) {
        v->update_time = (uint64_t)now_s();
        changed[n++] = "UpdateTime";
    }
    changed[n] = NULL;
    d->v = *v;
    if (d->slot)
        sd_bus_emit_properties_changed_strv(U.bus, d->path, UP_DEVICE_IF, (char **)changed);
}

static up_device_t *battery_add(const live_battery_t *b)
{
    if (U.nbatteries == U.batteries_cap) {
        size_t cap = U.batteries_cap ? 2 * U.batteries_cap : 8;
        up_device_t **grown = realloc(U.batteries, cap * sizeof *grown);
        if (!grown)
            return NULL;
        U.batteries = grown;
        U.batteries_cap = cap;
    }
    up_device_t *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    snprintf(d->key, sizeof d->key, "%s", b->path);
    battery_object_path(b->path, d->path, sizeof d->path);
    int r = sd_bus_add_object_vtable(U.bus, &d->slot, d->path, UP_DEVICE_IF, U.device_vtable, d);
    if (r < 0) {
        dlog(DLOG_ERROR, "upower: %s: %s", d->path, strerror(-r));
        free(d);
        return NULL;
    }
    U.batteries[U.nbatteries++] = d;
    sd_bus_emit_signal(U.bus, UP_PATH, UP_NAME, "DeviceAdded", "o", d->path);
    dlog(DLOG_DEBUG, "upower: %s added", d->path);
    return d;
}

static void battery_remove(size_t i)
{
    up_device_t *d = U.batteries[i];
    U.batteries[i] = U.batteries[--U.nbatteries];
    sd_bus_slot_unref(d->slot);
    sd_bus_emit_signal(U.bus, UP_PATH, UP_NAME, "DeviceRemoved", "o", d->path);
    dlog(DLOG_DEBUG, "upower: %s removed", d->path);
    free(d);
}

/* Bus thread (or upower_start before it runs): battkit's state now. */
static void refresh(void)
{
    bk_power_state_t ps;
    bool have_ps = bk_host_power_state(U.host, &ps) == STATUS_SUCCESS;
    bk_dc_policy_t policy;
    bk_host_get_dc_policy(U.host, &policy);
    up_policy_t levels = {.low_percent = policy.percent[BK_PO_LEVEL_LOW],
                          .reserve_percent = policy.percent[BK_PO_LEVEL_RESERVE],
                          .critical_percent = policy.percent[BK_PO_LEVEL_CRITICAL]};
    size_t n = monitor_snapshot(U.snapshot, U.snapshot_cap, NULL);
    while (n > U.snapshot_cap) { /* batteries arrived: grow and copy again */
        live_battery_t *grown = realloc(U.snapshot, n * sizeof *grown);
        if (!grown) {
            dlog(DLOG_ERROR, "upower: no memory for %zu batteries; showing %zu", n, U.snapshot_cap);
            n = U.snapshot_cap;
            break;
        }
        U.snapshot = grown;
        U.snapshot_cap = n;
        n = monitor_snapshot(U.snapshot, U.snapshot_cap, NULL);
    }
    up_values_t v;

    for (size_t i = 0; i < U.nbatteries; i++)
        U.batteries[i]->seen = false;
    for (size_t k = 0; k < n; k++) {
        up_device_t *d = NULL;
        for (size_t i = 0; i < U.nbatteries && !d; i++)
            if (strcmp(U.batteries[i]->key, U.snapshot[k].path) == 0)
                d = U.batteries[i];
        if (!d && !(d = battery_add(&U.snapshot[k])))
            continue;
        d->seen = true;
        up_map_battery(&U.snapshot[k], &levels, &v);
        update_device(d, &v, false);
    }
    for (size_t i = U.nbatteries; i-- > 0;)
        if (!U.batteries[i]->seen)
            battery_remove(i);

    up_map_line_power(have_ps ? &ps : NULL, &v);
    update_device(&U.line, &v, true);
    up_map_display(have_ps ? &ps : NULL, &v);
    update_device(&U.display, &v, true);

    int on_battery = have_ps && ps.ac_line_status == 0;
    if (on_battery != U.on_battery) {
        U.on_battery = on_battery;
        if (U.manager_slot)
            sd_bus_emit_properties_changed(U.bus, UP_PATH, UP_NAME, "OnBattery", NULL);
    }
}

/* ---- threads ---- */
static void wake(void)
{
    uint64_t one = 1;
    ssize_t w = write(U.wake_fd, &one, sizeof one);
    (void)w; /* a full counter already wakes the bus thread */
}

/* The watcher's generation rises on every battery sample, arrival,
 * removal and power manager change; the bound only lets stop be seen. */
static void *watch_thread(void *arg)
{
    uint64_t seen = *(uint64_t *)arg;
    while (!atomic_load(&U.stop)) {
        uint64_t g = monitor_wait_change(seen, 250);
        if (g != seen) {
            seen = g;
            wake();
        }
    }
    return NULL;
}

static int poll_timeout_ms(void)
{
    uint64_t until = 0;
    if (sd_bus_get_timeout(U.bus, &until) < 0 || until == UINT64_MAX)
        return -1;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
    return until <= now ? 0 : (int)((until - now + 999) / 1000);
}

static void *bus_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&U.stop)) {
        int r = sd_bus_process(U.bus, NULL);
        if (r < 0) {
            dlog(DLOG_ERROR, "upower: the bus connection is lost (%s); the UPower service stops",
                 strerror(-r));
            break;
        }
        if (r > 0)
            continue;
        struct pollfd p[2] = {
            {.fd = sd_bus_get_fd(U.bus), .events = (short)sd_bus_get_events(U.bus)},
            {.fd = U.wake_fd, .events = POLLIN}};
        if (poll(p, 2, poll_timeout_ms()) < 0 && errno != EINTR)
            break;
        if (p[1].revents & POLLIN) {
            uint64_t count;
            ssize_t got = read(U.wake_fd, &count, sizeof count);
            (void)got;
            if (!atomic_load(&U.stop))
                refresh();
        }
    }
    sd_bus_flush(U.bus);
    return NULL;
}

/* ---- start and stop ---- */
static int connect_bus(const char *address)
{
    int r;
    if (!address) {
        r = sd_bus_open_system(&U.bus);
    } else {
        r = sd_bus_new(&U.bus);
        if (r >= 0)
            r = sd_bus_set_address(U.bus, address);
        if (r >= 0)
            r = sd_bus_set_bus_client(U.bus, 1);
        if (r >= 0)
            r = sd_bus_start(U.bus);
    }
    if (r < 0)
        dlog(DLOG_ERROR, "upower: cannot connect to the %s bus%s%s: %s",
             address ? "given" : "system", address ? " " : "", address ? address : "",
             strerror(-r));
    return r;
}

int upower_start(bk_host_t *host, const char *bus_address)
{
    U.host = host;
    atomic_store(&U.stop, false);
    snprintf(U.display.path, sizeof U.display.path, UP_DEVICES "DisplayDevice");
    snprintf(U.line.path, sizeof U.line.path, UP_DEVICES "line_power_AC");
    U.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    U.device_vtable = build_device_vtable();
    int r = -ENOMEM;
    if (U.wake_fd < 0 || !U.device_vtable)
        goto fail;
    if ((r = connect_bus(bus_address)) < 0)
        goto fail;
    uint64_t generation = 0;
    monitor_snapshot(NULL, 0, &generation); /* changes after this wake the bus thread */
    /* The objects are there before the name, so a client that sees the
     * name finds them. */
    if ((r = sd_bus_add_object_vtable(U.bus, &U.manager_slot, UP_PATH, UP_NAME, manager_vtable,
                                      NULL)) < 0 ||
        (r = sd_bus_add_object_vtable(U.bus, &U.line.slot, U.line.path, UP_DEVICE_IF,
                                      U.device_vtable, &U.line)) < 0 ||
        (r = sd_bus_add_object_vtable(U.bus, &U.display.slot, U.display.path, UP_DEVICE_IF,
                                      U.device_vtable, &U.display)) < 0) {
        dlog(DLOG_ERROR, "upower: cannot register the objects: %s", strerror(-r));
        goto fail;
    }
    refresh();
    r = sd_bus_request_name(U.bus, UP_NAME, 0);
    if (r < 0) {
        dlog(
            DLOG_ERROR, "upower: cannot own %s: %s%s", UP_NAME, strerror(-r),
            r == -EEXIST ? " (upowerd running? stop it first: systemctl stop upower)"
            : r == -EACCES
                ? " (the bus policy does not allow it: install battkit-upower.conf, docs/upower.md)"
                : "");
        goto fail;
    }
    static uint64_t start_generation;
    start_generation = generation;
    if (pthread_create(&U.bus_thread, NULL, bus_thread, NULL) != 0)
        goto fail;
    U.bus_running = true;
    if (pthread_create(&U.watch_thread, NULL, watch_thread, &start_generation) != 0)
        goto fail;
    U.watch_running = true;
    dlog(DLOG_INFO, "upower: serving %s on the %s bus", UP_NAME, bus_address ? "given" : "system");
    return 0;
fail:
    upower_stop();
    return -1;
}

void upower_stop(void)
{
    atomic_store(&U.stop, true);
    if (U.wake_fd >= 0)
        wake();
    if (U.watch_running)
        pthread_join(U.watch_thread, NULL);
    if (U.bus_running)
        pthread_join(U.bus_thread, NULL);
    U.watch_running = U.bus_running = false;
    while (U.nbatteries)
        battery_remove(U.nbatteries - 1);
    free(U.batteries);
    free(U.snapshot);
    U.batteries = NULL;
    U.snapshot = NULL;
    U.batteries_cap = U.snapshot_cap = 0;
    U.display.slot = sd_bus_slot_unref(U.display.slot);
    U.line.slot = sd_bus_slot_unref(U.line.slot);
    U.manager_slot = sd_bus_slot_unref(U.manager_slot);
    U.bus = sd_bus_flush_close_unref(U.bus);
    free(U.device_vtable);
    U.device_vtable = NULL;
    if (U.wake_fd >= 0)
        close(U.wake_fd);
    U.wake_fd = -1;
}

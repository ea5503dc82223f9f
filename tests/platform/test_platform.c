/* The simulated machine (ntos/platform) through the host API and the
 * driver-facing platform interface: loading and refusing machine files,
 * the devices it makes, the interface's buffers and events (delivered on
 * a worker, never the caller's stack), load sharing and hand-over between
 * batteries, the periodic tick's Notify, and scenarios on host timers. */
#include "bk_test.h"
#include "fixture.h"

#include <battkit/platform.h>
#include <pthread.h>
#include <string.h>

#define MACHINE_2BAT BK_DATA_DIR "/machines/laptop-2bat.ini"

TEST(default_machine_is_a_57wh_laptop_with_an_ac_adapter)
{
    bk_platform_reading_t d[8];
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    REQUIRE(bk_platform_snapshot(h, d, 8) == 2);
    CHECK_STR(d[0].name, "BAT0");
    CHECK_EQ(d[0].kind, 1);
    CHECK_EQ(d[0].bus, 1);
    CHECK_EQ(d[0].present, 1);
    CHECK_NEAR(d[0].design_mwh, 57000, 0.5);
    CHECK_NEAR(d[0].soc_percent, 80, 0.01);
    CHECK_EQ(d[0].charging, 1);
    CHECK_STR(d[1].name, "ADP1");
    CHECK_EQ(d[1].kind, 2);
    CHECK_EQ(d[1].present, 1);
    CHECK(bk_host_find_device(h, "ROOT\\ACPI_HAL\\0") != NULL);
    fx_stop(h);
}

TEST(bad_machine_file_is_refused_with_file_line_and_nothing_kept)
{
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    bk_host_unload_machine(h);
    const char *bad = fx_temp_file(".ini", "[machine]\nname = x\ntime = sometimes\n");
    CHECK_STATUS(bk_host_load_machine(h, bad), STATUS_INVALID_PARAMETER);
    char where[300];
    snprintf(where, sizeof where, "%s:3:", bad);
    CHECK(strstr(bk_platform_last_error(), where) != NULL);
    CHECK_EQ(bk_platform_snapshot(h, NULL, 0), 0);
    CHECK(bk_host_find_device(h, "ROOT\\ACPI_HAL\\0") == NULL);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_DEVICE_NOT_READY);
    /* A good one loads afterwards. */
    CHECK_STATUS(bk_host_load_machine(h, NULL), STATUS_SUCCESS);
    CHECK_EQ(bk_platform_snapshot(h, NULL, 0), 2);
    fx_stop(h);
}

TEST(a_second_machine_is_refused_while_one_is_loaded)
{
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(bk_host_load_machine(h, NULL), STATUS_INVALID_DEVICE_STATE);
    CHECK_EQ(bk_platform_snapshot(h, NULL, 0), 2);
    fx_stop(h);
}

TEST(simbatt_batteries_become_root_devices_and_a_driverless_device_is_left_out)
{
    bk_host_t *h =
        fx_start("acpi battc simbatt", "[battery.SB1]\nbus = simbatt\ndesign_capacity_mwh = 40000\n"
                                       "design_voltage_mv = 7400\ncells = 2\n"
                                       "[device.WIDGET]\nhardware_id = ROOT\\BKWIDGET\n"
                                       "service = nosuchdriver\n");
    REQUIRE(h);
    CHECK(bk_host_find_device(h, "ROOT\\SIMBATT\\SB1") != NULL);
    /* A device without a loadable driver is left out; the machine runs. */
    CHECK(bk_host_find_device(h, "ROOT\\BKWIDGET\\WIDGET") == NULL);
    CHECK_EQ(bk_platform_snapshot(h, NULL, 0), 1);
    /* Nothing sits on ACPI: no ACPI bus. */
    CHECK(bk_host_find_device(h, "ROOT\\ACPI_HAL\\0") == NULL);
    fx_stop(h);
}

/* ---- the driver-facing interface, as a bus driver gets it ---- */

typedef struct events {
    pthread_mutex_t lock;
    int count;
    ULONG device[32], value[32];
    pthread_t thread;
} events_t;

static VOID on_event(PVOID context, ULONG device, ULONG value)
{
    events_t *e = context;
    pthread_mutex_lock(&e->lock);
    if (e->count < 32) {
        e->device[e->count] = device;
        e->value[e->count] = value;
        e->count++;
    }
    e->thread = pthread_self();
    pthread_mutex_unlock(&e->lock);
}

static NTSTATUS query(PBATTKIT_PLATFORM_INTERFACE out, ULONG out_len, ULONG version,
                      PFILE_OBJECT *file)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT dev;
    KEVENT done;
    IO_STATUS_BLOCK iosb = {0};
    RtlInitUnicodeString(&name, BATTKIT_PLATFORM_DEVICE_NAME);
    NTSTATUS s = IoGetDeviceObjectPointer(&name, FILE_READ_DATA, file, &dev);
    if (!NT_SUCCESS(s))
        return s;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_BATTKIT_PLATFORM_QUERY_INTERFACE, dev, &version,
                                             sizeof version, out, out_len, TRUE, &done, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    s = IoCallDriver(dev, irp);
    if (s == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        s = iosb.Status;
    }
    return s;
}

TEST(platform_interface_lists_devices_and_reads_them)
{
    BATTKIT_PLATFORM_INTERFACE pi;
    BATTKIT_PLATFORM_DEVICE d;
    BATTKIT_BATTERY_READING r;
    PFILE_OBJECT file;
    BOOLEAN online = FALSE;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    REQUIRE(query(&pi, sizeof pi, 1, &file) == STATUS_SUCCESS);
    CHECK_EQ(pi.Header.Version, BATTKIT_PLATFORM_INTERFACE_VERSION);
    CHECK_EQ(pi.Header.Size, sizeof pi);
    PVOID c = pi.Header.Context;
    CHECK_EQ(pi.GetDeviceCount(c), 2);
    CHECK_STATUS(pi.GetDevice(c, 0, &d), STATUS_SUCCESS);
    CHECK_EQ(d.Kind, BattkitDeviceBattery);
    CHECK_EQ(d.Bus, BattkitBusAcpi);
    CHECK_STR(d.Name, "BAT0");
    CHECK_STR(d.HardwareId, "PNP0C0A");
    CHECK_STATUS(pi.GetDevice(c, 1, &d), STATUS_SUCCESS);
    CHECK_STR(d.HardwareId, "ACPI0003");
    CHECK_STATUS(pi.GetDevice(c, 2, &d), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(pi.ReadBattery(c, 0, &r), STATUS_SUCCESS);
    CHECK(r.Present);
    CHECK_EQ(r.DesignCapacity, 57000);
    CHECK_EQ(r.State, BATTKIT_BST_CHARGING);
    CHECK_STR(r.Type, "LION");
    CHECK_EQ(r.ManufactureYear, 2024);
    CHECK_STATUS(pi.ReadBattery(c, 1, &r), STATUS_NO_SUCH_DEVICE); /* an adapter */
    CHECK_STATUS(pi.ReadAcAdapter(c, 1, &online), STATUS_SUCCESS);
    CHECK(online);
    pi.Header.InterfaceDereference(c);
    ObDereferenceObject(file);
    fx_stop(h);
}

TEST(platform_interface_buffer_and_version_are_checked)
{
    BATTKIT_PLATFORM_INTERFACE pi;
    PFILE_OBJECT file;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(query(&pi, sizeof pi - 1, 1, &file), STATUS_BUFFER_TOO_SMALL);
    ObDereferenceObject(file);
    CHECK_STATUS(query(&pi, sizeof pi, BATTKIT_PLATFORM_INTERFACE_VERSION + 1, &file),
                 STATUS_NOT_SUPPORTED);
    ObDereferenceObject(file);
    fx_stop(h);
}

TEST(events_reach_the_listener_on_a_worker_not_the_callers_stack)
{
    BATTKIT_PLATFORM_INTERFACE pi;
    PFILE_OBJECT file;
    events_t e = {.lock = PTHREAD_MUTEX_INITIALIZER};
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    REQUIRE(query(&pi, sizeof pi, 1, &file) == STATUS_SUCCESS);
    PVOID c = pi.Header.Context;
    CHECK_STATUS(pi.RegisterEvents(c, on_event, &e), STATUS_SUCCESS);
    CHECK_STATUS(pi.RegisterEvents(c, on_event, &e), STATUS_INVALID_DEVICE_STATE);
    CHECK_STATUS(bk_platform_set_ac(h, "ADP1", 0), STATUS_SUCCESS);
    bk_host_settle(h);
    REQUIRE(e.count >= 2);
    CHECK(!pthread_equal(e.thread, pthread_self()));
    CHECK_EQ(e.device[0], 1); /* the adapter first: Notify(ADP1, 0x80) */
    CHECK_EQ(e.value[0], BATTKIT_NOTIFY_STATUS);
    CHECK_EQ(e.device[1], 0);
    CHECK_EQ(e.value[1], BATTKIT_NOTIFY_STATUS);
    CHECK_STATUS(pi.RegisterEvents(c, NULL, NULL), STATUS_SUCCESS);
    e.count = 0;
    CHECK_STATUS(bk_platform_set_ac(h, "ADP1", 1), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_EQ(e.count, 0);
    CHECK_STATUS(bk_platform_set_ac(h, "NOPE", 1), STATUS_NO_SUCH_DEVICE);
    pi.Header.InterfaceDereference(c);
    ObDereferenceObject(file);
    fx_stop(h);
}

TEST(the_tick_notifies_critical_and_depletion)
{
    BATTKIT_PLATFORM_INTERFACE pi;
    PFILE_OBJECT file;
    events_t e = {.lock = PTHREAD_MUTEX_INITIALIZER};
    bk_platform_reading_t r;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    REQUIRE(query(&pi, sizeof pi, 1, &file) == STATUS_SUCCESS);
    CHECK_STATUS(pi.RegisterEvents(pi.Header.Context, on_event, &e), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_soc(h, "BAT0", 5.0), STATUS_SUCCESS);
    bk_host_settle(h);
    e.count = 0;
    double to_critical = bk_platform_predict_seconds(h, "BAT0", 8.0, 1710);
    CHECK(to_critical > 5 && to_critical < 3600);
    bk_host_advance(h, (uint64_t)(to_critical + 1.5) * FX_SECOND);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_EQ(r.critical, 1);
    CHECK(e.count >= 1); /* the critical bit of _BST came on: 0x80 */
    CHECK_EQ(e.value[0], BATTKIT_NOTIFY_STATUS);
    bk_host_advance(h, 2 * FX_HOUR);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_EQ(r.depleted, 1);
    CHECK_STATUS(pi.RegisterEvents(pi.Header.Context, NULL, NULL), STATUS_SUCCESS);
    pi.Header.InterfaceDereference(pi.Header.Context);
    ObDereferenceObject(file);
    fx_stop(h);
}

TEST(batteries_share_the_load_and_one_removed_leaves_it_to_the_other)
{
    bk_platform_reading_t a, b;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    bk_host_unload_machine(h);
    REQUIRE(bk_host_load_machine(h, MACHINE_2BAT) == STATUS_SUCCESS);
    bk_host_advance(h, 10 * FX_SECOND);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &a), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_read(h, "BAT1", &b), STATUS_SUCCESS);
    CHECK_NEAR(a.power_w, -6.0, 0.01); /* 12 W off AC, two batteries */
    CHECK_NEAR(b.power_w, -6.0, 0.01);
    CHECK_STATUS(bk_platform_set_present(h, "BAT1", 0), STATUS_SUCCESS);
    bk_host_advance(h, 10 * FX_SECOND);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &a), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_read(h, "BAT1", &b), STATUS_SUCCESS);
    CHECK_NEAR(a.power_w, -12.0, 0.01);
    CHECK_NEAR(b.power_w, 0.0, 1e-9);
    CHECK_EQ(b.present, 0);
    fx_stop(h);
}

TEST(a_depleted_battery_hands_its_share_to_the_other)
{
    bk_platform_reading_t a, b;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    bk_host_unload_machine(h);
    REQUIRE(bk_host_load_machine(h, MACHINE_2BAT) == STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_soc(h, "BAT0", 1.0), STATUS_SUCCESS);
    bk_host_advance(h, 30 * FX_MINUTE);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &a), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_read(h, "BAT1", &b), STATUS_SUCCESS);
    CHECK_EQ(a.depleted, 1);
    CHECK_NEAR(b.power_w, -12.0, 0.01);
    fx_stop(h);
}

TEST(scenario_events_apply_at_their_times)
{
    bk_platform_reading_t r;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(bk_platform_run_scenario(h, BK_DATA_DIR "/scenarios/unplug.scn"), STATUS_SUCCESS);
    CHECK(bk_platform_scenario_running(h));
    bk_host_advance(h, 29 * FX_MINUTE);
    CHECK_STATUS(bk_platform_read(h, "ADP1", &r), STATUS_SUCCESS);
    CHECK_EQ(r.present, 1);
    bk_host_advance(h, 2 * FX_MINUTE); /* 31 min: off AC since 30 min */
    CHECK_STATUS(bk_platform_read(h, "ADP1", &r), STATUS_SUCCESS);
    CHECK_EQ(r.present, 0);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_NEAR(r.power_w, -12.0, 0.01);
    bk_host_advance(h, 60 * FX_MINUTE); /* 1 h 31: pulled out at 1 h 30 */
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_EQ(r.present, 0);
    bk_host_advance(h, 10 * FX_MINUTE); /* 1 h 41: back since 1 h 40 */
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_EQ(r.present, 1);
    CHECK_EQ(r.charging, 1);
    bk_host_advance(h, 20 * FX_MINUTE); /* until 2 h */
    CHECK(!bk_platform_scenario_running(h));
    fx_stop(h);
}

TEST(scenario_naming_an_unknown_battery_is_refused_with_file_line)
{
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    const char *sc = fx_temp_file(".scn", "at 0s load 5W\nat 1m set BAT9 soc 50%\n");
    CHECK_STATUS(bk_platform_run_scenario(h, sc), STATUS_INVALID_PARAMETER);
    char where[300];
    snprintf(where, sizeof where, "%s:2:", sc);
    CHECK(strstr(bk_platform_last_error(), where) != NULL);
    CHECK(!bk_platform_scenario_running(h));
    sc = fx_temp_file(".scn", "at 0s lod 5W\n");
    CHECK_STATUS(bk_platform_run_scenario(h, sc), STATUS_INVALID_PARAMETER);
    CHECK(strstr(bk_platform_last_error(), ":1:") != NULL);
    fx_stop(h);
}

TEST(unload_and_reload_leave_nothing_behind)
{
    bk_pool_stats_t before, after;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    bk_host_unload_machine(h);
    bk_host_pool_stats(&before);
    for (int i = 0; i < 3; i++) {
        REQUIRE(bk_host_load_machine(h, NULL) == STATUS_SUCCESS);
        bk_host_advance(h, 5 * FX_SECOND);
        bk_host_unload_machine(h);
    }
    bk_host_pool_stats(&after);
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
    fx_stop(h);
}

TEST(machine_file_load_scenario_starts_with_the_machine)
{
    char text[512];
    snprintf(text, sizeof text,
             "[battery.BAT0]\ndesign_capacity_mwh = 57000\ndesign_voltage_mv = 11400\ncells = 3\n"
             "[ac.ADP1]\nonline = yes\n[load]\nscenario = %s\n",
             BK_DATA_DIR "/scenarios/unplug.scn");
    bk_platform_reading_t r;
    bk_host_t *h = fx_start("acpi", text);
    REQUIRE(h);
    CHECK(bk_platform_scenario_running(h));
    bk_host_advance(h, 31 * FX_MINUTE);
    CHECK_STATUS(bk_platform_read(h, "ADP1", &r), STATUS_SUCCESS);
    CHECK_EQ(r.present, 0);
    fx_stop(h);
}

TEST(machine_runs_on_real_time_too)
{
    bk_host_options_t opt = {.virtual_time = 0, .driver_dir = BK_BUILD_DRIVER_DIR};
    bk_platform_reading_t r;
    bk_host_t *h = bk_host_create(&opt);
    REQUIRE(h);
    CHECK_STATUS(bk_host_load_machine(h, NULL), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_EQ(r.discharging, 1);
    bk_host_unload_machine(h);
    CHECK_EQ(bk_host_destroy(h), 0);
}

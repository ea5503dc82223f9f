/* Notify() from the emulated firmware to a function driver through the
 * ACPI interface (GUID_ACPI_INTERFACE_STANDARD, RegisterForDeviceNotifications):
 * 0x80 on AC change and on a _BTP crossing, 0x01/0x81/0x80 on insertion and
 * removal; one handler per device; no delivery after unregistering. */
#include "bk_test.h"
#include "fixture.h"
#include "acpi_util.h"

#include <battkit/platform.h>

#define BAT0 "ACPI\\PNP0C0A\\0"
#define ADP1 "ACPI\\ACPI0003\\0"

TEST(acpi_interface_is_answered_on_a_child_pdo)
{
    ACPI_INTERFACE_STANDARD iface = {0};
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(acpi_query_interface(fx_pdo(h, BAT0), &iface), STATUS_SUCCESS);
    CHECK_EQ(iface.Size, sizeof iface);
    CHECK_EQ(iface.Version, 1);
    CHECK(iface.RegisterForDeviceNotifications != NULL);
    CHECK(iface.UnregisterForDeviceNotifications != NULL);
    PVOID object = NULL;
    CHECK_STATUS(
        iface.GpeConnectVector(fx_pdo(h, BAT0), 0, LevelSensitive, FALSE, NULL, NULL, &object),
        STATUS_NOT_SUPPORTED);
    iface.InterfaceDereference(iface.Context);
    fx_stop(h);
}

TEST(ac_change_notifies_0x80_to_the_adapter_and_the_battery)
{
    ACPI_INTERFACE_STANDARD bi, ai;
    acpi_notes_t bat = {0}, ac = {0};
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    REQUIRE(acpi_listen(fx_pdo(h, BAT0), &bi, &bat) == STATUS_SUCCESS);
    REQUIRE(acpi_listen(fx_pdo(h, ADP1), &ai, &ac) == STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(h); /* delivered by a worker, not on this thread */
    CHECK(acpi_notes_has(&ac, BATTKIT_NOTIFY_STATUS));
    CHECK(acpi_notes_has(&bat, BATTKIT_NOTIFY_STATUS));
    CHECK(!acpi_notes_has(&bat, BATTKIT_NOTIFY_INFORMATION));
    acpi_unlisten(fx_pdo(h, BAT0), &bi);
    acpi_unlisten(fx_pdo(h, ADP1), &ai);
    fx_stop(h);
}

TEST(insertion_and_removal_notify_device_check_information_and_status)
{
    ACPI_INTERFACE_STANDARD iface;
    acpi_notes_t notes = {0};
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    REQUIRE(acpi_listen(fx_pdo(h, BAT0), &iface, &notes) == STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_present(h, "BAT0", 0), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK(acpi_notes_has(&notes, BATTKIT_NOTIFY_DEVICE_CHECK));
    CHECK(acpi_notes_has(&notes, BATTKIT_NOTIFY_INFORMATION));
    CHECK(acpi_notes_has(&notes, BATTKIT_NOTIFY_STATUS));
    notes.count = 0;
    CHECK_STATUS(bk_platform_set_present(h, "BAT0", 1), STATUS_SUCCESS);
    bk_host_settle(h);
    REQUIRE(notes.count >= 2);
    CHECK_EQ(notes.value[0], BATTKIT_NOTIFY_DEVICE_CHECK); /* in the firmware's order */
    CHECK_EQ(notes.value[1], BATTKIT_NOTIFY_INFORMATION);
    acpi_unlisten(fx_pdo(h, BAT0), &iface);
    fx_stop(h);
}

TEST(btp_crossing_notifies_0x80)
{
    ACPI_INTERFACE_STANDARD iface;
    acpi_notes_t notes = {0};
    bk_platform_reading_t r;
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    PDEVICE_OBJECT pdo = fx_pdo(h, BAT0);
    REQUIRE(acpi_listen(pdo, &iface, &notes) == STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_advance(h, FX_SECOND);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    /* 100 mWh below now: at 8 W that is 45 s away. */
    ULONG trip = (ULONG)r.remaining_mwh - 100;
    CHECK_STATUS(acpi_eval(pdo, "_BTP", 1, trip, NULL, 0, &info), STATUS_SUCCESS);
    notes.count = 0;
    bk_host_advance(h, 30 * FX_SECOND);
    CHECK(!acpi_notes_has(&notes, BATTKIT_NOTIFY_STATUS));
    bk_host_advance(h, 30 * FX_SECOND);
    CHECK_EQ(acpi_notes_has(&notes, BATTKIT_NOTIFY_STATUS), 1);
    acpi_unlisten(pdo, &iface);
    fx_stop(h);
}

static VOID ignore(PVOID context, ULONG value)
{
    (void)context;
    (void)value;
}

TEST(one_notification_handler_per_device)
{
    ACPI_INTERFACE_STANDARD iface;
    acpi_notes_t notes = {0};
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    PDEVICE_OBJECT pdo = fx_pdo(h, BAT0);
    REQUIRE(acpi_listen(pdo, &iface, &notes) == STATUS_SUCCESS);
    CHECK(!NT_SUCCESS(iface.RegisterForDeviceNotifications(pdo, ignore, NULL)));
    acpi_unlisten(pdo, &iface);
    fx_stop(h);
}

TEST(no_notification_after_unregistering)
{
    ACPI_INTERFACE_STANDARD iface;
    acpi_notes_t notes = {0};
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    PDEVICE_OBJECT pdo = fx_pdo(h, BAT0);
    REQUIRE(acpi_listen(pdo, &iface, &notes) == STATUS_SUCCESS);
    acpi_unlisten(pdo, &iface);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_settle(h);
    CHECK_EQ(notes.count, 0);
    fx_stop(h);
}

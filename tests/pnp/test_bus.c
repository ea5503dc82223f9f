/* Bus-reported devices: BusRelations, IoInvalidateDeviceRelations, children
 * that disappear, the removal of a bus with its children, and which driver
 * binds to a child (hardware IDs before compatible IDs). */
#include "pnp_fixture.h"

static void bind_fn(bk_host_t *h, pnp_test_driver_t *d, const char *id)
{
    CHECK_STATUS(bk_host_bind(h, id, d->service, d->path), STATUS_SUCCESS);
}

TEST(bus_relations_child_enumerated_and_started)
{
    bk_host_t *h = fx_start();
    bk_device_t *bus = NULL;
    bind_fn(h, &fx_fn, "PNPTEST\\DEV_A");
    REQUIRE(NT_SUCCESS(fx_add_bus(h, &bus)));
    CHECK(fx_line(&fx_bus, "bus RELATIONS=00000000") >= 0); /* enumerated after START */
    CHECK_STATUS(fx_set_children(h, 0x1), STATUS_SUCCESS);
    bk_device_t *child = bk_host_find_device(h, "PNPTEST\\DEV_A\\0");
    REQUIRE(child);
    CHECK_EQ(bk_device_state(child), BK_DEVICE_STARTED);
    CHECK(fx_before(&fx_fn, "PNPTEST\\DEV_A AddDevice", "PNPTEST\\DEV_A START"));
    CHECK(fx_line(&fx_bus, "child0 START") >= 0);
    /* docs: the PnP manager marks the PDOs a bus reports. */
    CHECK(((PDEVICE_OBJECT)bk_device_pdo(child))->Flags & DO_BUS_ENUMERATED_DEVICE);
    /* Reported again: the same devnode, no second AddDevice. */
    CHECK_STATUS(fx_set_children(h, 0x1), STATUS_SUCCESS);
    CHECK(bk_host_find_device(h, "PNPTEST\\DEV_A\\0") == child);
    CHECK_EQ(fx_count(&fx_fn, "PNPTEST\\DEV_A AddDevice"), 1);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(child_not_reported_is_surprise_removed)
{
    bk_host_t *h = fx_start();
    bind_fn(h, &fx_fn, "PNPTEST\\DEV_A");
    REQUIRE(NT_SUCCESS(fx_add_bus(h, NULL)));
    CHECK_STATUS(fx_set_children(h, 0x1), STATUS_SUCCESS);
    REQUIRE(bk_host_find_device(h, "PNPTEST\\DEV_A\\0"));
    CHECK_STATUS(fx_set_children(h, 0x0), STATUS_SUCCESS);
    CHECK(bk_host_find_device(h, "PNPTEST\\DEV_A\\0") == NULL);
    /* docs: a child missing from BusRelations gets SURPRISE_REMOVAL then
     * REMOVE_DEVICE, and its bus driver deletes the PDO. */
    CHECK(fx_before(&fx_fn, "PNPTEST\\DEV_A SURPRISE_REMOVAL", "PNPTEST\\DEV_A REMOVE"));
    CHECK_EQ(fx_line(&fx_fn, "PNPTEST\\DEV_A QUERY_REMOVE"), -1);
    CHECK(fx_before(&fx_bus, "child0 SURPRISE_REMOVAL", "child0 REMOVE"));
    CHECK(fx_before(&fx_bus, "child0 REMOVE", "child0 DELETED"));
    /* Its function driver detached and deleted its device. */
    CHECK_EQ(fx_fn.get(PNPTEST_DEVICES), 0);
    /* Plugged in again: a new devnode and a fresh AddDevice. */
    CHECK_STATUS(fx_set_children(h, 0x1), STATUS_SUCCESS);
    CHECK(bk_host_find_device(h, "PNPTEST\\DEV_A\\0") != NULL);
    CHECK_EQ(fx_count(&fx_fn, "PNPTEST\\DEV_A AddDevice"), 2);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(unbound_child_stays_unstarted_and_goes_without_surprise_removal)
{
    bk_host_t *h = fx_start();
    REQUIRE(NT_SUCCESS(fx_add_bus(h, NULL)));
    CHECK_STATUS(fx_set_children(h, 0x8), STATUS_SUCCESS);
    bk_device_t *child = bk_host_find_device(h, "PNPTEST\\DEV_D\\3");
    REQUIRE(child);
    CHECK_EQ(bk_device_state(child), BK_DEVICE_INITIALIZED);
    CHECK_EQ(fx_line(&fx_bus, "child3 START"), -1);
    CHECK_STATUS(fx_set_children(h, 0x0), STATUS_SUCCESS);
    CHECK(bk_host_find_device(h, "PNPTEST\\DEV_D\\3") == NULL);
    /* Never started: only the remove IRP, so the bus can delete the PDO. */
    CHECK_EQ(fx_line(&fx_bus, "child3 SURPRISE_REMOVAL"), -1);
    CHECK(fx_before(&fx_bus, "child3 REMOVE", "child3 DELETED"));
    CHECK_EQ(fx_stop(h), 0);
}

TEST(bus_removal_removes_children_first)
{
    bk_host_t *h = fx_start();
    bk_device_t *bus = NULL;
    bind_fn(h, &fx_fn, "PNPTEST\\DEV_A");
    bind_fn(h, &fx_fn, "PNPTEST\\DEV_B");
    REQUIRE(NT_SUCCESS(fx_add_bus(h, &bus)));
    CHECK_STATUS(fx_set_children(h, 0x3), STATUS_SUCCESS);
    CHECK_STATUS(bk_host_remove_device(h, bus, 0), STATUS_SUCCESS);
    CHECK(fx_before(&fx_fn, "PNPTEST\\DEV_A QUERY_REMOVE", "PNPTEST\\DEV_A REMOVE"));
    CHECK(fx_before(&fx_bus, "child0 REMOVE", "bus REMOVE"));
    CHECK(fx_before(&fx_bus, "child1 REMOVE", "bus REMOVE"));
    /* Children still plugged in are deleted by their bus on its removal. */
    CHECK(fx_before(&fx_bus, "bus REMOVE", "child0 DELETED"));
    CHECK(bk_host_find_device(h, "PNPTEST\\DEV_A\\0") == NULL);
    CHECK_EQ(fx_fn.get(PNPTEST_LOADED), 0);
    CHECK_EQ(fx_bus.get(PNPTEST_LOADED), 0);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(binding_prefers_hardware_id_over_compatible_id)
{
    bk_host_t *h = fx_start();
    /* Child 0: hardware IDs DEV_A, DEV_A_REV1; compatible ID COMPAT.
     * Child 1: hardware ID DEV_B; compatible ID COMPAT. */
    bind_fn(h, &fx_alt, "PNPTEST\\COMPAT");
    bind_fn(h, &fx_fn, "PNPTEST\\DEV_A_REV1");
    REQUIRE(NT_SUCCESS(fx_add_bus(h, NULL)));
    CHECK_STATUS(fx_set_children(h, 0x3), STATUS_SUCCESS);
    /* docs: any hardware ID match outranks a compatible ID match. */
    CHECK(fx_line(&fx_fn, "PNPTEST\\DEV_A AddDevice") >= 0);
    CHECK_EQ(fx_line(&fx_alt, "PNPTEST\\DEV_A AddDevice"), -1);
    /* With no hardware ID bound, the compatible ID serves. */
    CHECK(fx_line(&fx_alt, "PNPTEST\\DEV_B AddDevice") >= 0);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(binding_tries_hardware_ids_in_their_order)
{
    bk_host_t *h = fx_start();
    bind_fn(h, &fx_alt, "PNPTEST\\DEV_A");
    bind_fn(h, &fx_fn, "PNPTEST\\DEV_A_REV1");
    REQUIRE(NT_SUCCESS(fx_add_bus(h, NULL)));
    CHECK_STATUS(fx_set_children(h, 0x1), STATUS_SUCCESS);
    CHECK(fx_line(&fx_alt, "PNPTEST\\DEV_A AddDevice") >= 0);
    CHECK_EQ(fx_line(&fx_fn, "PNPTEST\\DEV_A AddDevice"), -1);
    CHECK_EQ(fx_stop(h), 0);
}

/* Removal: the orderly and surprise IRP sequences, a vetoed query, removal
 * after IoInvalidateDeviceState reports a failure, driver unload after the
 * last device, and host shutdown. */
#include "pnp_fixture.h"
#include "ldr/ldr.h"

TEST(orderly_removal_queries_then_removes)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    CHECK_STATUS(bk_host_remove_device(h, dev, 0), STATUS_SUCCESS);
    CHECK(fx_before(&fx_fn, "PNPTEST\\FN QUERY_REMOVE", "PNPTEST\\FN REMOVE"));
    CHECK_EQ(fx_line(&fx_fn, "PNPTEST\\FN SURPRISE_REMOVAL"), -1);
    CHECK(bk_host_find_device(h, "ROOT\\PNPTEST\\0000") == NULL);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(surprise_removal_then_remove_device_order)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    CHECK_STATUS(bk_host_remove_device(h, dev, 1), STATUS_SUCCESS);
    CHECK(fx_before(&fx_fn, "PNPTEST\\FN SURPRISE_REMOVAL", "PNPTEST\\FN REMOVE"));
    CHECK_EQ(fx_line(&fx_fn, "PNPTEST\\FN QUERY_REMOVE"), -1);
    CHECK_EQ(fx_count(&fx_fn, "PNPTEST\\FN REMOVE"), 1);
    CHECK(bk_host_find_device(h, "ROOT\\PNPTEST\\0000") == NULL);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(query_remove_veto_cancels_removal)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    fx_fn.set(PNPTEST_VETO_REMOVE, 1);
    CHECK_STATUS(bk_host_remove_device(h, dev, 0), STATUS_UNSUCCESSFUL);
    /* docs: a failed query is followed by CANCEL_REMOVE; the device stays. */
    CHECK(fx_before(&fx_fn, "PNPTEST\\FN QUERY_REMOVE", "PNPTEST\\FN CANCEL_REMOVE"));
    CHECK_EQ(fx_line(&fx_fn, "PNPTEST\\FN REMOVE"), -1);
    CHECK(bk_host_find_device(h, "ROOT\\PNPTEST\\0000") == dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    fx_fn.set(PNPTEST_VETO_REMOVE, 0);
    CHECK_STATUS(bk_host_remove_device(h, dev, 0), STATUS_SUCCESS);
    CHECK(fx_line(&fx_fn, "PNPTEST\\FN REMOVE") >= 0);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(removing_an_unknown_device_is_refused)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    CHECK_STATUS(bk_host_remove_device(h, dev, 0), STATUS_SUCCESS);
    CHECK_STATUS(bk_host_remove_device(h, dev, 0), STATUS_NO_SUCH_DEVICE);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(invalidate_device_state_failed_surprise_removes_device)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    fx_fn.set(PNPTEST_REPORT_FAILED, 1);
    IoInvalidateDeviceState(bk_device_pdo(dev));
    bk_host_settle(h);
    CHECK(fx_before(&fx_fn, "PNPTEST\\FN QUERY_PNP_DEVICE_STATE", "PNPTEST\\FN SURPRISE_REMOVAL"));
    CHECK(fx_before(&fx_fn, "PNPTEST\\FN SURPRISE_REMOVAL", "PNPTEST\\FN REMOVE"));
    /* The PDO stays (its bus still reports it), the devnode marked removed. */
    CHECK(bk_host_find_device(h, "ROOT\\PNPTEST\\0000") == dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_REMOVED);
    CHECK_EQ(fx_fn.get(PNPTEST_DEVICES), 0);
    CHECK_STATUS(bk_host_remove_device(h, dev, 0), STATUS_SUCCESS);
    CHECK(bk_host_find_device(h, "ROOT\\PNPTEST\\0000") == NULL);
    /* Unloaded at the latest by the next PnP operation (this one). */
    CHECK_EQ(fx_fn.get(PNPTEST_LOADED), 0);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(invalidate_device_state_without_failure_keeps_device)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    IoInvalidateDeviceState(bk_device_pdo(dev));
    bk_host_settle(h);
    CHECK(fx_line(&fx_fn, "PNPTEST\\FN QUERY_PNP_DEVICE_STATE") >= 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(driver_unloaded_after_last_device_and_pool_clean)
{
    bk_host_t *h = fx_start();
    bk_device_t *a = NULL, *b = NULL;
    bk_pool_stats_t before, after;
    bk_host_pool_stats(&before);
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &a)));
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &b)));
    CHECK_STATUS(bk_host_remove_device(h, a, 0), STATUS_SUCCESS);
    CHECK_EQ(fx_fn.get(PNPTEST_LOADED), 1); /* it still serves b */
    CHECK(ldr_find(fx_fn.service) != NULL);
    CHECK_STATUS(bk_host_remove_device(h, b, 0), STATUS_SUCCESS);
    CHECK(fx_line(&fx_fn, "driver Unload") >= 0);
    CHECK_EQ(fx_fn.get(PNPTEST_LOADED), 0);
    CHECK(ldr_find(fx_fn.service) == NULL);
    bk_host_settle(h);
    bk_host_pool_stats(&after);
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
    CHECK_STR(bk_host_last_unload_report(h), "");
    CHECK_EQ(fx_stop(h), 0);
}

TEST(shutdown_removes_every_device_deepest_first)
{
    bk_host_t *h = fx_start();
    CHECK_STATUS(bk_host_bind(h, "PNPTEST\\DEV_A", fx_fn.service, fx_fn.path), STATUS_SUCCESS);
    REQUIRE(NT_SUCCESS(fx_add_bus(h, NULL)));
    CHECK_STATUS(fx_set_children(h, 0x1), STATUS_SUCCESS);
    CHECK_EQ(fx_stop(h), 0);
    CHECK(fx_before(&fx_bus, "child0 REMOVE", "bus REMOVE"));
    CHECK(fx_line(&fx_fn, "PNPTEST\\DEV_A REMOVE") >= 0);
    CHECK(fx_line(&fx_fn, "driver Unload") >= 0);
    CHECK(fx_line(&fx_bus, "driver Unload") >= 0);
}

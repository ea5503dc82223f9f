/* The framework's PnP/power callback order (wdf/ "A User Unplugs a
 * Device", "The PnP Manager Redistributes System Resources", "A Device
 * Enters a Low-Power State"), driven by the host's own PnP and power IRPs
 * through the wdftest driver's record. */
#include "wdf_fixture.h"

#include <string.h>

#define START_ORDER "DeviceAdd PrepareHardware D0Entry(D3Final) SelfManagedIoInit "

TEST(start_prepares_hardware_then_enters_d0_then_starts_self_managed_io)
{
    wt_t t;
    if (wt_start(&t) != 0) {
        wt_stop(&t);
        return;
    }
    CHECK_STR(t.hooks.log(), START_ORDER);
    wt_stop(&t);
}

TEST(orderly_removal_undoes_the_start_in_reverse_then_flushes_and_cleans_up)
{
    wt_t t;
    if (wt_start(&t) != 0) {
        wt_stop(&t);
        return;
    }
    bk_close(t.handle);
    t.handle = NULL;
    t.hooks.clear_log();
    CHECK_STATUS(bk_host_remove_device(t.host, t.device, 0), STATUS_SUCCESS);
    CHECK_STR(t.hooks.log(), "QueryRemove SelfManagedIoSuspend D0Exit(D3Final) ReleaseHardware "
                             "SelfManagedIoFlush SelfManagedIoCleanup DeviceCleanup Unload ");
    wt_stop(&t);
}

TEST(surprise_removal_calls_surprise_removal_first_and_remove_only_deletes)
{
    wt_t t;
    if (wt_start(&t) != 0) {
        wt_stop(&t);
        return;
    }
    bk_close(t.handle);
    t.handle = NULL;
    t.hooks.clear_log();
    CHECK_STATUS(bk_host_remove_device(t.host, t.device, 1), STATUS_SUCCESS);
    CHECK_STR(t.hooks.log(), "SurpriseRemoval SelfManagedIoSuspend D0Exit(D3Final) "
                             "ReleaseHardware SelfManagedIoFlush SelfManagedIoCleanup "
                             "DeviceCleanup Unload ");
    wt_stop(&t);
}

TEST(stop_for_rebalance_releases_hardware_and_restart_restarts_self_managed_io)
{
    wt_t t;
    if (wt_start(&t) != 0) {
        wt_stop(&t);
        return;
    }
    t.hooks.clear_log();
    CHECK_STATUS(wt_send_pnp(&t, IRP_MN_QUERY_STOP_DEVICE), STATUS_SUCCESS);
    CHECK_STATUS(wt_send_pnp(&t, IRP_MN_STOP_DEVICE), STATUS_SUCCESS);
    CHECK_STR(t.hooks.log(), "QueryStop SelfManagedIoSuspend D0Exit(D3) ReleaseHardware ");
    t.hooks.clear_log();
    CHECK_STATUS(wt_send_pnp(&t, IRP_MN_START_DEVICE), STATUS_SUCCESS);
    CHECK_STR(t.hooks.log(), "PrepareHardware D0Entry(D3) SelfManagedIoRestart ");
    /* The queue delivers again once the device is back in D0. */
    uint32_t got = 0;
    CHECK_STATUS(bk_ioctl(t.handle, IOCTL_WDFTEST_ECHO, "abc", 3, NULL, 0, &got), STATUS_SUCCESS);
    CHECK_EQ(got, 3);
    wt_stop(&t);
}

TEST(query_stop_veto_fails_the_query_and_keeps_the_device_running)
{
    wt_t t;
    if (wt_start(&t) != 0) {
        wt_stop(&t);
        return;
    }
    t.hooks.set_veto(1, 0);
    t.hooks.clear_log();
    CHECK_STATUS(wt_send_pnp(&t, IRP_MN_QUERY_STOP_DEVICE), STATUS_UNSUCCESSFUL);
    CHECK_STR(t.hooks.log(), "QueryStop ");
    t.hooks.set_veto(0, 0);
    wt_stop(&t);
}

TEST(sleep_leaves_d0_through_a_device_power_irp_and_wake_returns)
{
    wt_t t;
    if (wt_start(&t) != 0) {
        wt_stop(&t);
        return;
    }
    t.hooks.clear_log();
    CHECK_STATUS(bk_host_set_system_power(t.host, PowerSystemSleeping3), STATUS_SUCCESS);
    CHECK_STR(t.hooks.log(), "SelfManagedIoSuspend D0Exit(D3) ");
    t.hooks.clear_log();
    CHECK_STATUS(bk_host_set_system_power(t.host, PowerSystemWorking), STATUS_SUCCESS);
    CHECK_STR(t.hooks.log(), "D0Entry(D3) SelfManagedIoRestart ");
    wt_stop(&t);
}

TEST(unload_calls_evt_driver_unload_after_the_last_device)
{
    wt_t t;
    if (wt_start(&t) != 0) {
        wt_stop(&t);
        return;
    }
    bk_close(t.handle);
    t.handle = NULL;
    CHECK_STATUS(bk_host_remove_device(t.host, t.device, 0), STATUS_SUCCESS);
    const char *log = t.hooks.log();
    size_t n = strlen(log);
    CHECK(n >= 7 && strcmp(log + n - 7, "Unload ") == 0);
    wt_stop(&t);
}

/* The power manager: PoRequestPowerIrp and its completion, PoSetPowerState,
 * PoStartNextPowerIrp, and system power transitions across the tree. */
#include "pnp_fixture.h"

static struct completion_seen {
    int calls;
    PDEVICE_OBJECT device;
    UCHAR minor;
    POWER_STATE state;
    PVOID context;
    NTSTATUS status;
} done;

static void power_done(PDEVICE_OBJECT DeviceObject, UCHAR MinorFunction, POWER_STATE PowerState,
                       PVOID Context, PIO_STATUS_BLOCK IoStatus)
{
    done.calls++;
    done.device = DeviceObject;
    done.minor = MinorFunction;
    done.state = PowerState;
    done.context = Context;
    done.status = IoStatus->Status;
}

TEST(po_request_power_irp_calls_completion)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    int context;
    POWER_STATE d3 = {.DeviceState = PowerDeviceD3};
    memset(&done, 0, sizeof done);
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    PDEVICE_OBJECT pdo = bk_device_pdo(dev);
    /* docs: STATUS_PENDING once sent; the IRP goes to the top of the stack
     * and PowerCompletion gets the request's own parameters. */
    CHECK_STATUS(PoRequestPowerIrp(pdo, IRP_MN_SET_POWER, d3, power_done, &context, NULL),
                 STATUS_PENDING);
    bk_host_settle(h);
    CHECK_EQ(done.calls, 1);
    CHECK(done.device == pdo);
    CHECK_EQ(done.minor, IRP_MN_SET_POWER);
    CHECK_EQ(done.state.DeviceState, PowerDeviceD3);
    CHECK(done.context == &context);
    CHECK_STATUS(done.status, STATUS_SUCCESS);
    CHECK(fx_line(&fx_fn, "PNPTEST\\FN SET_POWER_D=00000004") >= 0);
    /* Both drivers recorded the new state with PoSetPowerState. */
    CHECK_EQ(po_device_power_state(pdo), PowerDeviceD3);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(po_request_power_irp_accepts_only_set_query_and_wait_wake)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    POWER_STATE d0 = {.DeviceState = PowerDeviceD0};
    memset(&done, 0, sizeof done);
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    CHECK_STATUS(
        PoRequestPowerIrp(bk_device_pdo(dev), IRP_MN_POWER_SEQUENCE, d0, power_done, NULL, NULL),
        STATUS_INVALID_PARAMETER_2);
    bk_host_settle(h);
    CHECK_EQ(done.calls, 0);
    CHECK_STATUS(
        PoRequestPowerIrp(bk_device_pdo(dev), IRP_MN_QUERY_POWER, d0, power_done, NULL, NULL),
        STATUS_PENDING);
    bk_host_settle(h);
    CHECK_EQ(done.calls, 1);
    CHECK_EQ(done.minor, IRP_MN_QUERY_POWER);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(po_set_power_state_returns_the_previous_state)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    PDEVICE_OBJECT pdo = bk_device_pdo(dev);
    POWER_STATE d2 = {.DeviceState = PowerDeviceD2}, d0 = {.DeviceState = PowerDeviceD0};
    /* A started device is in D0. */
    CHECK_EQ(PoSetPowerState(pdo, DevicePowerState, d2).DeviceState, PowerDeviceD0);
    CHECK_EQ(PoSetPowerState(pdo, DevicePowerState, d0).DeviceState, PowerDeviceD2);
    POWER_STATE s3 = {.SystemState = PowerSystemSleeping3};
    CHECK_EQ(PoSetPowerState(pdo, SystemPowerState, s3).SystemState, PowerSystemWorking);
    CHECK_EQ(po_system_power_state_of(pdo), PowerSystemSleeping3);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(power_irps_call_po_start_next_power_irp)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    POWER_STATE d0 = {.DeviceState = PowerDeviceD0};
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    ULONG before = po_start_next_count();
    CHECK_STATUS(PoRequestPowerIrp(bk_device_pdo(dev), IRP_MN_SET_POWER, d0, NULL, NULL, NULL),
                 STATUS_PENDING);
    bk_host_settle(h);
    /* The function driver and the root bus each call it once. */
    CHECK_EQ(po_start_next_count() - before, 2);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(system_power_transition_reaches_every_device)
{
    bk_host_t *h = fx_start();
    CHECK_STATUS(bk_host_bind(h, "PNPTEST\\DEV_A", fx_fn.service, fx_fn.path), STATUS_SUCCESS);
    REQUIRE(NT_SUCCESS(fx_add_bus(h, NULL)));
    CHECK_STATUS(fx_set_children(h, 0x1), STATUS_SUCCESS);
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", NULL)));
    CHECK_EQ(bk_host_system_power(h), PowerSystemWorking);

    CHECK_STATUS(bk_host_set_system_power(h, PowerSystemSleeping3), STATUS_SUCCESS);
    CHECK_EQ(bk_host_system_power(h), PowerSystemSleeping3);
    CHECK(fx_line(&fx_fn, "PNPTEST\\FN SET_POWER_S=00000004") >= 0);
    CHECK(fx_line(&fx_fn, "PNPTEST\\DEV_A SET_POWER_S=00000004") >= 0);
    /* Going to sleep: children before their parent. */
    CHECK(fx_before(&fx_bus, "child0 SET_POWER_S=00000004", "bus SET_POWER_S=00000004"));

    fx_bus.reset();
    CHECK_STATUS(bk_host_set_system_power(h, PowerSystemWorking), STATUS_SUCCESS);
    CHECK_EQ(bk_host_system_power(h), PowerSystemWorking);
    CHECK(fx_line(&fx_fn, "PNPTEST\\FN SET_POWER_S=00000001") >= 0);
    /* Waking: the parent first. */
    CHECK(fx_before(&fx_bus, "bus SET_POWER_S=00000001", "child0 SET_POWER_S=00000001"));

    CHECK_STATUS(bk_host_set_system_power(h, 0), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(bk_host_set_system_power(h, PowerSystemMaximum), STATUS_INVALID_PARAMETER);
    CHECK_EQ(fx_stop(h), 0);
}

/* Bringing a root-enumerated device up: DriverEntry, AddDevice, START_DEVICE
 * down to the PDO and back, what the root bus answers to QUERY_ID, failed
 * starts and devices without a driver. */
#include "pnp_fixture.h"

#include <stdlib.h>

struct raw_wait {
    KEVENT done;
    IO_STATUS_BLOCK iosb;
};

static void raw_finish(PIRP irp, void *context)
{
    struct raw_wait *w = context;
    w->iosb = irp->IoStatus;
    KeSetEvent(&w->done, IO_NO_INCREMENT, FALSE);
}

/* IRP_MN_QUERY_ID sent to the top of the device's stack, as the PnP
 * manager sends it; the answer is pool the caller frees. */
static NTSTATUS raw_query_id(PDEVICE_OBJECT pdo, BUS_QUERY_ID_TYPE type, WCHAR **answer)
{
    struct raw_wait w;
    KeInitializeEvent(&w.done, NotificationEvent, FALSE);
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(pdo);
    PIRP irp = io_build_host_irp(top, IRP_MJ_PNP, IRP_MN_QUERY_ID, raw_finish, &w);
    IoGetNextIrpStackLocation(irp)->Parameters.QueryId.IdType = type;
    IoCallDriver(top, irp);
    KeWaitForSingleObject(&w.done, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(top);
    *answer = (WCHAR *)w.iosb.Information;
    return w.iosb.Status;
}

static int wide_equals(const WCHAR *w, const char *ascii, size_t chars)
{
    for (size_t i = 0; i < chars; i++)
        if (w[i] != (WCHAR)(unsigned char)ascii[i])
            return 0;
    return 1;
}

TEST(add_device_called_then_start_device_reaches_pdo)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    CHECK_STATUS(fx_add_fn(h, "PNPTEST\\FN", &dev), STATUS_SUCCESS);
    REQUIRE(dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK(fx_before(&fx_fn, "driver DriverEntry", "PNPTEST\\FN AddDevice"));
    CHECK(fx_before(&fx_fn, "PNPTEST\\FN AddDevice", "PNPTEST\\FN START"));
    /* docs: PnP IRPs start as STATUS_NOT_SUPPORTED; success on the way back
     * up means the PDO (the root bus) handled START. */
    CHECK(fx_line(&fx_fn, "PNPTEST\\FN START_LOWER=00000000") >= 0);
    /* The driver pended START and finished it from a work item. */
    CHECK(fx_line(&fx_fn, "PNPTEST\\FN START_DONE=00000000") >= 0);
    CHECK_STR(bk_device_instance_path(dev), "ROOT\\PNPTEST\\0000");
    CHECK(bk_host_find_device(h, "root\\pnptest\\0000") == dev); /* case-insensitive */
    CHECK_EQ(fx_stop(h), 0);
}

TEST(root_devices_get_numbered_or_given_instance_ids)
{
    bk_host_t *h = fx_start();
    bk_device_t *a = NULL, *b = NULL, *c = NULL;
    CHECK_STATUS(fx_add_fn(h, "PNPTEST\\FN", &a), STATUS_SUCCESS);
    CHECK_STATUS(fx_add_fn(h, "PNPTEST\\FN", &b), STATUS_SUCCESS);
    CHECK_STATUS(bk_host_add_root_device(h, "PNPTEST\\FN", fx_fn.service, "BAT0", fx_fn.path, &c),
                 STATUS_SUCCESS);
    REQUIRE(a && b && c);
    CHECK_STR(bk_device_instance_path(a), "ROOT\\PNPTEST\\0000");
    CHECK_STR(bk_device_instance_path(b), "ROOT\\PNPTEST\\0001");
    CHECK_STR(bk_device_instance_path(c), "ROOT\\PNPTEST\\BAT0");
    bk_device_t *dup = NULL;
    CHECK_STATUS(bk_host_add_root_device(h, "PNPTEST\\FN", fx_fn.service, "BAT0", fx_fn.path, &dup),
                 STATUS_OBJECT_NAME_COLLISION);
    CHECK(dup == NULL);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(query_id_returns_hardware_ids_multi_sz)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    WCHAR *answer = NULL;
    REQUIRE(NT_SUCCESS(fx_add_fn(h, "PNPTEST\\FN", &dev)));
    PDEVICE_OBJECT pdo = bk_device_pdo(dev);
    /* docs: HardwareIDs is a REG_MULTI_SZ (each ID NUL-terminated, then an
     * empty string), allocated from paged pool by the bus driver. */
    CHECK_STATUS(raw_query_id(pdo, BusQueryHardwareIDs, &answer), STATUS_SUCCESS);
    REQUIRE(answer);
    CHECK(wide_equals(answer, "PNPTEST\\FN\0", 12));
    ExFreePool(answer);
    CHECK_STATUS(raw_query_id(pdo, BusQueryDeviceID, &answer), STATUS_SUCCESS);
    REQUIRE(answer);
    CHECK(wide_equals(answer, "ROOT\\PNPTEST", 13));
    ExFreePool(answer);
    CHECK_STATUS(raw_query_id(pdo, BusQueryInstanceID, &answer), STATUS_SUCCESS);
    REQUIRE(answer);
    CHECK(wide_equals(answer, "0000", 5));
    ExFreePool(answer);
    /* The root bus reports no compatible IDs: the IRP keeps its status. */
    CHECK_STATUS(raw_query_id(pdo, BusQueryCompatibleIDs, &answer), STATUS_NOT_SUPPORTED);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(failed_start_is_followed_by_remove_device)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    fx_fn.set(PNPTEST_FAIL_START, 1);
    CHECK_STATUS(fx_add_fn(h, "PNPTEST\\FN", &dev), STATUS_DEVICE_NOT_READY);
    CHECK(dev == NULL);
    /* docs: Windows 2000 and later send REMOVE_DEVICE, without a query. */
    CHECK(fx_before(&fx_fn, "PNPTEST\\FN START", "PNPTEST\\FN REMOVE"));
    CHECK_EQ(fx_line(&fx_fn, "PNPTEST\\FN QUERY_REMOVE"), -1);
    CHECK(bk_host_find_device(h, "ROOT\\PNPTEST\\0000") == NULL);
    CHECK_EQ(fx_fn.get(PNPTEST_LOADED), 0);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(device_without_driver_stays_in_tree_unstarted)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    CHECK_STATUS(bk_host_add_root_device(h, "PNPTEST\\NODRIVER", NULL, NULL, NULL, &dev),
                 STATUS_SUCCESS);
    REQUIRE(dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_INITIALIZED);
    CHECK(bk_host_find_device(h, "ROOT\\PNPTEST\\0000") == dev);
    CHECK_STATUS(bk_host_remove_device(h, dev, 0), STATUS_SUCCESS);
    CHECK(bk_host_find_device(h, "ROOT\\PNPTEST\\0000") == NULL);
    CHECK_EQ(fx_stop(h), 0);
}

TEST(missing_driver_file_fails_the_root_device)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    bk_status_t s =
        bk_host_add_root_device(h, "PNPTEST\\FN", "pnp_nosuch", NULL, "/nonexistent/x.so", &dev);
    CHECK(!NT_SUCCESS(s));
    CHECK(dev == NULL);
    CHECK(bk_host_find_device(h, "ROOT\\PNPTEST\\0000") == NULL);
    CHECK_EQ(fx_stop(h), 0);
}

/* The KMDF headers as the reference documents them: structure field order
 * (each *_INIT sets what its page says), handle types interchangeable with
 * WDFOBJECT as in a C build of the WDK, and the context-type macros. No
 * framework routine is linked except through the inline initialisers. */
#include <stddef.h>
#include <wdf.h>

#include "bk_test.h"

typedef struct _TEST_CONTEXT {
    ULONG Value;
} TEST_CONTEXT, *PTEST_CONTEXT;

/* Only the TYPE_INFO is used here; the accessor stays uncalled. */
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(TEST_CONTEXT, TestGetContext)

TEST(object_attributes_init_sets_size_and_inherit_levels)
{
    WDF_OBJECT_ATTRIBUTES a;
    memset(&a, 0xA5, sizeof a);
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    CHECK_EQ(a.Size, sizeof(WDF_OBJECT_ATTRIBUTES));
    CHECK(a.ExecutionLevel == WdfExecutionLevelInheritFromParent);
    CHECK(a.SynchronizationScope == WdfSynchronizationScopeInheritFromParent);
    CHECK(a.ParentObject == NULL && a.ContextTypeInfo == NULL && a.EvtCleanupCallback == NULL);
}

TEST(object_attributes_field_order_is_documented)
{
    CHECK_EQ(offsetof(WDF_OBJECT_ATTRIBUTES, Size), 0);
    CHECK(offsetof(WDF_OBJECT_ATTRIBUTES, EvtCleanupCallback) <
          offsetof(WDF_OBJECT_ATTRIBUTES, EvtDestroyCallback));
    CHECK(offsetof(WDF_OBJECT_ATTRIBUTES, EvtDestroyCallback) <
          offsetof(WDF_OBJECT_ATTRIBUTES, ExecutionLevel));
    CHECK(offsetof(WDF_OBJECT_ATTRIBUTES, SynchronizationScope) <
          offsetof(WDF_OBJECT_ATTRIBUTES, ParentObject));
    CHECK(offsetof(WDF_OBJECT_ATTRIBUTES, ContextSizeOverride) <
          offsetof(WDF_OBJECT_ATTRIBUTES, ContextTypeInfo));
}

TEST(context_type_macros_describe_the_type)
{
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, TEST_CONTEXT);
    REQUIRE(a.ContextTypeInfo != NULL);
    CHECK(a.ContextTypeInfo == &WDF_TYPE_NAME_TO_TYPE_INFO(TEST_CONTEXT));
    CHECK(a.ContextTypeInfo->UniqueType == a.ContextTypeInfo);
    CHECK_EQ(a.ContextTypeInfo->ContextSize, sizeof(TEST_CONTEXT));
    CHECK(strcmp(a.ContextTypeInfo->ContextName, "TEST_CONTEXT") == 0);
    CHECK_EQ(a.ContextTypeInfo->Size, sizeof(WDF_OBJECT_CONTEXT_TYPE_INFO));
}

TEST(io_queue_config_init_parallel_presents_unlimited_requests)
{
    WDF_IO_QUEUE_CONFIG c;
    WDF_IO_QUEUE_CONFIG_INIT_DEFAULT_QUEUE(&c, WdfIoQueueDispatchParallel);
    CHECK_EQ(c.Size, sizeof c);
    CHECK(c.DefaultQueue == TRUE);
    CHECK(c.PowerManaged == WdfUseDefault);
    CHECK_EQ(c.Settings.Parallel.NumberOfPresentedRequests, (ULONG)-1);
    WDF_IO_QUEUE_CONFIG_INIT(&c, WdfIoQueueDispatchSequential);
    CHECK(c.DefaultQueue == FALSE);
    CHECK_EQ(c.Settings.Parallel.NumberOfPresentedRequests, 0);
}

TEST(timer_and_workitem_init_serialize_by_default)
{
    WDF_TIMER_CONFIG t;
    WDF_TIMER_CONFIG_INIT_PERIODIC(&t, NULL, 250);
    CHECK_EQ(t.Period, 250);
    CHECK(t.AutomaticSerialization == TRUE);
    CHECK_EQ(t.TolerableDelay, 0);
    WDF_WORKITEM_CONFIG w;
    WDF_WORKITEM_CONFIG_INIT(&w, NULL);
    CHECK_EQ(w.Size, sizeof w);
    CHECK(w.AutomaticSerialization == TRUE);
}

TEST(request_types_are_irp_major_codes)
{
    CHECK_EQ(WdfRequestTypeDeviceControl, IRP_MJ_DEVICE_CONTROL);
    CHECK_EQ(WdfRequestTypeDeviceControlInternal, IRP_MJ_INTERNAL_DEVICE_CONTROL);
    CHECK_EQ(WdfRequestTypeSystemControl, IRP_MJ_SYSTEM_CONTROL);
    CHECK_EQ(WdfRequestTypePnp, IRP_MJ_PNP);
    CHECK_EQ(WdfRequestTypeCreate, IRP_MJ_CREATE);
}

TEST(relative_timeouts_are_negative_100ns)
{
    CHECK_EQ(WDF_REL_TIMEOUT_IN_MS(5), -50000);
    CHECK_EQ(WDF_REL_TIMEOUT_IN_SEC(1), -10000000);
    CHECK_EQ(WDF_ABS_TIMEOUT_IN_US(3), 30);
}

TEST(pnp_power_callbacks_init_zeroes_and_sizes)
{
    WDF_PNPPOWER_EVENT_CALLBACKS cb;
    memset(&cb, 0xFF, sizeof cb);
    WDF_PNPPOWER_EVENT_CALLBACKS_INIT(&cb);
    CHECK_EQ(cb.Size, sizeof cb);
    CHECK(cb.EvtDeviceD0Entry == NULL && cb.EvtDeviceUsageNotificationEx == NULL);
    CHECK(offsetof(WDF_PNPPOWER_EVENT_CALLBACKS, EvtDevicePrepareHardware) <
          offsetof(WDF_PNPPOWER_EVENT_CALLBACKS, EvtDeviceSelfManagedIoInit));
}

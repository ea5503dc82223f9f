/* Framework timers and work items (wdftimer.h, wdfworkitem.h) on the host
 * clock: a one-shot timer fires once when virtual time reaches it, a
 * periodic one every period, a stopped one never; a work item's flush
 * and its parent's deletion wait for its callback. */
#include <wdf.h>
#include <battkit/host.h>

#include "bk_test.h"

static int fired;
static int worked;

static void on_timer(WDFTIMER Timer)
{
    (void)Timer;
    __atomic_add_fetch(&fired, 1, __ATOMIC_SEQ_CST);
}

static void on_work(WDFWORKITEM WorkItem)
{
    (void)WorkItem;
    __atomic_add_fetch(&worked, 1, __ATOMIC_SEQ_CST);
}

#define MS 1000000ull /* ns */

static WDFTIMER make_timer(WDFOBJECT parent, LONG period, WDF_EXECUTION_LEVEL level)
{
    WDF_TIMER_CONFIG config;
    WDF_OBJECT_ATTRIBUTES a;
    WDFTIMER t = NULL;
    if (period)
        WDF_TIMER_CONFIG_INIT_PERIODIC(&config, on_timer, period);
    else
        WDF_TIMER_CONFIG_INIT(&config, on_timer);
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.ParentObject = parent;
    a.ExecutionLevel = level;
    return NT_SUCCESS(WdfTimerCreate(&config, &a, &t)) ? t : NULL;
}

TEST(one_shot_timer_fires_once_when_the_clock_reaches_it)
{
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(host != NULL);
    WDFOBJECT parent;
    REQUIRE(WdfObjectCreate(WDF_NO_OBJECT_ATTRIBUTES, &parent) == STATUS_SUCCESS);
    WDFTIMER t = make_timer(parent, 0, WdfExecutionLevelInheritFromParent);
    REQUIRE(t != NULL);
    fired = 0;
    CHECK(!WdfTimerStart(t, WDF_REL_TIMEOUT_IN_MS(100)));
    bk_host_advance(host, 99 * MS);
    CHECK_EQ(fired, 0);
    bk_host_advance(host, 2 * MS);
    CHECK_EQ(fired, 1);
    bk_host_advance(host, 1000 * MS);
    CHECK_EQ(fired, 1);
    CHECK(WdfTimerGetParentObject(t) == parent);
    WdfObjectDelete(parent);
    CHECK_EQ(bk_host_destroy(host), 0);
}

TEST(periodic_timer_fires_every_period_until_stopped)
{
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(host != NULL);
    WDFOBJECT parent;
    REQUIRE(WdfObjectCreate(WDF_NO_OBJECT_ATTRIBUTES, &parent) == STATUS_SUCCESS);
    WDFTIMER t = make_timer(parent, 50, WdfExecutionLevelPassive);
    REQUIRE(t != NULL);
    fired = 0;
    WdfTimerStart(t, WDF_REL_TIMEOUT_IN_MS(50));
    bk_host_advance(host, 201 * MS);
    bk_host_settle(host);
    CHECK_EQ(fired, 4);
    CHECK(WdfTimerStop(t, TRUE));
    bk_host_advance(host, 500 * MS);
    bk_host_settle(host);
    CHECK_EQ(fired, 4);
    WdfObjectDelete(parent); /* deletes the timer with it */
    CHECK_EQ(bk_host_destroy(host), 0);
}

static KEVENT gate;

static void on_gated_work(WDFWORKITEM WorkItem)
{
    (void)WorkItem;
    KeWaitForSingleObject(&gate, Executive, KernelMode, FALSE, NULL);
    __atomic_add_fetch(&worked, 1, __ATOMIC_SEQ_CST);
}

TEST(deleting_a_work_items_parent_waits_for_its_running_callback)
{
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(host != NULL);
    WDFOBJECT parent;
    REQUIRE(WdfObjectCreate(WDF_NO_OBJECT_ATTRIBUTES, &parent) == STATUS_SUCCESS);
    WDF_WORKITEM_CONFIG config;
    WDF_OBJECT_ATTRIBUTES a;
    WDF_WORKITEM_CONFIG_INIT(&config, on_gated_work);
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.ParentObject = parent;
    WDFWORKITEM w;
    REQUIRE(WdfWorkItemCreate(&config, &a, &w) == STATUS_SUCCESS);
    worked = 0;
    KeInitializeEvent(&gate, NotificationEvent, FALSE);
    WdfWorkItemEnqueue(w);
    CHECK_EQ(worked, 0); /* held at the gate */
    KeSetEvent(&gate, IO_NO_INCREMENT, FALSE);
    WdfObjectDelete(parent); /* docs: returns after the callback finished */
    CHECK_EQ(worked, 1);
    CHECK_EQ(bk_host_destroy(host), 0);
}

TEST(work_item_flush_returns_after_the_callback_ran)
{
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(host != NULL);
    WDFOBJECT parent;
    REQUIRE(WdfObjectCreate(WDF_NO_OBJECT_ATTRIBUTES, &parent) == STATUS_SUCCESS);
    WDF_WORKITEM_CONFIG config;
    WDF_OBJECT_ATTRIBUTES a;
    WDF_WORKITEM_CONFIG_INIT(&config, on_work);
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.ParentObject = parent;
    WDFWORKITEM w;
    REQUIRE(WdfWorkItemCreate(&config, &a, &w) == STATUS_SUCCESS);
    worked = 0;
    WdfWorkItemEnqueue(w);
    WdfWorkItemFlush(w);
    CHECK_EQ(worked, 1);
    CHECK(WdfWorkItemGetParentObject(w) == parent);
    WdfObjectDelete(parent);
    CHECK_EQ(bk_host_destroy(host), 0);
}

TEST(timer_and_work_item_without_a_parent_are_refused)
{
    WDF_TIMER_CONFIG tc;
    WDF_WORKITEM_CONFIG wc;
    WDF_OBJECT_ATTRIBUTES a;
    WDFTIMER t = (WDFTIMER)1;
    WDFWORKITEM w = (WDFWORKITEM)1;
    WDF_TIMER_CONFIG_INIT(&tc, on_timer);
    WDF_WORKITEM_CONFIG_INIT(&wc, on_work);
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    CHECK_STATUS(WdfTimerCreate(&tc, &a, &t), STATUS_INVALID_PARAMETER);
    CHECK(t == NULL);
    CHECK_STATUS(WdfWorkItemCreate(&wc, &a, &w), STATUS_INVALID_PARAMETER);
    CHECK(w == NULL);
}

/* The framework object model (ntos/wdf/object.c) against the documented
 * behaviour: typed contexts are found only by their own type, deleting a
 * parent cleans up its children before itself, destroy follows the last
 * reference, and an object's memory is the pool's until it is destroyed. */
#include <wdf.h>

#include <battkit/host.h>

#include "bk_test.h"

typedef struct _CTX_A {
    ULONG Value;
} CTX_A;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(CTX_A, GetCtxA)
typedef struct _CTX_B {
    ULONGLONG Big[4];
} CTX_B;
WDF_DECLARE_CONTEXT_TYPE(CTX_B)

/* The order callbacks ran in: "c:<name>" for cleanup, "d:<name>" for destroy. */
static char order[512];

static void record(const char *what, WDFOBJECT o)
{
    CTX_A *a = GetCtxA(o);
    char name[16];
    snprintf(name, sizeof name, "%u", a ? (unsigned)a->Value : 0u);
    strncat(order, what, sizeof order - strlen(order) - 1);
    strncat(order, name, sizeof order - strlen(order) - 1);
    strncat(order, " ", sizeof order - strlen(order) - 1);
}
static void on_cleanup(WDFOBJECT o)
{
    record("c", o);
}
static void on_destroy(WDFOBJECT o)
{
    record("d", o);
}

static WDFOBJECT make(WDFOBJECT parent, ULONG id)
{
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, CTX_A);
    a.ParentObject = parent;
    a.EvtCleanupCallback = on_cleanup;
    a.EvtDestroyCallback = on_destroy;
    WDFOBJECT o = NULL;
    if (!NT_SUCCESS(WdfObjectCreate(&a, &o)))
        return NULL;
    GetCtxA(o)->Value = id;
    return o;
}

TEST(typed_context_is_found_only_by_its_own_type)
{
    WDFOBJECT o = make(NULL, 1);
    REQUIRE(o != NULL);
    CHECK(GetCtxA(o) != NULL);
    CHECK_EQ(GetCtxA(o)->Value, 1);
    CHECK(WdfObjectGet_CTX_B(o) == NULL);
    CHECK(WdfObjectContextGetObject(GetCtxA(o)) == o);
    order[0] = 0;
    WdfObjectDelete(o);
}

TEST(allocate_context_adds_a_second_type_once)
{
    WDFOBJECT o = make(NULL, 2);
    REQUIRE(o != NULL);
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, CTX_B);
    PVOID ctx = NULL, again = NULL;
    CHECK_EQ(WdfObjectAllocateContext(o, &a, &ctx), STATUS_SUCCESS);
    REQUIRE(ctx != NULL);
    CHECK(ctx == WdfObjectGet_CTX_B(o));
    CHECK_EQ(((CTX_B *)ctx)->Big[3], 0); /* zeroed */
    CHECK_EQ(WdfObjectAllocateContext(o, &a, &again), STATUS_OBJECT_NAME_EXISTS);
    CHECK(again == ctx);
    CHECK(WdfObjectContextGetObject(ctx) == o);
    WdfObjectDelete(o);
}

TEST(context_size_override_smaller_than_type_is_rejected)
{
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, CTX_B);
    a.ContextSizeOverride = 1;
    WDFOBJECT o = (WDFOBJECT)1;
    CHECK_EQ(WdfObjectCreate(&a, &o), STATUS_INVALID_PARAMETER);
    CHECK(o == NULL);
    WDF_OBJECT_ATTRIBUTES_INIT(&a);
    a.Size = 3; /* not a WDF_OBJECT_ATTRIBUTES */
    CHECK_EQ(WdfObjectCreate(&a, &o), STATUS_INVALID_PARAMETER);
}

TEST(deleting_parent_cleans_up_children_first_then_destroys_children_first)
{
    order[0] = 0;
    WDFOBJECT parent = make(NULL, 10);
    WDFOBJECT child1 = make(parent, 11);
    WDFOBJECT child2 = make(parent, 12);
    WDFOBJECT grandchild = make(child1, 13);
    REQUIRE(parent && child1 && child2 && grandchild);
    WdfObjectDelete(parent);
    /* Children newest first, each child's own children before it; a child
     * is destroyed as soon as it is cleaned up (nothing else holds it),
     * the parent last. */
    CHECK(strcmp(order, "c12 d12 c13 d13 c11 d11 c10 d10 ") == 0);
    if (bk_test_failed())
        fprintf(stderr, "order: %s\n", order);
}

TEST(destroy_waits_for_the_last_reference)
{
    order[0] = 0;
    WDFOBJECT o = make(NULL, 20);
    REQUIRE(o != NULL);
    WdfObjectReference(o);
    WdfObjectDelete(o);
    CHECK(strcmp(order, "c20 ") == 0); /* cleaned up, still allocated */
    CHECK_EQ(GetCtxA(o)->Value, 20);   /* the context stays valid */
    WdfObjectDereference(o);
    CHECK(strcmp(order, "c20 d20 ") == 0);
}

TEST(referenced_child_keeps_parent_until_released)
{
    order[0] = 0;
    WDFOBJECT parent = make(NULL, 30);
    WDFOBJECT child = make(parent, 31);
    REQUIRE(parent && child);
    WdfObjectReference(child);
    WdfObjectDelete(parent);
    /* Both cleaned up; neither destroyed: the child holds its parent. */
    CHECK(strcmp(order, "c31 c30 ") == 0);
    WdfObjectDereference(child);
    CHECK(strcmp(order, "c31 c30 d31 d30 ") == 0);
}

TEST(cleanup_runs_once_when_deleted_twice_through_parent)
{
    order[0] = 0;
    WDFOBJECT parent = make(NULL, 40);
    WDFOBJECT child = make(parent, 41);
    REQUIRE(parent && child);
    WdfObjectReference(child);
    WdfObjectDelete(child);
    WdfObjectDelete(child); /* a second delete of a deleting object does nothing */
    WdfObjectDelete(parent);
    CHECK(strcmp(order, "c41 c40 d40 ") != 0); /* parent cannot go before child */
    CHECK(strcmp(order, "c41 c40 ") == 0);
    WdfObjectDereference(child);
    CHECK(strcmp(order, "c41 c40 d41 d40 ") == 0);
}

TEST(objects_leave_no_pool_behind_once_destroyed)
{
    bk_pool_stats_t before, after;
    bk_host_pool_stats(&before);
    WDFOBJECT parent = make(NULL, 50);
    WDFOBJECT child = make(parent, 51);
    REQUIRE(parent && child);
    WDF_OBJECT_ATTRIBUTES a;
    WDF_OBJECT_ATTRIBUTES_INIT_CONTEXT_TYPE(&a, CTX_B);
    PVOID ctx;
    CHECK_EQ(WdfObjectAllocateContext(child, &a, &ctx), STATUS_SUCCESS);
    bk_host_pool_stats(&after);
    CHECK(after.blocks_outstanding > before.blocks_outstanding);
    WdfObjectDelete(parent);
    bk_host_pool_stats(&after);
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
}

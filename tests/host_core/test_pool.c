/* ex: tagged pool accounting, leak report by tag, bad frees. */
#include "core_fixture.h"

void bk_test_setup(void)
{
    fixture_start(CLK_VIRTUAL);
}

void bk_test_teardown(void)
{
    fixture_stop();
}

TEST(leaked_pool_is_reported_by_tag)
{
    ex_pool_stats_t before, after;
    ex_pool_stats(&before);
    void *a = ExAllocatePoolWithTag(NonPagedPoolNx, 100, 'kaeL');
    void *b = ExAllocatePoolWithTag(NonPagedPoolNx, 20, 'kaeL');
    void *c = ExAllocatePoolWithTag(PagedPool, 8, 'enO2');
    ex_pool_stats(&after);
    CHECK_EQ(after.blocks_outstanding - before.blocks_outstanding, 3);
    CHECK_EQ(after.bytes_outstanding - before.bytes_outstanding, 128);
    char report[256];
    CHECK_EQ(ex_pool_leak_report(NULL, report, sizeof report), before.blocks_outstanding + 3);
    CHECK(strstr(report, "tag 'Leak': 2 blocks, 120 bytes") != NULL);
    CHECK(strstr(report, "tag '2One': 1 block, 8 bytes") != NULL);
    ExFreePoolWithTag(a, 'kaeL');
    ExFreePoolWithTag(b, 'kaeL');
    ExFreePool(c);
    ex_pool_stats(&after);
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
}

TEST(allocate_pool2_zeroes_unless_uninitialized)
{
    UCHAR *p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, 'oreZ');
    REQUIRE(p != NULL);
    int nonzero = 0;
    for (int i = 0; i < 64; i++)
        nonzero += p[i] != 0;
    CHECK_EQ(nonzero, 0);
    ExFreePoolWithTag(p, 'oreZ');
}

TEST(zero_sized_allocation_fails)
{
    CHECK(ExAllocatePoolWithTag(NonPagedPoolNx, 0, 'oreZ') == NULL);
}

static void free_with_wrong_tag(void)
{
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, 8, 'AgaT');
    ExFreePoolWithTag(p, 'BgaT');
}

TEST(free_with_wrong_tag_is_bad_pool_caller)
{
    CHECK(fixture_dies(free_with_wrong_tag));
}

static void double_free(void)
{
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, 8, 'AgaT');
    ExFreePoolWithTag(p, 'AgaT');
    ExFreePoolWithTag(p, 'AgaT');
}

TEST(double_free_is_bad_pool_caller)
{
    CHECK(fixture_dies(double_free));
}

static void paged_at_dispatch(void)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    ExAllocatePoolWithTag(PagedPool, 8, 'egaP');
}

TEST(paged_pool_at_dispatch_level_is_an_irql_violation)
{
    CHECK(fixture_dies(paged_at_dispatch));
}

/* The pool names each block's owner module; a battery query allocates
 * several blocks, each of which searched the module table. A call site
 * keeps its owner: it is looked up once. */
TEST(pool_resolves_a_call_sites_owner_once)
{
    void *blocks[100];
    uint64_t before = ldr_owner_scans();
    for (int i = 0; i < 100; i++)
        blocks[i] = ExAllocatePoolWithTag(NonPagedPoolNx, 32, 'enwO');
    CHECK(ldr_owner_scans() - before <= 1);
    for (int i = 0; i < 100; i++)
        ExFreePoolWithTag(blocks[i], 'enwO');
}

/* Small blocks are kept for reuse: one handed out again by
 * ExAllocatePoolZero is zeroed, whatever its last holder left in it, and
 * the accounting counts it as a new block. */
TEST(reused_pool_block_is_zeroed_and_counted)
{
    ex_pool_stats_t before, after;
    UCHAR *p = ExAllocatePoolWithTag(NonPagedPoolNx, 200, 'esuR');
    REQUIRE(p != NULL);
    memset(p, 0xA5, 200);
    ExFreePoolWithTag(p, 'esuR');
    ex_pool_stats(&before);
    UCHAR *q = ExAllocatePoolZero(NonPagedPoolNx, 196, 'esuR');
    REQUIRE(q != NULL);
    int nonzero = 0;
    for (int i = 0; i < 196; i++)
        nonzero += q[i] != 0;
    CHECK_EQ(nonzero, 0);
    ex_pool_stats(&after);
    CHECK_EQ(after.allocations - before.allocations, 1);
    CHECK_EQ(after.blocks_outstanding - before.blocks_outstanding, 1);
    CHECK_EQ(after.bytes_outstanding - before.bytes_outstanding, 196);
    ExFreePoolWithTag(q, 'esuR');
}

static void double_free_of_a_kept_block(void)
{
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, 48, 'peeK');
    ExFreePoolWithTag(p, 'peeK'); /* onto a free list, not back to malloc */
    ExFreePoolWithTag(p, 'peeK');
}

TEST(double_free_of_a_kept_block_is_bad_pool_caller)
{
    CHECK(fixture_dies(double_free_of_a_kept_block));
}

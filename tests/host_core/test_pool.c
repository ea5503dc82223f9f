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

/* A small block freed and allocated again on one thread comes from the
 * thread's magazine: no pool lock either way, every allocation and free
 * still counted and the outstanding totals exact. */
TEST(a_block_freed_and_taken_again_on_one_thread_takes_no_pool_lock)
{
    ExFreePoolWithTag(ExAllocatePoolWithTag(NonPagedPoolNx, 300, 'gazM'), 'gazM');
    ex_pool_stats_t before, during, after;
    ex_pool_stats(&before);
    uint64_t rounds = ex_pool_lock_rounds();
    for (int i = 0; i < 100; i++) {
        void *p = ExAllocatePoolWithTag(NonPagedPoolNx, 290 + i % 10, 'gazM');
        REQUIRE(p != NULL);
        if (i == 99)
            ex_pool_stats(&during); /* the stats' own lock round comes after */
        ExFreePoolWithTag(p, 'gazM');
    }
    CHECK_EQ(ex_pool_lock_rounds() - rounds, 1); /* ex_pool_stats, nothing else */
    ex_pool_stats(&after);
    CHECK_EQ(during.blocks_outstanding - before.blocks_outstanding, 1);
    CHECK_EQ(during.bytes_outstanding - before.bytes_outstanding, 299);
    CHECK_EQ(after.allocations - before.allocations, 100);
    CHECK_EQ(after.frees - before.frees, 100);
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
    CHECK_EQ(after.bytes_outstanding, before.bytes_outstanding);
}

/* A kept block is no leak; handed out again it is a live block under its
 * new tag and size, and a second free of it still stops the host. */
TEST(a_kept_block_is_no_leak_and_reported_again_under_its_new_tag)
{
    char report[512];
    ex_pool_stats_t before;
    ex_pool_stats(&before);
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, 100, 'dlO1');
    ExFreePoolWithTag(p, 'dlO1');
    CHECK_EQ(ex_pool_leak_report(NULL, report, sizeof report), before.blocks_outstanding);
    CHECK(strstr(report, "Old") == NULL);
    void *q = ExAllocatePoolWithTag(NonPagedPoolNx, 90, 'weN2');
    CHECK(q == p); /* the kept one */
    CHECK_EQ(ex_pool_leak_report(NULL, report, sizeof report), before.blocks_outstanding + 1);
    CHECK(strstr(report, "tag '2New': 1 block, 90 bytes") != NULL);
    CHECK(strstr(report, "Old") == NULL);
    ExFreePoolWithTag(q, 'weN2');
}

static void *alloc_and_free_small_blocks(void *arg)
{
    (void)arg;
    void *p[6];
    for (int i = 0; i < 6; i++)
        p[i] = ExAllocatePoolWithTag(NonPagedPoolNx, 64 * (i % 3) + 40, 'rhTM');
    for (int i = 0; i < 6; i++)
        ExFreePoolWithTag(p[i], 'rhTM');
    return NULL;
}

/* A thread that exits with blocks in its magazine gives them back: the
 * totals are what they were, its allocations and frees still counted. */
TEST(a_thread_that_exits_gives_its_kept_blocks_back)
{
    ex_pool_stats_t before, after;
    ex_pool_stats(&before);
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, alloc_and_free_small_blocks, NULL) == 0);
    pthread_join(t, NULL);
    ex_pool_stats(&after);
    CHECK_EQ(after.allocations - before.allocations, 6);
    CHECK_EQ(after.frees - before.frees, 6);
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
    CHECK_EQ(after.bytes_outstanding, before.bytes_outstanding);
    char report[256];
    CHECK_EQ(ex_pool_leak_report(NULL, report, sizeof report), before.blocks_outstanding);
}

static void double_free_of_a_block_in_the_magazine(void)
{
    void *p = ExAllocatePoolWithTag(NonPagedPoolNx, 700, 'gaMD');
    ExFreePoolWithTag(p, 'gaMD'); /* into this thread's magazine */
    ExFreePoolWithTag(p, 'gaMD');
}

TEST(double_free_of_a_block_in_the_magazine_is_bad_pool_caller)
{
    CHECK(fixture_dies(double_free_of_a_block_in_the_magazine));
}

/* Wait locks and spin locks (wdfsync.h): a wait lock excludes, a zero
 * timeout tries once, a relative timeout ends on the host clock. */
#include <wdf.h>
#include <battkit/host.h>

#include <pthread.h>

#include "bk_test.h"

static WDFWAITLOCK shared_lock;
static int inside, overlapped, rounds_done;

static void *contend(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        WdfWaitLockAcquire(shared_lock, NULL);
        if (__atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST) != 1)
            __atomic_store_n(&overlapped, 1, __ATOMIC_SEQ_CST);
        __atomic_sub_fetch(&inside, 1, __ATOMIC_SEQ_CST);
        WdfWaitLockRelease(shared_lock);
        __atomic_add_fetch(&rounds_done, 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

TEST(wait_lock_admits_one_thread_at_a_time)
{
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(host != NULL);
    REQUIRE(WdfWaitLockCreate(WDF_NO_OBJECT_ATTRIBUTES, &shared_lock) == STATUS_SUCCESS);
    pthread_t a, b;
    pthread_create(&a, NULL, contend, NULL);
    pthread_create(&b, NULL, contend, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    CHECK_EQ(overlapped, 0);
    CHECK_EQ(rounds_done, 4000);
    WdfObjectDelete(shared_lock);
    CHECK_EQ(bk_host_destroy(host), 0);
}

TEST(wait_lock_held_times_out_with_a_zero_timeout_and_is_free_after_release)
{
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(host != NULL);
    WDFWAITLOCK l;
    REQUIRE(WdfWaitLockCreate(WDF_NO_OBJECT_ATTRIBUTES, &l) == STATUS_SUCCESS);
    LONGLONG zero = 0;
    CHECK_STATUS(WdfWaitLockAcquire(l, &zero), STATUS_SUCCESS);
    CHECK_STATUS(WdfWaitLockAcquire(l, &zero), STATUS_TIMEOUT);
    WdfWaitLockRelease(l);
    CHECK_STATUS(WdfWaitLockAcquire(l, &zero), STATUS_SUCCESS);
    WdfWaitLockRelease(l);
    WdfObjectDelete(l);
    CHECK_EQ(bk_host_destroy(host), 0);
}

TEST(spin_lock_raises_to_dispatch_level_and_restores)
{
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(host != NULL);
    WDFSPINLOCK l;
    REQUIRE(WdfSpinLockCreate(WDF_NO_OBJECT_ATTRIBUTES, &l) == STATUS_SUCCESS);
    CHECK_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    WdfSpinLockAcquire(l);
    CHECK_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    WdfSpinLockRelease(l);
    CHECK_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    WdfObjectDelete(l);
    CHECK_EQ(bk_host_destroy(host), 0);
}

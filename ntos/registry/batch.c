/* batch.c: registry batches. A manager that changes several keys as one
 * step (the INF installer: apply, then write the file) opens a batch; a
 * reg_flush from any other thread waits until the batch ends, so the file
 * never holds half of one. The batch's own thread may flush inside it. */
#include "reg_internal.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_mutex_t batch_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t batch_ended = PTHREAD_COND_INITIALIZER;
static pthread_t batch_owner;
static unsigned batch_depth; /* nested begins of the owner */

/* Under batch_lock: until no other thread has a batch open. */
static void wait_for_other_batches_locked(void)
{
    while (batch_depth && !pthread_equal(batch_owner, pthread_self()))
        pthread_cond_wait(&batch_ended, &batch_lock);
}

void reg_batch_begin(void)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    pthread_mutex_lock(&batch_lock);
    wait_for_other_batches_locked();
    batch_owner = pthread_self();
    batch_depth++;
    pthread_mutex_unlock(&batch_lock);
}

void reg_batch_end(void)
{
    pthread_mutex_lock(&batch_lock);
    if (!batch_depth || !pthread_equal(batch_owner, pthread_self())) {
        pthread_mutex_unlock(&batch_lock);
        bk_log(BK_LOG_ERROR, "registry: reg_batch_end without reg_batch_begin on this thread");
        abort();
    }
    if (--batch_depth == 0)
        pthread_cond_broadcast(&batch_ended);
    pthread_mutex_unlock(&batch_lock);
}

void reg_batch_hold(void)
{
    pthread_mutex_lock(&batch_lock);
    wait_for_other_batches_locked();
}

void reg_batch_release(void)
{
    pthread_mutex_unlock(&batch_lock);
}

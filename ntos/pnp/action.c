/* Serialization of device-tree operations. Windows runs them one at a time
 * on its PnP worker; here the operation in progress belongs to whichever
 * thread holds it (a host API caller, or a worker draining queued actions
 * such as IoInvalidateDeviceRelations). Queued actions run before the
 * holder lets go, so nothing queued during an operation is lost. */
#include "pnp_internal.h"

#include <stdlib.h>

typedef struct pnp_action {
    LIST_ENTRY link;
    void (*fn)(pnp_devnode_t *dn, void *arg);
    pnp_devnode_t *dn; /* referenced */
    void *arg;
} pnp_action_t;

static pthread_mutex_t op_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t op_cv = PTHREAD_COND_INITIALIZER;
static bool op_busy;
static pthread_t op_owner;
static int op_depth; /* the owner may nest (an action that adds devices) */
static bool drain_queued;
static LIST_ENTRY queue = {&queue, &queue};
static ke_work_t drain_work;
static __thread bool on_pnp_worker;

bool pnp_on_pnp_worker(void)
{
    return on_pnp_worker;
}

void pnp_op_begin(void)
{
    pthread_mutex_lock(&op_lock);
    if (op_busy && pthread_equal(op_owner, pthread_self())) {
        op_depth++;
        pthread_mutex_unlock(&op_lock);
        return;
    }
    while (op_busy)
        pthread_cond_wait(&op_cv, &op_lock);
    op_busy = true;
    op_owner = pthread_self();
    op_depth = 1;
    pthread_mutex_unlock(&op_lock);
}

void pnp_op_end(void)
{
    pthread_mutex_lock(&op_lock);
    if (op_depth > 1) {
        op_depth--;
        pthread_mutex_unlock(&op_lock);
        return;
    }
    for (;;) {
        while (!IsListEmpty(&queue)) {
            pnp_action_t *a = CONTAINING_RECORD(RemoveHeadList(&queue), pnp_action_t, link);
            pthread_mutex_unlock(&op_lock);
            a->fn(a->dn, a->arg);
            pnp_devnode_release(a->dn);
            free(a);
            pthread_mutex_lock(&op_lock);
        }
        /* Drivers whose last device went while a handle still held it. */
        pthread_mutex_unlock(&op_lock);
        pnp_retry_deferred_unloads();
        pthread_mutex_lock(&op_lock);
        if (IsListEmpty(&queue))
            break;
    }
    op_busy = false;
    op_depth = 0;
    pthread_cond_broadcast(&op_cv);
    pthread_mutex_unlock(&op_lock);
}

static void drain(ke_work_t *work)
{
    (void)work;
    pthread_mutex_lock(&op_lock);
    drain_queued = false;
    if (op_busy) {
        /* The holder drains the queue before it lets go. */
        pthread_mutex_unlock(&op_lock);
        return;
    }
    op_busy = true;
    op_owner = pthread_self();
    op_depth = 1;
    pthread_mutex_unlock(&op_lock);
    on_pnp_worker = true;
    pnp_op_end();
    on_pnp_worker = false;
}

void pnp_queue_action(void (*fn)(pnp_devnode_t *dn, void *arg), pnp_devnode_t *dn, void *arg)
{
    pnp_action_t *a = calloc(1, sizeof(*a));
    if (!a) {
        bk_log(BK_LOG_ERROR, "pnp: out of memory queueing an action for %s", dn->instance_path);
        return;
    }
    a->fn = fn;
    a->dn = dn;
    a->arg = arg;
    pnp_devnode_ref(dn);
    pthread_mutex_lock(&op_lock);
    InsertTailList(&queue, &a->link);
    if (!op_busy && !drain_queued) {
        drain_queued = true;
        drain_work.run = drain;
        ke_queue_work(&drain_work);
    }
    pthread_mutex_unlock(&op_lock);
}

void pnp_action_init(void)
{
    pthread_mutex_lock(&op_lock);
    op_busy = false;
    op_depth = 0;
    drain_queued = false;
    InitializeListHead(&queue);
    pthread_mutex_unlock(&op_lock);
}

void pnp_action_shutdown(void)
{
    /* Actions queued after the tree was emptied refer to deleted devnodes:
     * they only hold the memory, so drop them. */
    pthread_mutex_lock(&op_lock);
    while (!IsListEmpty(&queue)) {
        pnp_action_t *a = CONTAINING_RECORD(RemoveHeadList(&queue), pnp_action_t, link);
        pthread_mutex_unlock(&op_lock);
        pnp_devnode_release(a->dn);
        free(a);
        pthread_mutex_lock(&op_lock);
    }
    pthread_mutex_unlock(&op_lock);
}

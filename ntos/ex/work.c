/* System work items (ExQueueWorkItem) on the host's PASSIVE_LEVEL workers. */
#include "../private.h"

/* WORK_QUEUE_ITEM begins with its LIST_ENTRY; the host's ke_work_t needs a
 * run pointer too, so a small pool wrapper carries the driver's item. */
typedef struct ex_work {
    ke_work_t work;
    PWORK_QUEUE_ITEM item;
} ex_work_t;

static void run_ex_work(ke_work_t *w)
{
    ex_work_t *x = CONTAINING_RECORD(w, ex_work_t, work);
    PWORK_QUEUE_ITEM item = x->item;
    ex_free(x, 'kroW', true);
    item->WorkerRoutine(item->Parameter);
}

void NTAPI ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType)
{
    UNREFERENCED_PARAMETER(QueueType);
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    ex_work_t *x = ex_alloc(NonPagedPoolNx, sizeof(*x), 'kroW', true, NULL);
    if (!x)
        KeBugCheckEx(0x41, sizeof(*x), 0, 0, 0);
    x->work.run = run_ex_work;
    x->item = WorkItem;
    ke_queue_work(&x->work);
}

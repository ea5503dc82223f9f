/* The one WDM call history makes: a battery wait's completion (at up to
 * DISPATCH_LEVEL, inside a virtual clock step) hands its work to a host
 * PASSIVE_LEVEL worker with ExQueueWorkItem, so the wait is re-armed before
 * the clock moves on (the clock settles the workers after every step). */
#include <wdm.h>

#include <stdlib.h>

void history_queue_work(void (*fn)(void *), void *context);

typedef struct work {
    WORK_QUEUE_ITEM item;
    void (*fn)(void *);
    void *context;
} work_t;

static void NTAPI run_work(PVOID parameter)
{
    work_t *w = parameter;
    void (*fn)(void *) = w->fn;
    void *context = w->context;
    free(w);
    fn(context);
}

/* <= DISPATCH_LEVEL. Runs fn(context) now when no memory is left for the item. */
void history_queue_work(void (*fn)(void *), void *context)
{
    work_t *w = malloc(sizeof *w);
    if (!w) {
        fn(context);
        return;
    }
    w->fn = fn;
    w->context = context;
    ExInitializeWorkItem(&w->item, run_work, w);
    ExQueueWorkItem(&w->item, DelayedWorkQueue);
}

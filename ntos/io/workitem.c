/* IO_WORKITEM: a work item bound to a device object, which stays referenced
 * while the routine runs so the driver cannot be unloaded under it. */
#include "../private.h"

#define WORKITEM_TAG 'IkrW'

struct _IO_WORKITEM {
    ke_work_t work;
    PDEVICE_OBJECT device;
    PIO_WORKITEM_ROUTINE routine;
    PVOID context;
    bool queued;
};

PIO_WORKITEM NTAPI IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    PIO_WORKITEM item =
        ex_alloc(NonPagedPoolNx, sizeof(*item), WORKITEM_TAG, true, __builtin_return_address(0));
    if (item)
        item->device = DeviceObject;
    return item;
}

void NTAPI IoFreeWorkItem(PIO_WORKITEM IoWorkItem)
{
    if (__atomic_load_n(&IoWorkItem->queued, __ATOMIC_SEQ_CST))
        KeBugCheckEx(0xE4 /* WORKER_INVALID */, (ULONG_PTR)IoWorkItem, 0, 0, 0);
    ex_free(IoWorkItem, WORKITEM_TAG, true);
}

static void run_io_work(ke_work_t *w)
{
    PIO_WORKITEM item = CONTAINING_RECORD(w, struct _IO_WORKITEM, work);
    PDEVICE_OBJECT dev = item->device;
    PIO_WORKITEM_ROUTINE routine = item->routine;
    PVOID context = item->context;
    /* The routine may free the item (docs allow IoFreeWorkItem inside it). */
    __atomic_store_n(&item->queued, false, __ATOMIC_SEQ_CST);
    routine(dev, context);
    ObDereferenceObject(dev);
}

void NTAPI IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine,
                           WORK_QUEUE_TYPE QueueType, PVOID Context)
{
    UNREFERENCED_PARAMETER(QueueType);
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    if (__atomic_exchange_n(&IoWorkItem->queued, true, __ATOMIC_SEQ_CST))
        KeBugCheckEx(0xE4, (ULONG_PTR)IoWorkItem, 1, 0, 0); /* queued twice */
    IoWorkItem->routine = WorkerRoutine;
    IoWorkItem->context = Context;
    IoWorkItem->work.run = run_io_work;
    ObReferenceObject(IoWorkItem->device);
    ke_queue_work(&IoWorkItem->work);
}

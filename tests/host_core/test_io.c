/* io and ob: IRP stack locations, IoCallDriver / IoCompleteRequest,
 * completion routines, pending, cancel, METHOD_BUFFERED, access checks,
 * remove locks, work items, device stacks and references. */
#include "core_fixture.h"

#include <battkit/host.h>

void bk_test_setup(void)
{
    fixture_start(CLK_VIRTUAL);
}

void bk_test_teardown(void)
{
    fixture_stop();
}

/* Three-device stack: each layer records its order of completion. */
typedef struct layer {
    PDEVICE_OBJECT lower;
    int id;
    bool complete_here;   /* bottom: complete instead of passing down */
    bool pend_with_timer; /* bottom: pend, complete from a timer DPC */
    bool more_processing; /* return STATUS_MORE_PROCESSING_REQUIRED */
    KTIMER timer;
    KDPC dpc;
    PIRP pending;
} layer_t;

static int completion_order[8], completion_count;
static bool saw_pending_returned[8];
static PDEVICE_OBJECT completion_device[8];

static NTSTATUS on_complete(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
    layer_t *l = ctx;
    completion_device[completion_count] = dev;
    saw_pending_returned[completion_count] = irp->PendingReturned;
    completion_order[completion_count++] = l->id;
    if (irp->PendingReturned)
        IoMarkIrpPending(irp);
    return l->more_processing ? STATUS_MORE_PROCESSING_REQUIRED : STATUS_CONTINUE_COMPLETION;
}

static void complete_from_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    (void)dpc;
    (void)a1;
    (void)a2;
    layer_t *l = ctx;
    PIRP irp = l->pending;
    l->pending = NULL;
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 4;
    *(ULONG *)irp->AssociatedIrp.SystemBuffer = 0xC0FFEE;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static NTSTATUS layer_dispatch(PDEVICE_OBJECT dev, PIRP irp)
{
    layer_t *l = dev->DeviceExtension;
    if (l->pend_with_timer) {
        IoMarkIrpPending(irp);
        l->pending = irp;
        LARGE_INTEGER due = {.QuadPart = WDK_TIMEOUT_MS(100)};
        KeSetTimer(&l->timer, due, &l->dpc);
        return STATUS_PENDING;
    }
    if (l->complete_here) {
        irp->IoStatus.Status = STATUS_SUCCESS;
        irp->IoStatus.Information = 0;
        IoCompleteRequest(irp, IO_NO_INCREMENT);
        return STATUS_SUCCESS;
    }
    IoCopyCurrentIrpStackLocationToNext(irp);
    IoSetCompletionRoutine(irp, on_complete, l, TRUE, TRUE, TRUE);
    return IoCallDriver(l->lower, irp);
}

static PDEVICE_OBJECT stack_dev[3];

/* stack_dev[0] is the bottom. */
static void build_stack(bool pend)
{
    completion_count = 0;
    for (int i = 0; i < 3; i++) {
        stack_dev[i] = fixture_device(layer_dispatch, sizeof(layer_t));
        layer_t *l = stack_dev[i]->DeviceExtension;
        memset(l, 0, sizeof *l);
        l->id = i;
        l->complete_here = (i == 0) && !pend;
        l->pend_with_timer = (i == 0) && pend;
        KeInitializeTimer(&l->timer);
        KeInitializeDpc(&l->dpc, complete_from_dpc, l);
        if (i > 0)
            l->lower = IoAttachDeviceToDeviceStack(stack_dev[i], stack_dev[0]);
    }
}

static void destroy_stack(void)
{
    for (int i = 2; i >= 0; i--) {
        layer_t *l = stack_dev[i]->DeviceExtension;
        if (l->lower)
            IoDetachDevice(l->lower);
        IoDeleteDevice(stack_dev[i]);
    }
    CHECK_EQ(ob_live_devices(), 0);
}

TEST(attach_builds_stack_with_growing_stack_size)
{
    build_stack(false);
    CHECK_EQ(stack_dev[0]->StackSize, 1);
    CHECK_EQ(stack_dev[1]->StackSize, 2);
    CHECK_EQ(stack_dev[2]->StackSize, 3);
    CHECK(((layer_t *)stack_dev[2]->DeviceExtension)->lower == stack_dev[1]);
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(stack_dev[0]);
    CHECK(top == stack_dev[2]);
    ObDereferenceObject(top);
    destroy_stack();
}

struct finish_record {
    int called;
    NTSTATUS status;
    ULONG_PTR information;
    uint64_t at;
};

static void record_finish(PIRP irp, void *ctx)
{
    struct finish_record *r = ctx;
    r->called++;
    r->status = irp->IoStatus.Status;
    r->information = irp->IoStatus.Information;
    r->at = clk_now();
}

TEST(completion_routines_run_in_reverse_stack_order)
{
    build_stack(false);
    struct finish_record rec = {0};
    PIRP irp =
        io_build_host_ioctl(stack_dev[2], NULL, 0x00294040, NULL, 0, NULL, 0, record_finish, &rec);
    REQUIRE(irp != NULL);
    CHECK_STATUS(IoCallDriver(stack_dev[2], irp), STATUS_SUCCESS);
    REQUIRE(completion_count == 2);
    /* The middle layer's routine (set for the bottom) runs first, then the top's. */
    CHECK_EQ(completion_order[0], 1);
    CHECK_EQ(completion_order[1], 2);
    CHECK(completion_device[0] == stack_dev[1]);
    CHECK(completion_device[1] == stack_dev[2]);
    CHECK_EQ(rec.called, 1);
    destroy_stack();
}

TEST(pending_irp_completed_by_timer_under_virtual_time)
{
    build_stack(true);
    struct finish_record rec = {0};
    ULONG out = 0;
    PIRP irp = io_build_host_ioctl(stack_dev[2], NULL, 0x00294040, NULL, 0, &out, sizeof out,
                                   record_finish, &rec);
    CHECK_STATUS(IoCallDriver(stack_dev[2], irp), STATUS_PENDING);
    fixture_advance_ms(99);
    CHECK_EQ(rec.called, 0);
    fixture_advance_ms(1);
    CHECK_EQ(rec.called, 1);
    CHECK_STATUS(rec.status, STATUS_SUCCESS);
    CHECK_EQ(rec.at, 100 * 10000);
    CHECK_EQ(out, 0xC0FFEE); /* METHOD_BUFFERED copy-back of Information bytes */
    CHECK(saw_pending_returned[0]);
    CHECK(saw_pending_returned[1]);
    destroy_stack();
}

static PIRP reclaimed;
static NTSTATUS reclaim(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
    (void)dev;
    (void)ctx;
    reclaimed = irp;
    return STATUS_MORE_PROCESSING_REQUIRED;
}

TEST(more_processing_required_stops_completion_and_owner_frees)
{
    build_stack(false);
    reclaimed = NULL;
    PIRP irp = IoAllocateIrp(stack_dev[2]->StackSize, FALSE);
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    IoSetCompletionRoutine(irp, reclaim, NULL, TRUE, TRUE, TRUE);
    IoCallDriver(stack_dev[2], irp);
    CHECK(reclaimed == irp);
    CHECK_EQ(completion_count, 2);
    IoFreeIrp(irp);
    destroy_stack();
}

TEST(build_device_io_control_request_signals_event_and_fills_iosb)
{
    build_stack(true);
    KEVENT done;
    IO_STATUS_BLOCK iosb = {0};
    ULONG in = 7, out = 0;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(0x00294044, stack_dev[2], &in, sizeof in, &out,
                                             sizeof out, FALSE, &done, &iosb);
    REQUIRE(irp != NULL);
    CHECK_EQ(IoGetNextIrpStackLocation(irp)->MajorFunction, IRP_MJ_DEVICE_CONTROL);
    CHECK_EQ(IoGetNextIrpStackLocation(irp)->Parameters.DeviceIoControl.InputBufferLength, 4);
    CHECK_STATUS(IoCallDriver(stack_dev[2], irp), STATUS_PENDING);
    fixture_advance_ms(100);
    CHECK_EQ(KeReadStateEvent(&done), 1);
    CHECK_STATUS(iosb.Status, STATUS_SUCCESS);
    CHECK_EQ(iosb.Information, 4);
    CHECK_EQ(out, 0xC0FFEE);
    destroy_stack();
}

/* Issue 15: a buffered IOCTL took two pool blocks (the IRP, then its
 * system buffer), each a malloc, a pool-lock round and an owner lookup, on
 * every battery query. The system buffer now shares the IRP's block. */
TEST(buffered_ioctl_request_is_one_pool_block_freed_with_the_irp)
{
    build_stack(true);
    KEVENT done;
    IO_STATUS_BLOCK iosb = {0};
    ULONG in = 7, out = 0;
    ex_pool_stats_t before, built, after;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    ex_pool_stats(&before);
    PIRP irp = IoBuildDeviceIoControlRequest(0x00294044, stack_dev[2], &in, sizeof in, &out,
                                             sizeof out, FALSE, &done, &iosb);
    ex_pool_stats(&built);
    REQUIRE(irp != NULL);
    CHECK_EQ(built.allocations - before.allocations, 1);
    CHECK_EQ(*(ULONG *)irp->AssociatedIrp.SystemBuffer, 7); /* the input, copied in */
    CHECK_STATUS(IoCallDriver(stack_dev[2], irp), STATUS_PENDING);
    fixture_advance_ms(100);
    CHECK_EQ(KeReadStateEvent(&done), 1);
    CHECK_EQ(out, 0xC0FFEE);
    ex_pool_stats(&after);
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding); /* nothing left behind */
    destroy_stack();
}

/* A device that answers a buffered IOCTL at once: 4 bytes, 0xC0FFEE. */
static NTSTATUS answer_dispatch(PDEVICE_OBJECT dev, PIRP irp)
{
    (void)dev;
    *(ULONG *)irp->AssociatedIrp.SystemBuffer = 0xC0FFEE;
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = sizeof(ULONG);
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* One synchronous buffered IOCTL to dev; 0 if it was answered. */
static int ask(PDEVICE_OBJECT dev)
{
    KEVENT done;
    IO_STATUS_BLOCK iosb = {0};
    ULONG in = 7, out = 0;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(0x00294044, dev, &in, sizeof in, &out, sizeof out,
                                             FALSE, &done, &iosb);
    if (!irp || IoCallDriver(dev, irp) != STATUS_SUCCESS)
        return -1;
    return iosb.Status == STATUS_SUCCESS && out == 0xC0FFEE ? 0 : -1;
}

#define ASKS_PER_THREAD 1000

static void *ask_many(void *dev)
{
    for (int i = 0; i < ASKS_PER_THREAD; i++)
        if (ask(dev) != 0)
            return (void *)1;
    return NULL;
}

/* bk_host_io_call_count is counted per thread (no shared atomic on every
 * hop): it still counts each hop exactly, from every thread, including
 * threads that have exited since. */
TEST(io_call_count_counts_every_hop_of_every_thread_including_exited_ones)
{
    PDEVICE_OBJECT dev = fixture_device(answer_dispatch, 0);
    uint64_t before = bk_host_io_call_count();
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        REQUIRE(pthread_create(&t[i], NULL, ask_many, dev) == 0);
    int failed = 0;
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        failed += r != NULL;
    }
    CHECK_EQ(failed, 0);
    CHECK_EQ(ask(dev), 0); /* and this thread's own */
    CHECK_EQ(bk_host_io_call_count() - before, 4 * ASKS_PER_THREAD + 1);
    fixture_delete(dev);
}

/* Issue 15: the IRP of a synchronous buffered IOCTL is one pool block
 * that the next request on the thread takes again from the thread's
 * magazine: after the first, a request takes no pool lock, and the pool
 * still counts each IRP as an allocation and a free. */
TEST(buffered_ioctl_after_the_first_takes_no_pool_lock)
{
    PDEVICE_OBJECT dev = fixture_device(answer_dispatch, 0);
    CHECK_EQ(ask(dev), 0);
    ex_pool_stats_t before, after;
    ex_pool_stats(&before);
    uint64_t rounds = ex_pool_lock_rounds();
    int failed = 0;
    for (int i = 0; i < 100; i++)
        failed += ask(dev) != 0;
    uint64_t taken = ex_pool_lock_rounds() - rounds;
    ex_pool_stats(&after);
    CHECK_EQ(failed, 0);
    CHECK_EQ(taken, 0);
    CHECK_EQ(after.allocations - before.allocations, 100);
    CHECK_EQ(after.frees - before.frees, 100);
    CHECK_EQ(after.blocks_outstanding, before.blocks_outstanding);
    fixture_delete(dev);
}

/* The system buffer of a buffered IOCTL holds the input and zeros after
 * it (the input is copied, the rest cleared, nothing written twice), even
 * in a block whose last holder filled it: nothing of it shows. */
TEST(system_buffer_past_the_input_is_zero_in_a_reused_block)
{
    PDEVICE_OBJECT dev = fixture_device(answer_dispatch, 0);
    size_t head = ((size_t)IoSizeOfIrp(dev->StackSize) + 15) & ~(size_t)15;
    UCHAR *dirty = ExAllocatePoolWithTag(NonPagedPoolNx, head + 64, 'prIA');
    REQUIRE(dirty != NULL);
    memset(dirty, 0xA5, head + 64);
    ExFreePoolWithTag(dirty, 'prIA');
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    ULONG in = 0x01020304;
    UCHAR out[64];
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(0x00294044, dev, &in, sizeof in, out, sizeof out,
                                             FALSE, &done, &iosb);
    REQUIRE(irp != NULL);
    CHECK((void *)irp == (void *)dirty); /* the block just freed */
    UCHAR *sys = irp->AssociatedIrp.SystemBuffer;
    CHECK(memcmp(sys, &in, sizeof in) == 0);
    int nonzero = 0;
    for (size_t i = sizeof in; i < sizeof out; i++)
        nonzero += sys[i] != 0;
    CHECK_EQ(nonzero, 0);
    CHECK_EQ(IoGetNextIrpStackLocation(irp)->CompletionRoutine == NULL, 1);
    IoFreeIrp(irp);
    fixture_delete(dev);
}

/* ---- cancel ---- */
static int cancel_calls;
static PIRP cancel_queue;

static void cancel_routine(PDEVICE_OBJECT dev, PIRP irp)
{
    (void)dev;
    __atomic_add_fetch(&cancel_calls, 1, __ATOMIC_SEQ_CST);
    IoReleaseCancelSpinLock(irp->CancelIrql);
    cancel_queue = NULL;
    irp->IoStatus.Status = STATUS_CANCELLED;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
}

static NTSTATUS queue_dispatch(PDEVICE_OBJECT dev, PIRP irp)
{
    (void)dev;
    IoMarkIrpPending(irp);
    IoSetCancelRoutine(irp, cancel_routine);
    cancel_queue = irp;
    return STATUS_PENDING;
}

struct cancel_thread_arg {
    PIRP irp;
    BOOLEAN result;
};
static void *cancel_thread(void *p)
{
    struct cancel_thread_arg *a = p;
    a->result = IoCancelIrp(a->irp);
    return NULL;
}

static int owner_completions;
static NTSTATUS cancel_status_seen;
static NTSTATUS keep_irp(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
    (void)dev;
    (void)ctx;
    owner_completions++;
    cancel_status_seen = irp->IoStatus.Status;
    return STATUS_MORE_PROCESSING_REQUIRED; /* the owner frees it after the race */
}

TEST(cancel_routine_runs_exactly_once_under_racing_cancels)
{
    for (int round = 0; round < 50; round++) {
        cancel_calls = 0;
        owner_completions = 0;
        PDEVICE_OBJECT dev = fixture_device(queue_dispatch, 0);
        /* The IRP's owner keeps it alive until every canceller is done, as a
         * caller of IoCancelIrp must. */
        PIRP irp = IoAllocateIrp(dev->StackSize, FALSE);
        IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_DEVICE_CONTROL;
        IoSetCompletionRoutine(irp, keep_irp, NULL, TRUE, TRUE, TRUE);
        CHECK_STATUS(IoCallDriver(dev, irp), STATUS_PENDING);
        pthread_t t[4];
        struct cancel_thread_arg args[4];
        for (int i = 0; i < 4; i++) {
            args[i] = (struct cancel_thread_arg){irp, FALSE};
            pthread_create(&t[i], NULL, cancel_thread, &args[i]);
        }
        int trues = 0;
        for (int i = 0; i < 4; i++) {
            pthread_join(t[i], NULL);
            trues += args[i].result;
        }
        CHECK_EQ(cancel_calls, 1);
        CHECK_EQ(trues, 1);
        CHECK_EQ(owner_completions, 1);
        CHECK_STATUS(cancel_status_seen, STATUS_CANCELLED);
        IoFreeIrp(irp);
        fixture_delete(dev);
        if (bk_test_failed())
            break;
    }
}

TEST(cancel_without_cancel_routine_returns_false_and_sets_flag)
{
    PDEVICE_OBJECT dev = fixture_device(queue_dispatch, 0);
    struct finish_record rec = {0};
    PIRP irp = io_build_host_ioctl(dev, NULL, 0x00294040, NULL, 0, NULL, 0, record_finish, &rec);
    IoCallDriver(dev, irp);
    CHECK(IoSetCancelRoutine(irp, NULL) == cancel_routine); /* the driver takes it back */
    CHECK(!IoCancelIrp(irp));
    CHECK(irp->Cancel);
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    CHECK_EQ(rec.called, 1);
    fixture_delete(dev);
}

/* ---- access and buffers ---- */
TEST(write_access_ioctl_on_read_only_handle_is_access_denied)
{
    PDEVICE_OBJECT dev = fixture_device(NULL, 0);
    PFILE_OBJECT ro = ob_create_file(dev, FILE_READ_DATA);
    PFILE_OBJECT rw = ob_create_file(dev, FILE_READ_DATA | FILE_WRITE_DATA);
    CHECK_STATUS(io_check_ioctl_access(ro, 0x00298048), STATUS_ACCESS_DENIED); /* SET_INFORMATION */
    CHECK_STATUS(io_check_ioctl_access(ro, 0x0029404C), STATUS_SUCCESS);       /* QUERY_STATUS */
    CHECK_STATUS(io_check_ioctl_access(rw, 0x00298048), STATUS_SUCCESS);
    ObDereferenceObject(ro);
    ObDereferenceObject(rw);
    fixture_delete(dev);
}

static NTSTATUS overclaim_dispatch(PDEVICE_OBJECT dev, PIRP irp)
{
    (void)dev;
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 4096; /* more than the caller's buffer */
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

TEST(information_beyond_output_buffer_is_clamped_never_overrun)
{
    PDEVICE_OBJECT dev = fixture_device(overclaim_dispatch, 0);
    struct finish_record rec = {0};
    UCHAR out[8 + 8];
    memset(out, 0xAB, sizeof out);
    PIRP irp = io_build_host_ioctl(dev, NULL, 0x00294040, NULL, 0, out, 8, record_finish, &rec);
    IoCallDriver(dev, irp);
    CHECK_EQ(rec.information, 8);
    CHECK_EQ(out[8], 0xAB);
    CHECK_EQ(out[15], 0xAB);
    fixture_delete(dev);
}

static void complete_twice(void)
{
    PDEVICE_OBJECT dev = fixture_device(overclaim_dispatch, 0);
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoGetNextIrpStackLocation(irp)->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    IoSetCompletionRoutine(irp, reclaim, NULL, TRUE, TRUE, TRUE);
    IoCallDriver(dev, irp);
    IoCompleteRequest(irp, IO_NO_INCREMENT); /* already completed */
}

TEST(completing_an_irp_twice_is_a_bugcheck)
{
    CHECK(fixture_dies(complete_twice));
}

static void run_out_of_stack(void)
{
    PDEVICE_OBJECT dev = fixture_device(NULL, 0);
    PIRP irp = IoAllocateIrp(1, FALSE);
    IoSetNextIrpStackLocation(irp); /* use the only location */
    IoCallDriver(dev, irp);
}

TEST(call_driver_without_stack_location_is_a_bugcheck)
{
    CHECK(fixture_dies(run_out_of_stack));
}

/* ---- remove locks ---- */
struct remlock_work {
    ke_work_t work;
    IO_REMOVE_LOCK *lock;
    int done;
};
static void release_and_wait_work(ke_work_t *w)
{
    struct remlock_work *r = CONTAINING_RECORD(w, struct remlock_work, work);
    IoAcquireRemoveLock(r->lock, NULL);
    IoReleaseRemoveLockAndWait(r->lock, NULL);
    r->done = 1;
}

TEST(remove_lock_waits_for_every_holder)
{
    IO_REMOVE_LOCK lock;
    IoInitializeRemoveLock(&lock, 'mRtT', 0, 0);
    CHECK_STATUS(IoAcquireRemoveLock(&lock, NULL), STATUS_SUCCESS);
    struct remlock_work w = {.work.run = release_and_wait_work, .lock = &lock};
    ke_queue_work(&w.work);
    ke_settle();
    CHECK_EQ(w.done, 0);
    CHECK_STATUS(IoAcquireRemoveLock(&lock, NULL), STATUS_DELETE_PENDING);
    IoReleaseRemoveLock(&lock, NULL);
    ke_settle();
    CHECK_EQ(w.done, 1);
}

/* ---- work items ---- */
static int work_ran;
static PDEVICE_OBJECT work_saw;
static void io_work(PDEVICE_OBJECT dev, PVOID ctx)
{
    work_saw = dev;
    work_ran = (int)(intptr_t)ctx;
}

TEST(io_work_item_keeps_device_referenced_until_it_ran)
{
    PDEVICE_OBJECT dev = fixture_device(NULL, 0);
    PIO_WORKITEM item = IoAllocateWorkItem(dev);
    work_ran = 0;
    /* Hold the workers so the item is still queued when the device goes. */
    KEVENT gate;
    KeInitializeEvent(&gate, NotificationEvent, FALSE);
    LONG refs_before = dev->ReferenceCount;
    IoQueueWorkItem(item, io_work, DelayedWorkQueue, (PVOID)42);
    CHECK(dev->ReferenceCount >= refs_before);
    ke_settle();
    CHECK_EQ(work_ran, 42);
    CHECK(work_saw == dev);
    CHECK_EQ(dev->ReferenceCount, refs_before);
    IoFreeWorkItem(item);
    fixture_delete(dev);
    CHECK_EQ(ob_live_devices(), 0);
}

TEST(device_freed_only_after_last_reference)
{
    PDEVICE_OBJECT dev = fixture_device(NULL, 16);
    ObReferenceObject(dev);
    IoDeleteDevice(dev);
    CHECK_EQ(ob_live_devices(), 1);
    ObDereferenceObject(dev);
    CHECK_EQ(ob_live_devices(), 0);
}

TEST(named_device_collision_is_refused)
{
    UNICODE_STRING name = RTL_CONSTANT_STRING(L"\\Device\\TestBattery0");
    PDEVICE_OBJECT a = NULL, b = NULL;
    CHECK_STATUS(IoCreateDevice(&fixture_driver, 0, &name, FILE_DEVICE_BATTERY, 0, FALSE, &a),
                 STATUS_SUCCESS);
    CHECK_STATUS(IoCreateDevice(&fixture_driver, 0, &name, FILE_DEVICE_BATTERY, 0, FALSE, &b),
                 STATUS_OBJECT_NAME_COLLISION);
    PDEVICE_OBJECT found = ob_lookup_named_device(&name);
    CHECK(found == a);
    ObDereferenceObject(found);
    IoDeleteDevice(a);
}

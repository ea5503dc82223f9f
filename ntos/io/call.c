/* IoCallDriver and IoCompleteRequest: moving an IRP down and back up its
 * stack, running completion routines in reverse order of the drivers that
 * set them, stopping at STATUS_MORE_PROCESSING_REQUIRED. */
#include "../private.h"

#include <battkit/host.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

void io_finish_irp(PIRP irp);

/* Every IoCallDriver, each driver's hop counted: what a test counts to
 * show an operation sends no more IRPs than it should. Counted per thread
 * (a plain add: one shared atomic counter was a locked instruction on
 * every hop of every query) and summed when read; a thread that exits
 * leaves its count in `retired`. */
typedef struct call_counter {
    uint64_t count; /* written by its thread only */
    struct call_counter *next, *prev;
} call_counter_t;

static __thread call_counter_t *thread_calls __attribute__((tls_model("initial-exec")));
static pthread_mutex_t counters_lock = PTHREAD_MUTEX_INITIALIZER;
static call_counter_t counters = {0, &counters, &counters}; /* list head */
static uint64_t retired;                                    /* counters_lock */
static _Atomic uint64_t unregistered; /* hops of threads whose counter could not be made */
static pthread_key_t counter_key;
static pthread_once_t counter_once = PTHREAD_ONCE_INIT;

static void counter_exit(void *p)
{
    call_counter_t *c = p;
    thread_calls = NULL; /* a hop from a later destructor registers anew */
    pthread_mutex_lock(&counters_lock);
    c->prev->next = c->next;
    c->next->prev = c->prev;
    retired += c->count;
    pthread_mutex_unlock(&counters_lock);
    free(c);
}

static void counter_key_make(void)
{
    if (pthread_key_create(&counter_key, counter_exit) != 0)
        abort(); /* at the first IoCallDriver: nothing to unwind */
}

/* The calling thread's first hop: its counter, registered. */
static __attribute__((noinline, cold)) void count_first_call(void)
{
    pthread_once(&counter_once, counter_key_make);
    call_counter_t *c = calloc(1, sizeof(*c));
    if (!c || pthread_setspecific(counter_key, c) != 0) {
        free(c);
        atomic_fetch_add_explicit(&unregistered, 1, memory_order_relaxed);
        return;
    }
    c->count = 1;
    pthread_mutex_lock(&counters_lock);
    c->next = &counters;
    c->prev = counters.prev;
    counters.prev->next = c;
    counters.prev = c;
    pthread_mutex_unlock(&counters_lock);
    thread_calls = c;
}

static inline void count_call(void)
{
    call_counter_t *c = thread_calls;
    if (__builtin_expect(c != NULL, 1))
        __atomic_store_n(&c->count, c->count + 1, __ATOMIC_RELAXED);
    else
        count_first_call();
}

uint64_t bk_host_io_call_count(void)
{
    pthread_mutex_lock(&counters_lock);
    uint64_t n = retired + atomic_load_explicit(&unregistered, memory_order_relaxed);
    for (call_counter_t *c = counters.next; c != &counters; c = c->next)
        n += __atomic_load_n(&c->count, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&counters_lock);
    return n;
}

NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    count_call();
    if (Irp->Type != IO_TYPE_IRP)
        KeBugCheckEx(0x44, (ULONG_PTR)Irp, 0x2, 0, 0);
    Irp->CurrentLocation--;
    if (Irp->CurrentLocation <= 0)
        KeBugCheckEx(0x35 /* NO_MORE_IRP_STACK_LOCATIONS */, (ULONG_PTR)Irp, 0, 0, 0);
    Irp->Tail.Overlay.CurrentStackLocation--;
    PIO_STACK_LOCATION stack = Irp->Tail.Overlay.CurrentStackLocation;
    stack->DeviceObject = DeviceObject;
    PDRIVER_DISPATCH dispatch = DeviceObject->DriverObject->MajorFunction[stack->MajorFunction];
    KIRQL irql = ke_current_irql;
    NTSTATUS status = dispatch(DeviceObject, Irp);
    if (ke_current_irql != irql) {
        fprintf(stderr,
                "IRQL_GT_ZERO_AT_SYSTEM_SERVICE-like: dispatch of major 0x%x returned at "
                "IRQL %u, entered at %u\n",
                stack->MajorFunction, KeGetCurrentIrql(), irql);
        KeBugCheckEx(0x4A, (ULONG_PTR)dispatch, irql, KeGetCurrentIrql(), 0);
    }
    return status;
}

void FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost)
{
    UNREFERENCED_PARAMETER(PriorityBoost);
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    if (Irp->Type != IO_TYPE_IRP || Irp->CurrentLocation > Irp->StackCount + 1 ||
        Irp->IoStatus.Status == STATUS_PENDING) {
        fprintf(stderr, "MULTIPLE_IRP_COMPLETE_REQUESTS: IRP %p (status 0x%08x)\n", (void *)Irp,
                (unsigned)Irp->IoStatus.Status);
        KeBugCheckEx(0x44, (ULONG_PTR)Irp, 0, 0, 0);
    }
    if (Irp->CancelRoutine) {
        fprintf(stderr, "IRP %p completed with a cancel routine still set\n", (void *)Irp);
        KeBugCheckEx(0x44, (ULONG_PTR)Irp, 0x3, 0, 0);
    }
    /* Walk up from the current location. The completion routine stored in a
     * location belongs to the driver one above, and receives that driver's
     * device object (NULL when the IRP's creator has no stack location). */
    while (Irp->CurrentLocation <= Irp->StackCount) {
        PIO_STACK_LOCATION stack = Irp->Tail.Overlay.CurrentStackLocation;
        Irp->PendingReturned = (stack->Control & SL_PENDING_RETURNED) != 0;
        PIO_COMPLETION_ROUTINE routine = stack->CompletionRoutine;
        PVOID context = stack->Context;
        UCHAR control = stack->Control;
        NTSTATUS status = Irp->IoStatus.Status;
        stack->CompletionRoutine = NULL;
        stack->Context = NULL;
        stack->Control = 0;
        Irp->CurrentLocation++;
        Irp->Tail.Overlay.CurrentStackLocation++;
        PDEVICE_OBJECT upper = Irp->CurrentLocation <= Irp->StackCount
                                   ? Irp->Tail.Overlay.CurrentStackLocation->DeviceObject
                                   : NULL;
        bool invoke = routine && ((NT_SUCCESS(status) && (control & SL_INVOKE_ON_SUCCESS)) ||
                                  (!NT_SUCCESS(status) && (control & SL_INVOKE_ON_ERROR)) ||
                                  (Irp->Cancel && (control & SL_INVOKE_ON_CANCEL)));
        if (invoke) {
            if (routine(upper, Irp, context) == STATUS_MORE_PROCESSING_REQUIRED)
                return;
        } else if (Irp->PendingReturned && Irp->CurrentLocation <= Irp->StackCount) {
            /* docs: without a completion routine the pending flag propagates up. */
            IoMarkIrpPending(Irp);
        }
    }
    io_finish_irp(Irp);
}

BOOLEAN NTAPI IoIsWdmVersionAvailable(UCHAR MajorVersion, UCHAR MinorVersion)
{
    /* battkit offers the WDM of Windows 10 (6.0x in WDM numbering: 0x06/0x00). */
    return MajorVersion < 6 || (MajorVersion == 6 && MinorVersion <= 0x30);
}

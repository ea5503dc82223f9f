/* The power manager's driver-facing routines: PoCallDriver, PoStartNextPowerIrp,
 * PoSetPowerState (the states drivers record per device object) and
 * PoRequestPowerIrp. System power transitions are system.c. */
#include "po_internal.h"

#include <stdlib.h>

typedef struct po_record {
    struct po_record *next;
    PDEVICE_OBJECT device;
    PDEVICE_OBJECT pdo; /* bottom of its stack: forgotten with the devnode */
    SYSTEM_POWER_STATE system;
    DEVICE_POWER_STATE device_state;
} po_record_t;

static pthread_mutex_t po_lock = PTHREAD_MUTEX_INITIALIZER;
static po_record_t *records;
static ULONG start_next_calls;

/* IRQL <= DISPATCH_LEVEL. docs: drivers pass power IRPs down with
 * PoCallDriver (IoCallDriver since Windows Vista). */
NTSTATUS NTAPI PoCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    ASSERTMSG("PoCallDriver with an IRP that is not IRP_MJ_POWER",
              IoGetNextIrpStackLocation(Irp)->MajorFunction == IRP_MJ_POWER);
    return IoCallDriver(DeviceObject, Irp);
}

/* IRQL <= DISPATCH_LEVEL. Since Windows Vista power IRPs are not
 * serialized; the call is kept and counted so tests see drivers make it. */
void NTAPI PoStartNextPowerIrp(PIRP Irp)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    UNREFERENCED_PARAMETER(Irp);
    __atomic_add_fetch(&start_next_calls, 1, __ATOMIC_SEQ_CST);
}

ULONG po_start_next_count(void)
{
    return __atomic_load_n(&start_next_calls, __ATOMIC_SEQ_CST);
}

static PDEVICE_OBJECT bottom_of(PDEVICE_OBJECT device)
{
    PDEVICE_OBJECT d = device, lower;
    while ((lower = ob_lower_device(d)) != NULL)
        d = lower;
    return d;
}

/* Caller holds po_lock. A device never recorded is working and in D0: the
 * PnP manager starts devices in D0. */
static po_record_t *record_locked(PDEVICE_OBJECT device, bool create)
{
    for (po_record_t *r = records; r; r = r->next)
        if (r->device == device)
            return r;
    if (!create)
        return NULL;
    po_record_t *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->device = device;
    r->pdo = bottom_of(device);
    r->system = PowerSystemWorking;
    r->device_state = PowerDeviceD0;
    r->next = records;
    records = r;
    return r;
}

/* IRQL <= DISPATCH_LEVEL. docs: records the new state and returns the
 * previous one of the same type. */
POWER_STATE NTAPI PoSetPowerState(PDEVICE_OBJECT DeviceObject, POWER_STATE_TYPE Type,
                                  POWER_STATE State)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    POWER_STATE previous;
    pthread_mutex_lock(&po_lock);
    po_record_t *r = record_locked(DeviceObject, true);
    if (Type == SystemPowerState) {
        previous.SystemState = r ? r->system : PowerSystemWorking;
        if (r)
            r->system = State.SystemState;
    } else {
        previous.DeviceState = r ? r->device_state : PowerDeviceD0;
        if (r)
            r->device_state = State.DeviceState;
    }
    pthread_mutex_unlock(&po_lock);
    return previous;
}

DEVICE_POWER_STATE po_device_power_state(PDEVICE_OBJECT device)
{
    pthread_mutex_lock(&po_lock);
    po_record_t *r = record_locked(device, false);
    DEVICE_POWER_STATE s = r ? r->device_state : PowerDeviceD0;
    pthread_mutex_unlock(&po_lock);
    return s;
}

SYSTEM_POWER_STATE po_system_power_state_of(PDEVICE_OBJECT device)
{
    pthread_mutex_lock(&po_lock);
    po_record_t *r = record_locked(device, false);
    SYSTEM_POWER_STATE s = r ? r->system : PowerSystemWorking;
    pthread_mutex_unlock(&po_lock);
    return s;
}

void po_forget_pdo(PDEVICE_OBJECT pdo)
{
    pthread_mutex_lock(&po_lock);
    for (po_record_t **link = &records; *link;) {
        po_record_t *r = *link;
        if (r->pdo == pdo || r->device == pdo) {
            *link = r->next;
            free(r);
        } else {
            link = &r->next;
        }
    }
    pthread_mutex_unlock(&po_lock);
}

void po_forget_all(void)
{
    pthread_mutex_lock(&po_lock);
    while (records) {
        po_record_t *r = records;
        records = r->next;
        free(r);
    }
    start_next_calls = 0;
    pthread_mutex_unlock(&po_lock);
}

/* ---- PoRequestPowerIrp ---- */
typedef struct po_request {
    PDEVICE_OBJECT device; /* what the caller named: passed back to it */
    PDEVICE_OBJECT top;    /* referenced until completion */
    UCHAR minor;
    POWER_STATE state;
    PREQUEST_POWER_COMPLETE done;
    PVOID context;
} po_request_t;

static void request_finish(PIRP irp, void *context)
{
    po_request_t *r = context;
    /* docs: PowerCompletion gets the DeviceObject, minor function and power
     * state of the request, the caller's context and the IRP's status
     * block; the power manager frees the IRP after it returns. */
    if (r->done)
        r->done(r->device, r->minor, r->state, r->context, &irp->IoStatus);
    ObDereferenceObject(r->top);
    free(r);
}

/* IRQL <= DISPATCH_LEVEL. docs: allocates a power IRP, sends it to the top
 * of the device's stack and returns STATUS_PENDING; only SET_POWER,
 * QUERY_POWER (device states) and WAIT_WAKE (a system state) may be asked. */
NTSTATUS NTAPI PoRequestPowerIrp(PDEVICE_OBJECT DeviceObject, UCHAR MinorFunction,
                                 POWER_STATE PowerState, PREQUEST_POWER_COMPLETE CompletionFunction,
                                 PVOID Context, PIRP *Irp)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    if (Irp)
        *Irp = NULL;
    if (MinorFunction != IRP_MN_SET_POWER && MinorFunction != IRP_MN_QUERY_POWER &&
        MinorFunction != IRP_MN_WAIT_WAKE)
        return STATUS_INVALID_PARAMETER_2;
    po_request_t *r = calloc(1, sizeof(*r));
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    r->device = DeviceObject;
    r->top = IoGetAttachedDeviceReference(DeviceObject);
    r->minor = MinorFunction;
    r->state = PowerState;
    r->done = CompletionFunction;
    r->context = Context;
    PIRP irp = io_build_host_irp(r->top, IRP_MJ_POWER, MinorFunction, request_finish, r);
    if (!irp) {
        ObDereferenceObject(r->top);
        free(r);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    irp->RequestorMode = KernelMode;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    if (MinorFunction == IRP_MN_WAIT_WAKE) {
        next->Parameters.WaitWake.PowerState = PowerState.SystemState;
    } else {
        next->Parameters.Power.Type = DevicePowerState;
        next->Parameters.Power.State = PowerState;
        next->Parameters.Power.ShutdownType = PowerActionNone;
    }
    /* docs: the pointer is only meaningful for WAIT_WAKE (which stays
     * pending); the others may complete before this returns. */
    if (Irp)
        *Irp = irp;
    PoCallDriver(r->top, irp);
    return STATUS_PENDING;
}

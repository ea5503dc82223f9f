/* The framework's PnP and power handling for a function driver: the host's
 * PnP and power IRPs become the driver's callbacks in the documented order
 * (wdf/ "A Device Is Started", "A User Unplugs a Device", "The PnP Manager
 * Redistributes System Resources", "A Device Enters a Low-Power State").
 *
 *   start:   [lower drivers start] PrepareHardware, D0Entry,
 *            D0EntryPostInterruptsEnabled, queues start, SelfManagedIoInit
 *            (SelfManagedIoRestart after a stop or a low-power state),
 *            device interfaces enabled
 *   stop:    QueryStop; SelfManagedIoSuspend, queues stop,
 *            D0ExitPreInterruptsDisabled, D0Exit(D3), ReleaseHardware
 *   remove:  QueryRemove; SelfManagedIoSuspend, queues stop,
 *            D0ExitPreInterruptsDisabled, D0Exit(D3Final), ReleaseHardware,
 *            SelfManagedIoFlush, SelfManagedIoCleanup, queues purged, the
 *            device object deleted
 *   surprise removal: SurpriseRemoval, then the removal steps at once;
 *            IRP_MN_REMOVE_DEVICE later only deletes
 *   sleep:   the system IRP (S1-S5) makes the framework, as power policy
 *            owner, request D3 (power-down steps with the D-state as target);
 *            S0 requests D0 (power-up steps, SelfManagedIoRestart)
 *
 * PASSIVE_LEVEL, on the thread that sent the IRP; the PnP manager sends one
 * PnP IRP at a time per device, so the state needs no lock. */
#include "wdf_internal.h"

#define CB(d, name) ((d)->pnp.name)

static NTSTATUS complete_irp(PIRP irp, NTSTATUS status)
{
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS forward(wdf_device_t *d, PIRP irp)
{
    IoSkipCurrentIrpStackLocation(irp);
    return IoCallDriver(d->lower, irp);
}

static NTSTATUS signal_completion(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    if (Irp->PendingReturned)
        KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* Sends the IRP down and waits until the lower drivers are done with it;
 * the caller completes it. */
static NTSTATUS forward_and_wait(wdf_device_t *d, PIRP irp)
{
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    IoCopyCurrentIrpStackLocationToNext(irp);
    bool power = IoGetCurrentIrpStackLocation(irp)->MajorFunction == IRP_MJ_POWER;
    IoSetCompletionRoutine(irp, signal_completion, &event, TRUE, TRUE, TRUE);
    NTSTATUS status = power ? PoCallDriver(d->lower, irp) : IoCallDriver(d->lower, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = irp->IoStatus.Status;
    }
    return status;
}

static WDF_POWER_DEVICE_STATE wdf_state_of(DEVICE_POWER_STATE s)
{
    switch (s) {
    case PowerDeviceD0:
        return WdfPowerDeviceD0;
    case PowerDeviceD1:
        return WdfPowerDeviceD1;
    case PowerDeviceD2:
        return WdfPowerDeviceD2;
    default:
        return WdfPowerDeviceD3;
    }
}

static void record_power(wdf_device_t *d, DEVICE_POWER_STATE s)
{
    POWER_STATE p;
    p.DeviceState = s;
    d->device_power = s;
    PoSetPowerState(d->fdo, DevicePowerState, p);
}

/* Into D0 from `previous`: D0Entry, queues, self-managed I/O. */
static NTSTATUS power_up(wdf_device_t *d, WDF_POWER_DEVICE_STATE previous)
{
    NTSTATUS status = STATUS_SUCCESS;
    WDFDEVICE h = (WDFDEVICE)d;
    if (CB(d, EvtDeviceD0Entry) && !NT_SUCCESS(status = CB(d, EvtDeviceD0Entry)(h, previous)))
        return status;
    if (CB(d, EvtDeviceD0EntryPostInterruptsEnabled) &&
        !NT_SUCCESS(status = CB(d, EvtDeviceD0EntryPostInterruptsEnabled)(h, previous))) {
        if (CB(d, EvtDeviceD0Exit))
            CB(d, EvtDeviceD0Exit)(h, WdfPowerDeviceD3Final);
        return status;
    }
    d->in_d0 = true;
    record_power(d, PowerDeviceD0);
    wdf_queues_power(d, true);
    if (!d->self_managed_io_initialized) {
        d->self_managed_io_initialized = true;
        if (CB(d, EvtDeviceSelfManagedIoInit))
            status = CB(d, EvtDeviceSelfManagedIoInit)(h);
    } else if (d->self_managed_io_suspended && CB(d, EvtDeviceSelfManagedIoRestart)) {
        status = CB(d, EvtDeviceSelfManagedIoRestart)(h);
    }
    d->self_managed_io_suspended = false;
    return status;
}

/* Out of D0 towards `target`: self-managed I/O, queues, D0Exit. */
static void power_down(wdf_device_t *d, WDF_POWER_DEVICE_STATE target, DEVICE_POWER_STATE wdm)
{
    WDFDEVICE h = (WDFDEVICE)d;
    if (!d->in_d0)
        return;
    if (d->self_managed_io_initialized && !d->self_managed_io_suspended) {
        d->self_managed_io_suspended = true;
        if (CB(d, EvtDeviceSelfManagedIoSuspend))
            CB(d, EvtDeviceSelfManagedIoSuspend)(h);
    }
    wdf_queues_power(d, false);
    if (CB(d, EvtDeviceD0ExitPreInterruptsDisabled))
        CB(d, EvtDeviceD0ExitPreInterruptsDisabled)(h, target);
    if (CB(d, EvtDeviceD0Exit))
        CB(d, EvtDeviceD0Exit)(h, target);
    d->in_d0 = false;
    record_power(d, wdm);
}

static void release_hardware(wdf_device_t *d)
{
    if (!d->hardware_prepared)
        return;
    d->hardware_prepared = false;
    if (CB(d, EvtDeviceReleaseHardware))
        CB(d, EvtDeviceReleaseHardware)((WDFDEVICE)d, d->resources);
}

/* The end of a device's life, orderly or surprise: everything the start
 * did is undone, then self-managed I/O is flushed and cleaned up. */
static void tear_down(wdf_device_t *d)
{
    WDFDEVICE h = (WDFDEVICE)d;
    wdf_device_set_interfaces(d, false);
    power_down(d, WdfPowerDeviceD3Final, PowerDeviceD3);
    release_hardware(d);
    if (d->self_managed_io_initialized && !d->self_managed_io_cleaned_up) {
        d->self_managed_io_cleaned_up = true;
        if (CB(d, EvtDeviceSelfManagedIoFlush))
            CB(d, EvtDeviceSelfManagedIoFlush)(h);
        if (CB(d, EvtDeviceSelfManagedIoCleanup))
            CB(d, EvtDeviceSelfManagedIoCleanup)(h);
    }
    wdf_queues_purge(d);
}

static NTSTATUS start_device(wdf_device_t *d)
{
    NTSTATUS status = STATUS_SUCCESS;
    if (CB(d, EvtDevicePrepareHardware) &&
        !NT_SUCCESS(status =
                        CB(d, EvtDevicePrepareHardware)((WDFDEVICE)d, d->resources, d->resources)))
        return status;
    d->hardware_prepared = true;
    /* docs: D3Final the first time; after a stop the device was in D3. */
    status = power_up(d, d->started_once ? WdfPowerDeviceD3 : WdfPowerDeviceD3Final);
    if (!NT_SUCCESS(status)) {
        power_down(d, WdfPowerDeviceD3Final, PowerDeviceD3);
        release_hardware(d);
        return status;
    }
    d->started_once = true;
    d->state = WDF_DEV_STARTED;
    wdf_device_set_interfaces(d, true);
    return STATUS_SUCCESS;
}

NTSTATUS wdf_pnp_dispatch(wdf_device_t *d, PIRP irp)
{
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(irp);
    WDFDEVICE h = (WDFDEVICE)d;
    NTSTATUS status;
    switch (s->MinorFunction) {
    case IRP_MN_START_DEVICE:
        status = forward_and_wait(d, irp);
        if (NT_SUCCESS(status))
            status = start_device(d);
        if (!NT_SUCCESS(status))
            d->state = WDF_DEV_FAILED;
        return complete_irp(irp, status);

    case IRP_MN_QUERY_STOP_DEVICE:
        if (CB(d, EvtDeviceQueryStop) && !NT_SUCCESS(status = CB(d, EvtDeviceQueryStop)(h)))
            return complete_irp(irp, status); /* vetoed */
        break;

    case IRP_MN_STOP_DEVICE:
        wdf_device_set_interfaces(d, false);
        power_down(d, WdfPowerDeviceD3, PowerDeviceD3);
        release_hardware(d);
        d->state = WDF_DEV_STOPPED;
        break;

    case IRP_MN_QUERY_REMOVE_DEVICE:
        if (CB(d, EvtDeviceQueryRemove) && !NT_SUCCESS(status = CB(d, EvtDeviceQueryRemove)(h)))
            return complete_irp(irp, status); /* vetoed */
        break;

    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
        break;

    case IRP_MN_SURPRISE_REMOVAL:
        d->state = WDF_DEV_SURPRISE_REMOVED;
        if (CB(d, EvtDeviceSurpriseRemoval))
            CB(d, EvtDeviceSurpriseRemoval)(h);
        tear_down(d);
        break;

    case IRP_MN_REMOVE_DEVICE: {
        if (d->state != WDF_DEV_SURPRISE_REMOVED)
            tear_down(d);
        d->state = WDF_DEV_REMOVED;
        /* Every IRP still in a dispatch routine leaves first. */
        IoReleaseRemoveLockAndWait(&d->remove_lock, irp);
        PDEVICE_OBJECT lower = d->lower, fdo = d->fdo;
        irp->IoStatus.Status = STATUS_SUCCESS;
        IoSkipCurrentIrpStackLocation(irp);
        status = IoCallDriver(lower, irp);
        IoDetachDevice(lower);
        /* docs: the device's children and context areas go first (their
         * EvtCleanupCallbacks), then the WDM device object. */
        ((wdf_device_extension_t *)fdo->DeviceExtension)->device = NULL;
        wdf_object_delete(&d->object);
        IoDeleteDevice(fdo);
        return status;
    }

    default:
        /* Not the framework's: pass it on with the status it carries. */
        return forward(d, irp);
    }
    /* docs: a function driver sets success before passing these down. */
    irp->IoStatus.Status = STATUS_SUCCESS;
    return forward(d, irp);
}

static void device_power_done(PDEVICE_OBJECT DeviceObject, UCHAR MinorFunction,
                              POWER_STATE PowerState, PVOID Context, PIO_STATUS_BLOCK IoStatus)
{
    (void)DeviceObject, (void)MinorFunction, (void)PowerState, (void)IoStatus;
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
}

/* As power policy owner: a device power IRP for `state`, and its end. */
static void request_device_power(wdf_device_t *d, DEVICE_POWER_STATE state)
{
    KEVENT done;
    POWER_STATE p;
    p.DeviceState = state;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    if (PoRequestPowerIrp(d->pdo, IRP_MN_SET_POWER, p, device_power_done, &done, NULL) ==
        STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
}

NTSTATUS wdf_power_dispatch(wdf_device_t *d, PIRP irp)
{
    PIO_STACK_LOCATION s = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status;
    if (s->MinorFunction != IRP_MN_SET_POWER || d->state != WDF_DEV_STARTED) {
        PoStartNextPowerIrp(irp);
        IoSkipCurrentIrpStackLocation(irp);
        return PoCallDriver(d->lower, irp);
    }
    if (s->Parameters.Power.Type == DevicePowerState) {
        DEVICE_POWER_STATE target = s->Parameters.Power.State.DeviceState;
        if (target == PowerDeviceD0 && !d->in_d0) {
            /* Up: the lower drivers first, then this one. */
            WDF_POWER_DEVICE_STATE previous = wdf_state_of(d->device_power);
            status = forward_and_wait(d, irp);
            if (NT_SUCCESS(status))
                status = power_up(d, previous);
            PoStartNextPowerIrp(irp);
            return complete_irp(irp, status);
        }
        if (target != PowerDeviceD0 && d->in_d0)
            power_down(d, wdf_state_of(target), target); /* down: this one first */
        PoStartNextPowerIrp(irp);
        IoSkipCurrentIrpStackLocation(irp);
        return PoCallDriver(d->lower, irp);
    }
    /* A system power IRP: the device follows (docs: the power policy owner
     * requests the device power IRP). Going to sleep, the device goes down
     * before the system IRP passes on; waking, after it came back. */
    SYSTEM_POWER_STATE sys = s->Parameters.Power.State.SystemState;
    d->system_power = sys;
    if (sys != PowerSystemWorking) {
        if (d->in_d0)
            request_device_power(d, PowerDeviceD3);
        PoStartNextPowerIrp(irp);
        IoSkipCurrentIrpStackLocation(irp);
        return PoCallDriver(d->lower, irp);
    }
    status = forward_and_wait(d, irp);
    if (NT_SUCCESS(status) && !d->in_d0)
        request_device_power(d, PowerDeviceD0);
    PoStartNextPowerIrp(irp);
    return complete_irp(irp, status);
}

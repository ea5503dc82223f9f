/* \Device\BattkitPlatform: a named device of a driver object inside the
 * host (\Driver\BattkitPlatform, not a shared object, like the PnP root
 * bus) through which the emulated bus drivers reach the machine. It answers
 * IOCTL_BATTKIT_PLATFORM_QUERY_INTERFACE with a referenced
 * BATTKIT_PLATFORM_INTERFACE, one instance (one listener) per request. */
#include "platform_internal.h"

#include <stdlib.h>

static DRIVER_OBJECT plat_driver;
static DRIVER_EXTENSION plat_driver_extension;

size_t plat_client_count_locked(void)
{
    size_t n = 0;
    for (PLIST_ENTRY e = plat.clients.Flink; e != &plat.clients; e = e->Flink)
        n++;
    return n;
}

/* ---- the interface (PASSIVE_LEVEL) ---- */
static void client_reference(PVOID context)
{
    plat_client_t *c = context;
    pthread_mutex_lock(&plat.lock);
    c->refs++;
    pthread_mutex_unlock(&plat.lock);
}

static void client_dereference(PVOID context)
{
    plat_client_t *c = context;
    pthread_mutex_lock(&plat.lock);
    if (--c->refs > 0) {
        pthread_mutex_unlock(&plat.lock);
        return;
    }
    if (c->callback)
        bk_log(BK_LOG_WARN, "platform: interface released with a listener still registered");
    RemoveEntryList(&c->link);
    pthread_mutex_unlock(&plat.lock);
    free(c);
}

static ULONG get_device_count(PVOID context)
{
    UNREFERENCED_PARAMETER(context);
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    pthread_mutex_lock(&plat.lock);
    ULONG n = plat.loaded ? (ULONG)plat.ndev : 0;
    pthread_mutex_unlock(&plat.lock);
    return n;
}

static NTSTATUS get_device(PVOID context, ULONG index, PBATTKIT_PLATFORM_DEVICE device)
{
    UNREFERENCED_PARAMETER(context);
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    if (!device)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    pthread_mutex_lock(&plat.lock);
    if (plat.loaded && index < plat.ndev) {
        memset(device, 0, sizeof(*device));
        device->Kind = plat.dev[index].kind;
        if (device->Kind == BattkitDeviceBattery) {
            plat_battery_t *b = &plat.bat[plat.dev[index].index];
            device->Bus = b->bus;
            device->Uid = b->uid;
            memcpy(device->Name, b->name, sizeof device->Name);
            memcpy(device->HardwareId, "PNP0C0A", sizeof "PNP0C0A");
        } else {
            plat_ac_t *a = &plat.ac[plat.dev[index].index];
            device->Bus = BattkitBusAcpi;
            device->Uid = a->uid;
            memcpy(device->Name, a->name, sizeof device->Name);
            memcpy(device->HardwareId, "ACPI0003", sizeof "ACPI0003");
        }
        status = STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&plat.lock);
    return status;
}

static plat_battery_t *battery_at_locked(ULONG index)
{
    if (!plat.loaded || index >= plat.ndev || plat.dev[index].kind != BattkitDeviceBattery)
        return NULL;
    return &plat.bat[plat.dev[index].index];
}

static NTSTATUS read_battery(PVOID context, ULONG index, PBATTKIT_BATTERY_READING reading)
{
    UNREFERENCED_PARAMETER(context);
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    if (!reading)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    pthread_mutex_lock(&plat.lock);
    plat_battery_t *b = battery_at_locked(index);
    if (b && (b->faults & BATTKIT_FAULT_NO_ANSWER)) {
        status = STATUS_IO_TIMEOUT; /* the embedded controller does not answer */
    } else if (b) {
        plat_read_battery_locked(b, reading);
        __atomic_fetch_add(&plat.battery_reads, 1, __ATOMIC_RELAXED);
        status = STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&plat.lock);
    return status;
}

static NTSTATUS read_ac_adapter(PVOID context, ULONG index, PBOOLEAN online)
{
    UNREFERENCED_PARAMETER(context);
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    if (!online)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    pthread_mutex_lock(&plat.lock);
    if (plat.loaded && index < plat.ndev && plat.dev[index].kind == BattkitDeviceAcAdapter) {
        *online = plat.ac[plat.dev[index].index].online;
        __atomic_fetch_add(&plat.ac_reads, 1, __ATOMIC_RELAXED);
        status = STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&plat.lock);
    return status;
}

static NTSTATUS set_trip_point(PVOID context, ULONG index, ULONG capacity_mwh)
{
    UNREFERENCED_PARAMETER(context);
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    NTSTATUS status = STATUS_NO_SUCH_DEVICE;
    pthread_mutex_lock(&plat.lock);
    plat_battery_t *b = battery_at_locked(index);
    if (b && (b->faults & BATTKIT_FAULT_NO_ANSWER)) {
        status = STATUS_IO_TIMEOUT;
    } else if (b) {
        BATTKIT_BATTERY_READING r;
        plat_read_battery_locked(b, &r);
        b->trip_mwh = capacity_mwh;
        /* The side it is armed on: the next crossing notifies. */
        b->trip_below = r.RemainingCapacity < capacity_mwh;
        plat_rearm_tick_locked(); /* the crossing may now be near */
        status = STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&plat.lock);
    return status;
}

static NTSTATUS register_events(PVOID context, PBATTKIT_PLATFORM_EVENT_CALLBACK callback,
                                PVOID callback_context)
{
    plat_client_t *c = context;
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    pthread_mutex_lock(&plat.lock);
    if (callback && c->callback) {
        pthread_mutex_unlock(&plat.lock);
        return STATUS_INVALID_DEVICE_STATE; /* one listener per instance */
    }
    c->callback = callback;
    c->callback_context = callback_context;
    /* Unregistering waits out a callback still running, so the listener may
     * free its context on return - unless it unregisters from inside it. */
    while (!callback && c->busy && !pthread_equal(c->busy_thread, pthread_self()))
        pthread_cond_wait(&plat.idle, &plat.lock);
    pthread_mutex_unlock(&plat.lock);
    return STATUS_SUCCESS;
}

static NTSTATUS query_interface(PIRP irp, PIO_STACK_LOCATION stack)
{
    ULONG in_len = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out_len = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PBATTKIT_PLATFORM_INTERFACE out = irp->UserBuffer;
    const ULONG *version = stack->Parameters.DeviceIoControl.Type3InputBuffer;
    if (in_len >= sizeof(ULONG) && version && *version > BATTKIT_PLATFORM_INTERFACE_VERSION)
        return STATUS_NOT_SUPPORTED;
    if (!out || out_len < sizeof(*out))
        return STATUS_BUFFER_TOO_SMALL;
    plat_client_t *c = calloc(1, sizeof(*c));
    if (!c)
        return STATUS_INSUFFICIENT_RESOURCES;
    c->refs = 1; /* the caller's: dropped by InterfaceDereference */
    pthread_mutex_lock(&plat.lock);
    InsertTailList(&plat.clients, &c->link);
    pthread_mutex_unlock(&plat.lock);
    memset(out, 0, sizeof(*out));
    out->Header.Size = sizeof(*out);
    out->Header.Version = BATTKIT_PLATFORM_INTERFACE_VERSION;
    out->Header.Context = c;
    out->Header.InterfaceReference = client_reference;
    out->Header.InterfaceDereference = client_dereference;
    out->GetDeviceCount = get_device_count;
    out->GetDevice = get_device;
    out->ReadBattery = read_battery;
    out->ReadAcAdapter = read_ac_adapter;
    out->SetTripPoint = set_trip_point;
    out->RegisterEvents = register_events;
    irp->IoStatus.Information = sizeof(*out);
    return STATUS_SUCCESS;
}

/* ---- dispatch (PASSIVE_LEVEL) ---- */
static NTSTATUS plat_dispatch_internal_ioctl(PDEVICE_OBJECT device, PIRP irp)
{
    UNREFERENCED_PARAMETER(device);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    irp->IoStatus.Information = 0;
    if (stack->Parameters.DeviceIoControl.IoControlCode == IOCTL_BATTKIT_PLATFORM_QUERY_INTERFACE)
        status = query_interface(irp, stack);
    irp->IoStatus.Status = status;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return status;
}

static NTSTATUS plat_dispatch_file(PDEVICE_OBJECT device, PIRP irp)
{
    UNREFERENCED_PARAMETER(device);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

void plat_device_init(void)
{
    PDRIVER_OBJECT d = &plat_driver;
    io_init_driver_object(d, &plat_driver_extension, L"\\Driver\\BattkitPlatform");
    d->MajorFunction[IRP_MJ_CREATE] = plat_dispatch_file;
    d->MajorFunction[IRP_MJ_CLEANUP] = plat_dispatch_file;
    d->MajorFunction[IRP_MJ_CLOSE] = plat_dispatch_file;
    d->MajorFunction[IRP_MJ_INTERNAL_DEVICE_CONTROL] = plat_dispatch_internal_ioctl;
}

NTSTATUS plat_device_create(void)
{
    UNICODE_STRING name;
    RtlInitUnicodeString(&name, BATTKIT_PLATFORM_DEVICE_NAME);
    NTSTATUS status = IoCreateDevice(&plat_driver, 0, &name, FILE_DEVICE_UNKNOWN,
                                     FILE_DEVICE_SECURE_OPEN, FALSE, &plat.device);
    if (NT_SUCCESS(status))
        plat.device->Flags &= ~DO_DEVICE_INITIALIZING;
    return status;
}

void plat_device_delete(void)
{
    if (!plat.device)
        return;
    IoDeleteDevice(plat.device);
    plat.device = NULL;
}

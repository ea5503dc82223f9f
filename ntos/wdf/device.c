/* Framework devices: WDFDEVICE_INIT (filled in EvtDriverDeviceAdd),
 * WdfDeviceCreate (the WDM device object, attached to the stack), device
 * interfaces and the WDM objects behind a WDFDEVICE. The PnP/power
 * callbacks are pnp.c's, the IRP routing dispatch.c's. */
#include "wdf_internal.h"

#include <stdio.h>

#define WDF_INIT_TAG 'iDxF'

wdf_device_t *wdf_device_of(PDEVICE_OBJECT device_object)
{
    if (device_object == NULL || device_object->DeviceExtension == NULL ||
        device_object->DriverObject == NULL ||
        device_object->DriverObject->MajorFunction[IRP_MJ_PNP] != wdf_dispatch)
        return NULL;
    wdf_device_extension_t *x = device_object->DeviceExtension;
    return x->magic == WDF_DEVICE_EXTENSION_MAGIC ? x->device : NULL;
}

/* PASSIVE_LEVEL: the PnP manager's AddDevice. docs: the framework makes a
 * WDFDEVICE_INIT and calls EvtDriverDeviceAdd, which calls WdfDeviceCreate;
 * if the callback fails, the device it made is deleted. */
NTSTATUS wdf_add_device(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject)
{
    wdf_driver_t *d = wdf_driver_of_wdm(DriverObject);
    if (d == NULL || d->config.EvtDriverDeviceAdd == NULL)
        return STATUS_INVALID_DEVICE_REQUEST;
    PWDFDEVICE_INIT init = ex_alloc(NonPagedPool, sizeof(*init), WDF_INIT_TAG, true, d->code);
    if (init == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    init->driver = d;
    init->pdo = PhysicalDeviceObject;
    init->device_type = FILE_DEVICE_UNKNOWN;
    init->io_type = WdfDeviceIoBuffered;
    init->power_pageable = true;
    PWDFDEVICE_INIT taken = init;
    NTSTATUS status = d->config.EvtDriverDeviceAdd((WDFDRIVER)d, taken);
    /* WdfDeviceCreate marks an init it took by clearing its driver. */
    bool created = init->driver == NULL;
    wdf_device_t *device = created ? (wdf_device_t *)init->pdo : NULL;
    ex_free(init, WDF_INIT_TAG, true);
    if (!NT_SUCCESS(status)) {
        if (device != NULL) {
            IoDetachDevice(device->lower);
            PDEVICE_OBJECT fdo = device->fdo;
            wdf_object_delete(&device->object);
            IoDeleteDevice(fdo);
        }
        return status;
    }
    if (device == NULL) {
        bk_log(BK_LOG_ERROR, "wdf: EvtDriverDeviceAdd succeeded without WdfDeviceCreate");
        return STATUS_INVALID_DEVICE_STATE;
    }
    device->fdo->Flags &= ~DO_DEVICE_INITIALIZING;
    return STATUS_SUCCESS;
}

void WdfDeviceInitSetPnpPowerEventCallbacks(PWDFDEVICE_INIT DeviceInit,
                                            PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks)
{
    if (PnpPowerEventCallbacks->Size != sizeof(WDF_PNPPOWER_EVENT_CALLBACKS))
        KeBugCheckEx(0x10D, 0x5, (ULONG_PTR)PnpPowerEventCallbacks, 0, 0);
    DeviceInit->pnp = *PnpPowerEventCallbacks;
}

/* docs: may be called once per major function; minor codes of a second
 * call for the same major are added to the first's. */
NTSTATUS WdfDeviceInitAssignWdmIrpPreprocessCallback(
    PWDFDEVICE_INIT DeviceInit, PFN_WDFDEVICE_WDM_IRP_PREPROCESS EvtDeviceWdmIrpPreprocess,
    UCHAR MajorFunction, PUCHAR MinorFunctions, ULONG NumMinorFunctions)
{
    if (MajorFunction > IRP_MJ_MAXIMUM_FUNCTION || EvtDeviceWdmIrpPreprocess == NULL ||
        (NumMinorFunctions > 0 && MinorFunctions == NULL))
        return STATUS_INVALID_PARAMETER;
    wdf_preprocess_t *p = &DeviceInit->preprocess[MajorFunction];
    if (p->fn != NULL && p->fn != EvtDeviceWdmIrpPreprocess)
        return STATUS_INVALID_DEVICE_REQUEST;
    if (p->fn != NULL && (p->nminors == 0) != (NumMinorFunctions == 0))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (p->nminors + NumMinorFunctions > WDF_MAX_PREPROCESS_MINORS)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (ULONG i = 0; i < NumMinorFunctions; i++)
        p->minors[p->nminors++] = MinorFunctions[i];
    p->fn = EvtDeviceWdmIrpPreprocess;
    return STATUS_SUCCESS;
}

void WdfDeviceInitSetIoType(PWDFDEVICE_INIT DeviceInit, WDF_DEVICE_IO_TYPE IoType)
{
    DeviceInit->io_type = IoType;
}

void WdfDeviceInitSetDeviceType(PWDFDEVICE_INIT DeviceInit, DEVICE_TYPE DeviceType)
{
    DeviceInit->device_type = DeviceType;
}

void WdfDeviceInitSetExclusive(PWDFDEVICE_INIT DeviceInit, BOOLEAN IsExclusive)
{
    DeviceInit->exclusive = IsExclusive;
}

void WdfDeviceInitSetPowerPageable(PWDFDEVICE_INIT DeviceInit)
{
    DeviceInit->power_pageable = true;
}

void WdfDeviceInitSetPowerNotPageable(PWDFDEVICE_INIT DeviceInit)
{
    DeviceInit->power_pageable = false;
}

void WdfDeviceInitSetCharacteristics(PWDFDEVICE_INIT DeviceInit, ULONG DeviceCharacteristics,
                                     BOOLEAN OrInValues)
{
    DeviceInit->characteristics =
        OrInValues ? DeviceInit->characteristics | DeviceCharacteristics : DeviceCharacteristics;
}

NTSTATUS WdfDeviceInitAssignName(PWDFDEVICE_INIT DeviceInit, PCUNICODE_STRING DeviceName)
{
    if (DeviceName == NULL) {
        DeviceInit->have_name = false;
        return STATUS_SUCCESS;
    }
    if (DeviceName->Length > sizeof(DeviceInit->name_buffer))
        return STATUS_INVALID_PARAMETER;
    RtlCopyMemory(DeviceInit->name_buffer, DeviceName->Buffer, DeviceName->Length);
    DeviceInit->name.Buffer = DeviceInit->name_buffer;
    DeviceInit->name.Length = DeviceName->Length;
    DeviceInit->name.MaximumLength = sizeof(DeviceInit->name_buffer);
    DeviceInit->have_name = true;
    return STATUS_SUCCESS;
}

void WdfDeviceInitSetRequestAttributes(PWDFDEVICE_INIT DeviceInit,
                                       PWDF_OBJECT_ATTRIBUTES RequestAttributes)
{
    DeviceInit->request_attributes = *RequestAttributes;
    DeviceInit->have_request_attributes = true;
}

/* An init WdfDeviceCreate did not take belongs to the framework's AddDevice,
 * which frees it when EvtDriverDeviceAdd returns: nothing to do here. */
void WdfDeviceInitFree(PWDFDEVICE_INIT DeviceInit)
{
    (void)DeviceInit;
}

void WdfFdoInitSetFilter(PWDFDEVICE_INIT DeviceInit)
{
    DeviceInit->filter = true;
}

PDEVICE_OBJECT WdfFdoInitWdmGetPhysicalDevice(PWDFDEVICE_INIT DeviceInit)
{
    return DeviceInit->pdo;
}

/* PASSIVE_LEVEL. docs: IoGetDeviceProperty on the PDO. */
NTSTATUS WdfFdoInitQueryProperty(PWDFDEVICE_INIT DeviceInit,
                                 DEVICE_REGISTRY_PROPERTY DeviceProperty, ULONG BufferLength,
                                 PVOID PropertyBuffer, PULONG ResultLength)
{
    return IoGetDeviceProperty(DeviceInit->pdo, DeviceProperty, BufferLength, PropertyBuffer,
                               ResultLength);
}

NTSTATUS WdfDeviceQueryProperty(WDFDEVICE Device, DEVICE_REGISTRY_PROPERTY DeviceProperty,
                                ULONG BufferLength, PVOID PropertyBuffer, PULONG ResultLength)
{
    wdf_device_t *d = (wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE);
    return IoGetDeviceProperty(d->pdo, DeviceProperty, BufferLength, PropertyBuffer, ResultLength);
}

static void device_destroy(wdf_object_t *o)
{
    wdf_device_t *d = (wdf_device_t *)o;
    for (ULONG i = 0; i < d->ninterfaces; i++)
        RtlFreeUnicodeString(&d->interfaces[i].link);
    pthread_mutex_destroy(&d->queue_lock);
}

/* PASSIVE_LEVEL, from EvtDriverDeviceAdd. */
NTSTATUS WdfDeviceCreate(PWDFDEVICE_INIT *DeviceInit, PWDF_OBJECT_ATTRIBUTES DeviceAttributes,
                         WDFDEVICE *Device)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    *Device = NULL;
    PWDFDEVICE_INIT init = DeviceInit ? *DeviceInit : NULL;
    if (init == NULL || init->driver == NULL)
        return STATUS_INVALID_PARAMETER;
    if (DeviceAttributes != NULL && DeviceAttributes->ParentObject != NULL)
        return STATUS_INVALID_PARAMETER; /* docs: the parent is always the driver */
    wdf_driver_t *drv = init->driver;
    wdf_object_t *o;
    NTSTATUS status = wdf_object_create(WDF_KIND_DEVICE, sizeof(wdf_device_t), DeviceAttributes,
                                        &drv->object, drv->tag, drv->code, &o);
    if (!NT_SUCCESS(status))
        return status;
    wdf_device_t *d = (wdf_device_t *)o;
    d->driver = drv;
    d->pdo = init->pdo;
    d->pnp = init->pnp;
    memcpy(d->preprocess, init->preprocess, sizeof(d->preprocess));
    d->filter = init->filter;
    d->have_request_attributes = init->have_request_attributes;
    d->request_attributes = init->request_attributes;
    d->device_power = PowerDeviceD3;
    d->system_power = PowerSystemWorking;
    InitializeListHead(&d->queues);
    pthread_mutex_init(&d->queue_lock, NULL);
    d->object.destroy = device_destroy;

    PDEVICE_OBJECT fdo;
    status = IoCreateDevice(drv->wdm, sizeof(wdf_device_extension_t),
                            init->have_name ? &init->name : NULL, init->device_type,
                            init->characteristics, init->exclusive, &fdo);
    if (!NT_SUCCESS(status))
        goto fail_object;
    /* The device object is the driver's, as if it had called IoCreateDevice:
     * the loader keeps the driver while a handle still holds the device. */
    ex_set_owner(fdo, drv->code);
    wdf_device_extension_t *x = fdo->DeviceExtension;
    x->magic = WDF_DEVICE_EXTENSION_MAGIC;
    x->device = d;
    d->fdo = fdo;
    if (init->io_type == WdfDeviceIoBuffered)
        fdo->Flags |= DO_BUFFERED_IO;
    else if (init->io_type == WdfDeviceIoDirect)
        fdo->Flags |= DO_DIRECT_IO;
    if (init->power_pageable)
        fdo->Flags |= DO_POWER_PAGABLE;
    IoInitializeRemoveLock(&d->remove_lock, drv->tag, 0, 0);
    d->lower = IoAttachDeviceToDeviceStack(fdo, init->pdo);
    if (d->lower == NULL) {
        status = STATUS_NO_SUCH_DEVICE;
        goto fail_device;
    }
    /* Room for the drivers below and for a driver that forwards an IRP
     * it was given with a completion routine of its own. */
    fdo->StackSize = (CCHAR)(d->lower->StackSize + 1);
    status = wdf_object_create(WDF_KIND_CMRESLIST, sizeof(wdf_object_t), NULL, &d->object, drv->tag,
                               drv->code, &o);
    if (!NT_SUCCESS(status))
        goto fail_detach;
    d->resources = (WDFCMRESLIST)o;
    init->driver = NULL; /* taken: wdf_add_device finds the device here */
    init->pdo = (PDEVICE_OBJECT)d;
    *DeviceInit = NULL;
    *Device = (WDFDEVICE)d;
    return STATUS_SUCCESS;

fail_detach:
    IoDetachDevice(d->lower);
fail_device:
    IoDeleteDevice(fdo);
fail_object:
    wdf_object_delete(&d->object);
    return status;
}

ULONG WdfCmResourceListGetCount(WDFCMRESLIST List)
{
    wdf_object_from_handle(List, WDF_KIND_CMRESLIST);
    return 0; /* battkit's buses assign no hardware resources */
}

/* PASSIVE_LEVEL. docs: registered now; the framework enables it when the
 * device starts and disables it when the device stops or is removed. */
NTSTATUS WdfDeviceCreateDeviceInterface(WDFDEVICE Device, const GUID *InterfaceClassGUID,
                                        PCUNICODE_STRING ReferenceString)
{
    wdf_device_t *d = (wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE);
    if (d->ninterfaces == WDF_MAX_INTERFACES)
        return STATUS_INSUFFICIENT_RESOURCES;
    wdf_interface_t *i = &d->interfaces[d->ninterfaces];
    RtlZeroMemory(i, sizeof(*i));
    NTSTATUS status = IoRegisterDeviceInterface(d->pdo, InterfaceClassGUID,
                                                (PUNICODE_STRING)ReferenceString, &i->link);
    if (!NT_SUCCESS(status))
        return status;
    i->guid = *InterfaceClassGUID;
    d->ninterfaces++;
    if (d->state == WDF_DEV_STARTED) {
        IoSetDeviceInterfaceState(&i->link, TRUE);
        i->enabled = true;
    }
    return STATUS_SUCCESS;
}

void wdf_device_set_interfaces(wdf_device_t *d, bool enable)
{
    for (ULONG n = 0; n < d->ninterfaces; n++) {
        wdf_interface_t *i = &d->interfaces[n];
        bool want = enable && !i->disabled_by_driver;
        if (i->enabled != want && NT_SUCCESS(IoSetDeviceInterfaceState(&i->link, want)))
            i->enabled = want;
    }
}

void WdfDeviceSetDeviceInterfaceState(WDFDEVICE Device, const GUID *InterfaceClassGUID,
                                      PCUNICODE_STRING ReferenceString, BOOLEAN IsInterfaceEnabled)
{
    wdf_device_t *d = (wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE);
    (void)ReferenceString; /* one interface per class is what battery drivers register */
    for (ULONG n = 0; n < d->ninterfaces; n++) {
        wdf_interface_t *i = &d->interfaces[n];
        if (!IsEqualGUID(&i->guid, InterfaceClassGUID))
            continue;
        i->disabled_by_driver = !IsInterfaceEnabled;
        if (i->enabled != (bool)IsInterfaceEnabled &&
            NT_SUCCESS(IoSetDeviceInterfaceState(&i->link, IsInterfaceEnabled)))
            i->enabled = IsInterfaceEnabled;
    }
}

PDEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device)
{
    return ((wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE))->fdo;
}

PDEVICE_OBJECT WdfDeviceWdmGetPhysicalDevice(WDFDEVICE Device)
{
    return ((wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE))->pdo;
}

PDEVICE_OBJECT WdfDeviceWdmGetAttachedDevice(WDFDEVICE Device)
{
    return ((wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE))->lower;
}

WDFDRIVER WdfDeviceGetDriver(WDFDEVICE Device)
{
    return (WDFDRIVER)((wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE))->driver;
}

WDFDEVICE WdfWdmDeviceGetWdfDeviceHandle(PDEVICE_OBJECT DeviceObject)
{
    return (WDFDEVICE)wdf_device_of(DeviceObject);
}

WDFQUEUE WdfDeviceGetDefaultQueue(WDFDEVICE Device)
{
    return (WDFQUEUE)((wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE))
        ->default_queue;
}

/* docs: requests of that type go to that queue instead of the default. */
NTSTATUS WdfDeviceConfigureRequestDispatching(WDFDEVICE Device, WDFQUEUE Queue,
                                              WDF_REQUEST_TYPE RequestType)
{
    wdf_device_t *d = (wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE);
    wdf_queue_t *q = (wdf_queue_t *)wdf_object_from_handle(Queue, WDF_KIND_QUEUE);
    if (q->device != d ||
        (RequestType != WdfRequestTypeCreate && RequestType != WdfRequestTypeRead &&
         RequestType != WdfRequestTypeWrite && RequestType != WdfRequestTypeDeviceControl &&
         RequestType != WdfRequestTypeDeviceControlInternal))
        return STATUS_INVALID_PARAMETER;
    if (d->dispatch[RequestType] != NULL)
        return STATUS_INVALID_DEVICE_STATE;
    d->dispatch[RequestType] = q;
    return STATUS_SUCCESS;
}

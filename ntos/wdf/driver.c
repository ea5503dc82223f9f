/* The framework driver object: WdfDriverCreate takes over the WDM driver
 * object's dispatch table, AddDevice and DriverUnload; the accessors find
 * it again. Devices, queues and requests live in their own files.
 *
 * docs (WdfDriverCreate): called from DriverEntry; every IRP major function
 * goes to the framework, AddDevice calls EvtDriverDeviceAdd, DriverUnload
 * calls EvtDriverUnload and then deletes the driver object and every
 * object under it. */
#include "wdf_internal.h"
#include "../ldr/ldr.h"

#include <stdio.h>

static pthread_mutex_t drivers_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY drivers = {&drivers, &drivers};

wdf_driver_t *wdf_driver_of_wdm(PDRIVER_OBJECT wdm)
{
    wdf_driver_t *found = NULL;
    pthread_mutex_lock(&drivers_lock);
    for (LIST_ENTRY *e = drivers.Flink; e != &drivers; e = e->Flink) {
        wdf_driver_t *d = CONTAINING_RECORD(e, wdf_driver_t, link);
        if (d->wdm == wdm)
            found = d;
    }
    pthread_mutex_unlock(&drivers_lock);
    return found;
}

wdf_driver_t *wdf_driver_of_code(const void *code)
{
    const ldr_module_t *m = ldr_owner_of(code);
    return m && m->driver ? wdf_driver_of_wdm(m->driver) : NULL;
}

/* PASSIVE_LEVEL, from the loader. docs: EvtDriverUnload runs first, then
 * the framework deletes the driver object (and its children). */
static void wdf_driver_unload(PDRIVER_OBJECT DriverObject)
{
    wdf_driver_t *d = wdf_driver_of_wdm(DriverObject);
    if (d == NULL)
        return;
    if (d->config.EvtDriverUnload)
        d->config.EvtDriverUnload((WDFDRIVER)d);
    pthread_mutex_lock(&drivers_lock);
    RemoveEntryList(&d->link);
    InitializeListHead(&d->link);
    pthread_mutex_unlock(&drivers_lock);
    wdf_object_delete(&d->object);
}

static void driver_destroy(wdf_object_t *o)
{
    wdf_driver_t *d = (wdf_driver_t *)o;
    if (d->registry_path)
        ex_free(d->registry_path, d->tag, true);
}

/* PASSIVE_LEVEL, from DriverEntry. */
NTSTATUS WdfDriverCreate(PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath,
                         PWDF_OBJECT_ATTRIBUTES DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig,
                         WDFDRIVER *Driver)
{
    const void *caller = __builtin_return_address(0);
    wdf_object_t *o;
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (Driver)
        *Driver = NULL;
    if (DriverObject == NULL || RegistryPath == NULL || DriverConfig == NULL ||
        DriverConfig->Size != sizeof(WDF_DRIVER_CONFIG))
        return STATUS_INVALID_PARAMETER;
    if (DriverAttributes != NULL && DriverAttributes->ParentObject != NULL)
        return STATUS_INVALID_PARAMETER; /* docs: a driver object has no parent */
    if (wdf_driver_of_wdm(DriverObject) != NULL)
        return STATUS_INVALID_DEVICE_STATE; /* docs: once per driver */
    /* docs: a PnP driver must name EvtDriverDeviceAdd. */
    if (!(DriverConfig->DriverInitFlags & WdfDriverInitNonPnpDriver) &&
        DriverConfig->EvtDriverDeviceAdd == NULL)
        return STATUS_INVALID_PARAMETER;
    ULONG tag = DriverConfig->DriverPoolTag ? DriverConfig->DriverPoolTag : WDF_DEFAULT_POOL_TAG;
    NTSTATUS status = wdf_object_create(WDF_KIND_DRIVER, sizeof(wdf_driver_t), DriverAttributes,
                                        NULL, tag, caller, &o);
    if (!NT_SUCCESS(status))
        return status;
    wdf_driver_t *d = (wdf_driver_t *)o;
    d->wdm = DriverObject;
    d->config = *DriverConfig;
    d->tag = tag;
    d->code = caller;
    d->object.destroy = driver_destroy;
    size_t chars = RegistryPath->Length / sizeof(WCHAR);
    d->registry_path = ex_alloc(PagedPool, (chars + 1) * sizeof(WCHAR), tag, true, caller);
    if (d->registry_path == NULL) {
        wdf_object_delete(o);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    RtlCopyMemory(d->registry_path, RegistryPath->Buffer, chars * sizeof(WCHAR));

    if (!(DriverConfig->DriverInitFlags & WdfDriverInitNoDispatchOverride))
        for (int i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
            DriverObject->MajorFunction[i] = wdf_dispatch;
    if (!(DriverConfig->DriverInitFlags & WdfDriverInitNonPnpDriver))
        DriverObject->DriverExtension->AddDevice = wdf_add_device;
    /* docs: the framework's unload routine is always installed; it calls
     * EvtDriverUnload if there is one. */
    DriverObject->DriverUnload = wdf_driver_unload;
    pthread_mutex_lock(&drivers_lock);
    InsertTailList(&drivers, &d->link);
    pthread_mutex_unlock(&drivers_lock);
    if (Driver)
        *Driver = (WDFDRIVER)d;
    return STATUS_SUCCESS;
}

/* Any IRQL. The WDK finds the driver from its own globals; battkit from
 * the module the calling code belongs to (docs/kmdf.md). */
WDFDRIVER WdfGetDriver(void)
{
    return (WDFDRIVER)wdf_driver_of_code(__builtin_return_address(0));
}

PWSTR WdfDriverGetRegistryPath(WDFDRIVER Driver)
{
    return ((wdf_driver_t *)wdf_object_from_handle(Driver, WDF_KIND_DRIVER))->registry_path;
}

PDRIVER_OBJECT WdfDriverWdmGetDriverObject(WDFDRIVER Driver)
{
    return ((wdf_driver_t *)wdf_object_from_handle(Driver, WDF_KIND_DRIVER))->wdm;
}

WDFDRIVER WdfWdmDriverGetWdfDriverHandle(PDRIVER_OBJECT DriverObject)
{
    return (WDFDRIVER)wdf_driver_of_wdm(DriverObject);
}

/* Framework registry key objects over the WDM Zw* routines: the device's
 * hardware and software keys (IoOpenDeviceRegistryKey), the driver's
 * Parameters key, subkeys, and the value helpers. The key is closed when
 * the object is deleted (WdfRegistryClose deletes it). PASSIVE_LEVEL. */
#include "wdf_internal.h"

#define WDF_REG_TAG 'gRxF'

typedef struct wdf_key {
    wdf_object_t object;
    HANDLE handle;
} wdf_key_t;

static void key_cleanup(wdf_object_t *o)
{
    wdf_key_t *k = (wdf_key_t *)o;
    if (k->handle != NULL)
        ZwClose(k->handle);
    k->handle = NULL;
}

/* Wraps an open handle (closed on failure). Default parent: the driver. */
static NTSTATUS key_wrap(HANDLE h, PWDF_OBJECT_ATTRIBUTES attributes, const void *caller,
                         WDFKEY *out)
{
    wdf_object_t *o;
    wdf_driver_t *d = wdf_driver_of_code(caller);
    NTSTATUS status =
        wdf_object_create(WDF_KIND_KEY, sizeof(wdf_key_t), attributes, d ? &d->object : NULL,
                          d ? d->tag : WDF_DEFAULT_POOL_TAG, caller, &o);
    if (!NT_SUCCESS(status)) {
        ZwClose(h);
        return status;
    }
    ((wdf_key_t *)o)->handle = h;
    o->cleanup = key_cleanup;
    *out = (WDFKEY)o;
    return STATUS_SUCCESS;
}

static HANDLE handle_of(WDFKEY key)
{
    return ((wdf_key_t *)wdf_object_from_handle(key, WDF_KIND_KEY))->handle;
}

NTSTATUS WdfDeviceOpenRegistryKey(WDFDEVICE Device, ULONG DeviceInstanceKeyType,
                                  ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                  WDFKEY *Key)
{
    wdf_device_t *d = (wdf_device_t *)wdf_object_from_handle(Device, WDF_KIND_DEVICE);
    HANDLE h;
    *Key = NULL;
    NTSTATUS status = IoOpenDeviceRegistryKey(d->pdo, DeviceInstanceKeyType, DesiredAccess, &h);
    if (!NT_SUCCESS(status))
        return status;
    return key_wrap(h, KeyAttributes, __builtin_return_address(0), Key);
}

NTSTATUS WdfFdoInitOpenRegistryKey(PWDFDEVICE_INIT DeviceInit, ULONG DeviceInstanceKeyType,
                                   ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                   WDFKEY *Key)
{
    HANDLE h;
    *Key = NULL;
    NTSTATUS status =
        IoOpenDeviceRegistryKey(DeviceInit->pdo, DeviceInstanceKeyType, DesiredAccess, &h);
    if (!NT_SUCCESS(status))
        return status;
    return key_wrap(h, KeyAttributes, __builtin_return_address(0), Key);
}

/* docs: the Parameters subkey of the driver's service key, created if it
 * does not exist. */
NTSTATUS WdfDriverOpenParametersRegistryKey(WDFDRIVER Driver, ACCESS_MASK DesiredAccess,
                                            PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
    wdf_driver_t *d = (wdf_driver_t *)wdf_object_from_handle(Driver, WDF_KIND_DRIVER);
    static const WCHAR suffix[] = L"\\Parameters";
    size_t chars = 0;
    *Key = NULL;
    while (d->registry_path[chars])
        chars++;
    size_t bytes = chars * sizeof(WCHAR) + sizeof(suffix);
    if (bytes > 0xFFFF)
        return STATUS_INVALID_PARAMETER;
    WCHAR *path = ex_alloc(PagedPool, bytes, WDF_REG_TAG, false, NULL);
    if (path == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    RtlCopyMemory(path, d->registry_path, chars * sizeof(WCHAR));
    RtlCopyMemory(path + chars, suffix, sizeof(suffix));
    UNICODE_STRING name = {(USHORT)(bytes - sizeof(WCHAR)), (USHORT)bytes, path};
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL, NULL);
    HANDLE h;
    ULONG disposition;
    NTSTATUS status =
        ZwCreateKey(&h, DesiredAccess, &oa, 0, NULL, REG_OPTION_NON_VOLATILE, &disposition);
    ex_free(path, WDF_REG_TAG, true);
    if (!NT_SUCCESS(status))
        return status;
    return key_wrap(h, KeyAttributes, __builtin_return_address(0), Key);
}

NTSTATUS WdfRegistryOpenKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess,
                            PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
    OBJECT_ATTRIBUTES oa;
    HANDLE h;
    *Key = NULL;
    InitializeObjectAttributes(&oa, (PUNICODE_STRING)KeyName,
                               OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE,
                               ParentKey ? handle_of(ParentKey) : NULL, NULL);
    NTSTATUS status = ZwOpenKey(&h, DesiredAccess, &oa);
    if (!NT_SUCCESS(status))
        return status;
    return key_wrap(h, KeyAttributes, __builtin_return_address(0), Key);
}

NTSTATUS WdfRegistryCreateKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName, ACCESS_MASK DesiredAccess,
                              ULONG CreateOptions, PULONG CreateDisposition,
                              PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key)
{
    OBJECT_ATTRIBUTES oa;
    HANDLE h;
    ULONG disposition = 0;
    *Key = NULL;
    InitializeObjectAttributes(&oa, (PUNICODE_STRING)KeyName,
                               OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE,
                               ParentKey ? handle_of(ParentKey) : NULL, NULL);
    NTSTATUS status = ZwCreateKey(&h, DesiredAccess, &oa, 0, NULL, CreateOptions, &disposition);
    if (CreateDisposition)
        *CreateDisposition = disposition;
    if (!NT_SUCCESS(status))
        return status;
    return key_wrap(h, KeyAttributes, __builtin_return_address(0), Key);
}

void WdfRegistryClose(WDFKEY Key)
{
    wdf_object_delete(wdf_object_from_handle(Key, WDF_KIND_KEY));
}

HANDLE WdfRegistryWdmGetHandle(WDFKEY Key)
{
    return handle_of(Key);
}

NTSTATUS WdfRegistryQueryValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueLength,
                               PVOID Value, PULONG ValueLengthQueried, PULONG ValueType)
{
    HANDLE h = handle_of(Key);
    ULONG need = 0;
    /* The size first, then the data into a block big enough for it. */
    NTSTATUS status =
        ZwQueryValueKey(h, (PUNICODE_STRING)ValueName, KeyValuePartialInformation, NULL, 0, &need);
    if (status != STATUS_BUFFER_TOO_SMALL && status != STATUS_BUFFER_OVERFLOW &&
        !NT_SUCCESS(status))
        return status;
    if (need < sizeof(KEY_VALUE_PARTIAL_INFORMATION))
        need = sizeof(KEY_VALUE_PARTIAL_INFORMATION);
    PKEY_VALUE_PARTIAL_INFORMATION info = ex_alloc(PagedPool, need, WDF_REG_TAG, false, NULL);
    if (info == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = ZwQueryValueKey(h, (PUNICODE_STRING)ValueName, KeyValuePartialInformation, info, need,
                             &need);
    if (NT_SUCCESS(status)) {
        if (ValueLengthQueried)
            *ValueLengthQueried = info->DataLength;
        if (ValueType)
            *ValueType = info->Type;
        if (ValueLength < info->DataLength)
            status = STATUS_BUFFER_OVERFLOW; /* docs: with the length needed */
        else if (Value != NULL)
            RtlCopyMemory(Value, info->Data, info->DataLength);
    }
    ex_free(info, WDF_REG_TAG, true);
    return status;
}

NTSTATUS WdfRegistryQueryULong(WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value)
{
    ULONG data = 0, length = 0, type = 0;
    NTSTATUS status = WdfRegistryQueryValue(Key, ValueName, sizeof(data), &data, &length, &type);
    if (status == STATUS_BUFFER_OVERFLOW || (NT_SUCCESS(status) && type != REG_DWORD))
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (NT_SUCCESS(status) && length != sizeof(data))
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (NT_SUCCESS(status))
        *Value = data;
    return status;
}

NTSTATUS WdfRegistryAssignValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType,
                                ULONG ValueLength, PVOID Value)
{
    return ZwSetValueKey(handle_of(Key), (PUNICODE_STRING)ValueName, 0, ValueType, Value,
                         ValueLength);
}

NTSTATUS WdfRegistryAssignULong(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG Value)
{
    return WdfRegistryAssignValue(Key, ValueName, REG_DWORD, sizeof(Value), &Value);
}

NTSTATUS WdfRegistryRemoveValue(WDFKEY Key, PCUNICODE_STRING ValueName)
{
    return ZwDeleteValueKey(handle_of(Key), (PUNICODE_STRING)ValueName);
}

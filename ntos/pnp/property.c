/* What a driver may ask the PnP manager about its device: IoGetDeviceProperty
 * (answered from the devnode) and IoOpenDeviceRegistryKey (the hardware and
 * software keys under Enum\<instance path>, created on demand). */
#include "pnp_internal.h"
#include "../registry/registry.h"

#include <stdio.h>

#define ENUM_KEY "\\Registry\\Machine\\System\\CurrentControlSet\\Enum"
/* docs: devices with no class from their INF belong to the System class. */
#define SYSTEM_CLASS_GUID "{4d36e97d-e325-11ce-bfc1-08002be10318}"

static LONG next_driver_index;

/* Fills `out` with the property as UTF-8 (or a MULTI_SZ); false when the
 * device has no such property. */
static bool property_text(pnp_devnode_t *dn, DEVICE_REGISTRY_PROPERTY p, char *out, size_t len,
                          bool *multi)
{
    *multi = false;
    switch (p) {
    case DevicePropertyDeviceDescription:
        pnp_copy(out, len, dn->description);
        return dn->description[0] != 0;
    case DevicePropertyHardwareID:
        *multi = true;
        memcpy(out, dn->hardware_ids, pnp_multi_len(dn->hardware_ids));
        return dn->hardware_ids[0] != 0;
    case DevicePropertyCompatibleIDs:
        *multi = true;
        memcpy(out, dn->compatible_ids, pnp_multi_len(dn->compatible_ids));
        return dn->compatible_ids[0] != 0;
    case DevicePropertyClassGuid:
        pnp_copy(out, len, dn->class_guid);
        return dn->class_guid[0] != 0;
    case DevicePropertyDriverKeyName:
        /* docs: "{class GUID}\NNNN", the device's software key name. */
        if (!dn->driver)
            return false;
        if (!dn->driver_index)
            dn->driver_index = (ULONG)__atomic_add_fetch(&next_driver_index, 1, __ATOMIC_SEQ_CST);
        snprintf(out, len, "%s\\%04u", dn->class_guid[0] ? dn->class_guid : SYSTEM_CLASS_GUID,
                 (unsigned)(dn->driver_index - 1));
        return true;
    case DevicePropertyPhysicalDeviceObjectName:
        pnp_copy(out, len, dn->pdo_name);
        return dn->pdo_name[0] != 0;
    case DevicePropertyEnumeratorName: {
        /* The bus part of the instance path: "ROOT", "ACPI", ... */
        pnp_copy(out, len, dn->instance_path);
        char *sep = strchr(out, '\\');
        if (sep)
            *sep = 0;
        return out[0] != 0;
    }
    case DevicePropertyLocationInformation:
        pnp_copy(out, len, dn->location);
        return dn->location[0] != 0;
    default:
        return false;
    }
}

static bool property_known(DEVICE_REGISTRY_PROPERTY p)
{
    switch (p) {
    case DevicePropertyDeviceDescription:
    case DevicePropertyHardwareID:
    case DevicePropertyCompatibleIDs:
    case DevicePropertyBootConfiguration:
    case DevicePropertyClassName:
    case DevicePropertyClassGuid:
    case DevicePropertyDriverKeyName:
    case DevicePropertyManufacturer:
    case DevicePropertyFriendlyName:
    case DevicePropertyLocationInformation:
    case DevicePropertyPhysicalDeviceObjectName:
    case DevicePropertyEnumeratorName:
    case DevicePropertyInstallState:
        return true;
    default:
        return false;
    }
}

/* PASSIVE_LEVEL. docs: strings come back NUL-terminated (MULTI_SZ for the
 * ID lists); a short buffer gets STATUS_BUFFER_TOO_SMALL and ResultLength
 * says how many bytes are needed. */
NTSTATUS NTAPI IoGetDeviceProperty(PDEVICE_OBJECT DeviceObject,
                                   DEVICE_REGISTRY_PROPERTY DeviceProperty, ULONG BufferLength,
                                   PVOID PropertyBuffer, PULONG ResultLength)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    char text[PNP_MAX_MULTI];
    bool multi;
    ULONG bytes;
    if (ResultLength)
        *ResultLength = 0;
    if (!ResultLength || (BufferLength && !PropertyBuffer))
        return STATUS_INVALID_PARAMETER;
    if (!property_known(DeviceProperty))
        return STATUS_INVALID_PARAMETER_2;
    pnp_devnode_t *dn = pnp_devnode_get(DeviceObject);
    if (!dn) {
        bk_log(BK_LOG_ERROR, "IoGetDeviceProperty: %p is not a PDO", (void *)DeviceObject);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    bool found = property_text(dn, DeviceProperty, text, sizeof text, &multi);
    pnp_devnode_release(dn);
    if (!found)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    WCHAR *w = pnp_pool_wide(text, multi, PNP_POOL_TAG, NULL, &bytes);
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    *ResultLength = bytes;
    NTSTATUS status = STATUS_BUFFER_TOO_SMALL;
    if (BufferLength >= bytes) {
        memcpy(PropertyBuffer, w, bytes);
        status = STATUS_SUCCESS;
    }
    ExFreePool(w);
    return status;
}

/* PASSIVE_LEVEL. The hardware key is Enum\<instance>\Device Parameters,
 * the software key Enum\<instance>\Driver; both made on first use. */
NTSTATUS NTAPI IoOpenDeviceRegistryKey(PDEVICE_OBJECT DeviceObject, ULONG DevInstKeyType,
                                       ACCESS_MASK DesiredAccess, PHANDLE DevInstRegKey)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    UNREFERENCED_PARAMETER(DesiredAccess);
    char path[PNP_MAX_ID + sizeof ENUM_KEY + 32];
    const char *leaf;
    reg_key_t *key;
    if (!DevInstRegKey)
        return STATUS_INVALID_PARAMETER;
    *DevInstRegKey = NULL;
    switch (DevInstKeyType & ~(ULONG)PLUGPLAY_REGKEY_CURRENT_HWPROFILE) {
    case PLUGPLAY_REGKEY_DEVICE:
        leaf = "Device Parameters";
        break;
    case PLUGPLAY_REGKEY_DRIVER:
        leaf = "Driver";
        break;
    default:
        return STATUS_INVALID_PARAMETER;
    }
    pnp_devnode_t *dn = pnp_devnode_get(DeviceObject);
    if (!dn) {
        bk_log(BK_LOG_ERROR, "IoOpenDeviceRegistryKey: %p is not a PDO", (void *)DeviceObject);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    snprintf(path, sizeof path, "%s\\%s\\%s", ENUM_KEY, dn->instance_path, leaf);
    pnp_devnode_release(dn);
    NTSTATUS status = reg_open(path, true, &key);
    if (!NT_SUCCESS(status))
        return status;
    /* The handle carries the access asked for: a KEY_READ handle cannot write. */
    HANDLE h = reg_handle_from_key_access(key, DesiredAccess);
    if (!h)
        return STATUS_INSUFFICIENT_RESOURCES;
    *DevInstRegKey = h;
    return STATUS_SUCCESS;
}

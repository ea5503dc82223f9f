/* wdffdo.h: function-driver-only parts of device initialisation. */
#ifndef BATTKIT_WDFFDO_H
#define BATTKIT_WDFFDO_H

#include <wdfdevice.h>

WDF_EXTERN_C_START

/* IoGetDeviceProperty on the PDO, before the device object exists.
 * STATUS_BUFFER_TOO_SMALL with *ResultLength set when BufferLength is short. */
WDFAPI NTSTATUS WdfFdoInitQueryProperty(PWDFDEVICE_INIT DeviceInit,
                                        DEVICE_REGISTRY_PROPERTY DeviceProperty, ULONG BufferLength,
                                        PVOID PropertyBuffer, PULONG ResultLength);
WDFAPI PDEVICE_OBJECT WdfFdoInitWdmGetPhysicalDevice(PWDFDEVICE_INIT DeviceInit);
WDFAPI NTSTATUS WdfFdoInitOpenRegistryKey(PWDFDEVICE_INIT DeviceInit, ULONG DeviceInstanceKeyType,
                                          ACCESS_MASK DesiredAccess,
                                          PWDF_OBJECT_ATTRIBUTES KeyAttributes, WDFKEY *Key);
/* A filter passes requests it has no queue for down the stack. */
WDFAPI void WdfFdoInitSetFilter(PWDFDEVICE_INIT DeviceInit);

WDF_EXTERN_C_END
#endif

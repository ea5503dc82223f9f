/* wdfregistry.h: framework registry key objects over the WDM Zw* routines. */
#ifndef BATTKIT_WDFREGISTRY_H
#define BATTKIT_WDFREGISTRY_H

#include <wdfobject.h>

WDF_EXTERN_C_START

WDFAPI NTSTATUS WdfRegistryOpenKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName,
                                   ACCESS_MASK DesiredAccess, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                   WDFKEY *Key);
WDFAPI NTSTATUS WdfRegistryCreateKey(WDFKEY ParentKey, PCUNICODE_STRING KeyName,
                                     ACCESS_MASK DesiredAccess, ULONG CreateOptions,
                                     PULONG CreateDisposition, PWDF_OBJECT_ATTRIBUTES KeyAttributes,
                                     WDFKEY *Key);
WDFAPI void WdfRegistryClose(WDFKEY Key);
WDFAPI HANDLE WdfRegistryWdmGetHandle(WDFKEY Key);
/* STATUS_OBJECT_NAME_NOT_FOUND when absent; a value of another type than
 * REG_DWORD is STATUS_OBJECT_TYPE_MISMATCH. */
WDFAPI NTSTATUS WdfRegistryQueryULong(WDFKEY Key, PCUNICODE_STRING ValueName, PULONG Value);
WDFAPI NTSTATUS WdfRegistryAssignULong(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG Value);
/* STATUS_BUFFER_OVERFLOW with *ValueLength set when ValueLength is short. */
WDFAPI NTSTATUS WdfRegistryQueryValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueLength,
                                      PVOID Value, PULONG ValueLengthQueried, PULONG ValueType);
WDFAPI NTSTATUS WdfRegistryAssignValue(WDFKEY Key, PCUNICODE_STRING ValueName, ULONG ValueType,
                                       ULONG ValueLength, PVOID Value);
WDFAPI NTSTATUS WdfRegistryRemoveValue(WDFKEY Key, PCUNICODE_STRING ValueName);

WDF_EXTERN_C_END
#endif

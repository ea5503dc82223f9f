/* A plain WDM battery miniclass written only from the WDK documentation,
 * compiled (never linked or run) to prove battkit's headers are enough for
 * one. This header is its private device extension and routine list. */
#ifndef ABIDRV_H
#define ABIDRV_H

#include <ntddk.h>
#include <batclass.h>
#include <wmistr.h>
#include <wmilib.h>
#include <acpiioct.h>

#define ABIDRV_POOL_TAG 'vdbA'

typedef struct _ABIDRV_EXTENSION {
    PDEVICE_OBJECT Fdo;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT LowerDevice;
    PVOID ClassHandle; /* from BatteryClassInitializeDevice */
    WMILIB_CONTEXT WmiLibContext;
    FAST_MUTEX Lock;  /* guards the fields below */
    ULONG BatteryTag; /* docs: changes on every insertion; 0 = none */
    BATTERY_NOTIFY Notify;
    BOOLEAN NotifyArmed;
} ABIDRV_EXTENSION, *PABIDRV_EXTENSION;

DRIVER_INITIALIZE DriverEntry;

/* driver.c: DriverEntry's RegistryPath, kept for DpWmiQueryReginfo. */
extern UNICODE_STRING AbiDrvRegistryPath;

/* miniclass.c: the BatteryMini* routines, typed with the WDK's types. */
BCLASS_QUERY_TAG_CALLBACK AbiDrvQueryTag;
BCLASS_QUERY_INFORMATION_CALLBACK AbiDrvQueryInformation;
BCLASS_QUERY_STATUS_CALLBACK AbiDrvQueryStatus;
BCLASS_SET_STATUS_NOTIFY_CALLBACK AbiDrvSetStatusNotify;
BCLASS_SET_INFORMATION_CALLBACK AbiDrvSetInformation;
BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK AbiDrvDisableStatusNotify;

/* wmi.c */
WMI_QUERY_REGINFO_CALLBACK AbiDrvQueryWmiRegInfo;
WMI_QUERY_DATABLOCK_CALLBACK AbiDrvQueryWmiDataBlock;

/* acpi.c: evaluate a method of the device (e.g. "_BST") through the PDO
 * stack; Output receives OutputLength bytes. */
NTSTATUS AbiDrvEvalMethod(PABIDRV_EXTENSION Ext, ULONG MethodName, PACPI_EVAL_OUTPUT_BUFFER Output,
                          ULONG OutputLength);
NTSTATUS AbiDrvEvalMethodWithInteger(PABIDRV_EXTENSION Ext, ULONG MethodName, ULONG Argument);
NTSTATUS AbiDrvReadBst(PABIDRV_EXTENSION Ext, PBATTERY_STATUS Status);

#endif

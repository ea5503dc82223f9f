/* badmini: the conformance suite's own battery miniclass. A plain WDM
 * miniclass on battc with a simple pack model that can be told to misbehave
 * (badmini_ioctl.h). This header is its device extension and routine list. */
#ifndef BADMINI_H
#define BADMINI_H

#include <ntddk.h>
#include <batclass.h>
#include <wmistr.h>
#include <wmilib.h>

#include "badmini_ioctl.h"

#define BADMINI_POOL_TAG 'niMB'
#define BADMINI_LEAK_TAG 'kaeL' /* the block BADMINI_MB_LEAK leaves behind */

/* The pack (mWh, mW, mV, tenths of kelvin). */
#define BADMINI_DESIGNED_MWH 55000
#define BADMINI_FULL_MWH     50000
#define BADMINI_START_MWH    30000
#define BADMINI_CHARGE_MW    15000
#define BADMINI_DRAIN_MW     10000
#define BADMINI_VOLTAGE_MV   11800
#define BADMINI_TEMP_DK      2982 /* 25.0 degC */

typedef struct _BADMINI_EXTENSION {
    PDEVICE_OBJECT Fdo;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT LowerDevice;
    PVOID ClassHandle; /* from BatteryClassInitializeDevice; NULL once unloaded */
    WMILIB_CONTEXT WmiLibContext;
    PVOID Leaked;              /* BADMINI_MB_LEAK: allocated at AddDevice, never freed */
    IO_REMOVE_LOCK RemoveLock; /* held across each dispatch; REMOVE waits for it */

    KSPIN_LOCK Lock;    /* guards everything below */
    ULONG Misbehaviour; /* BADMINI_MB_* */
    BOOLEAN Present;
    BOOLEAN AcOnline;
    ULONG Tag;     /* docs: a new value on every insertion, never 0 while present */
    ULONG NextTag; /* the tag the next insertion gets */
    BATTERY_STATUS Status;
    BATTERY_NOTIFY Notify; /* last SetStatusNotify; valid while NotifyArmed */
    BOOLEAN NotifyArmed;
} BADMINI_EXTENSION, *PBADMINI_EXTENSION;

DRIVER_INITIALIZE DriverEntry;
extern UNICODE_STRING BadMiniRegistryPath;

/* miniclass.c: the BatteryMini* routines. */
BCLASS_QUERY_TAG_CALLBACK BadMiniQueryTag;
BCLASS_QUERY_INFORMATION_CALLBACK BadMiniQueryInformation;
BCLASS_QUERY_STATUS_CALLBACK BadMiniQueryStatus;
BCLASS_SET_STATUS_NOTIFY_CALLBACK BadMiniSetStatusNotify;
BCLASS_SET_INFORMATION_CALLBACK BadMiniSetInformation;
BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK BadMiniDisableStatusNotify;

/* control.c: the pack model and the private IOCTLs. */
void BadMiniInitPack(PBADMINI_EXTENSION Ext, ULONG Misbehaviour);
/* PASSIVE_LEVEL. TRUE when the IOCTL was one of badmini's (then the IRP
 * is completed and *Status is what the dispatch routine returns). */
BOOLEAN BadMiniControl(PBADMINI_EXTENSION Ext, PIRP Irp, NTSTATUS *Status);
/* Parses "BADMINI\Name+Name" (UTF-16 hardware ID) into BADMINI_MB_* bits. */
ULONG BadMiniMisbehaviourFromHardwareId(PCWSTR HardwareId, ULONG Chars);

/* wmi.c */
WMI_QUERY_REGINFO_CALLBACK BadMiniQueryWmiRegInfo;
WMI_QUERY_DATABLOCK_CALLBACK BadMiniQueryWmiDataBlock;

#endif

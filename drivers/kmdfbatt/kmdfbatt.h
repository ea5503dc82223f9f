/* kmdfbatt: battkit's KMDF battery miniclass, laid out as the WDK's KMDF
 * battery sample is (a framework device with a typed context, battery
 * class IOCTLs and WMI handed to battc from WDM IRP preprocess callbacks,
 * the driver's private IOCTLs on the default queue, a wait lock around the
 * battery, the state kept in the device's hardware key). Written against
 * include/wdf.h and include/batclass.h only. */
#ifndef KMDFBATT_H
#define KMDFBATT_H

#include <ntddk.h>
#include <wdf.h>
#include <batclass.h>
#include <wmistr.h>
#include <wmilib.h>
#include <battkit/simbatt.h>

/* Pool tag: reads "KBat" in a pool dump. */
#define KMDFBATT_POOL_TAG 'taBK'

/* The battery as kept in the hardware key ("KmdfBattState", REG_BINARY). */
#define KMDFBATT_STATE_VERSION 1
typedef struct _KMDFBATT_STATE {
    ULONG Version; /* KMDFBATT_STATE_VERSION */
    ULONG Size;    /* sizeof(KMDFBATT_STATE) */
    BOOLEAN Present;
    UCHAR Reserved[3];
    ULONG LastTag; /* the last tag issued; never 0 once issued */
    BATTERY_STATUS Status;
    BATTERY_INFORMATION Information;
    ULONG Temperature; /* tenths of kelvin */
} KMDFBATT_STATE, *PKMDFBATT_STATE;

typedef struct _KMDFBATT_CONTEXT {
    WDFDEVICE Device;
    /* Guards ClassHandle: battc's, from PrepareHardware to
     * SelfManagedIoCleanup (as the sample guards its class handle). */
    WDFWAITLOCK ClassLock;
    PVOID ClassHandle;
    /* Guards everything below; never held across BatteryClassStatusNotify. */
    WDFWAITLOCK StateLock;
    KMDFBATT_STATE State;
    ULONG Tag; /* BATTERY_TAG_INVALID while no battery */
    BOOLEAN NotifyArmed;
    BATTERY_NOTIFY Notify;
    ULONG NotifyCount;
    WCHAR Serial[16];
    WMILIB_CONTEXT WmiLib;
    UNICODE_STRING RegistryPath; /* the driver's, for WMI registration */
} KMDFBATT_CONTEXT, *PKMDFBATT_CONTEXT;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(KMDFBATT_CONTEXT, KmdfBattGetContext)

/* state.c: PASSIVE_LEVEL; "Locked" routines need StateLock held. */
void KmdfBattDefaults(PKMDFBATT_CONTEXT Ctx);
void KmdfBattLoadState(PKMDFBATT_CONTEXT Ctx); /* hardware key -> State */
void KmdfBattSaveState(PKMDFBATT_CONTEXT Ctx); /* Locked */
void KmdfBattNewTagLocked(PKMDFBATT_CONTEXT Ctx);
NTSTATUS KmdfBattCheckTagLocked(PKMDFBATT_CONTEXT Ctx, ULONG BatteryTag);
void KmdfBattLock(PKMDFBATT_CONTEXT Ctx);
void KmdfBattUnlock(PKMDFBATT_CONTEXT Ctx);
/* Not locked: tells battc (under ClassLock) that something changed. */
void KmdfBattNotify(PKMDFBATT_CONTEXT Ctx);

/* miniclass.c */
BCLASS_QUERY_TAG_CALLBACK KmdfBattQueryTag;
BCLASS_QUERY_INFORMATION_CALLBACK KmdfBattQueryInformation;
BCLASS_QUERY_STATUS_CALLBACK KmdfBattQueryStatus;
BCLASS_SET_STATUS_NOTIFY_CALLBACK KmdfBattSetStatusNotify;
BCLASS_SET_INFORMATION_CALLBACK KmdfBattSetInformation;
BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK KmdfBattDisableStatusNotify;

/* control.c: the default queue's EvtIoDeviceControl. */
EVT_WDF_IO_QUEUE_IO_DEVICE_CONTROL KmdfBattIoDeviceControl;

/* wmi.c */
void KmdfBattInitWmi(PKMDFBATT_CONTEXT Ctx);
EVT_WDFDEVICE_WDM_IRP_PREPROCESS KmdfBattWdmIrpPreprocessSystemControl;

#endif

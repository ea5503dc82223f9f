/* simbatt's device extension and the routines its files share. Nothing here
 * is visible outside the driver; the control interface a tool sees is
 * include/battkit/simbatt.h. Written only against the WDK headers. */
#ifndef SIMBATT_PRIVATE_H
#define SIMBATT_PRIVATE_H

#include <ntddk.h>
#include <batclass.h>
#include <wmistr.h>
#include <wmilib.h>
#include <battkit/platform.h>
#include <battkit/simbatt.h>

/* Pool tag: reads "SmBt" in a pool dump. */
#define SIMBATT_POOL_TAG 'tBmS'

#define SIMBATT_NO_INDEX 0xFFFFFFFFu

/* What the class driver sees of the battery at one moment: the answer of
 * BatteryMiniQueryTag and, when that succeeds, of BatteryMiniQueryStatus.
 * Two views that differ are a reason to notify. */
typedef struct _SIMBATT_VIEW {
    NTSTATUS TagStatus;
    ULONG Tag;
    BATTERY_STATUS Status;
} SIMBATT_VIEW, *PSIMBATT_VIEW;

/* The emulated platform's battery this device follows (model.c). */
typedef struct _SIMBATT_MODEL {
    BOOLEAN Attached;
    BOOLEAN CommunicationLost; /* the last read failed: the next good one is a new battery */
    PFILE_OBJECT File;         /* from IoGetDeviceObjectPointer; holds the platform device */
    BATTKIT_PLATFORM_INTERFACE Interface;
    ULONG BatteryIndex;
    ULONG AcIndex; /* SIMBATT_NO_INDEX: the machine has no AC adapter */
    NTSTATUS ReadStatus;
    /* The last reading as battery data (Status, Information, strings...);
     * its Present/Tag fields are unused: the extension's Battery owns those. */
    SIMBATT_BATTERY Data;
    ULONG TripPoint;      /* mWh given to SetTripPoint; 0: none */
    ULONG PlatformFaults; /* BATTKIT_FAULT_* of the last reading */
} SIMBATT_MODEL, *PSIMBATT_MODEL;

typedef struct _SIMBATT_EXTENSION {
    PDEVICE_OBJECT Fdo;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT LowerDevice;
    PVOID ClassHandle; /* battc's; NULL once BatteryClassUnload ran */
    IO_REMOVE_LOCK RemoveLock;
    UNICODE_STRING ControlLink; /* GUID_DEVINTERFACE_BATTKIT_SIMBATT on the PDO */
    WMILIB_CONTEXT WmiLib;
    BOOLEAN WmiRegistered;
    BOOLEAN Started;
    BOOLEAN SurpriseRemoved;
    BOOLEAN StateLoaded;

    /* Serializes model attach and detach; taken before Lock, never under it,
     * because detaching waits for the platform's event callback, which
     * takes Lock. */
    KMUTEX ModelMutex;

    /* Everything below. A KMUTEX, not a FAST_MUTEX: the registry and the
     * platform are called under it, and both want PASSIVE_LEVEL. Never held
     * while calling BatteryClassStatusNotify. */
    KMUTEX Lock;
    SIMBATT_BATTERY Battery;
    ULONG Faults;
    BATTERY_STATUS StuckStatus; /* reported while SIMBATT_FAULT_STUCK is in force */
    ULONG ChargeControl;        /* SIMBATT_CHARGE_* */
    BOOLEAN NotifyArmed;
    BOOLEAN PersistEnabled; /* as last read from PersistState */
    BOOLEAN HaveLastView;
    BATTERY_NOTIFY Notify;
    SIMBATT_VIEW LastView; /* the view at the last evaluation */
    ULONG NotifyCount;
    SIMBATT_MODEL Model;
} SIMBATT_EXTENSION, *PSIMBATT_EXTENSION;

/* driver.c: the driver's registry path (WMI registration). */
extern UNICODE_STRING SimBattRegistryPath;

/* state.c: the battery data and what is reported from it. All routines
 * below run at PASSIVE_LEVEL; "locked" ones need Ext->Lock held. */
void SimBattLock(PSIMBATT_EXTENSION Ext);
void SimBattUnlock(PSIMBATT_EXTENSION Ext);
void SimBattInitState(PSIMBATT_EXTENSION Ext); /* defaults, at AddDevice */
/* The data reported now: the model's while attached, else the stored one. */
const SIMBATT_BATTERY *SimBattData(PSIMBATT_EXTENSION Ext);
/* docs: manufacturer + device name + date + serial, from Battery's fields. */
void SimBattComposeUniqueId(PSIMBATT_BATTERY Battery);
/* locked: the model's data becomes the stored battery, coerced valid. */
void SimBattAdoptData(PSIMBATT_EXTENSION Ext, const SIMBATT_BATTERY *Data);
void SimBattNewTag(PSIMBATT_EXTENSION Ext);                      /* locked */
void SimBattSetPresent(PSIMBATT_EXTENSION Ext, BOOLEAN Present); /* locked */
void SimBattQueryTagLocked(PSIMBATT_EXTENSION Ext, PNTSTATUS Status, PULONG Tag);
NTSTATUS SimBattCheckTag(PSIMBATT_EXTENSION Ext, ULONG BatteryTag);        /* locked */
void SimBattComposeStatus(PSIMBATT_EXTENSION Ext, PBATTERY_STATUS Status); /* locked */
void SimBattComposeUnstuckStatus(PSIMBATT_EXTENSION Ext, PBATTERY_STATUS Status);
void SimBattComposeInformation(PSIMBATT_EXTENSION Ext, PBATTERY_INFORMATION Information);
ULONG SimBattEstimatedTime(PSIMBATT_EXTENSION Ext, LONG AtRate); /* locked */
/* locked. Compares the view now with the last one and decides whether the
 * class driver must hear of it (docs: online/offline, critical, charge or
 * discharge start/stop, leaving the SetStatusNotify window, a new tag). */
BOOLEAN SimBattEvaluateLocked(PSIMBATT_EXTENSION Ext);
/* Not locked: BatteryClassStatusNotify when Due. */
void SimBattNotifyIfDue(PSIMBATT_EXTENSION Ext, BOOLEAN Due);
/* locked, after a change: saves it (Persist) and evaluates. Returns
 * whether a notification is due (SimBattNotifyIfDue once unlocked). */
BOOLEAN SimBattChangedLocked(PSIMBATT_EXTENSION Ext, BOOLEAN Persist);

/* Validation shared by the control IOCTLs and the loader (STATUS_SUCCESS
 * or STATUS_INVALID_PARAMETER). */
NTSTATUS SimBattValidateStatus(const BATTERY_STATUS *Status, ULONG FullChargedCapacity);
NTSTATUS SimBattValidateInformation(const BATTERY_INFORMATION *Information);
NTSTATUS SimBattValidateGranularity(ULONG Count, const BATTERY_REPORTING_SCALE *Scale);
NTSTATUS SimBattValidateDate(const BATTERY_MANUFACTURE_DATE *Date);
NTSTATUS SimBattValidateTemperature(ULONG Temperature);
NTSTATUS SimBattValidateString(const WCHAR *String, ULONG MaxChars);
/* BatteryDeviceName.. -> SIMBATT_STRING_*, or SIMBATT_NO_INDEX. */
ULONG SimBattStringIndex(ULONG Level);

/* persist.c: SavedState in the device's hardware key. */
void SimBattLoadState(PSIMBATT_EXTENSION Ext); /* at START, locked */
void SimBattSaveState(PSIMBATT_EXTENSION Ext); /* locked; no-op unless PersistState is 1 */

/* miniclass.c */
BCLASS_QUERY_TAG_CALLBACK SimBattQueryTag;
BCLASS_QUERY_INFORMATION_CALLBACK SimBattQueryInformation;
BCLASS_QUERY_STATUS_CALLBACK SimBattQueryStatus;
BCLASS_SET_STATUS_NOTIFY_CALLBACK SimBattSetStatusNotify;
BCLASS_SET_INFORMATION_CALLBACK SimBattSetInformation;
BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK SimBattDisableStatusNotify;

/* control.c: TRUE when the IRP was one of the private IOCTLs; *Status is
 * then its final status and the caller completes it. */
BOOLEAN SimBattControl(PSIMBATT_EXTENSION Ext, PIRP Irp, PNTSTATUS Status);

/* wmi.c */
WMI_QUERY_REGINFO_CALLBACK SimBattQueryWmiRegInfo;
WMI_QUERY_DATABLOCK_CALLBACK SimBattQueryWmiDataBlock;
void SimBattInitWmi(PSIMBATT_EXTENSION Ext);
NTSTATUS SimBattSystemControl(PSIMBATT_EXTENSION Ext, PIRP Irp);

/* model.c */
/* Not locked. OnlySimbattBus: only a battery the machine puts on simbatt. */
NTSTATUS SimBattModelAttach(PSIMBATT_EXTENSION Ext, const CHAR *Name, BOOLEAN OnlySimbattBus);
/* Not locked, at START: follows the platform battery named like the
 * device's instance ID, if the machine puts one on simbatt. */
void SimBattModelAutoAttach(PSIMBATT_EXTENSION Ext);
/* Not locked. Forget: the user detached it (the battery keeps the model's
 * last values and forgets the name); else a device teardown that keeps the
 * name for the next start. */
NTSTATUS SimBattModelDetach(PSIMBATT_EXTENSION Ext, BOOLEAN Forget);
/* locked: brings Model.Data and the tag up to the platform's reading. */
void SimBattModelRefreshLocked(PSIMBATT_EXTENSION Ext);
/* locked: arms the platform trip point for the class driver's window. */
void SimBattModelArmTripLocked(PSIMBATT_EXTENSION Ext);

#endif /* SIMBATT_PRIVATE_H */

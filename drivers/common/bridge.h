/* The parts nutbatt and psbatt share, compiled into each (each stays its own
 * module): the battery FDO every battery miniclass puts on its PDO (AddDevice,
 * PnP, power, IOCTL and create/close dispatch), its battc and WMI
 * registration and SystemControl, the docs' rule for when a status change is
 * worth BatteryClassStatusNotify, and registry values from the device key.
 * What differs between the drivers is data: one BRIDGE_DRIVER each, which
 * names the extension that holds the BRIDGE_BATTERY and the driver's own
 * steps at add, start, stop and removal.
 *
 * Every name here is hidden. The host loads each driver RTLD_LOCAL, so each
 * module binds its own copy anyway; hidden keeps these names out of the
 * modules' dynamic symbol tables, so no loader that makes a module's
 * symbols global can bind one bridge's calls to the other's copy (and its
 * driver table). */
#ifndef BRIDGE_H
#define BRIDGE_H

#include <ntddk.h>
#include <batclass.h>
#include <wmistr.h>
#include <wmilib.h>

#pragma GCC visibility push(hidden)

/* The battery FDO's common part, inside the driver's device extension. */
typedef struct _BRIDGE_BATTERY {
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT Lower;
    IO_REMOVE_LOCK RemoveLock; /* every dispatch holds it; REMOVE drains it */
    PVOID ClassHandle;         /* battc's, from BridgeClassInitialize */
    WMILIB_CONTEXT WmiLib;
    BOOLEAN WmiRegistered;
    /* battc's SetStatusNotify window, under the driver's own lock. */
    BOOLEAN NotifyArmed;
    BATTERY_NOTIFY Notify;
} BRIDGE_BATTERY, *PBRIDGE_BATTERY;

/* What one driver is. Every step may be NULL (nothing to do). */
typedef struct _BRIDGE_DRIVER {
    ULONG PoolTag;
    SIZE_T ExtensionSize; /* the battery FDO's device extension */
    SIZE_T BatteryOffset; /* FIELD_OFFSET of its BRIDGE_BATTERY */
    /* AddDevice, extension zeroed and Self/Pdo set, before attaching. */
    NTSTATUS (*Init)(PBRIDGE_BATTERY Battery);
    /* Undoes Init: an AddDevice that fails after it, and REMOVE, last. */
    VOID (*Free)(PBRIDGE_BATTERY Battery);
    /* IRP_MN_START_DEVICE once the lower drivers started it. */
    NTSTATUS (*Start)(PBRIDGE_BATTERY Battery);
    /* SURPRISE_REMOVAL and REMOVE first: nothing new is started after. */
    VOID (*Stop)(PBRIDGE_BATTERY Battery);
    /* REMOVE, once no dispatch or queued work holds the remove lock. */
    VOID (*Drained)(PBRIDGE_BATTERY Battery);
} BRIDGE_DRIVER;

/* The driver's registry path (DriverEntry's copy), as WMI is told it. */
extern UNICODE_STRING BridgeRegistryPath;

/* The extension that holds Battery. */
#define BRIDGE_EXTENSION(Battery, Type, Field) CONTAINING_RECORD(Battery, Type, Field)

/* bridge_fdo.c. PASSIVE_LEVEL: copies the registry path (WMI names it),
 * sets Unload, AddDevice = BridgeAddBattery and every dispatch routine to
 * the battery FDO's; a driver with other device objects sets its own
 * after. */
NTSTATUS BridgeDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
                           const BRIDGE_DRIVER *Driver);
NTSTATUS BridgeAddBattery(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo);
PBRIDGE_BATTERY BridgeBatteryOf(PDEVICE_OBJECT DeviceObject);
NTSTATUS BridgeComplete(PIRP Irp, NTSTATUS Status);
/* PASSIVE_LEVEL: sends the IRP down and waits for the lower drivers. */
NTSTATUS BridgeForwardAndWait(PDEVICE_OBJECT Lower, PIRP Irp);
/* <= DISPATCH_LEVEL. Module-wide, so a battery that comes back never
 * reuses a tag of this driver's (docs: a new tag on every insertion);
 * never BATTERY_TAG_INVALID. */
ULONG BridgeNewTag(VOID);
/* The battery FDO's dispatch, for a driver that routes by device kind. */
NTSTATUS BridgeBatteryPnp(PBRIDGE_BATTERY Battery, PIRP Irp);
NTSTATUS BridgeBatteryDeviceControl(PBRIDGE_BATTERY Battery, PIRP Irp);
/* <= DISPATCH_LEVEL. Nothing here has power to manage: down it goes. */
NTSTATUS BridgePassPower(PDEVICE_OBJECT Lower, PIRP Irp);
NTSTATUS BridgeDispatchCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp);

/* bridge_wmi.c (PASSIVE_LEVEL). Registers with battc: Callbacks names the
 * BatteryMini* routines and their Context; version, PDO and name are
 * filled here. The handle is the caller's to publish (under its lock, if
 * a refresh may read it already). */
NTSTATUS BridgeClassInitialize(PBRIDGE_BATTERY Battery, const BATTERY_MINIPORT_INFO *Callbacks,
                               PVOID *ClassHandle);
/* Then WMI: battc's standard blocks through the battery's WMILIB context. */
VOID BridgeWmiRegister(PBRIDGE_BATTERY Battery);
/* REMOVE: WMI and battc let go (battc completes its waiters). */
VOID BridgeClassUnload(PBRIDGE_BATTERY Battery);
NTSTATUS BridgeSystemControl(PBRIDGE_BATTERY Battery, PIRP Irp);

/* bridge_answer.c. How a driver maps one copy of its battery's data
 * (View, the driver's own type) to each QueryInformation level; a FALSE
 * (or a NULL Granularity) is a level it has no data for. */
/* The level's text (ASCII) for the device name, manufacturer, unique ID
 * and serial number levels. */
typedef BOOLEAN BRIDGE_LEVEL_STRING(const VOID *View, BATTERY_QUERY_INFORMATION_LEVEL Level,
                                    CHAR *Text, SIZE_T Size);
typedef struct _BRIDGE_LEVELS {
    VOID (*Information)(const VOID *View, PBATTERY_INFORMATION Information);
    BOOLEAN (*Granularity)(const VOID *View, PBATTERY_REPORTING_SCALE Scale);
    BOOLEAN (*Temperature)(const VOID *View, PULONG Temperature);
    ULONG (*EstimatedTime)(const VOID *View, LONG AtRate);
    BOOLEAN (*Date)(const VOID *View, PBATTERY_MANUFACTURE_DATE Date);
    BRIDGE_LEVEL_STRING *String;
} BRIDGE_LEVELS;

/* PASSIVE_LEVEL. One level's answer (strings as UTF-16, NUL included). A
 * level without data: STATUS_INVALID_DEVICE_REQUEST; an undefined level
 * STATUS_INVALID_PARAMETER; a short or missing Buffer
 * STATUS_BUFFER_TOO_SMALL with the size needed in *ReturnedLength. */
NTSTATUS BridgeAnswerLevel(const BRIDGE_LEVELS *Levels, const VOID *View,
                           BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                           ULONG BufferLength, PULONG ReturnedLength);

/* bridge_notify.c. The driver's lock held. docs: notify on a new tag or no
 * battery, a change of POWER_ON_LINE/CHARGING/DISCHARGING/CRITICAL, and a
 * capacity leaving the SetStatusNotify window; a status that did not
 * change in any of these is not told. Last (what battc was last told of)
 * becomes Now. Battery may be NULL (not started: no window). */
BOOLEAN BridgeNotifyDue(const BRIDGE_BATTERY *Battery, PBATTERY_STATUS Last,
                        const BATTERY_STATUS *Now, BOOLEAN TagChanged);

/* bridge_registry.c (PASSIVE_LEVEL): values of an open key. A REG_SZ as
 * ASCII; FALSE when absent, empty, not text, not ASCII or longer than Size
 * (Out is then ""): a cut value would be a wrong one. */
#define BRIDGE_REG_TEXT_MAX 512 /* characters, with the NUL */
BOOLEAN BridgeQueryString(HANDLE Key, PCWSTR Name, CHAR *Out, SIZE_T Size);
BOOLEAN BridgeQueryDword(HANDLE Key, PCWSTR Name, PULONG Out);

/* bridge_poll.c (<= DISPATCH_LEVEL): the next poll, PollMs from now,
 * coalescable. */
VOID BridgeArmPoll(PKTIMER Timer, PKDPC Dpc, ULONG PollMs);

#pragma GCC visibility pop

#endif /* BRIDGE_H */

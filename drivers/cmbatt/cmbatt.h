/* cmbatt: the ACPI control-method battery miniclass, private declarations.
 * One driver binds both ACPI\PNP0C0A (a battery, registered with battc) and
 * ACPI\ACPI0003 (the AC adapter, whose _PSR every battery reports as
 * BATTERY_POWER_ON_LINE). The battery is read only through
 * IOCTL_ACPI_EVAL_METHOD to the lower device (the ACPI PDO). */
#ifndef CMBATT_H
#define CMBATT_H

#include <wdm.h>
#include <acpiioct.h>
#include <wdmguid.h>
#include <batclass.h>
#include <wmistr.h>
#include <wmilib.h>

#define CMBATT_TAG       'tBmC'
#define CMBATT_SIGNATURE 0x74746142u /* "Batt" */

/* ACPI _STA bit 4 (reference 8.2). */
#define CMBATT_STA_BATTERY_PRESENT 0x10
/* _BST state bits (reference 8.5). */
#define CMBATT_BST_DISCHARGING 0x1
#define CMBATT_BST_CHARGING    0x2
#define CMBATT_BST_CRITICAL    0x4
/* ACPI's "unknown" for package integers. */
#define CMBATT_UNKNOWN 0xFFFFFFFFu
/* Notify values (reference 8.7). */
#define CMBATT_NOTIFY_DEVICE_CHECK 0x01
#define CMBATT_NOTIFY_STATUS       0x80
#define CMBATT_NOTIFY_INFORMATION  0x81

#define CMBATT_STRING_MAX 64 /* ASCII, with the NUL */

typedef enum _CMBATT_DEVICE_TYPE {
    CmBattDeviceBattery,
    CmBattDeviceAcAdapter,
} CMBATT_DEVICE_TYPE;

/* _BIX / _BIF in battc's units (mWh, mV), after the Power Unit. */
typedef struct _CMBATT_STATIC_INFO {
    BATTERY_INFORMATION Information;
    ULONG PowerUnit;     /* 0 mWh/mW, 1 mAh/mA as the firmware reports */
    ULONG DesignVoltage; /* mV, or CMBATT_UNKNOWN */
    ULONG WarningCapacity;
    ULONG Granularity1; /* mWh, below the warning level */
    ULONG Granularity2; /* mWh, above it */
    CHAR Model[CMBATT_STRING_MAX];
    CHAR Serial[CMBATT_STRING_MAX];
    CHAR Type[CMBATT_STRING_MAX];
    CHAR Oem[CMBATT_STRING_MAX];
} CMBATT_STATIC_INFO, *PCMBATT_STATIC_INFO;

/* _BST as the firmware reported it, in its own units. */
typedef struct _CMBATT_BST {
    ULONG State;
    ULONG Rate;      /* magnitude, mW or mA; CMBATT_UNKNOWN */
    ULONG Remaining; /* mWh or mAh; CMBATT_UNKNOWN */
    ULONG Voltage;   /* mV; CMBATT_UNKNOWN */
} CMBATT_BST, *PCMBATT_BST;

typedef struct _CMBATT_EXTENSION {
    ULONG Signature;
    CMBATT_DEVICE_TYPE Type;
    PDEVICE_OBJECT Fdo;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT Lower;
    /* Every dispatch and notification holds it; REMOVE waits for it to
     * drain before battc's class data or the interface go away. */
    IO_REMOVE_LOCK RemoveLock;
    ACPI_INTERFACE_STANDARD Acpi;
    BOOLEAN HaveAcpi;
    BOOLEAN NotifyRegistered;
    BOOLEAN Started;
    BOOLEAN SurpriseRemoved;

    /* Battery only. */
    PVOID ClassHandle; /* battc's ClassData */
    BOOLEAN WmiRegistered;
    WMILIB_CONTEXT WmiLib;
    LIST_ENTRY BatteryLink; /* in the driver's battery list (ac.c) */
    BOOLEAN Listed;
    ULONG64 NotifiedRound; /* the last AC notification that reached it (ac.c) */

    /* Lock (a KMUTEX: PASSIVE_LEVEL) guards everything below; the battery
     * is evaluated under it, so a notification and a battc call never
     * interleave their views of the firmware. */
    KMUTEX Lock;
    ULONG Tag;     /* BATTERY_TAG_INVALID while no battery */
    ULONG NextTag; /* the tag the next insertion gets */
    BOOLEAN Present;
    BOOLEAN InfoValid;  /* Static holds the present battery's data */
    BOOLEAN HaveStatic; /* Static holds some battery's data (to compare) */
    BOOLEAN NoBix;      /* the firmware has only _BIF */
    CMBATT_STATIC_INFO Static;
    BOOLEAN NotifyArmed; /* SetStatusNotify in force */
    BATTERY_NOTIFY NotifyCriteria;
    ULONG TripMwh;  /* _BTP armed, mWh; 0 none */
    ULONG LastFlow; /* _BST's charge direction at the last read (ac.c) */
} CMBATT_EXTENSION, *PCMBATT_EXTENSION;

#define CMBATT_FLOW_UNKNOWN 0xFFFFFFFFu

extern UNICODE_STRING CmBattRegistryPath;

/* driver.c */
DRIVER_INITIALIZE DriverEntry;
VOID CmBattLock(PCMBATT_EXTENSION Ext);
VOID CmBattUnlock(PCMBATT_EXTENSION Ext);

/* acpi.c: method evaluation through the lower device (PASSIVE_LEVEL). The
 * answer lands in the caller's CMBATT_OUTPUT: in its own scratch space
 * when it fits (any integer, any _BST, most _BIX), so a status query
 * allocates nothing for it; else in pool. CmBattReleaseOutput after use. */
#define CMBATT_OUTPUT_FIRST 512
typedef struct _CMBATT_OUTPUT {
    PACPI_EVAL_OUTPUT_BUFFER Buffer; /* Scratch, or pool */
    ULONG Length;                    /* bytes the ACPI driver returned */
    ULONG64 Scratch[CMBATT_OUTPUT_FIRST / sizeof(ULONG64)];
} CMBATT_OUTPUT, *PCMBATT_OUTPUT;
NTSTATUS CmBattEvaluate(PCMBATT_EXTENSION Ext, const CHAR Name[4], BOOLEAN HasArgument,
                        ULONG Argument, PCMBATT_OUTPUT Output);
VOID CmBattReleaseOutput(PCMBATT_OUTPUT Output);
NTSTATUS CmBattEvaluateInteger(PCMBATT_EXTENSION Ext, const CHAR Name[4], PULONG Value);
/* _BIX, falling back to _BIF when the firmware has no _BIX. */
NTSTATUS CmBattReadStaticInfo(PCMBATT_EXTENSION Ext, PCMBATT_STATIC_INFO Info);
NTSTATUS CmBattReadBst(PCMBATT_EXTENSION Ext, PCMBATT_BST Bst);
NTSTATUS CmBattSetTripPoint(PCMBATT_EXTENSION Ext, ULONG Mwh);

/* package.c: parsing returned packages, bounds-checked; a malformed one is
 * STATUS_ACPI_INVALID_DATA. Pure functions, any IRQL. */
NTSTATUS CmBattParseStaticInfo(PACPI_EVAL_OUTPUT_BUFFER Output, ULONG Length, BOOLEAN Bix,
                               PCMBATT_STATIC_INFO Info);
NTSTATUS CmBattParseBst(PACPI_EVAL_OUTPUT_BUFFER Output, ULONG Length, PCMBATT_BST Bst);
NTSTATUS CmBattParseInteger(PACPI_EVAL_OUTPUT_BUFFER Output, ULONG Length, PULONG Value);
/* Firmware units -> mWh / mW with the design voltage (mWh = mAh * mV / 1000). */
ULONG CmBattToMilliwatts(ULONG PowerUnit, ULONG DesignVoltage, ULONG Value);
ULONG CmBattFromMilliwatts(ULONG PowerUnit, ULONG DesignVoltage, ULONG Mwh);

/* miniclass.c: the BatteryMini* callbacks (PASSIVE_LEVEL). */
BCLASS_QUERY_TAG_CALLBACK CmBattQueryTag;
BCLASS_QUERY_INFORMATION_CALLBACK CmBattQueryInformation;
BCLASS_QUERY_STATUS_CALLBACK CmBattQueryStatus;
BCLASS_SET_STATUS_NOTIFY_CALLBACK CmBattSetStatusNotify;
BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK CmBattDisableStatusNotify;
BCLASS_SET_INFORMATION_CALLBACK CmBattSetInformation;
/* Lock held: re-reads _STA; a battery-present edge changes the tag.
 * Information: also re-read _BIX/_BIF, a change bumps the tag. */
NTSTATUS CmBattCheckBattery(PCMBATT_EXTENSION Ext, BOOLEAN Information);
/* Lock held: re-arms _BTP for the criteria in force (after a crossing). */
VOID CmBattRearmTripPoint(PCMBATT_EXTENSION Ext);
/* The ACPI Notify handler of a battery or the adapter (PASSIVE_LEVEL). */
VOID CmBattNotifyHandler(PVOID Context, ULONG NotifyValue);

/* ac.c: the AC adapter and the driver-wide state the batteries share. */
VOID CmBattAcInitialize(VOID);
NTSTATUS CmBattAcStart(PCMBATT_EXTENSION Ext);
VOID CmBattAcStop(PCMBATT_EXTENSION Ext);
VOID CmBattAcNotify(PCMBATT_EXTENSION Ext, ULONG NotifyValue);
/* 1 on line, 0 on battery, -1 unknown (no adapter started): as the adapter
 * last reported it (its start, its Notify). <= DISPATCH_LEVEL. */
LONG CmBattAcOnline(VOID);
/* PASSIVE_LEVEL: reads the adapter's _PSR again now (no adapter: nothing). */
VOID CmBattAcRefresh(VOID);
VOID CmBattListBattery(PCMBATT_EXTENSION Ext);
VOID CmBattUnlistBattery(PCMBATT_EXTENSION Ext);

/* wmi.c */
VOID CmBattWmiInitialize(PCMBATT_EXTENSION Ext);
NTSTATUS CmBattDispatchSystemControl(PDEVICE_OBJECT DeviceObject, PIRP Irp);

#endif

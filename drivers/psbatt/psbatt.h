/* psbatt: the Linux power_supply bridge, private declarations. One driver
 * plays three parts: the bus FDO on the root device PSBATT\Bus (it reads
 * the power_supply class, listens for uevents and polls), one child PDO per
 * type=Battery supply, and the battery miniclass FDO on each child,
 * registered with battc. Linux-only (LINUX_ONLY): sysfs.c and monitor.c
 * call libc. */
#ifndef PSBATT_H
#define PSBATT_H

#include "../common/bridge.h"

#define PSBATT_TAG 'tBsP' /* "PsBt" in a pool dump */

/* Defaults when the bus's hardware key does not say (docs/psbatt.md). */
#define PSBATT_DEFAULT_ROOT    "/sys/class/power_supply"
#define PSBATT_DEFAULT_POLL_MS 5000
#define PSBATT_MIN_POLL_MS     100

#define PSBATT_NAME_MAX     64  /* a supply's directory name, with its NUL */
#define PSBATT_PATH_MAX     512 /* the class root */
#define PSBATT_STRING_MAX   64  /* one string attribute, with its NUL */
#define PSBATT_MAX_SUPPLIES 32  /* read per scan; more are left out with a warning */

/* Number attributes, in sysfs units (sysfs.c reads them by this table). */
typedef enum _PSBATT_NUMBER {
    PsPresent,          /* 0/1 */
    PsOnline,           /* Mains/USB: 0/1 */
    PsEnergyFullDesign, /* uWh */
    PsEnergyFull,
    PsEnergyNow,
    PsChargeFullDesign, /* uAh */
    PsChargeFull,
    PsChargeNow,
    PsVoltageMinDesign, /* uV */
    PsVoltageNow,
    PsPowerNow,   /* uW */
    PsCurrentNow, /* uA */
    PsTemp,       /* tenths of degC */
    PsCapacity,   /* % */
    PsCycleCount,
    PsAlarm,          /* uWh or uAh, as the battery's other capacities */
    PsTimeToEmptyNow, /* s */
    PsManufactureYear,
    PsManufactureMonth,
    PsManufactureDay,
    PsNumberCount
} PSBATT_NUMBER;

typedef enum _PSBATT_STRING {
    PsType, /* Battery, Mains, USB, UPS, ... */
    PsStatus,
    PsTechnology,
    PsCapacityLevel,
    PsManufacturer,
    PsModelName,
    PsSerialNumber,
    PsScope,
    PsStringCount
} PSBATT_STRING;

/* One read of a supply's directory: what was there, in sysfs units. An
 * absent or unreadable attribute (or one that does not parse) has its bit
 * clear in HaveNumber / HaveString. */
typedef struct _PSBATT_SUPPLY {
    CHAR Name[PSBATT_NAME_MAX];
    ULONG HaveNumber; /* 1 << PSBATT_NUMBER */
    ULONG HaveString; /* 1 << PSBATT_STRING */
    LONGLONG Number[PsNumberCount];
    CHAR String[PsStringCount][PSBATT_STRING_MAX];
} PSBATT_SUPPLY, *PPSBATT_SUPPLY;

#define PS_HAS(s, n)  (((s)->HaveNumber >> (n)) & 1u)
#define PS_HASS(s, n) (((s)->HaveString >> (n)) & 1u)

typedef enum _PSBATT_KIND {
    PsBattKindBus = 0x42757350,     /* "PsuB" */
    PsBattKindChild = 0x44507350,   /* "PsPD" */
    PsBattKindBattery = 0x42507350, /* "PsPB" */
} PSBATT_KIND;

struct _PSBATT_BATTERY;
typedef struct _PSBATT_SYSFS PSBATT_SYSFS, *PPSBATT_SYSFS; /* sysfs.c's open files */

/* The bus FDO (bus.c, monitor.c). */
typedef struct _PSBATT_BUS {
    PSBATT_KIND Kind;
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT Lower;
    IO_REMOVE_LOCK RemoveLock; /* held by every queued scan as well */
    CHAR Root[PSBATT_PATH_MAX];
    CHAR UeventSocket[108]; /* tests: an AF_UNIX datagram path instead of netlink */
    ULONG PollMs;

    /* Lock guards the children list, every child's snapshot and tag, and
     * the AC state. Readers copy out under it. */
    KSPIN_LOCK Lock;
    LIST_ENTRY Children;
    LONG AcOnline; /* -1: no Mains/USB supply, else 0/1 */
    BOOLEAN Started;
    BOOLEAN Stopping; /* no new scan is queued */
    BOOLEAN ScanQueued, ScanAgain;
    BOOLEAN ScanFresh;  /* a uevent came: the next scan opens every file afresh */
    ULONG Scans;        /* done, for the log */
    ULONG ScanRequests; /* PsBattRequestScan tickets handed out */

    KMUTEX ScanMutex;    /* one scan at a time (PASSIVE_LEVEL) */
    PPSBATT_SYSFS Sysfs; /* the supplies' open attribute files; ScanMutex */
    /* The class folder's entries as last listed (START's scan is a fresh
     * one, so there is a listing before any poll); ScanMutex. */
    CHAR Listed[PSBATT_MAX_SUPPLIES][PSBATT_NAME_MAX];
    ULONG ListedCount;
    PIO_WORKITEM ScanWork;
    KTIMER PollTimer;
    KDPC PollDpc;
    PVOID Monitor; /* monitor.c's uevent listener, NULL if none */
} PSBATT_BUS, *PPSBATT_BUS;

/* A child PDO: one battery supply (pdo.c). Fields after Link are guarded
 * by Bus->Lock. */
typedef struct _PSBATT_CHILD {
    PSBATT_KIND Kind;
    PDEVICE_OBJECT Self;
    PPSBATT_BUS Bus;
    LIST_ENTRY Link;
    CHAR Name[PSBATT_NAME_MAX];
    BOOLEAN Missing; /* gone from the class: left out of BusRelations */
    BOOLEAN Started;
    PSBATT_SUPPLY Supply; /* the last scan */
    BOOLEAN HaveSupply;
    ULONG Tag;                       /* BATTERY_TAG_INVALID while not present */
    BATTERY_STATUS Last;             /* what the class driver was last told of */
    struct _PSBATT_BATTERY *Battery; /* the FDO on top while it is started */
} PSBATT_CHILD, *PPSBATT_CHILD;

/* The battery miniclass FDO on a child (driver.c, miniclass.c). */
typedef struct _PSBATT_BATTERY {
    PSBATT_KIND Kind;   /* first, as in every psbatt extension */
    BRIDGE_BATTERY Fdo; /* NotifyArmed/Notify under Bus->Lock */
    PPSBATT_CHILD Child;
} PSBATT_BATTERY, *PPSBATT_BATTERY;

#define PSBATT_OF(Battery) BRIDGE_EXTENSION(Battery, PSBATT_BATTERY, Fdo)

/* sysfs.c (libc; PASSIVE_LEVEL). Names of the supplies under Root, sorted;
 * returns the count (at most Max). */
ULONG PsBattListSupplies(const CHAR *Root, CHAR (*Names)[PSBATT_NAME_MAX], ULONG Max);
/* The open attribute files a poll re-reads (NULL: out of memory). */
PPSBATT_SYSFS PsBattSysfsCreate(VOID);
VOID PsBattSysfsDelete(PPSBATT_SYSFS Sysfs);
/* Closes the files of every supply not among Names (gone from the class). */
VOID PsBattSysfsRetain(PPSBATT_SYSFS Sysfs, CHAR (*Names)[PSBATT_NAME_MAX], ULONG Count);
/* Reads one supply; FALSE when its directory cannot be read at all. Fresh:
 * open every attribute again (a uevent said something changed), else
 * re-read the files kept open while the folder is the same. */
BOOLEAN PsBattReadSupply(PPSBATT_SYSFS Sysfs, const CHAR *Root, const CHAR *Name, BOOLEAN Fresh,
                         PPSBATT_SUPPLY Supply);

/* map.c: sysfs units -> battc's (pure functions of one snapshot). */
BOOLEAN PsBattIsBattery(const PSBATT_SUPPLY *Supply);
BOOLEAN PsBattIsPowerSource(const PSBATT_SUPPLY *Supply); /* Mains or USB */
BOOLEAN PsBattPresent(const PSBATT_SUPPLY *Supply);
VOID PsBattMapInformation(const PSBATT_SUPPLY *Supply, PBATTERY_INFORMATION Information);
/* AcOnline: -1 no Mains/USB supply (then the battery's own status says). */
VOID PsBattMapStatus(const PSBATT_SUPPLY *Supply, LONG AcOnline, PBATTERY_STATUS Status);
/* Tenths of kelvin; FALSE when the supply has no temperature. */
BOOLEAN PsBattMapTemperature(const PSBATT_SUPPLY *Supply, PULONG Temperature);
ULONG PsBattMapEstimatedTime(const PSBATT_SUPPLY *Supply, LONG AtRate, LONG AcOnline);
BOOLEAN PsBattMapDate(const PSBATT_SUPPLY *Supply, PBATTERY_MANUFACTURE_DATE Date);
/* The level's text (ASCII, at most PSBATT_STRING_MAX * 4); FALSE if none. */
BOOLEAN PsBattMapString(const PSBATT_SUPPLY *Supply, BATTERY_QUERY_INFORMATION_LEVEL Level,
                        CHAR *Text, SIZE_T Size);
/* TRUE when the data the docs call static differs (a new tag). */
BOOLEAN PsBattStaticDiffers(const PSBATT_SUPPLY *A, const PSBATT_SUPPLY *B);

/* bus.c */
NTSTATUS PsBattBusAddDevice(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT Pdo);
NTSTATUS PsBattBusPnp(PPSBATT_BUS Bus, PIRP Irp);
/* <= DISPATCH_LEVEL: a scan soon, on a worker (coalesced); Fresh (a uevent)
 * makes it open every attribute file again. Returns the
 * request's ticket (0: the bus is stopping); a scan that starts after it
 * reports PsBattMonitorScanned(ticket or later). */
ULONG PsBattRequestScan(PPSBATT_BUS Bus, BOOLEAN Fresh);

/* monitor.c: the uevent listener thread (PASSIVE_LEVEL). */
NTSTATUS PsBattMonitorStart(PPSBATT_BUS Bus);
VOID PsBattMonitorStop(PPSBATT_BUS Bus);
/* PASSIVE_LEVEL, after a scan that began with every ticket up to Served. */
VOID PsBattMonitorScanned(PPSBATT_BUS Bus, ULONG Served);

/* pdo.c */
NTSTATUS PsBattChildCreate(PPSBATT_BUS Bus, const CHAR *Name, PPSBATT_CHILD *Child);
NTSTATUS PsBattChildPnp(PPSBATT_CHILD Child, PIRP Irp);
NTSTATUS PsBattChildPower(PPSBATT_CHILD Child, PIRP Irp);

/* miniclass.c (the battery FDO's START and stop, for driver.c's table) */
NTSTATUS PsBattBatteryStart(PBRIDGE_BATTERY Battery);
VOID PsBattBatteryStop(PBRIDGE_BATTERY Battery);

#endif /* PSBATT_H */

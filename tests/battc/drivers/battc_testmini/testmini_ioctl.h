/* The private interface of battc_testmini, the scriptable miniclass the
 * battc tests drive: its IOCTL codes, their buffers, and the hardware IDs
 * that select how it describes itself to BatteryClassInitializeDevice. */
#ifndef TESTMINI_IOCTL_H
#define TESTMINI_IOCTL_H

#include <ntdef.h>

/* Hardware IDs: each picks a BATTERY_MINIPORT_INFO shape at AddDevice. */
#define TESTMINI_HWID          "BATTKIT\\TestMini"         /* V1_1, every callback */
#define TESTMINI_HWID_V10      "BATTKIT\\TestMiniV10"      /* V1_0 (no Fdo) */
#define TESTMINI_HWID_V12      "BATTKIT\\TestMiniV12"      /* V1_2 */
#define TESTMINI_HWID_NOSET    "BATTKIT\\TestMiniNoSet"    /* SetInformation NULL */
#define TESTMINI_HWID_NONOTIFY "BATTKIT\\TestMiniNoNotify" /* no Set/DisableStatusNotify */

/* CTL_CODE(FILE_DEVICE_BATTERY, 0x900 + n, METHOD_BUFFERED, FILE_ANY_ACCESS) */
#define TESTMINI_IOCTL(n)             ((0x29u << 16) | ((0x900u + (n)) << 2))
#define IOCTL_TESTMINI_SET_STATUS     TESTMINI_IOCTL(0) /* in BATTERY_STATUS */
#define IOCTL_TESTMINI_SET_PRESENT    TESTMINI_IOCTL(1) /* in ULONG: 0 remove, 1 insert (new tag) */
#define IOCTL_TESTMINI_SET_CONFIG     TESTMINI_IOCTL(2) /* in TESTMINI_CONFIG */
#define IOCTL_TESTMINI_GET_COUNTERS   TESTMINI_IOCTL(3) /* out TESTMINI_COUNTERS */
#define IOCTL_TESTMINI_NOTIFY         TESTMINI_IOCTL(4) /* in ULONG: IRQL to call at (0 or 2) */
#define IOCTL_TESTMINI_TRY_INIT       TESTMINI_IOCTL(5) /* in ULONG variant, out NTSTATUS */
#define IOCTL_TESTMINI_UNLOAD_CLASS   TESTMINI_IOCTL(6) /* BatteryClassUnload now */
#define IOCTL_TESTMINI_RESET_COUNTERS TESTMINI_IOCTL(7)
#define IOCTL_TESTMINI_SET_INFO       TESTMINI_IOCTL(8) /* in BATTERY_INFORMATION */
/* Hands BatteryClassIoctl IRPs that are not battery IOCTLs; out ULONG[2]:
 * a bit per case battc touched (status, information, stack, buffer), and
 * the number of cases. */
#define IOCTL_TESTMINI_PROBE_NOT_BATTERY TESTMINI_IOCTL(9)
/* Calls BatteryClassUpdateData; in TESTMINI_UPDATE, out NTSTATUS. */
#define IOCTL_TESTMINI_UPDATE_DATA TESTMINI_IOCTL(10)

typedef struct _TESTMINI_UPDATE {
    ULONG Version;
    ULONG ChargeLimitState; /* 0 or 1 */
    ULONG ChargingState;    /* a BATTERY_CHARGING_STATE */
    ULONG PassNull;         /* call with UpdateData == NULL */
} TESTMINI_UPDATE;

/* TESTMINI_CONFIG.Flags */
#define TESTMINI_AUTO_NOTIFY        0x0001 /* BatteryClassStatusNotify on changes (docs) */
#define TESTMINI_NOTIFY_UNSUPPORTED 0x0002 /* SetStatusNotify -> STATUS_NOT_SUPPORTED */
#define TESTMINI_NO_TEMPERATURE     0x0004 /* BatteryTemperature unsupported */
#define TESTMINI_STATUS_FAILS       0x0008 /* QueryStatus -> STATUS_UNSUCCESSFUL */
#define TESTMINI_NOTIFY_IN_CALLBACK 0x0010 /* next QueryStatus calls BatteryClassStatusNotify */
#define TESTMINI_NO_DATE            0x0020 /* BatteryManufactureDate unsupported */
#define TESTMINI_NOTIFY_IN_SET      0x0040 /* SetStatusNotify calls BatteryClassStatusNotify */

typedef struct _TESTMINI_CONFIG {
    ULONG Flags;
    ULONG SpinIterations;      /* busy work inside every callback: slow answers */
    ULONG ReturnedLengthExtra; /* added to QueryInformation's *ReturnedLength */
} TESTMINI_CONFIG;

/* TRY_INIT variants: BatteryClassInitializeDevice with one thing wrong. */
#define TESTMINI_INIT_BAD_MAJOR       0
#define TESTMINI_INIT_BAD_MINOR       1
#define TESTMINI_INIT_NO_QUERY_TAG    2
#define TESTMINI_INIT_NO_QUERY_INFO   3
#define TESTMINI_INIT_NO_QUERY_STATUS 4
#define TESTMINI_INIT_LONE_SET_NOTIFY 5
#define TESTMINI_INIT_LONE_DISABLE    6
#define TESTMINI_INIT_NO_PDO          7
#define TESTMINI_INIT_NULL_INFO       8
#define TESTMINI_INIT_VARIANTS        9

/* Callback indexes into TESTMINI_COUNTERS.Calls. */
#define TESTMINI_CB_QUERY_TAG      0
#define TESTMINI_CB_QUERY_INFO     1
#define TESTMINI_CB_SET_INFO       2
#define TESTMINI_CB_QUERY_STATUS   3
#define TESTMINI_CB_SET_NOTIFY     4
#define TESTMINI_CB_DISABLE_NOTIFY 5
#define TESTMINI_CB_COUNT          6

typedef struct _TESTMINI_COUNTERS {
    ULONG Calls[TESTMINI_CB_COUNT];
    ULONG MaxActive;       /* most callbacks seen running at once (must be 1) */
    ULONG OnNotifierStack; /* callbacks run inside BatteryClassStatusNotify's caller */
    ULONG NotifyCalls;     /* BatteryClassStatusNotify calls made */
    ULONG Tag;             /* current tag (0: no battery) */
    ULONG NotifyArmed;     /* SetStatusNotify in force */
    ULONG NotifyTag;       /* its tag */
    ULONG NotifyPowerState, NotifyLow, NotifyHigh; /* its BATTERY_NOTIFY */
    ULONG SetLevel;                                /* last SetInformation level */
    ULONG SetPayload[4];          /* its first 16 payload bytes (0 when Buffer was NULL) */
    ULONG SetBufferNull;          /* last SetInformation got Buffer == NULL */
    ULONG DispositionUnset;       /* BatteryClassSystemControl left the disposition alone */
    LONG OwnBlockStatus;          /* BatteryClassQueryWmiDataBlock's answer for our own GUID */
    ULONG ClassCapabilities;      /* V1_2: ClassDriverCapabilities after init */
    LONG InitStatus;              /* BatteryClassInitializeDevice at AddDevice */
    ULONG ForwardedBatteryIoctls; /* battery IOCTLs BatteryClassIoctl handed back */
} TESTMINI_COUNTERS;

/* For bench_battc: what calling the QueryStatus callback directly, and
 * sending IRPs to the device, takes. Exported by battc_testmini.so as
 * TestMiniBenchHooks (found with dlsym); fills the last battery added. */
typedef struct _TESTMINI_BENCH_HOOKS {
    PVOID Context;     /* BatteryMini* context */
    PVOID QueryStatus; /* a BCLASS_QUERY_STATUS */
    PVOID Fdo;         /* top of the device stack */
    ULONG Tag;
} TESTMINI_BENCH_HOOKS;
#define TESTMINI_BENCH_HOOKS_EXPORT "TestMiniBenchHooks"

/* The miniclass's own WMI block (GuidIndex 0), 4 bytes: 0x7E57B10C. */
#define TESTMINI_OWN_BLOCK_VALUE 0x7E57B10Cu

/* The GUID of that block (a file that includes <initguid.h> first defines it). */
#include <guiddef.h>
DEFINE_GUID(TESTMINI_OWN_WMI_GUID, 0x7e57b10c, 0x0000, 0x4000, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x01);

#endif /* TESTMINI_IOCTL_H */

/* The battery class driver interface a miniclass driver is written against
 * (WDK10 batclass.h): BatteryMini* callback types, BATTERY_MINIPORT_INFO,
 * the battery WMI blocks and the BatteryClass* routines battc exports.
 * The IOCTL-level types come from poclass.h, which this header includes.
 * After <windows.h> (_WINDOWS_ defined) only the user part is visible: the
 * miniclass callbacks, BATTERY_MINIPORT_INFO and BatteryClass* routines need
 * wdm.h and are hidden, as in the WDK (reference pitfall 16). */

#ifndef _WINDOWS_
#include <wdm.h>
#endif
#include <poclass.h>

/* Outside the include guard, as in the WDK, so a file that includes
 * <initguid.h> first gets them defined even after an earlier include;
 * emitted at most once per mode so repeated includes do not redefine. */
#if defined(INITGUID) ? !defined(BATTKIT_BATCLASS_GUIDS_DEFINED)                                   \
                      : !defined(BATTKIT_BATCLASS_GUIDS_DECLARED)
#ifdef INITGUID
#define BATTKIT_BATCLASS_GUIDS_DEFINED
#endif
#define BATTKIT_BATCLASS_GUIDS_DECLARED
/* The WMI data blocks battc answers for every battery. */
DEFINE_GUID(BATTERY_STATUS_WMI_GUID, 0xfc4670d1, 0xebbf, 0x416e, 0x87, 0xce, 0x37, 0x4a, 0x4e, 0xbc,
            0x11, 0x1a);
DEFINE_GUID(BATTERY_RUNTIME_WMI_GUID, 0x535a3767, 0x1ac2, 0x49bc, 0xa0, 0x77, 0x3f, 0x7a, 0x02,
            0xe4, 0x0a, 0xec);
DEFINE_GUID(BATTERY_TEMPERATURE_WMI_GUID, 0x1a52a14d, 0xadce, 0x4a44, 0x9a, 0x3e, 0xc8, 0xd8, 0xf1,
            0x5f, 0xf2, 0xc2);
DEFINE_GUID(BATTERY_FULL_CHARGED_CAPACITY_WMI_GUID, 0x40b40565, 0x96f7, 0x4435, 0x86, 0x94, 0x97,
            0xe0, 0xe4, 0x39, 0x59, 0x05);
DEFINE_GUID(BATTERY_CYCLE_COUNT_WMI_GUID, 0xef98db24, 0x0014, 0x4c25, 0xa5, 0x0b, 0xc7, 0x24, 0xae,
            0x5c, 0xd3, 0x71);
DEFINE_GUID(BATTERY_STATIC_DATA_WMI_GUID, 0x05e1e463, 0xe4e2, 0x4ea9, 0x80, 0xcb, 0x9b, 0xd4, 0xb3,
            0xca, 0x06, 0x55);
DEFINE_GUID(BATTERY_STATUS_CHANGE_WMI_GUID, 0xcddfa0c3, 0x7c5b, 0x4e43, 0xa0, 0x34, 0x05, 0x9f,
            0xa5, 0xb8, 0x43, 0x64);
DEFINE_GUID(BATTERY_TAG_CHANGE_WMI_GUID, 0x5e1f6e19, 0x8786, 0x4d23, 0x94, 0xfc, 0x9e, 0x74, 0x6b,
            0xd5, 0xd8, 0x88);
#endif

#ifndef BATTKIT_BATCLASS_H
#define BATTKIT_BATCLASS_H

/* Version numbers for BATTERY_MINIPORT_INFO*.MajorVersion/MinorVersion. */
#define BATTERY_CLASS_MAJOR_VERSION   0x0001
#define BATTERY_CLASS_MINOR_VERSION   0x0000 /* BATTERY_MINIPORT_INFO */
#define BATTERY_CLASS_MINOR_VERSION_1 0x0001 /* BATTERY_MINIPORT_INFO_V1_1 */
#define BATTERY_CLASS_MINOR_VERSION_2 0x0002 /* BATTERY_MINIPORT_INFO_V1_2 */
#define ADAPTER_CLASS_MAJOR_VERSION   0x0001
#define ADAPTER_CLASS_MINOR_VERSION   0x0000

#define BATTERY_NOTIFY_VERSION_1                  1
#define BATTERY_NOTIFY_VERSION_2                  2
#define CHARGE_REQUIREMENT_MAX_POWER_SOURCE_TYPES 2

/* The class driver wants BatteryClassStatusNotify when the battery enters
 * a power state not in PowerState, or capacity goes below LowCapacity or
 * above HighCapacity. */
typedef struct {
    ULONG PowerState;
    ULONG LowCapacity;
    ULONG HighCapacity;
} BATTERY_NOTIFY, *PBATTERY_NOTIFY;

typedef struct _BATTERY_NOTIFY_V2 {
    ULONG PowerState;
    ULONG LowCapacity;
    ULONG HighCapacity;
    UCHAR Version; /* BATTERY_NOTIFY_VERSION_2 */
    UCHAR Reserved[3];
    ULONG BatteryPresentRateThreshold;
} BATTERY_NOTIFY_V2, *PBATTERY_NOTIFY_V2;

/* Units of the peak-power fields are not documented. */
typedef struct _BATTERY_PEAK_POWER {
    UCHAR Version;
    UCHAR Reserved[3];
    ULONG InstantaneousPeakPower;
    ULONG InstantaneousPeakPeriod;
    ULONG SustainablePeakPower;
    ULONG SustainablePeakPeriod;
} BATTERY_PEAK_POWER, *PBATTERY_PEAK_POWER;

typedef struct _BATTERY_PEAK_POWER_THRESHOLDS {
    UCHAR Version;
    UCHAR Reserved[3];
    ULONG InstantaneousPeakPowerThreshold;
    ULONG SustainablePeakPowerThreshold;
} BATTERY_PEAK_POWER_THRESHOLDS, *PBATTERY_PEAK_POWER_THRESHOLDS;

#ifndef _WINDOWS_ /* miniclass part: kernel mode only */
/* BatteryMini* callbacks. Each comes as a function type (declare a routine
 * with it), a P*_CALLBACK pointer and the BCLASS_xxx pointer name that
 * BATTERY_MINIPORT_INFO uses. All run at PASSIVE_LEVEL, on the caller's
 * IRQL, and return NTSTATUS; a routine a driver does not implement still
 * exists and returns STATUS_NOT_SUPPORTED. */
typedef NTSTATUS BCLASS_QUERY_TAG_CALLBACK(PVOID Context, PULONG BatteryTag);
typedef BCLASS_QUERY_TAG_CALLBACK *PBCLASS_QUERY_TAG_CALLBACK;

/* Buffer holds BufferLength bytes; *ReturnedLength is what was written. */
typedef NTSTATUS BCLASS_QUERY_INFORMATION_CALLBACK(PVOID Context, ULONG BatteryTag,
                                                   BATTERY_QUERY_INFORMATION_LEVEL Level,
                                                   LONG AtRate, PVOID Buffer, ULONG BufferLength,
                                                   PULONG ReturnedLength);
typedef BCLASS_QUERY_INFORMATION_CALLBACK *PBCLASS_QUERY_INFORMATION_CALLBACK;

typedef NTSTATUS BCLASS_QUERY_STATUS_CALLBACK(PVOID Context, ULONG BatteryTag,
                                              PBATTERY_STATUS BatteryStatus);
typedef BCLASS_QUERY_STATUS_CALLBACK *PBCLASS_QUERY_STATUS_CALLBACK;

typedef NTSTATUS BCLASS_SET_STATUS_NOTIFY_CALLBACK(PVOID Context, ULONG BatteryTag,
                                                   PBATTERY_NOTIFY BatteryNotify);
typedef BCLASS_SET_STATUS_NOTIFY_CALLBACK *PBCLASS_SET_STATUS_NOTIFY_CALLBACK;

/* Buffer is optional: unused for BatteryCharge and BatteryDischarge. */
typedef NTSTATUS BCLASS_SET_INFORMATION_CALLBACK(PVOID Context, ULONG BatteryTag,
                                                 BATTERY_SET_INFORMATION_LEVEL Level, PVOID Buffer);
typedef BCLASS_SET_INFORMATION_CALLBACK *PBCLASS_SET_INFORMATION_CALLBACK;

typedef NTSTATUS BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK(PVOID Context);
typedef BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK *PBCLASS_DISABLE_STATUS_NOTIFY_CALLBACK;

typedef NTSTATUS BCLASS_QUERY_PEAK_POWER_CALLBACK(PVOID Context, ULONG BatteryTag,
                                                  PBATTERY_PEAK_POWER PeakPower);
typedef BCLASS_QUERY_PEAK_POWER_CALLBACK *PBCLASS_QUERY_PEAK_POWER_CALLBACK;

typedef NTSTATUS
BCLASS_SET_PEAK_POWER_NOTIFY_CALLBACK(PVOID Context, ULONG BatteryTag,
                                      PBATTERY_PEAK_POWER_THRESHOLDS PeakPowerThresholds);
typedef BCLASS_SET_PEAK_POWER_NOTIFY_CALLBACK *PBCLASS_SET_PEAK_POWER_NOTIFY_CALLBACK;

typedef NTSTATUS BCLASS_DISABLE_PEAK_POWER_NOTIFY_CALLBACK(PVOID Context);
typedef BCLASS_DISABLE_PEAK_POWER_NOTIFY_CALLBACK *PBCLASS_DISABLE_PEAK_POWER_NOTIFY_CALLBACK;

typedef PBCLASS_QUERY_TAG_CALLBACK BCLASS_QUERY_TAG;
typedef PBCLASS_QUERY_INFORMATION_CALLBACK BCLASS_QUERY_INFORMATION;
typedef PBCLASS_QUERY_STATUS_CALLBACK BCLASS_QUERY_STATUS;
typedef PBCLASS_SET_STATUS_NOTIFY_CALLBACK BCLASS_SET_STATUS_NOTIFY;
typedef PBCLASS_SET_INFORMATION_CALLBACK BCLASS_SET_INFORMATION;
typedef PBCLASS_DISABLE_STATUS_NOTIFY_CALLBACK BCLASS_DISABLE_STATUS_NOTIFY;
typedef PBCLASS_QUERY_PEAK_POWER_CALLBACK BCLASS_QUERY_PEAK_POWER;
typedef PBCLASS_SET_PEAK_POWER_NOTIFY_CALLBACK BCLASS_SET_PEAK_POWER_NOTIFY;
typedef PBCLASS_DISABLE_PEAK_POWER_NOTIFY_CALLBACK BCLASS_DISABLE_PEAK_POWER_NOTIFY;

/* Filled by the miniclass in AddDevice and passed to
 * BatteryClassInitializeDevice. Note SetInformation precedes QueryStatus. */
typedef struct {
    USHORT MajorVersion; /* BATTERY_CLASS_MAJOR_VERSION */
    USHORT MinorVersion; /* BATTERY_CLASS_MINOR_VERSION */
    PVOID Context;       /* handed back on every BatteryMini* call */
    BCLASS_QUERY_TAG QueryTag;
    BCLASS_QUERY_INFORMATION QueryInformation;
    BCLASS_SET_INFORMATION SetInformation;
    BCLASS_QUERY_STATUS QueryStatus;
    BCLASS_SET_STATUS_NOTIFY SetStatusNotify;
    BCLASS_DISABLE_STATUS_NOTIFY DisableStatusNotify;
    PDEVICE_OBJECT Pdo;
    PUNICODE_STRING DeviceName; /* NULL: PnP devices are unnamed */
} BATTERY_MINIPORT_INFO, *PBATTERY_MINIPORT_INFO;

/* MinorVersion BATTERY_CLASS_MINOR_VERSION_1; passed to
 * BatteryClassInitializeDevice cast to PBATTERY_MINIPORT_INFO. */
typedef struct {
    USHORT MajorVersion;
    USHORT MinorVersion;
    PVOID Context;
    BCLASS_QUERY_TAG QueryTag;
    BCLASS_QUERY_INFORMATION QueryInformation;
    BCLASS_SET_INFORMATION SetInformation;
    BCLASS_QUERY_STATUS QueryStatus;
    BCLASS_SET_STATUS_NOTIFY SetStatusNotify;
    BCLASS_DISABLE_STATUS_NOTIFY DisableStatusNotify;
    PDEVICE_OBJECT Pdo;
    PUNICODE_STRING DeviceName;
    PDEVICE_OBJECT Fdo;
} BATTERY_MINIPORT_INFO_V1_1, *PBATTERY_MINIPORT_INFO_V1_1;

/* Written by a V1.2 class driver to say what it supports; V1.0 and V1.1
 * class drivers leave it untouched. */
typedef union _BATTERY_CLASS_DRIVER_CAPABILITIES {
    struct {
        ULONG PeakPower : 1;
        ULONG BatteryPresentRateThreshold : 1;
        ULONG Reserved : 30;
    } Bits;
    ULONG AsUlong;
} BATTERY_CLASS_DRIVER_CAPABILITIES, *PBATTERY_CLASS_DRIVER_CAPABILITIES;

typedef struct {
    USHORT MajorVersion;
    USHORT MinorVersion; /* BATTERY_CLASS_MINOR_VERSION_2 */
    PVOID Context;
    BCLASS_QUERY_TAG QueryTag;
    BCLASS_QUERY_INFORMATION QueryInformation;
    BCLASS_SET_INFORMATION SetInformation;
    BCLASS_QUERY_STATUS QueryStatus;
    BCLASS_SET_STATUS_NOTIFY SetStatusNotify;
    BCLASS_DISABLE_STATUS_NOTIFY DisableStatusNotify;
    PDEVICE_OBJECT Pdo;
    PUNICODE_STRING DeviceName;
    PDEVICE_OBJECT Fdo;
    BATTERY_CLASS_DRIVER_CAPABILITIES ClassDriverCapabilities;
    BCLASS_QUERY_PEAK_POWER QueryPeakPower;
    BCLASS_SET_PEAK_POWER_NOTIFY SetPeakPowerNotify;
    BCLASS_DISABLE_PEAK_POWER_NOTIFY DisablePeakPowerNotify;
} BATTERY_MINIPORT_INFO_V1_2, *PBATTERY_MINIPORT_INFO_V1_2;
#endif /* !_WINDOWS_ */

/* Charging status reported through BatteryClassUpdateData (used for the
 * low-wattage charger indication). */
typedef enum BATTERY_CHARGING_STATE {
    BatteryNoPowerSupply = 0,
    BatteryInadequatePowerSupply = 1,
    BatteryAdequatePowerSupply = 2
} BATTERY_CHARGING_STATE;

/* Bit 0, then bits 1-2 (MSVC and GCC both allocate from the low bit). */
typedef struct _BATTERY_NON_CATASTROPHIC_EVENT {
    ULONG BatteryChargeLimitState : 1; /* 1 = battery is in charge-limit state */
    ULONG BatteryChargingState : 2;    /* a BATTERY_CHARGING_STATE */
    ULONG Reserved : 29;
} BATTERY_NON_CATASTROPHIC_EVENT, *PBATTERY_NON_CATASTROPHIC_EVENT;

#define BATTERY_MINIPORT_UPDATE_DATA_VER_1 0x00000001
#define BATTERY_MINIPORT_UPDATE_DATA_VER_2 0x00000002 /* docs: use this one */

typedef struct _BATTERY_MINIPORT_UPDATE_DATA {
    ULONG Version;
    BATTERY_NON_CATASTROPHIC_EVENT NotifyEvent;
} BATTERY_MINIPORT_UPDATE_DATA, *PBATTERY_MINIPORT_UPDATE_DATA;
typedef BATTERY_MINIPORT_UPDATE_DATA BATTERY_MINIPORT_UPDATE_DATA_V2;
typedef PBATTERY_MINIPORT_UPDATE_DATA PBATTERY_MINIPORT_UPDATE_DATA_V2;
#define BATTERY_MINIPORT_UPDATE_DATA_VER_1_SIZE sizeof(BATTERY_MINIPORT_UPDATE_DATA)
#define BATTERY_MINIPORT_UPDATE_DATA_VER_2_SIZE sizeof(BATTERY_MINIPORT_UPDATE_DATA_V2)

/* WMI data blocks (root\wmi, one instance per battery), in the order of the
 * *_WMI_GUIDs above. Capacities mWh, rates mW, voltage mV, time seconds. */
typedef struct _BATTERY_WMI_STATUS {
    ULONG Tag;
    ULONG RemainingCapacity;
    LONG ChargeRate;
    LONG DischargeRate;
    ULONG Voltage;
    BOOLEAN PowerOnline;
    BOOLEAN Charging;
    BOOLEAN Discharging;
    BOOLEAN Critical;
} BATTERY_WMI_STATUS, *PBATTERY_WMI_STATUS;

typedef struct _BATTERY_WMI_RUNTIME {
    ULONG Tag;
    ULONG EstimatedRuntime; /* seconds, or BATTERY_UNKNOWN_TIME */
} BATTERY_WMI_RUNTIME, *PBATTERY_WMI_RUNTIME;

typedef struct _BATTERY_WMI_TEMPERATURE {
    ULONG Tag;
    ULONG Temperature; /* unit undocumented; the IOCTL level uses 0.1 K */
} BATTERY_WMI_TEMPERATURE, *PBATTERY_WMI_TEMPERATURE;

typedef struct _BATTERY_WMI_FULL_CHARGED_CAPACITY {
    ULONG Tag;
    ULONG FullChargedCapacity;
} BATTERY_WMI_FULL_CHARGED_CAPACITY, *PBATTERY_WMI_FULL_CHARGED_CAPACITY;

typedef struct _BATTERY_WMI_CYCLE_COUNT {
    ULONG Tag;
    ULONG CycleCount;
} BATTERY_WMI_CYCLE_COUNT, *PBATTERY_WMI_CYCLE_COUNT;

/* Variable length. Strings holds four counted strings in a row (device
 * name, manufacture name, serial number, unique ID), each a USHORT byte
 * length followed by the UTF-16 text. Chemistry is four chars in a ULONG. */
typedef struct _BATTERY_WMI_STATIC_DATA {
    ULONG Tag;
    WCHAR ManufactureDate[25]; /* text; format undocumented */
    BATTERY_REPORTING_SCALE Granularity[4];
    ULONG Capabilities;
    UCHAR Technology;
    ULONG Chemistry;
    ULONG DesignedCapacity;
    ULONG DefaultAlert1;
    ULONG DefaultAlert2;
    ULONG CriticalBias;
    WCHAR Strings[1];
} BATTERY_WMI_STATIC_DATA, *PBATTERY_WMI_STATIC_DATA;

/* Event blocks. */
typedef struct _BATTERY_WMI_STATUS_CHANGE {
    ULONG Tag;
    BOOLEAN PowerOnline;
    BOOLEAN Charging;
    BOOLEAN Discharging;
    BOOLEAN Critical;
} BATTERY_WMI_STATUS_CHANGE, *PBATTERY_WMI_STATUS_CHANGE;

typedef struct _BATTERY_TAG_CHANGE {
    ULONG Tag;
} BATTERY_TAG_CHANGE, *PBATTERY_TAG_CHANGE;

#ifndef _WINDOWS_ /* the class driver's routines: kernel mode only */
/* Routines exported by the battery class driver. On Windows the macro is
 * an import unless BATTERYCLASS is defined; battkit's battc is a shared
 * object on Linux, so both sides see a default-visibility symbol. */
#ifndef BATTERYCLASSAPI
#define BATTERYCLASSAPI DECLSPEC_EXPORT
#endif

/* PASSIVE_LEVEL. Every callback in MiniportInfo must be filled; *ClassData
 * is the handle for every other BatteryClass* call (keep it nonpaged).
 * STATUS_SUCCESS, or STATUS_INSUFFICIENT_RESOURCES. */
NTSTATUS BATTERYCLASSAPI BatteryClassInitializeDevice(PBATTERY_MINIPORT_INFO MiniportInfo,
                                                      PVOID *ClassData);

/* PASSIVE_LEVEL. From Unload or IRP_MN_REMOVE_DEVICE; frees ClassData. */
NTSTATUS BATTERYCLASSAPI BatteryClassUnload(PVOID ClassData);

/* PASSIVE_LEVEL. Takes battery IOCTLs meant for this battery and returns
 * their status (often STATUS_PENDING), which the dispatch routine returns
 * unchanged; STATUS_NOT_SUPPORTED leaves the IRP untouched for the caller. */
NTSTATUS BATTERYCLASSAPI BatteryClassIoctl(PVOID ClassData, PIRP Irp);

/* <= DISPATCH_LEVEL. "Something changed": battc re-queries status (and
 * the tag) for whatever requests it holds. */
NTSTATUS BATTERYCLASSAPI BatteryClassStatusNotify(PVOID ClassData);

/* PASSIVE_LEVEL. Used instead of WmiSystemControl; WmiLibContext is a
 * PWMILIB_CONTEXT and Disposition a PSYSCTL_IRP_DISPOSITION (wmilib.h). */
NTSTATUS BATTERYCLASSAPI BatteryClassSystemControl(PVOID ClassData, PVOID WmiLibContext,
                                                   PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                   PVOID Disposition);

/* PASSIVE_LEVEL. Called first from DpWmiQueryDataBlock; any status but
 * STATUS_WMI_GUID_NOT_FOUND means battc completed the IRP.
 * InstanceLengthArray has one element; Buffer may be NULL. */
NTSTATUS BATTERYCLASSAPI BatteryClassQueryWmiDataBlock(PVOID ClassData, PDEVICE_OBJECT DeviceObject,
                                                       PIRP Irp, ULONG GuidIndex,
                                                       PULONG InstanceLengthArray,
                                                       ULONG OutBufferSize, PUCHAR Buffer);

/* <= DISPATCH_LEVEL. Peak-power counterpart of BatteryClassStatusNotify. */
NTSTATUS BATTERYCLASSAPI BatteryClassPeakPowerNotify(PVOID ClassData);

/* PASSIVE_LEVEL. Charge-limit state or charging state changed. */
NTSTATUS BATTERYCLASSAPI BatteryClassUpdateData(PVOID ClassData,
                                                PBATTERY_MINIPORT_UPDATE_DATA UpdateData);
#endif /* !_WINDOWS_ */

#endif /* BATTKIT_BATCLASS_H */

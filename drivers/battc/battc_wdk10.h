/* The WDK10 batclass.h/poclass.h additions battc uses, for builds against
 * headers that predate them (the mingw-w64 DDK, reference section 2.5):
 * same names, same layouts. battkit's include/ has them all, so nothing
 * here is compiled on Linux. */
#ifndef BATTC_WDK10_H
#define BATTC_WDK10_H

#ifndef BATTERY_CLASS_MINOR_VERSION_1
#define BATTERY_CLASS_MINOR_VERSION_1 0x0001
#define BATTERY_CLASS_MINOR_VERSION_2 0x0002

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

typedef union _BATTERY_CLASS_DRIVER_CAPABILITIES {
    struct {
        ULONG PeakPower : 1;
        ULONG BatteryPresentRateThreshold : 1;
        ULONG Reserved : 30;
    } Bits;
    ULONG AsUlong;
} BATTERY_CLASS_DRIVER_CAPABILITIES, *PBATTERY_CLASS_DRIVER_CAPABILITIES;

/* The three peak-power callbacks are only carried, never called. */
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
    BATTERY_CLASS_DRIVER_CAPABILITIES ClassDriverCapabilities;
    PVOID QueryPeakPower;
    PVOID SetPeakPowerNotify;
    PVOID DisablePeakPowerNotify;
} BATTERY_MINIPORT_INFO_V1_2, *PBATTERY_MINIPORT_INFO_V1_2;
#endif

#ifndef BATTERY_MINIPORT_UPDATE_DATA_VER_1
#define BATTERY_MINIPORT_UPDATE_DATA_VER_1 0x00000001
#define BATTERY_MINIPORT_UPDATE_DATA_VER_2 0x00000002

typedef enum BATTERY_CHARGING_STATE {
    BatteryNoPowerSupply = 0,
    BatteryInadequatePowerSupply = 1,
    BatteryAdequatePowerSupply = 2
} BATTERY_CHARGING_STATE;

typedef struct _BATTERY_NON_CATASTROPHIC_EVENT {
    ULONG BatteryChargeLimitState : 1;
    ULONG BatteryChargingState : 2;
    ULONG Reserved : 29;
} BATTERY_NON_CATASTROPHIC_EVENT, *PBATTERY_NON_CATASTROPHIC_EVENT;

typedef struct _BATTERY_MINIPORT_UPDATE_DATA {
    ULONG Version;
    BATTERY_NON_CATASTROPHIC_EVENT NotifyEvent;
} BATTERY_MINIPORT_UPDATE_DATA, *PBATTERY_MINIPORT_UPDATE_DATA;

NTSTATUS BATTERYCLASSAPI BatteryClassUpdateData(PVOID ClassData,
                                                PBATTERY_MINIPORT_UPDATE_DATA UpdateData);
NTSTATUS BATTERYCLASSAPI BatteryClassPeakPowerNotify(PVOID ClassData);
#endif

/* BATTERY_SET_INFORMATION_LEVEL 4 and 5 and their payloads (WDK10 only). */
#ifndef BATTERY_SET_CHARGER_ID_SUPPORTED
#define BatteryChargerId     ((BATTERY_SET_INFORMATION_LEVEL)4)
#define BatteryChargerStatus ((BATTERY_SET_INFORMATION_LEVEL)5)
typedef GUID BATTERY_CHARGER_ID, *PBATTERY_CHARGER_ID;
typedef struct _BATTERY_CHARGER_STATUS {
    ULONG Type; /* a BATTERY_CHARGING_SOURCE_TYPE */
    ULONG VaData[1];
} BATTERY_CHARGER_STATUS, *PBATTERY_CHARGER_STATUS;
#endif

#endif /* BATTC_WDK10_H */

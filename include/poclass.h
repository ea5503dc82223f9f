/* The battery interface a caller of the battery IOCTLs sees: the device
 * GUIDs, IOCTL_BATTERY_* codes, their constants, enums and buffers (x64
 * layouts of WDK10 poclass.h). The miniclass side lives in batclass.h.
 * A user-mode program includes <windows.h> first (_WINDOWS_ defined): the
 * types then come from ntdef.h and CTL_CODE from winioctl.h, not wdm.h. */

#ifdef _WINDOWS_
#include <ntdef.h>
#else
#include <wdm.h>
#endif

/* Outside the include guard, as in the WDK, so a file that includes
 * <initguid.h> first gets them defined even after an earlier include;
 * emitted at most once per mode so repeated includes do not redefine. */
#if defined(INITGUID) ? !defined(BATTKIT_POCLASS_GUIDS_DEFINED)                                    \
                      : !defined(BATTKIT_POCLASS_GUIDS_DECLARED)
#ifdef INITGUID
#define BATTKIT_POCLASS_GUIDS_DEFINED
#endif
#define BATTKIT_POCLASS_GUIDS_DECLARED
DEFINE_GUID(GUID_DEVICE_BATTERY, 0x72631e54, 0x78a4, 0x11d0, 0xbc, 0xf7, 0x00, 0xaa, 0x00, 0xb7,
            0xb3, 0x2a);
DEFINE_GUID(GUID_DEVICE_APPLICATIONLAUNCH_BUTTON, 0x629758ee, 0x986e, 0x4d9e, 0x8e, 0x47, 0xde,
            0x27, 0xf8, 0xab, 0x05, 0x4d);
DEFINE_GUID(GUID_DEVICE_SYS_BUTTON, 0x4afa3d53, 0x74a7, 0x11d0, 0xbe, 0x5e, 0x00, 0xa0, 0xc9, 0x06,
            0x28, 0x57);
DEFINE_GUID(GUID_DEVICE_LID, 0x4afa3d52, 0x74a7, 0x11d0, 0xbe, 0x5e, 0x00, 0xa0, 0xc9, 0x06, 0x28,
            0x57);
DEFINE_GUID(GUID_DEVICE_THERMAL_ZONE, 0x4afa3d51, 0x74a7, 0x11d0, 0xbe, 0x5e, 0x00, 0xa0, 0xc9,
            0x06, 0x28, 0x57);
DEFINE_GUID(GUID_DEVICE_FAN, 0x05ecd13d, 0x81da, 0x4a2a, 0x8a, 0x4c, 0x52, 0x4f, 0x23, 0xdd, 0x4d,
            0xc9);
DEFINE_GUID(GUID_DEVICE_PROCESSOR, 0x97fadb10, 0x4e33, 0x40ae, 0x35, 0x9c, 0x8b, 0xef, 0x02, 0x9d,
            0xbd, 0xd0);
DEFINE_GUID(GUID_DEVICE_MEMORY, 0x3fd0f03d, 0x92e0, 0x45fb, 0xb7, 0x5c, 0x5e, 0xd8, 0xff, 0xb0,
            0x10, 0x21);
DEFINE_GUID(GUID_DEVICE_ACPI_TIME, 0x97f99bf6, 0x4497, 0x4f18, 0xbb, 0x22, 0x4b, 0x9f, 0xb2, 0xfb,
            0xef, 0x9c);
DEFINE_GUID(GUID_DEVICE_MESSAGE_INDICATOR, 0xcd48a365, 0xfa94, 0x4ce2, 0xa2, 0x32, 0xa1, 0xb7, 0x64,
            0xe5, 0xd8, 0xb4);
DEFINE_GUID(GUID_DEVICE_POWER_ADAPTER, 0xf76c6c62, 0x7dea, 0x43cd, 0x86, 0x89, 0xd9, 0xa4, 0xaf,
            0x3d, 0x85, 0x57);
/* The same value as hidclass.h's GUID_CLASS_INPUT; poclass.h repeats it. */
DEFINE_GUID(GUID_CLASS_INPUT, 0x4d1e55b2, 0xf16f, 0x11cf, 0x88, 0xcb, 0x00, 0x11, 0x11, 0x00, 0x00,
            0x30);
#endif

#ifndef BATTKIT_POCLASS_H
#define BATTKIT_POCLASS_H

/* All METHOD_BUFFERED. SET_INFORMATION needs a handle opened for write. */
#define IOCTL_BATTERY_QUERY_TAG                                                                    \
    CTL_CODE(FILE_DEVICE_BATTERY, 0x10, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_BATTERY_QUERY_INFORMATION                                                            \
    CTL_CODE(FILE_DEVICE_BATTERY, 0x11, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_BATTERY_SET_INFORMATION                                                              \
    CTL_CODE(FILE_DEVICE_BATTERY, 0x12, METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_BATTERY_QUERY_STATUS                                                                 \
    CTL_CODE(FILE_DEVICE_BATTERY, 0x13, METHOD_BUFFERED, FILE_READ_ACCESS)
/* Header comment: Windows Phone "source change notification"; its buffers
 * are undocumented (BATTERY_CHARGING_SOURCE_INFORMATION is its pair). */
#define IOCTL_BATTERY_CHARGING_SOURCE_CHANGE                                                       \
    CTL_CODE(FILE_DEVICE_BATTERY, 0x14, METHOD_BUFFERED, FILE_READ_ACCESS)

/* BATTERY_INFORMATION.Capabilities */
#define BATTERY_SYSTEM_BATTERY               0x80000000 /* can power the whole system */
#define BATTERY_CAPACITY_RELATIVE            0x40000000 /* capacity/rate not in mWh/mW */
#define BATTERY_IS_SHORT_TERM                0x20000000 /* fail-safe / UPS use */
#define BATTERY_SEALED                       0x10000000
#define BATTERY_SET_CHARGE_SUPPORTED         0x00000001
#define BATTERY_SET_DISCHARGE_SUPPORTED      0x00000002
#define BATTERY_SET_CHARGINGSOURCE_SUPPORTED 0x00000004
#define BATTERY_SET_CHARGER_ID_SUPPORTED     0x00000008

/* BATTERY_STATUS.PowerState, BATTERY_WAIT_STATUS.PowerState, BATTERY_NOTIFY */
#define BATTERY_POWER_ON_LINE 0x00000001
#define BATTERY_DISCHARGING   0x00000002
#define BATTERY_CHARGING      0x00000004
#define BATTERY_CRITICAL      0x00000008 /* the pack's own hardware-critical state */

/* "Not known" values. A rate is a LONG: 0x80000000 reads as INT32_MIN. */
#define BATTERY_UNKNOWN_CAPACITY 0xFFFFFFFF
#define UNKNOWN_CAPACITY         BATTERY_UNKNOWN_CAPACITY
#define BATTERY_UNKNOWN_VOLTAGE  0xFFFFFFFF
#define UNKNOWN_VOLTAGE          BATTERY_UNKNOWN_VOLTAGE
#define BATTERY_UNKNOWN_RATE     0x80000000
#define UNKNOWN_RATE             BATTERY_UNKNOWN_RATE
#define BATTERY_UNKNOWN_CURRENT  0xFFFFFFFF
#define UNKNOWN_CURRENT          BATTERY_UNKNOWN_CURRENT
#define BATTERY_UNKNOWN_TIME     0xFFFFFFFF

/* docs: a tag is nonzero; 0 means "no battery". */
#define BATTERY_TAG_INVALID 0

/* Storage size in bytes for the string information levels. */
#define MAX_BATTERY_STRING_SIZE 128

/* BATTERY_USB_CHARGER_STATUS.Flags */
#define BATTERY_USB_CHARGER_STATUS_FN_DEFAULT_USB 0x00000001 /* Type-C in default USB mode */
#define BATTERY_USB_CHARGER_STATUS_UCM_PD         0x00000002 /* USB-PD contract in place */

typedef enum {
    BatteryInformation = 0,            /* BATTERY_INFORMATION */
    BatteryGranularityInformation = 1, /* 1..4 BATTERY_REPORTING_SCALE */
    BatteryTemperature = 2,            /* ULONG, tenths of a kelvin */
    BatteryEstimatedTime = 3,          /* ULONG, seconds, or BATTERY_UNKNOWN_TIME */
    BatteryDeviceName = 4,             /* NUL-terminated UTF-16 */
    BatteryManufactureDate = 5,        /* BATTERY_MANUFACTURE_DATE */
    BatteryManufactureName = 6,        /* NUL-terminated UTF-16 */
    BatteryUniqueID = 7,               /* NUL-terminated UTF-16, not for display */
    BatterySerialNumber = 8            /* NUL-terminated UTF-16 */
} BATTERY_QUERY_INFORMATION_LEVEL;

typedef enum {
    BatteryCriticalBias = 0,
    BatteryCharge = 1,
    BatteryDischarge = 2,
    BatteryChargingSource = 3, /* payload BATTERY_CHARGING_SOURCE */
    BatteryChargerId = 4,      /* payload BATTERY_CHARGER_ID */
    BatteryChargerStatus = 5   /* payload BATTERY_CHARGER_STATUS */
} BATTERY_SET_INFORMATION_LEVEL;

/* WDK10 values: no _None member, AC is 1 "for backwards compatibility". */
typedef enum _BATTERY_CHARGING_SOURCE_TYPE {
    BatteryChargingSourceType_AC = 1,
    BatteryChargingSourceType_USB = 2,
    BatteryChargingSourceType_Wireless = 3,
    BatteryChargingSourceType_Max = 4
} BATTERY_CHARGING_SOURCE_TYPE,
    *PBATTERY_CHARGING_SOURCE_TYPE;

typedef enum _USB_CHARGER_PORT {
    UsbChargerPort_Legacy = 0,
    UsbChargerPort_TypeC = 1,
    UsbChargerPort_Max = 2
} USB_CHARGER_PORT,
    *PUSB_CHARGER_PORT;

/* winnt.h/ntpoapi.h type in Windows; another header that defines it first
 * must also define BATTKIT_BATTERY_REPORTING_SCALE_DEFINED. */
#ifndef BATTKIT_BATTERY_REPORTING_SCALE_DEFINED
#define BATTKIT_BATTERY_REPORTING_SCALE_DEFINED
/* Entry i covers reported capacities from entry i-1's Capacity (0 for the
 * first) up to its own Capacity, in steps of Granularity (mWh). */
typedef struct {
    ULONG Granularity;
    ULONG Capacity;
} BATTERY_REPORTING_SCALE, *PBATTERY_REPORTING_SCALE;
#endif

typedef struct _BATTERY_QUERY_INFORMATION {
    ULONG BatteryTag;
    BATTERY_QUERY_INFORMATION_LEVEL InformationLevel;
    /* ULONG in the headers, LONG in the docs: treat as signed mW, negative
     * = discharge; used only with BatteryEstimatedTime. */
    ULONG AtRate;
} BATTERY_QUERY_INFORMATION, *PBATTERY_QUERY_INFORMATION;

typedef struct _BATTERY_INFORMATION {
    ULONG Capabilities; /* BATTERY_SYSTEM_BATTERY, BATTERY_SET_* ... */
    UCHAR Technology;   /* 0 primary, 1 rechargeable */
    UCHAR Reserved[3];
    UCHAR Chemistry[4];        /* "LION", "NiMH" ...; not NUL-terminated */
    ULONG DesignedCapacity;    /* mWh (or relative) when new */
    ULONG FullChargedCapacity; /* mWh (or relative) now */
    ULONG DefaultAlert1;       /* manufacturer "low" alert, mWh */
    ULONG DefaultAlert2;       /* manufacturer "warning" alert, mWh */
    ULONG CriticalBias;        /* mWh hidden below the reported zero */
    ULONG CycleCount;          /* 0 if not supported */
} BATTERY_INFORMATION, *PBATTERY_INFORMATION;

typedef struct _BATTERY_CHARGING_SOURCE {
    BATTERY_CHARGING_SOURCE_TYPE Type;
    ULONG MaxCurrent; /* mA */
} BATTERY_CHARGING_SOURCE, *PBATTERY_CHARGING_SOURCE;

typedef struct _BATTERY_CHARGING_SOURCE_INFORMATION {
    BATTERY_CHARGING_SOURCE_TYPE Type;
    BOOLEAN SourceOnline;
} BATTERY_CHARGING_SOURCE_INFORMATION, *PBATTERY_CHARGING_SOURCE_INFORMATION;

typedef GUID BATTERY_CHARGER_ID, *PBATTERY_CHARGER_ID;

/* Variable length: type-specific data follows Type. */
typedef struct _BATTERY_CHARGER_STATUS {
    BATTERY_CHARGING_SOURCE_TYPE Type;
    ULONG VaData[ANYSIZE_ARRAY];
} BATTERY_CHARGER_STATUS, *PBATTERY_CHARGER_STATUS;

typedef struct _BATTERY_USB_CHARGER_STATUS {
    BATTERY_CHARGING_SOURCE_TYPE Type; /* BatteryChargingSourceType_USB */
    ULONG Reserved;
    ULONG Flags;      /* BATTERY_USB_CHARGER_STATUS_* */
    ULONG MaxCurrent; /* mA; 0 = unknown for an OEM charger */
    ULONG Voltage;    /* mV; 0 = unknown for an OEM charger */
    USB_CHARGER_PORT PortType;
    ULONGLONG PortId;             /* 0 = unknown */
    PVOID PowerSourceInformation; /* USB: a USBFN_PORT_TYPE value */
    BATTERY_CHARGER_ID OemCharger;
} BATTERY_USB_CHARGER_STATUS, *PBATTERY_USB_CHARGER_STATUS;

/* Variable length: sizeof is 12 but the payload starts at Buffer (8) and
 * BatteryCharge/BatteryDischarge carry none. */
typedef struct _BATTERY_SET_INFORMATION {
    ULONG BatteryTag;
    BATTERY_SET_INFORMATION_LEVEL InformationLevel;
    UCHAR Buffer[1];
} BATTERY_SET_INFORMATION, *PBATTERY_SET_INFORMATION;

/* Timeout in ms: 0 = answer at once, 0xFFFFFFFF = no time limit. The wait
 * ends when PowerState differs, or capacity leaves [Low, High]. */
typedef struct _BATTERY_WAIT_STATUS {
    ULONG BatteryTag;
    ULONG Timeout;
    ULONG PowerState;
    ULONG LowCapacity;
    ULONG HighCapacity;
} BATTERY_WAIT_STATUS, *PBATTERY_WAIT_STATUS;

typedef struct _BATTERY_STATUS {
    ULONG PowerState; /* BATTERY_POWER_ON_LINE | _DISCHARGING | _CHARGING | _CRITICAL */
    ULONG Capacity;   /* mWh (or relative), or BATTERY_UNKNOWN_CAPACITY */
    ULONG Voltage;    /* mV, or BATTERY_UNKNOWN_VOLTAGE */
    LONG Rate;        /* mW, positive = charging, or BATTERY_UNKNOWN_RATE */
} BATTERY_STATUS, *PBATTERY_STATUS;

/* Gregorian date as numbers (not ASCII). */
typedef struct _BATTERY_MANUFACTURE_DATE {
    UCHAR Day;   /* 1..31 */
    UCHAR Month; /* 1..12 */
    USHORT Year; /* e.g. 2024 */
} BATTERY_MANUFACTURE_DATE, *PBATTERY_MANUFACTURE_DATE;

#endif /* BATTKIT_POCLASS_H */

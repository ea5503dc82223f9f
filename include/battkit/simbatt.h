/* simbatt's private control interface: the device interface GUID it
 * registers on its PDO, its IOCTLs and their buffers, and the state blob it
 * keeps in the device's registry key. Everything that changes the battery
 * needs a handle opened for write (FILE_WRITE_ACCESS in the code); only
 * IOCTL_SIMBATT_GET_STATE works on a read-only handle. Units are those of
 * poclass.h: mWh (or relative), mW, mV, tenths of kelvin, seconds. */

/* poclass.h (or batclass.h, which includes it) may come first; mingw-w64's
 * copy has no include guard around its GUIDs, so include it only once. */
#ifndef IOCTL_BATTERY_QUERY_TAG
#include <poclass.h>
#endif

/* Outside the include guard, as poclass.h does, so a file that includes
 * <initguid.h> first gets the GUID defined even after an earlier include. */
#if defined(INITGUID) ? !defined(BATTKIT_SIMBATT_GUIDS_DEFINED)                                    \
                      : !defined(BATTKIT_SIMBATT_GUIDS_DECLARED)
#ifdef INITGUID
#define BATTKIT_SIMBATT_GUIDS_DEFINED
#endif
#define BATTKIT_SIMBATT_GUIDS_DECLARED
/* {AE761A3D-91FC-46DA-A009-B3E06BA423F3}: battkit's own, not SimBatt's. */
DEFINE_GUID(GUID_DEVINTERFACE_BATTKIT_SIMBATT, 0xae761a3d, 0x91fc, 0x46da, 0xa0, 0x09, 0xb3, 0xe0,
            0x6b, 0xa4, 0x23, 0xf3);
#endif

#ifndef BATTKIT_SIMBATT_H
#define BATTKIT_SIMBATT_H

/* The hardware ID simbatt's INF binds to (root-enumerated). */
#define SIMBATT_HARDWARE_ID "SIMBATT\\Battery"

/* Function codes 0x900.. of FILE_DEVICE_BATTERY, METHOD_BUFFERED. */
#define SIMBATT_CTL(n, access)     CTL_CODE(FILE_DEVICE_BATTERY, 0x900 + (n), METHOD_BUFFERED, (access))
#define SIMBATT_CTL_FIRST_FUNCTION 0x900
#define SIMBATT_CTL_LAST_FUNCTION  0x9FF

/* in BATTERY_STATUS. PowerState only BATTERY_POWER_ON_LINE, _DISCHARGING,
 * _CHARGING, _CRITICAL, never charging and discharging at once; Rate
 * positive only when charging, negative only when discharging (or
 * BATTERY_UNKNOWN_RATE); Capacity at most FullChargedCapacity (or
 * BATTERY_UNKNOWN_CAPACITY). Taking AC away ends a BatteryCharge or
 * BatteryDischarge request. */
#define IOCTL_SIMBATT_SET_STATUS SIMBATT_CTL(0x00, FILE_WRITE_ACCESS)
/* in BATTERY_INFORMATION. Capabilities only SIMBATT_CAPABILITIES_VALID;
 * Technology 0 or 1; DesignedCapacity and FullChargedCapacity nonzero;
 * alerts at most FullChargedCapacity; CriticalBias below it. A new tag. */
#define IOCTL_SIMBATT_SET_INFORMATION SIMBATT_CTL(0x01, FILE_WRITE_ACCESS)
/* in SIMBATT_STRING (variable length). An empty string makes the level
 * unsupported (STATUS_INVALID_DEVICE_REQUEST). A new tag. */
#define IOCTL_SIMBATT_SET_STRING SIMBATT_CTL(0x02, FILE_WRITE_ACCESS)
/* in BATTERY_MANUFACTURE_DATE: a real Gregorian date, year 1900..2100, or
 * all zero for "unknown" (level unsupported). A new tag. */
#define IOCTL_SIMBATT_SET_MANUFACTURE_DATE SIMBATT_CTL(0x03, FILE_WRITE_ACCESS)
/* in SIMBATT_GRANULARITY: Count 0 (level unsupported) to 4, Capacity
 * strictly increasing, Granularity nonzero. A new tag. */
#define IOCTL_SIMBATT_SET_GRANULARITY SIMBATT_CTL(0x04, FILE_WRITE_ACCESS)
/* in ULONG, tenths of kelvin, 1..SIMBATT_MAX_TEMPERATURE; 0 makes the
 * level unsupported. No notification: temperature has none (docs). */
#define IOCTL_SIMBATT_SET_TEMPERATURE SIMBATT_CTL(0x05, FILE_WRITE_ACCESS)
/* in ULONG seconds: what BatteryEstimatedTime answers for AtRate 0 instead
 * of the computed value; BATTERY_UNKNOWN_TIME is allowed;
 * SIMBATT_TIME_COMPUTED goes back to computing it. */
#define IOCTL_SIMBATT_SET_ESTIMATED_TIME SIMBATT_CTL(0x06, FILE_WRITE_ACCESS)
/* no buffers. Insertion gives a new tag (docs: on every insertion, even of
 * the same battery); both refuse a battery already in that state with
 * STATUS_INVALID_DEVICE_STATE. */
#define IOCTL_SIMBATT_INSERT_BATTERY SIMBATT_CTL(0x07, FILE_WRITE_ACCESS)
#define IOCTL_SIMBATT_REMOVE_BATTERY SIMBATT_CTL(0x08, FILE_WRITE_ACCESS)
/* in SIMBATT_FAULTS: the faults in force from now on (replacing the
 * previous set) and an optional one-time capacity drop. */
#define IOCTL_SIMBATT_SET_FAULTS SIMBATT_CTL(0x09, FILE_WRITE_ACCESS)
/* out SIMBATT_STATE. Changes nothing, so a read-only handle may ask. */
#define IOCTL_SIMBATT_GET_STATE SIMBATT_CTL(0x0A, FILE_READ_ACCESS)
/* in SIMBATT_MODEL_NAME: drive the battery from the emulated platform's
 * battery of that name (include/battkit/platform.h). While attached the
 * model owns the battery's data: the setters of status, information,
 * strings, date, granularity, temperature, insertion and the capacity drop
 * answer STATUS_INVALID_DEVICE_STATE. STATUS_OBJECT_NAME_NOT_FOUND when the
 * host has no platform, STATUS_NOT_FOUND when it has no such battery. */
#define IOCTL_SIMBATT_ATTACH_MODEL SIMBATT_CTL(0x0B, FILE_WRITE_ACCESS)
/* no buffers. The battery keeps the model's last values and is driven by
 * the control IOCTLs again. */
#define IOCTL_SIMBATT_DETACH_MODEL SIMBATT_CTL(0x0C, FILE_WRITE_ACCESS)

/* BATTERY_INFORMATION.Capabilities simbatt accepts. The BATTERY_SET_* bits
 * decide which IOCTL_BATTERY_SET_INFORMATION levels it takes. */
#define SIMBATT_CAPABILITIES_VALID                                                                 \
    (BATTERY_SYSTEM_BATTERY | BATTERY_CAPACITY_RELATIVE | BATTERY_IS_SHORT_TERM | BATTERY_SEALED | \
     BATTERY_SET_CHARGE_SUPPORTED | BATTERY_SET_DISCHARGE_SUPPORTED |                              \
     BATTERY_SET_CHARGINGSOURCE_SUPPORTED)

/* 400.0 degC: anything hotter is not a battery reading. */
#define SIMBATT_MAX_TEMPERATURE 6732u
#define SIMBATT_TIME_COMPUTED   0xFFFFFFFEu

/* MAX_BATTERY_STRING_SIZE bytes of UTF-16, the NUL included. */
#define SIMBATT_MAX_STRING_CHARS (MAX_BATTERY_STRING_SIZE / 2)
#define SIMBATT_MAX_GRANULARITY  4
#define SIMBATT_MAX_MODEL_NAME   32 /* BATTKIT_PLATFORM_DEVICE.Name */

/* SIMBATT_BATTERY.Strings index. */
#define SIMBATT_STRING_DEVICE_NAME      0
#define SIMBATT_STRING_MANUFACTURE_NAME 1
#define SIMBATT_STRING_UNIQUE_ID        2
#define SIMBATT_STRING_SERIAL_NUMBER    3
#define SIMBATT_STRING_COUNT            4

/* Faults (SIMBATT_FAULTS.Faults, SIMBATT_STATE.Faults). */
/* The battery does not answer: its presence cannot be determined, so
 * QueryTag and every other callback answer STATUS_NO_SUCH_DEVICE (docs).
 * When it answers again it has a new tag (docs: tags change after lost
 * communication). */
#define SIMBATT_FAULT_NO_ANSWER 0x00000001
/* QueryTag answers a tag that the other callbacks reject with
 * STATUS_NO_SUCH_DEVICE. */
#define SIMBATT_FAULT_WRONG_TAG 0x00000002
/* BATTERY_CRITICAL forced on in the reported PowerState. */
#define SIMBATT_FAULT_CRITICAL 0x00000004
/* The reported status freezes at its value when the fault was set; no
 * notification until it is cleared. */
#define SIMBATT_FAULT_STUCK 0x00000008
#define SIMBATT_FAULTS_VALID                                                                       \
    (SIMBATT_FAULT_NO_ANSWER | SIMBATT_FAULT_WRONG_TAG | SIMBATT_FAULT_CRITICAL |                  \
     SIMBATT_FAULT_STUCK)

/* SIMBATT_STATE.ChargeControl: the last BatteryCharge / BatteryDischarge
 * request, in force while on AC. */
#define SIMBATT_CHARGE_AUTO            0
#define SIMBATT_CHARGE_FORCE_CHARGE    1
#define SIMBATT_CHARGE_FORCE_DISCHARGE 2

typedef struct _SIMBATT_STRING {
    ULONG
    Level; /* BatteryDeviceName, BatteryManufactureName, BatteryUniqueID, BatterySerialNumber */
    WCHAR String[SIMBATT_MAX_STRING_CHARS]; /* NUL-terminated; the buffer may end after the NUL */
} SIMBATT_STRING, *PSIMBATT_STRING;

typedef struct _SIMBATT_GRANULARITY {
    ULONG Count;
    BATTERY_REPORTING_SCALE Scale[SIMBATT_MAX_GRANULARITY];
} SIMBATT_GRANULARITY, *PSIMBATT_GRANULARITY;

typedef struct _SIMBATT_FAULTS {
    ULONG Faults;              /* SIMBATT_FAULT_*, replacing those in force */
    ULONG CapacityDropPercent; /* 0..100: remaining capacity falls now by this many percent of
                                  the full charged capacity (clamped at 0) */
} SIMBATT_FAULTS, *PSIMBATT_FAULTS;

typedef struct _SIMBATT_MODEL_NAME {
    CHAR Name[SIMBATT_MAX_MODEL_NAME]; /* NUL-terminated machine-file name, e.g. "BAT0" */
} SIMBATT_MODEL_NAME, *PSIMBATT_MODEL_NAME;

/* The battery as stored: what the control IOCTLs set and SavedState keeps.
 * Reported values derive from it (critical bias, charge control, faults,
 * or the model while one is attached). */
typedef struct _SIMBATT_BATTERY {
    BOOLEAN Present;
    UCHAR Reserved[3];
    ULONG Tag;     /* BATTERY_TAG_INVALID while absent */
    ULONG LastTag; /* the last tag issued; the next is one more, skipping 0 */
    BATTERY_STATUS Status;
    BATTERY_INFORMATION Information; /* CriticalBias: the BatteryCriticalBias in force */
    ULONG GranularityCount;          /* 0: level unsupported */
    BATTERY_REPORTING_SCALE Granularity[SIMBATT_MAX_GRANULARITY];
    ULONG Temperature;   /* tenths of kelvin; 0: level unsupported */
    ULONG EstimatedTime; /* seconds; SIMBATT_TIME_COMPUTED: computed from the rate */
    BATTERY_MANUFACTURE_DATE ManufactureDate; /* all zero: level unsupported */
    ULONG ChargingSourceType; /* the last BatteryChargingSource's Type; 0: never set */
    ULONG MaxChargingCurrent; /* mA, from it; BATTERY_UNKNOWN_CURRENT: never set */
    WCHAR Strings[SIMBATT_STRING_COUNT][SIMBATT_MAX_STRING_CHARS]; /* "": level unsupported */
    CHAR ModelName[SIMBATT_MAX_MODEL_NAME]; /* the attached model; "" for none */
} SIMBATT_BATTERY, *PSIMBATT_BATTERY;

/* REG_BINARY value "SavedState" of the device's hardware key, written on
 * every control change while the REG_DWORD "PersistState" there is 1 and
 * loaded at IRP_MN_START_DEVICE. A blob of another version or size, or one
 * that fails the control IOCTLs' checks, is ignored. */
#define SIMBATT_SAVED_STATE_VERSION 1
typedef struct _SIMBATT_SAVED_STATE {
    ULONG Version; /* SIMBATT_SAVED_STATE_VERSION */
    ULONG Size;    /* sizeof(SIMBATT_SAVED_STATE) */
    SIMBATT_BATTERY Battery;
} SIMBATT_SAVED_STATE, *PSIMBATT_SAVED_STATE;

#define SIMBATT_STATE_VERSION 1
typedef struct _SIMBATT_STATE {
    ULONG Version; /* SIMBATT_STATE_VERSION */
    ULONG Size;    /* sizeof(SIMBATT_STATE) */
    SIMBATT_BATTERY Battery;
    ULONG Faults;        /* SIMBATT_FAULT_* in force */
    ULONG ChargeControl; /* SIMBATT_CHARGE_* */
    BOOLEAN ModelAttached;
    BOOLEAN NotifyArmed;    /* the class driver's BATTERY_NOTIFY is in force */
    BOOLEAN PersistEnabled; /* PersistState is 1 */
    UCHAR Reserved;
    BATTERY_NOTIFY Notify;
    /* What the BatteryMini* callbacks answer now. ReportedTag is
     * BATTERY_TAG_INVALID when QueryTag answers STATUS_NO_SUCH_DEVICE. */
    ULONG ReportedTag;
    BATTERY_STATUS ReportedStatus;
    BATTERY_INFORMATION ReportedInformation;
    ULONG NotifyCount; /* BatteryClassStatusNotify calls since the device started */
} SIMBATT_STATE, *PSIMBATT_STATE;

#endif /* BATTKIT_SIMBATT_H */

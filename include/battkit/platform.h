/* The emulated platform (firmware) interface: how battkit's emulated bus
 * drivers (acpi) and simulated batteries (simbatt) reach the machine the
 * host simulates - its batteries' physics and its AC adapters - without any
 * host-private header. A driver opens the named device
 * BATTKIT_PLATFORM_DEVICE_NAME with IoGetDeviceObjectPointer and sends
 * IOCTL_BATTKIT_PLATFORM_QUERY_INTERFACE (an internal device control, output
 * BATTKIT_PLATFORM_INTERFACE) to get the function table below. Units are the
 * ACPI ones: mWh, mW, mV, tenths of kelvin.
 *
 * The request is METHOD_NEITHER: the output buffer (at least
 * sizeof(BATTKIT_PLATFORM_INTERFACE)) is Irp->UserBuffer; the optional input
 * is a ULONG, the interface version asked for (at most
 * BATTKIT_PLATFORM_INTERFACE_VERSION). The interface comes back referenced:
 * call Header.InterfaceDereference(Header.Context) when done with it (after
 * RegisterEvents(NULL)). Every routine is called at PASSIVE_LEVEL. */
#ifndef BATTKIT_PLATFORM_H
#define BATTKIT_PLATFORM_H

#include <wdm.h>

#define BATTKIT_PLATFORM_DEVICE_NAME L"\\Device\\BattkitPlatform"
#define IOCTL_BATTKIT_PLATFORM_QUERY_INTERFACE                                                     \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0xB01, METHOD_NEITHER, FILE_ANY_ACCESS)
#define BATTKIT_PLATFORM_INTERFACE_VERSION 1

typedef enum _BATTKIT_DEVICE_KIND {
    BattkitDeviceBattery = 1,   /* PNP0C0A control-method battery */
    BattkitDeviceAcAdapter = 2, /* ACPI0003 power source */
} BATTKIT_DEVICE_KIND;

/* Where a machine's device sits: the bus driver that should report it. */
typedef enum _BATTKIT_DEVICE_BUS {
    BattkitBusAcpi = 1,
    BattkitBusSimbatt = 2, /* a simulated battery driven by simbatt */
    BattkitBusNut = 3,
} BATTKIT_DEVICE_BUS;

typedef struct _BATTKIT_PLATFORM_DEVICE {
    BATTKIT_DEVICE_KIND Kind;
    BATTKIT_DEVICE_BUS Bus;
    ULONG Uid;           /* _UID: stable across insert/remove */
    CHAR Name[32];       /* machine-file name, e.g. "BAT0" */
    CHAR HardwareId[16]; /* "PNP0C0A" / "ACPI0003" */
} BATTKIT_PLATFORM_DEVICE, *PBATTKIT_PLATFORM_DEVICE;

/* Firmware shape of a battery, so the emulated ACPI bus can answer with the
 * packages real firmware would. */
#define BATTKIT_FIRMWARE_BIX      0 /* _BIX (revision 0) and _BIF */
#define BATTKIT_FIRMWARE_BIF_ONLY 1 /* an older firmware with only _BIF */

/* Faults the platform can inject (bit flags). */
#define BATTKIT_FAULT_NO_ANSWER 0x01 /* methods fail: the EC does not answer */
#define BATTKIT_FAULT_STUCK     0x02 /* readings frozen at their last value */
#define BATTKIT_FAULT_SENSOR    0x04 /* rate/voltage unknown (0xFFFFFFFF) */
#define BATTKIT_FAULT_CRITICAL  0x08 /* the critical bit forced on */
#define BATTKIT_FAULT_WRONG_TAG 0x10 /* simbatt: answer with a stale tag */

/* _BST state bits. */
#define BATTKIT_BST_DISCHARGING 0x1
#define BATTKIT_BST_CHARGING    0x2
#define BATTKIT_BST_CRITICAL    0x4

#define BATTKIT_UNKNOWN 0xFFFFFFFFu

typedef struct _BATTKIT_BATTERY_READING {
    BOOLEAN Present;
    UCHAR FirmwareKind; /* BATTKIT_FIRMWARE_* */
    USHORT ManufactureYear;
    UCHAR ManufactureMonth;
    UCHAR ManufactureDay;
    UCHAR Reserved[2];
    /* static (_BIX/_BIF); capacities in mWh, voltages in mV */
    ULONG PowerUnit; /* 0: mW/mWh (the only one Windows accepts) */
    ULONG DesignCapacity;
    ULONG FullChargeCapacity;
    ULONG Technology; /* 1 = rechargeable */
    ULONG DesignVoltage;
    ULONG WarningCapacity;
    ULONG LowCapacity;
    ULONG CycleCount;
    ULONG Granularity1;
    ULONG Granularity2;
    CHAR Model[32];
    CHAR Serial[32];
    CHAR Type[16]; /* chemistry text, e.g. "LION" */
    CHAR Oem[32];
    /* dynamic (_BST) */
    ULONG State;             /* BATTKIT_BST_* */
    ULONG PresentRate;       /* mW, magnitude; BATTKIT_UNKNOWN if unknown */
    ULONG RemainingCapacity; /* mWh */
    ULONG PresentVoltage;    /* mV */
    ULONG Temperature;       /* tenths of kelvin */
    ULONG Faults;            /* BATTKIT_FAULT_* in force */
} BATTKIT_BATTERY_READING, *PBATTKIT_BATTERY_READING;

/* Platform notifications, ACPI Notify values. */
#define BATTKIT_NOTIFY_STATUS       0x80 /* re-read _BST / _PSR */
#define BATTKIT_NOTIFY_INFORMATION  0x81 /* re-read _BIX / _BIF */
#define BATTKIT_NOTIFY_DEVICE_CHECK 0x01 /* presence changed: re-read _STA */

/* Called at PASSIVE_LEVEL from a host worker, never on the stack of a call
 * into the platform. */
typedef VOID BATTKIT_PLATFORM_EVENT_CALLBACK(PVOID CallbackContext, ULONG DeviceIndex,
                                             ULONG NotifyValue);
typedef BATTKIT_PLATFORM_EVENT_CALLBACK *PBATTKIT_PLATFORM_EVENT_CALLBACK;

typedef struct _BATTKIT_PLATFORM_INTERFACE {
    INTERFACE Header; /* Size, Version, Context, InterfaceReference/Dereference */
    ULONG (*GetDeviceCount)(PVOID Context);
    NTSTATUS (*GetDevice)(PVOID Context, ULONG Index, PBATTKIT_PLATFORM_DEVICE Device);
    /* Brings the physics up to the host clock, then reads. STATUS_IO_TIMEOUT
     * when a NO_ANSWER fault is injected. */
    NTSTATUS (*ReadBattery)(PVOID Context, ULONG Index, PBATTKIT_BATTERY_READING Reading);
    NTSTATUS (*ReadAcAdapter)(PVOID Context, ULONG Index, PBOOLEAN Online);
    /* _BTP: notify BATTKIT_NOTIFY_STATUS when remaining capacity crosses
     * CapacityMwh; 0 clears the trip point. */
    NTSTATUS (*SetTripPoint)(PVOID Context, ULONG Index, ULONG CapacityMwh);
    /* One listener per interface instance; NULL callback unregisters. */
    NTSTATUS (*RegisterEvents)
    (PVOID Context, PBATTKIT_PLATFORM_EVENT_CALLBACK Callback, PVOID CallbackContext);
} BATTKIT_PLATFORM_INTERFACE, *PBATTKIT_PLATFORM_INTERFACE;

#endif

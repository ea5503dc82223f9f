/* battkit's emulated ACPI bus driver: private declarations. The FDO sits on
 * the root device ACPI_HAL\PNP0C08 and enumerates one child PDO per ACPI
 * device of the simulated machine (PNP0C0A batteries, ACPI0003 adapters),
 * which it reads through the platform interface (battkit/platform.h). A
 * child answers IOCTL_ACPI_EVAL_METHOD for its control methods and hands
 * Notify() to its function driver through GUID_ACPI_INTERFACE_STANDARD.
 * Written against include/ only. */
#ifndef BATTKIT_DRIVERS_ACPI_H
#define BATTKIT_DRIVERS_ACPI_H

#include <wdm.h>
#include <acpiioct.h>
#include <wdmguid.h>
#include <battkit/platform.h>

#define ACPI_TAG 'ipcA'
/* The version of ACPI_INTERFACE_STANDARD this bus answers. */
#define ACPI_STANDARD_INTERFACE_VERSION 1

typedef enum _ACPI_EXTENSION_KIND {
    AcpiExtensionFdo = 0x4f444641, /* "AFDO" */
    AcpiExtensionPdo = 0x4f445041, /* "APDO" */
} ACPI_EXTENSION_KIND;

typedef struct _ACPI_FDO_EXTENSION {
    ACPI_EXTENSION_KIND Kind;
    PDEVICE_OBJECT Self;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT Lower;
    /* Held by every child's method evaluation and the platform callback,
     * so REMOVE can wait them out before letting the platform go. */
    IO_REMOVE_LOCK RemoveLock;
    PFILE_OBJECT PlatformFile; /* keeps \Device\BattkitPlatform open */
    BATTKIT_PLATFORM_INTERFACE Platform;
    BOOLEAN HavePlatform;
    BOOLEAN Listening;
    KSPIN_LOCK ChildLock; /* Children list */
    LIST_ENTRY Children;
} ACPI_FDO_EXTENSION, *PACPI_FDO_EXTENSION;

typedef struct _ACPI_PDO_EXTENSION {
    ACPI_EXTENSION_KIND Kind;
    PDEVICE_OBJECT Self;
    LIST_ENTRY Link; /* in the parent's Children */
    PACPI_FDO_EXTENSION Parent;
    ULONG Index; /* the platform device index */
    BATTKIT_PLATFORM_DEVICE Device;
    BOOLEAN Started;
    BOOLEAN Removed; /* IRP_MN_REMOVE_DEVICE seen; the PDO stays while reported */
    /* RegisterForDeviceNotifications: one handler per device. Busy counts
     * handlers running; Idle is signalled when it drops to zero. */
    KSPIN_LOCK NotifyLock;
    PDEVICE_NOTIFY_CALLBACK NotifyHandler;
    PVOID NotifyContext;
    LONG NotifyBusy;
    KEVENT NotifyIdle;
} ACPI_PDO_EXTENSION, *PACPI_PDO_EXTENSION;

/* driver.c */
DRIVER_INITIALIZE DriverEntry;

/* fdo.c (PASSIVE_LEVEL) */
NTSTATUS AcpiFdoPnp(PACPI_FDO_EXTENSION Fdo, PIRP Irp);
NTSTATUS AcpiFdoPower(PACPI_FDO_EXTENSION Fdo, PIRP Irp);
NTSTATUS AcpiFdoPassDown(PACPI_FDO_EXTENSION Fdo, PIRP Irp);

/* pdo.c (PASSIVE_LEVEL) */
NTSTATUS AcpiPdoCreate(PACPI_FDO_EXTENSION Fdo, ULONG Index, PBATTKIT_PLATFORM_DEVICE Device,
                       PDEVICE_OBJECT *Pdo);
NTSTATUS AcpiPdoPnp(PACPI_PDO_EXTENSION Pdo, PIRP Irp);
NTSTATUS AcpiPdoPower(PACPI_PDO_EXTENSION Pdo, PIRP Irp);

/* eval.c (PASSIVE_LEVEL): IOCTL_ACPI_EVAL_METHOD(_EX) on a child PDO. */
NTSTATUS AcpiPdoDeviceControl(PACPI_PDO_EXTENSION Pdo, PIRP Irp);

/* methods.c: the control methods as a table. A method appends its result
 * (one integer, or a package's elements) to an ACPI_PACKAGE_BUILDER. */
#define ACPI_BUILDER_BYTES 1024
typedef struct _ACPI_PACKAGE_BUILDER {
    ULONG Count;
    ULONG Bytes;
    BOOLEAN Overflow;
    UCHAR Data[ACPI_BUILDER_BYTES];
} ACPI_PACKAGE_BUILDER, *PACPI_PACKAGE_BUILDER;

/* Evaluates Name ("_BST") on the child. Arguments: ArgumentCount integers
 * in Arguments. STATUS_OBJECT_NAME_NOT_FOUND when the device has no such
 * method. */
NTSTATUS AcpiEvaluateMethod(PACPI_PDO_EXTENSION Pdo, const CHAR Name[4], ULONG ArgumentCount,
                            const ULONG *Arguments, PACPI_PACKAGE_BUILDER Result);

/* notify.c */
BATTKIT_PLATFORM_EVENT_CALLBACK AcpiPlatformEvent;
NTSTATUS AcpiPdoQueryAcpiInterface(PACPI_PDO_EXTENSION Pdo, PIO_STACK_LOCATION Stack);
/* Clears the handler and waits out one still running (PASSIVE_LEVEL). */
VOID AcpiPdoStopNotifications(PACPI_PDO_EXTENSION Pdo);

#endif

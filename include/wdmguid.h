/* wdmguid.h: GUIDs of the standard interfaces a driver asks its bus driver
 * for with IRP_MN_QUERY_INTERFACE. battkit has the ACPI one, which a
 * function driver uses to receive Notify() for its device. The WDK keeps
 * the interface structure (ACPI_INTERFACE_STANDARD) in wdm.h; battkit's
 * wdm.h does not have it yet, so it is here behind a guard that a later
 * wdm.h definition can take over. */

#include <wdm.h>

/* Outside the include guard, as in the WDK, so a file that includes
 * <initguid.h> first gets the GUID defined even after an earlier include. */
#if defined(INITGUID) ? !defined(BATTKIT_WDMGUID_ACPI_DEFINED)                                     \
                      : !defined(BATTKIT_WDMGUID_ACPI_DECLARED)
#ifdef INITGUID
#define BATTKIT_WDMGUID_ACPI_DEFINED
#endif
#define BATTKIT_WDMGUID_ACPI_DECLARED
DEFINE_GUID(GUID_ACPI_INTERFACE_STANDARD, 0xb091a08a, 0xba97, 0x11d0, 0xbd, 0x14, 0x00, 0xaa, 0x00,
            0xb7, 0xb3, 0x2a);
#endif

#ifndef BATTKIT_WDMGUID_H
#define BATTKIT_WDMGUID_H

#ifndef BATTKIT_KINTERRUPT_MODE_DEFINED
#define BATTKIT_KINTERRUPT_MODE_DEFINED
typedef enum _KINTERRUPT_MODE { LevelSensitive, Latched } KINTERRUPT_MODE;
#endif

#ifndef BATTKIT_ACPI_INTERFACE_STANDARD_DEFINED
#define BATTKIT_ACPI_INTERFACE_STANDARD_DEFINED

/* General-purpose event (GPE) routines: battkit's emulated ACPI bus has no
 * GPEs, and answers them STATUS_NOT_SUPPORTED. */
typedef BOOLEAN (*PGPE_SERVICE_ROUTINE)(PVOID ObjectContext, PVOID ServiceContext);
/* As wdm.h declares it: the last parameter is a PVOID (the object context
 * comes back through it). */
typedef NTSTATUS (*PGPE_CONNECT_VECTOR)(PDEVICE_OBJECT Context, ULONG GpeNumber,
                                        KINTERRUPT_MODE Mode, BOOLEAN Shareable,
                                        PGPE_SERVICE_ROUTINE ServiceRoutine, PVOID ServiceContext,
                                        PVOID ObjectContext);
typedef NTSTATUS (*PGPE_DISCONNECT_VECTOR)(PVOID ObjectContext);
typedef NTSTATUS (*PGPE_ENABLE_EVENT)(PDEVICE_OBJECT Context, PVOID ObjectContext);
typedef NTSTATUS (*PGPE_DISABLE_EVENT)(PDEVICE_OBJECT Context, PVOID ObjectContext);
typedef NTSTATUS (*PGPE_CLEAR_STATUS)(PDEVICE_OBJECT Context, PVOID ObjectContext);

/* Device notifications: the ACPI driver calls NotificationHandler with the
 * value of each Notify(device, value) the firmware raises (0x80 status,
 * 0x81 information, 0x01 device check ...). One handler per device. */
typedef VOID (*PDEVICE_NOTIFY_CALLBACK)(PVOID NotificationContext, ULONG NotifyCode);
typedef NTSTATUS (*PREGISTER_FOR_DEVICE_NOTIFICATIONS)(PDEVICE_OBJECT DeviceObject,
                                                       PDEVICE_NOTIFY_CALLBACK NotificationHandler,
                                                       PVOID NotificationContext);
typedef VOID (*PUNREGISTER_FOR_DEVICE_NOTIFICATIONS)(PDEVICE_OBJECT DeviceObject,
                                                     PDEVICE_NOTIFY_CALLBACK NotificationHandler);

typedef struct _ACPI_INTERFACE_STANDARD {
    USHORT Size;
    USHORT Version;
    PVOID Context;
    PINTERFACE_REFERENCE InterfaceReference;
    PINTERFACE_DEREFERENCE InterfaceDereference;
    PGPE_CONNECT_VECTOR GpeConnectVector;
    PGPE_DISCONNECT_VECTOR GpeDisconnectVector;
    PGPE_ENABLE_EVENT GpeEnableEvent;
    PGPE_DISABLE_EVENT GpeDisableEvent;
    PGPE_CLEAR_STATUS GpeClearStatus;
    PREGISTER_FOR_DEVICE_NOTIFICATIONS RegisterForDeviceNotifications;
    PUNREGISTER_FOR_DEVICE_NOTIFICATIONS UnregisterForDeviceNotifications;
} ACPI_INTERFACE_STANDARD, *PACPI_INTERFACE_STANDARD;

#endif /* BATTKIT_ACPI_INTERFACE_STANDARD_DEFINED */

#endif /* BATTKIT_WDMGUID_H */

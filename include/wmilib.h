/* The WMI library a driver uses to answer IRP_MJ_SYSTEM_CONTROL: the
 * WMILIB_CONTEXT of DpWmiXxx callbacks it fills, and WmiSystemControl,
 * WmiCompleteRequest, WmiFireEvent (implemented by the host, ntos/). */
#ifndef BATTKIT_WMILIB_H
#define BATTKIT_WMILIB_H

#include <wdm.h>
#include <wmistr.h>

/* What WmiSystemControl (and BatteryClassSystemControl) did with the IRP;
 * always set, even on failure. */
typedef enum _SYSCTL_IRP_DISPOSITION {
    IrpProcessed = 0,    /* handled; if no DpWmiXxx completed it, WmiCompleteRequest it */
    IrpNotCompleted = 1, /* processed, not completed: IoCompleteRequest it */
    IrpNotWmi = 2,       /* not a WMI minor code: handle or forward it */
    IrpForward = 3       /* meant for another device object: forward it */
} SYSCTL_IRP_DISPOSITION,
    *PSYSCTL_IRP_DISPOSITION;

typedef enum _WMIENABLEDISABLECONTROL {
    WmiEventControl = 0,
    WmiDataBlockControl = 1
} WMIENABLEDISABLECONTROL,
    *PWMIENABLEDISABLECONTROL;

/* One block the driver registers; GuidIndex in the callbacks indexes the
 * driver's array of these. */
typedef struct _WMIGUIDREGINFO {
    LPCGUID Guid;
    ULONG InstanceCount;
    ULONG Flags; /* WMIREG_FLAG_* */
} WMIGUIDREGINFO, *PWMIGUIDREGINFO;

/* DpWmiQueryReginfo: never call WmiCompleteRequest from it. RegFlags takes
 * WMIREG_FLAG_* (e.g. WMIREG_FLAG_INSTANCE_PDO together with *Pdo). */
typedef NTSTATUS WMI_QUERY_REGINFO_CALLBACK(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                            PUNICODE_STRING InstanceName,
                                            PUNICODE_STRING *RegistryPath,
                                            PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo);
typedef WMI_QUERY_REGINFO_CALLBACK *PWMI_QUERY_REGINFO;

/* InstanceLengthArray is NULL when the buffer cannot hold the data; the
 * routine then answers STATUS_BUFFER_TOO_SMALL via WmiCompleteRequest. */
typedef NTSTATUS WMI_QUERY_DATABLOCK_CALLBACK(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                              ULONG GuidIndex, ULONG InstanceIndex,
                                              ULONG InstanceCount, PULONG InstanceLengthArray,
                                              ULONG BufferAvail, PUCHAR Buffer);
typedef WMI_QUERY_DATABLOCK_CALLBACK *PWMI_QUERY_DATABLOCK;

typedef NTSTATUS WMI_SET_DATABLOCK_CALLBACK(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                            ULONG InstanceIndex, ULONG BufferSize, PUCHAR Buffer);
typedef WMI_SET_DATABLOCK_CALLBACK *PWMI_SET_DATABLOCK;

typedef NTSTATUS WMI_SET_DATAITEM_CALLBACK(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                           ULONG InstanceIndex, ULONG DataItemId, ULONG BufferSize,
                                           PUCHAR Buffer);
typedef WMI_SET_DATAITEM_CALLBACK *PWMI_SET_DATAITEM;

/* Buffer holds InBufferSize bytes of input and receives the output. */
typedef NTSTATUS WMI_EXECUTE_METHOD_CALLBACK(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                             ULONG InstanceIndex, ULONG MethodId,
                                             ULONG InBufferSize, ULONG OutBufferSize,
                                             PUCHAR Buffer);
typedef WMI_EXECUTE_METHOD_CALLBACK *PWMI_EXECUTE_METHOD;

typedef NTSTATUS WMI_FUNCTION_CONTROL_CALLBACK(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                               ULONG GuidIndex, WMIENABLEDISABLECONTROL Function,
                                               BOOLEAN Enable);
typedef WMI_FUNCTION_CONTROL_CALLBACK *PWMI_FUNCTION_CONTROL;

/* A NULL callback means the driver does not support that request. */
typedef struct _WMILIB_CONTEXT {
    ULONG GuidCount;
    PWMIGUIDREGINFO GuidList;
    PWMI_QUERY_REGINFO QueryWmiRegInfo;
    PWMI_QUERY_DATABLOCK QueryWmiDataBlock;
    PWMI_SET_DATABLOCK SetWmiDataBlock;
    PWMI_SET_DATAITEM SetWmiDataItem;
    PWMI_EXECUTE_METHOD ExecuteWmiMethod;
    PWMI_FUNCTION_CONTROL WmiFunctionControl;
} WMILIB_CONTEXT, *PWMILIB_CONTEXT;

/* PASSIVE_LEVEL. Dispatches IRP_MJ_SYSTEM_CONTROL to the WmiLibInfo
 * callbacks and says in *IrpDisposition what is left for the caller. */
NTSTATUS NTAPI WmiSystemControl(PWMILIB_CONTEXT WmiLibInfo, PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                PSYSCTL_IRP_DISPOSITION IrpDisposition);

/* <= DISPATCH_LEVEL. With STATUS_BUFFER_TOO_SMALL, BufferUsed is the size
 * needed: a WNODE_TOO_SMALL is returned and the result is STATUS_SUCCESS.
 * Otherwise returns Status. */
NTSTATUS NTAPI WmiCompleteRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp, NTSTATUS Status,
                                  ULONG BufferUsed, CCHAR PriorityBoost);

/* <= DISPATCH_LEVEL. EventData (EventDataSize bytes, may be NULL) must come
 * from nonpaged pool; WMI frees it. */
NTSTATUS NTAPI WmiFireEvent(PDEVICE_OBJECT DeviceObject, LPCGUID Guid, ULONG InstanceIndex,
                            ULONG EventDataSize, PVOID EventData);

#endif /* BATTKIT_WMILIB_H */

/* WMI's WNODE_XXX buffers (what travels in IRP_MJ_SYSTEM_CONTROL's
 * Parameters.WMI.Buffer) and the registration structures a driver returns
 * for IRP_MN_REGINFO. Layouts per the wmistr.h DDI pages; x64 offsets are
 * pinned by tests/abi. The WMI library that fills them is wmilib.h. */
#ifndef BATTKIT_WMISTR_H
#define BATTKIT_WMISTR_H

#include <ntdef.h>

/* First member of every WNODE_XXX; Flags says which one follows. */
typedef struct _WNODE_HEADER {
    ULONG BufferSize; /* bytes of the whole WNODE, header and data included */
    ULONG ProviderId; /* for events: IoWMIDeviceObjectToProviderId; else reserved */
    union {
        ULONG64 HistoricalContext;
        struct {
            ULONG Version;
            ULONG Linkage;
        };
    };
    union {
        ULONG CountLost;
        HANDLE KernelHandle;
        LARGE_INTEGER TimeStamp; /* system time, 100 ns since 1601 */
    };
    GUID Guid;           /* the data block */
    ULONG ClientContext; /* clock type: 1 QPC, 2 system timer, 3 CPU cycle */
    ULONG Flags;         /* WNODE_FLAG_* */
} WNODE_HEADER, *PWNODE_HEADER;

/* Which WNODE_XXX follows the header. */
#define WNODE_FLAG_ALL_DATA        0x00000001
#define WNODE_FLAG_SINGLE_INSTANCE 0x00000002
#define WNODE_FLAG_SINGLE_ITEM     0x00000004
#define WNODE_FLAG_EVENT_ITEM      0x00000008
#define WNODE_FLAG_TOO_SMALL       0x00000020
#define WNODE_FLAG_EVENT_REFERENCE 0x00002000
#define WNODE_FLAG_METHOD_ITEM     0x00008000
/* Qualifiers. */
#define WNODE_FLAG_FIXED_INSTANCE_SIZE   0x00000010 /* only with ALL_DATA */
#define WNODE_FLAG_INSTANCES_SAME        0x00000040 /* only with ALL_DATA */
#define WNODE_FLAG_STATIC_INSTANCE_NAMES 0x00000080
#define WNODE_FLAG_INTERNAL              0x00000100
#define WNODE_FLAG_USE_TIMESTAMP         0x00000200
#define WNODE_FLAG_PERSIST_EVENT         0x00000400
#define WNODE_FLAG_ANSI_INSTANCENAMES    0x00004000
#define WNODE_FLAG_PDO_INSTANCE_NAMES    0x00010000
/* Event tracing (system logger). */
#define WNODE_FLAG_TRACED_GUID          0x00020000
#define WNODE_FLAG_LOG_WNODE            0x00040000
#define WNODE_FLAG_USE_GUID_PTR         0x00080000
#define WNODE_FLAG_USE_MOF_PTR          0x00100000
#define WNODE_FLAG_NO_HEADER            0x00200000
#define WNODE_FLAG_SEND_DATA_BLOCK      0x00400000
#define WNODE_FLAG_VERSIONED_PROPERTIES 0x00800000
#define WNODE_FLAG_SEVERITY_MASK        0xff000000 /* event reference: 0 least .. 0xff most severe */

typedef struct {
    ULONG OffsetInstanceData; /* from the start of the WNODE_ALL_DATA */
    ULONG LengthInstanceData;
} OFFSETINSTANCEDATAANDLENGTH, *POFFSETINSTANCEDATAANDLENGTH;

/* All instances of a block. Instance data is 8-byte aligned, names 2-byte
 * aligned. The docs declare the offset array open-ended ([]); GNU's [0]
 * is the C spelling of that inside a union. */
typedef struct tagWNODE_ALL_DATA {
    struct _WNODE_HEADER WnodeHeader;
    ULONG DataBlockOffset; /* to the first instance's data */
    ULONG InstanceCount;
    ULONG OffsetInstanceNameOffsets; /* to an array of offsets of dynamic names */
    union {
        ULONG FixedInstanceSize; /* with WNODE_FLAG_FIXED_INSTANCE_SIZE */
        OFFSETINSTANCEDATAANDLENGTH OffsetInstanceDataAndLength[0]; /* [InstanceCount] */
    };
} WNODE_ALL_DATA, *PWNODE_ALL_DATA;

/* One instance of a block (query or change). */
typedef struct tagWNODE_SINGLE_INSTANCE {
    struct _WNODE_HEADER WnodeHeader;
    ULONG OffsetInstanceName; /* dynamic names only */
    ULONG InstanceIndex;      /* static names only */
    ULONG DataBlockOffset;
    ULONG SizeDataBlock;
    UCHAR VariableData[];
} WNODE_SINGLE_INSTANCE, *PWNODE_SINGLE_INSTANCE;

/* One data item of one instance. */
typedef struct tagWNODE_SINGLE_ITEM {
    struct _WNODE_HEADER WnodeHeader;
    ULONG OffsetInstanceName;
    ULONG InstanceIndex;
    ULONG ItemId;
    ULONG DataBlockOffset;
    ULONG SizeDataItem;
    UCHAR VariableData[];
} WNODE_SINGLE_ITEM, *PWNODE_SINGLE_ITEM;

/* A method call on one instance, with its input data. */
typedef struct tagWNODE_METHOD_ITEM {
    struct _WNODE_HEADER WnodeHeader;
    ULONG OffsetInstanceName;
    ULONG InstanceIndex;
    ULONG MethodId;
    ULONG DataBlockOffset;
    ULONG SizeDataBlock;
    UCHAR VariableData[];
} WNODE_METHOD_ITEM, *PWNODE_METHOD_ITEM;

typedef struct tagWNODE_EVENT_ITEM {
    struct _WNODE_HEADER WnodeHeader;
} WNODE_EVENT_ITEM, *PWNODE_EVENT_ITEM;

/* An event too large to send: WMI asks for the data later. */
typedef struct tagWNODE_EVENT_REFERENCE {
    struct _WNODE_HEADER WnodeHeader;
    GUID TargetGuid;
    ULONG TargetDataBlockSize;
    union {
        ULONG TargetInstanceIndex;
        WCHAR TargetInstanceName[0];
    };
} WNODE_EVENT_REFERENCE, *PWNODE_EVENT_REFERENCE;

/* The answer when the caller's buffer is too small. */
typedef struct tagWNODE_TOO_SMALL {
    struct _WNODE_HEADER WnodeHeader;
    ULONG SizeNeeded;
} WNODE_TOO_SMALL, *PWNODE_TOO_SMALL;

/* One registered block. The union member in use follows Flags. */
typedef struct {
    GUID Guid;
    ULONG Flags;         /* WMIREG_FLAG_* */
    ULONG InstanceCount; /* static instance names */
    union {
        ULONG InstanceNameList; /* WMIREG_FLAG_INSTANCE_LIST: offset from the WMIREGINFO */
        ULONG BaseNameOffset;   /* WMIREG_FLAG_INSTANCE_BASENAME: offset from the WMIREGINFO */
        ULONG_PTR Pdo;          /* WMIREG_FLAG_INSTANCE_PDO: the PDO */
        ULONG_PTR InstanceInfo; /* reserved for WMI */
    };
} WMIREGGUIDW, *PWMIREGGUIDW;
typedef WMIREGGUIDW WMIREGGUID;
typedef PWMIREGGUIDW PWMIREGGUID;

/* Offsets are from the start of this structure to counted (USHORT length
 * in bytes) UTF-16 strings. */
typedef struct {
    ULONG BufferSize;     /* this, the WMIREGGUIDs and the data after them */
    ULONG NextWmiRegInfo; /* offset of another driver's WMIREGINFO, or 0 */
    ULONG RegistryPath;
    ULONG MofResourceName;
    ULONG GuidCount;
    WMIREGGUIDW WmiRegGuid[];
} WMIREGINFOW, *PWMIREGINFOW;
typedef WMIREGINFOW WMIREGINFO;
typedef PWMIREGINFOW PWMIREGINFO;

#define WMIREG_FLAG_EXPENSIVE          0x00000001 /* ask for IRP_MN_ENABLE/DISABLE_COLLECTION */
#define WMIREG_FLAG_INSTANCE_LIST      0x00000004
#define WMIREG_FLAG_INSTANCE_BASENAME  0x00000008
#define WMIREG_FLAG_INSTANCE_PDO       0x00000020 /* names from the PDO's device instance path */
#define WMIREG_FLAG_EVENT_ONLY_GUID    0x00000040
#define WMIREG_FLAG_TRACE_CONTROL_GUID 0x00001000
#define WMIREG_FLAG_REMOVE_GUID        0x00010000
#define WMIREG_FLAG_RESERVED1          0x00020000
#define WMIREG_FLAG_RESERVED2          0x00040000
#define WMIREG_FLAG_TRACED_GUID        0x00080000

/* The request a WMI data provider is asked to serve. */
typedef enum tagWMIDPREQUESTCODE {
    WMI_GET_ALL_DATA = 0,
    WMI_GET_SINGLE_INSTANCE = 1,
    WMI_SET_SINGLE_INSTANCE = 2,
    WMI_SET_SINGLE_ITEM = 3,
    WMI_ENABLE_EVENTS = 4,
    WMI_DISABLE_EVENTS = 5,
    WMI_ENABLE_COLLECTION = 6,
    WMI_DISABLE_COLLECTION = 7,
    WMI_REGINFO = 8,
    WMI_EXECUTE_METHOD = 9,
    WMI_CAPTURE_STATE = 10
} WMIDPREQUESTCODE;

#endif /* BATTKIT_WMISTR_H */

/* Pins wmistr.h and wmilib.h: the x64 layout of the WNODE_XXX buffers,
 * the registration structures and WMILIB_CONTEXT (64 bytes), every
 * WNODE_FLAG_/WMIREG_FLAG_ and enum value, and the parameter lists of the
 * DpWmiXxx callbacks and the Wmi* routines. */
#include <ntddk.h>
#include <wmilib.h>
#include <wmistr.h>

#include "abi_check.h"
#include "bk_test.h"

/* The open-ended tails follow the DDI syntax ([]), so sizeof counts only
 * the fixed part (mingw-w64's [1] makes WNODE_ALL_DATA 72, not 64). */
#define WMI_LAYOUT(SIZE, OFFSET)                                                                   \
    SIZE(WNODE_HEADER, 48)                                                                         \
    OFFSET(WNODE_HEADER, BufferSize, 0)                                                            \
    OFFSET(WNODE_HEADER, ProviderId, 4)                                                            \
    OFFSET(WNODE_HEADER, HistoricalContext, 8)                                                     \
    OFFSET(WNODE_HEADER, Version, 8)                                                               \
    OFFSET(WNODE_HEADER, Linkage, 12)                                                              \
    OFFSET(WNODE_HEADER, CountLost, 16)                                                            \
    OFFSET(WNODE_HEADER, KernelHandle, 16)                                                         \
    OFFSET(WNODE_HEADER, TimeStamp, 16)                                                            \
    OFFSET(WNODE_HEADER, Guid, 24)                                                                 \
    OFFSET(WNODE_HEADER, ClientContext, 40)                                                        \
    OFFSET(WNODE_HEADER, Flags, 44)                                                                \
    SIZE(OFFSETINSTANCEDATAANDLENGTH, 8)                                                           \
    OFFSET(OFFSETINSTANCEDATAANDLENGTH, OffsetInstanceData, 0)                                     \
    OFFSET(OFFSETINSTANCEDATAANDLENGTH, LengthInstanceData, 4)                                     \
    SIZE(WNODE_ALL_DATA, 64)                                                                       \
    OFFSET(WNODE_ALL_DATA, WnodeHeader, 0)                                                         \
    OFFSET(WNODE_ALL_DATA, DataBlockOffset, 48)                                                    \
    OFFSET(WNODE_ALL_DATA, InstanceCount, 52)                                                      \
    OFFSET(WNODE_ALL_DATA, OffsetInstanceNameOffsets, 56)                                          \
    OFFSET(WNODE_ALL_DATA, FixedInstanceSize, 60)                                                  \
    OFFSET(WNODE_ALL_DATA, OffsetInstanceDataAndLength, 60)                                        \
    SIZE(WNODE_SINGLE_INSTANCE, 64)                                                                \
    OFFSET(WNODE_SINGLE_INSTANCE, WnodeHeader, 0)                                                  \
    OFFSET(WNODE_SINGLE_INSTANCE, OffsetInstanceName, 48)                                          \
    OFFSET(WNODE_SINGLE_INSTANCE, InstanceIndex, 52)                                               \
    OFFSET(WNODE_SINGLE_INSTANCE, DataBlockOffset, 56)                                             \
    OFFSET(WNODE_SINGLE_INSTANCE, SizeDataBlock, 60)                                               \
    OFFSET(WNODE_SINGLE_INSTANCE, VariableData, 64)                                                \
    SIZE(WNODE_SINGLE_ITEM, 72)                                                                    \
    OFFSET(WNODE_SINGLE_ITEM, WnodeHeader, 0)                                                      \
    OFFSET(WNODE_SINGLE_ITEM, OffsetInstanceName, 48)                                              \
    OFFSET(WNODE_SINGLE_ITEM, InstanceIndex, 52)                                                   \
    OFFSET(WNODE_SINGLE_ITEM, ItemId, 56)                                                          \
    OFFSET(WNODE_SINGLE_ITEM, DataBlockOffset, 60)                                                 \
    OFFSET(WNODE_SINGLE_ITEM, SizeDataItem, 64)                                                    \
    OFFSET(WNODE_SINGLE_ITEM, VariableData, 68)                                                    \
    SIZE(WNODE_METHOD_ITEM, 72)                                                                    \
    OFFSET(WNODE_METHOD_ITEM, WnodeHeader, 0)                                                      \
    OFFSET(WNODE_METHOD_ITEM, OffsetInstanceName, 48)                                              \
    OFFSET(WNODE_METHOD_ITEM, InstanceIndex, 52)                                                   \
    OFFSET(WNODE_METHOD_ITEM, MethodId, 56)                                                        \
    OFFSET(WNODE_METHOD_ITEM, DataBlockOffset, 60)                                                 \
    OFFSET(WNODE_METHOD_ITEM, SizeDataBlock, 64)                                                   \
    OFFSET(WNODE_METHOD_ITEM, VariableData, 68)                                                    \
    SIZE(WNODE_EVENT_ITEM, 48)                                                                     \
    OFFSET(WNODE_EVENT_ITEM, WnodeHeader, 0)                                                       \
    SIZE(WNODE_EVENT_REFERENCE, 72)                                                                \
    OFFSET(WNODE_EVENT_REFERENCE, WnodeHeader, 0)                                                  \
    OFFSET(WNODE_EVENT_REFERENCE, TargetGuid, 48)                                                  \
    OFFSET(WNODE_EVENT_REFERENCE, TargetDataBlockSize, 64)                                         \
    OFFSET(WNODE_EVENT_REFERENCE, TargetInstanceIndex, 68)                                         \
    OFFSET(WNODE_EVENT_REFERENCE, TargetInstanceName, 68)                                          \
    SIZE(WNODE_TOO_SMALL, 56)                                                                      \
    OFFSET(WNODE_TOO_SMALL, WnodeHeader, 0)                                                        \
    OFFSET(WNODE_TOO_SMALL, SizeNeeded, 48)                                                        \
    SIZE(WMIREGGUIDW, 32)                                                                          \
    OFFSET(WMIREGGUIDW, Guid, 0)                                                                   \
    OFFSET(WMIREGGUIDW, Flags, 16)                                                                 \
    OFFSET(WMIREGGUIDW, InstanceCount, 20)                                                         \
    OFFSET(WMIREGGUIDW, InstanceNameList, 24)                                                      \
    OFFSET(WMIREGGUIDW, BaseNameOffset, 24)                                                        \
    OFFSET(WMIREGGUIDW, Pdo, 24)                                                                   \
    OFFSET(WMIREGGUIDW, InstanceInfo, 24)                                                          \
    SIZE(WMIREGINFOW, 24)                                                                          \
    OFFSET(WMIREGINFOW, BufferSize, 0)                                                             \
    OFFSET(WMIREGINFOW, NextWmiRegInfo, 4)                                                         \
    OFFSET(WMIREGINFOW, RegistryPath, 8)                                                           \
    OFFSET(WMIREGINFOW, MofResourceName, 12)                                                       \
    OFFSET(WMIREGINFOW, GuidCount, 16)                                                             \
    OFFSET(WMIREGINFOW, WmiRegGuid, 24)                                                            \
    SIZE(WMIGUIDREGINFO, 16)                                                                       \
    OFFSET(WMIGUIDREGINFO, Guid, 0)                                                                \
    OFFSET(WMIGUIDREGINFO, InstanceCount, 8)                                                       \
    OFFSET(WMIGUIDREGINFO, Flags, 12)                                                              \
    SIZE(WMILIB_CONTEXT, 64)                                                                       \
    OFFSET(WMILIB_CONTEXT, GuidCount, 0)                                                           \
    OFFSET(WMILIB_CONTEXT, GuidList, 8)                                                            \
    OFFSET(WMILIB_CONTEXT, QueryWmiRegInfo, 16)                                                    \
    OFFSET(WMILIB_CONTEXT, QueryWmiDataBlock, 24)                                                  \
    OFFSET(WMILIB_CONTEXT, SetWmiDataBlock, 32)                                                    \
    OFFSET(WMILIB_CONTEXT, SetWmiDataItem, 40)                                                     \
    OFFSET(WMILIB_CONTEXT, ExecuteWmiMethod, 48)                                                   \
    OFFSET(WMILIB_CONTEXT, WmiFunctionControl, 56)

#define WMI_VALUES(VALUE)                                                                          \
    VALUE(WNODE_FLAG_ALL_DATA, 0x00000001)                                                         \
    VALUE(WNODE_FLAG_SINGLE_INSTANCE, 0x00000002)                                                  \
    VALUE(WNODE_FLAG_SINGLE_ITEM, 0x00000004)                                                      \
    VALUE(WNODE_FLAG_EVENT_ITEM, 0x00000008)                                                       \
    VALUE(WNODE_FLAG_FIXED_INSTANCE_SIZE, 0x00000010)                                              \
    VALUE(WNODE_FLAG_TOO_SMALL, 0x00000020)                                                        \
    VALUE(WNODE_FLAG_INSTANCES_SAME, 0x00000040)                                                   \
    VALUE(WNODE_FLAG_STATIC_INSTANCE_NAMES, 0x00000080)                                            \
    VALUE(WNODE_FLAG_INTERNAL, 0x00000100)                                                         \
    VALUE(WNODE_FLAG_USE_TIMESTAMP, 0x00000200)                                                    \
    VALUE(WNODE_FLAG_PERSIST_EVENT, 0x00000400)                                                    \
    VALUE(WNODE_FLAG_EVENT_REFERENCE, 0x00002000)                                                  \
    VALUE(WNODE_FLAG_ANSI_INSTANCENAMES, 0x00004000)                                               \
    VALUE(WNODE_FLAG_METHOD_ITEM, 0x00008000)                                                      \
    VALUE(WNODE_FLAG_PDO_INSTANCE_NAMES, 0x00010000)                                               \
    VALUE(WNODE_FLAG_TRACED_GUID, 0x00020000)                                                      \
    VALUE(WNODE_FLAG_LOG_WNODE, 0x00040000)                                                        \
    VALUE(WNODE_FLAG_USE_GUID_PTR, 0x00080000)                                                     \
    VALUE(WNODE_FLAG_USE_MOF_PTR, 0x00100000)                                                      \
    VALUE(WNODE_FLAG_NO_HEADER, 0x00200000)                                                        \
    VALUE(WNODE_FLAG_SEND_DATA_BLOCK, 0x00400000)                                                  \
    VALUE(WNODE_FLAG_VERSIONED_PROPERTIES, 0x00800000)                                             \
    VALUE(WNODE_FLAG_SEVERITY_MASK, 0xff000000)                                                    \
    VALUE(WMIREG_FLAG_EXPENSIVE, 0x00000001)                                                       \
    VALUE(WMIREG_FLAG_INSTANCE_LIST, 0x00000004)                                                   \
    VALUE(WMIREG_FLAG_INSTANCE_BASENAME, 0x00000008)                                               \
    VALUE(WMIREG_FLAG_INSTANCE_PDO, 0x00000020)                                                    \
    VALUE(WMIREG_FLAG_EVENT_ONLY_GUID, 0x00000040)                                                 \
    VALUE(WMIREG_FLAG_TRACE_CONTROL_GUID, 0x00001000)                                              \
    VALUE(WMIREG_FLAG_REMOVE_GUID, 0x00010000)                                                     \
    VALUE(WMIREG_FLAG_RESERVED1, 0x00020000)                                                       \
    VALUE(WMIREG_FLAG_RESERVED2, 0x00040000)                                                       \
    VALUE(WMIREG_FLAG_TRACED_GUID, 0x00080000)                                                     \
    VALUE(WMI_GET_ALL_DATA, 0)                                                                     \
    VALUE(WMI_GET_SINGLE_INSTANCE, 1)                                                              \
    VALUE(WMI_SET_SINGLE_INSTANCE, 2)                                                              \
    VALUE(WMI_SET_SINGLE_ITEM, 3)                                                                  \
    VALUE(WMI_ENABLE_EVENTS, 4)                                                                    \
    VALUE(WMI_DISABLE_EVENTS, 5)                                                                   \
    VALUE(WMI_ENABLE_COLLECTION, 6)                                                                \
    VALUE(WMI_DISABLE_COLLECTION, 7)                                                               \
    VALUE(WMI_REGINFO, 8)                                                                          \
    VALUE(WMI_EXECUTE_METHOD, 9)                                                                   \
    VALUE(WMI_CAPTURE_STATE, 10)                                                                   \
    VALUE(IrpProcessed, 0)                                                                         \
    VALUE(IrpNotCompleted, 1)                                                                      \
    VALUE(IrpNotWmi, 2)                                                                            \
    VALUE(IrpForward, 3)                                                                           \
    VALUE(WmiEventControl, 0)                                                                      \
    VALUE(WmiDataBlockControl, 1)

#define WMI_TYPES(TYPE)                                                                            \
    TYPE(WMI_QUERY_REGINFO_CALLBACK, WMI_QUERY_REGINFO_CALLBACK,                                   \
         NTSTATUS(PDEVICE_OBJECT, PULONG, PUNICODE_STRING, PUNICODE_STRING *, PUNICODE_STRING,     \
                  PDEVICE_OBJECT *))                                                               \
    TYPE(WMI_QUERY_DATABLOCK_CALLBACK, WMI_QUERY_DATABLOCK_CALLBACK,                               \
         NTSTATUS(PDEVICE_OBJECT, PIRP, ULONG, ULONG, ULONG, PULONG, ULONG, PUCHAR))               \
    TYPE(WMI_SET_DATABLOCK_CALLBACK, WMI_SET_DATABLOCK_CALLBACK,                                   \
         NTSTATUS(PDEVICE_OBJECT, PIRP, ULONG, ULONG, ULONG, PUCHAR))                              \
    TYPE(WMI_SET_DATAITEM_CALLBACK, WMI_SET_DATAITEM_CALLBACK,                                     \
         NTSTATUS(PDEVICE_OBJECT, PIRP, ULONG, ULONG, ULONG, ULONG, PUCHAR))                       \
    TYPE(WMI_EXECUTE_METHOD_CALLBACK, WMI_EXECUTE_METHOD_CALLBACK,                                 \
         NTSTATUS(PDEVICE_OBJECT, PIRP, ULONG, ULONG, ULONG, ULONG, ULONG, PUCHAR))                \
    TYPE(WMI_FUNCTION_CONTROL_CALLBACK, WMI_FUNCTION_CONTROL_CALLBACK,                             \
         NTSTATUS(PDEVICE_OBJECT, PIRP, ULONG, WMIENABLEDISABLECONTROL, BOOLEAN))                  \
    TYPE(PWMI_QUERY_REGINFO, PWMI_QUERY_REGINFO, WMI_QUERY_REGINFO_CALLBACK *)                     \
    TYPE(PWMI_QUERY_DATABLOCK, PWMI_QUERY_DATABLOCK, WMI_QUERY_DATABLOCK_CALLBACK *)               \
    TYPE(PWMI_SET_DATABLOCK, PWMI_SET_DATABLOCK, WMI_SET_DATABLOCK_CALLBACK *)                     \
    TYPE(PWMI_SET_DATAITEM, PWMI_SET_DATAITEM, WMI_SET_DATAITEM_CALLBACK *)                        \
    TYPE(PWMI_EXECUTE_METHOD, PWMI_EXECUTE_METHOD, WMI_EXECUTE_METHOD_CALLBACK *)                  \
    TYPE(PWMI_FUNCTION_CONTROL, PWMI_FUNCTION_CONTROL, WMI_FUNCTION_CONTROL_CALLBACK *)            \
    TYPE(WmiSystemControl, __typeof__(WmiSystemControl),                                           \
         NTSTATUS(PWMILIB_CONTEXT, PDEVICE_OBJECT, PIRP, PSYSCTL_IRP_DISPOSITION))                 \
    TYPE(WmiCompleteRequest, __typeof__(WmiCompleteRequest),                                       \
         NTSTATUS(PDEVICE_OBJECT, PIRP, NTSTATUS, ULONG, CCHAR))                                   \
    TYPE(WmiFireEvent, __typeof__(WmiFireEvent),                                                   \
         NTSTATUS(PDEVICE_OBJECT, LPCGUID, ULONG, ULONG, PVOID))

WMI_LAYOUT(ABI_STATIC_SIZE, ABI_STATIC_OFFSET)
WMI_VALUES(ABI_STATIC_VALUE)
WMI_TYPES(ABI_STATIC_TYPE)

static const struct abi_case wmi_layout[] = {WMI_LAYOUT(ABI_SIZE, ABI_OFFSET)};
static const struct abi_case wmi_values[] = {WMI_VALUES(ABI_VALUE)};
static const struct abi_case wmi_types[] = {WMI_TYPES(ABI_TYPE)};

TEST(wnode_and_wmilib_structures_have_x64_layout)
{
    ABI_CHECK_TABLE(wmi_layout);
}

TEST(wnode_and_wmireg_flags_and_wmi_enums_have_documented_values)
{
    ABI_CHECK_TABLE(wmi_values);
}

TEST(wmi_callbacks_and_routines_have_documented_parameter_lists)
{
    ABI_CHECK_TABLE(wmi_types);
}

/* The WMI library drivers link against (wmilib.h): WmiSystemControl turns
 * an IRP_MJ_SYSTEM_CONTROL request into the driver's DpWmiXxx callbacks,
 * and WmiCompleteRequest packs what the callback wrote into the WNODE the
 * request carries. It knows nothing of the WMI manager (provider.c): it
 * only reads and writes the IRP, as Windows' wmilib.sys does.
 *
 * Layout of a query the library prepares (instances 8-byte aligned, docs):
 *   WNODE_ALL_DATA: fixed part, InstanceCount OFFSETINSTANCEDATAANDLENGTH
 *   entries, then the data at DataBlockOffset. While the driver works the
 *   entry array holds the InstanceLengthArray it fills; WmiCompleteRequest
 *   turns the lengths into offsets in place.
 *   WNODE_SINGLE_INSTANCE: fixed part, data at offset 64; the driver's one
 *   InstanceLengthArray entry is SizeDataBlock itself. */
#include "wmi_internal.h"

static bool is_wmi_minor(UCHAR minor)
{
    return minor <= IRP_MN_EXECUTE_METHOD || minor == IRP_MN_REGINFO_EX;
}

/* docs (WmiSystemControl): on an error WMI sets up the IRP with the status
 * and leaves it to the driver to complete (IrpNotCompleted). */
static NTSTATUS not_completed(PIRP irp, NTSTATUS status, PSYSCTL_IRP_DISPOSITION disposition)
{
    irp->IoStatus.Status = status;
    irp->IoStatus.Information = 0;
    *disposition = IrpNotCompleted;
    return status;
}

static bool find_guid(PWMILIB_CONTEXT ctx, const GUID *guid, ULONG *index)
{
    for (ULONG i = 0; guid && i < ctx->GuidCount; i++) {
        if (ctx->GuidList[i].Guid && IsEqualGUID(ctx->GuidList[i].Guid, guid)) {
            *index = i;
            return true;
        }
    }
    return false;
}

/* Where the data of a WNODE_ALL_DATA of `instances` instances starts; a
 * count no buffer can hold saturates (the query then gets BufferAvail 0). */
static ULONG data_start_all(ULONG instances)
{
    uint64_t start = ALIGN_UP_BY(
        WMI_ALL_DATA_FIXED + (uint64_t)instances * sizeof(OFFSETINSTANCEDATAANDLENGTH), 8);
    return start > 0xFFFFFFF8u ? 0xFFFFFFF8u : (ULONG)start;
}

static ULONG data_start_single(void)
{
    return (ULONG)ALIGN_UP_BY(WMI_SINGLE_FIXED, 8);
}

/* Space for a counted string: USHORT byte count, then the characters. */
static ULONG counted_size(PCUNICODE_STRING s)
{
    return s && s->Length ? (ULONG)(sizeof(USHORT) + s->Length) : 0;
}

static ULONG put_counted(UCHAR *base, ULONG offset, PCUNICODE_STRING s)
{
    if (!counted_size(s))
        return 0;
    memcpy(base + offset, &s->Length, sizeof(USHORT));
    memcpy(base + offset + sizeof(USHORT), s->Buffer, s->Length);
    return offset;
}

/* IRP_MN_REGINFO(_EX): asks DpWmiQueryReginfo and writes the WMIREGINFO
 * (one WMIREGGUID per GuidList entry, then the strings). */
static NTSTATUS reginfo(PWMILIB_CONTEXT ctx, PDEVICE_OBJECT device, PIRP irp,
                        PSYSCTL_IRP_DISPOSITION disposition)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG action = (ULONG)(ULONG_PTR)stack->Parameters.WMI.DataPath;
    ULONG size = stack->Parameters.WMI.BufferSize;
    UCHAR *buffer = stack->Parameters.WMI.Buffer;
    if (!ctx->QueryWmiRegInfo)
        return not_completed(irp, STATUS_INVALID_DEVICE_REQUEST, disposition);

    ULONG reg_flags = 0;
    UNICODE_STRING instance = {0}, mof = {0};
    PUNICODE_STRING registry_path = NULL;
    PDEVICE_OBJECT pdo = NULL;
    NTSTATUS status =
        ctx->QueryWmiRegInfo(device, &reg_flags, &instance, &registry_path, &mof, &pdo);
    if (!NT_SUCCESS(status))
        goto out;

    bool base_name = (reg_flags & WMIREG_FLAG_INSTANCE_BASENAME) != 0;
    for (ULONG i = 0; i < ctx->GuidCount; i++)
        base_name |= (ctx->GuidList[i].Flags & WMIREG_FLAG_INSTANCE_BASENAME) != 0;
    ULONG offset =
        (ULONG)(offsetof(WMIREGINFOW, WmiRegGuid) + ctx->GuidCount * sizeof(WMIREGGUIDW));
    ULONG path_at = offset;
    offset += counted_size(registry_path);
    ULONG mof_at = offset; /* docs: the MOF name only when registering */
    if (action == WMIREGISTER)
        offset += counted_size(&mof);
    ULONG base_at = offset;
    if (base_name)
        offset += counted_size(&instance);
    if (size < offset || !buffer) {
        /* docs: the needed size as a ULONG, and STATUS_BUFFER_TOO_SMALL. */
        if (buffer && size >= sizeof(ULONG)) {
            memcpy(buffer, &offset, sizeof offset);
            irp->IoStatus.Information = sizeof(ULONG);
        }
        status = STATUS_BUFFER_TOO_SMALL;
        goto out;
    }
    PWMIREGINFOW info = (PWMIREGINFOW)buffer;
    memset(buffer, 0, offset);
    info->BufferSize = offset;
    info->NextWmiRegInfo = 0;
    info->RegistryPath = put_counted(buffer, path_at, registry_path);
    info->MofResourceName = action == WMIREGISTER ? put_counted(buffer, mof_at, &mof) : 0;
    ULONG base_offset = base_name ? put_counted(buffer, base_at, &instance) : 0;
    info->GuidCount = ctx->GuidCount;
    for (ULONG i = 0; i < ctx->GuidCount; i++) {
        PWMIREGGUIDW g = &info->WmiRegGuid[i];
        if (ctx->GuidList[i].Guid)
            g->Guid = *ctx->GuidList[i].Guid;
        g->Flags = ctx->GuidList[i].Flags | reg_flags;
        g->InstanceCount = ctx->GuidList[i].InstanceCount;
        if ((g->Flags & WMIREG_FLAG_INSTANCE_PDO) && pdo) {
            /* docs: WMI references the PDO for WMILIB users; the WMI
             * manager drops the reference when it has read the name. */
            ObReferenceObject(pdo);
            g->Pdo = (ULONG_PTR)pdo;
        } else if (g->Flags & WMIREG_FLAG_INSTANCE_BASENAME) {
            g->BaseNameOffset = base_offset;
        }
    }
    irp->IoStatus.Information = offset;
    status = STATUS_SUCCESS;
out:
    /* docs: WMI frees the InstanceName buffer the driver allocated. */
    if (instance.Buffer)
        ExFreePool(instance.Buffer);
    irp->IoStatus.Status = status;
    if (status != STATUS_BUFFER_TOO_SMALL && !NT_SUCCESS(status))
        irp->IoStatus.Information = 0;
    /* docs (WmiSystemControl): a processed REGINFO is left for the driver
     * to complete with IoCompleteRequest. */
    *disposition = IrpNotCompleted;
    return status;
}

/* The WNODE of a request must at least hold a WNODE_TOO_SMALL, or there is
 * no way to tell the caller what it needs. */
static bool buffer_usable(PIO_STACK_LOCATION stack)
{
    return stack->Parameters.WMI.Buffer &&
           stack->Parameters.WMI.BufferSize >= sizeof(WNODE_TOO_SMALL);
}

static NTSTATUS query_all_data(PWMILIB_CONTEXT ctx, PDEVICE_OBJECT device, PIRP irp, ULONG index)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG size = stack->Parameters.WMI.BufferSize;
    UCHAR *buffer = stack->Parameters.WMI.Buffer;
    PWNODE_ALL_DATA wnode = (PWNODE_ALL_DATA)buffer;
    ULONG count = ctx->GuidList[index].InstanceCount;
    ULONG start = data_start_all(count);
    /* Remembered in the WNODE for WmiCompleteRequest; both fields lie
     * inside the WNODE_TOO_SMALL-sized part that is always there. */
    wnode->DataBlockOffset = start;
    wnode->InstanceCount = count;
    ULONG avail = size > start ? size - start : 0;
    PULONG lengths = NULL;
    if (avail) {
        lengths = (PULONG)(buffer + WMI_ALL_DATA_FIXED);
        memset(lengths, 0, count * sizeof(ULONG));
    }
    return ctx->QueryWmiDataBlock(device, irp, index, 0, count, lengths, avail,
                                  avail ? buffer + start : NULL);
}

static NTSTATUS query_single(PWMILIB_CONTEXT ctx, PDEVICE_OBJECT device, PIRP irp, ULONG index)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(irp);
    ULONG size = stack->Parameters.WMI.BufferSize;
    UCHAR *buffer = stack->Parameters.WMI.Buffer;
    PWNODE_SINGLE_INSTANCE wnode = (PWNODE_SINGLE_INSTANCE)buffer;
    ULONG start = data_start_single();
    ULONG avail = size > start ? size - start : 0;
    if (avail)
        wnode->SizeDataBlock = 0;
    return ctx->QueryWmiDataBlock(device, irp, index, wnode->InstanceIndex, 1,
                                  avail ? &wnode->SizeDataBlock : NULL, avail,
                                  avail ? buffer + start : NULL);
}

/* Data a change or method request carries: inside the buffer, after the
 * fixed part. */
static bool data_inside(ULONG size, ULONG fixed, ULONG offset, ULONG length)
{
    return offset >= fixed && offset <= size && length <= size - offset;
}

NTSTATUS NTAPI WmiSystemControl(PWMILIB_CONTEXT WmiLibInfo, PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                PSYSCTL_IRP_DISPOSITION IrpDisposition)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    UCHAR minor = stack->MinorFunction;
    if (!is_wmi_minor(minor)) {
        *IrpDisposition = IrpNotWmi;
        return Irp->IoStatus.Status;
    }
    /* docs: a request for another device object goes down the stack. */
    if (stack->Parameters.WMI.ProviderId != (ULONG_PTR)DeviceObject) {
        *IrpDisposition = IrpForward;
        return Irp->IoStatus.Status;
    }
    if (minor == IRP_MN_REGINFO || minor == IRP_MN_REGINFO_EX)
        return reginfo(WmiLibInfo, DeviceObject, Irp, IrpDisposition);

    ULONG index;
    if (!find_guid(WmiLibInfo, stack->Parameters.WMI.DataPath, &index))
        return not_completed(Irp, STATUS_WMI_GUID_NOT_FOUND, IrpDisposition);
    bool control = minor >= IRP_MN_ENABLE_EVENTS && minor <= IRP_MN_DISABLE_COLLECTION;
    if (!control && !buffer_usable(stack))
        return not_completed(Irp, STATUS_BUFFER_TOO_SMALL, IrpDisposition);

    ULONG size = stack->Parameters.WMI.BufferSize;
    UCHAR *buffer = stack->Parameters.WMI.Buffer;
    ULONG instances = WmiLibInfo->GuidList[index].InstanceCount;
    if (buffer && size >= sizeof(WNODE_HEADER)) {
        /* DataPath may point at this very field. */
        memmove(&((PWNODE_HEADER)buffer)->Guid, stack->Parameters.WMI.DataPath, sizeof(GUID));
    }
    *IrpDisposition = IrpProcessed;
    switch (minor) {
    case IRP_MN_QUERY_ALL_DATA:
    case IRP_MN_QUERY_SINGLE_INSTANCE:
        if (!WmiLibInfo->QueryWmiDataBlock)
            break;
        if (minor == IRP_MN_QUERY_ALL_DATA)
            return query_all_data(WmiLibInfo, DeviceObject, Irp, index);
        if (((PWNODE_SINGLE_INSTANCE)buffer)->InstanceIndex >= instances)
            return not_completed(Irp, STATUS_WMI_INSTANCE_NOT_FOUND, IrpDisposition);
        return query_single(WmiLibInfo, DeviceObject, Irp, index);
    case IRP_MN_CHANGE_SINGLE_INSTANCE: {
        PWNODE_SINGLE_INSTANCE w = (PWNODE_SINGLE_INSTANCE)buffer;
        if (size < WMI_SINGLE_FIXED ||
            !data_inside(size, WMI_SINGLE_FIXED, w->DataBlockOffset, w->SizeDataBlock))
            return not_completed(Irp, STATUS_INVALID_PARAMETER, IrpDisposition);
        if (w->InstanceIndex >= instances)
            return not_completed(Irp, STATUS_WMI_INSTANCE_NOT_FOUND, IrpDisposition);
        if (!WmiLibInfo->SetWmiDataBlock)
            break;
        return WmiLibInfo->SetWmiDataBlock(DeviceObject, Irp, index, w->InstanceIndex,
                                           w->SizeDataBlock, buffer + w->DataBlockOffset);
    }
    case IRP_MN_CHANGE_SINGLE_ITEM: {
        PWNODE_SINGLE_ITEM w = (PWNODE_SINGLE_ITEM)buffer;
        if (size < WMI_ITEM_FIXED ||
            !data_inside(size, WMI_ITEM_FIXED, w->DataBlockOffset, w->SizeDataItem))
            return not_completed(Irp, STATUS_INVALID_PARAMETER, IrpDisposition);
        if (w->InstanceIndex >= instances)
            return not_completed(Irp, STATUS_WMI_INSTANCE_NOT_FOUND, IrpDisposition);
        if (!WmiLibInfo->SetWmiDataItem)
            break;
        return WmiLibInfo->SetWmiDataItem(DeviceObject, Irp, index, w->InstanceIndex, w->ItemId,
                                          w->SizeDataItem, buffer + w->DataBlockOffset);
    }
    case IRP_MN_EXECUTE_METHOD: {
        PWNODE_METHOD_ITEM w = (PWNODE_METHOD_ITEM)buffer;
        if (size < WMI_METHOD_FIXED ||
            !data_inside(size, WMI_METHOD_FIXED, w->DataBlockOffset, w->SizeDataBlock))
            return not_completed(Irp, STATUS_INVALID_PARAMETER, IrpDisposition);
        if (w->InstanceIndex >= instances)
            return not_completed(Irp, STATUS_WMI_INSTANCE_NOT_FOUND, IrpDisposition);
        if (!WmiLibInfo->ExecuteWmiMethod)
            break;
        return WmiLibInfo->ExecuteWmiMethod(DeviceObject, Irp, index, w->InstanceIndex, w->MethodId,
                                            w->SizeDataBlock, size - w->DataBlockOffset,
                                            buffer + w->DataBlockOffset);
    }
    default: { /* ENABLE/DISABLE_EVENTS, ENABLE/DISABLE_COLLECTION */
        bool enable = minor == IRP_MN_ENABLE_EVENTS || minor == IRP_MN_ENABLE_COLLECTION;
        WMIENABLEDISABLECONTROL what =
            (minor == IRP_MN_ENABLE_EVENTS || minor == IRP_MN_DISABLE_EVENTS) ? WmiEventControl
                                                                              : WmiDataBlockControl;
        if (!WmiLibInfo->WmiFunctionControl) {
            /* docs: without the optional routine WMI completes the IRP with
             * default values; enabling needs nothing from the driver. */
            return WmiCompleteRequest(DeviceObject, Irp, STATUS_SUCCESS, 0, IO_NO_INCREMENT);
        }
        return WmiLibInfo->WmiFunctionControl(DeviceObject, Irp, index, what, enable);
    }
    }
    /* An optional routine the driver left NULL. */
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_INVALID_DEVICE_REQUEST, 0, IO_NO_INCREMENT);
}

/* WNODE_ALL_DATA: the lengths the driver wrote become offsets (in place,
 * last entry first: entry i covers length slots 2i and 2i+1, all already
 * read). Returns the bytes of the whole WNODE, 0 if inconsistent. */
static ULONG finish_all_data(PWNODE_ALL_DATA w, ULONG size, ULONG used)
{
    ULONG count = w->InstanceCount, start = w->DataBlockOffset;
    if (start != data_start_all(count) || start > size)
        return 0;
    const ULONG *lengths = (const ULONG *)((UCHAR *)w + WMI_ALL_DATA_FIXED);
    uint64_t end = start, last_end = start;
    for (ULONG i = 0; i < count; i++) {
        last_end = end + lengths[i];
        end += ALIGN_UP_BY((uint64_t)lengths[i], 8);
    }
    uint64_t total = (uint64_t)start + used;
    if (last_end > total)
        total = last_end;
    if (total > size)
        return 0;
    uint64_t cursor = end;
    for (ULONG i = count; i-- > 0;) {
        ULONG length = lengths[i];
        cursor -= ALIGN_UP_BY((uint64_t)length, 8);
        w->OffsetInstanceDataAndLength[i].OffsetInstanceData = (ULONG)cursor;
        w->OffsetInstanceDataAndLength[i].LengthInstanceData = length;
    }
    w->OffsetInstanceNameOffsets = 0; /* static names: WMI knows them */
    w->WnodeHeader.Flags = WNODE_FLAG_ALL_DATA | WNODE_FLAG_STATIC_INSTANCE_NAMES;
    return (ULONG)total;
}

static void stamp(PWNODE_HEADER h, ULONG bytes)
{
    LARGE_INTEGER now;
    KeQuerySystemTime(&now);
    h->BufferSize = bytes;
    h->TimeStamp = now;
}

NTSTATUS NTAPI WmiCompleteRequest(PDEVICE_OBJECT DeviceObject, PIRP Irp, NTSTATUS Status,
                                  ULONG BufferUsed, CCHAR PriorityBoost)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    UNREFERENCED_PARAMETER(DeviceObject);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    UCHAR minor = stack->MinorFunction;
    ULONG size = stack->Parameters.WMI.BufferSize;
    UCHAR *buffer = stack->Parameters.WMI.Buffer;
    NTSTATUS result = Status;
    ULONG_PTR information = 0;
    bool usable = buffer_usable(stack);

    if (Status == STATUS_BUFFER_TOO_SMALL) {
        /* BufferUsed is the data size needed; the WNODE's own part comes
         * on top. */
        uint64_t needed = BufferUsed;
        if (usable && minor == IRP_MN_QUERY_ALL_DATA)
            needed += data_start_all(((PWNODE_ALL_DATA)buffer)->InstanceCount);
        else if (minor == IRP_MN_QUERY_SINGLE_INSTANCE)
            needed += data_start_single();
        else if (usable && minor == IRP_MN_EXECUTE_METHOD && size >= WMI_METHOD_FIXED)
            needed += ((PWNODE_METHOD_ITEM)buffer)->DataBlockOffset;
        if (usable) {
            /* docs: a WNODE_TOO_SMALL with the size, and STATUS_SUCCESS. */
            PWNODE_TOO_SMALL t = (PWNODE_TOO_SMALL)buffer;
            t->WnodeHeader.Flags = WNODE_FLAG_TOO_SMALL;
            t->SizeNeeded = needed > 0xFFFFFFFFu ? 0xFFFFFFFFu : (ULONG)needed;
            stamp(&t->WnodeHeader, sizeof(WNODE_TOO_SMALL));
            information = sizeof(WNODE_TOO_SMALL);
            Status = result = STATUS_SUCCESS;
        }
    } else if (NT_SUCCESS(Status) && Status != STATUS_PENDING && usable) {
        ULONG bytes = 0;
        switch (minor) {
        case IRP_MN_QUERY_ALL_DATA:
            bytes = finish_all_data((PWNODE_ALL_DATA)buffer, size, BufferUsed);
            break;
        case IRP_MN_QUERY_SINGLE_INSTANCE: {
            PWNODE_SINGLE_INSTANCE w = (PWNODE_SINGLE_INSTANCE)buffer;
            if (BufferUsed <= size - data_start_single() && size >= data_start_single()) {
                w->DataBlockOffset = data_start_single();
                w->SizeDataBlock = BufferUsed;
                w->OffsetInstanceName = 0;
                w->WnodeHeader.Flags =
                    WNODE_FLAG_SINGLE_INSTANCE | WNODE_FLAG_STATIC_INSTANCE_NAMES;
                bytes = data_start_single() + BufferUsed;
            }
            break;
        }
        case IRP_MN_EXECUTE_METHOD: {
            PWNODE_METHOD_ITEM w = (PWNODE_METHOD_ITEM)buffer;
            if (w->DataBlockOffset <= size && BufferUsed <= size - w->DataBlockOffset) {
                w->SizeDataBlock = BufferUsed;
                bytes = w->DataBlockOffset + BufferUsed;
            }
            break;
        }
        default: /* changes and enables return no data */
            bytes = sizeof(WNODE_HEADER);
            information = 0;
            break;
        }
        if (!bytes) {
            bk_log(BK_LOG_ERROR,
                   "WmiCompleteRequest: the driver's data (%u bytes) does not fit "
                   "its %u-byte WNODE",
                   BufferUsed, size);
            Status = result = STATUS_INVALID_BUFFER_SIZE;
        } else if (minor <= IRP_MN_QUERY_SINGLE_INSTANCE || minor == IRP_MN_EXECUTE_METHOD) {
            stamp((PWNODE_HEADER)buffer, bytes);
            information = bytes;
        }
    }
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = NT_ERROR(Status) ? 0 : information;
    IoCompleteRequest(Irp, PriorityBoost);
    return result;
}

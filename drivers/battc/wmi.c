/* Battery WMI: BatteryClassSystemControl registers the miniclass's own
 * blocks plus the eight standard battery blocks in one WMILIB context;
 * BatteryClassQueryWmiDataBlock answers battc's blocks; change events. */
#include "battc.h"

/* battc's blocks, in the order of their indices after the miniclass's. The
 * GUID <-> WMI class pairing follows the names (unverified against the
 * MOF); which indices Windows gives them is unverified too. */
static const struct {
    const GUID *Guid;
    ULONG Flags;
} BattcWmiBlocks[BATTC_WMI_BLOCKS] = {
    [BATTC_WMI_STATUS] = {&BATTERY_STATUS_WMI_GUID, 0},
    [BATTC_WMI_RUNTIME] = {&BATTERY_RUNTIME_WMI_GUID, 0},
    [BATTC_WMI_TEMPERATURE] = {&BATTERY_TEMPERATURE_WMI_GUID, 0},
    [BATTC_WMI_FULL_CAPACITY] = {&BATTERY_FULL_CHARGED_CAPACITY_WMI_GUID, 0},
    [BATTC_WMI_CYCLE_COUNT] = {&BATTERY_CYCLE_COUNT_WMI_GUID, 0},
    [BATTC_WMI_STATIC_DATA] = {&BATTERY_STATIC_DATA_WMI_GUID, 0},
    [BATTC_WMI_STATUS_CHANGE] = {&BATTERY_STATUS_CHANGE_WMI_GUID, WMIREG_FLAG_EVENT_ONLY_GUID},
    [BATTC_WMI_TAG_CHANGE] = {&BATTERY_TAG_CHANGE_WMI_GUID, WMIREG_FLAG_EVENT_ONLY_GUID},
};

/* Longest string level battc copies into BatteryStaticData, in bytes. */
#define BATTC_WMI_STRING_BYTES 512
/* "yyyymmddHHMMSS.mmmmmmsUUU": a CIM DATETIME, the likely format of the
 * 25-character ManufactureDate (unverified). */
#define BATTC_CIM_DATETIME_CHARS 25

/* ---- the combined WMILIB context's callbacks -------------------------- */

static PBATTC_CLASS BattcWmiClass(PDEVICE_OBJECT DeviceObject)
{
    return BattcFindByWmiDevice(DeviceObject);
}

/* PASSIVE_LEVEL. The miniclass says how instances are named. */
static NTSTATUS BattcWmiQueryRegInfo(PDEVICE_OBJECT DeviceObject, PULONG RegFlags,
                                     PUNICODE_STRING InstanceName, PUNICODE_STRING *RegistryPath,
                                     PUNICODE_STRING MofResourceName, PDEVICE_OBJECT *Pdo)
{
    PBATTC_CLASS c = BattcWmiClass(DeviceObject);

    if (!c)
        return STATUS_WMI_GUID_NOT_FOUND;
    if (c->MiniWmi->QueryWmiRegInfo)
        return c->MiniWmi->QueryWmiRegInfo(DeviceObject, RegFlags, InstanceName, RegistryPath,
                                           MofResourceName, Pdo);
    /* A miniclass without one: name the instance after the PDO. */
    *RegFlags = WMIREG_FLAG_INSTANCE_PDO;
    *Pdo = c->Mini.Pdo;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: the miniclass's DpWmiQueryDataBlock calls
 * BatteryClassQueryWmiDataBlock first; without one battc answers alone. */
static NTSTATUS BattcWmiQueryDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                       ULONG InstanceIndex, ULONG InstanceCount,
                                       PULONG InstanceLengthArray, ULONG BufferAvail, PUCHAR Buffer)
{
    PBATTC_CLASS c = BattcWmiClass(DeviceObject);

    if (c && c->MiniWmi->QueryWmiDataBlock)
        return c->MiniWmi->QueryWmiDataBlock(DeviceObject, Irp, GuidIndex, InstanceIndex,
                                             InstanceCount, InstanceLengthArray, BufferAvail,
                                             Buffer);
    if (c && GuidIndex >= c->MiniGuidCount)
        return BatteryClassQueryWmiDataBlock(c, DeviceObject, Irp, GuidIndex, InstanceLengthArray,
                                             BufferAvail, Buffer);
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
}

/* PASSIVE_LEVEL. battc's two event blocks are switched on and off here. */
static NTSTATUS BattcWmiFunctionControl(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                        WMIENABLEDISABLECONTROL Function, BOOLEAN Enable)
{
    PBATTC_CLASS c = BattcWmiClass(DeviceObject);
    KIRQL irql;

    if (!c)
        return WmiCompleteRequest(DeviceObject, Irp, STATUS_WMI_GUID_NOT_FOUND, 0, IO_NO_INCREMENT);
    if (GuidIndex < c->MiniGuidCount) {
        if (c->MiniWmi->WmiFunctionControl)
            return c->MiniWmi->WmiFunctionControl(DeviceObject, Irp, GuidIndex, Function, Enable);
        return WmiCompleteRequest(DeviceObject, Irp, STATUS_SUCCESS, 0, IO_NO_INCREMENT);
    }
    ULONG block = GuidIndex - c->MiniGuidCount;
    if (Function == WmiEventControl &&
        (block == BATTC_WMI_STATUS_CHANGE || block == BATTC_WMI_TAG_CHANGE)) {
        KeAcquireSpinLock(&c->Lock, &irql);
        if (Enable)
            c->EventsEnabled |= 1u << block;
        else
            c->EventsEnabled &= ~(1u << block);
        KeReleaseSpinLock(&c->Lock, irql);
        if (Enable)
            BattcRequestEvaluation(c); /* takes the baseline to compare with */
    }
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_SUCCESS, 0, IO_NO_INCREMENT);
}

/* battc's blocks are read-only; the miniclass's go to the miniclass. */
static NTSTATUS BattcWmiSetDataBlock(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                     ULONG InstanceIndex, ULONG BufferSize, PUCHAR Buffer)
{
    PBATTC_CLASS c = BattcWmiClass(DeviceObject);

    if (c && GuidIndex < c->MiniGuidCount)
        return c->MiniWmi->SetWmiDataBlock(DeviceObject, Irp, GuidIndex, InstanceIndex, BufferSize,
                                           Buffer);
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_INVALID_DEVICE_REQUEST, 0, IO_NO_INCREMENT);
}

static NTSTATUS BattcWmiSetDataItem(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                    ULONG InstanceIndex, ULONG DataItemId, ULONG BufferSize,
                                    PUCHAR Buffer)
{
    PBATTC_CLASS c = BattcWmiClass(DeviceObject);

    if (c && GuidIndex < c->MiniGuidCount)
        return c->MiniWmi->SetWmiDataItem(DeviceObject, Irp, GuidIndex, InstanceIndex, DataItemId,
                                          BufferSize, Buffer);
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_INVALID_DEVICE_REQUEST, 0, IO_NO_INCREMENT);
}

static NTSTATUS BattcWmiExecuteMethod(PDEVICE_OBJECT DeviceObject, PIRP Irp, ULONG GuidIndex,
                                      ULONG InstanceIndex, ULONG MethodId, ULONG InBufferSize,
                                      ULONG OutBufferSize, PUCHAR Buffer)
{
    PBATTC_CLASS c = BattcWmiClass(DeviceObject);

    if (c && GuidIndex < c->MiniGuidCount)
        return c->MiniWmi->ExecuteWmiMethod(DeviceObject, Irp, GuidIndex, InstanceIndex, MethodId,
                                            InBufferSize, OutBufferSize, Buffer);
    return WmiCompleteRequest(DeviceObject, Irp, STATUS_INVALID_DEVICE_REQUEST, 0, IO_NO_INCREMENT);
}

/* PASSIVE_LEVEL. Builds the combined registration the first time: the
 * miniclass's GUIDs keep their indices 0..n-1, battc's follow. The
 * miniclass's context is expected to describe the same GUIDs every time
 * (it is a static or lives in the device extension in every sample). */
static NTSTATUS BattcWmiPrepare(PBATTC_CLASS Class, PWMILIB_CONTEXT Mini,
                                PDEVICE_OBJECT DeviceObject)
{
    PWMIGUIDREGINFO guids;
    ULONG count = Mini->GuidCount + BATTC_WMI_BLOCKS;
    BOOLEAN built;
    KIRQL irql;

    if (Mini->GuidCount && !Mini->GuidList)
        return STATUS_INVALID_PARAMETER;
    BattcSetWmiDevice(Class, DeviceObject);
    KeAcquireSpinLock(&Class->Lock, &irql);
    built = Class->WmiGuids != NULL;
    KeReleaseSpinLock(&Class->Lock, irql);
    if (built)
        return STATUS_SUCCESS;

    guids = BattcAllocate(sizeof(*guids) * count, BATTC_TAG_WMI);
    if (!guids)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (Mini->GuidCount)
        RtlCopyMemory(guids, Mini->GuidList, sizeof(*guids) * Mini->GuidCount);
    for (ULONG i = 0; i < BATTC_WMI_BLOCKS; i++) {
        guids[Mini->GuidCount + i].Guid = BattcWmiBlocks[i].Guid;
        guids[Mini->GuidCount + i].InstanceCount = 1; /* one instance per battery */
        guids[Mini->GuidCount + i].Flags = BattcWmiBlocks[i].Flags;
    }

    KeAcquireSpinLock(&Class->Lock, &irql);
    if (Class->WmiGuids == NULL) {
        Class->MiniWmi = Mini;
        Class->MiniGuidCount = Mini->GuidCount;
        Class->Wmi.GuidCount = count;
        Class->Wmi.GuidList = guids;
        Class->Wmi.QueryWmiRegInfo = BattcWmiQueryRegInfo;
        Class->Wmi.QueryWmiDataBlock = BattcWmiQueryDataBlock;
        Class->Wmi.SetWmiDataBlock = Mini->SetWmiDataBlock ? BattcWmiSetDataBlock : NULL;
        Class->Wmi.SetWmiDataItem = Mini->SetWmiDataItem ? BattcWmiSetDataItem : NULL;
        Class->Wmi.ExecuteWmiMethod = Mini->ExecuteWmiMethod ? BattcWmiExecuteMethod : NULL;
        Class->Wmi.WmiFunctionControl = BattcWmiFunctionControl;
        Class->WmiGuids = guids;
        guids = NULL;
    }
    KeReleaseSpinLock(&Class->Lock, irql);
    if (guids)
        ExFreePoolWithTag(guids, BATTC_TAG_WMI); /* another IRP built it first */
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: used instead of WmiSystemControl; the disposition
 * is always written (pitfall 1), and means what WmiSystemControl's does. */
NTSTATUS BATTERYCLASSAPI BatteryClassSystemControl(PVOID ClassData, PVOID WmiLibContext,
                                                   PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                                   PVOID Disposition)
{
    PSYSCTL_IRP_DISPOSITION disposition = Disposition;
    PBATTC_CLASS c = BattcFromHandle(ClassData);
    NTSTATUS status;

    PAGED_CODE();
    if (!disposition)
        return STATUS_INVALID_PARAMETER;
    *disposition = IrpNotCompleted;
    status =
        WmiLibContext ? BattcWmiPrepare(c, WmiLibContext, DeviceObject) : STATUS_INVALID_PARAMETER;
    if (!NT_SUCCESS(status)) {
        /* IrpNotCompleted: the caller completes it with this status. */
        Irp->IoStatus.Status = status;
        return status;
    }
    return WmiSystemControl(&c->Wmi, DeviceObject, Irp, disposition);
}

/* PASSIVE_LEVEL (unload). */
void BattcWmiFreeClass(PBATTC_CLASS Class)
{
    if (Class->WmiGuids)
        ExFreePoolWithTag(Class->WmiGuids, BATTC_TAG_WMI);
    Class->WmiGuids = NULL;
}

/* ---- battc's data blocks ------------------------------------------------ */

/* mini lock held. A string level as a WMI counted string (USHORT byte
 * count, then the text without its NUL) at Out; returns bytes written.
 * A level the battery cannot supply is an empty string. */
static ULONG BattcWmiPutString(PBATTC_CLASS Class, ULONG Tag, BATTERY_QUERY_INFORMATION_LEVEL Level,
                               PUCHAR Out, PWCHAR Scratch)
{
    ULONG returned = 0, chars = 0;
    USHORT bytes;

    if (!NT_SUCCESS(BattcMiniQueryInformation(Class, Tag, Level, 0, Scratch, BATTC_WMI_STRING_BYTES,
                                              &returned)))
        returned = 0;
    while (chars < returned / sizeof(WCHAR) && Scratch[chars] != 0)
        chars++;
    bytes = (USHORT)(chars * sizeof(WCHAR));
    RtlCopyMemory(Out, &bytes, sizeof(bytes));
    RtlCopyMemory(Out + sizeof(bytes), Scratch, bytes);
    return sizeof(bytes) + bytes;
}

/* Writes Value as Digits decimal digits. */
static void BattcPutDigits(PWCHAR Out, ULONG Value, ULONG Digits)
{
    for (ULONG i = Digits; i-- > 0; Value /= 10)
        Out[i] = (WCHAR)(L'0' + Value % 10);
}

/* mini lock held. The date as "yyyymmdd000000.000000+000"; all zero
 * characters (an empty text) when the battery has none. */
static void BattcWmiPutDate(PBATTC_CLASS Class, ULONG Tag, PWCHAR Out)
{
    static const WCHAR tail[] = L"000000.000000+000";
    BATTERY_MANUFACTURE_DATE date;
    ULONG returned = 0;

    RtlZeroMemory(Out, BATTC_CIM_DATETIME_CHARS * sizeof(WCHAR));
    if (!NT_SUCCESS(BattcMiniQueryInformation(Class, Tag, BatteryManufactureDate, 0, &date,
                                              sizeof(date), &returned)) ||
        returned < sizeof(date))
        return;
    BattcPutDigits(Out, date.Year > 9999 ? 9999 : date.Year, 4);
    BattcPutDigits(Out + 4, date.Month % 100, 2);
    BattcPutDigits(Out + 6, date.Day % 100, 2);
    RtlCopyMemory(Out + 8, tail, (BATTC_CIM_DATETIME_CHARS - 8) * sizeof(WCHAR));
}

/* mini lock held. BATTERY_INFORMATION, which several blocks draw on. */
static NTSTATUS BattcWmiInformation(PBATTC_CLASS Class, ULONG Tag, PBATTERY_INFORMATION Info)
{
    ULONG returned = 0;
    NTSTATUS status;

    RtlZeroMemory(Info, sizeof(*Info));
    status = BattcMiniQueryInformation(Class, Tag, BatteryInformation, 0, Info, sizeof(*Info),
                                       &returned);
    return NT_SUCCESS(status) ? STATUS_SUCCESS : status;
}

/* mini lock held. The fixed-size blocks. */
static NTSTATUS BattcWmiSmallBlock(PBATTC_CLASS Class, ULONG Block, ULONG Tag, PUCHAR Out,
                                   PULONG Size)
{
    BATTERY_INFORMATION info;
    BATTERY_STATUS bs;
    ULONG value = 0, returned = 0;
    NTSTATUS status;

    switch (Block) {
    case BATTC_WMI_STATUS: {
        BATTERY_WMI_STATUS s;
        status = BattcMiniQueryStatus(Class, Tag, &bs);
        if (!NT_SUCCESS(status))
            return status;
        RtlZeroMemory(&s, sizeof(s));
        s.Tag = Tag;
        s.RemainingCapacity = bs.Capacity;
        /* BATTERY_STATUS.Rate is signed (positive charging); WMI splits it
         * into two magnitudes. An unknown rate is neither. */
        if (bs.Rate != (LONG)BATTERY_UNKNOWN_RATE) {
            s.ChargeRate = bs.Rate > 0 ? bs.Rate : 0;
            s.DischargeRate = bs.Rate < 0 ? -bs.Rate : 0;
        }
        s.Voltage = bs.Voltage;
        s.PowerOnline = (bs.PowerState & BATTERY_POWER_ON_LINE) != 0;
        s.Charging = (bs.PowerState & BATTERY_CHARGING) != 0;
        s.Discharging = (bs.PowerState & BATTERY_DISCHARGING) != 0;
        s.Critical = (bs.PowerState & BATTERY_CRITICAL) != 0;
        RtlCopyMemory(Out, &s, sizeof(s));
        *Size = sizeof(s);
        return STATUS_SUCCESS;
    }
    case BATTC_WMI_RUNTIME:
        /* Seconds at the present drain; none when the battery cannot say. */
        if (!NT_SUCCESS(BattcMiniQueryInformation(Class, Tag, BatteryEstimatedTime, 0, &value,
                                                  sizeof(value), &returned)) ||
            returned < sizeof(value))
            value = BATTERY_UNKNOWN_TIME;
        break;
    case BATTC_WMI_TEMPERATURE:
        /* Tenths of a kelvin, as the IOCTL level (unit unverified for WMI). */
        status = BattcMiniQueryInformation(Class, Tag, BatteryTemperature, 0, &value, sizeof(value),
                                           &returned);
        if (!NT_SUCCESS(status))
            return status;
        break;
    case BATTC_WMI_FULL_CAPACITY:
    case BATTC_WMI_CYCLE_COUNT:
        status = BattcWmiInformation(Class, Tag, &info);
        if (!NT_SUCCESS(status))
            return status;
        value = Block == BATTC_WMI_FULL_CAPACITY ? info.FullChargedCapacity : info.CycleCount;
        break;
    default:
        return STATUS_WMI_GUID_NOT_FOUND;
    }
    /* The four small blocks are all { ULONG Tag; ULONG Value; }. */
    RtlCopyMemory(Out, &Tag, sizeof(ULONG));
    RtlCopyMemory(Out + sizeof(ULONG), &value, sizeof(ULONG));
    *Size = 2 * sizeof(ULONG);
    return STATUS_SUCCESS;
}

/* mini lock held. BatteryStaticData: fixed part, then the device name,
 * manufacture name, serial number and unique ID as counted strings. */
static NTSTATUS BattcWmiStaticData(PBATTC_CLASS Class, ULONG Tag, PUCHAR Out, PULONG Size,
                                   PWCHAR Scratch)
{
    static const BATTERY_QUERY_INFORMATION_LEVEL strings[] = {
        BatteryDeviceName, BatteryManufactureName, BatterySerialNumber, BatteryUniqueID};
    BATTERY_WMI_STATIC_DATA *s = (BATTERY_WMI_STATIC_DATA *)Out;
    BATTERY_INFORMATION info;
    ULONG returned = 0, offset;
    NTSTATUS status;

    status = BattcWmiInformation(Class, Tag, &info);
    if (!NT_SUCCESS(status))
        return status;
    RtlZeroMemory(s, FIELD_OFFSET(BATTERY_WMI_STATIC_DATA, Strings));
    s->Tag = Tag;
    BattcWmiPutDate(Class, Tag, s->ManufactureDate);
    /* Up to four scales; a battery without any leaves them zero. */
    BattcMiniQueryInformation(Class, Tag, BatteryGranularityInformation, 0, s->Granularity,
                              sizeof(s->Granularity), &returned);
    s->Capabilities = info.Capabilities;
    s->Technology = info.Technology;
    RtlCopyMemory(&s->Chemistry, info.Chemistry, sizeof(s->Chemistry));
    s->DesignedCapacity = info.DesignedCapacity;
    s->DefaultAlert1 = info.DefaultAlert1;
    s->DefaultAlert2 = info.DefaultAlert2;
    s->CriticalBias = info.CriticalBias;
    offset = FIELD_OFFSET(BATTERY_WMI_STATIC_DATA, Strings);
    for (ULONG i = 0; i < RTL_NUMBER_OF(strings); i++)
        offset += BattcWmiPutString(Class, Tag, strings[i], Out + offset, Scratch);
    *Size = offset;
    return STATUS_SUCCESS;
}

/* Room for the largest block: static data with four longest strings. */
#define BATTC_WMI_BLOCK_BYTES                                                                      \
    (FIELD_OFFSET(BATTERY_WMI_STATIC_DATA, Strings) + 4 * (sizeof(USHORT) + BATTC_WMI_STRING_BYTES))

/* PASSIVE_LEVEL. docs: called first from the miniclass's
 * DpWmiQueryDataBlock with its parameters. For battc's blocks it completes
 * the IRP with WmiCompleteRequest and returns that routine's status (with
 * a short buffer WMI answers WNODE_TOO_SMALL carrying the size needed).
 * For any other block it returns STATUS_WMI_GUID_NOT_FOUND and leaves the
 * IRP to the miniclass. */
NTSTATUS BATTERYCLASSAPI BatteryClassQueryWmiDataBlock(PVOID ClassData, PDEVICE_OBJECT DeviceObject,
                                                       PIRP Irp, ULONG GuidIndex,
                                                       PULONG InstanceLengthArray,
                                                       ULONG OutBufferSize, PUCHAR Buffer)
{
    PBATTC_CLASS c = BattcFromHandle(ClassData);
    PUCHAR block = NULL;
    ULONG size = 0, tag, index, miniGuids;
    BOOLEAN built;
    NTSTATUS status;
    KIRQL irql;

    PAGED_CODE();
    KeAcquireSpinLock(&c->Lock, &irql);
    built = c->WmiGuids != NULL;
    miniGuids = c->MiniGuidCount;
    KeReleaseSpinLock(&c->Lock, irql);
    if (!built || GuidIndex < miniGuids)
        return STATUS_WMI_GUID_NOT_FOUND;
    index = GuidIndex - miniGuids;
    if (index > BATTC_WMI_STATIC_DATA)
        return STATUS_WMI_GUID_NOT_FOUND; /* the events are not data blocks */

    /* One allocation: the block, then a scratch buffer for strings. */
    block = BattcAllocate(BATTC_WMI_BLOCK_BYTES + BATTC_WMI_STRING_BYTES, BATTC_TAG_WMI);
    if (!block)
        return WmiCompleteRequest(DeviceObject, Irp, STATUS_INSUFFICIENT_RESOURCES, 0,
                                  IO_NO_INCREMENT);
    BattcLockMiniclass(c);
    status = BattcMiniQueryTag(c, &tag);
    if (NT_SUCCESS(status)) {
        if (index == BATTC_WMI_STATIC_DATA)
            status =
                BattcWmiStaticData(c, tag, block, &size, (PWCHAR)(block + BATTC_WMI_BLOCK_BYTES));
        else
            status = BattcWmiSmallBlock(c, index, tag, block, &size);
    }
    BattcUnlockMiniclass(c);

    if (!NT_SUCCESS(status)) {
        size = 0;
    } else if (!InstanceLengthArray || OutBufferSize < size || !Buffer) {
        status = STATUS_BUFFER_TOO_SMALL; /* size = what is needed */
    } else {
        RtlCopyMemory(Buffer, block, size);
        InstanceLengthArray[0] = size;
    }
    ExFreePoolWithTag(block, BATTC_TAG_WMI);
    return WmiCompleteRequest(DeviceObject, Irp, status, size, IO_NO_INCREMENT);
}

/* ---- events ----------------------------------------------------------- */

/* <= DISPATCH_LEVEL. WMI frees the data (docs). */
static void BattcWmiFire(PBATTC_CLASS Class, ULONG Block, const void *Data, ULONG Size)
{
    PDEVICE_OBJECT device = BattcGetWmiDevice(Class);
    PVOID copy;

    if (!device)
        return;
    copy = ExAllocatePoolWithTag(NonPagedPoolNx, Size, BATTC_TAG_WMI);
    if (!copy)
        return;
    RtlCopyMemory(copy, Data, Size);
    WmiFireEvent(device, BattcWmiBlocks[Block].Guid, 0, Size, copy);
}

/* PASSIVE_LEVEL, mini lock held. Fires BatteryTagChange when the tag
 * differs from the last pass's, BatteryStatusChange when the power state
 * flags do; the first pass after enabling only takes the baseline. */
void BattcWmiCheckEvents(PBATTC_CLASS Class, ULONG Enabled, NTSTATUS TagStatus, ULONG Tag,
                         const BATTERY_STATUS *Status)
{
    ULONG tag = NT_SUCCESS(TagStatus) ? Tag : BATTERY_TAG_INVALID;

    if (Class->HaveLast && tag != Class->LastTag && (Enabled & (1u << BATTC_WMI_TAG_CHANGE))) {
        BATTERY_TAG_CHANGE e = {.Tag = tag};
        BattcWmiFire(Class, BATTC_WMI_TAG_CHANGE, &e, sizeof(e));
    }
    if (Status && Class->HaveLast && Status->PowerState != Class->LastPowerState &&
        (Enabled & (1u << BATTC_WMI_STATUS_CHANGE))) {
        BATTERY_WMI_STATUS_CHANGE e;
        RtlZeroMemory(&e, sizeof(e));
        e.Tag = tag;
        e.PowerOnline = (Status->PowerState & BATTERY_POWER_ON_LINE) != 0;
        e.Charging = (Status->PowerState & BATTERY_CHARGING) != 0;
        e.Discharging = (Status->PowerState & BATTERY_DISCHARGING) != 0;
        e.Critical = (Status->PowerState & BATTERY_CRITICAL) != 0;
        BattcWmiFire(Class, BATTC_WMI_STATUS_CHANGE, &e, sizeof(e));
    }
    Class->LastTag = tag;
    if (Status)
        Class->LastPowerState = Status->PowerState;
    Class->HaveLast = TRUE;
}

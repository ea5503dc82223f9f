/* The BatteryMini* routines of the compile-check miniclass, declared with
 * the BCLASS_*_CALLBACK types and answering per the SDK callback pages:
 * a stale tag is STATUS_NO_SUCH_DEVICE, an unsupported level is
 * STATUS_INVALID_DEVICE_REQUEST, an undefined one STATUS_INVALID_PARAMETER. */
#include "abidrv.h"

/* _STA bit 4: a battery is present in the slot (ACPI). */
#define ABIDRV_STA_BATTERY_PRESENT 0x10

static LONG AbiDrvNextTag;

static BOOLEAN AbiDrvTagMatches(PABIDRV_EXTENSION Ext, ULONG BatteryTag)
{
    BOOLEAN match;

    ExAcquireFastMutex(&Ext->Lock);
    match = BatteryTag != BATTERY_TAG_INVALID && BatteryTag == Ext->BatteryTag;
    ExReleaseFastMutex(&Ext->Lock);
    return match;
}

/* PASSIVE_LEVEL. docs: a new tag on every insertion, even of the same pack. */
NTSTATUS AbiDrvQueryTag(PVOID Context, PULONG BatteryTag)
{
    PABIDRV_EXTENSION ext = Context;
    union {
        ACPI_EVAL_OUTPUT_BUFFER Output;
        UCHAR Raw[64];
    } sta;
    NTSTATUS status;

    status = AbiDrvEvalMethod(ext, 'ATS_', &sta.Output, sizeof(sta));
    if (!NT_SUCCESS(status) || sta.Output.Count < 1 ||
        sta.Output.Argument[0].Type != ACPI_METHOD_ARGUMENT_INTEGER ||
        !(sta.Output.Argument[0].Argument & ABIDRV_STA_BATTERY_PRESENT)) {
        ExAcquireFastMutex(&ext->Lock);
        ext->BatteryTag = BATTERY_TAG_INVALID;
        ExReleaseFastMutex(&ext->Lock);
        *BatteryTag = BATTERY_TAG_INVALID;
        return STATUS_NO_SUCH_DEVICE;
    }
    ExAcquireFastMutex(&ext->Lock);
    if (ext->BatteryTag == BATTERY_TAG_INVALID)
        ext->BatteryTag = (ULONG)InterlockedIncrement(&AbiDrvNextTag);
    *BatteryTag = ext->BatteryTag;
    ExReleaseFastMutex(&ext->Lock);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Buffer and BufferLength belong to the class driver. */
NTSTATUS AbiDrvQueryInformation(PVOID Context, ULONG BatteryTag,
                                BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                                ULONG BufferLength, PULONG ReturnedLength)
{
    static const WCHAR device_name[] = L"ABI0";
    static const WCHAR manufacturer[] = L"battkit";
    static const WCHAR unique_id[] = L"battkitABI0";
    BATTERY_INFORMATION info;
    BATTERY_REPORTING_SCALE scale;
    BATTERY_MANUFACTURE_DATE date;
    ULONG time;
    const void *data;
    ULONG size;

    UNREFERENCED_PARAMETER(AtRate);
    *ReturnedLength = 0;
    if (!AbiDrvTagMatches(Context, BatteryTag))
        return STATUS_NO_SUCH_DEVICE;

    switch (Level) {
    case BatteryInformation:
        RtlZeroMemory(&info, sizeof(info));
        info.Capabilities = BATTERY_SYSTEM_BATTERY;
        info.Technology = 1; /* rechargeable */
        memcpy(info.Chemistry, "LION", 4);
        info.DesignedCapacity = 50000;    /* mWh */
        info.FullChargedCapacity = 48000; /* mWh */
        info.DefaultAlert1 = 2400;        /* mWh */
        info.DefaultAlert2 = 4800;        /* mWh */
        data = &info;
        size = sizeof(info);
        break;
    case BatteryGranularityInformation:
        scale.Granularity = 10; /* mWh */
        scale.Capacity = 48000; /* mWh */
        data = &scale;
        size = sizeof(scale);
        break;
    case BatteryEstimatedTime:
        time = BATTERY_UNKNOWN_TIME;
        data = &time;
        size = sizeof(time);
        break;
    case BatteryDeviceName:
        data = device_name;
        size = sizeof(device_name);
        break;
    case BatteryManufactureName:
        data = manufacturer;
        size = sizeof(manufacturer);
        break;
    case BatteryUniqueID:
        data = unique_id;
        size = sizeof(unique_id);
        break;
    case BatteryManufactureDate:
        date.Day = 1;
        date.Month = 6;
        date.Year = 2024;
        data = &date;
        size = sizeof(date);
        break;
    case BatteryTemperature:
    case BatterySerialNumber:
        return STATUS_INVALID_DEVICE_REQUEST;
    default:
        return STATUS_INVALID_PARAMETER;
    }
    *ReturnedLength = size;
    if (BufferLength < size)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(Buffer, data, size);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS AbiDrvQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    if (!AbiDrvTagMatches(Context, BatteryTag))
        return STATUS_NO_SUCH_DEVICE;
    return AbiDrvReadBst(Context, BatteryStatus);
}

/* PASSIVE_LEVEL. Kept so a status poll can compare against the request;
 * the pair with AbiDrvDisableStatusNotify is both-or-neither (docs). */
NTSTATUS AbiDrvSetStatusNotify(PVOID Context, ULONG BatteryTag, PBATTERY_NOTIFY BatteryNotify)
{
    PABIDRV_EXTENSION ext = Context;

    if (!AbiDrvTagMatches(ext, BatteryTag))
        return STATUS_NO_SUCH_DEVICE;
    ExAcquireFastMutex(&ext->Lock);
    ext->Notify = *BatteryNotify;
    ext->NotifyArmed = TRUE;
    ExReleaseFastMutex(&ext->Lock);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS AbiDrvDisableStatusNotify(PVOID Context)
{
    PABIDRV_EXTENSION ext = Context;

    ExAcquireFastMutex(&ext->Lock);
    ext->NotifyArmed = FALSE;
    ExReleaseFastMutex(&ext->Lock);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. Capabilities advertise no BATTERY_SET_* bit, so every
 * level is refused; a charging-source payload is still checked the way a
 * driver that supports it would. */
NTSTATUS AbiDrvSetInformation(PVOID Context, ULONG BatteryTag, BATTERY_SET_INFORMATION_LEVEL Level,
                              PVOID Buffer)
{
    if (!AbiDrvTagMatches(Context, BatteryTag))
        return STATUS_NO_SUCH_DEVICE;
    if (Level == BatteryChargingSource && Buffer != NULL) {
        PBATTERY_CHARGING_SOURCE source = Buffer;
        if (source->Type < BatteryChargingSourceType_AC ||
            source->Type > BatteryChargingSourceType_Wireless)
            return STATUS_INVALID_PARAMETER;
    }
    return STATUS_NOT_SUPPORTED;
}

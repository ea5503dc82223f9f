/* The BatteryMini* callbacks battc calls: every query level answered in one
 * switch, every set level in another, real status notification. Each
 * callback checks the tag first (docs: STATUS_NO_SUCH_DEVICE on mismatch).
 * All run at PASSIVE_LEVEL; battc serializes them per battery. */
#include "simbatt_private.h"

/* PASSIVE_LEVEL. docs: no battery, or presence unknown ->
 * STATUS_NO_SUCH_DEVICE with BATTERY_TAG_INVALID. */
NTSTATUS SimBattQueryTag(PVOID Context, PULONG BatteryTag)
{
    PSIMBATT_EXTENSION ext = Context;
    NTSTATUS status;

    SimBattLock(ext);
    SimBattQueryTagLocked(ext, &status, BatteryTag);
    SimBattUnlock(ext);
    return status;
}

/* PASSIVE_LEVEL. Unsupported levels (no granularity, temperature 0, no
 * date, an empty string): STATUS_INVALID_DEVICE_REQUEST; an undefined
 * level: STATUS_INVALID_PARAMETER (docs). A short buffer gets
 * STATUS_BUFFER_TOO_SMALL with the needed size in *ReturnedLength. */
NTSTATUS SimBattQueryInformation(PVOID Context, ULONG BatteryTag,
                                 BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                                 ULONG BufferLength, PULONG ReturnedLength)
{
    PSIMBATT_EXTENSION ext = Context;
    const SIMBATT_BATTERY *data;
    BATTERY_INFORMATION information;
    ULONG value = 0;
    const void *source = NULL;
    ULONG size = 0;
    ULONG index;
    NTSTATUS status;

    *ReturnedLength = 0;
    SimBattLock(ext);
    status = SimBattCheckTag(ext, BatteryTag);
    if (!NT_SUCCESS(status))
        goto out;
    data = SimBattData(ext);

    switch (Level) {
    case BatteryInformation:
        SimBattComposeInformation(ext, &information);
        source = &information;
        size = sizeof(information);
        break;
    case BatteryGranularityInformation:
        source = data->Granularity;
        size = data->GranularityCount * sizeof(BATTERY_REPORTING_SCALE);
        break;
    case BatteryTemperature: /* tenths of kelvin */
        value = data->Temperature;
        source = &value;
        size = value != 0 ? sizeof(value) : 0;
        break;
    case BatteryEstimatedTime: /* seconds */
        value = SimBattEstimatedTime(ext, AtRate);
        source = &value;
        size = sizeof(value);
        break;
    case BatteryManufactureDate:
        source = &data->ManufactureDate;
        size = data->ManufactureDate.Year != 0 ? sizeof(data->ManufactureDate) : 0;
        break;
    case BatteryDeviceName:
    case BatteryManufactureName:
    case BatteryUniqueID:
    case BatterySerialNumber:
        /* UTF-16, NUL included in the size. */
        index = SimBattStringIndex(Level);
        source = data->Strings[index];
        while (size < SIMBATT_MAX_STRING_CHARS && data->Strings[index][size] != L'\0')
            size++;
        size = size != 0 ? (size + 1) * sizeof(WCHAR) : 0;
        break;
    default:
        status = STATUS_INVALID_PARAMETER;
        goto out;
    }

    if (size == 0) {
        status = STATUS_INVALID_DEVICE_REQUEST; /* this battery does not supply it */
    } else if (BufferLength < size || Buffer == NULL) {
        *ReturnedLength = size;
        status = STATUS_BUFFER_TOO_SMALL;
    } else {
        RtlCopyMemory(Buffer, source, size);
        *ReturnedLength = size;
    }
out:
    SimBattUnlock(ext);
    return status;
}

/* PASSIVE_LEVEL. */
NTSTATUS SimBattQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    PSIMBATT_EXTENSION ext = Context;
    NTSTATUS status;

    SimBattLock(ext);
    status = SimBattCheckTag(ext, BatteryTag);
    if (NT_SUCCESS(status))
        SimBattComposeStatus(ext, BatteryStatus);
    SimBattUnlock(ext);
    return status;
}

/* PASSIVE_LEVEL. Keeps the power state and capacity window; every later
 * change that leaves it calls BatteryClassStatusNotify (state.c). With a
 * model attached the platform's trip point watches the capacity. */
NTSTATUS SimBattSetStatusNotify(PVOID Context, ULONG BatteryTag, PBATTERY_NOTIFY BatteryNotify)
{
    PSIMBATT_EXTENSION ext = Context;
    NTSTATUS status;

    SimBattLock(ext);
    status = SimBattCheckTag(ext, BatteryTag);
    if (NT_SUCCESS(status)) {
        ext->Notify = *BatteryNotify;
        ext->NotifyArmed = TRUE;
        SimBattModelArmTripLocked(ext);
    }
    SimBattUnlock(ext);
    return status;
}

/* PASSIVE_LEVEL. docs: cancels the last SetStatusNotify. */
NTSTATUS SimBattDisableStatusNotify(PVOID Context)
{
    PSIMBATT_EXTENSION ext = Context;

    SimBattLock(ext);
    ext->NotifyArmed = FALSE;
    RtlZeroMemory(&ext->Notify, sizeof(ext->Notify));
    SimBattModelArmTripLocked(ext);
    SimBattUnlock(ext);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. BatteryCriticalBias is always taken (a bias at or above
 * the full charged capacity is a failed set: STATUS_UNSUCCESSFUL; the
 * payload is read as a ULONG of mWh, the unit BATTERY_INFORMATION reports
 * it in, although the SDK page says mW). The others follow the
 * BATTERY_SET_* capability bits; BatteryCharge and BatteryDischarge need AC
 * (without it the request fails with STATUS_UNSUCCESSFUL). The tag stays:
 * these are requests the caller knows it made (docs: re-read
 * BATTERY_INFORMATION to confirm a new bias). */
NTSTATUS SimBattSetInformation(PVOID Context, ULONG BatteryTag, BATTERY_SET_INFORMATION_LEVEL Level,
                               PVOID Buffer)
{
    PSIMBATT_EXTENSION ext = Context;
    BATTERY_INFORMATION information;
    BATTERY_STATUS batteryStatus;
    BATTERY_CHARGING_SOURCE source;
    ULONG bias;
    BOOLEAN due = FALSE;
    NTSTATUS status;

    SimBattLock(ext);
    status = SimBattCheckTag(ext, BatteryTag);
    if (!NT_SUCCESS(status))
        goto out;
    SimBattComposeInformation(ext, &information);
    SimBattComposeStatus(ext, &batteryStatus);

    switch (Level) {
    case BatteryCriticalBias:
        if (Buffer == NULL) {
            status = STATUS_INVALID_PARAMETER_4;
            break;
        }
        RtlCopyMemory(&bias, Buffer, sizeof(bias));
        if (bias >= SimBattData(ext)->Information.FullChargedCapacity) {
            status = STATUS_UNSUCCESSFUL;
            break;
        }
        ext->Battery.Information.CriticalBias = bias;
        break;
    case BatteryCharge:
    case BatteryDischarge:
        if (!(information.Capabilities &
              (Level == BatteryCharge ? BATTERY_SET_CHARGE_SUPPORTED
                                      : BATTERY_SET_DISCHARGE_SUPPORTED))) {
            status = STATUS_NOT_SUPPORTED;
            break;
        }
        if (!(batteryStatus.PowerState & BATTERY_POWER_ON_LINE)) {
            status = STATUS_UNSUCCESSFUL;
            break;
        }
        ext->ChargeControl =
            Level == BatteryCharge ? SIMBATT_CHARGE_FORCE_CHARGE : SIMBATT_CHARGE_FORCE_DISCHARGE;
        break;
    case BatteryChargingSource:
        if (!(information.Capabilities & BATTERY_SET_CHARGINGSOURCE_SUPPORTED)) {
            status = STATUS_NOT_SUPPORTED;
            break;
        }
        if (Buffer == NULL) {
            status = STATUS_INVALID_PARAMETER_4;
            break;
        }
        RtlCopyMemory(&source, Buffer, sizeof(source));
        if (source.Type < BatteryChargingSourceType_AC ||
            source.Type > BatteryChargingSourceType_Wireless) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        ext->Battery.ChargingSourceType = source.Type;
        ext->Battery.MaxChargingCurrent = source.MaxCurrent; /* mA */
        break;
    default:
        status = STATUS_NOT_SUPPORTED; /* charger ID, charger status, undefined levels */
        break;
    }
    if (NT_SUCCESS(status))
        due = SimBattChangedLocked(ext, TRUE);
out:
    SimBattUnlock(ext);
    SimBattNotifyIfDue(ext, due);
    return status;
}

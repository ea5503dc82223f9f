/* How a bridge's QueryInformation answers battc: one switch over the WDK's
 * levels for both drivers, each level mapped by the driver's own function
 * from its BRIDGE_LEVELS table, and the size rules every level shares. */
#include "bridge.h"

#define BRIDGE_TEXT_MAX 512 /* one battery string, with its NUL */

/* ASCII Text as UTF-16 in Wide, NUL included; its size in bytes. */
static ULONG BridgeWideString(const CHAR *Text, WCHAR *Wide, ULONG WideCount)
{
    ULONG n = 0;
    for (; Text[n] && n + 1 < WideCount; n++)
        Wide[n] = (WCHAR)(UCHAR)Text[n];
    Wide[n] = 0;
    return (n + 1) * sizeof(WCHAR);
}

NTSTATUS BridgeAnswerLevel(const BRIDGE_LEVELS *Levels, const VOID *View,
                           BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                           ULONG BufferLength, PULONG ReturnedLength)
{
    BATTERY_INFORMATION information;
    BATTERY_MANUFACTURE_DATE date;
    BATTERY_REPORTING_SCALE scale;
    CHAR text[BRIDGE_TEXT_MAX];
    WCHAR wide[BRIDGE_TEXT_MAX];
    ULONG value = 0, size = 0;
    const void *source = NULL;

    *ReturnedLength = 0;
    switch (Level) {
    case BatteryInformation:
        Levels->Information(View, &information);
        source = &information;
        size = sizeof information;
        break;
    case BatteryGranularityInformation:
        if (Levels->Granularity && Levels->Granularity(View, &scale))
            size = sizeof scale;
        source = &scale;
        break;
    case BatteryTemperature:
        if (Levels->Temperature(View, &value))
            size = sizeof value;
        source = &value;
        break;
    case BatteryEstimatedTime:
        value = Levels->EstimatedTime(View, AtRate);
        source = &value;
        size = sizeof value;
        break;
    case BatteryManufactureDate:
        if (Levels->Date(View, &date))
            size = sizeof date;
        source = &date;
        break;
    case BatteryDeviceName:
    case BatteryManufactureName:
    case BatteryUniqueID:
    case BatterySerialNumber:
        if (Levels->String(View, Level, text, sizeof text))
            size = BridgeWideString(text, wide, RTL_NUMBER_OF(wide));
        source = wide;
        break;
    default:
        return STATUS_INVALID_PARAMETER;
    }
    if (size == 0)
        return STATUS_INVALID_DEVICE_REQUEST;
    *ReturnedLength = size;
    if (BufferLength < size || Buffer == NULL)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(Buffer, source, size);
    return STATUS_SUCCESS;
}

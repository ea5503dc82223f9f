/* Pins the x64 layout of every poclass.h/batclass.h structure (sizes and
 * offsets from the reference's section 2.3 and 5.2 tables), the bit
 * positions of the bit-field types, and the exact parameter lists of the
 * BatteryMini* callback types and the BatteryClass* routines. */
#include <ntddk.h>
#include <batclass.h>

#include "abi_check.h"
#include "bk_test.h"

/* IOCTL-level buffers (poclass.h). */
#define IOCTL_BUFFER_LAYOUT(SIZE, OFFSET)                                                          \
    SIZE(BATTERY_QUERY_INFORMATION, 12)                                                            \
    OFFSET(BATTERY_QUERY_INFORMATION, BatteryTag, 0)                                               \
    OFFSET(BATTERY_QUERY_INFORMATION, InformationLevel, 4)                                         \
    OFFSET(BATTERY_QUERY_INFORMATION, AtRate, 8)                                                   \
    SIZE(BATTERY_INFORMATION, 36)                                                                  \
    OFFSET(BATTERY_INFORMATION, Capabilities, 0)                                                   \
    OFFSET(BATTERY_INFORMATION, Technology, 4)                                                     \
    OFFSET(BATTERY_INFORMATION, Reserved, 5)                                                       \
    OFFSET(BATTERY_INFORMATION, Chemistry, 8)                                                      \
    OFFSET(BATTERY_INFORMATION, DesignedCapacity, 12)                                              \
    OFFSET(BATTERY_INFORMATION, FullChargedCapacity, 16)                                           \
    OFFSET(BATTERY_INFORMATION, DefaultAlert1, 20)                                                 \
    OFFSET(BATTERY_INFORMATION, DefaultAlert2, 24)                                                 \
    OFFSET(BATTERY_INFORMATION, CriticalBias, 28)                                                  \
    OFFSET(BATTERY_INFORMATION, CycleCount, 32)                                                    \
    SIZE(BATTERY_SET_INFORMATION, 12)                                                              \
    OFFSET(BATTERY_SET_INFORMATION, BatteryTag, 0)                                                 \
    OFFSET(BATTERY_SET_INFORMATION, InformationLevel, 4)                                           \
    OFFSET(BATTERY_SET_INFORMATION, Buffer, 8)                                                     \
    SIZE(BATTERY_WAIT_STATUS, 20)                                                                  \
    OFFSET(BATTERY_WAIT_STATUS, BatteryTag, 0)                                                     \
    OFFSET(BATTERY_WAIT_STATUS, Timeout, 4)                                                        \
    OFFSET(BATTERY_WAIT_STATUS, PowerState, 8)                                                     \
    OFFSET(BATTERY_WAIT_STATUS, LowCapacity, 12)                                                   \
    OFFSET(BATTERY_WAIT_STATUS, HighCapacity, 16)                                                  \
    SIZE(BATTERY_STATUS, 16)                                                                       \
    OFFSET(BATTERY_STATUS, PowerState, 0)                                                          \
    OFFSET(BATTERY_STATUS, Capacity, 4)                                                            \
    OFFSET(BATTERY_STATUS, Voltage, 8)                                                             \
    OFFSET(BATTERY_STATUS, Rate, 12)                                                               \
    SIZE(BATTERY_MANUFACTURE_DATE, 4)                                                              \
    OFFSET(BATTERY_MANUFACTURE_DATE, Day, 0)                                                       \
    OFFSET(BATTERY_MANUFACTURE_DATE, Month, 1)                                                     \
    OFFSET(BATTERY_MANUFACTURE_DATE, Year, 2)                                                      \
    SIZE(BATTERY_REPORTING_SCALE, 8)                                                               \
    OFFSET(BATTERY_REPORTING_SCALE, Granularity, 0)                                                \
    OFFSET(BATTERY_REPORTING_SCALE, Capacity, 4)                                                   \
    SIZE(BATTERY_CHARGING_SOURCE, 8)                                                               \
    OFFSET(BATTERY_CHARGING_SOURCE, Type, 0)                                                       \
    OFFSET(BATTERY_CHARGING_SOURCE, MaxCurrent, 4)                                                 \
    SIZE(BATTERY_CHARGING_SOURCE_INFORMATION, 8)                                                   \
    OFFSET(BATTERY_CHARGING_SOURCE_INFORMATION, Type, 0)                                           \
    OFFSET(BATTERY_CHARGING_SOURCE_INFORMATION, SourceOnline, 4)                                   \
    SIZE(BATTERY_CHARGER_ID, 16)                                                                   \
    SIZE(BATTERY_CHARGER_STATUS, 8)                                                                \
    OFFSET(BATTERY_CHARGER_STATUS, Type, 0)                                                        \
    OFFSET(BATTERY_CHARGER_STATUS, VaData, 4)                                                      \
    SIZE(BATTERY_USB_CHARGER_STATUS, 56)                                                           \
    OFFSET(BATTERY_USB_CHARGER_STATUS, Type, 0)                                                    \
    OFFSET(BATTERY_USB_CHARGER_STATUS, Reserved, 4)                                                \
    OFFSET(BATTERY_USB_CHARGER_STATUS, Flags, 8)                                                   \
    OFFSET(BATTERY_USB_CHARGER_STATUS, MaxCurrent, 12)                                             \
    OFFSET(BATTERY_USB_CHARGER_STATUS, Voltage, 16)                                                \
    OFFSET(BATTERY_USB_CHARGER_STATUS, PortType, 20)                                               \
    OFFSET(BATTERY_USB_CHARGER_STATUS, PortId, 24)                                                 \
    OFFSET(BATTERY_USB_CHARGER_STATUS, PowerSourceInformation, 32)                                 \
    OFFSET(BATTERY_USB_CHARGER_STATUS, OemCharger, 40)

/* Miniclass-side structures (batclass.h). */
#define MINICLASS_LAYOUT(SIZE, OFFSET)                                                             \
    SIZE(BATTERY_NOTIFY, 12)                                                                       \
    OFFSET(BATTERY_NOTIFY, PowerState, 0)                                                          \
    OFFSET(BATTERY_NOTIFY, LowCapacity, 4)                                                         \
    OFFSET(BATTERY_NOTIFY, HighCapacity, 8)                                                        \
    SIZE(BATTERY_NOTIFY_V2, 20)                                                                    \
    OFFSET(BATTERY_NOTIFY_V2, PowerState, 0)                                                       \
    OFFSET(BATTERY_NOTIFY_V2, LowCapacity, 4)                                                      \
    OFFSET(BATTERY_NOTIFY_V2, HighCapacity, 8)                                                     \
    OFFSET(BATTERY_NOTIFY_V2, Version, 12)                                                         \
    OFFSET(BATTERY_NOTIFY_V2, Reserved, 13)                                                        \
    OFFSET(BATTERY_NOTIFY_V2, BatteryPresentRateThreshold, 16)                                     \
    SIZE(BATTERY_MINIPORT_INFO, 80)                                                                \
    OFFSET(BATTERY_MINIPORT_INFO, MajorVersion, 0)                                                 \
    OFFSET(BATTERY_MINIPORT_INFO, MinorVersion, 2)                                                 \
    OFFSET(BATTERY_MINIPORT_INFO, Context, 8)                                                      \
    OFFSET(BATTERY_MINIPORT_INFO, QueryTag, 16)                                                    \
    OFFSET(BATTERY_MINIPORT_INFO, QueryInformation, 24)                                            \
    OFFSET(BATTERY_MINIPORT_INFO, SetInformation, 32)                                              \
    OFFSET(BATTERY_MINIPORT_INFO, QueryStatus, 40)                                                 \
    OFFSET(BATTERY_MINIPORT_INFO, SetStatusNotify, 48)                                             \
    OFFSET(BATTERY_MINIPORT_INFO, DisableStatusNotify, 56)                                         \
    OFFSET(BATTERY_MINIPORT_INFO, Pdo, 64)                                                         \
    OFFSET(BATTERY_MINIPORT_INFO, DeviceName, 72)                                                  \
    SIZE(BATTERY_MINIPORT_INFO_V1_1, 88)                                                           \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, MajorVersion, 0)                                            \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, MinorVersion, 2)                                            \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, Context, 8)                                                 \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, QueryTag, 16)                                               \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, QueryInformation, 24)                                       \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, SetInformation, 32)                                         \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, QueryStatus, 40)                                            \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, SetStatusNotify, 48)                                        \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, DisableStatusNotify, 56)                                    \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, Pdo, 64)                                                    \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, DeviceName, 72)                                             \
    OFFSET(BATTERY_MINIPORT_INFO_V1_1, Fdo, 80)                                                    \
    SIZE(BATTERY_MINIPORT_INFO_V1_2, 120)                                                          \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, MajorVersion, 0)                                            \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, MinorVersion, 2)                                            \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, Context, 8)                                                 \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, QueryTag, 16)                                               \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, QueryInformation, 24)                                       \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, SetInformation, 32)                                         \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, QueryStatus, 40)                                            \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, SetStatusNotify, 48)                                        \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, DisableStatusNotify, 56)                                    \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, Pdo, 64)                                                    \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, DeviceName, 72)                                             \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, Fdo, 80)                                                    \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, ClassDriverCapabilities, 88)                                \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, QueryPeakPower, 96)                                         \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, SetPeakPowerNotify, 104)                                    \
    OFFSET(BATTERY_MINIPORT_INFO_V1_2, DisablePeakPowerNotify, 112)                                \
    SIZE(BATTERY_CLASS_DRIVER_CAPABILITIES, 4)                                                     \
    OFFSET(BATTERY_CLASS_DRIVER_CAPABILITIES, AsUlong, 0)                                          \
    SIZE(BATTERY_NON_CATASTROPHIC_EVENT, 4)                                                        \
    SIZE(BATTERY_MINIPORT_UPDATE_DATA, 8)                                                          \
    OFFSET(BATTERY_MINIPORT_UPDATE_DATA, Version, 0)                                               \
    OFFSET(BATTERY_MINIPORT_UPDATE_DATA, NotifyEvent, 4)                                           \
    SIZE(BATTERY_MINIPORT_UPDATE_DATA_V2, 8)                                                       \
    SIZE(BATTERY_PEAK_POWER, 20)                                                                   \
    OFFSET(BATTERY_PEAK_POWER, Version, 0)                                                         \
    OFFSET(BATTERY_PEAK_POWER, Reserved, 1)                                                        \
    OFFSET(BATTERY_PEAK_POWER, InstantaneousPeakPower, 4)                                          \
    OFFSET(BATTERY_PEAK_POWER, InstantaneousPeakPeriod, 8)                                         \
    OFFSET(BATTERY_PEAK_POWER, SustainablePeakPower, 12)                                           \
    OFFSET(BATTERY_PEAK_POWER, SustainablePeakPeriod, 16)                                          \
    SIZE(BATTERY_PEAK_POWER_THRESHOLDS, 12)                                                        \
    OFFSET(BATTERY_PEAK_POWER_THRESHOLDS, Version, 0)                                              \
    OFFSET(BATTERY_PEAK_POWER_THRESHOLDS, Reserved, 1)                                             \
    OFFSET(BATTERY_PEAK_POWER_THRESHOLDS, InstantaneousPeakPowerThreshold, 4)                      \
    OFFSET(BATTERY_PEAK_POWER_THRESHOLDS, SustainablePeakPowerThreshold, 8)

/* Battery WMI blocks (section 5.2). */
#define BATTERY_WMI_LAYOUT(SIZE, OFFSET)                                                           \
    SIZE(BATTERY_WMI_STATUS, 24)                                                                   \
    OFFSET(BATTERY_WMI_STATUS, Tag, 0)                                                             \
    OFFSET(BATTERY_WMI_STATUS, RemainingCapacity, 4)                                               \
    OFFSET(BATTERY_WMI_STATUS, ChargeRate, 8)                                                      \
    OFFSET(BATTERY_WMI_STATUS, DischargeRate, 12)                                                  \
    OFFSET(BATTERY_WMI_STATUS, Voltage, 16)                                                        \
    OFFSET(BATTERY_WMI_STATUS, PowerOnline, 20)                                                    \
    OFFSET(BATTERY_WMI_STATUS, Charging, 21)                                                       \
    OFFSET(BATTERY_WMI_STATUS, Discharging, 22)                                                    \
    OFFSET(BATTERY_WMI_STATUS, Critical, 23)                                                       \
    SIZE(BATTERY_WMI_RUNTIME, 8)                                                                   \
    OFFSET(BATTERY_WMI_RUNTIME, Tag, 0)                                                            \
    OFFSET(BATTERY_WMI_RUNTIME, EstimatedRuntime, 4)                                               \
    SIZE(BATTERY_WMI_TEMPERATURE, 8)                                                               \
    OFFSET(BATTERY_WMI_TEMPERATURE, Tag, 0)                                                        \
    OFFSET(BATTERY_WMI_TEMPERATURE, Temperature, 4)                                                \
    SIZE(BATTERY_WMI_FULL_CHARGED_CAPACITY, 8)                                                     \
    OFFSET(BATTERY_WMI_FULL_CHARGED_CAPACITY, Tag, 0)                                              \
    OFFSET(BATTERY_WMI_FULL_CHARGED_CAPACITY, FullChargedCapacity, 4)                              \
    SIZE(BATTERY_WMI_CYCLE_COUNT, 8)                                                               \
    OFFSET(BATTERY_WMI_CYCLE_COUNT, Tag, 0)                                                        \
    OFFSET(BATTERY_WMI_CYCLE_COUNT, CycleCount, 4)                                                 \
    SIZE(BATTERY_WMI_STATIC_DATA, 120)                                                             \
    OFFSET(BATTERY_WMI_STATIC_DATA, Tag, 0)                                                        \
    OFFSET(BATTERY_WMI_STATIC_DATA, ManufactureDate, 4)                                            \
    OFFSET(BATTERY_WMI_STATIC_DATA, Granularity, 56)                                               \
    OFFSET(BATTERY_WMI_STATIC_DATA, Capabilities, 88)                                              \
    OFFSET(BATTERY_WMI_STATIC_DATA, Technology, 92)                                                \
    OFFSET(BATTERY_WMI_STATIC_DATA, Chemistry, 96)                                                 \
    OFFSET(BATTERY_WMI_STATIC_DATA, DesignedCapacity, 100)                                         \
    OFFSET(BATTERY_WMI_STATIC_DATA, DefaultAlert1, 104)                                            \
    OFFSET(BATTERY_WMI_STATIC_DATA, DefaultAlert2, 108)                                            \
    OFFSET(BATTERY_WMI_STATIC_DATA, CriticalBias, 112)                                             \
    OFFSET(BATTERY_WMI_STATIC_DATA, Strings, 116)                                                  \
    SIZE(BATTERY_WMI_STATUS_CHANGE, 8)                                                             \
    OFFSET(BATTERY_WMI_STATUS_CHANGE, Tag, 0)                                                      \
    OFFSET(BATTERY_WMI_STATUS_CHANGE, PowerOnline, 4)                                              \
    OFFSET(BATTERY_WMI_STATUS_CHANGE, Charging, 5)                                                 \
    OFFSET(BATTERY_WMI_STATUS_CHANGE, Discharging, 6)                                              \
    OFFSET(BATTERY_WMI_STATUS_CHANGE, Critical, 7)                                                 \
    SIZE(BATTERY_TAG_CHANGE, 4)                                                                    \
    OFFSET(BATTERY_TAG_CHANGE, Tag, 0)

/* Section 2.4 and 3: exact parameter lists. */
#define CALLBACK_TYPES(TYPE)                                                                       \
    TYPE(BCLASS_QUERY_TAG_CALLBACK, BCLASS_QUERY_TAG_CALLBACK, NTSTATUS(PVOID, PULONG))            \
    TYPE(BCLASS_QUERY_INFORMATION_CALLBACK, BCLASS_QUERY_INFORMATION_CALLBACK,                     \
         NTSTATUS(PVOID, ULONG, BATTERY_QUERY_INFORMATION_LEVEL, LONG, PVOID, ULONG, PULONG))      \
    TYPE(BCLASS_QUERY_STATUS_CALLBACK, BCLASS_QUERY_STATUS_CALLBACK,                               \
         NTSTATUS(PVOID, ULONG, PBATTERY_STATUS))                                                  \
    TYPE(BCLASS_SET_STATUS_NOTIFY_CALLBACK, BCLASS_SET_STATUS_NOTIFY_CALLBACK,                     \
         NTSTATUS(PVOID, ULONG, PBATTERY_NOTIFY))                                                  \
    TYPE(BCLASS_SET_INFORMATION_CALLBACK, BCLASS_SET_INFORMATION_CALLBACK,                         \
         NTSTATUS(PVOID, ULONG, BATTERY_SET_INFORMATION_LEVEL, PVOID))                             \
    TYPE(BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK, BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK,             \
         NTSTATUS(PVOID))                                                                          \
    TYPE(BCLASS_QUERY_PEAK_POWER_CALLBACK, BCLASS_QUERY_PEAK_POWER_CALLBACK,                       \
         NTSTATUS(PVOID, ULONG, PBATTERY_PEAK_POWER))                                              \
    TYPE(BCLASS_SET_PEAK_POWER_NOTIFY_CALLBACK, BCLASS_SET_PEAK_POWER_NOTIFY_CALLBACK,             \
         NTSTATUS(PVOID, ULONG, PBATTERY_PEAK_POWER_THRESHOLDS))                                   \
    TYPE(BCLASS_DISABLE_PEAK_POWER_NOTIFY_CALLBACK, BCLASS_DISABLE_PEAK_POWER_NOTIFY_CALLBACK,     \
         NTSTATUS(PVOID))                                                                          \
    TYPE(PBCLASS_QUERY_TAG_CALLBACK, PBCLASS_QUERY_TAG_CALLBACK, BCLASS_QUERY_TAG_CALLBACK *)      \
    TYPE(BCLASS_QUERY_TAG, BCLASS_QUERY_TAG, BCLASS_QUERY_TAG_CALLBACK *)                          \
    TYPE(BCLASS_QUERY_INFORMATION, BCLASS_QUERY_INFORMATION, BCLASS_QUERY_INFORMATION_CALLBACK *)  \
    TYPE(BCLASS_SET_INFORMATION, BCLASS_SET_INFORMATION, BCLASS_SET_INFORMATION_CALLBACK *)        \
    TYPE(BCLASS_QUERY_STATUS, BCLASS_QUERY_STATUS, BCLASS_QUERY_STATUS_CALLBACK *)                 \
    TYPE(BCLASS_SET_STATUS_NOTIFY, BCLASS_SET_STATUS_NOTIFY, BCLASS_SET_STATUS_NOTIFY_CALLBACK *)  \
    TYPE(BCLASS_DISABLE_STATUS_NOTIFY, BCLASS_DISABLE_STATUS_NOTIFY,                               \
         BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK *)                                                  \
    TYPE(BCLASS_QUERY_PEAK_POWER, BCLASS_QUERY_PEAK_POWER, BCLASS_QUERY_PEAK_POWER_CALLBACK *)     \
    TYPE(BCLASS_SET_PEAK_POWER_NOTIFY, BCLASS_SET_PEAK_POWER_NOTIFY,                               \
         BCLASS_SET_PEAK_POWER_NOTIFY_CALLBACK *)                                                  \
    TYPE(BCLASS_DISABLE_PEAK_POWER_NOTIFY, BCLASS_DISABLE_PEAK_POWER_NOTIFY,                       \
         BCLASS_DISABLE_PEAK_POWER_NOTIFY_CALLBACK *)                                              \
    TYPE(BatteryClassInitializeDevice, __typeof__(BatteryClassInitializeDevice),                   \
         NTSTATUS(PBATTERY_MINIPORT_INFO, PVOID *))                                                \
    TYPE(BatteryClassUnload, __typeof__(BatteryClassUnload), NTSTATUS(PVOID))                      \
    TYPE(BatteryClassIoctl, __typeof__(BatteryClassIoctl), NTSTATUS(PVOID, PIRP))                  \
    TYPE(BatteryClassStatusNotify, __typeof__(BatteryClassStatusNotify), NTSTATUS(PVOID))          \
    TYPE(BatteryClassSystemControl, __typeof__(BatteryClassSystemControl),                         \
         NTSTATUS(PVOID, PVOID, PDEVICE_OBJECT, PIRP, PVOID))                                      \
    TYPE(BatteryClassQueryWmiDataBlock, __typeof__(BatteryClassQueryWmiDataBlock),                 \
         NTSTATUS(PVOID, PDEVICE_OBJECT, PIRP, ULONG, PULONG, ULONG, PUCHAR))                      \
    TYPE(BatteryClassPeakPowerNotify, __typeof__(BatteryClassPeakPowerNotify), NTSTATUS(PVOID))    \
    TYPE(BatteryClassUpdateData, __typeof__(BatteryClassUpdateData),                               \
         NTSTATUS(PVOID, PBATTERY_MINIPORT_UPDATE_DATA))

IOCTL_BUFFER_LAYOUT(ABI_STATIC_SIZE, ABI_STATIC_OFFSET)
MINICLASS_LAYOUT(ABI_STATIC_SIZE, ABI_STATIC_OFFSET)
BATTERY_WMI_LAYOUT(ABI_STATIC_SIZE, ABI_STATIC_OFFSET)
CALLBACK_TYPES(ABI_STATIC_TYPE)

static const struct abi_case ioctl_buffer_layout[] = {IOCTL_BUFFER_LAYOUT(ABI_SIZE, ABI_OFFSET)};
static const struct abi_case miniclass_layout[] = {MINICLASS_LAYOUT(ABI_SIZE, ABI_OFFSET)};
static const struct abi_case battery_wmi_layout[] = {BATTERY_WMI_LAYOUT(ABI_SIZE, ABI_OFFSET)};
static const struct abi_case callback_types[] = {CALLBACK_TYPES(ABI_TYPE)};

TEST(battery_ioctl_buffers_have_x64_layout)
{
    ABI_CHECK_TABLE(ioctl_buffer_layout);
}

TEST(miniclass_structures_have_x64_layout)
{
    ABI_CHECK_TABLE(miniclass_layout);
}

TEST(battery_wmi_blocks_have_x64_layout)
{
    ABI_CHECK_TABLE(battery_wmi_layout);
}

TEST(callbacks_and_class_routines_have_documented_parameter_lists)
{
    ABI_CHECK_TABLE(callback_types);
}

static ULONG as_ulong(const void *p)
{
    ULONG v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* Bit fields are allocated from bit 0 up, as MSVC does for ULONG fields. */
TEST(non_catastrophic_event_bits_start_at_bit_0)
{
    BATTERY_NON_CATASTROPHIC_EVENT e;
    memset(&e, 0, sizeof(e));
    e.BatteryChargeLimitState = 1;
    CHECK_EQ(as_ulong(&e), 0x1);
    memset(&e, 0, sizeof(e));
    e.BatteryChargingState = BatteryAdequatePowerSupply;
    CHECK_EQ(as_ulong(&e), 0x4);
    memset(&e, 0, sizeof(e));
    e.Reserved = 1;
    CHECK_EQ(as_ulong(&e), 0x8);
}

TEST(class_driver_capabilities_bits_overlay_as_ulong)
{
    BATTERY_CLASS_DRIVER_CAPABILITIES c = {.AsUlong = 0};
    c.Bits.PeakPower = 1;
    CHECK_EQ(c.AsUlong, 0x1);
    c.AsUlong = 0;
    c.Bits.BatteryPresentRateThreshold = 1;
    CHECK_EQ(c.AsUlong, 0x2);
    c.AsUlong = 0;
    c.Bits.Reserved = 1;
    CHECK_EQ(c.AsUlong, 0x4);
}

/* The unknown-rate marker is INT32_MIN when read through the LONG Rate. */
TEST(unknown_rate_reads_as_int32_min_through_rate)
{
    BATTERY_STATUS s = {.Rate = (LONG)BATTERY_UNKNOWN_RATE};
    CHECK_EQ(s.Rate, INT32_MIN);
    CHECK_EQ(sizeof(s.Rate), 4);
}

/* Pins every battery IOCTL code, enum value and flag/constant of
 * poclass.h and batclass.h to the values in the reference (sections 1.1,
 * 2.1, 2.2), and the access bits each IOCTL code carries. */
#include <ntddk.h>
#include <batclass.h>
#include <poclass.h>

#include "abi_check.h"
#include "bk_test.h"

#define BATTERY_IOCTLS(VALUE)                                                                      \
    VALUE(IOCTL_BATTERY_QUERY_TAG, 0x00294040)                                                     \
    VALUE(IOCTL_BATTERY_QUERY_INFORMATION, 0x00294044)                                             \
    VALUE(IOCTL_BATTERY_SET_INFORMATION, 0x00298048)                                               \
    VALUE(IOCTL_BATTERY_QUERY_STATUS, 0x0029404C)                                                  \
    VALUE(IOCTL_BATTERY_CHARGING_SOURCE_CHANGE, 0x00294050)

#define BATTERY_ENUMS(VALUE)                                                                       \
    VALUE(BatteryInformation, 0)                                                                   \
    VALUE(BatteryGranularityInformation, 1)                                                        \
    VALUE(BatteryTemperature, 2)                                                                   \
    VALUE(BatteryEstimatedTime, 3)                                                                 \
    VALUE(BatteryDeviceName, 4)                                                                    \
    VALUE(BatteryManufactureDate, 5)                                                               \
    VALUE(BatteryManufactureName, 6)                                                               \
    VALUE(BatteryUniqueID, 7)                                                                      \
    VALUE(BatterySerialNumber, 8)                                                                  \
    VALUE(BatteryCriticalBias, 0)                                                                  \
    VALUE(BatteryCharge, 1)                                                                        \
    VALUE(BatteryDischarge, 2)                                                                     \
    VALUE(BatteryChargingSource, 3)                                                                \
    VALUE(BatteryChargerId, 4)                                                                     \
    VALUE(BatteryChargerStatus, 5)                                                                 \
    VALUE(BatteryChargingSourceType_AC, 1)                                                         \
    VALUE(BatteryChargingSourceType_USB, 2)                                                        \
    VALUE(BatteryChargingSourceType_Wireless, 3)                                                   \
    VALUE(BatteryChargingSourceType_Max, 4)                                                        \
    VALUE(UsbChargerPort_Legacy, 0)                                                                \
    VALUE(UsbChargerPort_TypeC, 1)                                                                 \
    VALUE(UsbChargerPort_Max, 2)                                                                   \
    VALUE(BatteryNoPowerSupply, 0)                                                                 \
    VALUE(BatteryInadequatePowerSupply, 1)                                                         \
    VALUE(BatteryAdequatePowerSupply, 2)

#define BATTERY_CONSTANTS(VALUE)                                                                   \
    VALUE(BATTERY_SYSTEM_BATTERY, 0x80000000)                                                      \
    VALUE(BATTERY_CAPACITY_RELATIVE, 0x40000000)                                                   \
    VALUE(BATTERY_IS_SHORT_TERM, 0x20000000)                                                       \
    VALUE(BATTERY_SEALED, 0x10000000)                                                              \
    VALUE(BATTERY_SET_CHARGE_SUPPORTED, 0x00000001)                                                \
    VALUE(BATTERY_SET_DISCHARGE_SUPPORTED, 0x00000002)                                             \
    VALUE(BATTERY_SET_CHARGINGSOURCE_SUPPORTED, 0x00000004)                                        \
    VALUE(BATTERY_SET_CHARGER_ID_SUPPORTED, 0x00000008)                                            \
    VALUE(BATTERY_POWER_ON_LINE, 0x00000001)                                                       \
    VALUE(BATTERY_DISCHARGING, 0x00000002)                                                         \
    VALUE(BATTERY_CHARGING, 0x00000004)                                                            \
    VALUE(BATTERY_CRITICAL, 0x00000008)                                                            \
    VALUE(BATTERY_UNKNOWN_CAPACITY, 0xFFFFFFFF)                                                    \
    VALUE(UNKNOWN_CAPACITY, 0xFFFFFFFF)                                                            \
    VALUE(BATTERY_UNKNOWN_VOLTAGE, 0xFFFFFFFF)                                                     \
    VALUE(UNKNOWN_VOLTAGE, 0xFFFFFFFF)                                                             \
    VALUE(BATTERY_UNKNOWN_RATE, 0x80000000)                                                        \
    VALUE(UNKNOWN_RATE, 0x80000000)                                                                \
    VALUE(BATTERY_UNKNOWN_TIME, 0xFFFFFFFF)                                                        \
    VALUE(BATTERY_UNKNOWN_CURRENT, 0xFFFFFFFF)                                                     \
    VALUE(UNKNOWN_CURRENT, 0xFFFFFFFF)                                                             \
    VALUE(BATTERY_TAG_INVALID, 0)                                                                  \
    VALUE(MAX_BATTERY_STRING_SIZE, 128)                                                            \
    VALUE(BATTERY_CLASS_MAJOR_VERSION, 0x0001)                                                     \
    VALUE(BATTERY_CLASS_MINOR_VERSION, 0x0000)                                                     \
    VALUE(BATTERY_CLASS_MINOR_VERSION_1, 0x0001)                                                   \
    VALUE(BATTERY_CLASS_MINOR_VERSION_2, 0x0002)                                                   \
    VALUE(ADAPTER_CLASS_MAJOR_VERSION, 1)                                                          \
    VALUE(ADAPTER_CLASS_MINOR_VERSION, 0)                                                          \
    VALUE(BATTERY_NOTIFY_VERSION_1, 1)                                                             \
    VALUE(BATTERY_NOTIFY_VERSION_2, 2)                                                             \
    VALUE(BATTERY_MINIPORT_UPDATE_DATA_VER_1, 1)                                                   \
    VALUE(BATTERY_MINIPORT_UPDATE_DATA_VER_2, 2)                                                   \
    VALUE(BATTERY_MINIPORT_UPDATE_DATA_VER_1_SIZE, 8)                                              \
    VALUE(BATTERY_MINIPORT_UPDATE_DATA_VER_2_SIZE, 8)                                              \
    VALUE(CHARGE_REQUIREMENT_MAX_POWER_SOURCE_TYPES, 2)                                            \
    VALUE(BATTERY_USB_CHARGER_STATUS_FN_DEFAULT_USB, 0x1)                                          \
    VALUE(BATTERY_USB_CHARGER_STATUS_UCM_PD, 0x2)

BATTERY_IOCTLS(ABI_STATIC_VALUE)
BATTERY_ENUMS(ABI_STATIC_VALUE)
BATTERY_CONSTANTS(ABI_STATIC_VALUE)

static const struct abi_case battery_ioctls[] = {BATTERY_IOCTLS(ABI_VALUE)};
static const struct abi_case battery_enums[] = {BATTERY_ENUMS(ABI_VALUE)};
static const struct abi_case battery_constants[] = {BATTERY_CONSTANTS(ABI_VALUE)};

TEST(battery_ioctl_codes_have_documented_values)
{
    ABI_CHECK_TABLE(battery_ioctls);
}

TEST(battery_enums_have_documented_values)
{
    ABI_CHECK_TABLE(battery_enums);
}

TEST(battery_flags_and_constants_have_documented_values)
{
    ABI_CHECK_TABLE(battery_constants);
}

/* Decoded the way the I/O manager decodes them: device type, function,
 * method and the access a handle must have been opened with. */
TEST(battery_ioctls_are_buffered_and_only_set_information_needs_write_access)
{
    static const struct {
        const char *name;
        ULONG code;
        ULONG function;
        ULONG access;
    } ioctls[] = {
        {"IOCTL_BATTERY_QUERY_TAG", IOCTL_BATTERY_QUERY_TAG, 0x10, FILE_READ_ACCESS},
        {"IOCTL_BATTERY_QUERY_INFORMATION", IOCTL_BATTERY_QUERY_INFORMATION, 0x11,
         FILE_READ_ACCESS},
        {"IOCTL_BATTERY_SET_INFORMATION", IOCTL_BATTERY_SET_INFORMATION, 0x12, FILE_WRITE_ACCESS},
        {"IOCTL_BATTERY_QUERY_STATUS", IOCTL_BATTERY_QUERY_STATUS, 0x13, FILE_READ_ACCESS},
        {"IOCTL_BATTERY_CHARGING_SOURCE_CHANGE", IOCTL_BATTERY_CHARGING_SOURCE_CHANGE, 0x14,
         FILE_READ_ACCESS},
    };
    for (size_t i = 0; i < ARRAYSIZE(ioctls); i++) {
        ULONG code = ioctls[i].code;
        if (DEVICE_TYPE_FROM_CTL_CODE(code) != FILE_DEVICE_BATTERY ||
            METHOD_FROM_CTL_CODE(code) != METHOD_BUFFERED ||
            ((code >> 2) & 0xFFF) != ioctls[i].function || ((code >> 14) & 3) != ioctls[i].access)
            bk_test_fail(__FILE__, __LINE__, "%s = 0x%08x does not decode as documented",
                         ioctls[i].name, code);
    }
}

/* The enums are 4 bytes on the wire (InformationLevel fields). */
TEST(battery_enum_types_are_four_bytes)
{
    CHECK_EQ(sizeof(BATTERY_QUERY_INFORMATION_LEVEL), 4);
    CHECK_EQ(sizeof(BATTERY_SET_INFORMATION_LEVEL), 4);
    CHECK_EQ(sizeof(BATTERY_CHARGING_SOURCE_TYPE), 4);
    CHECK_EQ(sizeof(USB_CHARGER_PORT), 4);
    CHECK_EQ(sizeof(BATTERY_CHARGING_STATE), 4);
}

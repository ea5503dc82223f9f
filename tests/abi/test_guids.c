/* Pins the GUIDs of poclass.h and batclass.h (sections 5.1 and 6) against
 * their documented text form. This file is also the proof that a driver's
 * one "initguid" file compiles under -Werror: <initguid.h> first, then
 * every battkit WDK header, some of them twice (batclass.h pulls in
 * poclass.h again), and the GUID objects come from that instantiation. */
#include <initguid.h>
#include <ntddk.h>
#include <batclass.h>
#include <poclass.h>
#include <acpiioct.h>
#include <wmilib.h>
#include <wmistr.h>

#include <stdio.h>

#include "bk_test.h"

/* Parses "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" field by field, so the
 * comparison also pins Data1..Data3 byte order (little-endian in memory). */
static int guid_from_text(const char *text, GUID *guid)
{
    unsigned int d1, d2, d3, b[8];
    if (sscanf(text, "{%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x}", &d1, &d2, &d3, &b[0], &b[1], &b[2],
               &b[3], &b[4], &b[5], &b[6], &b[7]) != 11)
        return 0;
    guid->Data1 = d1;
    guid->Data2 = (uint16_t)d2;
    guid->Data3 = (uint16_t)d3;
    for (int i = 0; i < 8; i++)
        guid->Data4[i] = (uint8_t)b[i];
    return 1;
}

static const struct {
    const char *name;
    const GUID *guid;
    const char *text;
} documented_guids[] = {
    /* Section 6 (poclass.h). */
    {"GUID_DEVICE_BATTERY", &GUID_DEVICE_BATTERY, "{72631e54-78a4-11d0-bcf7-00aa00b7b32a}"},
    {"GUID_DEVICE_APPLICATIONLAUNCH_BUTTON", &GUID_DEVICE_APPLICATIONLAUNCH_BUTTON,
     "{629758ee-986e-4d9e-8e47-de27f8ab054d}"},
    {"GUID_DEVICE_SYS_BUTTON", &GUID_DEVICE_SYS_BUTTON, "{4afa3d53-74a7-11d0-be5e-00a0c9062857}"},
    {"GUID_DEVICE_LID", &GUID_DEVICE_LID, "{4afa3d52-74a7-11d0-be5e-00a0c9062857}"},
    {"GUID_DEVICE_THERMAL_ZONE", &GUID_DEVICE_THERMAL_ZONE,
     "{4afa3d51-74a7-11d0-be5e-00a0c9062857}"},
    {"GUID_DEVICE_FAN", &GUID_DEVICE_FAN, "{05ecd13d-81da-4a2a-8a4c-524f23dd4dc9}"},
    {"GUID_DEVICE_PROCESSOR", &GUID_DEVICE_PROCESSOR, "{97fadb10-4e33-40ae-359c-8bef029dbdd0}"},
    {"GUID_DEVICE_MEMORY", &GUID_DEVICE_MEMORY, "{3fd0f03d-92e0-45fb-b75c-5ed8ffb01021}"},
    {"GUID_DEVICE_ACPI_TIME", &GUID_DEVICE_ACPI_TIME, "{97f99bf6-4497-4f18-bb22-4b9fb2fbef9c}"},
    {"GUID_DEVICE_MESSAGE_INDICATOR", &GUID_DEVICE_MESSAGE_INDICATOR,
     "{cd48a365-fa94-4ce2-a232-a1b764e5d8b4}"},
    {"GUID_DEVICE_POWER_ADAPTER", &GUID_DEVICE_POWER_ADAPTER,
     "{f76c6c62-7dea-43cd-8689-d9a4af3d8557}"},
    {"GUID_CLASS_INPUT", &GUID_CLASS_INPUT, "{4d1e55b2-f16f-11cf-88cb-001111000030}"},
    /* Section 5.1 (batclass.h WMI blocks). */
    {"BATTERY_STATUS_WMI_GUID", &BATTERY_STATUS_WMI_GUID, "{fc4670d1-ebbf-416e-87ce-374a4ebc111a}"},
    {"BATTERY_RUNTIME_WMI_GUID", &BATTERY_RUNTIME_WMI_GUID,
     "{535a3767-1ac2-49bc-a077-3f7a02e40aec}"},
    {"BATTERY_TEMPERATURE_WMI_GUID", &BATTERY_TEMPERATURE_WMI_GUID,
     "{1a52a14d-adce-4a44-9a3e-c8d8f15ff2c2}"},
    {"BATTERY_FULL_CHARGED_CAPACITY_WMI_GUID", &BATTERY_FULL_CHARGED_CAPACITY_WMI_GUID,
     "{40b40565-96f7-4435-8694-97e0e4395905}"},
    {"BATTERY_CYCLE_COUNT_WMI_GUID", &BATTERY_CYCLE_COUNT_WMI_GUID,
     "{ef98db24-0014-4c25-a50b-c724ae5cd371}"},
    {"BATTERY_STATIC_DATA_WMI_GUID", &BATTERY_STATIC_DATA_WMI_GUID,
     "{05e1e463-e4e2-4ea9-80cb-9bd4b3ca0655}"},
    {"BATTERY_STATUS_CHANGE_WMI_GUID", &BATTERY_STATUS_CHANGE_WMI_GUID,
     "{cddfa0c3-7c5b-4e43-a034-059fa5b84364}"},
    {"BATTERY_TAG_CHANGE_WMI_GUID", &BATTERY_TAG_CHANGE_WMI_GUID,
     "{5e1f6e19-8786-4d23-94fc-9e746bd5d888}"},
};

TEST(initguid_instantiates_battery_guids_with_documented_values)
{
    for (size_t i = 0; i < ARRAYSIZE(documented_guids); i++) {
        GUID expected;
        if (!guid_from_text(documented_guids[i].text, &expected)) {
            bk_test_fail(__FILE__, __LINE__, "%s: bad test text %s", documented_guids[i].name,
                         documented_guids[i].text);
            continue;
        }
        if (!IsEqualGUID(documented_guids[i].guid, &expected))
            bk_test_fail(__FILE__, __LINE__, "%s differs from %s", documented_guids[i].name,
                         documented_guids[i].text);
    }
}

/* The interface GUID battc registers is stored the Windows way: Data1 is
 * little-endian, so its first byte in memory is 0x54. */
TEST(guid_device_battery_has_windows_memory_layout)
{
    static const uint8_t bytes[16] = {0x54, 0x1e, 0x63, 0x72, 0xa4, 0x78, 0xd0, 0x11,
                                      0xbc, 0xf7, 0x00, 0xaa, 0x00, 0xb7, 0xb3, 0x2a};
    CHECK_EQ(sizeof(GUID), 16);
    CHECK(memcmp(&GUID_DEVICE_BATTERY, bytes, sizeof(bytes)) == 0);
}

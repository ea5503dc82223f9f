/* IOCTL_BATTERY_QUERY_INFORMATION and IOCTL_BATTERY_SET_INFORMATION through
 * battc: every level, UTF-16 strings, the buffer and level checks, stale
 * tags, and what reaches BatteryMiniSetInformation. */
#include "battc_fixture.h"

#include <string.h>

TEST(query_information_every_level)
{
    tb_t tb;
    union {
        BATTERY_INFORMATION info;
        BATTERY_REPORTING_SCALE scale[4];
        ULONG value;
        BATTERY_MANUFACTURE_DATE date;
        UCHAR raw[256];
    } out;
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);

    CHECK_STATUS(tb_query_info(&tb, tag, BatteryInformation, 0, &out, sizeof(out), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(BATTERY_INFORMATION));
    CHECK_EQ(out.info.DesignedCapacity, 50000);
    CHECK_EQ(out.info.FullChargedCapacity, 48000);
    CHECK_EQ(out.info.CycleCount, 42);
    CHECK(memcmp(out.info.Chemistry, "LION", 4) == 0);

    /* Entry count = bytes returned / 8. */
    CHECK_STATUS(tb_query_info(&tb, tag, BatteryGranularityInformation, 0, &out, sizeof(out), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 2 * sizeof(BATTERY_REPORTING_SCALE));
    CHECK_EQ(out.scale[1].Capacity, 48000);

    CHECK_STATUS(tb_query_info(&tb, tag, BatteryTemperature, 0, &out, sizeof(out), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(ULONG));
    CHECK_EQ(out.value, 2982); /* tenths of a kelvin */

    /* AtRate (mW, negative = drain) reaches the miniclass signed: 40000 mWh
     * at 20000 mW is two hours. */
    CHECK_STATUS(tb_query_info(&tb, tag, BatteryEstimatedTime, -20000, &out, sizeof(out), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(out.value, 7200);
    CHECK_STATUS(tb_query_info(&tb, tag, BatteryEstimatedTime, 0, &out, sizeof(out), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(out.value, BATTERY_UNKNOWN_TIME); /* on AC, no drain */

    CHECK_STATUS(tb_query_info(&tb, tag, BatteryManufactureDate, 0, &out, sizeof(out), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(BATTERY_MANUFACTURE_DATE));
    CHECK_EQ(out.date.Day, 15);
    CHECK_EQ(out.date.Month, 6);
    CHECK_EQ(out.date.Year, 2024);

    static const ULONG strings[] = {BatteryDeviceName, BatteryManufactureName, BatteryUniqueID,
                                    BatterySerialNumber};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        CHECK_STATUS(tb_query_info(&tb, tag, strings[i], 0, &out, sizeof(out), &got),
                     STATUS_SUCCESS);
        CHECK(got >= sizeof(WCHAR));
    }
    /* docs: a level the battery cannot supply is STATUS_INVALID_DEVICE_REQUEST. */
    tb_config(&tb, TESTMINI_AUTO_NOTIFY | TESTMINI_NO_TEMPERATURE, 0, 0);
    CHECK_STATUS(tb_query_info(&tb, tag, BatteryTemperature, 0, &out, sizeof(out), &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_EQ(got, 0);
    tb_stop(&tb);
}

TEST(query_information_string_levels_are_utf16)
{
    tb_t tb;
    WCHAR name[64];
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    memset(name, 0xAB, sizeof(name));
    CHECK_STATUS(tb_query_info(&tb, tb_tag(&tb), BatteryDeviceName, 0, name, sizeof(name), &got),
                 STATUS_SUCCESS);
    /* "TestMini" and its NUL, two bytes a character. */
    CHECK_EQ(got, 9 * sizeof(WCHAR));
    CHECK_EQ(sizeof(WCHAR), 2);
    CHECK_EQ(name[0], 'T');
    CHECK_EQ(name[4], 'M');
    CHECK_EQ(name[7], 'i');
    CHECK_EQ(name[8], 0);
    CHECK_STATUS(tb_query_info(&tb, tb_tag(&tb), BatteryUniqueID, 0, name, sizeof(name), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, 20 * sizeof(WCHAR)); /* "battkitTestMini0001" */
    CHECK_EQ(name[19], 0);
    tb_stop(&tb);
}

TEST(query_information_short_output_is_buffer_too_small)
{
    tb_t tb;
    UCHAR out[64];
    uint32_t got = 99;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);
    /* docs: output too small for any data -> ERROR_INSUFFICIENT_BUFFER, 0 bytes. */
    CHECK_STATUS(tb_query_info(&tb, tag, BatteryInformation, 0, out, 35, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 0);
    CHECK_STATUS(tb_query_info(&tb, tag, BatteryTemperature, 0, out, 3, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 0);
    CHECK_STATUS(tb_query_info(&tb, tag, BatteryGranularityInformation, 0, out, 7, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_STATUS(tb_query_info(&tb, tag, BatteryManufactureDate, 0, out, 2, &got),
                 STATUS_BUFFER_TOO_SMALL);
    /* A string that does not fit: the miniclass says so, nothing returned. */
    CHECK_STATUS(tb_query_info(&tb, tag, BatteryDeviceName, 0, out, 8, &got),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(got, 0);
    /* The input itself too short. */
    ULONG tag_only = tag;
    CHECK_STATUS(bk_ioctl(tb.battery, IOCTL_BATTERY_QUERY_INFORMATION, &tag_only, sizeof(tag_only),
                          out, sizeof(out), &got),
                 STATUS_INVALID_PARAMETER);
    tb_stop(&tb);
}

TEST(query_information_bad_level_is_invalid_parameter)
{
    tb_t tb;
    UCHAR out[64];
    uint32_t got = 99;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG before = tb_counters(&tb).Calls[TESTMINI_CB_QUERY_INFO];
    CHECK_STATUS(
        tb_query_info(&tb, tb_tag(&tb), BatterySerialNumber + 1, 0, out, sizeof(out), &got),
        STATUS_INVALID_PARAMETER);
    CHECK_STATUS(tb_query_info(&tb, tb_tag(&tb), 0x80000000u, 0, out, sizeof(out), &got),
                 STATUS_INVALID_PARAMETER);
    CHECK_EQ(got, 0);
    /* Refused by battc: the miniclass never saw them. */
    CHECK_EQ(tb_counters(&tb).Calls[TESTMINI_CB_QUERY_INFO], before);
    tb_stop(&tb);
}

TEST(stale_tag_query_information_is_no_such_device)
{
    tb_t tb;
    BATTERY_INFORMATION info;
    uint32_t got = 99;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG old = tb_tag(&tb);
    tb_set_present(&tb, 0);
    tb_set_present(&tb, 1);
    CHECK(tb_tag(&tb) != old);
    /* docs: a tag that does not match -> ERROR_FILE_NOT_FOUND. */
    CHECK_STATUS(tb_query_info(&tb, old, BatteryInformation, 0, &info, sizeof(info), &got),
                 STATUS_NO_SUCH_DEVICE);
    CHECK_EQ(got, 0);
    tb_stop(&tb);
}

TEST(query_information_wrong_returned_length_never_overruns)
{
    tb_t tb;
    struct {
        BATTERY_INFORMATION info;
        UCHAR guard[16];
    } out;
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    /* A miniclass claiming 4096 more bytes than it wrote. */
    tb_config(&tb, TESTMINI_AUTO_NOTIFY, 0, 4096);
    memset(&out, 0xEE, sizeof(out));
    CHECK_STATUS(
        tb_query_info(&tb, tb_tag(&tb), BatteryInformation, 0, &out.info, sizeof(out.info), &got),
        STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(out.info)); /* clamped to the caller's buffer */
    for (size_t i = 0; i < sizeof(out.guard); i++)
        CHECK_EQ(out.guard[i], 0xEE);
    tb_stop(&tb);
}

/* ---- set information ---- */

static bk_status_t tb_set_info(tb_t *tb, ULONG tag, ULONG level, const void *payload,
                               ULONG payload_len)
{
    UCHAR in[64];
    uint32_t got = 0;
    memcpy(in, &tag, 4);
    memcpy(in + 4, &level, 4);
    if (payload_len)
        memcpy(in + 8, payload, payload_len);
    return bk_ioctl(tb->battery, IOCTL_BATTERY_SET_INFORMATION, in, 8 + payload_len, NULL, 0, &got);
}

TEST(set_information_charge_needs_only_header)
{
    tb_t tb;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);
    /* Pitfall 14: BatteryCharge/Discharge carry no payload; 8 bytes do. */
    CHECK_STATUS(tb_set_info(&tb, tag, BatteryCharge, NULL, 0), STATUS_SUCCESS);
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK_EQ(c.SetLevel, BatteryCharge);
    CHECK_EQ(c.SetBufferNull, 1);
    CHECK_STATUS(tb_set_info(&tb, tag, BatteryDischarge, NULL, 0), STATUS_SUCCESS);
    CHECK_EQ(tb_counters(&tb).SetLevel, BatteryDischarge);
    /* The critical bias is a ULONG at offset 8: 12 bytes needed. */
    ULONG bias = 1234;
    CHECK_STATUS(tb_set_info(&tb, tag, BatteryCriticalBias, &bias, sizeof(bias)), STATUS_SUCCESS);
    c = tb_counters(&tb);
    CHECK_EQ(c.SetLevel, BatteryCriticalBias);
    CHECK_EQ(c.SetPayload[0], 1234);
    CHECK_STATUS(tb_set_info(&tb, tag, BatteryCriticalBias, &bias, 2), STATUS_INVALID_PARAMETER);
    /* BatteryChargingSource needs its 8-byte BATTERY_CHARGING_SOURCE. */
    BATTERY_CHARGING_SOURCE src = {BatteryChargingSourceType_USB, 1500};
    CHECK_STATUS(tb_set_info(&tb, tag, BatteryChargingSource, &src, 4), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(tb_set_info(&tb, tag, BatteryChargingSource, &src, sizeof(src)), STATUS_SUCCESS);
    c = tb_counters(&tb);
    CHECK_EQ(c.SetPayload[0], BatteryChargingSourceType_USB);
    CHECK_EQ(c.SetPayload[1], 1500); /* mA */
    /* A level the battery does not take: the miniclass's NOT_SUPPORTED. */
    BATTERY_CHARGER_ID id = {0};
    CHECK_STATUS(tb_set_info(&tb, tag, BatteryChargerId, &id, 8), STATUS_INVALID_PARAMETER);
    CHECK_STATUS(tb_set_info(&tb, tag, BatteryChargerId, &id, sizeof(id)), STATUS_NOT_SUPPORTED);
    /* ...which battc completed itself: BatteryClassIoctl's own
     * STATUS_NOT_SUPPORTED ("not a battery IOCTL") never came back. */
    CHECK_EQ(tb_counters(&tb).ForwardedBatteryIoctls, 0);
    /* Undefined levels, short headers, stale tags. */
    CHECK_STATUS(tb_set_info(&tb, tag, BatteryChargerStatus + 1, NULL, 0),
                 STATUS_INVALID_PARAMETER);
    uint32_t got = 0;
    CHECK_STATUS(
        bk_ioctl(tb.battery, IOCTL_BATTERY_SET_INFORMATION, &tag, sizeof(tag), NULL, 0, &got),
        STATUS_INVALID_PARAMETER);
    CHECK_STATUS(tb_set_info(&tb, tag + 100, BatteryCharge, NULL, 0), STATUS_NO_SUCH_DEVICE);
    tb_stop(&tb);
}

TEST(set_information_null_callback_not_supported)
{
    tb_t tb;
    REQUIRE(tb_start(&tb, TESTMINI_HWID_NOSET) == 0);
    /* Pitfall 7: a miniclass without SetInformation is "not supported",
     * never a call through NULL. */
    CHECK_STATUS(tb_set_info(&tb, tb_tag(&tb), BatteryCharge, NULL, 0), STATUS_NOT_SUPPORTED);
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK_EQ(c.Calls[TESTMINI_CB_SET_INFO], 0);
    CHECK_EQ(c.ForwardedBatteryIoctls, 0); /* completed by battc, not passed down */
    tb_stop(&tb);
}

/* Battery WMI through battc: the standard data blocks it answers for the
 * miniclass (status, runtime, temperature, full-charged capacity, cycle
 * count, static data), the miniclass's own block, and the disposition. */
#include "battc_fixture.h"

#include <string.h>

TEST(wmi_status_block)
{
    tb_t tb;
    BATTERY_WMI_STATUS s;
    uint32_t got = 0;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);
    tb_set_status(&tb, BATTERY_DISCHARGING, 30000, 11500, -7000);
    memset(&s, 0xCC, sizeof(s));
    CHECK_STATUS(bk_wmi_query(tb.battery, &BATTERY_STATUS_WMI_GUID, &s, sizeof(s), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(BATTERY_WMI_STATUS));
    CHECK_EQ(s.Tag, tag);
    CHECK_EQ(s.RemainingCapacity, 30000); /* mWh */
    CHECK_EQ(s.ChargeRate, 0);
    CHECK_EQ(s.DischargeRate, 7000); /* mW, a magnitude */
    CHECK_EQ(s.Voltage, 11500);      /* mV */
    CHECK_EQ(s.PowerOnline, 0);
    CHECK_EQ(s.Charging, 0);
    CHECK_EQ(s.Discharging, 1);
    CHECK_EQ(s.Critical, 0);

    tb_set_status(&tb, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 31000, 12600, 15000);
    CHECK_STATUS(bk_wmi_query(tb.battery, &BATTERY_STATUS_WMI_GUID, &s, sizeof(s), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(s.ChargeRate, 15000);
    CHECK_EQ(s.DischargeRate, 0);
    CHECK_EQ(s.PowerOnline, 1);
    CHECK_EQ(s.Charging, 1);

    /* The four small blocks: { Tag, value }. */
    struct {
        ULONG Tag, Value;
    } small;
    tb_set_status(&tb, BATTERY_DISCHARGING, 30000, 11500, -7000);
    CHECK_STATUS(bk_wmi_query(tb.battery, &BATTERY_RUNTIME_WMI_GUID, &small, sizeof(small), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(got, sizeof(BATTERY_WMI_RUNTIME));
    CHECK_EQ(small.Tag, tag);
    CHECK_EQ(small.Value, 3600ull * 30000 / 7000); /* seconds */
    CHECK_STATUS(
        bk_wmi_query(tb.battery, &BATTERY_TEMPERATURE_WMI_GUID, &small, sizeof(small), &got),
        STATUS_SUCCESS);
    CHECK_EQ(small.Value, 2982); /* tenths of a kelvin */
    CHECK_STATUS(bk_wmi_query(tb.battery, &BATTERY_FULL_CHARGED_CAPACITY_WMI_GUID, &small,
                              sizeof(small), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(small.Value, 48000);
    CHECK_STATUS(
        bk_wmi_query(tb.battery, &BATTERY_CYCLE_COUNT_WMI_GUID, &small, sizeof(small), &got),
        STATUS_SUCCESS);
    CHECK_EQ(small.Value, 42);
    tb_stop(&tb);
}

/* Reads the counted string at *offset into an ASCII copy. */
static void counted_string(const UCHAR *block, uint32_t size, uint32_t *offset, char *out,
                           size_t out_len)
{
    USHORT bytes = 0;
    out[0] = 0;
    if (*offset + 2 > size)
        return;
    memcpy(&bytes, block + *offset, 2);
    *offset += 2;
    if (*offset + bytes > size)
        return;
    size_t n = bytes / 2 < out_len - 1 ? bytes / 2 : out_len - 1;
    for (size_t i = 0; i < n; i++) {
        WCHAR ch;
        memcpy(&ch, block + *offset + 2 * i, 2);
        out[i] = (char)ch;
    }
    out[n] = 0;
    *offset += bytes;
}

TEST(wmi_static_data_block)
{
    tb_t tb;
    union {
        BATTERY_WMI_STATIC_DATA s;
        UCHAR raw[512];
    } b;
    uint32_t got = 0;
    char text[64];
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);
    CHECK_STATUS(bk_wmi_query(tb.battery, &BATTERY_STATIC_DATA_WMI_GUID, &b, sizeof(b), &got),
                 STATUS_SUCCESS);
    /* Fixed part (116 bytes), then four counted strings. */
    CHECK_EQ(got, 116 + (2 + 16) + (2 + 14) + (2 + 8) + (2 + 38));
    CHECK_EQ(b.s.Tag, tag);
    for (int i = 0; i < 25; i++)
        text[i] = (char)b.s.ManufactureDate[i];
    text[25] = 0;
    /* CIM DATETIME (the format is battkit's choice; unverified). */
    CHECK_STR(text, "20240615000000.000000+000");
    CHECK_EQ(b.s.Granularity[0].Granularity, 100);
    CHECK_EQ(b.s.Granularity[0].Capacity, 10000);
    CHECK_EQ(b.s.Granularity[1].Capacity, 48000);
    CHECK_EQ(b.s.Granularity[2].Capacity, 0);
    CHECK_EQ(b.s.Capabilities, BATTERY_SYSTEM_BATTERY | BATTERY_SET_CHARGE_SUPPORTED |
                                   BATTERY_SET_DISCHARGE_SUPPORTED);
    CHECK_EQ(b.s.Technology, 1);
    CHECK(memcmp(&b.s.Chemistry, "LION", 4) == 0);
    CHECK_EQ(b.s.DesignedCapacity, 50000);
    CHECK_EQ(b.s.DefaultAlert1, 2400);
    CHECK_EQ(b.s.DefaultAlert2, 4800);
    CHECK_EQ(b.s.CriticalBias, 0);
    uint32_t offset = 116;
    counted_string(b.raw, got, &offset, text, sizeof(text));
    CHECK_STR(text, "TestMini"); /* device name */
    counted_string(b.raw, got, &offset, text, sizeof(text));
    CHECK_STR(text, "battkit"); /* manufacture name */
    counted_string(b.raw, got, &offset, text, sizeof(text));
    CHECK_STR(text, "0001"); /* serial number */
    counted_string(b.raw, got, &offset, text, sizeof(text));
    CHECK_STR(text, "battkitTestMini0001"); /* unique ID */
    CHECK_EQ(offset, got);

    /* A buffer too small: WMI's "too small" with the size needed. */
    uint32_t needed = 0;
    CHECK_STATUS(bk_wmi_query(tb.battery, &BATTERY_STATIC_DATA_WMI_GUID, &b, 16, &needed),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(needed, got);
    tb_stop(&tb);
}

TEST(wmi_unknown_guid_not_found_and_disposition_set)
{
    tb_t tb;
    ULONG value = 0;
    uint32_t got = 0;
    static const GUID nobody = {0x12345678, 0x1234, 0x5678, {1, 2, 3, 4, 5, 6, 7, 8}};
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    /* The miniclass's own block keeps its index 0: battc says "not mine"
     * (STATUS_WMI_GUID_NOT_FOUND) and the miniclass answers it. */
    CHECK_STATUS(bk_wmi_query(tb.battery, &TESTMINI_OWN_WMI_GUID, &value, sizeof(value), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(value, TESTMINI_OWN_BLOCK_VALUE);
    TESTMINI_COUNTERS c = tb_counters(&tb);
    CHECK_STATUS(c.OwnBlockStatus, STATUS_WMI_GUID_NOT_FOUND);
    CHECK_STATUS(bk_wmi_query(tb.battery, &nobody, &value, sizeof(value), &got),
                 STATUS_WMI_GUID_NOT_FOUND);
    /* Pitfall 1: BatteryClassSystemControl always wrote the disposition. */
    CHECK_EQ(tb_counters(&tb).DispositionUnset, 0);
    tb_stop(&tb);
}

TEST(wmi_temperature_unsupported_is_an_error_not_garbage)
{
    tb_t tb;
    struct {
        ULONG Tag, Value;
    } small;
    uint32_t got = 99;
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    tb_config(&tb, TESTMINI_AUTO_NOTIFY | TESTMINI_NO_TEMPERATURE | TESTMINI_NO_DATE, 0, 0);
    CHECK_STATUS(
        bk_wmi_query(tb.battery, &BATTERY_TEMPERATURE_WMI_GUID, &small, sizeof(small), &got),
        STATUS_INVALID_DEVICE_REQUEST);
    /* Optional parts of the static data are left empty instead. */
    union {
        BATTERY_WMI_STATIC_DATA s;
        UCHAR raw[512];
    } b;
    CHECK_STATUS(bk_wmi_query(tb.battery, &BATTERY_STATIC_DATA_WMI_GUID, &b, sizeof(b), &got),
                 STATUS_SUCCESS);
    CHECK_EQ(b.s.ManufactureDate[0], 0);
    tb_stop(&tb);
}

typedef struct seen {
    int status_events, tag_events; /* atomic */
    BATTERY_WMI_STATUS_CHANGE last_status;
    BATTERY_TAG_CHANGE last_tag;
    uint32_t status_size, tag_size;
} seen_t;

static void on_event(void *context, const GUID *guid, const char *instance_name, const void *data,
                     uint32_t size)
{
    seen_t *seen = context;
    (void)instance_name;
    if (IsEqualGUID(guid, &BATTERY_STATUS_CHANGE_WMI_GUID)) {
        seen->status_size = size;
        memcpy(&seen->last_status, data,
               size < sizeof(seen->last_status) ? size : sizeof(seen->last_status));
        __atomic_add_fetch(&seen->status_events, 1, __ATOMIC_SEQ_CST);
    } else if (IsEqualGUID(guid, &BATTERY_TAG_CHANGE_WMI_GUID)) {
        seen->tag_size = size;
        memcpy(&seen->last_tag, data,
               size < sizeof(seen->last_tag) ? size : sizeof(seen->last_tag));
        __atomic_add_fetch(&seen->tag_events, 1, __ATOMIC_SEQ_CST);
    }
}

TEST(wmi_events_fire_on_power_state_and_tag_change)
{
    tb_t tb;
    seen_t seen;
    memset(&seen, 0, sizeof(seen));
    REQUIRE(tb_start(&tb, TESTMINI_HWID) == 0);
    ULONG tag = tb_tag(&tb);
    void *w1 = bk_wmi_watch_events(&BATTERY_STATUS_CHANGE_WMI_GUID, on_event, &seen);
    void *w2 = bk_wmi_watch_events(&BATTERY_TAG_CHANGE_WMI_GUID, on_event, &seen);
    REQUIRE(w1 && w2);
    bk_host_settle(tb.host);
    /* Enabling only takes the baseline: nothing changed yet. */
    CHECK_EQ(seen.status_events + seen.tag_events, 0);

    /* A capacity change inside the same power state is not an event. */
    tb_set_status(&tb, BATTERY_POWER_ON_LINE, 39000, 12000, 0);
    tb_notify(&tb, PASSIVE_LEVEL);
    CHECK_EQ(seen.status_events, 0);
    tb_set_status(&tb, BATTERY_DISCHARGING, 39000, 11800, -9000);
    CHECK_EQ(seen.status_events, 1);
    CHECK_EQ(seen.status_size, sizeof(BATTERY_WMI_STATUS_CHANGE));
    CHECK_EQ(seen.last_status.Tag, tag);
    CHECK_EQ(seen.last_status.PowerOnline, 0);
    CHECK_EQ(seen.last_status.Discharging, 1);
    CHECK_EQ(seen.last_status.Charging, 0);

    tb_set_present(&tb, 0);
    CHECK_EQ(seen.tag_events, 1);
    CHECK_EQ(seen.tag_size, sizeof(BATTERY_TAG_CHANGE));
    CHECK_EQ(seen.last_tag.Tag, BATTERY_TAG_INVALID);
    tb_set_present(&tb, 1);
    CHECK_EQ(seen.tag_events, 2);
    CHECK_EQ(seen.last_tag.Tag, tb_counters(&tb).Tag);
    CHECK(seen.last_tag.Tag != tag);
    CHECK_EQ(seen.status_events, 1);

    bk_wmi_unwatch_events(w1);
    bk_wmi_unwatch_events(w2);
    bk_host_settle(tb.host);
    /* Disabled again: changes fire nothing. */
    tb_set_status(&tb, BATTERY_POWER_ON_LINE | BATTERY_CHARGING, 39000, 12600, 9000);
    CHECK_EQ(seen.status_events, 1);
    tb_stop(&tb);
}

/* IOCTL_BATTERY_SET_INFORMATION against simbatt: the critical bias (stored,
 * reported, subtracted from the capacities), BatteryCharge/BatteryDischarge
 * on AC as the capability bits say, the charging source, and
 * STATUS_NOT_SUPPORTED for the rest. */
#include "simbatt_fixture.h"

#include <string.h>

TEST(critical_bias_is_reported_and_subtracted_from_capacities)
{
    sb_t sb;
    BATTERY_INFORMATION info;
    BATTERY_STATUS st;
    ULONG bias = 2000, seconds = 0;

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_DISCHARGING, 36000, 11000, -12000);
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryCriticalBias, &bias, sizeof bias), STATUS_SUCCESS);
    CHECK_EQ(sb_tag(&sb), tag); /* the caller re-reads with the same tag */
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryInformation, 0, &info, sizeof info, NULL),
                 STATUS_SUCCESS);
    CHECK_EQ(info.CriticalBias, 2000);
    CHECK_EQ(info.FullChargedCapacity, 46000);
    CHECK_EQ(info.DesignedCapacity, 50000);
    CHECK_STATUS(sb_query_status(&sb, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.Capacity, 34000);
    CHECK_STATUS(sb_query_info(&sb, tag, BatteryEstimatedTime, 0, &seconds, sizeof seconds, NULL),
                 STATUS_SUCCESS);
    CHECK_EQ(seconds, 3600 * 34000 / 12000);
    /* Below the bias the report is 0, not a wrapped number. */
    sb_set_status(&sb, BATTERY_DISCHARGING, 1500, 11000, -12000);
    CHECK_STATUS(sb_query_status(&sb, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.Capacity, 0);
    sb_stop(&sb);
}

TEST(critical_bias_at_or_above_full_charge_is_unsuccessful)
{
    sb_t sb;
    ULONG bias = 48000;

    SB_START(sb, NULL);
    CHECK_STATUS(sb_set_info(&sb, sb_tag(&sb), BatteryCriticalBias, &bias, sizeof bias),
                 STATUS_UNSUCCESSFUL);
    CHECK_EQ(sb_state(&sb).Battery.Information.CriticalBias, 0);
    sb_stop(&sb);
}

TEST(charge_and_discharge_requests_act_on_ac)
{
    sb_t sb;
    BATTERY_STATUS st, out;

    SB_START(sb, NULL);
    sb_set_status(&sb, BATTERY_POWER_ON_LINE, 30000, 11800, 0);
    ULONG tag = sb_tag(&sb);
    bk_request_t *r =
        sb_wait_status(&sb, tag, 0xFFFFFFFFu, BATTERY_POWER_ON_LINE, 0, 0xFFFFFFFFu, &out);
    REQUIRE(r);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryCharge, NULL, 0), STATUS_SUCCESS);
    sb_advance_ms(&sb, 1);
    CHECK_STATUS(bk_request_status(r, NULL), STATUS_SUCCESS); /* charge start is notified */
    CHECK_EQ(out.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    bk_request_free(r);
    CHECK_EQ(sb_state(&sb).ChargeControl, SIMBATT_CHARGE_FORCE_CHARGE);

    sb_set_status(&sb, BATTERY_POWER_ON_LINE, 30000, 11800, 0);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryDischarge, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(sb_query_status(&sb, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_DISCHARGING);
    sb_stop(&sb);
}

TEST(charge_request_without_ac_is_unsuccessful_and_losing_ac_ends_it)
{
    sb_t sb;
    BATTERY_STATUS st;

    SB_START(sb, NULL);
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryCharge, NULL, 0), STATUS_SUCCESS);
    sb_set_status(&sb, BATTERY_DISCHARGING, 30000, 11000, -8000);
    CHECK_EQ(sb_state(&sb).ChargeControl, SIMBATT_CHARGE_AUTO);
    CHECK_STATUS(sb_query_status(&sb, tag, &st), STATUS_SUCCESS);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryCharge, NULL, 0), STATUS_UNSUCCESSFUL);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryDischarge, NULL, 0), STATUS_UNSUCCESSFUL);
    sb_stop(&sb);
}

TEST(set_levels_follow_the_capability_bits)
{
    sb_t sb;
    BATTERY_INFORMATION info;
    BATTERY_CHARGING_SOURCE source = {BatteryChargingSourceType_USB, 1500};

    SB_START(sb, NULL);
    info = sb_state(&sb).Battery.Information;
    info.Capabilities = BATTERY_SYSTEM_BATTERY;
    CHECK_STATUS(sb_ctl(&sb, IOCTL_SIMBATT_SET_INFORMATION, &info, sizeof info), STATUS_SUCCESS);
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryCharge, NULL, 0), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryDischarge, NULL, 0), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryChargingSource, &source, sizeof source),
                 STATUS_NOT_SUPPORTED);
    sb_stop(&sb);
}

TEST(charging_source_stores_its_max_current)
{
    sb_t sb;
    BATTERY_CHARGING_SOURCE source = {BatteryChargingSourceType_USB, 1500};
    BATTERY_CHARGING_SOURCE bad = {(BATTERY_CHARGING_SOURCE_TYPE)4, 100};

    SB_START(sb, NULL);
    ULONG tag = sb_tag(&sb);
    CHECK_EQ(sb_state(&sb).Battery.MaxChargingCurrent, BATTERY_UNKNOWN_CURRENT);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryChargingSource, &source, sizeof source),
                 STATUS_SUCCESS);
    SIMBATT_STATE st = sb_state(&sb);
    CHECK_EQ(st.Battery.MaxChargingCurrent, 1500);
    CHECK_EQ(st.Battery.ChargingSourceType, BatteryChargingSourceType_USB);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryChargingSource, &bad, sizeof bad),
                 STATUS_INVALID_PARAMETER);
    bad.Type = (BATTERY_CHARGING_SOURCE_TYPE)0;
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryChargingSource, &bad, sizeof bad),
                 STATUS_INVALID_PARAMETER);
    CHECK_EQ(sb_state(&sb).Battery.MaxChargingCurrent, 1500);
    sb_stop(&sb);
}

TEST(other_set_levels_are_not_supported)
{
    sb_t sb;
    UCHAR payload[16];

    SB_START(sb, NULL);
    memset(payload, 0x11, sizeof payload);
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryChargerId, payload, 16), STATUS_NOT_SUPPORTED);
    CHECK_STATUS(sb_set_info(&sb, tag, BatteryChargerStatus, payload, 8), STATUS_NOT_SUPPORTED);
    sb_stop(&sb);
}

TEST(set_information_callback_checks_tag_and_payload)
{
    sb_t sb;
    BCLASS_SET_INFORMATION_CALLBACK *set_info;

    SB_START(sb, NULL);
    set_info = (BCLASS_SET_INFORMATION_CALLBACK *)sb_driver_symbol("SimBattSetInformation");
    REQUIRE(set_info && sb_context(&sb));
    ULONG tag = sb_tag(&sb);
    CHECK_STATUS(set_info(sb_context(&sb), tag + 1, BatteryCharge, NULL), STATUS_NO_SUCH_DEVICE);
    CHECK_STATUS(set_info(sb_context(&sb), tag, BatteryCriticalBias, NULL),
                 STATUS_INVALID_PARAMETER_4);
    CHECK_STATUS(set_info(sb_context(&sb), tag, BatteryChargingSource, NULL),
                 STATUS_INVALID_PARAMETER_4);
    CHECK_STATUS(set_info(sb_context(&sb), tag, (BATTERY_SET_INFORMATION_LEVEL)77, NULL),
                 STATUS_NOT_SUPPORTED);
    sb_stop(&sb);
}

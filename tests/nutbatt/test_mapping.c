/* nutbatt's mapping of NUT's variables to battc's answers, read through the
 * whole stack (IOCTLs on the battery's interface) from a real upsd serving
 * NUT's dummy-ups driver. */
#include "nb_fixture.h"

#include <stdio.h>
#include <string.h>

static const char dev_on_battery[] = "device.mfr: Eaton\n"
                                     "device.model: 5E 1100i\n"
                                     "device.serial: G123\n"
                                     "battery.charge: 50\n"
                                     "battery.charge.low: 20\n"
                                     "battery.charge.warning: 35\n"
                                     "battery.runtime: 900\n"
                                     "battery.voltage: 24.1\n"
                                     "battery.voltage.nominal: 24\n"
                                     "battery.capacity: 9\n"
                                     "battery.type: PbAc\n"
                                     "ups.status: OB DISCHRG\n";

TEST(ups_information_is_short_term_with_capacity_from_amp_hours_and_nominal_voltage)
{
    nb_t nb;
    ULONG tag;
    BATTERY_INFORMATION bi;
    uint32_t got;
    REQUIRE(nb_start(&nb, nb_dev_online, NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    CHECK(tag != BATTERY_TAG_INVALID && tag != 0);
    CHECK_STATUS(nb_info(&nb, tag, BatteryInformation, 0, &bi, sizeof bi, &got), 0);
    CHECK_EQ(got, sizeof bi);
    CHECK_EQ(bi.Capabilities, BATTERY_SYSTEM_BATTERY | BATTERY_IS_SHORT_TERM);
    CHECK_EQ(bi.Technology, 1);
    CHECK(memcmp(bi.Chemistry, "PbAc", 4) == 0); /* battery.type */
    CHECK_EQ(bi.DesignedCapacity, 216000);       /* 9 Ah x 24 V, not the machine's 100000 */
    CHECK_EQ(bi.FullChargedCapacity, 216000);
    CHECK_EQ(bi.DefaultAlert1, 43200); /* battery.charge.low 20 % */
    CHECK_EQ(bi.DefaultAlert2, 75600); /* battery.charge.warning 35 % */
    CHECK_EQ(bi.CycleCount, 0);
    nb_done(&nb);
}

TEST(ups_online_charging_status_in_mwh_and_mv)
{
    nb_t nb;
    ULONG tag;
    BATTERY_STATUS st;
    ULONG time = 0;
    REQUIRE(nb_start(&nb, nb_dev_online, NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    CHECK_STATUS(nb_status(&nb, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE | BATTERY_CHARGING);
    CHECK_EQ(st.Capacity, 172800);                  /* 80 % of 216000 mWh */
    CHECK_EQ(st.Voltage, 26400);                    /* 26.4 V */
    CHECK_EQ((ULONG)st.Rate, BATTERY_UNKNOWN_RATE); /* NUT has no charge power */
    /* docs (1.3): no estimate on AC with AtRate 0. */
    CHECK_STATUS(nb_info(&nb, tag, BatteryEstimatedTime, 0, &time, sizeof time, NULL), 0);
    CHECK_EQ(time, BATTERY_UNKNOWN_TIME);
    /* At a given discharge rate: what is left over that rate. */
    CHECK_STATUS(nb_info(&nb, tag, BatteryEstimatedTime, -21600, &time, sizeof time, NULL), 0);
    CHECK_EQ(time, 28800); /* 172800 mWh / 21600 mW = 8 h */
    nb_done(&nb);
}

TEST(ups_on_battery_discharges_at_the_rate_its_runtime_implies)
{
    nb_t nb;
    ULONG tag, time = 0;
    BATTERY_STATUS st;
    REQUIRE(nb_start(&nb, dev_on_battery, NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    CHECK_STATUS(nb_status(&nb, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING);
    CHECK_EQ(st.Capacity, 108000); /* 50 % */
    CHECK_EQ(st.Voltage, 24100);
    CHECK_EQ(st.Rate, -432000); /* 108000 mWh over battery.runtime 900 s */
    CHECK_STATUS(nb_info(&nb, tag, BatteryEstimatedTime, 0, &time, sizeof time, NULL), 0);
    CHECK_EQ(time, 900); /* the UPS's own battery.runtime */
    nb_done(&nb);
}

TEST(low_battery_flag_is_critical_and_online_without_charging_is_idle)
{
    nb_t nb;
    ULONG tag;
    BATTERY_STATUS st;
    REQUIRE(nb_start(&nb, "battery.charge: 12\nbattery.runtime: 100\nups.status: OB LB\n", NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    CHECK_STATUS(nb_status(&nb, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING | BATTERY_CRITICAL);
    CHECK_EQ(st.Capacity, 12000); /* 12 % of the machine's 100000 mWh: no Ah from the UPS */
    CHECK_EQ(st.Voltage, BATTERY_UNKNOWN_VOLTAGE);
    REQUIRE(nb_set(&nb, "battery.charge: 100\nups.status: OL\n"));
    CHECK_STATUS(nb_status(&nb, tag, &st), 0); /* same UPS, same tag */
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE);
    CHECK_EQ(st.Rate, 0);
    /* Flags the battery status has no bit for change nothing. */
    REQUIRE(nb_set(&nb, "battery.charge: 100\nups.status: OL RB TRIM\n"));
    CHECK_STATUS(nb_status(&nb, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_POWER_ON_LINE);
    /* FSD: the primary upsmon is shutting the systems down: critical. */
    REQUIRE(nb_set(&nb, "battery.charge: 30\nups.status: FSD OB\n"));
    CHECK_STATUS(nb_status(&nb, tag, &st), 0);
    CHECK_EQ(st.PowerState, BATTERY_DISCHARGING | BATTERY_CRITICAL);
    nb_done(&nb);
}

TEST(strings_come_from_the_ups_and_the_machine_fills_what_it_lacks)
{
    nb_t nb;
    ULONG tag;
    WCHAR w[128];
    char text[128], want[128];
    uint32_t got;
    REQUIRE(nb_start(&nb, nb_dev_online, NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    CHECK_STATUS(nb_info(&nb, tag, BatteryDeviceName, 0, w, sizeof w, &got), 0);
    nb_ascii(w, got, text, sizeof text);
    CHECK_STR(text, "5E 1100i");
    CHECK_EQ(got, (strlen("5E 1100i") + 1) * 2); /* with its NUL */
    CHECK_STATUS(nb_info(&nb, tag, BatteryManufactureName, 0, w, sizeof w, &got), 0);
    nb_ascii(w, got, text, sizeof text);
    CHECK_STR(text, "Eaton");
    CHECK_STATUS(nb_info(&nb, tag, BatterySerialNumber, 0, w, sizeof w, &got), 0);
    nb_ascii(w, got, text, sizeof text);
    CHECK_STR(text, "G123");
    CHECK_STATUS(nb_info(&nb, tag, BatteryUniqueID, 0, w, sizeof w, &got), 0);
    nb_ascii(w, got, text, sizeof text);
    snprintf(want, sizeof want, "%s#G123", nut_upsd_address(&nb.ups));
    CHECK_STR(text, want);
    nb_done(&nb);

    /* A UPS that names nothing: the machine description's names. */
    /* (an empty value removes a variable dummy-ups would fill in) */
    REQUIRE(nb_start(&nb,
                     "device.mfr: \ndevice.model: \nups.mfr: \nups.model: \n"
                     "battery.charge: 90\nups.status: OL\n",
                     NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    CHECK_STATUS(nb_info(&nb, tag, BatteryDeviceName, 0, w, sizeof w, &got), 0);
    nb_ascii(w, got, text, sizeof text);
    CHECK_STR(text, "Machine Model");
    CHECK_STATUS(nb_info(&nb, tag, BatteryManufactureName, 0, w, sizeof w, &got), 0);
    nb_ascii(w, got, text, sizeof text);
    CHECK_STR(text, "Machine Mfr");
    BATTERY_INFORMATION bi;
    CHECK_STATUS(nb_info(&nb, tag, BatteryInformation, 0, &bi, sizeof bi, NULL), 0);
    CHECK(memcmp(bi.Chemistry, "PbAc", 4) == 0); /* chemistry = lead-acid */
    CHECK_EQ(bi.DesignedCapacity, 100000);
    CHECK_EQ(bi.DefaultAlert1, 0); /* no battery.charge.low: no alert to suggest */
    nb_done(&nb);
}

TEST(levels_the_ups_has_no_data_for_are_invalid_device_request)
{
    nb_t nb;
    ULONG tag, temp = 0;
    BATTERY_MANUFACTURE_DATE date;
    BATTERY_REPORTING_SCALE scale[4];
    uint32_t got;
    REQUIRE(nb_start(&nb, nb_dev_online, NULL));
    CHECK_STATUS(nb_tag(&nb, &tag), 0);
    CHECK_STATUS(nb_info(&nb, tag, BatteryTemperature, 0, &temp, sizeof temp, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    CHECK_STATUS(nb_info(&nb, tag, BatteryManufactureDate, 0, &date, sizeof date, &got),
                 STATUS_INVALID_DEVICE_REQUEST);
    /* battery.charge is whole percent: the gauge's step is 1 % of full. */
    CHECK_STATUS(nb_info(&nb, tag, BatteryGranularityInformation, 0, scale, sizeof scale, &got), 0);
    CHECK_EQ(got, sizeof scale[0]);
    CHECK_EQ(scale[0].Granularity, 2160);
    CHECK_EQ(scale[0].Capacity, 216000);
    CHECK_STATUS(nb_info(&nb, tag, 9, 0, &temp, sizeof temp, &got), STATUS_INVALID_PARAMETER);
    /* When the UPS gives them: battery.temperature and battery.mfr.date. */
    char dev[1024];
    snprintf(dev, sizeof dev, "%sbattery.temperature: 30.5\nbattery.mfr.date: 2021/03/12\n",
             nb_dev_online);
    REQUIRE(nb_set(&nb, dev));
    /* The temperature changes: the next refresh reads it, the same battery. */
    ULONG tag2;
    CHECK_STATUS(nb_tag(&nb, &tag2), 0);
    CHECK_EQ(tag2, tag);
    CHECK_STATUS(nb_info(&nb, tag, BatteryTemperature, 0, &temp, sizeof temp, &got), 0);
    CHECK_EQ(temp, 3036); /* 30.5 degC = 303.65 K, in tenths */
    /* The date is static data, read by the next full read: a new tag. */
    int polls = 1;
    while (tag2 == tag && polls++ < NB_FULL_READ_EVERY) {
        nb_poll(&nb);
        CHECK_STATUS(nb_tag(&nb, &tag2), 0);
    }
    CHECK(tag2 != tag);
    CHECK_STATUS(nb_info(&nb, tag2, BatteryManufactureDate, 0, &date, sizeof date, &got), 0);
    CHECK_EQ(date.Year, 2021);
    CHECK_EQ(date.Month, 3);
    CHECK_EQ(date.Day, 12);
    nb_done(&nb);
}

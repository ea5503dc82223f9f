/* test_machine.c: the machine description (docs/machine-format.md) read with
 * the INF reader: the built-in default laptop, the example machines, and bad
 * files refused with "FILE:LINE: reason". */
#include "test_util.h"
#include "machine_internal.h" /* the key table, to check the docs list it */

#include <dirent.h>

static int load(const char *text, bk_machine_t *m, bk_diags_t *d)
{
    return bk_machine_load_buffer("/machines/test.ini", text, strlen(text), m, d);
}

static const char minimal_battery[] = "[battery.B]\n"
                                      "design_capacity_mwh = 50000\n"
                                      "design_voltage_mv = 11100\n"
                                      "cells = 3\n";

TEST(default_machine_is_a_57wh_laptop_with_an_ac_adapter_on_acpi)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    REQUIRE(bk_machine_load_default(&m, &d) == 0);
    CHECK_EQ(d.count, 0);
    dump_diags(&d);
    CHECK_STR(m.name, "laptop");
    REQUIRE(m.nbatteries == 1);
    const bk_machine_battery_t *b = &m.batteries[0];
    CHECK_STR(b->name, "BAT0");
    CHECK_EQ(b->bus, BK_MACHINE_BUS_ACPI);
    CHECK_EQ(b->chemistry, BK_MACHINE_LI_ION);
    CHECK_EQ(b->design_capacity_mwh, 57000);
    CHECK_EQ(b->design_voltage_mv, 11400);
    CHECK_EQ(b->cells, 3);
    CHECK_EQ(b->firmware, BK_MACHINE_FIRMWARE_BIX);
    CHECK(b->present);
    CHECK_EQ(b->manufacture_date.year, 2024);
    REQUIRE(m.nacs == 1);
    CHECK_EQ(m.acs[0].bus, BK_MACHINE_BUS_ACPI);
    CHECK(m.acs[0].online);
    CHECK_STR(m.file, BK_MACHINE_DEFAULT_NAME);
    bk_machine_free(&m);
    bk_diags_free(&d);
}

TEST(default_machine_text_is_data_machines_laptop_ini)
{
    FILE *f = fopen(BK_MACHINES_DIR "/laptop.ini", "rb");
    REQUIRE(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    CHECK_EQ(strlen(bk_machine_default_text), n);
    CHECK(strcmp(bk_machine_default_text, buf) == 0);
}

TEST(every_example_machine_loads_without_problems)
{
    DIR *dir = opendir(BK_MACHINES_DIR);
    REQUIRE(dir);
    struct dirent *e;
    int loaded = 0;
    while ((e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".ini"))
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", BK_MACHINES_DIR, e->d_name);
        bk_machine_t m;
        bk_diags_t d = {0};
        if (bk_machine_load_file(path, &m, &d) != 0 || d.count) {
            bk_test_fail(__FILE__, __LINE__, "%s does not load cleanly", e->d_name);
            dump_diags(&d);
        } else {
            CHECK(m.nbatteries >= 1 || m.power_supply); /* host.ini: psbatt brings them */
            loaded++;
            bk_machine_free(&m);
        }
        bk_diags_free(&d);
    }
    closedir(dir);
    CHECK(loaded >= 3);
}

TEST(example_ups_desktop_has_a_lead_acid_battery_on_nut)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    REQUIRE(bk_machine_load_file(BK_MACHINES_DIR "/desktop-ups.ini", &m, &d) == 0);
    REQUIRE(m.nbatteries == 1);
    CHECK_EQ(m.batteries[0].bus, BK_MACHINE_BUS_NUT);
    CHECK_EQ(m.batteries[0].chemistry, BK_MACHINE_LEAD_ACID);
    CHECK_STR(m.batteries[0].nut_ups, "ups@localhost");
    CHECK_EQ(m.nacs, 0);
    bk_machine_free(&m);
    bk_diags_free(&d);
}

TEST(omitted_keys_take_the_table_defaults)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    REQUIRE(load(minimal_battery, &m, &d) == 0);
    CHECK_STR(m.name, "machine");
    CHECK_EQ(m.time, BK_MACHINE_TIME_REAL);
    CHECK_EQ(m.start_time, -1);
    const bk_machine_battery_t *b = &m.batteries[0];
    CHECK_EQ(b->bus, BK_MACHINE_BUS_ACPI);
    CHECK_EQ(b->chemistry, BK_MACHINE_LI_ION);
    CHECK(b->present);
    CHECK_EQ(b->parallel, 1);
    CHECK_NEAR(b->initial_soc_percent, 100, 0);
    CHECK_NEAR(b->temperature_c, 25, 0);
    CHECK_STR(b->manufacturer, "");
    CHECK(b->nut_ups == NULL);
    CHECK_EQ(b->manufacture_date.year, 0);
    CHECK_EQ(d.count, 0);
    bk_machine_free(&m);
    bk_diags_free(&d);
}

TEST(bad_number_is_refused_with_file_and_line)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    const char text[] = "[battery.B]\ndesign_capacity_mwh = 57 Wh\n"
                        "design_voltage_mv = 11400\ncells = 3\n";
    CHECK_EQ(load(text, &m, &d), -1);
    const bk_diag_t *x = find_diag(&d, BK_SEV_ERROR, 2, "not a whole number");
    REQUIRE(x);
    char buf[256];
    bk_diag_format(x, buf, sizeof(buf));
    CHECK_STR(buf, "/machines/test.ini:2: error: design_capacity_mwh = 57 Wh: not a whole number");
    CHECK_EQ(m.nbatteries, 0); /* refused whole */
    CHECK(m.batteries == NULL);
    bk_diags_free(&d);
}

TEST(value_out_of_range_is_refused_with_its_line)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    const char text[] = "[battery.B]\ndesign_capacity_mwh = 57000\ndesign_voltage_mv = 11400\n"
                        "cells = 3\ninitial_soc_percent = 120\ntemperature_c = -41\n";
    CHECK_EQ(load(text, &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 5, "initial_soc_percent = 120 is out of range (0..100)"));
    CHECK(find_diag(&d, BK_SEV_ERROR, 6, "temperature_c = -41 is out of range (-40..85)"));
    bk_diags_free(&d);
}

TEST(unknown_key_is_an_error)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    const char text[] = "[machine]\nname = x\ncolour = blue\n";
    CHECK_EQ(load(text, &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 3, "unknown key 'colour' in [machine]"));
    bk_diags_free(&d);
}

TEST(unknown_section_is_an_error)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    CHECK_EQ(load("[batery.B]\n", &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 1, "unknown section [batery.B]"));
    CHECK_EQ(load("[machine.X]\n", &m, &d), -1); /* [machine] takes no name */
    CHECK_EQ(load("[battery]\n", &m, &d), -1);   /* a battery needs one */
    bk_diags_free(&d);
}

TEST(duplicate_section_is_an_error_at_its_second_header)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    char text[512];
    snprintf(text, sizeof(text), "%s\n[battery.b]\nmodel = again\n", minimal_battery);
    CHECK_EQ(load(text, &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 6, "duplicate section [battery.B] (first at line 1)"));
    bk_diags_free(&d);
}

TEST(duplicate_key_is_an_error)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    char text[512];
    snprintf(text, sizeof(text), "%scells = 4\n", minimal_battery);
    CHECK_EQ(load(text, &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 5, "duplicate key 'cells' (first at line 4)"));
    bk_diags_free(&d);
}

TEST(missing_required_key_is_an_error_at_the_section)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    CHECK_EQ(load("\n[battery.B]\ndesign_voltage_mv = 11100\ncells = 3\n", &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 2, "needs design_capacity_mwh"));
    bk_diags_free(&d);
}

TEST(enum_values_list_what_is_accepted)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    char text[512];
    snprintf(text, sizeof(text), "%sbus = usb\n", minimal_battery);
    CHECK_EQ(load(text, &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 5, "bus = usb: expected acpi, root, simbatt or nut"));
    bk_diags_free(&d);
}

TEST(bad_names_and_dates_are_refused)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    CHECK_EQ(load("[battery.has space]\n", &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 1, "must be 1..15 letters"));
    char text[512];
    snprintf(text, sizeof(text), "%smanufacture_date = 2023-02-29\n", minimal_battery);
    CHECK_EQ(load(text, &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 5, "expected a date YYYY-MM-DD"));
    snprintf(text, sizeof(text), "%smanufacture_date = 2024-02-29\n", minimal_battery);
    CHECK_EQ(load(text, &m, &d), 0); /* a leap day */
    bk_machine_free(&m);
    bk_diags_free(&d);
}

TEST(start_time_is_seconds_since_1970_utc)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    REQUIRE(load("[machine]\ntime = virtual\nstart_time = 2024-01-01T00:00:00Z\n", &m, &d) == 0);
    CHECK_EQ(m.time, BK_MACHINE_TIME_VIRTUAL);
    CHECK_EQ(m.start_time, 1704067200);
    bk_machine_free(&m);
    CHECK_EQ(load("[machine]\nstart_time = 2024-01-01 25:00:00\n", &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 2, "expected YYYY-MM-DDTHH:MM:SSZ"));
    bk_diags_free(&d);
}

TEST(device_binds_by_service_or_by_driver_path_not_both)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    REQUIRE(load("[device.X]\nhardware_id = ROOT\\MYBATT\ncompatible_ids = A, B\n"
                 "driver = out/mybatt.so\n",
                 &m, &d) == 0);
    REQUIRE(m.ndevices == 1);
    CHECK_STR(m.devices[0].driver, "/machines/out/mybatt.so"); /* relative to the file */
    CHECK_EQ(m.devices[0].ncompatible_ids, 2);
    CHECK_STR(m.devices[0].compatible_ids[1], "B");
    CHECK(m.devices[0].service == NULL);
    bk_machine_free(&m);
    CHECK_EQ(load("[device.X]\nhardware_id = H\nservice = s\ndriver = /x.so\n", &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 1, "at most one of service"));
    /* Neither: bound by the installed INFs by hardware ID. */
    CHECK_EQ(load("[device.Y]\nhardware_id = H\n", &m, &d), 0);
    REQUIRE(m.ndevices == 1);
    CHECK(m.devices[0].service == NULL && m.devices[0].driver == NULL);
    bk_machine_free(&m);
    bk_diags_free(&d);
}

TEST(nut_battery_needs_its_ups)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    char text[512];
    snprintf(text, sizeof(text), "%sbus = nut\n", minimal_battery);
    CHECK_EQ(load(text, &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 1, "needs nut_ups"));
    bk_diags_free(&d);
}

TEST(implausible_values_are_warnings_not_refusals)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    char text[512];
    snprintf(text, sizeof(text), "%sfull_charge_capacity_mwh = 60000\n[ac.A]\n[ac.B]\n",
             minimal_battery);
    REQUIRE(load(text, &m, &d) == 0);
    CHECK(find_diag(&d, BK_SEV_WARNING, 1, "is above design_capacity_mwh"));
    CHECK(find_diag(&d, BK_SEV_WARNING, 7, "more than one ACPI AC adapter"));
    CHECK_EQ(d.errors, 0);
    bk_machine_free(&m);
    bk_diags_free(&d);
}

TEST(line_without_equals_is_an_error)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    CHECK_EQ(load("[machine]\nname\n", &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 2, "expected key = value"));
    bk_diags_free(&d);
}

TEST(missing_machine_file_is_refused_with_its_name)
{
    bk_machine_t m;
    bk_diags_t d = {0};
    CHECK_EQ(bk_machine_load_file("/nonexistent/machine.ini", &m, &d), -1);
    CHECK(find_diag(&d, BK_SEV_ERROR, 1, "cannot open"));
    CHECK_STR(d.items[0].file, "/nonexistent/machine.ini");
    bk_diags_free(&d);
}

TEST(names_map_both_ways)
{
    CHECK_STR(bk_machine_bus_name(BK_MACHINE_BUS_NUT), "nut");
    CHECK_STR(bk_machine_chemistry_name(BK_MACHINE_LEAD_ACID), "lead-acid");
    CHECK_STR(bk_machine_firmware_name(BK_MACHINE_FIRMWARE_BIF), "bif");
    CHECK_STR(bk_machine_time_name(BK_MACHINE_TIME_VIRTUAL), "virtual");
}

TEST(docs_machine_format_lists_every_key_of_the_table)
{
    FILE *f = fopen(BK_DOCS_DIR "/machine-format.md", "rb");
    REQUIRE(f);
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof(doc) - 1, f);
    fclose(f);
    doc[n] = '\0';
    for (size_t i = 0; i < bk_machine_key_count; i++) {
        char cell[80];
        snprintf(cell, sizeof(cell), "| `%s` |", bk_machine_keys[i].name);
        if (!strstr(doc, cell))
            bk_test_fail(__FILE__, __LINE__, "docs/machine-format.md does not list %s",
                         bk_machine_keys[i].name);
    }
}

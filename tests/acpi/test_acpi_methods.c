/* The emulated ACPI bus's control methods, through real IRPs to the child
 * PDOs (no function driver on them: only acpi.so is loadable here): the
 * package layouts of _STA, _BIF, _BIX, _BST, _PSR, _UID (reference 8.2 -
 * 8.6), a _BIF-only firmware, unknown values, Power Unit 1, the documented
 * buffer statuses of IOCTL_ACPI_EVAL_METHOD (8.8) and the _EX path form. */
#include "bk_test.h"
#include "fixture.h"
#include "acpi_util.h"

#include <battkit/platform.h>
#include <math.h>

#define BAT0 "ACPI\\PNP0C0A\\0"
#define ADP1 "ACPI\\ACPI0003\\0"

static PDEVICE_OBJECT battery(bk_host_t *h)
{
    return fx_pdo(h, BAT0);
}

static void check_string(void *out, ULONG i, const char *want)
{
    PACPI_METHOD_ARGUMENT a = acpi_element(out, i);
    REQUIRE(a);
    CHECK_EQ(a->Type, ACPI_METHOD_ARGUMENT_STRING);
    CHECK_EQ(a->DataLength, strlen(want) + 1); /* docs: the NUL is counted */
    CHECK_STR((const char *)a->Data, want);
}

TEST(acpi_bus_enumerates_a_battery_and_an_ac_adapter_from_the_machine)
{
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK(fx_pdo(h, BAT0) != NULL);
    CHECK(fx_pdo(h, ADP1) != NULL);
    CHECK(bk_host_find_device(h, "ROOT\\ACPI_HAL\\0") != NULL);
    CHECK_EQ(bk_device_state(bk_host_find_device(h, "ROOT\\ACPI_HAL\\0")), BK_DEVICE_STARTED);
    fx_stop(h);
}

TEST(sta_reports_battery_presence_in_bit_4)
{
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_EQ(acpi_eval_int(battery(h), "_STA"), 0x1F);
    CHECK_STATUS(bk_platform_set_present(h, "BAT0", 0), STATUS_SUCCESS);
    CHECK_EQ(acpi_eval_int(battery(h), "_STA"), 0x0F); /* the slot stays, the battery is gone */
    CHECK_STATUS(bk_platform_set_present(h, "BAT0", 1), STATUS_SUCCESS);
    CHECK_EQ(acpi_eval_int(battery(h), "_STA"), 0x1F);
    CHECK_EQ(acpi_eval_int(fx_pdo(h, ADP1), "_STA"), 0x0F);
    fx_stop(h);
}

TEST(uid_is_the_instance_id)
{
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_EQ(acpi_eval_int(battery(h), "_UID"), 0);
    fx_stop(h);
}

TEST(bix_is_revision_0_with_20_elements_in_mwh)
{
    UCHAR out[1024];
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(acpi_eval(battery(h), "_BIX", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    PACPI_EVAL_OUTPUT_BUFFER o = (PACPI_EVAL_OUTPUT_BUFFER)out;
    CHECK_EQ(o->Signature, ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE);
    CHECK_EQ(o->Count, 20);
    CHECK_EQ(o->Length, info);         /* Information = bytes returned */
    CHECK_EQ(acpi_int(out, 0), 0);     /* revision: Windows requires 0 */
    CHECK_EQ(acpi_int(out, 1), 0);     /* power unit mW/mWh */
    CHECK_EQ(acpi_int(out, 2), 57000); /* design capacity */
    CHECK_EQ(acpi_int(out, 3), 57000); /* last full charge */
    CHECK_EQ(acpi_int(out, 4), 1);     /* rechargeable */
    CHECK_EQ(acpi_int(out, 5), 11400); /* design voltage */
    CHECK_EQ(acpi_int(out, 6), 5700);  /* warning: 10 % */
    CHECK_EQ(acpi_int(out, 7), 1710);  /* low: 3 % */
    CHECK_EQ(acpi_int(out, 8), 0);     /* cycle count */
    CHECK_EQ(acpi_int(out, 9), 95000); /* accuracy, thousandths of a percent */
    CHECK_EQ(acpi_int(out, 14), 57);   /* granularity 1 */
    CHECK_EQ(acpi_int(out, 15), 57);   /* granularity 2 */
    check_string(out, 16, "BK57L3");
    check_string(out, 17, "0001");
    check_string(out, 18, "LION");
    check_string(out, 19, "battkit");
    CHECK(acpi_element(out, 20) == NULL);
    fx_stop(h);
}

TEST(bif_has_13_elements_in_the_acpi_order)
{
    UCHAR out[1024];
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(acpi_eval(battery(h), "_BIF", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_EQ(((PACPI_EVAL_OUTPUT_BUFFER)out)->Count, 13);
    CHECK_EQ(acpi_int(out, 0), 0);
    CHECK_EQ(acpi_int(out, 1), 57000);
    CHECK_EQ(acpi_int(out, 2), 57000);
    CHECK_EQ(acpi_int(out, 3), 1);
    CHECK_EQ(acpi_int(out, 4), 11400);
    CHECK_EQ(acpi_int(out, 5), 5700);
    CHECK_EQ(acpi_int(out, 6), 1710);
    CHECK_EQ(acpi_int(out, 7), 57);
    CHECK_EQ(acpi_int(out, 8), 57);
    check_string(out, 9, "BK57L3");
    check_string(out, 10, "0001");
    check_string(out, 11, "LION");
    check_string(out, 12, "battkit");
    fx_stop(h);
}

TEST(bst_reports_charging_on_ac_and_discharging_on_battery)
{
    UCHAR out[256];
    ULONG_PTR info;
    bk_platform_reading_t r;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    /* The default laptop starts at 80 % on AC: charging. */
    CHECK_STATUS(acpi_eval(battery(h), "_BST", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_EQ(((PACPI_EVAL_OUTPUT_BUFFER)out)->Count, 4);
    CHECK_EQ(acpi_int(out, 0), BATTKIT_BST_CHARGING);
    CHECK(acpi_int(out, 1) > 1000 && acpi_int(out, 1) < 60000);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_NEAR(acpi_int(out, 2), r.remaining_mwh, 1.0);
    CHECK_NEAR(acpi_int(out, 3), r.voltage_v * 1000.0, 1.0);

    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    bk_host_advance(h, 10 * FX_SECOND);
    CHECK_STATUS(acpi_eval(battery(h), "_BST", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_EQ(acpi_int(out, 0), BATTKIT_BST_DISCHARGING);
    CHECK_NEAR(acpi_int(out, 1), 8000, 1.0); /* the laptop's 8 W, a magnitude */
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_NEAR(acpi_int(out, 2), r.remaining_mwh, 1.0);
    fx_stop(h);
}

TEST(psr_reports_the_ac_adapter_state)
{
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_EQ(acpi_eval_int(fx_pdo(h, ADP1), "_PSR"), 1);
    CHECK_STATUS(bk_platform_set_ac(h, "ADP1", 0), STATUS_SUCCESS);
    CHECK_EQ(acpi_eval_int(fx_pdo(h, ADP1), "_PSR"), 0);
    fx_stop(h);
}

TEST(battery_methods_are_not_on_the_ac_adapter_and_psr_not_on_a_battery)
{
    UCHAR out[256];
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(acpi_eval(fx_pdo(h, ADP1), "_BST", 0, 0, out, sizeof out, &info),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(acpi_eval(battery(h), "_PSR", 0, 0, out, sizeof out, &info),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(acpi_eval(battery(h), "_XYZ", 0, 0, out, sizeof out, &info),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_EQ(info, 0);
    fx_stop(h);
}

TEST(bif_only_firmware_has_no_bix)
{
    UCHAR out[1024];
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(bk_platform_set_firmware(h, "BAT0", 1, 0), STATUS_SUCCESS);
    CHECK_STATUS(acpi_eval(battery(h), "_BIX", 0, 0, out, sizeof out, &info),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(acpi_eval(battery(h), "_BIF", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_EQ(((PACPI_EVAL_OUTPUT_BUFFER)out)->Count, 13);
    fx_stop(h);
}

TEST(machine_file_firmware_bif_gives_a_bif_only_battery)
{
    UCHAR out[1024];
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", "[battery.BAT0]\ndesign_capacity_mwh = 23200\n"
                                    "design_voltage_mv = 11100\ncells = 3\nfirmware = bif\n"
                                    "model = OLD\n");
    REQUIRE(h);
    CHECK_STATUS(acpi_eval(battery(h), "_BIX", 0, 0, out, sizeof out, &info),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK_STATUS(acpi_eval(battery(h), "_BIF", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_EQ(acpi_int(out, 1), 23200);
    check_string(out, 9, "OLD");
    CHECK(fx_pdo(h, ADP1) == NULL); /* no adapter in this machine */
    fx_stop(h);
}

TEST(mah_firmware_reports_power_unit_1_converted_with_the_design_voltage)
{
    UCHAR out[1024];
    ULONG_PTR info;
    bk_platform_reading_t r;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(bk_platform_set_firmware(h, "BAT0", 0, 1), STATUS_SUCCESS);
    CHECK_STATUS(acpi_eval(battery(h), "_BIX", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_EQ(acpi_int(out, 1), 1);    /* mAh / mA */
    CHECK_EQ(acpi_int(out, 2), 5000); /* 57000 mWh / 11.4 V */
    CHECK_EQ(acpi_int(out, 5), 11400);
    CHECK_EQ(acpi_int(out, 6), 500);
    CHECK_STATUS(bk_platform_set_ac(h, NULL, 0), STATUS_SUCCESS);
    CHECK_STATUS(acpi_eval(battery(h), "_BST", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    /* The rate is the current at the present voltage, capacity in mAh. */
    CHECK_NEAR(acpi_int(out, 1), -r.current_a * 1000.0, 2.0);
    CHECK_NEAR(acpi_int(out, 2), r.remaining_mwh / 11.4, 1.0);
    fx_stop(h);
}

TEST(sensor_fault_reports_unknown_rate_and_voltage)
{
    UCHAR out[256];
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(bk_platform_set_faults(h, "BAT0", BK_PLATFORM_FAULT_SENSOR, 1), STATUS_SUCCESS);
    CHECK_STATUS(acpi_eval(battery(h), "_BST", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_EQ(acpi_int(out, 1), 0xFFFFFFFF);
    CHECK(acpi_int(out, 2) != 0xFFFFFFFF); /* capacity still known */
    CHECK_EQ(acpi_int(out, 3), 0xFFFFFFFF);
    fx_stop(h);
}

TEST(absent_battery_reports_unknown_values)
{
    UCHAR out[1024];
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(bk_platform_set_present(h, "BAT0", 0), STATUS_SUCCESS);
    CHECK_STATUS(acpi_eval(battery(h), "_BST", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_EQ(acpi_int(out, 0), 0);
    CHECK_EQ(acpi_int(out, 1), 0xFFFFFFFF);
    CHECK_EQ(acpi_int(out, 2), 0xFFFFFFFF);
    CHECK_EQ(acpi_int(out, 3), 0xFFFFFFFF);
    CHECK_STATUS(acpi_eval(battery(h), "_BIX", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    CHECK_EQ(acpi_int(out, 2), 0xFFFFFFFF);
    CHECK_EQ(acpi_int(out, 3), 0xFFFFFFFF);
    check_string(out, 16, "");
    fx_stop(h);
}

TEST(no_answer_fault_fails_battery_methods_with_io_timeout)
{
    UCHAR out[256];
    ULONG_PTR info = 1;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(bk_platform_set_faults(h, "BAT0", BK_PLATFORM_FAULT_NO_ANSWER, 1), STATUS_SUCCESS);
    CHECK_STATUS(acpi_eval(battery(h), "_BST", 0, 0, out, sizeof out, &info), STATUS_IO_TIMEOUT);
    CHECK_EQ(info, 0);
    CHECK_STATUS(acpi_eval(battery(h), "_STA", 0, 0, out, sizeof out, &info), STATUS_IO_TIMEOUT);
    CHECK_STATUS(bk_platform_set_faults(h, "BAT0", BK_PLATFORM_FAULT_NO_ANSWER, 0), STATUS_SUCCESS);
    CHECK_STATUS(acpi_eval(battery(h), "_BST", 0, 0, out, sizeof out, &info), STATUS_SUCCESS);
    fx_stop(h);
}

TEST(output_smaller_than_the_header_is_buffer_too_small)
{
    UCHAR out[64];
    ULONG_PTR info = 1;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(
        acpi_eval(battery(h), "_STA", 0, 0, out, sizeof(ACPI_EVAL_OUTPUT_BUFFER) - 1, &info),
        STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(info, 0);
    CHECK_STATUS(acpi_eval(battery(h), "_STA", 0, 0, out, 0, &info), STATUS_BUFFER_TOO_SMALL);
    /* One integer fits in the structure's own argument slot. */
    CHECK_STATUS(acpi_eval(battery(h), "_STA", 0, 0, out, sizeof(ACPI_EVAL_OUTPUT_BUFFER), &info),
                 STATUS_SUCCESS);
    CHECK_EQ(info, sizeof(ACPI_EVAL_OUTPUT_BUFFER));
    fx_stop(h);
}

TEST(header_without_room_for_the_package_is_buffer_overflow_with_length_needed)
{
    UCHAR out[1024];
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    memset(out, 0xCC, sizeof out);
    CHECK_STATUS(acpi_eval(battery(h), "_BIX", 0, 0, out, sizeof(ACPI_EVAL_OUTPUT_BUFFER), &info),
                 STATUS_BUFFER_OVERFLOW);
    PACPI_EVAL_OUTPUT_BUFFER o = (PACPI_EVAL_OUTPUT_BUFFER)out;
    CHECK_EQ(o->Signature, ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE);
    ULONG needed = o->Length;
    CHECK(needed > sizeof(ACPI_EVAL_OUTPUT_BUFFER));
    CHECK_STATUS(acpi_eval(battery(h), "_BIX", 0, 0, out, needed - 1, &info),
                 STATUS_BUFFER_OVERFLOW);
    CHECK_STATUS(acpi_eval(battery(h), "_BIX", 0, 0, out, needed, &info), STATUS_SUCCESS);
    CHECK_EQ(info, needed);
    CHECK_EQ(o->Count, 20);
    fx_stop(h);
}

TEST(bad_input_buffers_are_invalid_parameter)
{
    UCHAR out[256];
    ULONG_PTR info;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    ACPI_EVAL_INPUT_BUFFER in = {.Signature = 0x12345678};
    memcpy(in.MethodName, "_STA", 4);
    CHECK_STATUS(
        acpi_ioctl(battery(h), IOCTL_ACPI_EVAL_METHOD, &in, sizeof in, out, sizeof out, &info),
        STATUS_INVALID_PARAMETER);
    in.Signature = ACPI_EVAL_INPUT_BUFFER_SIGNATURE;
    CHECK_STATUS(acpi_ioctl(battery(h), IOCTL_ACPI_EVAL_METHOD, &in, 6, out, sizeof out, &info),
                 STATUS_INVALID_PARAMETER);
    /* _BTP needs its integer argument. */
    memcpy(in.MethodName, "_BTP", 4);
    CHECK_STATUS(acpi_ioctl(battery(h), IOCTL_ACPI_EVAL_METHOD, &in, sizeof in, NULL, 0, &info),
                 STATUS_INVALID_PARAMETER);
    /* A complex buffer whose argument runs past Size. */
    UCHAR raw[64] = {0};
    PACPI_EVAL_INPUT_BUFFER_COMPLEX c = (PACPI_EVAL_INPUT_BUFFER_COMPLEX)raw;
    c->Signature = ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE;
    memcpy(c->MethodName, "_BTP", 4);
    c->ArgumentCount = 1;
    c->Size = 6;
    c->Argument[0].Type = ACPI_METHOD_ARGUMENT_INTEGER;
    c->Argument[0].DataLength = 4;
    CHECK_STATUS(acpi_ioctl(battery(h), IOCTL_ACPI_EVAL_METHOD, raw, sizeof raw, NULL, 0, &info),
                 STATUS_INVALID_PARAMETER);
    CHECK_STATUS(acpi_ioctl(battery(h), 0x12345, &in, sizeof in, out, sizeof out, &info),
                 STATUS_INVALID_DEVICE_REQUEST);
    fx_stop(h);
}

TEST(btp_arms_the_trip_point_and_zero_clears_it)
{
    ULONG_PTR info;
    bk_platform_reading_t r;
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    CHECK_STATUS(acpi_eval(battery(h), "_BTP", 1, 20000, NULL, 0, &info), STATUS_SUCCESS);
    CHECK_EQ(info, 0); /* no result */
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_EQ(r.trip_mwh, 20000);
    /* The complex form with one integer does the same. */
    UCHAR raw[64] = {0};
    PACPI_EVAL_INPUT_BUFFER_COMPLEX c = (PACPI_EVAL_INPUT_BUFFER_COMPLEX)raw;
    c->Signature = ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE;
    memcpy(c->MethodName, "_BTP", 4);
    c->ArgumentCount = 1;
    c->Size = ACPI_METHOD_ARGUMENT_LENGTH(sizeof(ULONG));
    ACPI_METHOD_SET_ARGUMENT_INTEGER(&c->Argument[0], 0);
    CHECK_STATUS(acpi_ioctl(battery(h), IOCTL_ACPI_EVAL_METHOD, raw, sizeof raw, NULL, 0, &info),
                 STATUS_SUCCESS);
    CHECK_STATUS(bk_platform_read(h, "BAT0", &r), STATUS_SUCCESS);
    CHECK_EQ(r.trip_mwh, 0);
    fx_stop(h);
}

TEST(eval_method_ex_takes_the_devices_own_path)
{
    UCHAR out[256];
    ULONG_PTR info;
    ACPI_EVAL_INPUT_BUFFER_EX in = {.Signature = ACPI_EVAL_INPUT_BUFFER_SIGNATURE_EX};
    bk_host_t *h = fx_start("acpi", NULL);
    REQUIRE(h);
    strcpy(in.MethodName, "\\_SB.BAT0._BST");
    CHECK_STATUS(
        acpi_ioctl(battery(h), IOCTL_ACPI_EVAL_METHOD_EX, &in, sizeof in, out, sizeof out, &info),
        STATUS_SUCCESS);
    CHECK_EQ(((PACPI_EVAL_OUTPUT_BUFFER)out)->Count, 4);
    strcpy(in.MethodName, "_STA");
    CHECK_STATUS(
        acpi_ioctl(battery(h), IOCTL_ACPI_EVAL_METHOD_EX, &in, sizeof in, out, sizeof out, &info),
        STATUS_SUCCESS);
    strcpy(in.MethodName, "\\_SB.BAT1._BST");
    CHECK_STATUS(
        acpi_ioctl(battery(h), IOCTL_ACPI_EVAL_METHOD_EX, &in, sizeof in, out, sizeof out, &info),
        STATUS_OBJECT_NAME_NOT_FOUND);
    fx_stop(h);
}

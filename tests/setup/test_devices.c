/* What an install does to present devices: a device without a driver is
 * started when a package for its ID arrives (with the package's device
 * values in its keys); a better-ranked package takes a device over (a
 * hardware ID match beats a compatible ID match); an update restarts the
 * device on the new binary; uninstalling removes the devices (a veto stops
 * it with nothing changed) and they fall back to what remains; a package's
 * device values are copied when it is installed on a device, not at every
 * start. */
#include "setup_fixture.h"
#include "drivers/pnptest.h"

#include <stdlib.h>
#include <string.h>

#define REPORT 16384

static char *key_value(bk_device_t *dev, const char *sub, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s\\%s\\%s", FX_ENUM, bk_device_instance_path(dev), sub);
    return fx_reg_string(path, name);
}

static char *dword_text(bk_device_t *dev, const char *sub, const char *name)
{
    char path[512];
    reg_key_t *k;
    ULONG v;
    snprintf(path, sizeof path, "%s\\%s\\%s", FX_ENUM, bk_device_instance_path(dev), sub);
    if (!NT_SUCCESS(reg_open(path, false, &k)))
        return NULL;
    NTSTATUS s = reg_get_dword(k, name, &v);
    reg_close(k);
    char *out = malloc(16);
    if (out)
        snprintf(out, 16, "%lu", NT_SUCCESS(s) ? (unsigned long)v : 999999ul);
    return out;
}

TEST(a_device_without_a_driver_starts_when_its_package_is_installed)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    bk_device_t *dev = fx_add_root(&fx, "SETUPTEST\\Dev", "0");
    REQUIRE(dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_INITIALIZED);
    const char *inf = fx_package(&fx, &(fx_pkg_t){
                                          .name = "fna",
                                          .model = "SETUPTEST\\Dev",
                                          .install_lines = "AddReg = Sw",
                                          .hw_lines = "AddReg = Hw",
                                          .sections = "[Sw]\nHKR,,SoftValue,,\"soft\"\n"
                                                      "[Hw]\nHKR,,HardValue,0x00010001,7\n",
                                      });
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    CHECK(strstr(report, "1 device started") != NULL);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "fna");
    /* docs: DDInstall AddReg HKR = the software key, .HW AddReg HKR = the
     * hardware key (IoOpenDeviceRegistryKey's DRIVER / DEVICE keys). */
    char *soft = key_value(dev, "Driver", "SoftValue");
    CHECK_STR(soft, "soft");
    char *hard = dword_text(dev, "Device Parameters", "HardValue");
    CHECK_STR(hard, "7");
    free(soft);
    free(hard);

    /* Uninstall: the device goes back to no driver. */
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    CHECK(bk_device_state(dev) == BK_DEVICE_REMOVED);
    CHECK_STR(fx_device_service(dev), "");
    /* And it starts again when the package comes back. */
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    fx_done(&fx);
}

TEST(a_hardware_id_match_beats_a_compatible_id_match)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    bk_device_t *dev = fx_add_root(&fx, "SETUPTEST\\Rank", "0");
    REQUIRE(dev);
    /* compat.inf lists the device's ID as a compatible ID of its entry,
     * exact.inf as the entry's hardware ID. */
    const char *compat = fx_package(
        &fx, &(fx_pkg_t){.name = "compat",
                         .model = "SETUPTEST\\Other, SETUPTEST\\Rank",
                         .driver_ver = "12/31/2030,9.0.0.0"}); /* newer, but ranked worse */
    const char *exact = fx_package(&fx, &(fx_pkg_t){.name = "exact", .model = "SETUPTEST\\Rank"});
    CHECK_STATUS(bk_host_install_inf(fx.host, compat, report, sizeof report), 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "compat");
    char *rank = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Rank", "Inf");
    CHECK_STR(rank, "compat.inf");
    free(rank);

    /* The better match arrives: it takes the device over. */
    CHECK_STATUS(bk_host_install_inf(fx.host, exact, report, sizeof report), 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "exact");
    /* Installing the worse one again does not take it back. */
    CHECK_STATUS(bk_host_install_inf(fx.host, compat, report, sizeof report), 0);
    CHECK_STR(fx_device_service(dev), "exact");
    /* The better one goes: the device falls back to the other. */
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "exact", report, sizeof report), 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "compat");
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "compat", report, sizeof report), 0);
    CHECK_STR(fx_device_service(dev), "");
    fx_done(&fx);
}

TEST(an_update_restarts_the_device_on_the_new_binary)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    bk_device_t *dev = fx_add_root(&fx, "SETUPTEST\\Dev", "0");
    fx_pkg_t v1 = {.name = "fna", .model = "SETUPTEST\\Dev"};
    const char *inf = fx_package(&fx, &v1);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *image1 = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Dev", "ImagePath");
    REQUIRE(image1);
    /* Mark the running copy: the restarted device must not be served by it. */
    fx_knob(image1, PNPTEST_FAIL_START, 1);
    fx_pkg_t v2 = v1;
    v2.driver_ver = "03/01/2025,1.1.0.0";
    fx_package(&fx, &v2);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *image2 = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Dev", "ImagePath");
    REQUIRE(image2);
    CHECK(strcmp(image1, image2) != 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED); /* the new copy started it */
    CHECK_STR(fx_device_service(dev), "fna");
    free(image1);
    free(image2);
    fx_done(&fx);
}

TEST(a_veto_stops_the_uninstall_with_nothing_changed)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    bk_device_t *dev = fx_add_root(&fx, "SETUPTEST\\Dev", "0");
    const char *inf = fx_package(&fx, &(fx_pkg_t){.name = "fna", .model = "SETUPTEST\\Dev"});
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *image = fx_reg_string(FX_SERVICES "\\fna", "ImagePath");
    REQUIRE(image);
    char *before = fx_state(&fx);
    fx_knob(image, PNPTEST_VETO_REMOVE, 1);
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report),
                 STATUS_DEVICE_BUSY);
    CHECK(strstr(report, "ROOT\\SETUPTEST\\0 vetoed its removal") != NULL);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    char *after = fx_state(&fx);
    CHECK(fx_same("state", before, after));
    fx_knob(image, PNPTEST_VETO_REMOVE, 0);
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    CHECK_STR(fx_device_service(dev), "");
    free(image);
    free(before);
    free(after);
    fx_done(&fx);
}

/* Found by tests/setup/kill9_install.py: battinf uninstall --offline (a
 * host with no devices) left the device's Enum key naming the removed
 * service, so the next battd start still recorded the device on it. */
TEST(an_offline_uninstall_leaves_no_device_key_naming_the_removed_driver)
{
    fx_t fx;
    char report[REPORT], key[512];
    REQUIRE(fx_begin(&fx));
    bk_device_t *dev = fx_add_root(&fx, "SETUPTEST\\Dev", "0");
    REQUIRE(dev);
    const char *inf = fx_package(&fx, &(fx_pkg_t){.name = "fna", .model = "SETUPTEST\\Dev"});
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    CHECK_STR(fx_device_service(dev), "fna");
    snprintf(key, sizeof key, "%s\\%s", FX_ENUM, bk_device_instance_path(dev));
    fx_restart(&fx); /* the same registry and store, no devices: offline */
    char *service = fx_reg_string(key, "Service");
    CHECK_STR(service ? service : "", "fna");
    free(service);
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    service = fx_reg_string(key, "Service");
    char *class_guid = fx_reg_string(key, "ClassGUID");
    CHECK(service == NULL);
    CHECK(class_guid == NULL);
    free(service);
    free(class_guid);
    fx_restart(&fx); /* and so it stays in the file */
    service = fx_reg_string(key, "Service");
    CHECK(service == NULL);
    free(service);
    fx_done(&fx);
}

TEST(a_device_added_after_the_install_binds_by_its_hardware_id)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    const char *inf = fx_package(&fx, &(fx_pkg_t){.name = "fna", .model = "SETUPTEST\\Late"});
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    fx_restart(&fx); /* from the registry file alone */
    bk_device_t *dev = fx_add_root(&fx, "SETUPTEST\\Late", "0");
    REQUIRE(dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "fna");
    CHECK_STATUS(bk_host_remove_device(fx.host, dev, 0), 0);
    fx_done(&fx);
}

TEST(device_values_are_copied_when_the_package_is_installed_on_the_device_not_at_every_start)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    fx_pkg_t v1 = {.name = "fna",
                   .model = "SETUPTEST\\Dev",
                   .hw_lines = "AddReg = Hw",
                   .sections = "[Hw]\nHKR,,HardValue,0x00010001,7\n"};
    const char *inf = fx_package(&fx, &v1);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    bk_device_t *dev = fx_add_root(&fx, "SETUPTEST\\Dev", "0");
    REQUIRE(dev);
    char *value = dword_text(dev, "Device Parameters", "HardValue");
    CHECK_STR(value, "7");
    free(value);
    /* What Windows records in the software key of a device it installed. */
    char *inf_path = key_value(dev, "Driver", "InfPath");
    CHECK_STR(inf_path, "fna.inf");
    free(inf_path);
    char *matching = key_value(dev, "Driver", "MatchingDeviceId");
    CHECK_STR(matching, "SETUPTEST\\Dev");
    free(matching);

    /* An administrator changes the value: a restart keeps it. */
    char path[512];
    reg_key_t *k;
    snprintf(path, sizeof path, "%s\\ROOT\\SETUPTEST\\0\\Device Parameters", FX_ENUM);
    REQUIRE(NT_SUCCESS(reg_open(path, false, &k)));
    reg_set_dword(k, "HardValue", 9);
    reg_close(k);
    CHECK_STATUS(bk_host_remove_device(fx.host, dev, 0), 0);
    dev = fx_add_root(&fx, "SETUPTEST\\Dev", "0");
    REQUIRE(dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    value = dword_text(dev, "Device Parameters", "HardValue");
    CHECK_STR(value, "9");
    free(value);

    /* Another version of the package is installed on the device: copied again. */
    fx_pkg_t v2 = v1;
    v2.driver_ver = "03/01/2025,1.1.0.0";
    fx_package(&fx, &v2);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    value = dword_text(dev, "Device Parameters", "HardValue");
    CHECK_STR(value, "7");
    free(value);
    char *version = key_value(dev, "Driver", "DriverVersion");
    CHECK_STR(version, "1.1.0.0");
    free(version);

    /* Uninstalled: the device no longer records the package, so installing
     * it again copies its values again. */
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    CHECK(key_value(dev, "Driver", "InfPath") == NULL);
    REQUIRE(NT_SUCCESS(reg_open(path, false, &k)));
    reg_set_dword(k, "HardValue", 9);
    reg_close(k);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    value = dword_text(dev, "Device Parameters", "HardValue");
    CHECK_STR(value, "7");
    free(value);
    fx_done(&fx);
}

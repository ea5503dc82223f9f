/* Installing and uninstalling driver packages: what lands in the registry
 * and the store, that uninstalling restores both exactly, that installing
 * twice changes nothing, that a bad INF is refused with file:line and
 * nothing written, and the shipped-driver path (in place, trusted). */
#include "setup_fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPORT 16384

static const fx_pkg_t fna = {
    .name = "fna",
    .model = "SETUPTEST\\Dev",
    .install_lines = "AddReg = Sw_AddReg",
    .hw_lines = "AddReg = Hw_AddReg",
    .service_lines = "AddReg = Svc_AddReg\nLoadOrderGroup = Extended Base",
    .sections = "[Sw_AddReg]\nHKR,,SoftValue,,\"soft\"\n"
                "HKLM,Software\\battkit-test,Installed,0x00010001,1\n"
                "HKLM,Software\\battkit-test,Kept,,\"from the package\"\n"
                "[Hw_AddReg]\nHKR,,HardValue,0x00010001,7\n"
                "[Svc_AddReg]\nHKR,Parameters,Level,0x00010001,5\n",
};

TEST(install_writes_the_service_key_binding_and_record)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    const char *inf = fx_package(&fx, &fna);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);

    char *image = fx_reg_string(FX_SERVICES "\\fna", "ImagePath");
    REQUIRE(image);
    CHECK(strncmp(image, fx.store, strlen(fx.store)) == 0); /* the stored copy */
    CHECK(strstr(image, "/fna.inf_") != NULL);
    CHECK(strcmp(image + strlen(image) - 7, "/fna.so") == 0);
    char *group = fx_reg_string(FX_SERVICES "\\fna", "Group");
    CHECK_STR(group, "Extended Base");
    CHECK(fx_reg_exists(FX_SERVICES "\\fna\\Parameters"));
    char *service = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Dev", "Service");
    CHECK_STR(service, "fna");
    char *bound_image = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Dev", "ImagePath");
    CHECK_STR(bound_image, image);
    char *owner = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Dev", "Inf");
    CHECK_STR(owner, "fna.inf");
    char *hklm = fx_reg_string("\\Registry\\Machine\\Software\\battkit-test", "Kept");
    CHECK_STR(hklm, "from the package");
    CHECK(fx_reg_exists(FX_STORE "\\fna.inf"));

    bk_installed_driver_t *list;
    size_t n = bk_host_list_installed(fx.host, &list);
    REQUIRE(n == 1);
    CHECK_STR(list[0].inf, "fna.inf");
    CHECK_STR(list[0].services, "fna");
    CHECK_STR(list[0].ids, "SETUPTEST\\Dev");
    CHECK_STR(list[0].driver_version, "1.0.0.0");
    CHECK_EQ(list[0].flags, 0);
    bk_host_free_installed(list, n);
    free(image);
    free(group);
    free(service);
    free(bound_image);
    free(owner);
    free(hklm);
    fx_done(&fx);
}

TEST(install_then_uninstall_leaves_store_and_registry_as_before)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    /* Something already there: a value the package overwrites, another
     * driver's service, a binding made by hand. */
    reg_key_t *k;
    REQUIRE(NT_SUCCESS(reg_open("\\Registry\\Machine\\Software\\battkit-test", true, &k)));
    reg_set_string(k, "Kept", "from before");
    reg_set_string(k, "Other", "untouched");
    reg_close(k);
    REQUIRE(NT_SUCCESS(reg_open(FX_SERVICES "\\someone", true, &k)));
    reg_set_dword(k, "Start", 3);
    reg_close(k);
    CHECK_STATUS(bk_host_bind(fx.host, "SETUPTEST\\ByHand", "someone", NULL), 0);
    const char *inf = fx_package(&fx, &fna);
    char *before = fx_state(&fx);

    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *during = fx_state(&fx);
    CHECK(strcmp(before, during) != 0);
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    char *after = fx_state(&fx);
    CHECK(fx_same("state", before, after));

    /* By INF name, after a restart (the state comes from the file). */
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    fx_restart(&fx);
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna.inf", report, sizeof report), 0);
    char *again = fx_state(&fx);
    CHECK(fx_same("state after a restart", before, again));
    free(before);
    free(during);
    free(after);
    free(again);
    fx_done(&fx);
}

TEST(reinstalling_the_same_package_changes_nothing)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    const char *inf = fx_package(&fx, &fna);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *once = fx_state(&fx);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    CHECK(strstr(report, "already in the store") != NULL);
    char *twice = fx_state(&fx);
    CHECK(fx_same("state", once, twice));
    /* And still one uninstall away from nothing. */
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    bk_installed_driver_t *list;
    size_t n = bk_host_list_installed(fx.host, &list);
    CHECK_EQ(n, 0);
    bk_host_free_installed(list, n);
    free(once);
    free(twice);
    fx_done(&fx);
}

TEST(an_updated_package_replaces_the_old_files_and_values)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    const char *inf = fx_package(&fx, &fna);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *old_image = fx_reg_string(FX_SERVICES "\\fna", "ImagePath");
    fx_pkg_t v2 = fna;
    v2.driver_ver = "02/01/2025,2.0.0.0";
    v2.sections = "[Sw_AddReg]\nHKLM,Software\\battkit-test,Kept,,\"version 2\"\n"
                  "[Hw_AddReg]\n[Svc_AddReg]\n";
    fx_package(&fx, &v2);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *new_image = fx_reg_string(FX_SERVICES "\\fna", "ImagePath");
    REQUIRE(old_image && new_image);
    CHECK(strcmp(old_image, new_image) != 0);
    CHECK(access(new_image, R_OK) == 0);
    CHECK(access(old_image, R_OK) != 0); /* the old package directory went */
    char *kept = fx_reg_string("\\Registry\\Machine\\Software\\battkit-test", "Kept");
    CHECK_STR(kept, "version 2");
    char *installed = fx_reg_string("\\Registry\\Machine\\Software\\battkit-test", "Installed");
    CHECK(installed == NULL); /* version 2 no longer writes it */
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    CHECK(!fx_reg_exists("\\Registry\\Machine\\Software\\battkit-test"));
    free(old_image);
    free(new_image);
    free(kept);
    free(installed);
    fx_done(&fx);
}

TEST(a_bad_inf_is_refused_with_file_and_line_and_nothing_written)
{
    static const struct {
        fx_pkg_t pkg;
        const char *expect; /* in the report */
    } cases[] = {
        /* A Battery INF without the class GUID (battery rule). */
        {{.name = "noguid", .model = "SETUPTEST\\Bad", .class_lines = "Class = Battery"},
         "noguid.inf:2: error: [Version] has no ClassGuid"},
        /* A battery miniclass that is not a kernel driver (battery rule). */
        {{.name = "badtype",
          .model = "SETUPTEST\\Bad",
          .class_lines = "Class = Battery\nClassGuid = {72631e54-78a4-11d0-bcf7-00aa00b7b32a}",
          .service_type = "16"},
         "badtype.inf:36: error: ServiceType 16 is not 1"},
        /* An undefined %string% (reader rule, any class). */
        {{.name = "nostring", .model = "SETUPTEST\\Bad", .hw_lines = "AddReg = %Missing%"},
         "nostring.inf:29: error: undefined string %Missing%"},
    };
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *inf = fx_package(&fx, &cases[i].pkg);
        char *before = fx_state(&fx);
        CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report),
                     STATUS_INVALID_PARAMETER);
        if (!strstr(report, cases[i].expect))
            bk_test_fail(__FILE__, __LINE__, "report lacks \"%s\":\n%s", cases[i].expect, report);
        CHECK(strstr(report, "nothing was installed") != NULL);
        char *after = fx_state(&fx);
        CHECK(fx_same(cases[i].pkg.name, before, after));
        free(before);
        free(after);
    }
    fx_done(&fx);
}

TEST(a_missing_inf_is_refused)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    CHECK_STATUS(bk_host_install_inf(fx.host, "/nonexistent/x.inf", report, sizeof report),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    CHECK(strstr(report, "/nonexistent/x.inf: cannot read") != NULL);
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "nothing", report, sizeof report),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    fx_done(&fx);
}

TEST(a_binding_made_by_hand_comes_back_after_the_package_goes)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    CHECK_STATUS(bk_host_bind(fx.host, "SETUPTEST\\Dev", "handmade", "/x/handmade.so"), 0);
    CHECK_STATUS(bk_host_install_inf(fx.host, fx_package(&fx, &fna), report, sizeof report), 0);
    char *s = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Dev", "Service");
    CHECK_STR(s, "fna");
    free(s);
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    s = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Dev", "Service");
    CHECK_STR(s, "handmade");
    free(s);
    s = fx_reg_string(FX_BINDINGS "\\SETUPTEST#Dev", "ImagePath");
    CHECK_STR(s, "/x/handmade.so");
    free(s);
    CHECK(!fx_reg_exists(FX_CCS "\\Control\\battkit\\ManualBindings"));
    fx_done(&fx);
}

TEST(shipped_drivers_install_in_place_and_trusted_once)
{
    fx_t fx;
    REQUIRE(fx_begin(&fx));
    /* A driver directory of its own: fnb.inf beside fnb.so. */
    fx_package(&fx, &(fx_pkg_t){.name = "fnb", .model = "SETUPTEST\\Shipped"});
    bk_host_destroy(fx.host);
    char drivers[400];
    snprintf(drivers, sizeof drivers, "%s/fnb", fx.dir);
    fx.host = bk_host_create(&(bk_host_options_t){
        .virtual_time = 1, .registry_file = fx.registry, .driver_dir = drivers});
    REQUIRE(fx.host);
    bk_host_set_driver_store(fx.host, fx.store);
    bk_device_t *dev = fx_add_root(&fx, "SETUPTEST\\Shipped", "0");
    REQUIRE(dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_INITIALIZED); /* nothing bound yet */
    CHECK_STATUS(bk_host_install_shipped_drivers(fx.host), 0);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "fnb");
    char *image = fx_reg_string(FX_SERVICES "\\fnb", "ImagePath");
    char want[600];
    snprintf(want, sizeof want, "%s/fnb.so", drivers);
    CHECK_STR(image, want); /* in place: the shipped file itself */
    free(image);
    bk_installed_driver_t *list;
    size_t n = bk_host_list_installed(fx.host, &list);
    REQUIRE(n == 1);
    CHECK_EQ(list[0].flags, BK_SETUP_IN_PLACE | BK_SETUP_TRUSTED);
    bk_host_free_installed(list, n);
    char *store = fx_listing(fx.store);
    CHECK_STR(store, ""); /* nothing copied */
    char *once = fx_state(&fx);
    CHECK_STATUS(bk_host_install_shipped_drivers(fx.host), 0);
    char *twice = fx_state(&fx);
    CHECK(fx_same("state", once, twice));
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    free(store);
    free(once);
    free(twice);
    fx_done(&fx);
}

TEST(the_shipped_drivers_of_this_build_install_through_their_infs)
{
    fx_t fx;
    REQUIRE(fx_begin(&fx)); /* on this build's driver directory */
    /* A simulated battery with no driver yet. */
    bk_device_t *dev = fx_add_root(&fx, "SIMBATT\\Battery", "BAT9");
    REQUIRE(dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_INITIALIZED);
    CHECK_STATUS(bk_host_install_shipped_drivers(fx.host), 0);
    bk_installed_driver_t *list;
    size_t n = bk_host_list_installed(fx.host, &list);
    bool simbatt = false;
    for (size_t i = 0; i < n; i++) {
        simbatt |= !strcmp(list[i].inf, "simbatt.inf");
        CHECK_EQ(list[i].flags, BK_SETUP_IN_PLACE | BK_SETUP_TRUSTED);
    }
    bk_host_free_installed(list, n);
    REQUIRE(simbatt);
    /* It binds by its hardware ID, and simbatt.inf's .HW AddReg lands in
     * its hardware key. */
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "simbatt");
    char *security = fx_reg_string(FX_ENUM "\\ROOT\\SIMBATT\\BAT9\\Device Parameters", "Security");
    CHECK(security && strncmp(security, "D:P(", 4) == 0);
    free(security);
    CHECK_STATUS(bk_host_remove_device(fx.host, dev, 0), 0);
    fx_done(&fx);
}

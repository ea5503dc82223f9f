/* The driver author's door, end to end (run by oot_test.sh, which builds the
 * miniclass outside the tree with battkit-driver-cc and installs it with
 * `battinf install`): the installed package binds a root device by its
 * hardware ID, and the battery it serves passes the conformance suite. */
#include "setup_fixture.h"
#include "conformance.h"

#include <stdlib.h>
#include <string.h>

TEST(an_out_of_tree_miniclass_installed_by_its_inf_passes_the_conformance_suite)
{
    const char *state = getenv("OOT_STATE");
    if (!state) {
        bk_test_fail(__FILE__, __LINE__, "run by oot_test.sh (OOT_STATE unset)");
        return;
    }
    char registry[512], store[512];
    snprintf(registry, sizeof registry, "%s/registry", state);
    snprintf(store, sizeof store, "%s/driverstore", state);
    bk_host_t *h =
        bk_host_create(&(bk_host_options_t){.virtual_time = 1, .registry_file = registry});
    REQUIRE(h);
    bk_host_set_driver_store(h, store);

    char *service = fx_reg_string(FX_BINDINGS "\\BADMINI#Good", "Service");
    char *image = fx_reg_string(FX_BINDINGS "\\BADMINI#Good", "ImagePath");
    CHECK_STR(service, "ootbatt");
    CHECK(image && strncmp(image, store, strlen(store)) == 0);

    bk_device_t *dev = NULL;
    CHECK_STATUS(bk_host_add_root_device(h, "BADMINI\\Good", NULL, "OOT0", NULL, &dev), 0);
    REQUIRE(dev);
    CHECK_EQ(bk_device_state(dev), BK_DEVICE_STARTED);
    CHECK_STR(fx_device_service(dev), "ootbatt");

    bk_conformance_options_t o = {.controller = &bk_conformance_controller_badmini, .out = stdout};
    bk_conformance_report_t r = {0};
    int failures = bk_conformance_run(h, &o, &r);
    bk_conformance_print_summary(&r, stdout);
    CHECK_EQ(failures, 0);
    CHECK(r.passed >= 10);
    CHECK(!r.wedged);
    bk_conformance_report_free(&r);

    /* The suite's unload check removes the device it found; if it is
     * still there, it goes now. Either way its driver leaves no pool. */
    dev = bk_host_find_device(h, "ROOT\\BADMINI\\OOT0");
    if (dev)
        CHECK_STATUS(bk_host_remove_device(h, dev, 0), 0);
    CHECK_STR(bk_host_last_unload_report(h), "");
    free(service);
    free(image);
    CHECK_EQ(bk_host_destroy(h), 0);
}

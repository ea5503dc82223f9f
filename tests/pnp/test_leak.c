/* A driver that leaves pool behind: its unload after the last device is
 * reported by tag, and the removal that caused it fails. Its own program,
 * because the leaked block outlives the host that reported it. */
#include "pnp_fixture.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

TEST(leaked_pool_is_reported_by_tag_on_unload)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    REQUIRE(NT_SUCCESS(
        bk_host_add_root_device(h, "PNPTEST\\LEAK", fx_leak.service, NULL, fx_leak.path, &dev)));
    bk_status_t s = bk_host_remove_device(h, dev, 0);
    CHECK(!NT_SUCCESS(s));
    CHECK(strstr(bk_host_last_unload_report(h), "Leak") != NULL);
    CHECK(strstr(bk_host_last_unload_report(h), fx_leak.service) != NULL);
    CHECK(fx_line(&fx_leak, "driver Unload") >= 0);
    /* The block is still out when the host goes: destroy says so. */
    CHECK(fx_stop(h) != 0);
    CHECK(strstr(bk_host_last_report(), "Leak") != NULL);
    void (*release)(void) = (void (*)(void))dlsym(fx_leak.handle, "pnptest_release_leak");
    REQUIRE(release);
    release();
}

/* The pool keeps a freed small block for the freeing thread's next
 * allocation of its size (its magazine). The leaking driver's 48-byte
 * block, handed out from there (this thread freed one just before, and
 * AddDevice runs on it), is still charged to the driver and reported. */
TEST(leaked_block_from_a_threads_magazine_is_reported_as_the_drivers)
{
    bk_host_t *h = fx_start();
    bk_device_t *dev = NULL;
    ExFreePoolWithTag(ExAllocatePoolWithTag(NonPagedPoolNx, 40, 'gaMT'), 'gaMT');
    REQUIRE(NT_SUCCESS(
        bk_host_add_root_device(h, "PNPTEST\\LEAK", fx_leak.service, NULL, fx_leak.path, &dev)));
    bk_status_t s = bk_host_remove_device(h, dev, 0);
    CHECK(!NT_SUCCESS(s));
    CHECK(strstr(bk_host_last_unload_report(h), "Leak") != NULL);
    CHECK(strstr(bk_host_last_unload_report(h), fx_leak.service) != NULL);
    CHECK(fx_stop(h) != 0);
    void (*release)(void) = (void (*)(void))dlsym(fx_leak.handle, "pnptest_release_leak");
    REQUIRE(release);
    release();
}

/* bk_host_destroy unloads (and so frees) each module still loaded before
 * it writes the report line that names it: the name must be copied out
 * first. The driver is loaded with no device, so only destroy unloads it;
 * the test runs with MALLOC_PERTURB_ so the freed module is scribbled. */
TEST(destroy_report_names_the_leaking_driver_after_its_module_is_freed)
{
    bk_host_t *h = fx_start();
    fx_leak.set(PNPTEST_LEAK_AT_ENTRY, 1);
    REQUIRE(NT_SUCCESS(bk_host_load_driver(h, fx_leak.service, fx_leak.path)));
    CHECK(fx_stop(h) != 0);
    char expect[128];
    snprintf(expect, sizeof expect, "%s: tag 'Leak'", fx_leak.service);
    CHECK(strstr(bk_host_last_report(), expect) != NULL);
    void (*release)(void) = (void (*)(void))dlsym(fx_leak.handle, "pnptest_release_leak");
    REQUIRE(release);
    release();
}

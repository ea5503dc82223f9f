/* The registry as the host runs it: options.registry_file is loaded at
 * bk_host_create, written by bk_registry_flush and at bk_host_destroy, and
 * a damaged file never stops the host from starting. */
#include "bk_test.h"

#include <battkit/host.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

typedef int32_t NTSTATUS; /* for ntstatus.h, without the WDK headers */
#include <ntstatus.h>

static char dir[64], file[128];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/bk-reghost-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(file, sizeof file, "%s/registry.txt", dir);
}

static void remove_dir(void)
{
    char p[200];
    static const char *const leftovers[] = {"", ".tmp", ".corrupt"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", file, leftovers[i]);
        unlink(p);
    }
    rmdir(dir);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static bool file_contains(const char *path, const char *text)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    return strstr(buf, text) != NULL;
}

TEST(host_writes_its_registry_file_on_flush_and_at_destroy)
{
    make_dir();
    bk_host_t *h = bk_host_create(&(bk_host_options_t){.virtual_time = 1, .registry_file = file});
    REQUIRE(h);
    CHECK_STATUS(bk_registry_flush(), STATUS_SUCCESS);
    CHECK(exists(file));
    CHECK(file_contains(file, "\nbattkit-registry 1\n"));
    /* Installing a binding writes the registry (pnp's Control\battkit keys). */
    CHECK_STATUS(bk_host_bind(h, "BKTEST\\Persisted", "nosuchservice", NULL), STATUS_SUCCESS);
    CHECK_EQ(bk_host_destroy(h), 0);
    CHECK(file_contains(file, "BKTEST#Persisted"));
    /* A second host sees it. */
    h = bk_host_create(&(bk_host_options_t){.virtual_time = 1, .registry_file = file});
    REQUIRE(h);
    CHECK_EQ(bk_host_destroy(h), 0);
    CHECK(file_contains(file, "BKTEST#Persisted"));
    remove_dir();
}

TEST(host_with_a_damaged_registry_file_still_starts_empty)
{
    make_dir();
    FILE *f = fopen(file, "wb");
    REQUIRE(f);
    fputs("battkit-registry 1\n[\\Registry\\Machine\\Half", f); /* cut mid-line */
    fclose(f);
    bk_host_t *h = bk_host_create(&(bk_host_options_t){.virtual_time = 1, .registry_file = file});
    REQUIRE(h);
    char corrupt[160];
    snprintf(corrupt, sizeof corrupt, "%s.corrupt", file);
    CHECK(exists(corrupt)); /* kept for the user, not overwritten */
    CHECK_EQ(bk_host_destroy(h), 0);
    CHECK(file_contains(file, "\nbattkit-registry 1\n"));
    CHECK(!file_contains(file, "Half"));
    remove_dir();
}

TEST(flush_without_a_registry_file_succeeds)
{
    bk_host_t *h = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(h);
    CHECK_STATUS(bk_registry_flush(), STATUS_SUCCESS);
    CHECK_EQ(bk_host_destroy(h), 0);
}

/* A KMDF driver's INF through the installer (ntos/setup/wdf_rules.c):
 * docs: [DDInstall.Wdf] KmdfService names the service and a section whose
 * KmdfLibraryVersion is the framework version; the coinstaller section of
 * old KMDF INFs is ignored with a note; a version battkit does not provide
 * refuses the INF. */
#include <ntddk.h>
#include <battkit/host.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bk_test.h"

#define REPORT 16384

/* Copies kmdfbatt.inf (the version line replaced) and kmdfbatt.so into a
 * fresh directory; returns the INF's path. */
static const char *package(char *dir, const char *version, char *inf, size_t len)
{
    char cmd[1024];
    strcpy(dir, "/tmp/battkit-wdf-inf-XXXXXX");
    if (!mkdtemp(dir))
        return NULL;
    snprintf(inf, len, "%s/kmdfbatt.inf", dir);
    snprintf(
        cmd, sizeof cmd,
        "sed 's/^KmdfLibraryVersion = .*/KmdfLibraryVersion = %s/' '%s' > '%s' && cp '%s' '%s/'",
        version, KMDFBATT_INF, inf, KMDFBATT_SO, dir);
    return system(cmd) == 0 ? inf : NULL;
}

static void cleanup(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static bk_status_t install(const char *version, char *report)
{
    char dir[64], store[80], inf[128];
    report[0] = 0;
    if (!package(dir, version, inf, sizeof inf))
        return STATUS_UNSUCCESSFUL;
    snprintf(store, sizeof store, "%s/store", dir);
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    bk_host_set_driver_store(host, store);
    bk_status_t s = bk_host_install_inf(host, inf, report, REPORT);
    bk_host_destroy(host);
    cleanup(dir);
    return s;
}

TEST(kmdf_library_version_in_the_wdf_section_is_accepted_and_coinstaller_noted)
{
    static char report[REPORT];
    CHECK_STATUS(install("1.15", report), STATUS_SUCCESS);
    CHECK(strstr(report, "CoInstallers] ignored") != NULL);
    CHECK(strstr(report, "error") == NULL);
    if (bk_test_failed())
        fprintf(stderr, "%s\n", report);
}

TEST(kmdf_library_version_battkit_does_not_provide_refuses_the_inf)
{
    static char report[REPORT];
    CHECK(install("2.0", report) != STATUS_SUCCESS);
    CHECK(strstr(report, "KmdfLibraryVersion 2.0") != NULL);
    CHECK(install("1.x", report) != STATUS_SUCCESS);
    CHECK(strstr(report, "is not major.minor") != NULL);
    if (bk_test_failed())
        fprintf(stderr, "%s\n", report);
}

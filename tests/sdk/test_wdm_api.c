/* Loads the third-party WDM driver wdm_api_test.sh built (path in
 * WDM_API_DRIVER_SO), opens it through its DOS-device link and runs its
 * self-test IOCTL: every routine it calls gives its documented result. */
#include "bk_test.h"

#include <battkit/host.h>
#include <ntstatus.h>
#include <stdio.h>
#include <stdlib.h>

typedef int32_t NTSTATUS;
#define IOCTL_WDMAPI_RUN ((0x22u << 16) | (0x900u << 2))
/* How many checks the driver makes: fewer means a part did not run. */
#define WDMAPI_CHECKS 52

static const char *so_path;

TEST(third_party_wdm_driver_calls_give_documented_results)
{
    REQUIRE(so_path != NULL);
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(host != NULL);
    CHECK_STATUS(bk_host_load_driver(host, "wdmapi", so_path), STATUS_SUCCESS);
    bk_handle_t *h = NULL;
    /* The user form of the link IoCreateSymbolicLink made in DriverEntry. */
    CHECK_STATUS(bk_host_open(host, "\\\\.\\WdmApiTest", BK_ACCESS_READ, &h), STATUS_SUCCESS);
    if (h) {
        uint32_t result[3] = {0}, got = 0;
        CHECK_STATUS(bk_ioctl(h, IOCTL_WDMAPI_RUN, NULL, 0, result, sizeof result, &got),
                     STATUS_SUCCESS);
        CHECK_EQ(got, sizeof result);
        CHECK_EQ(result[0], WDMAPI_CHECKS);
        CHECK_EQ(result[1], 0);
        if (result[1])
            fprintf(stderr, "first failed check: wdm_api_driver.c:%u\n", result[2]);
        bk_close(h);
    }
    CHECK_STATUS(bk_host_open(host, "\\DosDevices\\WdmApiTarget", BK_ACCESS_READ, &h),
                 STATUS_SUCCESS);
    if (h)
        bk_close(h);
    CHECK_STATUS(bk_host_open(host, "\\DosDevices\\NoSuchLink", BK_ACCESS_READ, &h),
                 STATUS_OBJECT_NAME_NOT_FOUND);
    /* Unloaded clean: links, callback objects and file objects all gone. */
    CHECK_EQ(bk_host_destroy(host), 0);
}

__attribute__((constructor)) static void read_path(void)
{
    so_path = getenv("WDM_API_DRIVER_SO");
}

/* Loads the out-of-tree driver the build script made (path in argv[1]) the
 * same way the host starts built-in drivers, talks to it, unloads it clean. */
#include "bk_test.h"

#include <battkit/host.h>
#include <ntstatus.h>
#include <stdlib.h>

typedef int32_t NTSTATUS;
#define IOCTL_OOT_DOUBLE ((0x22u << 16) | (1u << 14) | (0x800u << 2) | 0u)

static const char *so_path;

TEST(out_of_tree_driver_loads_answers_and_unloads_clean)
{
    REQUIRE(so_path != NULL);
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    REQUIRE(host != NULL);
    CHECK_STATUS(bk_host_load_driver(host, "ootdriver", so_path), STATUS_SUCCESS);
    bk_handle_t *h = NULL;
    CHECK_STATUS(bk_host_open(host, "\\Device\\OotTest", BK_ACCESS_READ, &h), STATUS_SUCCESS);
    if (h) {
        uint32_t value = 21, got = 0;
        CHECK_STATUS(bk_ioctl(h, IOCTL_OOT_DOUBLE, &value, 4, &value, 4, &got), STATUS_SUCCESS);
        CHECK_EQ(value, 42);
        CHECK_EQ(got, 4);
        CHECK_STATUS(bk_ioctl(h, IOCTL_OOT_DOUBLE, &value, 2, &value, 4, &got),
                     STATUS_BUFFER_TOO_SMALL);
        bk_close(h);
    }
    CHECK_EQ(bk_host_destroy(host), 0);
}

__attribute__((constructor)) static void read_path(void)
{
    so_path = getenv("OOT_DRIVER_SO");
}

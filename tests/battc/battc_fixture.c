/* The battc tests' fixture: one host per test (virtual time), one
 * battc_testmini battery, and IOCTL helpers. */
#include <initguid.h>
#include "battc_fixture.h"

#include <stdlib.h>
#include <string.h>

#ifndef TESTMINI_SO
#error "TESTMINI_SO (path of battc_testmini.so) must be defined by the build"
#endif

static int tb_start_failed(tb_t *tb)
{
    /* Leave no host behind: the next test creates its own. */
    tb_stop(tb);
    return -1;
}

int tb_start(tb_t *tb, const char *hwid)
{
    char **paths = NULL;
    size_t n;
    bk_status_t s;

    memset(tb, 0, sizeof(*tb));
    tb->host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!tb->host) {
        bk_test_fail(__FILE__, __LINE__, "bk_host_create failed");
        return -1;
    }
    s = bk_host_add_root_device(tb->host, hwid, "battc_testmini", NULL, TESTMINI_SO, &tb->device);
    if (s != STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "adding %s: 0x%08x", hwid, (unsigned)s);
        return tb_start_failed(tb);
    }
    n = bk_host_list_interfaces(tb->host, &GUID_DEVICE_BATTERY, &paths);
    if (n != 1) {
        bk_test_fail(__FILE__, __LINE__, "%zu battery interfaces, expected 1", n);
        bk_host_free_list(paths, n);
        return tb_start_failed(tb);
    }
    tb->path = strdup(paths[0]);
    bk_host_free_list(paths, n);
    s = bk_host_open(tb->host, tb->path, BK_ACCESS_READ | BK_ACCESS_WRITE, &tb->battery);
    if (s != STATUS_SUCCESS) {
        bk_test_fail(__FILE__, __LINE__, "opening %s: 0x%08x", tb->path, (unsigned)s);
        tb->battery = NULL;
        return tb_start_failed(tb);
    }
    bk_host_settle(tb->host);
    return 0;
}

void tb_stop(tb_t *tb)
{
    if (tb->battery)
        bk_close(tb->battery);
    if (tb->host) {
        int problems = bk_host_destroy(tb->host);
        if (problems)
            bk_test_fail(__FILE__, __LINE__, "host pool check: %s", bk_host_last_report());
    }
    free(tb->path);
    memset(tb, 0, sizeof(*tb));
}

void tb_advance_ms(tb_t *tb, uint64_t ms)
{
    bk_host_advance(tb->host, ms * 1000000ull);
}

static void tb_private(tb_t *tb, uint32_t code, const void *in, uint32_t in_len, void *out,
                       uint32_t out_len)
{
    uint32_t got = 0;
    bk_status_t s = bk_ioctl(tb->battery, code, in, in_len, out, out_len, &got);
    if (s != STATUS_SUCCESS)
        bk_test_fail(__FILE__, __LINE__, "private IOCTL 0x%08x: 0x%08x", code, (unsigned)s);
    bk_host_settle(tb->host); /* let the notification it may raise be served */
}

void tb_set_status(tb_t *tb, ULONG power_state, ULONG capacity, ULONG voltage, LONG rate)
{
    BATTERY_STATUS s = {power_state, capacity, voltage, rate};
    tb_private(tb, IOCTL_TESTMINI_SET_STATUS, &s, sizeof(s), NULL, 0);
}

void tb_set_present(tb_t *tb, int present)
{
    ULONG v = present ? 1 : 0;
    tb_private(tb, IOCTL_TESTMINI_SET_PRESENT, &v, sizeof(v), NULL, 0);
}

void tb_config(tb_t *tb, ULONG flags, ULONG spin, ULONG extra_length)
{
    TESTMINI_CONFIG c = {flags, spin, extra_length};
    tb_private(tb, IOCTL_TESTMINI_SET_CONFIG, &c, sizeof(c), NULL, 0);
}

TESTMINI_COUNTERS tb_counters(tb_t *tb)
{
    TESTMINI_COUNTERS c;
    memset(&c, 0, sizeof(c));
    tb_private(tb, IOCTL_TESTMINI_GET_COUNTERS, NULL, 0, &c, sizeof(c));
    return c;
}

void tb_reset_counters(tb_t *tb)
{
    tb_private(tb, IOCTL_TESTMINI_RESET_COUNTERS, NULL, 0, NULL, 0);
}

void tb_notify(tb_t *tb, ULONG irql)
{
    tb_private(tb, IOCTL_TESTMINI_NOTIFY, &irql, sizeof(irql), NULL, 0);
}

bk_status_t tb_query_tag(tb_t *tb, ULONG timeout_ms, ULONG *tag)
{
    uint32_t got = 0;
    *tag = BATTERY_TAG_INVALID;
    bk_status_t s = bk_ioctl(tb->battery, IOCTL_BATTERY_QUERY_TAG, &timeout_ms, sizeof(timeout_ms),
                             tag, sizeof(*tag), &got);
    if (s == STATUS_SUCCESS && got != sizeof(ULONG))
        bk_test_fail(__FILE__, __LINE__, "QUERY_TAG returned %u bytes", got);
    return s;
}

bk_status_t tb_query_status(tb_t *tb, ULONG tag, ULONG timeout_ms, ULONG power_state, ULONG low,
                            ULONG high, BATTERY_STATUS *out, uint32_t *returned)
{
    BATTERY_WAIT_STATUS w = {tag, timeout_ms, power_state, low, high};
    uint32_t got = 0;
    memset(out, 0, sizeof(*out));
    bk_status_t s =
        bk_ioctl(tb->battery, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof(w), out, sizeof(*out), &got);
    if (returned)
        *returned = got;
    return s;
}

bk_request_t *tb_wait_status(tb_t *tb, const BATTERY_WAIT_STATUS *wait, BATTERY_STATUS *out)
{
    bk_request_t *r = NULL;
    memset(out, 0, sizeof(*out));
    bk_status_t s = bk_ioctl_async(tb->battery, IOCTL_BATTERY_QUERY_STATUS, wait, sizeof(*wait),
                                   out, sizeof(*out), NULL, NULL, &r);
    if (!r)
        bk_test_fail(__FILE__, __LINE__, "QUERY_STATUS not sent: 0x%08x", (unsigned)s);
    return r;
}

bk_status_t tb_query_info(tb_t *tb, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG out_len,
                          uint32_t *returned)
{
    BATTERY_QUERY_INFORMATION q = {tag, (BATTERY_QUERY_INFORMATION_LEVEL)level, (ULONG)at_rate};
    uint32_t got = 0;
    bk_status_t s =
        bk_ioctl(tb->battery, IOCTL_BATTERY_QUERY_INFORMATION, &q, sizeof(q), out, out_len, &got);
    if (returned)
        *returned = got;
    return s;
}

ULONG tb_tag(tb_t *tb)
{
    ULONG tag;
    bk_status_t s = tb_query_tag(tb, 0, &tag);
    if (s != STATUS_SUCCESS || tag == BATTERY_TAG_INVALID)
        bk_test_fail(__FILE__, __LINE__, "no battery tag: 0x%08x", (unsigned)s);
    return tag;
}

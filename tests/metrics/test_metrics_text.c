/* The exposition writer (daemon/metrics_text.c) and battd's counters
 * (daemon/stats.c): what a Prometheus parser reads, byte for byte. */
#include "bk_test.h"
#include "metrics.h"

#include <poclass.h>
#include <ntstatus.h>
#include <stdlib.h>

TEST(label_values_escape_backslash_quote_and_newline)
{
    mtext_t l, t;
    mt_init(&l);
    mt_init(&t);
    mt_label(&l, "device_name", "Pack \"A\" \\ 1\nnext");
    mt_label(&l, "bus", "acpi");
    mt_sample_fixed(&t, "battkit_x", &l, 1, 0);
    CHECK_STR(t.buf, "battkit_x{device_name=\"Pack \\\"A\\\" \\\\ 1\\nnext\",bus=\"acpi\"} 1\n");
    mt_free(&l);
    mt_free(&t);
}

TEST(help_text_escapes_backslash_and_newline_but_not_quotes)
{
    mtext_t t;
    mt_init(&t);
    mt_family(&t, "battkit_y_total", "counter", "a \"b\" c\\d\ne");
    CHECK_STR(t.buf, "# HELP battkit_y_total a \"b\" c\\\\d\\ne\n# TYPE battkit_y_total counter\n");
    mt_free(&t);
}

TEST(fixed_values_are_exact_decimals)
{
    static const struct {
        int64_t units;
        int decimals;
        const char *text;
    } cases[] = {
        {57123, 3, "57.123"},     {5, 3, "0.005"},
        {-8038, 3, "-8.038"},     {0, 3, "0.000"},
        {5124750, 3, "5124.750"}, {42, 0, "42"},
        {-1, 2, "-0.01"},         {INT64_MIN, 0, "-9223372036854775808"},
        {1000000, 6, "1.000000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mtext_t t;
        mt_init(&t);
        mt_sample_fixed(&t, "m", NULL, cases[i].units, cases[i].decimals);
        char want[64];
        snprintf(want, sizeof want, "m %s\n", cases[i].text);
        CHECK_STR(t.buf, want);
        mt_free(&t);
    }
}

TEST(doubles_keep_full_precision_and_special_values)
{
    mtext_t t;
    mt_init(&t);
    mt_sample_double(&t, "a", NULL, 0.1);
    mt_sample_double(&t, "b", NULL, 1.0 / 0.0);
    mt_sample_double(&t, "c", NULL, 0.0 / 0.0);
    CHECK_STR(t.buf, "a 0.10000000000000001\nb +Inf\nc NaN\n");
    mt_free(&t);
}

TEST(text_grows_past_its_first_buffer)
{
    mtext_t t, l;
    mt_init(&t);
    mt_init(&l);
    mt_label(&l, "unique_id", "0123456789abcdef0123456789abcdef");
    for (int i = 0; i < 2000; i++)
        mt_sample_fixed(&t, "battkit_battery_rate_watts", &l, -i, 3);
    CHECK(!t.failed);
    CHECK_EQ(strlen(t.buf), t.len);
    CHECK(strstr(t.buf,
                 "battkit_battery_rate_watts{unique_id=\"0123456789abcdef0123456789abcdef\"} "
                 "-1.999\n") != NULL);
    mt_reset(&t);
    CHECK_EQ(t.len, 0);
    CHECK_STR(t.buf, "");
    mt_free(&t);
    mt_free(&l);
}

static uint64_t count_of(const stat_ioctl_row_t *rows, size_t n, uint32_t code, int32_t status)
{
    for (size_t i = 0; i < n; i++)
        if (!rows[i].overflow && rows[i].code == code && rows[i].status == status)
            return rows[i].count;
    return 0;
}

TEST(ioctls_are_counted_by_code_and_status)
{
    stat_reset();
    for (int i = 0; i < 5; i++)
        stat_ioctl(IOCTL_BATTERY_QUERY_STATUS, STATUS_SUCCESS);
    stat_ioctl(IOCTL_BATTERY_QUERY_STATUS, STATUS_NO_SUCH_DEVICE);
    stat_ioctl(IOCTL_BATTERY_QUERY_TAG, STATUS_SUCCESS);
    stat_ioctl(0, 0); /* code 0, status 0 is a pair like any other */
    stat_ioctl_row_t rows[STAT_IOCTL_SLOTS + 1];
    size_t n = stat_ioctl_rows(rows, STAT_IOCTL_SLOTS + 1);
    CHECK_EQ(n, 4);
    CHECK_EQ(count_of(rows, n, IOCTL_BATTERY_QUERY_STATUS, STATUS_SUCCESS), 5);
    CHECK_EQ(count_of(rows, n, IOCTL_BATTERY_QUERY_STATUS, STATUS_NO_SUCH_DEVICE), 1);
    CHECK_EQ(count_of(rows, n, IOCTL_BATTERY_QUERY_TAG, STATUS_SUCCESS), 1);
    CHECK_EQ(count_of(rows, n, 0, 0), 1);
}

TEST(ioctl_pairs_past_the_table_bound_count_as_other)
{
    stat_reset();
    /* A client sending many codes: the table stays bounded, nothing is lost. */
    for (uint32_t code = 1; code <= STAT_IOCTL_SLOTS + 50; code++)
        for (int k = 0; k < 2; k++)
            stat_ioctl(code, STATUS_INVALID_DEVICE_REQUEST);
    stat_ioctl_row_t rows[STAT_IOCTL_SLOTS + 1];
    size_t n = stat_ioctl_rows(rows, STAT_IOCTL_SLOTS + 1);
    CHECK_EQ(n, STAT_IOCTL_SLOTS + 1);
    uint64_t total = 0, other = 0;
    for (size_t i = 0; i < n; i++) {
        total += rows[i].count;
        if (rows[i].overflow)
            other = rows[i].count;
    }
    CHECK_EQ(total, 2 * (STAT_IOCTL_SLOTS + 50));
    CHECK_EQ(other, 2 * 50);
    stat_reset();
    CHECK_EQ(stat_ioctl_rows(rows, STAT_IOCTL_SLOTS + 1), 0);
}

TEST(counters_and_gauges_add_and_read)
{
    stat_reset();
    stat_add(STAT_CLIENTS, 1);
    stat_add(STAT_CLIENTS, 1);
    stat_add(STAT_CLIENTS, -1);
    stat_message(6);
    stat_message(6);
    stat_message(999); /* out of range: ignored */
    stat_policy_action(BK_PO_LEVEL_CRITICAL, BK_PO_ACTION_HIBERNATE);
    stat_policy_action(BK_PO_LEVEL_COUNT, 0); /* out of range: ignored */
    CHECK_EQ(stat_get(STAT_CLIENTS), 1);
    CHECK_EQ(stat_messages(6), 2);
    CHECK_EQ(stat_messages(999), 0);
    CHECK_EQ(stat_policy_actions(BK_PO_LEVEL_CRITICAL, BK_PO_ACTION_HIBERNATE), 1);
    CHECK_EQ(stat_policy_actions(BK_PO_LEVEL_LOW, BK_PO_ACTION_HIBERNATE), 0);
}

/* Stale-tag checks (reference 1.2-1.5, 4.3): every routine that takes a
 * tag fails a tag that does not name the present battery with
 * STATUS_NO_SUCH_DEVICE, at once, even a status request willing to wait.
 * The tags tried were never issued (the current one plus 0x10000) or are
 * BATTERY_TAG_INVALID; reinsertion makes real stale tags in checks_tag.c. */
#include <string.h>

#include "cf_internal.h"

static void stale_tags(cf_ctx_t *c, ULONG tags[2])
{
    tags[0] = c->bat->tag + 0x10000;
    if (tags[0] == BATTERY_TAG_INVALID)
        tags[0] = 0x10001;
    tags[1] = BATTERY_TAG_INVALID;
}

static void check_stale_information(cf_ctx_t *c, const ULONG tags[2])
{
    unsigned char out[CF_INFO_BUFFER];
    cf_text_t t = {0};

    for (int k = 0; k < 2; k++) {
        for (ULONG level = 0; level < CF_LEVELS; level++) {
            uint32_t got = 0;
            NTSTATUS s = cf_query_info(c, tags[k], level, 0, out, sizeof out, &got);
            if (s != STATUS_NO_SUCH_DEVICE)
                cf_note(&t, "tag %u %s: %s", (unsigned)tags[k], cf_level_name(level),
                        cf_status_name(s));
        }
    }
    if (t.count)
        cf_fail(c, "stale_tag_query_information", "%s", t.buf);
    else
        cf_pass(c, "stale_tag_query_information",
                "tags %u and %u: STATUS_NO_SUCH_DEVICE at every level", (unsigned)tags[0],
                (unsigned)tags[1]);
}

/* docs (1.5): a tag that does not match on entry fails at once, whatever
 * Timeout says (a wait started on a stale tag is a known defect). */
static void check_stale_status(cf_ctx_t *c, const ULONG tags[2])
{
    static const ULONG timeouts[] = {0, 10000};
    cf_text_t t = {0};

    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof timeouts / sizeof timeouts[0]; i++) {
            BATTERY_WAIT_STATUS w = {.BatteryTag = tags[k],
                                     .Timeout = timeouts[i],
                                     .LowCapacity = 0,
                                     .HighCapacity = 0xFFFFFFFF};
            BATTERY_STATUS st;
            cf_req_t r;
            uint32_t got = 0;
            uint64_t elapsed = 0;
            cf_start(c, &r, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof w, sizeof st);
            NTSTATUS s =
                cf_finish(c, &r, CF_MS(timeouts[i]) + c->answer_bound_ns, &st, &got, &elapsed);
            cf_release(c, &r);
            if (s != STATUS_NO_SUCH_DEVICE)
                cf_note(&t, "tag %u, Timeout %u ms: %s", (unsigned)tags[k], (unsigned)timeouts[i],
                        cf_status_name(s));
            else if (elapsed > c->answer_bound_ns)
                cf_note(&t, "tag %u, Timeout %u ms: STATUS_NO_SUCH_DEVICE only after %u ms",
                        (unsigned)tags[k], (unsigned)timeouts[i], (unsigned)(elapsed / 1000000));
        }
    }
    if (t.count)
        cf_fail(c, "stale_tag_query_status", "%s", t.buf);
    else
        cf_pass(c, "stale_tag_query_status",
                "tags %u and %u, Timeout 0 and 10000 ms: STATUS_NO_SUCH_DEVICE at once",
                (unsigned)tags[0], (unsigned)tags[1]);
}

/* docs (1.4, 4.3): SetInformation checks the tag before anything else, so
 * even a level the battery does not take fails a stale tag that way. */
static void check_stale_set(cf_ctx_t *c, const ULONG tags[2])
{
    static const struct {
        ULONG level;
        ULONG payload; /* bytes after the 8-byte header */
    } sets[] = {
        {BatteryCriticalBias, sizeof(ULONG)},
        {BatteryCharge, 0},
        {BatteryDischarge, 0},
        {BatteryChargingSource, sizeof(BATTERY_CHARGING_SOURCE)},
    };
    cf_text_t t = {0};

    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
            unsigned char in[8 + sizeof(BATTERY_CHARGING_SOURCE)];
            BATTERY_SET_INFORMATION *set = (BATTERY_SET_INFORMATION *)in;
            memset(in, 0, sizeof in);
            set->BatteryTag = tags[k];
            set->InformationLevel = (BATTERY_SET_INFORMATION_LEVEL)sets[i].level;
            if (sets[i].level == BatteryChargingSource) {
                BATTERY_CHARGING_SOURCE src = {.Type = BatteryChargingSourceType_AC,
                                               .MaxCurrent = 1000};
                memcpy(in + 8, &src, sizeof src);
            }
            uint32_t got = 0;
            NTSTATUS s =
                cf_ioctl(c, IOCTL_BATTERY_SET_INFORMATION, in, 8 + sets[i].payload, NULL, 0, &got);
            if (s != STATUS_NO_SUCH_DEVICE)
                cf_note(&t, "tag %u level %u: %s", (unsigned)tags[k], (unsigned)sets[i].level,
                        cf_status_name(s));
        }
    }
    if (t.count)
        cf_fail(c, "stale_tag_set_information", "%s", t.buf);
    else
        cf_pass(c, "stale_tag_set_information", "tags %u and %u, levels 0-3: STATUS_NO_SUCH_DEVICE",
                (unsigned)tags[0], (unsigned)tags[1]);
}

void cf_check_stale_tags(cf_ctx_t *c)
{
    ULONG tags[2];

    if (c->bat->tag == BATTERY_TAG_INVALID) {
        cf_skip(c, "stale_tag_query_information", "no current tag to make a stale one from");
        cf_skip(c, "stale_tag_query_status", "no current tag to make a stale one from");
        cf_skip(c, "stale_tag_set_information", "no current tag to make a stale one from");
        return;
    }
    stale_tags(c, tags);
    if (cf_wants(c, "stale_tag_query_information"))
        check_stale_information(c, tags);
    if (cf_wants(c, "stale_tag_query_status"))
        check_stale_status(c, tags);
    if (cf_wants(c, "stale_tag_set_information"))
        check_stale_set(c, tags);
}

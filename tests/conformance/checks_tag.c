/* Tag checks (reference 1.2, 4.3, 4.5): a nonzero tag while a battery is
 * present, BATTERY_TAG_INVALID / STATUS_NO_SUCH_DEVICE with none, a new tag
 * on every insertion, QUERY_TAG waits that end at their bound or when a
 * battery arrives, and old tags rejected after a reinsertion. */
#include <string.h>

#include "cf_internal.h"

/* docs (1.2): QUERY_TAG with a wait of 0 returns the tag at once while a
 * battery is present, and a tag is never BATTERY_TAG_INVALID. */
static void check_tag_present(cf_ctx_t *c)
{
    ULONG tag = BATTERY_TAG_INVALID;
    NTSTATUS s = cf_query_tag(c, 0, &tag);

    c->bat->tag = tag;
    if (NT_SUCCESS(s) && tag != BATTERY_TAG_INVALID)
        cf_pass(c, "query_tag_nonzero_while_present", "tag %u", (unsigned)tag);
    else
        cf_fail(c, "query_tag_nonzero_while_present",
                "QUERY_TAG (wait 0) with the battery present: %s, tag %u", cf_status_name(s),
                (unsigned)tag);
}

/* docs (1.2): an output buffer too small for the tag fails with
 * STATUS_BUFFER_TOO_SMALL and 0 bytes. */
static void check_tag_short_buffer(cf_ctx_t *c)
{
    ULONG wait = 0;
    unsigned char small[sizeof(ULONG) - 1];
    uint32_t got = 0;
    NTSTATUS s =
        cf_ioctl(c, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, small, sizeof small, &got);

    if (s == STATUS_BUFFER_TOO_SMALL && got == 0)
        cf_pass(c, "query_tag_short_buffer_too_small", "3-byte output: STATUS_BUFFER_TOO_SMALL");
    else
        cf_fail(c, "query_tag_short_buffer_too_small", "3-byte output: %s, %u bytes",
                cf_status_name(s), got);
}

void cf_check_tags(cf_ctx_t *c)
{
    check_tag_present(c);
    check_tag_short_buffer(c);
}

/* ---- with a controller that removes and inserts the battery ---- */

static const char *const insertion_checks[] = {
    "query_tag_invalid_without_battery",     "query_tag_wait_times_out_without_battery",
    "query_tag_wait_completes_on_insertion", "query_tag_changes_on_every_insertion",
    "stale_tag_after_reinsertion",
};

static void skip_insertion_checks(cf_ctx_t *c, const char *why)
{
    for (size_t i = 0; i < sizeof insertion_checks / sizeof insertion_checks[0]; i++)
        cf_skip(c, insertion_checks[i], "%s", why);
}

/* The requests that name the battery by tag must fail with
 * STATUS_NO_SUCH_DEVICE for `tag`; problems go to `t`. */
static void expect_tag_rejected(cf_ctx_t *c, ULONG tag, const char *when, cf_text_t *t)
{
    BATTERY_STATUS status;
    unsigned char info[CF_INFO_BUFFER];
    uint32_t got;
    NTSTATUS s = cf_query_status(c, tag, &status, &got);

    if (s != STATUS_NO_SUCH_DEVICE)
        cf_note(t, "%s, QUERY_STATUS with old tag %u: %s", when, (unsigned)tag, cf_status_name(s));
    s = cf_query_info(c, tag, BatteryInformation, 0, info, sizeof info, &got);
    if (s != STATUS_NO_SUCH_DEVICE)
        cf_note(t, "%s, QUERY_INFORMATION(BatteryInformation) with old tag %u: %s", when,
                (unsigned)tag, cf_status_name(s));
}

/* docs (1.2): with no battery, the wait given to QUERY_TAG is honoured and
 * ends with STATUS_NO_SUCH_DEVICE (a bound of 2000 ms must not end early,
 * as a 100 ns/ms mix-up would make it). */
static void check_tag_wait_timeout(cf_ctx_t *c)
{
    const ULONG wait_ms = 2000;
    cf_req_t r;
    ULONG tag = BATTERY_TAG_INVALID;
    uint32_t got = 0;
    uint64_t elapsed = 0;

    cf_start(c, &r, IOCTL_BATTERY_QUERY_TAG, &wait_ms, sizeof wait_ms, sizeof tag);
    NTSTATUS s = cf_finish(c, &r, CF_MS(wait_ms) + c->answer_bound_ns, &tag, &got, &elapsed);
    cf_release(c, &r);
    unsigned ms = (unsigned)(elapsed / 1000000);
    if (s == STATUS_NO_SUCH_DEVICE && elapsed >= CF_MS(wait_ms))
        cf_pass(c, "query_tag_wait_times_out_without_battery",
                "a %u ms wait ended after %u ms with STATUS_NO_SUCH_DEVICE", (unsigned)wait_ms, ms);
    else if (s == STATUS_PENDING)
        cf_fail(c, "query_tag_wait_times_out_without_battery",
                "a %u ms wait was still pending after %u ms", (unsigned)wait_ms, ms);
    else
        cf_fail(c, "query_tag_wait_times_out_without_battery",
                "a %u ms wait ended after %u ms with %s", (unsigned)wait_ms, ms, cf_status_name(s));
}

/* docs (1.2, 4.6): a QUERY_TAG waiting without limit completes when a
 * battery is inserted; the miniclass must notify insertion, so it ends well
 * before battc's poll would. Leaves the battery inserted. */
static NTSTATUS insert_with_tag_waiter(cf_ctx_t *c, ULONG old_tag, ULONG *new_tag)
{
    const ULONG forever = 0xFFFFFFFF;
    cf_req_t r;
    ULONG tag = BATTERY_TAG_INVALID;
    uint32_t got = 0;
    uint64_t elapsed = 0;
    const char *name = "query_tag_wait_completes_on_insertion";

    cf_start(c, &r, IOCTL_BATTERY_QUERY_TAG, &forever, sizeof forever, sizeof tag);
    NTSTATUS early = cf_peek(c, &r, &tag, &got);
    uint64_t inserted_at = bk_host_now_ns(c->host);
    NTSTATUS ins = cf_ctl_insert(c);
    if (!NT_SUCCESS(ins)) {
        cf_release(c, &r);
        cf_fail(c, name, "the controller could not insert the battery: %s", cf_status_name(ins));
        return ins;
    }
    NTSTATUS s = early;
    if (early == STATUS_PENDING) {
        /* Waited for past the bound too, to say whether polling ends it. */
        s = cf_finish(c, &r, (inserted_at - r.started_ns) + 4 * c->notify_bound_ns + CF_MS(10000),
                      &tag, &got, &elapsed);
        elapsed = bk_host_now_ns(c->host) - inserted_at;
    }
    cf_release(c, &r);
    unsigned ms = (unsigned)(elapsed / 1000000);
    if (early != STATUS_PENDING)
        cf_fail(c, name, "a QUERY_TAG without a time limit did not wait for a battery: %s",
                cf_status_name(early));
    else if (s == STATUS_PENDING)
        cf_fail(c, name, "still waiting %u ms after the insertion", ms);
    else if (!NT_SUCCESS(s) || got != sizeof tag || tag == BATTERY_TAG_INVALID)
        cf_fail(c, name, "completed %u ms after the insertion with %s, tag %u", ms,
                cf_status_name(s), (unsigned)tag);
    else if (elapsed > c->notify_bound_ns)
        cf_fail(c, name, "completed %u ms after the insertion (bound %u ms): polled, not notified",
                ms, (unsigned)(c->notify_bound_ns / 1000000));
    else
        cf_pass(c, name, "completed %u ms after the insertion with tag %u (old tag %u)", ms,
                (unsigned)tag, (unsigned)old_tag);
    /* Whatever the waiter saw, the tag now is what counts. */
    cf_refresh_tag(c);
    *new_tag = c->bat->tag;
    return STATUS_SUCCESS;
}

void cf_check_insertion(cf_ctx_t *c)
{
    cf_text_t stale = {0};
    ULONG tags[3] = {BATTERY_TAG_INVALID, BATTERY_TAG_INVALID, BATTERY_TAG_INVALID};
    NTSTATUS s;

    if (!cf_has_ctl(c, true, false)) {
        skip_insertion_checks(c, c->bat->ctl ? "the controller cannot remove and insert"
                                             : "no battery controller for this driver");
        return;
    }
    cf_refresh_tag(c);
    tags[0] = c->bat->tag;

    s = cf_ctl_remove(c);
    if (!NT_SUCCESS(s)) {
        skip_insertion_checks(c, "the controller could not remove the battery");
        return;
    }
    /* docs (4.3, 4.5): no battery -> STATUS_NO_SUCH_DEVICE, tag invalid. */
    ULONG tag = BATTERY_TAG_INVALID;
    s = cf_query_tag(c, 0, &tag);
    if (s == STATUS_NO_SUCH_DEVICE && tag == BATTERY_TAG_INVALID)
        cf_pass(c, "query_tag_invalid_without_battery", "STATUS_NO_SUCH_DEVICE");
    else
        cf_fail(c, "query_tag_invalid_without_battery",
                "QUERY_TAG (wait 0) with the battery removed: %s, tag %u", cf_status_name(s),
                (unsigned)tag);
    if (tags[0] != BATTERY_TAG_INVALID)
        expect_tag_rejected(c, tags[0], "battery removed", &stale);
    if (cf_wants(c, "query_tag_wait_times_out_without_battery"))
        check_tag_wait_timeout(c);

    insert_with_tag_waiter(c, tags[0], &tags[1]);

    /* A second removal and insertion: the same battery again. */
    s = cf_ctl_remove(c);
    if (NT_SUCCESS(s))
        s = cf_ctl_insert(c);
    if (NT_SUCCESS(s)) {
        cf_refresh_tag(c);
        tags[2] = c->bat->tag;
    }

    /* docs (4.3): the tag changes on every insertion, even of the same
     * battery, and is never BATTERY_TAG_INVALID. */
    const char *name = "query_tag_changes_on_every_insertion";
    if (!NT_SUCCESS(s))
        cf_fail(c, name, "the controller could not reinsert the battery: %s", cf_status_name(s));
    else if (tags[0] == BATTERY_TAG_INVALID || tags[1] == BATTERY_TAG_INVALID ||
             tags[2] == BATTERY_TAG_INVALID)
        cf_fail(c, name, "tags %u, %u, %u: one is BATTERY_TAG_INVALID", (unsigned)tags[0],
                (unsigned)tags[1], (unsigned)tags[2]);
    else if (tags[0] == tags[1] || tags[1] == tags[2] || tags[0] == tags[2])
        cf_fail(c, name, "tags before and after two insertions: %u, %u, %u (not all different)",
                (unsigned)tags[0], (unsigned)tags[1], (unsigned)tags[2]);
    else
        cf_pass(c, name, "tags %u, %u, %u", (unsigned)tags[0], (unsigned)tags[1],
                (unsigned)tags[2]);

    /* docs (1.2): after a tag change the old one names no battery. */
    bool tried = tags[0] != BATTERY_TAG_INVALID;
    if (NT_SUCCESS(s) && tags[1] != BATTERY_TAG_INVALID) {
        expect_tag_rejected(c, tags[1], "after reinsertion", &stale);
        tried = true;
    }
    if (!tried)
        cf_skip(c, "stale_tag_after_reinsertion", "no valid tag was ever issued to go stale");
    else if (stale.count)
        cf_fail(c, "stale_tag_after_reinsertion", "%s", stale.buf);
    else
        cf_pass(c, "stale_tag_after_reinsertion",
                "old tags rejected with STATUS_NO_SUCH_DEVICE while removed and after reinsertion");
    if (!NT_SUCCESS(s))
        cf_ctl_insert(c); /* leave a battery in for what follows */
    cf_refresh_tag(c);
}

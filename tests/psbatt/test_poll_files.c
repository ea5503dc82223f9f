/* What psbatt's poll does to the power_supply tree: an unchanged supply is
 * re-read through the attribute files it keeps open (no open, no lookup
 * of attributes it lacks), yet a value rewritten in place, an attribute
 * that went and a supply folder that was replaced are all seen at the next
 * poll without a uevent. Opens are counted with inotify on the fake tree. */
#include "ps_fixture.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static bk_handle_t *start_one(ps_t *ps, ULONG *tag)
{
    if (ps_start(ps) != 0 || !ps_wait_batteries(ps, 1))
        return NULL;
    bk_handle_t *h = ps_open(ps, "BAT0");
    if (h && ps_tag(h, tag) != 0)
        bk_test_fail(__FILE__, __LINE__, "no tag");
    return h;
}

/* BAT0 and an AC adapter on virtual time with a 1 s poll, started. */
static bk_handle_t *start_bat0_and_ac(ps_t *ps, ULONG *tag)
{
    ps_init(ps, 1, 1000);
    ps_energy_battery(ps, "BAT0");
    ps_mains(ps, "AC", 1);
    return start_one(ps, tag);
}

/* Events of `mask` queued on fd so far (non-blocking read to the end). */
static unsigned count_events(int fd, uint32_t mask)
{
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    unsigned n = 0;
    for (;;) {
        ssize_t got = read(fd, buf, sizeof buf);
        if (got <= 0)
            break; /* EAGAIN: nothing more queued */
        for (char *p = buf; p < buf + got;) {
            const struct inotify_event *e = (const struct inotify_event *)p;
            if (e->mask & mask)
                n++;
            p += sizeof *e + e->len;
        }
    }
    return n;
}

TEST(unchanged_poll_reads_open_files_and_opens_none)
{
    ps_t ps;
    ULONG tag;
    char dir[400];
    bk_handle_t *h = start_bat0_and_ac(&ps, &tag);
    REQUIRE(h);
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    REQUIRE(in >= 0);
    snprintf(dir, sizeof dir, "%s/BAT0", ps.root);
    REQUIRE(inotify_add_watch(in, dir, IN_OPEN | IN_ACCESS) >= 0);
    snprintf(dir, sizeof dir, "%s/AC", ps.root);
    REQUIRE(inotify_add_watch(in, dir, IN_OPEN | IN_ACCESS) >= 0);
    bk_host_advance(ps.host, 3000ull * 1000000); /* three polls */
    bk_host_settle(ps.host);
    unsigned opens = count_events(in, IN_OPEN);
    bk_host_advance(ps.host, 1000ull * 1000000);
    bk_host_settle(ps.host);
    unsigned reads = count_events(in, IN_ACCESS);
    CHECK_EQ(opens, 0);
    CHECK(reads > 0); /* the poll did read */
    close(in);
    bk_close(h);
    ps_done(&ps);
}

TEST(poll_sees_a_value_rewritten_in_place_and_an_attribute_that_went)
{
    ps_t ps;
    ULONG tag, v;
    BATTERY_STATUS st;
    ps_init(&ps, 1, 1000);
    ps_energy_battery(&ps, "BAT0");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    CHECK_STATUS(ps_info(h, tag, BatteryTemperature, 0, &v, sizeof v, NULL), 0);
    ps_set(&ps, "BAT0", "energy_now", "20000000");
    ps_unset(&ps, "BAT0", "temp");
    bk_host_advance(ps.host, 1000ull * 1000000);
    bk_host_settle(ps.host);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.Capacity, 20000);
    CHECK_STATUS(ps_info(h, tag, BatteryTemperature, 0, &v, sizeof v, NULL),
                 STATUS_INVALID_DEVICE_REQUEST);
    bk_close(h);
    ps_done(&ps);
}

TEST(poll_reads_a_replaced_supply_folder_afresh)
{
    ps_t ps;
    ULONG tag;
    BATTERY_STATUS st;
    char from[400], to[400];
    ps_init(&ps, 1, 1000);
    ps_energy_battery(&ps, "BAT0");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    /* A new BAT0 folder put in place at once (as a driver that registers
     * the supply again): same attributes, another inode, other values. */
    ps_energy_battery(&ps, "NEW0");
    ps_set(&ps, "NEW0", "energy_now", "30000000");
    snprintf(from, sizeof from, "%s/NEW0", ps.root);
    snprintf(to, sizeof to, "%s/BAT0.old", ps.root);
    char bat0[400];
    snprintf(bat0, sizeof bat0, "%s/BAT0", ps.root);
    REQUIRE(rename(bat0, to) == 0);
    REQUIRE(rename(from, bat0) == 0);
    ps_remove_supply(&ps, "BAT0.old");
    bk_host_advance(ps.host, 1000ull * 1000000);
    bk_host_settle(ps.host);
    CHECK_STATUS(ps_status(h, tag, &st), 0);
    CHECK_EQ(st.Capacity, 30000);
    bk_close(h);
    ps_done(&ps);
}

/* With uevents coming, a supply that comes or goes is announced: the poll
 * re-reads the supplies it knows and does not list the class folder. */
TEST(with_uevents_the_poll_does_not_list_the_class_folder)
{
    ps_t ps;
    ULONG tag;
    bk_handle_t *h = start_bat0_and_ac(&ps, &tag);
    REQUIRE(h);
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    REQUIRE(in >= 0);
    REQUIRE(inotify_add_watch(in, ps.root, IN_OPEN) >= 0);
    bk_host_advance(ps.host, 3000ull * 1000000); /* three polls */
    bk_host_settle(ps.host);
    CHECK_EQ(count_events(in, IN_OPEN), 0);
    ps_energy_battery(&ps, "BAT1");
    ps_uevent(&ps, "BAT1"); /* the announced one: listed, and a battery */
    CHECK(ps_wait_batteries(&ps, 2));
    CHECK(count_events(in, IN_OPEN) > 0);
    close(in);
    bk_close(h);
    ps_done(&ps);
}

/* Without uevents (the listener could not bind) every poll lists the class
 * folder, so a supply that came is found by the next poll. */
TEST(without_uevents_the_poll_finds_a_supply_that_came)
{
    ps_t ps;
    ULONG tag;
    ps_init(&ps, 1, 1000);
    snprintf(ps.sock, sizeof ps.sock, "%s/no-such-folder/uevent.sock", ps.dir);
    ps_energy_battery(&ps, "BAT0");
    bk_handle_t *h = start_one(&ps, &tag);
    REQUIRE(h);
    ps_energy_battery(&ps, "BAT1");
    bk_host_advance(ps.host, 1000ull * 1000000);
    bk_host_settle(ps.host);
    CHECK(ps_wait_batteries(&ps, 2));
    bk_close(h);
    ps_done(&ps);
}

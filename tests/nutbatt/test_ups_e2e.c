/* A UPS end to end: a real upsd with dummy-ups, battd on real time with a
 * machine whose only battery is that UPS (bus nut, through nutbatt), and
 * battctl as a process. The UPS is walked on line -> on battery -> low
 * battery -> back on line, then upsd stopped and started again; at each
 * step battctl's battery, the composite battery and the power manager
 * (its policy level and the critical action's command) are checked.
 * Every wait polls battctl against a deadline; nothing sleeps. */
#include "ups_battd.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 20000

static const char dev_low_battery[] = UPS_IDENTITY UPS_RATINGS "battery.charge: 30\n"
                                                               "battery.runtime: 240\n"
                                                               "battery.voltage: 22.9\n"
                                                               "ups.status: OB DISCHRG LB\n";
static const char dev_charging[] = UPS_IDENTITY UPS_RATINGS "battery.charge: 31\n"
                                                            "battery.runtime: 250\n"
                                                            "battery.voltage: 25.9\n"
                                                            "ups.status: OL CHRG\n";

/* battd is killed at exit too, when a REQUIRE ends the test early. */
static pid_t battd_pid;

static void kill_battd(void)
{
    if (battd_pid > 0 && kill(battd_pid, SIGKILL) == 0)
        waitpid(battd_pid, NULL, 0);
}

/* `battctl --json status` until its output has every one of `want`
 * (NULL-terminated), within the deadline; the last output in *out. */
static bool status_until(const battd_t *d, char **out, const char *const *want)
{
    int64_t end = e2e_now_ms() + DEADLINE_MS;
    for (;;) {
        free(*out);
        *out = NULL;
        battctl(d, out, (const char *const[]){"--json", "status", NULL});
        bool all = *out != NULL;
        for (int i = 0; all && want[i]; i++)
            all = strstr(*out, want[i]) != NULL;
        if (all)
            return true;
        if (e2e_now_ms() >= end)
            return false;
        poll(NULL, 0, 50); /* between two looks of a bounded wait */
    }
}
#define STATUS_UNTIL(d, out, ...) status_until((d), (out), (const char *const[]){__VA_ARGS__, NULL})

/* The tag battctl shows for the UPS (0 if none). */
static unsigned long tag_of(const char *json)
{
    const char *t = json ? strstr(json, "\"tag\":") : NULL;
    return t ? strtoul(t + 6, NULL, 10) : 0;
}

TEST(ups_walk_online_battery_low_online_and_upsd_restart_seen_by_battctl_composite_and_policy)
{
    nut_upsd_t u;
    battd_t d;
    char action[400], registry[400], text[400], *out = NULL;
    REQUIRE(nut_upsd_start(&u, ups_dev_online));
    /* The critical action (hibernate by default) leaves a file. */
    snprintf(action, sizeof action, "hibernate=touch %s/hibernated", u.dir);
    snprintf(registry, sizeof registry, "%s/registry", u.dir);
    REQUIRE(UPS_BATTD_START(&u, &d, "ups-e2e", "--registry", registry, "--no-history",
                            "--action-command", action));
    battd_pid = d.pid;
    atexit(kill_battd);

    /* On line, full: AC, normal, no action. */
    CHECK(STATUS_UNTIL(&d, &out, "\"power_state\":[\"power_on_line\"]", "\"percent\":100",
                       "\"capacity_mwh\":216000", "\"voltage_mv\":27200",
                       "\"system\":{\"ac_line_status\":1",
                       "\"composite\":{\"battery_present\":true,\"ac_on_line\":true",
                       "\"policy_level\":\"normal\""));
    unsigned long first_tag = tag_of(out);
    CHECK(first_tag != 0);
    char *info = NULL;
    CHECK_EQ(BATTCTL(&d, &info, "info", "--json"), 0);
    CHECK(info && strstr(info, "5E 1100i") && strstr(info, "Eaton"));
    free(info);

    /* On battery, 60 %: discharging at the rate the runtime implies. */
    REQUIRE(nut_upsd_set(&u, ups_dev_on_battery));
    CHECK(STATUS_UNTIL(&d, &out, "\"power_state\":[\"discharging\"]", "\"percent\":60",
                       "\"rate_mw\":-388800", "\"estimated_time_s\":1200",
                       "\"system\":{\"ac_line_status\":0",
                       "\"composite\":{\"battery_present\":true,\"ac_on_line\":false",
                       "\"discharging\":true", "\"policy_level\":\"normal\""));
    CHECK(access(strcat(strcpy(text, u.dir), "/hibernated"), F_OK) != 0);

    /* Low battery at 30 % (above every percent level): LB alone makes the
     * UPS critical, the composite critical, and the policy acts. */
    REQUIRE(nut_upsd_set(&u, dev_low_battery));
    CHECK(STATUS_UNTIL(&d, &out, "\"power_state\":[\"discharging\",\"critical\"]", "\"percent\":30",
                       "\"policy_level\":\"critical\""));
    CHECK(wait_for_file(u.dir, "hibernated", DEADLINE_MS));
    char *status_text = NULL;
    CHECK_EQ(BATTCTL(&d, &status_text, "status"), 0);
    CHECK(status_text && strstr(status_text, "System: on battery, 30 %, critical"));
    free(status_text);

    /* Back on line, charging: normal again. */
    REQUIRE(nut_upsd_set(&u, dev_charging));
    CHECK(STATUS_UNTIL(&d, &out, "\"power_state\":[\"charging\",\"power_on_line\"]",
                       "\"percent\":31", "\"ac_line_status\":1", "\"policy_level\":\"normal\""));
    CHECK_EQ(tag_of(out), first_tag); /* the same UPS all along */

    /* upsd stopped: the UPS is a removed battery; the composite has none. */
    REQUIRE(nut_upsd_stop_server(&u));
    CHECK(STATUS_UNTIL(&d, &out, "\"batteries\":[]", "\"battery_flag\":128"));
    char *gone = NULL;
    CHECK_EQ(BATTCTL(&d, &gone, "status"), 4); /* battctl: no battery */
    CHECK(gone && strstr(gone, "(no battery in this slot)"));
    free(gone);

    /* upsd back: the UPS is inserted again, under a new tag. */
    REQUIRE(nut_upsd_start_server(&u));
    CHECK(STATUS_UNTIL(&d, &out, "\"power_state\":[\"charging\",\"power_on_line\"]",
                       "\"composite\":{\"battery_present\":true,\"ac_on_line\":true"));
    CHECK(tag_of(out) != 0 && tag_of(out) != first_tag);
    if (bk_test_failed())
        fprintf(stderr, "last battctl output: %s\n", out ? out : "(none)");
    free(out);
    CHECK_EQ(battd_stop(&d), 0);
    battd_pid = 0;
    nut_upsd_done(&u);
}

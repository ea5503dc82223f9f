/* battd end to end: a daemon on virtual time (factor 0, moved only by
 * `battctl sim advance`), every battctl command against it, `watch`
 * seeing an AC unplug, an unprivileged client refused a set, a garbage
 * client dropped while another client's wait still completes, and a clean
 * SIGTERM shutdown. The test machine has an ACPI battery (cmbatt) and a
 * simbatt battery, which takes set requests. */
#include "e2e.h"
#include "big_machine.h"

#include <windows.h>
#include <batclass.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define BOUND_MS 20000

/* Runs battctl and checks its exit status and (if given) a text in its output. */
static void expect(const char *file, int line, const battd_t *d, int rc, const char *text,
                   const char *const *args)
{
    char *out = NULL;
    int got = battctl(d, &out, args);
    char cmd[256] = "";
    for (size_t i = 0, n = 0; args[i] && n < sizeof cmd; i++)
        n += (size_t)snprintf(cmd + n, sizeof cmd - n, " %s", args[i]);
    if (got != rc)
        bk_test_fail(file, line, "battctl%s: exit %d, expected %d; output:\n%s", cmd, got, rc,
                     out ? out : "");
    else if (text && (!out || !strstr(out, text)))
        bk_test_fail(file, line, "battctl%s: no '%s' in:\n%s", cmd, text, out ? out : "");
    free(out);
}
#define EXPECT(d, rc, text, ...)                                                                   \
    expect(__FILE__, __LINE__, (d), (rc), (text), (const char *const[]){__VA_ARGS__, NULL})

/* Sends a QUERY_STATUS that waits (no timeout) for the power state to
 * differ from `state`; its reply comes when that happens. */
static bool start_wait(int fd, uint32_t id, uint32_t handle, ULONG tag, ULONG state)
{
    BATTERY_WAIT_STATUS ws = {.BatteryTag = tag,
                              .Timeout = 0xFFFFFFFFu,
                              .PowerState = state,
                              .HighCapacity = 0xFFFFFFFEu};
    uint8_t msg[sizeof(bkp_ioctl_t) + sizeof ws];
    bkp_ioctl_t m = {.handle = handle,
                     .code = IOCTL_BATTERY_QUERY_STATUS,
                     .out_length = sizeof(BATTERY_STATUS),
                     .in_length = sizeof ws};
    memcpy(msg, &m, sizeof m);
    memcpy(msg + sizeof m, &ws, sizeof ws);
    return raw_send(fd, BKP_MSG_IOCTL, id, msg, sizeof msg);
}

/* Opens the ACPI battery on a fresh raw connection; its tag and state. */
static int open_acpi_battery(const battd_t *d, uint32_t *handle, ULONG *tag, ULONG *state)
{
    int fd = raw_connect(d->socket);
    if (fd < 0 || !raw_hello(fd) || !(*handle = raw_open_battery(fd, "PNP0C0A")))
        return -1;
    ULONG wait0 = 0;
    uint32_t got = 0;
    BATTERY_STATUS st;
    if (raw_ioctl(fd, 10, *handle, IOCTL_BATTERY_QUERY_TAG, &wait0, 4, tag, 4, &got, BOUND_MS))
        return -1;
    BATTERY_WAIT_STATUS now = {.BatteryTag = *tag};
    if (raw_ioctl(fd, 11, *handle, IOCTL_BATTERY_QUERY_STATUS, &now, sizeof now, &st, sizeof st,
                  &got, BOUND_MS))
        return -1;
    *state = st.PowerState;
    return fd;
}

static bool start_virtual(battd_t *d, const char *const *more)
{
    const char *args[24] = {"--virtual=0", "--machine", MACHINE_FILE};
    int n = 3;
    for (int i = 0; more && more[i]; i++)
        args[n++] = more[i];
    args[n] = NULL;
    return battd_start(d, args);
}

TEST(every_battctl_command_against_battd_on_virtual_time)
{
    battd_t d;
    /* The DC policy's sleep action runs a command that leaves a file. */
    char dir[] = "/tmp/battkit-e2e-act.XXXXXX";
    REQUIRE(mkdtemp(dir));
    e2e_track_dir(dir);
    char action[400], registry[300];
    snprintf(action, sizeof action, "sleep=touch %s/slept", dir);
    snprintf(registry, sizeof registry, "%s/registry", dir);
    const char *more[] = {"--action-command", action, "--registry", registry, NULL};
    REQUIRE(start_virtual(&d, more));

    /* usage errors: 2 */
    EXPECT(&d, 0, "Usage: battctl", "--help");
    EXPECT(&d, 2, "no command", "--json");
    EXPECT(&d, 2, "unknown command", "frobnicate");
    EXPECT(&d, 2, NULL, "info", "0", "1");
    EXPECT(&d, 2, NULL, "list", "extra");

    /* read commands, text and --json */
    EXPECT(&d, 0, "PNP0C0A", "list");
    EXPECT(&d, 0, "SIMBATT", "list");
    EXPECT(&d, 0, "\"present\":true", "--json", "list");
    EXPECT(&d, 0, "TESTACPI", "info");
    EXPECT(&d, 0, "Design capacity:  30.00 Wh", "info", "SIMBATT");
    EXPECT(&d, 0, "\"design_capacity_mwh\":50000", "info", "PNP0C0A", "--json");
    EXPECT(&d, 4, "no battery 7", "info", "7");
    EXPECT(&d, 4, "no battery matches", "status", "NOSUCH");
    EXPECT(&d, 0, "System: on AC", "status");
    EXPECT(&d, 0, " V\n", "status", "PNP0C0A");
    EXPECT(&d, 0, "\"system\":{\"ac_line_status\":1", "--json", "status");

    /* set: simbatt keeps a critical bias; cmbatt supports no set level */
    EXPECT(&d, 0, "critical bias now 0.12 Wh", "set", "critical-bias", "120", "SIMBATT");
    EXPECT(&d, 1, "ERROR_NOT_SUPPORTED", "set", "charge", "PNP0C0A");
    EXPECT(&d, 2, NULL, "set", "critical-bias", "lots", "SIMBATT");
    EXPECT(&d, 2, "unknown setting", "set", "colour", "SIMBATT");
    EXPECT(&d, 2, "name the one", "set", "discharge");

    /* policy: show, change, refuse nonsense */
    EXPECT(&d, 0, "Low battery:       10 %, action none", "policy");
    EXPECT(&d, 2, "must not be above low", "policy", "critical", "50");
    EXPECT(&d, 2, "not none, notify, sleep", "policy", "low-action", "explode");
    EXPECT(&d, 0, "Reserve battery:   7 %, action notify", "policy");
    EXPECT(&d, 2, "reserve (20 %) must not be above low (10 %)", "policy", "reserve", "20");
    EXPECT(&d, 0, "Low battery:       95 %, action sleep", "policy", "low", "95", "low-action",
           "sleep");
    EXPECT(&d, 0, "\"low_percent\":95", "policy", "--json");

    /* watch sees the AC unplug: armed before the change, which it then prints */
    child_t w;
    REQUIRE(battctl_spawn(&d, &w, (const char *const[]){"watch", "--count", "1", NULL}));
    char line[512];
    bool armed = false;
    while (!armed && child_line(&w, line, sizeof line, BOUND_MS))
        armed = strncmp(line, "watching 2 batteries", 20) == 0;
    CHECK(armed);
    EXPECT(&d, 0, "sim ac off: done", "sim", "ac", "off");
    EXPECT(&d, 0, "virtual time now", "sim", "advance", "1s");
    bool saw = child_line(&w, line, sizeof line, BOUND_MS);
    CHECK(saw);
    if (saw)
        CHECK(strstr(line, "on AC -> ") && strstr(line, "on battery"));
    CHECK_EQ(child_wait(&w, BOUND_MS), 0);

    /* on battery below the 95 % low level: the policy ran the sleep command */
    CHECK(wait_for_file(dir, "slept", BOUND_MS));
    EXPECT(&d, 0, "level low", "policy");
    EXPECT(&d, 0, "System: on battery", "status");
    EXPECT(&d, 0, "\"battery_life_time_s\":", "--json", "status");
    EXPECT(&d, 0, "Composite: ", "status");
    EXPECT(&d, 0, "\"composite\":{\"battery_present\":true,\"ac_on_line\":false", "--json",
           "status");

    /* the rest of sim */
    EXPECT(&d, 0, "done", "sim", "load", "15");
    EXPECT(&d, 2, NULL, "sim", "load", "-1");
    EXPECT(&d, 0, "done", "sim", "charge", "BAT1", "50");
    EXPECT(&d, 0, "done", "sim", "temperature", "BAT1", "31.5");
    EXPECT(&d, 0, "done", "sim", "fault", "BAT0", "sensor");
    EXPECT(&d, 0, "done", "sim", "fault", "BAT0", "sensor", "off");
    EXPECT(&d, 2, "unknown KIND", "sim", "fault", "BAT0", "gremlins");
    EXPECT(&d, 4, "no device 'BAT9'", "sim", "remove", "BAT9");
    EXPECT(&d, 0, "done", "sim", "remove", "BAT1");
    EXPECT(&d, 4, "no battery in this slot", "status", "SIMBATT");
    EXPECT(&d, 0, "done", "sim", "insert", "BAT1");
    EXPECT(&d, 0, "Charge:", "status", "SIMBATT");
    EXPECT(&d, 2, NULL, "sim", "advance", "soon");
    EXPECT(&d, 0, "virtual time now 0:10:01", "sim", "advance", "10m");
    EXPECT(&d, 0, "done", "sim", "ac", "on");
    EXPECT(&d, 2, NULL, "sim");

    CHECK_EQ(battd_stop(&d), 0);
    CHECK(battd_log_contains(&d, "stopped clean"));
    /* the power manager keeps the policy in the registry: a new battd has it */
    battd_t again;
    REQUIRE(start_virtual(&again, (const char *const[]){"--registry", registry, NULL}));
    EXPECT(&again, 0, "Low battery:       95 %, action sleep", "policy");
    CHECK_EQ(battd_stop(&again), 0);
}

/* Issue 15: fixed limits broke larger machines (battctl held a handle per
 * battery and failed at --max-handles 64, listed at most 100; cmbatt
 * notified at most 16 of an AC change). Battery i holds 10000 + i mWh, so
 * the composite's full capacity is 5124750 mWh only if all 500 count
 * (big_machine.c). */
static size_t count_of(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; p && (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

TEST(machine_with_500_batteries_works_end_to_end)
{
    char dir[] = "/tmp/battkit-e2e-big.XXXXXX";
    REQUIRE(mkdtemp(dir));
    e2e_track_dir(dir);
    const char *machine = write_big_machine(dir);
    REQUIRE(machine);
    char registry[300];
    snprintf(registry, sizeof registry, "%s/registry", dir);
    battd_t d; /* the default --max-handles */
    REQUIRE(battd_start(&d, (const char *const[]){"--virtual=0", "--machine", machine, "--registry",
                                                  registry, NULL}));
    char *out = NULL;
    CHECK_EQ(BATTCTL(&d, &out, "status"), 0);
    CHECK_EQ(count_of(out, "\nBattery "), BIG_BATTERIES - 1); /* the first starts the text */
    CHECK(out && strncmp(out, "Battery 0:", 10) == 0);
    CHECK(out && strstr(out, "Battery 499: "));
    CHECK(out && strstr(out, "System: on AC"));
    free(out);
    out = NULL;
    CHECK_EQ(BATTCTL(&d, &out, "--json", "list"), 0);
    CHECK_EQ(count_of(out, "\"present\":true"), BIG_BATTERIES);
    free(out);
    out = NULL;
    CHECK_EQ(BATTCTL(&d, &out, "info", "BIG377"), 0);
    CHECK(out && strstr(out, "Design capacity:  10.38 Wh"));
    free(out);
    /* the system power status counts every battery */
    out = NULL;
    CHECK_EQ(BATTCTL(&d, &out, "--json", "status"), 0);
    CHECK(out && strstr(out, "\"composite\":{\"battery_present\":true,\"ac_on_line\":true"));
    CHECK(out && strstr(out, "\"max_capacity_mwh\":5124750,"));
    free(out);
    /* an AC change reaches every battery */
    EXPECT(&d, 0, "sim ac off: done", "sim", "ac", "off");
    EXPECT(&d, 0, "virtual time now", "sim", "advance", "1s");
    out = NULL;
    CHECK_EQ(BATTCTL(&d, &out, "status"), 0);
    CHECK_EQ(count_of(out, "State:      discharging, on battery\n"), BIG_BATTERIES);
    CHECK(out && strstr(out, "System: on battery"));
    free(out);
    CHECK_EQ(battd_stop(&d), 0);
    CHECK(battd_log_contains(&d, "stopped clean"));
}

TEST(unreachable_daemon_is_exit_5)
{
    battd_t d = {0};
    snprintf(d.socket, sizeof d.socket, "/nonexistent/battkit/battd.sock");
    EXPECT(&d, 5, "cannot reach battd", "list");
    EXPECT(&d, 5, NULL, "sim", "ac", "off");
}

TEST(unprivileged_client_is_refused_a_set_and_the_refusal_logged)
{
    battd_t d;
    /* --admin-uid replaces the privileged set: this test's uid is not in it. */
    REQUIRE(start_virtual(&d, (const char *const[]){"--admin-uid", "4242", NULL}));
    EXPECT(&d, 0, "SIMBATT", "list"); /* reading is open to the socket's group */
    EXPECT(&d, 0, "Charge:", "status");
    EXPECT(&d, 3, "access denied", "set", "critical-bias", "100", "SIMBATT");
    EXPECT(&d, 3, "ERROR_ACCESS_DENIED", "sim", "ac", "off");
    EXPECT(&d, 3, NULL, "sim", "advance", "1s");
    EXPECT(&d, 3, NULL, "policy", "low", "20");
    CHECK_EQ(battd_stop(&d), 0);
    CHECK(battd_log_contains(&d, "refused IOCTL 0x00298048"));
    CHECK(battd_log_contains(&d, "STATUS_ACCESS_DENIED"));
    CHECK(battd_log_contains(&d, "refused SIM"));
}

TEST(garbage_client_is_dropped_while_another_clients_wait_completes)
{
    battd_t d;
    REQUIRE(start_virtual(&d, NULL));
    /* Client A: a QUERY_STATUS that waits for the power state to change. */
    uint32_t h;
    ULONG tag, state;
    int a = open_acpi_battery(&d, &h, &tag, &state);
    REQUIRE(a >= 0);
    REQUIRE(start_wait(a, 13, h, tag, state));
    bkp_header_t rh;
    uint8_t reply[64];
    CHECK_EQ(raw_recv(a, &rh, reply, sizeof reply, 300), 0); /* still waiting */

    /* Client B: an oversized frame. Client C: garbage before HELLO. */
    int b = raw_connect(d.socket);
    REQUIRE(b >= 0);
    REQUIRE(raw_hello(b));
    bkp_header_t huge = {.length = 0x7FFFFFFF, .type = BKP_MSG_IOCTL, .request_id = 5};
    CHECK(send(b, &huge, sizeof huge, MSG_NOSIGNAL) == sizeof huge);
    CHECK_EQ(raw_recv(b, &rh, reply, sizeof reply, BOUND_MS), -1); /* hung up on */
    int c = raw_connect(d.socket);
    REQUIRE(c >= 0);
    CHECK(send(c, "GET / HTTP/1.1\r\n\r\n", 18, MSG_NOSIGNAL) == 18);
    CHECK_EQ(raw_recv(c, &rh, reply, sizeof reply, BOUND_MS), -1);
    int e = raw_connect(d.socket); /* well formed, but before HELLO */
    REQUIRE(e >= 0);
    CHECK(raw_send(e, BKP_MSG_POWER_STATUS, 1, NULL, 0));
    CHECK_EQ(raw_recv(e, &rh, reply, sizeof reply, BOUND_MS), -1);
    close(b);
    close(c);
    close(e);

    /* A's wait is intact and completes on the AC unplug. */
    EXPECT(&d, 0, NULL, "sim", "ac", "off");
    EXPECT(&d, 0, NULL, "sim", "advance", "1s");
    CHECK_EQ(raw_recv(a, &rh, reply, sizeof reply, BOUND_MS), 1);
    CHECK_EQ(rh.request_id, 13);
    CHECK_EQ(rh.type, BKP_MSG_IOCTL | BKP_REPLY);
    bkp_ioctl_reply_t r;
    memcpy(&r, reply, sizeof r);
    CHECK_EQ(r.status, 0);
    CHECK_EQ(r.returned, sizeof(BATTERY_STATUS));
    BATTERY_STATUS after;
    memcpy(&after, reply + sizeof r, sizeof after);
    CHECK(after.PowerState & BATTERY_DISCHARGING);
    CHECK(!(after.PowerState & BATTERY_POWER_ON_LINE));
    close(a);
    CHECK_EQ(battd_stop(&d), 0);
    CHECK(battd_log_contains(&d, "dropped: oversized frame"));
    CHECK(battd_log_contains(&d, "dropped: first message is not HELLO"));
}

TEST(sigterm_cancels_pending_waits_and_stops_clean)
{
    battd_t d;
    REQUIRE(start_virtual(&d, NULL));
    uint32_t h;
    ULONG tag, state;
    int a = open_acpi_battery(&d, &h, &tag, &state);
    REQUIRE(a >= 0);
    REQUIRE(start_wait(a, 20, h, tag, state));
    bkp_header_t rh;
    uint8_t reply[64];
    CHECK_EQ(raw_recv(a, &rh, reply, sizeof reply, 300), 0); /* pending */
    CHECK_EQ(battd_stop(&d), 0);
    /* The pending wait was answered (cancelled) before the hang-up. */
    CHECK_EQ(raw_recv(a, &rh, reply, sizeof reply, BOUND_MS), 1);
    CHECK_EQ(rh.request_id, 20);
    bkp_ioctl_reply_t r;
    memcpy(&r, reply, sizeof r);
    CHECK_STATUS(r.status, 0xC0000120); /* STATUS_CANCELLED */
    CHECK_EQ(raw_recv(a, &rh, reply, sizeof reply, BOUND_MS), -1);
    close(a);
    CHECK(battd_log_contains(&d, "stopped clean"));
}

TEST(per_client_limits_answer_insufficient_resources_and_reused_ids_drop)
{
    battd_t d;
    REQUIRE(
        start_virtual(&d, (const char *const[]){"--max-handles", "2", "--max-pending", "1", NULL}));
    uint32_t h;
    ULONG tag, state;
    int a = open_acpi_battery(&d, &h, &tag, &state); /* handle 1 of 2 */
    REQUIRE(a >= 0);
    CHECK(raw_open_battery(a, "SIMBATT") != 0);  /* 2 of 2 */
    CHECK_EQ(raw_open_battery(a, "PNP0C0A"), 0); /* refused */
    REQUIRE(start_wait(a, 30, h, tag, state));   /* pending 1 of 1 */
    REQUIRE(start_wait(a, 31, h, tag, state));
    bkp_header_t rh;
    uint8_t reply[64];
    CHECK_EQ(raw_recv(a, &rh, reply, sizeof reply, BOUND_MS), 1);
    CHECK_EQ(rh.request_id, 31);
    int32_t status;
    memcpy(&status, reply, 4);
    CHECK_STATUS(status, 0xC000009A); /* STATUS_INSUFFICIENT_RESOURCES */
    /* Reusing the id of a request in flight is a protocol error. */
    REQUIRE(start_wait(a, 30, h, tag, state));
    int r;
    do /* the cancelled wait's reply may come first */
        r = raw_recv(a, &rh, reply, sizeof reply, BOUND_MS);
    while (r == 1);
    CHECK_EQ(r, -1);
    close(a);
    CHECK_EQ(battd_stop(&d), 0);
    CHECK(battd_log_contains(&d, "request id reused while in flight"));
}

TEST(wrong_sizes_and_unknown_types_drop_only_that_client)
{
    battd_t d;
    REQUIRE(start_virtual(&d, NULL));
    static const struct {
        uint16_t type;
        uint32_t len;
        const char *why;
    } bad[] = {
        {0x77, 0, "unknown message type 0x0077"},
        {BKP_MSG_CLOSE, 9, "CLOSE with a 9-byte payload"},
        {BKP_MSG_IOCTL | BKP_REPLY, 0, "unknown message type 0x8006"},
    };
    uint8_t zeros[16] = {0};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int fd = raw_connect(d.socket);
        REQUIRE(fd >= 0);
        REQUIRE(raw_hello(fd));
        CHECK(raw_send(fd, bad[i].type, 7, zeros, bad[i].len));
        bkp_header_t rh;
        CHECK_EQ(raw_recv(fd, &rh, NULL, 0, BOUND_MS), -1);
        close(fd);
    }
    EXPECT(&d, 0, "Charge:", "status"); /* everyone else is served */
    CHECK_EQ(battd_stop(&d), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(battd_log_contains(&d, bad[i].why));
}

TEST(many_waiting_clients_all_complete_on_real_time)
{
    /* Real time: completions arrive from driver threads while the loop
     * serves, through the queue's wake-up (a lost wake-up once stranded
     * most of them). */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    battd_t d;
    /* Quiet logs: the host's debug lines would slow the completions down
     * and hide the race this pins. */
    REQUIRE(battd_start(&d, (const char *const[]){"--log-level", "warn", NULL}));
    enum { N = 1000 };
    static int fd[N];
    int armed = 0;
    ULONG state = 0;
    for (int i = 0; i < N; i++) {
        uint32_t h;
        ULONG tag;
        fd[i] = open_acpi_battery(&d, &h, &tag, &state);
        if (fd[i] < 0 || !start_wait(fd[i], 40, h, tag, state))
            break;
        armed++;
    }
    CHECK_EQ(armed, N);
    /* Every wait is in once a later request on the same socket is answered. */
    for (int i = 0; i < armed; i++) {
        bkp_header_t rh;
        uint8_t tmp[64];
        CHECK(raw_send(fd[i], BKP_MSG_POLICY_GET, 41, NULL, 0));
        CHECK_EQ(raw_recv(fd[i], &rh, tmp, sizeof tmp, BOUND_MS), 1);
        CHECK_EQ(rh.request_id, 41);
    }
    /* The change comes from a connection that then stays quiet: nothing
     * but the completions themselves may wake the loop. */
    int ctl = raw_connect(d.socket);
    REQUIRE(ctl >= 0);
    REQUIRE(raw_hello(ctl));
    bkp_sim_t sim = {.op = BKP_SIM_AC, .value = (state & BATTERY_POWER_ON_LINE) ? 0 : 1};
    bkp_header_t sh;
    int32_t sim_status = -1;
    CHECK(raw_send(ctl, BKP_MSG_SIM, 1, &sim, sizeof sim));
    int completed = 0;
    for (int i = 0; i < armed; i++) {
        bkp_header_t rh;
        uint8_t reply[64];
        if (raw_recv(fd[i], &rh, reply, sizeof reply, completed == i ? 5000 : 0) == 1 &&
            rh.request_id == 40)
            completed++;
        close(fd[i]);
    }
    CHECK_EQ(completed, armed);
    CHECK_EQ(raw_recv(ctl, &sh, &sim_status, sizeof sim_status, BOUND_MS), 1);
    CHECK_EQ(sim_status, 0);
    close(ctl);
    CHECK_EQ(battd_stop(&d), 0);
}

TEST(virtual_clock_thread_moves_time_factor_times_faster)
{
    /* An hour per second: on battery the charge drops 1 % of 57 Wh in
     * about a virtual minute at 8 W, i.e. a few hundredths of a second. */
    battd_t d;
    REQUIRE(battd_start(&d, (const char *const[]){"--virtual=3600", NULL}));
    EXPECT(&d, 0, NULL, "sim", "ac", "off");
    child_t w;
    REQUIRE(battctl_spawn(&d, &w, (const char *const[]){"watch", "--count", "2", NULL}));
    char line[512];
    int changes = 0;
    while (child_line(&w, line, sizeof line, BOUND_MS))
        if (strstr(line, "battery 0:") && strstr(line, "discharging"))
            changes++;
    CHECK(changes >= 3); /* the initial line and two changes */
    CHECK_EQ(child_wait(&w, BOUND_MS), 0);
    /* ADVANCE still works on top of the clock thread. */
    EXPECT(&d, 0, "virtual time now", "sim", "advance", "1h");
    CHECK_EQ(battd_stop(&d), 0);
}

TEST(socket_is_group_owned_0660_and_a_bad_group_is_refused)
{
    battd_t d;
    REQUIRE(battd_start(&d, (const char *const[]){"--group", "root", NULL}));
    struct stat st;
    REQUIRE(stat(d.socket, &st) == 0);
    CHECK_EQ(st.st_mode & 0777, 0660);
    CHECK_EQ(st.st_gid, 0);
    CHECK_EQ(battd_stop(&d), 0);
    CHECK(access(d.socket, F_OK) != 0); /* removed on the way out */
    /* A second battd on a socket that answers is refused; a bad group too. */
    battd_t first;
    REQUIRE(battd_start(&first, NULL));
    battd_t second;
    memset(&second, 0, sizeof second);
    CHECK(!battd_start(&second, (const char *const[]){"--socket", first.socket, NULL}));
    CHECK(battd_log_contains(&second, "another battd is already serving"));
    CHECK_EQ(battd_stop(&first), 0);
    battd_t bad;
    CHECK(!battd_start(&bad, (const char *const[]){"--group", "no-such-group-xyz", NULL}));
    CHECK(battd_log_contains(&bad, "--group no-such-group-xyz: no such group"));
}

TEST(service_mode_detaches_once_serving_and_writes_its_pidfile)
{
    char dir[] = "/tmp/battkit-e2e-svc.XXXXXX";
    REQUIRE(mkdtemp(dir));
    e2e_track_dir(dir);
    char sock[300], pidfile[300], log[300];
    snprintf(sock, sizeof sock, "%s/battd.sock", dir);
    snprintf(pidfile, sizeof pidfile, "%s/battd.pid", dir);
    snprintf(log, sizeof log, "%s/battd.log", dir);
    battd_t d = {0};
    snprintf(d.socket, sizeof d.socket, "%s", sock);
    /* No -f: the command returns once battd serves (exit 0). */
    int rc = run_detached((const char *const[]){BATTD_PATH, "--socket", sock, "--pidfile", pidfile,
                                                "--log-file", log, "--virtual=0", NULL});
    CHECK_EQ(rc, 0);
    EXPECT(&d, 0, "Charge:", "status");
    FILE *f = fopen(pidfile, "r");
    REQUIRE(f);
    int pid = 0;
    CHECK(fscanf(f, "%d", &pid) == 1);
    fclose(f);
    REQUIRE(pid > 0);
    CHECK_EQ(stop_foreign(pid, BOUND_MS), 0);
    CHECK(access(pidfile, F_OK) != 0);
    CHECK(access(sock, F_OK) != 0);
    /* Its log went to --log-file once it detached. */
    d.pid = 0;
    snprintf(d.log, sizeof d.log, "%s", log);
    CHECK(battd_log_contains(&d, "stopped clean"));
}

static bool file_is(const char *path, const char *want)
{
    char got[64] = "";
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(got, 1, sizeof got - 1, f);
    fclose(f);
    got[n] = 0;
    return strcmp(got, want) == 0;
}

TEST(pidfile_and_log_file_symlinks_planted_by_others_are_not_followed)
{
    char dir[] = "/tmp/battkit-e2e-link.XXXXXX";
    REQUIRE(mkdtemp(dir));
    e2e_track_dir(dir);
    char sock[300], pidfile[300], log[300], victim[300], tmp[300];
    snprintf(sock, sizeof sock, "%s/battd.sock", dir);
    snprintf(pidfile, sizeof pidfile, "%s/battd.pid", dir);
    snprintf(log, sizeof log, "%s/battd.log", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(tmp, sizeof tmp, "%s/battd.pid.tmp", dir);
    FILE *f = fopen(victim, "w");
    REQUIRE(f);
    fputs("precious\n", f);
    fclose(f);
    /* The names another user could plant: the pidfile, its old temp name. */
    REQUIRE(symlink(victim, pidfile) == 0);
    REQUIRE(symlink(victim, tmp) == 0);
    battd_t d = {0};
    snprintf(d.socket, sizeof d.socket, "%s", sock);
    int rc = run_detached((const char *const[]){BATTD_PATH, "--socket", sock, "--pidfile", pidfile,
                                                "--log-file", log, "--virtual=0", NULL});
    CHECK_EQ(rc, 0);
    CHECK(file_is(victim, "precious\n"));
    struct stat st;
    REQUIRE(lstat(pidfile, &st) == 0);
    CHECK(S_ISREG(st.st_mode)); /* the link was replaced, not written through */
    f = fopen(pidfile, "r");
    REQUIRE(f);
    int pid = 0;
    CHECK(fscanf(f, "%d", &pid) == 1);
    fclose(f);
    REQUIRE(pid > 0);
    CHECK_EQ(stop_foreign(pid, BOUND_MS), 0);
    CHECK(file_is(victim, "precious\n"));

    /* A symlinked log file: battd refuses to start, saying why. */
    unlink(log);
    REQUIRE(symlink(victim, log) == 0);
    char errpath[300];
    snprintf(errpath, sizeof errpath, "%s/stderr", dir);
    int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(err >= 0);
    rc = run_detached_stderr(
        (const char *const[]){BATTD_PATH, "--socket", sock, "--log-file", log, "--virtual=0", NULL},
        err);
    close(err);
    CHECK_EQ(rc, 1);
    CHECK(file_is(victim, "precious\n"));
    d.pid = 0;
    snprintf(d.log, sizeof d.log, "%s", errpath);
    CHECK(battd_log_contains(&d, "log file"));
    CHECK(access(sock, F_OK) != 0);
}

TEST(bad_options_are_usage_errors)
{
    static const char *const cases[][3] = {
        {"--virtual=fast", NULL, NULL},        {"--max-clients", "0", NULL},
        {"--log-level", "loud", NULL},         {"--admin-uid", "no-such-user-xyz", NULL},
        {"--action-command", "dance=x", NULL}, {"--bogus", NULL, NULL},
        {"extra-argument", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[6] = {BATTD_PATH, "-f", cases[i][0], cases[i][1], cases[i][2], NULL};
        CHECK_EQ(run_detached(argv), 2);
    }
    CHECK_EQ(run_detached((const char *const[]){BATTD_PATH, "--help", NULL}), 0);
}

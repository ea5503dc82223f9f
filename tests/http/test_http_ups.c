/* The dashboard on a UPS (issue 13 on nutbatt's batteries): a real upsd
 * with dummy-ups (tests/nutbatt/nut_upsd.c), battd on real time with a
 * machine whose only battery is that UPS, and --http on a free port. Its
 * /api/batteries must show the UPS as upsd describes it; going on battery
 * in upsd must arrive on /events. Reads are bounded by poll deadlines. */
#include "ups_battd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_MS 20000

/* A GET on loopback; the connection's fd (the answer still to read). */
static int get(unsigned port, const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char req[200];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Appends what arrives to buf until every one of want (NULL-ended) is in
 * the text after `from`, the end, or the deadline; true if all are. */
static bool read_until(int fd, char *buf, size_t cap, size_t *len, size_t from,
                       const char *const *want)
{
    int64_t end = e2e_now_ms() + DEADLINE_MS;
    for (;;) {
        buf[*len] = 0;
        bool all = true;
        for (int i = 0; all && want[i]; i++)
            all = strstr(buf + from, want[i]) != NULL;
        if (all)
            return true;
        int left = (int)(end - e2e_now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || *len + 1 >= cap || poll(&p, 1, left) != 1)
            return false;
        ssize_t n = read(fd, buf + *len, cap - 1 - *len);
        if (n <= 0)
            return false;
        *len += (size_t)n;
    }
}
#define READ_UNTIL(fd, buf, len, from, ...)                                                        \
    read_until((fd), (buf), sizeof(buf), (len), (from), (const char *const[]){__VA_ARGS__, NULL})

TEST(dashboard_shows_a_nut_ups_and_its_switch_to_battery)
{
    nut_upsd_t u;
    battd_t d;
    char port_file[400];
    REQUIRE(nut_upsd_start(&u, ups_dev_online));
    snprintf(port_file, sizeof port_file, "%s/http.port", u.dir);
    REQUIRE(UPS_BATTD_START(&u, &d, "ups-dashboard", "--no-history", "--http", "127.0.0.1:0",
                            "--http-port-file", port_file));
    unsigned port = 0;
    CHECK(wait_for_file(u.dir, "http.port", DEADLINE_MS));
    FILE *f = fopen(port_file, "r");
    CHECK(f && fscanf(f, "%u", &port) == 1 && port > 0);
    if (f)
        fclose(f);

    /* The UPS as upsd describes it, once nutbatt has read it. */
    static char buf[1 << 16];
    size_t len = 0;
    bool shown = false;
    for (int64_t end = e2e_now_ms() + DEADLINE_MS; !shown && e2e_now_ms() < end;) {
        int fd = get(port, "/api/batteries");
        len = 0;
        shown = fd >= 0 &&
                READ_UNTIL(fd, buf, &len, 0, "\"name\":\"5E 1100i\"", "\"manufacturer\":\"Eaton\"",
                           "\"serial\":\"G123\"", "\"percent\":100", "\"present\":true",
                           "\"capacity_mwh\":216000", "\"power_state\":[\"power_on_line\"]");
        if (fd >= 0)
            close(fd);
        if (!shown)
            poll(NULL, 0, 50); /* between two looks of a bounded wait */
    }
    CHECK(shown);
    if (!shown)
        fprintf(stderr, "last /api/batteries: %s\n", buf);

    /* On battery in upsd: the stream says so, without asking again. */
    int ev = get(port, "/events");
    CHECK(ev >= 0);
    len = 0;
    CHECK(READ_UNTIL(ev, buf, &len, 0, "event: state", "\"ac\":\"online\""));
    size_t mark = len;
    REQUIRE(nut_upsd_set(&u, ups_dev_on_battery));
    bool arrived = READ_UNTIL(ev, buf, &len, mark, "\"ac\":\"offline\"", "\"on_battery\":true",
                              "\"percent\":60", "\"power_state\":[\"discharging\"]");
    CHECK(arrived);
    if (!arrived)
        fprintf(stderr, "/events after the switch: %s\n", buf + mark);
    close(ev);
    CHECK_EQ(battd_stop(&d), 0);
    nut_upsd_done(&u);
}

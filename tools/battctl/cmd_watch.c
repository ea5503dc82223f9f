/* battctl watch: prints each change as it happens, driven by the battery
 * wait IOCTLs, never by polling. Each battery holds an overlapped
 * QUERY_STATUS whose PowerState is the present one and whose thresholds
 * are 1 % of the full capacity either side of the present charge (the
 * request completes when either moves); an empty slot holds a QUERY_TAG
 * waiting for a battery; interface arrival/removal comes from
 * BattkitWatchInterfaces. --count N exits after N changes. */
#include "battctl.h"

#include <devguid.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_WATCHED 32

typedef struct slot {
    battery_t b; /* b.h: synchronous handle for the reads */
    HANDLE wh;   /* overlapped handle for the waits */
    HANDLE ev;
    OVERLAPPED ov;
    bool armed, tag_wait;
    BATTERY_WAIT_STATUS in;
    ULONG tag_in;
    union {
        BATTERY_STATUS status;
        ULONG tag;
    } out;
} slot_t;

static slot_t slots[MAX_WATCHED];
static size_t nslots;
static unsigned long events, max_events;

static void line_status(const slot_t *s, const char *event, const BATTERY_STATUS *before)
{
    const battery_t *b = &s->b;
    const BATTERY_STATUS *st = &b->status;
    int pct = battery_percent(b, st->Capacity);
    if (opt.json) {
        printf("{\"event\":\"%s\",\"index\":%d,\"path\":", event, b->index);
        json_string(stdout, b->path);
        printf(",\"power_state\":");
        json_power_state(stdout, st->PowerState);
        if (before) {
            printf(",\"previous_power_state\":");
            json_power_state(stdout, before->PowerState);
        }
        printf(",\"capacity_mwh\":%ld,\"percent\":%d,\"rate_mw\":",
               st->Capacity == BATTERY_UNKNOWN_CAPACITY ? -1L : (long)st->Capacity, pct);
        if ((ULONG)st->Rate == BATTERY_UNKNOWN_RATE)
            printf("null}\n");
        else
            printf("%ld}\n", (long)st->Rate);
    } else {
        char now[96], was[96], cap[32], rate[40];
        fmt_power_state(now, sizeof now, st->PowerState);
        fmt_energy(cap, sizeof cap, st->Capacity, false);
        fmt_power(rate, sizeof rate, st->Rate, false);
        printf("battery %d: ", b->index);
        if (before && before->PowerState != st->PowerState) {
            fmt_power_state(was, sizeof was, before->PowerState);
            printf("%s -> %s", was, now);
        } else {
            printf("%s", now);
        }
        if (pct >= 0)
            printf(", %d %% (%s), %s\n", pct, cap, rate);
        else
            printf(", %s, %s\n", cap, rate);
    }
    fflush(stdout);
}

static void line_simple(const slot_t *s, const char *event, const char *text)
{
    if (opt.json) {
        printf("{\"event\":\"%s\",\"index\":%d,\"path\":", event, s->b.index);
        json_string(stdout, s->b.path);
        printf("}\n");
    } else {
        printf("battery %d: %s\n", s->b.index, text);
    }
    fflush(stdout);
}

static bool count_event(void)
{
    return max_events && ++events >= max_events;
}

/* Reads tag, information and status; false if the slot is empty. */
static bool refresh(slot_t *s)
{
    if (!battery_query_tag(&s->b))
        return false;
    battery_read_info(&s->b);
    return battery_read_status(&s->b);
}

static int arm(slot_t *s)
{
    memset(&s->ov, 0, sizeof s->ov);
    s->ov.hEvent = s->ev;
    DWORD got;
    BOOL ok;
    if (s->b.tag && s->b.have_status) {
        const BATTERY_STATUS *st = &s->b.status;
        ULONG full = s->b.have_info ? s->b.info.FullChargedCapacity : BATTERY_UNKNOWN_CAPACITY;
        ULONG step = full != BATTERY_UNKNOWN_CAPACITY && full >= 100 ? full / 100 : 1;
        s->in = (BATTERY_WAIT_STATUS){.BatteryTag = s->b.tag,
                                      .Timeout = 0xFFFFFFFFu, /* docs: -1 waits for a change */
                                      .PowerState = st->PowerState};
        if (st->Capacity == BATTERY_UNKNOWN_CAPACITY) {
            s->in.HighCapacity = BATTERY_UNKNOWN_CAPACITY - 1;
        } else {
            s->in.LowCapacity = st->Capacity > step ? st->Capacity - step : 0;
            s->in.HighCapacity = st->Capacity + step;
        }
        s->tag_wait = false;
        ok = DeviceIoControl(s->wh, IOCTL_BATTERY_QUERY_STATUS, &s->in, sizeof s->in,
                             &s->out.status, sizeof s->out.status, &got, &s->ov);
    } else {
        s->tag_in = 0xFFFFFFFFu; /* docs: wait until a battery is inserted */
        s->tag_wait = true;
        ok = DeviceIoControl(s->wh, IOCTL_BATTERY_QUERY_TAG, &s->tag_in, sizeof s->tag_in,
                             &s->out.tag, sizeof s->out.tag, &got, &s->ov);
    }
    if (!ok && GetLastError() != ERROR_IO_PENDING)
        return report_error(s->b.path);
    s->armed = true; /* a synchronous completion has signalled the event too */
    return EXIT_OK;
}

static int add_slot(const char *path, int index)
{
    if (nslots == MAX_WATCHED) {
        fprintf(stderr, "battctl: watching at most %d batteries\n", MAX_WATCHED);
        return EXIT_OTHER;
    }
    slot_t *s = &slots[nslots];
    memset(s, 0, sizeof *s);
    s->b.index = index;
    snprintf(s->b.path, sizeof s->b.path, "%s", path);
    s->b.h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    s->wh = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_EXISTING,
                        FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OVERLAPPED, NULL);
    s->ev = CreateEventA(NULL, TRUE, FALSE, NULL);
    if (s->b.h == INVALID_HANDLE_VALUE || s->wh == INVALID_HANDLE_VALUE || !s->ev) {
        int rc = report_error(path);
        if (s->b.h != INVALID_HANDLE_VALUE)
            CloseHandle(s->b.h);
        if (s->wh != INVALID_HANDLE_VALUE)
            CloseHandle(s->wh);
        if (s->ev)
            CloseHandle(s->ev);
        return rc;
    }
    nslots++;
    refresh(s);
    return EXIT_OK;
}

static void remove_slot(size_t i)
{
    CloseHandle(slots[i].wh); /* cancels its wait */
    CloseHandle(slots[i].b.h);
    CloseHandle(slots[i].ev);
    slots[i] = slots[--nslots];
}

/* A wait finished: report what changed, then wait again. */
static int on_completion(slot_t *s)
{
    DWORD got = 0;
    s->armed = false;
    BOOL ok = GetOverlappedResult(s->wh, &s->ov, &got, FALSE);
    DWORD err = ok ? 0 : GetLastError();
    ResetEvent(s->ev);
    bool done = false;
    if (s->tag_wait) {
        if (!ok) {
            if (err != ERROR_FILE_NOT_FOUND && err != ERROR_OPERATION_ABORTED)
                return report_error(s->b.path);
        } else if (refresh(s)) {
            line_status(s, "inserted", NULL);
            done = count_event();
        }
    } else if (ok) {
        BATTERY_STATUS before = s->b.status;
        battery_read_info(&s->b);
        if (battery_read_status(&s->b) && memcmp(&before, &s->b.status, sizeof before) != 0) {
            line_status(s, "status", &before);
            done = count_event();
        }
    } else if (err == ERROR_FILE_NOT_FOUND) {
        /* docs: a tag change aborts the wait; the slot now holds another
         * battery, or none. */
        ULONG old = s->b.tag;
        if (refresh(s)) {
            line_status(s, old ? "replaced" : "inserted", NULL);
        } else {
            s->b.have_status = false;
            line_simple(s, "removed", "battery removed from its slot");
        }
        done = count_event();
    } else if (err != ERROR_OPERATION_ABORTED) {
        return report_error(s->b.path);
    }
    if (done)
        return -1;
    return arm(s);
}

static int on_interface(HANDLE watch)
{
    BATTKIT_INTERFACE_EVENT ev;
    while (BattkitReadInterfaceEvent(watch, &ev)) {
        char path[512];
        wide_to_utf8(ev.DevicePath, RTL_NUMBER_OF(ev.DevicePath), path, sizeof path);
        size_t i = 0;
        while (i < nslots && strcasecmp(slots[i].b.path, path) != 0)
            i++;
        if (ev.Arrived && i == nslots) {
            int index = 0;
            for (size_t k = 0; k < nslots; k++)
                if (slots[k].b.index >= index)
                    index = slots[k].b.index + 1;
            int rc = add_slot(path, index);
            if (rc)
                return rc;
            slot_t *s = &slots[nslots - 1];
            if (s->b.have_status)
                line_status(s, "arrived", NULL);
            else
                line_simple(s, "arrived", "battery slot arrived (empty)");
            if ((rc = arm(s)))
                return rc;
            if (count_event())
                return -1;
        } else if (!ev.Arrived && i < nslots) {
            line_simple(&slots[i], "departed", "battery device removed");
            remove_slot(i);
            if (count_event())
                return -1;
        }
    }
    return EXIT_OK;
}

int cmd_watch(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            char *end;
            max_events = strtoul(argv[++i], &end, 10);
            if (*end || !max_events || argv[i][0] == '-')
                return usage_error("--count needs a positive number");
        } else {
            return usage_error("watch takes only --count N");
        }
    }
    battery_t *list;
    size_t n;
    int rc = batteries_open(GENERIC_READ, 0, &list, &n);
    if (rc)
        return rc;
    /* Watch arrivals first, so none falls between listing and waiting. */
    HANDLE watch = BattkitWatchInterfaces(&GUID_DEVCLASS_BATTERY);
    if (!watch) {
        batteries_close(list, n);
        return report_error("watching battery arrivals");
    }
    for (size_t i = 0; i < n && !rc; i++)
        rc = add_slot(list[i].path, list[i].index);
    batteries_close(list, n);
    for (size_t i = 0; i < nslots && !rc; i++) {
        if (slots[i].b.have_status)
            line_status(&slots[i], "initial", NULL);
        else
            line_simple(&slots[i], "initial", "no battery in this slot");
        rc = arm(&slots[i]);
    }
    if (!opt.json && !rc) {
        printf("watching %zu batter%s (Ctrl-C to stop)\n", nslots, nslots == 1 ? "y" : "ies");
        fflush(stdout);
    }
    while (!rc) {
        HANDLE handles[MAX_WATCHED + 1];
        handles[0] = watch;
        for (size_t i = 0; i < nslots; i++)
            handles[i + 1] = slots[i].ev;
        DWORD r = WaitForMultipleObjects((DWORD)nslots + 1, handles, FALSE, INFINITE);
        if (r == WAIT_FAILED) {
            rc = report_error("waiting for changes");
        } else if (r == WAIT_OBJECT_0) {
            rc = on_interface(watch);
        } else if (r - WAIT_OBJECT_0 <= nslots) {
            rc = on_completion(&slots[r - WAIT_OBJECT_0 - 1]);
        }
    }
    while (nslots)
        remove_slot(nslots - 1);
    CloseHandle(watch);
    return rc < 0 ? EXIT_OK : rc;
}

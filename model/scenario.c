/* scenario.c: the executor. The host asks when the next event is due,
 * moves its clock there, and calls apply_until; each event goes to the
 * host's handler first, and what the host leaves is applied here to the
 * packs bound by name. Parsing is in scenario_parse.c. */
#include "scenario_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *bk_event_kind_name(bk_event_kind_t k)
{
    static const char *const names[] = {
        [BK_EVENT_LOAD] = "load",
        [BK_EVENT_AC] = "ac",
        [BK_EVENT_INSERT] = "insert",
        [BK_EVENT_REMOVE] = "remove",
        [BK_EVENT_FAULT] = "fault",
        [BK_EVENT_CAPACITY_DROP] = "capacity-drop",
        [BK_EVENT_AMBIENT] = "ambient",
        [BK_EVENT_SET_SOC] = "set-soc",
        [BK_EVENT_SET_TEMPERATURE] = "set-temperature",
    };
    return (unsigned)k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

size_t bk_scenario_event_count(const bk_scenario_t *sc)
{
    return sc->nev;
}

const bk_event_t *bk_scenario_event(const bk_scenario_t *sc, size_t i)
{
    return i < sc->nev ? &sc->ev[i] : NULL;
}

void bk_scenario_set_origin_ns(bk_scenario_t *sc, uint64_t origin_ns)
{
    sc->origin_ns = origin_ns;
}

uint64_t bk_scenario_next_event_time(const bk_scenario_t *sc)
{
    return sc->next < sc->nev ? sc->origin_ns + sc->ev[sc->next].at_ns : UINT64_MAX;
}

uint64_t bk_scenario_end_time(const bk_scenario_t *sc)
{
    if (sc->has_until)
        return sc->origin_ns + sc->until_ns;
    return sc->origin_ns + (sc->nev ? sc->ev[sc->nev - 1].at_ns : 0);
}

const char *bk_scenario_error(const bk_scenario_t *sc)
{
    return sc->error;
}

int bk_scenario_bind_pack(bk_scenario_t *sc, const char *battery, bk_pack_t *pack)
{
    size_t i = 0;
    while (i < sc->nbind && strcmp(sc->bind[i].name, battery) != 0)
        i++;
    if (!pack) {
        if (i < sc->nbind)
            sc->bind[i] = sc->bind[--sc->nbind];
        return 0;
    }
    if (i == sc->nbind) {
        if (sc->nbind == BK_SCENARIO_MAX_PACKS || strlen(battery) >= BK_NAME_MAX)
            return -ENOSPC;
        sc->nbind++;
    }
    snprintf(sc->bind[i].name, sizeof(sc->bind[i].name), "%s", battery);
    sc->bind[i].pack = pack;
    sc->bind[i].removed = false;
    return 0;
}

static int event_error(bk_scenario_t *sc, const bk_event_t *ev, int r, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(sc->error, sizeof(sc->error), "%s:%u: %s: ", sc->name, ev->line,
                     bk_event_kind_name(ev->kind));
    if (n >= 0 && (size_t)n < sizeof(sc->error)) {
        va_start(ap, fmt);
        vsnprintf(sc->error + n, sizeof(sc->error) - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return r;
}

static void advance_all(bk_scenario_t *sc, uint64_t t_ns)
{
    for (size_t i = 0; i < sc->nbind; i++)
        bk_pack_advance_to_ns(sc->bind[i].pack, t_ns);
}

/* The bindings an event applies to: the named one, or every binding (in
 * the system only, when attached_only). -ENOENT for an unbound name. */
static int targets(bk_scenario_t *sc, const bk_event_t *ev, bool attached_only,
                   struct bk_scenario_binding **out)
{
    int n = 0;
    for (size_t i = 0; i < sc->nbind; i++) {
        if (ev->battery[0] ? strcmp(ev->battery, sc->bind[i].name) != 0
                           : (attached_only && sc->bind[i].removed))
            continue;
        out[n++] = &sc->bind[i];
    }
    if (ev->battery[0] && n == 0)
        return event_error(sc, ev, -ENOENT, "no pack bound as \"%s\"", ev->battery);
    return n;
}

static int apply_default(bk_scenario_t *sc, const bk_event_t *ev)
{
    struct bk_scenario_binding *t[BK_SCENARIO_MAX_PACKS];
    bool attached_only = ev->kind == BK_EVENT_LOAD || ev->kind == BK_EVENT_AC;
    int n = targets(sc, ev, attached_only, t);

    for (int i = 0; i < n; i++) {
        bk_pack_t *p = t[i]->pack;
        switch (ev->kind) {
        case BK_EVENT_LOAD:
            bk_pack_set_load(p, &ev->load);
            break;
        case BK_EVENT_AC:
            bk_pack_set_ac(p, ev->on);
            break;
        case BK_EVENT_REMOVE: {
            /* On the shelf: no load, no charger; it still cools and
             * self-discharges as time goes on. */
            bk_load_t none = bk_load_none();
            t[i]->removed = true;
            bk_pack_set_load(p, &none);
            bk_pack_set_ac(p, false);
            break;
        }
        case BK_EVENT_INSERT:
            t[i]->removed = false;
            bk_pack_set_load(p, &sc->system_load);
            bk_pack_set_ac(p, sc->ac_online);
            break;
        case BK_EVENT_FAULT:
            bk_pack_set_faults(p, ev->fault, ev->on);
            break;
        case BK_EVENT_CAPACITY_DROP:
            bk_pack_drop_capacity(p, ev->value);
            break;
        case BK_EVENT_AMBIENT:
            bk_pack_set_ambient_c(p, ev->value);
            break;
        case BK_EVENT_SET_SOC:
            bk_pack_set_soc(p, ev->value);
            break;
        case BK_EVENT_SET_TEMPERATURE:
            bk_pack_set_temperature_c(p, ev->value);
            break;
        }
    }
    return n < 0 ? n : 0;
}

int bk_scenario_apply_until(bk_scenario_t *sc, uint64_t t_ns, bk_scenario_handler_fn fn, void *ctx)
{
    int applied = 0;
    sc->error[0] = '\0';
    while (sc->next < sc->nev && sc->origin_ns + sc->ev[sc->next].at_ns <= t_ns) {
        const bk_event_t *ev = &sc->ev[sc->next++];
        int r;

        advance_all(sc, sc->origin_ns + ev->at_ns);
        /* The system's own state follows the script whoever applies it. */
        if (ev->kind == BK_EVENT_AC)
            sc->ac_online = ev->on;
        if (ev->kind == BK_EVENT_LOAD && !ev->battery[0])
            sc->system_load = ev->load;
        r = fn ? fn(ctx, ev) : 0;
        if (r < 0)
            return event_error(sc, ev, r, "handler failed (%d)", r);
        if (r == 0 && (r = apply_default(sc, ev)) < 0)
            return r;
        applied++;
    }
    advance_all(sc, t_ns);
    return applied;
}

int bk_scenario_run(bk_scenario_t *sc, bk_scenario_handler_fn fn, void *ctx)
{
    uint64_t end = bk_scenario_end_time(sc);
    int total = 0;
    for (;;) {
        uint64_t t = bk_scenario_next_event_time(sc);
        if (t > end)
            t = end;
        int r = bk_scenario_apply_until(sc, t, fn, ctx);
        if (r < 0)
            return r;
        total += r;
        if (t >= end && bk_scenario_next_event_time(sc) > end)
            return total;
    }
}

/* scenario_parse.c: scenario files (docs/model.md, "Scenario files") to a
 * list of timed events. Every refusal names file:line and the reason; the
 * executor (scenario.c) never sees a malformed event. */
#include "scenario_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS   16
#define MAX_PROFILES 16
#define MAX_LINE     1024

typedef struct parser {
    bk_scenario_t *sc;
    unsigned line;
    char *err;
    size_t errlen;
    struct {
        char name[BK_NAME_MAX];
        bk_load_t load;
    } profile[MAX_PROFILES];
    size_t nprofiles;
    int open_profile;   /* index of the profile block being read, or -1 */
    unsigned open_line; /* where it started */
    uint64_t last_at;   /* events must not go back in time */
    unsigned last_at_line;
} parser_t;

static int fail(parser_t *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(parser_t *ps, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (!ps->errlen)
        return -EINVAL;
    n = snprintf(ps->err, ps->errlen, "%s:%u: ", ps->sc->name, ps->line);
    if (n >= 0 && (size_t)n < ps->errlen) {
        va_start(ap, fmt);
        vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= BK_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static int parse_time(parser_t *ps, const char *tok, uint64_t *out)
{
    if (bk_parse_duration_ns(tok, out) != 0)
        return fail(ps, "bad time \"%s\" (want e.g. 90s, 1h30m, 2.5h, 500ms, 1d)", tok);
    return 0;
}

/* A load value: "15W", "1500mA", "0", "off" or "none"; PROFILE refused here. */
static int parse_simple_load(const char *tok, bk_load_kind_t *kind, double *value)
{
    bk_unit_t unit;
    if (!strcmp(tok, "0") || !strcmp(tok, "off") || !strcmp(tok, "none")) {
        *kind = BK_LOAD_NONE;
        *value = 0.0;
        return 0;
    }
    if (bk_parse_quantity(tok, 1u << BK_UNIT_WATT | 1u << BK_UNIT_AMPERE, &unit, value) != 0 ||
        *value < 0.0)
        return -1;
    *kind = (unit == BK_UNIT_WATT) ? BK_LOAD_POWER : BK_LOAD_CURRENT;
    if (*value == 0.0)
        *kind = BK_LOAD_NONE;
    return 0;
}

static int add_event(parser_t *ps, const bk_event_t *ev)
{
    bk_scenario_t *sc = ps->sc;
    if (sc->nev == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 16;
        bk_event_t *n = realloc(sc->ev, cap * sizeof(*n));
        if (!n)
            return fail(ps, "out of memory");
        sc->ev = n;
        sc->cap = cap;
    }
    sc->ev[sc->nev++] = *ev;
    return 0;
}

static int need(parser_t *ps, int ntok, int want, const char *usage)
{
    if (ntok != want)
        return fail(ps, "%s: expected \"%s\"", ntok < want ? "too few words" : "too many words",
                    usage);
    return 0;
}

static int set_battery(parser_t *ps, bk_event_t *ev, const char *name)
{
    if (!valid_name(name))
        return fail(ps, "bad battery name \"%s\" (letters, digits, _ and -, up to %d)", name,
                    BK_NAME_MAX - 1);
    strcpy(ev->battery, name);
    return 0;
}

static const bk_load_t *find_profile(const parser_t *ps, const char *name)
{
    for (size_t k = 0; k < ps->nprofiles; k++)
        if (!strcmp(ps->profile[k].name, name))
            return &ps->profile[k].load;
    return NULL;
}

/* at TIME load [BATTERY] (15W | 1.5A | off | NAME | profile NAME): the
 * battery is told apart by position, never by guessing at its name. */
static int parse_load(parser_t *ps, char **tok, int ntok, bk_event_t *ev)
{
    const char *usage = "at TIME load [BATTERY] 15W|1.5A|off|PROFILE|profile PROFILE";
    const bk_load_t *profile;
    bk_load_kind_t kind;
    double value;
    int i = 3;

    ev->kind = BK_EVENT_LOAD;
    if (ntok < 4 || ntok > 6)
        return fail(ps, "expected \"%s\"", usage);
    if (ntok == 6 || (ntok == 5 && strcmp(tok[3], "profile") != 0)) {
        if (set_battery(ps, ev, tok[3]))
            return -EINVAL;
        i = 4;
    }
    if (!strcmp(tok[i], "profile")) {
        if (need(ps, ntok, i + 2, usage))
            return -EINVAL;
        if (!(profile = find_profile(ps, tok[i + 1])))
            return fail(ps, "no profile named \"%s\" defined above", tok[i + 1]);
        ev->load = *profile;
        return 0;
    }
    if (need(ps, ntok, i + 1, usage))
        return -EINVAL;
    if ((profile = find_profile(ps, tok[i]))) {
        ev->load = *profile;
        return 0;
    }
    if (parse_simple_load(tok[i], &kind, &value))
        return fail(ps, "bad load \"%s\" (want e.g. 15W, 1500mW, 1.5A, 800mA, off, or a profile)",
                    tok[i]);
    ev->load = bk_load_none();
    ev->load.kind = kind;
    ev->load.value = value;
    return 0;
}

/* at TIME fault BATTERY (KIND | clear [KIND] | capacity-drop N%) */
static int parse_fault(parser_t *ps, char **tok, int ntok, bk_event_t *ev)
{
    const char *usage = "at TIME fault BATTERY KIND | clear [KIND] | capacity-drop N%";
    if (ntok < 5 || ntok > 6)
        return fail(ps, "expected \"%s\"", usage);
    if (set_battery(ps, ev, tok[3]))
        return -EINVAL;
    ev->kind = BK_EVENT_FAULT;
    if (!strcmp(tok[4], "capacity-drop")) {
        bk_unit_t unit;
        ev->kind = BK_EVENT_CAPACITY_DROP;
        if (ntok != 6 || bk_parse_quantity(tok[5], 1u << BK_UNIT_PERCENT, &unit, &ev->value) ||
            ev->value <= 0.0 || ev->value >= 100.0)
            return fail(ps, "capacity-drop wants a percentage above 0 and below 100, e.g. 20%%");
        return 0;
    }
    if (!strcmp(tok[4], "clear")) {
        ev->on = false;
        ev->fault = ~0u;
        if (ntok == 5)
            return 0;
        ev->fault = bk_fault_from_name(tok[5]);
    } else {
        if (need(ps, ntok, 5, usage))
            return -EINVAL;
        ev->on = true;
        ev->fault = bk_fault_from_name(tok[4]);
    }
    if (ev->fault == 0)
        return fail(ps, "unknown fault \"%s\" (stuck, sensor, no-answer, critical, wrong-tag)",
                    tok[ntok - 1]);
    return 0;
}

/* at TIME set BATTERY (soc N% | temperature T) */
static int parse_set(parser_t *ps, char **tok, int ntok, bk_event_t *ev)
{
    bk_unit_t unit;
    if (need(ps, ntok, 6, "at TIME set BATTERY soc N% | temperature 25C") ||
        set_battery(ps, ev, tok[3]))
        return -EINVAL;
    if (!strcmp(tok[4], "soc")) {
        ev->kind = BK_EVENT_SET_SOC;
        if (bk_parse_quantity(tok[5], 1u << BK_UNIT_PERCENT, &unit, &ev->value) ||
            ev->value < 0.0 || ev->value > 100.0)
            return fail(ps, "soc wants a percentage 0..100, e.g. 80%%");
        ev->value /= 100.0;
        return 0;
    }
    if (!strcmp(tok[4], "temperature")) {
        ev->kind = BK_EVENT_SET_TEMPERATURE;
        if (bk_parse_quantity(tok[5], 1u << BK_UNIT_CELSIUS, &unit, &ev->value) ||
            ev->value < -60.0 || ev->value > 100.0)
            return fail(ps, "temperature wants -60C..100C (or kelvin, e.g. 298.15K)");
        return 0;
    }
    return fail(ps, "cannot set \"%s\" (soc or temperature)", tok[4]);
}

/* at TIME (remove|insert) [battery] NAME */
static int parse_presence(parser_t *ps, char **tok, int ntok, bk_event_t *ev)
{
    int i = (ntok > 3 && !strcmp(tok[3], "battery")) ? 4 : 3;
    ev->kind = !strcmp(tok[2], "remove") ? BK_EVENT_REMOVE : BK_EVENT_INSERT;
    if (need(ps, ntok, i + 1, "at TIME remove|insert battery NAME"))
        return -EINVAL;
    return set_battery(ps, ev, tok[i]);
}

static int parse_ac(parser_t *ps, char **tok, int ntok, bk_event_t *ev)
{
    if (need(ps, ntok, 4, "at TIME ac on|off"))
        return -EINVAL;
    ev->kind = BK_EVENT_AC;
    if (strcmp(tok[3], "on") && strcmp(tok[3], "off"))
        return fail(ps, "ac wants on or off, not \"%s\"", tok[3]);
    ev->on = !strcmp(tok[3], "on");
    return 0;
}

static int parse_ambient(parser_t *ps, char **tok, int ntok, bk_event_t *ev)
{
    bk_unit_t unit;
    if (need(ps, ntok, 4, "at TIME ambient 25C"))
        return -EINVAL;
    ev->kind = BK_EVENT_AMBIENT;
    if (bk_parse_quantity(tok[3], 1u << BK_UNIT_CELSIUS, &unit, &ev->value) || ev->value < -60.0 ||
        ev->value > 100.0)
        return fail(ps, "ambient wants -60C..100C (or kelvin, e.g. 298.15K)");
    return 0;
}

static const struct {
    const char *verb;
    int (*parse)(parser_t *, char **, int, bk_event_t *);
} actions[] = {
    {"load", parse_load},       {"ac", parse_ac},       {"remove", parse_presence},
    {"insert", parse_presence}, {"fault", parse_fault}, {"set", parse_set},
    {"ambient", parse_ambient},
};

static int parse_at(parser_t *ps, char **tok, int ntok)
{
    bk_event_t ev;
    int r;
    memset(&ev, 0, sizeof(ev));
    ev.line = ps->line;
    if (ntok < 3)
        return fail(ps, "expected \"at TIME ACTION ...\"");
    if ((r = parse_time(ps, tok[1], &ev.at_ns)))
        return r;
    if (ps->sc->nev && ev.at_ns < ps->last_at)
        return fail(ps, "time %s is before the event on line %u; events must be in time order",
                    tok[1], ps->last_at_line);
    if (ps->sc->has_until)
        return fail(ps, "event after \"until\"");
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        if (strcmp(tok[2], actions[i].verb) != 0)
            continue;
        if ((r = actions[i].parse(ps, tok, ntok, &ev)))
            return r;
        ps->last_at = ev.at_ns;
        ps->last_at_line = ps->line;
        return add_event(ps, &ev);
    }
    return fail(ps, "unknown action \"%s\" (load, ac, remove, insert, fault, set, ambient)",
                tok[2]);
}

/* profile NAME [repeat] ... end */
static int parse_profile_start(parser_t *ps, char **tok, int ntok)
{
    if (ntok < 2 || ntok > 3 || (ntok == 3 && strcmp(tok[2], "repeat")))
        return fail(ps, "expected \"profile NAME [repeat]\"");
    if (!valid_name(tok[1]))
        return fail(ps, "bad profile name \"%s\"", tok[1]);
    for (size_t k = 0; k < ps->nprofiles; k++)
        if (!strcmp(ps->profile[k].name, tok[1]))
            return fail(ps, "profile \"%s\" is already defined", tok[1]);
    if (ps->nprofiles == MAX_PROFILES)
        return fail(ps, "more than %d profiles", MAX_PROFILES);
    strcpy(ps->profile[ps->nprofiles].name, tok[1]);
    ps->profile[ps->nprofiles].load = bk_load_none();
    ps->profile[ps->nprofiles].load.kind = BK_LOAD_PROFILE;
    ps->profile[ps->nprofiles].load.repeat = (ntok == 3);
    ps->open_profile = (int)ps->nprofiles++;
    ps->open_line = ps->line;
    return 0;
}

static int parse_profile_line(parser_t *ps, char **tok, int ntok)
{
    bk_load_t *load = &ps->profile[ps->open_profile].load;
    bk_load_kind_t kind;
    uint64_t d;
    double value;

    if (ntok == 1 && !strcmp(tok[0], "end")) {
        if (load->nsegments == 0)
            return fail(ps, "profile \"%s\" has no segments", ps->profile[ps->open_profile].name);
        ps->open_profile = -1;
        return 0;
    }
    if (ntok != 2)
        return fail(ps, "expected \"DURATION LOAD\" (e.g. 30m 12W) or \"end\"");
    if (bk_parse_duration_ns(tok[0], &d) || d == 0)
        return fail(ps, "bad segment duration \"%s\"", tok[0]);
    if (parse_simple_load(tok[1], &kind, &value))
        return fail(ps, "bad segment load \"%s\" (want e.g. 15W, 1.5A, off)", tok[1]);
    if (bk_load_add_segment(load, d, kind, value))
        return fail(ps, "more than %d segments in one profile", BK_LOAD_MAX_SEGMENTS);
    return 0;
}

static int parse_line(parser_t *ps, char *line)
{
    char *tok[MAX_TOKENS], *save = NULL, *hash = strchr(line, '#');
    int ntok = 0;
    uint64_t until;

    if (hash)
        *hash = '\0';
    for (char *t = strtok_r(line, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
        if (ntok == MAX_TOKENS)
            return fail(ps, "too many words");
        tok[ntok++] = t;
    }
    if (ntok == 0)
        return 0;
    if (ps->open_profile >= 0)
        return parse_profile_line(ps, tok, ntok);
    if (!strcmp(tok[0], "at"))
        return parse_at(ps, tok, ntok);
    if (!strcmp(tok[0], "profile"))
        return parse_profile_start(ps, tok, ntok);
    if (!strcmp(tok[0], "until")) {
        if (need(ps, ntok, 2, "until TIME") || parse_time(ps, tok[1], &until))
            return -EINVAL;
        if (ps->sc->has_until)
            return fail(ps, "second \"until\"");
        if (ps->sc->nev && until < ps->last_at)
            return fail(ps, "until %s is before the event on line %u", tok[1], ps->last_at_line);
        ps->sc->has_until = true;
        ps->sc->until_ns = until;
        return 0;
    }
    if (!strcmp(tok[0], "end"))
        return fail(ps, "\"end\" without \"profile\"");
    return fail(ps, "unknown statement \"%s\" (at, until, profile)", tok[0]);
}

int bk_scenario_parse(const char *name, const char *text, bk_scenario_t **out, char *err,
                      size_t errlen)
{
    parser_t ps;
    char line[MAX_LINE];
    int r = 0;

    *out = NULL;
    if (errlen)
        err[0] = '\0';
    memset(&ps, 0, sizeof(ps));
    ps.sc = calloc(1, sizeof(*ps.sc));
    if (!ps.sc)
        return -ENOMEM;
    snprintf(ps.sc->name, sizeof(ps.sc->name), "%s", name ? name : "(scenario)");
    ps.sc->system_load = bk_load_none();
    ps.err = err;
    ps.errlen = errlen;
    ps.open_profile = -1;

    while (*text) {
        size_t n = strcspn(text, "\n");
        ps.line++;
        if (n >= sizeof(line)) {
            r = fail(&ps, "line longer than %d characters", MAX_LINE - 1);
            goto fail;
        }
        memcpy(line, text, n);
        line[n] = '\0';
        text += n + (text[n] == '\n');
        if ((r = parse_line(&ps, line)))
            goto fail;
    }
    if (ps.open_profile >= 0) {
        ps.line = ps.open_line;
        r = fail(&ps, "profile \"%s\" has no \"end\"", ps.profile[ps.open_profile].name);
        goto fail;
    }
    *out = ps.sc;
    return 0;
fail:
    bk_scenario_free(ps.sc);
    return r;
}

int bk_scenario_load(const char *path, bk_scenario_t **out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long size;
    int r;

    *out = NULL;
    if (!f) {
        r = -errno;
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return r;
    }
    if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        r = -EIO;
        snprintf(err, errlen, "%s: cannot read", path);
        goto out;
    }
    text = malloc((size_t)size + 1);
    if (!text) {
        r = -ENOMEM;
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    if (fread(text, 1, (size_t)size, f) != (size_t)size) {
        r = -EIO;
        snprintf(err, errlen, "%s: cannot read", path);
        goto out;
    }
    text[size] = '\0';
    if (strlen(text) != (size_t)size) {
        r = -EINVAL;
        snprintf(err, errlen, "%s: contains a NUL byte", path);
        goto out;
    }
    r = bk_scenario_parse(path, text, out, err, errlen);
out:
    free(text);
    fclose(f);
    return r;
}

void bk_scenario_free(bk_scenario_t *sc)
{
    if (!sc)
        return;
    free(sc->ev);
    free(sc);
}

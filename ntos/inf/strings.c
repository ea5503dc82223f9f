/* strings.c: %strkey% substitution from the [Strings] section (docs: INF
 * Strings section), choosing a [Strings.LANGID] section for a locale the way
 * Windows does. "%%" is a literal '%'; %number% tokens are DIRIDs and are kept
 * for the installer; an undefined token is an error and is kept as written. */
#include "inf_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct str_entry {
    const char *key;
    const char *value;
    const bk_ini_section_t *sec;
    int line;
    bool fallback; /* found only in [Strings] while a locale section is used */
    bool warned;
} str_entry_t;

typedef struct str_table {
    str_entry_t *slots;
    size_t cap;
} str_table_t;

int bk_ini_is_strings_section(const char *name)
{
    return bk_strcaseeq(name, "Strings") || bk_starts_with_case(name, "Strings.");
}

static str_entry_t *table_slot(str_table_t *t, const char *key)
{
    size_t mask = t->cap - 1;
    size_t h = bk_hash_case(key) & mask;
    while (t->slots[h].key && !bk_strcaseeq(t->slots[h].key, key))
        h = (h + 1) & mask;
    return &t->slots[h];
}

/* The section's entries go in; keys already present stay: the first
 * definition wins, and the locale section is added before [Strings]. */
static void table_add(str_table_t *t, const bk_ini_section_t *sec, bool fallback, bk_diags_t *diags)
{
    for (size_t i = 0; i < sec->nlines; i++) {
        const bk_ini_line_t *l = &sec->lines[i];
        if (!l->key) {
            bk_diags_add(diags, l->file, l->line, BK_SEV_WARNING,
                         "entry in [%s] has no '=': not a string definition", sec->name);
            continue;
        }
        str_entry_t *e = table_slot(t, l->key);
        if (e->key) {
            if (e->sec == sec)
                bk_diags_add(diags, l->file, l->line, BK_SEV_WARNING,
                             "string '%s' is defined again (first at line %d)", l->key, e->line);
            continue;
        }
        *e = (str_entry_t){l->key, l->value, sec, l->line, fallback, false};
    }
}

static int parse_langid(const char *s, unsigned long *out)
{
    if (bk_starts_with_case(s, "0x"))
        s += 2;
    if (!*s || strlen(s) > 4)
        return -1;
    for (const char *p = s; *p; p++) {
        if (!isxdigit((unsigned char)*p))
            return -1;
    }
    *out = strtoul(s, NULL, 16);
    return 0;
}

/* docs: exact LANGID, then the primary language with SUBLANG_NEUTRAL, then
 * any sublanguage of the primary language, else the undecorated section. */
static const bk_ini_section_t *choose_strings(bk_ini_t *ini, const char *locale, bk_diags_t *diags)
{
    const bk_ini_section_t *base = bk_ini_find_section(ini, "Strings");
    unsigned long want;
    if (!locale)
        return base;
    if (parse_langid(locale, &want)) {
        bk_diags_add(diags, ini->file, 1, BK_SEV_WARNING,
                     "locale '%s' is not a hexadecimal LANGID; [Strings] used", locale);
        return base;
    }
    unsigned long primary = want & 0x3FF;
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < ini->nsecs; i++) {
            const char *name = ini->secs[i].pub.name;
            unsigned long id;
            if (!bk_starts_with_case(name, "Strings.") || parse_langid(name + 8, &id))
                continue;
            if ((pass == 0 && id == want) || (pass == 1 && id == primary) ||
                (pass == 2 && (id & 0x3FF) == primary))
                return &ini->secs[i].pub;
        }
    }
    return base;
}

typedef struct subst_ctx {
    bk_ini_t *ini;
    str_table_t *table;
    bk_diags_t *diags; /* NULL: substitute quietly (already reported) */
    const bk_ini_line_t *line;
    char *buf;
    size_t len, cap;
    bool oom;
} subst_ctx_t;

static void put(subst_ctx_t *c, const char *s, size_t n)
{
    if (c->len + n + 1 > c->cap) {
        size_t cap = c->cap ? c->cap : 128;
        while (cap < c->len + n + 1)
            cap *= 2;
        char *b = realloc(c->buf, cap);
        if (!b) {
            c->oom = true;
            return;
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, s, n);
    c->len += n;
    c->buf[c->len] = '\0';
}

static const char *substitute(subst_ctx_t *c, const char *s, bool limit)
{
    if (!strchr(s, '%'))
        return s;
    c->len = 0;
    put(c, "", 0);
    const char *p = s;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            put(c, p, strlen(p));
            break;
        }
        put(c, p, (size_t)(pct - p));
        if (pct[1] == '%') { /* docs: %% is a literal percent sign */
            put(c, "%", 1);
            p = pct + 2;
            continue;
        }
        const char *close = strchr(pct + 1, '%');
        if (!close) {
            if (c->diags)
                bk_diags_add(c->diags, c->line->file, c->line->line, BK_SEV_WARNING,
                             "lone '%%' (write %%%% for a percent sign)");
            put(c, pct, strlen(pct));
            break;
        }
        size_t n = (size_t)(close - pct - 1);
        if (n > BK_INI_FIELD_MAX) { /* too long to be a key: keep as text */
            put(c, pct, n + 2);
            p = close + 1;
            continue;
        }
        char key[BK_INI_FIELD_MAX + 1];
        memcpy(key, pct + 1, n);
        key[n] = '\0';
        size_t digits = strspn(key, "0123456789");
        str_entry_t *e = c->table->cap && digits != n ? table_slot(c->table, key) : NULL;
        if (digits == n) {
            put(c, pct, n + 2); /* %12%: a DIRID the installer resolves */
        } else if (e && e->key) {
            if (e->fallback && !e->warned && c->diags) {
                e->warned = true;
                bk_diags_add(c->diags, c->line->file, c->line->line, BK_SEV_WARNING,
                             "string %%%s%% is not in [%s]; the one in [Strings] is used", key,
                             c->ini->strings->name);
            }
            put(c, e->value, strlen(e->value));
        } else {
            if (c->diags)
                bk_diags_add(c->diags, c->line->file, c->line->line, BK_SEV_ERROR,
                             "undefined string %%%s%% (not in [%s])", key,
                             c->ini->strings ? c->ini->strings->name : "Strings");
            put(c, pct, n + 2);
        }
        p = close + 1;
    }
    if (limit && c->len > BK_INI_FIELD_MAX) {
        if (c->diags)
            bk_diags_add(c->diags, c->line->file, c->line->line, BK_SEV_ERROR,
                         "field of %zu characters after string substitution is longer than "
                         "the limit of %d",
                         c->len, BK_INI_FIELD_MAX);
        c->len = BK_INI_FIELD_MAX;
        while (c->len > 0 && ((unsigned char)c->buf[c->len] & 0xC0) == 0x80)
            c->len--;
        c->buf[c->len] = '\0';
    }
    char *out = bk_arena_strndup(&c->ini->arena, c->buf, c->len);
    if (!out) {
        c->oom = true;
        return s;
    }
    return out;
}

void bk_ini_substitute(bk_ini_t *ini, const char *locale, bk_diags_t *diags)
{
    str_table_t table = {0};
    subst_ctx_t c = {.ini = ini, .table = &table, .diags = diags};
    ini->strings_base = bk_ini_find_section(ini, "Strings");
    ini->strings = choose_strings(ini, locale, diags);

    size_t n = 0;
    if (ini->strings)
        n += ini->strings->nlines;
    if (ini->strings_base && ini->strings_base != ini->strings)
        n += ini->strings_base->nlines;
    if (n) {
        table.cap = 16;
        while (table.cap < n * 2)
            table.cap *= 2;
        table.slots = calloc(table.cap, sizeof(*table.slots));
        if (!table.slots)
            table.cap = 0;
    }
    if (table.cap && ini->strings)
        table_add(&table, ini->strings, false, diags);
    if (table.cap && ini->strings_base && ini->strings_base != ini->strings)
        table_add(&table, ini->strings_base, true, diags);

    for (size_t s = 0; s < ini->nsecs; s++) {
        bk_ini_sec_t *sec = &ini->secs[s];
        if (bk_ini_is_strings_section(sec->pub.name))
            continue;
        for (size_t i = 0; i < sec->pub.nlines; i++) {
            bk_ini_line_t *l = &sec->lines[i];
            c.line = l;
            c.diags = diags;
            if (l->key)
                l->key = substitute(&c, l->key_raw, true);
            const char **fields = NULL;
            for (size_t f = 0; f < l->nfields; f++) {
                const char *v = substitute(&c, l->raw_fields[f], true);
                if (v == l->raw_fields[f])
                    continue;
                if (!fields) {
                    fields =
                        bk_arena_memdup(&ini->arena, l->raw_fields, l->nfields * sizeof(*fields));
                    if (!fields)
                        break;
                    l->fields = fields;
                }
                fields[f] = v;
            }
            c.diags = NULL; /* the whole value repeats the fields: report once */
            l->value = substitute(&c, l->value, false);
        }
    }
    free(table.slots);
    free(c.buf);
}

const char *bk_ini_string(const bk_ini_t *ini, const char *strkey)
{
    const bk_ini_line_t *l = bk_ini_find_key(ini->strings, strkey);
    if (!l)
        l = bk_ini_find_key(ini->strings_base, strkey);
    return l ? l->value : NULL;
}

/* lexer.c: INF/INI text to sections and entries, following the WDK's general
 * INF syntax rules: [section] headers, key = values or values only, commas
 * outside quotes split fields, "" inside quotes is a quote, ';' starts a
 * comment outside quotes and %strkey% tokens, a final '\' continues the entry.
 * %strkey% substitution is strings.c's job; this file keeps tokens as written. */
#include "inf_internal.h"

#include <stdlib.h>
#include <string.h>

/* What each character of an entry was: needed after the line is joined, to
 * split only at unquoted '=' and ',' and to trim only unquoted space. */
enum { K_PLAIN, K_QUOTED, K_MARK /* where a quoted part began; not copied */ };

typedef struct lexer {
    bk_ini_t *ini;
    bk_diags_t *diags;
    const char *file;
    char *buf;
    unsigned char *kind;
    size_t len, cap;
    int start_line; /* first physical line of the entry being joined */
    int cont_line;  /* line of the last continuation backslash */
    bool continuing;
    bk_ini_sec_t *cur;
    bool skip_section; /* after a bad header: drop its entries quietly */
    bool warned_outside;
    bool oom;
} lexer_t;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r';
}

static void push(lexer_t *lx, char c, unsigned char kind)
{
    if (lx->len == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 256;
        char *b = realloc(lx->buf, cap);
        if (!b) {
            lx->oom = true;
            return;
        }
        lx->buf = b;
        unsigned char *k = realloc(lx->kind, cap);
        if (!k) {
            lx->oom = true;
            return;
        }
        lx->kind = k;
        lx->cap = cap;
    }
    lx->buf[lx->len] = c;
    lx->kind[lx->len] = kind;
    lx->len++;
}

/* docs: ';' is not a comment inside a %strkey% token. p is at '%'; returns
 * the end of the token (after its closing '%', or after "%%"), or NULL when
 * this '%' does not open a token. */
static const char *strkey_end(const char *p, const char *e)
{
    if (p + 1 < e && p[1] == '%')
        return p + 2;
    const char *q = p + 1;
    while (q < e && *q != '%' && *q != '"' && *q != ',' && *q != '=' && !is_blank(*q))
        q++;
    if (q < e && *q == '%' && q > p + 1)
        return q + 1;
    return NULL;
}

/* Copies kind-tagged characters [from, to) without the outer unquoted space
 * and without quote marks; *quoted tells whether a quoted part was there.
 * With limit, a piece longer than a field may be is reported and cut. */
static const char *make_piece(lexer_t *lx, size_t from, size_t to, unsigned char *quoted,
                              bool limit)
{
    while (from < to && lx->kind[from] == K_PLAIN && is_blank(lx->buf[from]))
        from++;
    while (to > from && lx->kind[to - 1] == K_PLAIN && is_blank(lx->buf[to - 1]))
        to--;
    char *s = bk_arena_alloc(&lx->ini->arena, to - from + 1);
    if (!s) {
        lx->oom = true;
        return "";
    }
    size_t n = 0;
    unsigned char q = 0;
    for (size_t i = from; i < to; i++) {
        if (lx->kind[i] == K_MARK)
            q = 1;
        else
            s[n++] = lx->buf[i];
    }
    s[n] = '\0';
    if (quoted)
        *quoted = q;
    if (limit && n > BK_INI_FIELD_MAX) {
        bk_diags_add(lx->diags, lx->file, lx->start_line, BK_SEV_ERROR,
                     "field of %zu characters is longer than the limit of %d", n, BK_INI_FIELD_MAX);
        n = BK_INI_FIELD_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* do not cut a UTF-8 sequence */
        s[n] = '\0';
    }
    return s;
}

static void finish_entry(lexer_t *lx)
{
    size_t n = lx->len;
    size_t i;
    for (i = 0; i < n; i++) {
        if (lx->kind[i] != K_PLAIN || !is_blank(lx->buf[i]))
            break;
    }
    if (i == n)
        return; /* blank after all (a continuation that joined nothing) */
    if (!lx->cur) {
        if (!lx->skip_section && !lx->warned_outside) {
            bk_diags_add(lx->diags, lx->file, lx->start_line, BK_SEV_WARNING,
                         "text before the first [section] is ignored");
            lx->warned_outside = true;
        }
        return;
    }
    bk_ini_line_t *line = bk_ini_add_line(lx->cur);
    if (!line) {
        lx->oom = true;
        return;
    }
    line->file = lx->ini->file;
    line->line = lx->start_line;

    size_t eq = n;
    for (i = 0; i < n; i++) {
        if (lx->kind[i] == K_PLAIN && lx->buf[i] == '=') {
            eq = i;
            break;
        }
    }
    size_t vstart = 0;
    if (eq < n) {
        line->key = line->key_raw = make_piece(lx, 0, eq, NULL, true);
        vstart = eq + 1;
    }
    line->value = make_piece(lx, vstart, n, NULL, false);

    size_t nf = 1;
    for (i = vstart; i < n; i++)
        nf += lx->kind[i] == K_PLAIN && lx->buf[i] == ',';
    const char **fields = bk_arena_alloc(&lx->ini->arena, nf * sizeof(*fields));
    unsigned char *quoted = bk_arena_alloc(&lx->ini->arena, nf);
    if (!fields || !quoted) {
        lx->oom = true;
        line->nfields = 0;
        return;
    }
    size_t f = 0, from = vstart;
    for (i = vstart; i <= n; i++) {
        if (i == n || (lx->kind[i] == K_PLAIN && lx->buf[i] == ',')) {
            fields[f] = make_piece(lx, from, i, &quoted[f], true);
            f++;
            from = i + 1;
        }
    }
    line->nfields = nf;
    line->fields = line->raw_fields = fields;
    line->quoted = quoted;
}

static void lex_header(lexer_t *lx, const char *p, const char *e, int lineno)
{
    /* docs: a section name may contain anything but ']' (a quoted reference
     * must match it exactly), so no comment or quote handling inside. */
    const char *close = memchr(p, ']', (size_t)(e - p));
    const char *name_end = close;
    if (!close) {
        const char *semi = memchr(p, ';', (size_t)(e - p));
        name_end = semi ? semi : e;
        while (name_end > p && is_blank(name_end[-1]))
            name_end--;
        bk_diags_add(lx->diags, lx->file, lineno, BK_SEV_ERROR,
                     "section header has no closing ']'");
    } else {
        const char *q = close + 1;
        while (q < e && is_blank(*q))
            q++;
        if (q < e && *q != ';')
            bk_diags_add(lx->diags, lx->file, lineno, BK_SEV_WARNING,
                         "text after the section header is ignored");
    }
    size_t n = (size_t)(name_end - p);
    if (n == 0) {
        bk_diags_add(lx->diags, lx->file, lineno, BK_SEV_ERROR, "empty section name");
        lx->cur = NULL;
        lx->skip_section = true;
        return;
    }
    if (n > BK_INI_SECTION_NAME_MAX)
        bk_diags_add(lx->diags, lx->file, lineno, BK_SEV_ERROR,
                     "section name of %zu characters is longer than the limit of %d", n,
                     BK_INI_SECTION_NAME_MAX);
    lx->cur = bk_ini_add_section(lx->ini, p, n, lineno);
    lx->skip_section = false;
    if (!lx->cur)
        lx->oom = true;
}

static void lex_physical(lexer_t *lx, const char *p, const char *e, int lineno)
{
    if (!lx->continuing) {
        while (p < e && is_blank(*p))
            p++;
        if (p == e || *p == ';')
            return;
        if (*p == '[') {
            lex_header(lx, p + 1, e, lineno);
            return;
        }
        lx->start_line = lineno;
        lx->len = 0;
    }
    size_t seg = lx->len;
    bool in_quote = false;
    while (p < e) {
        char c = *p;
        if (in_quote) {
            if (c == '"') {
                if (p + 1 < e && p[1] == '"') {
                    push(lx, '"', K_QUOTED);
                    p += 2;
                    continue;
                }
                in_quote = false;
                p++;
                continue;
            }
            push(lx, c, K_QUOTED);
            p++;
            continue;
        }
        if (c == '"') {
            in_quote = true;
            push(lx, '"', K_MARK);
            p++;
            continue;
        }
        if (c == ';')
            break;
        if (c == '%') {
            const char *q = strkey_end(p, e);
            if (q) {
                while (p < q)
                    push(lx, *p++, K_PLAIN);
                continue;
            }
        }
        push(lx, c, K_PLAIN);
        p++;
    }
    if (in_quote)
        bk_diags_add(lx->diags, lx->file, lineno, BK_SEV_WARNING,
                     "quoted string is not closed before the end of the line");

    /* docs: a backslash ending the entry (before any comment) continues it on
     * the next line; a path ending in '\' must be quoted to avoid that. */
    size_t j = lx->len;
    while (j > seg && lx->kind[j - 1] == K_PLAIN && is_blank(lx->buf[j - 1]))
        j--;
    if (j > seg && lx->kind[j - 1] == K_PLAIN && lx->buf[j - 1] == '\\') {
        lx->len = j - 1;
        lx->continuing = true;
        lx->cont_line = lineno;
        return;
    }
    lx->continuing = false;
    finish_entry(lx);
}

int bk_ini_lex(bk_ini_t *ini, const char *text, size_t len, bk_diags_t *diags)
{
    lexer_t lx = {.ini = ini, .diags = diags, .file = ini->file};
    const char *p = text, *end = text + len;
    int lineno = 1;
    size_t problems = diags->errors + diags->warnings;
    while (p < end && !lx.oom) {
        /* Garbage is not worth a diagnostic per line: refuse it early. */
        if (diags->errors + diags->warnings - problems > BK_INI_MAX_PROBLEMS) {
            bk_diags_add(diags, lx.file, lineno, BK_SEV_ERROR,
                         "more than %d problems: is this an INF file at all? (reading stopped)",
                         BK_INI_MAX_PROBLEMS);
            free(lx.buf);
            free(lx.kind);
            return -2;
        }
        const char *e = p;
        while (e < end && *e != '\n' && *e != '\r')
            e++;
        lex_physical(&lx, p, e, lineno);
        lineno++;
        if (e < end && *e == '\r' && e + 1 < end && e[1] == '\n')
            e++;
        p = e < end ? e + 1 : e;
    }
    if (lx.continuing && !lx.oom) {
        bk_diags_add(diags, lx.file, lx.cont_line, BK_SEV_ERROR,
                     "line continuation ('\\') at the end of the file");
        lx.continuing = false;
        finish_entry(&lx);
    }
    free(lx.buf);
    free(lx.kind);
    return lx.oom ? -1 : 0;
}

/* ini.c: loading an INI-style file (read, decode, lex, substitute) and the
 * section/key queries over it. Sections are found by case-insensitive name
 * through a hash index; same-named sections are merged (docs: "the system
 * merges their entries"). */
#include "inf_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int index_grow(bk_ini_t *ini)
{
    size_t cap = ini->index_cap ? ini->index_cap * 2 : 64;
    uint32_t *idx = calloc(cap, sizeof(*idx));
    if (!idx)
        return -1;
    for (size_t i = 0; i < ini->nsecs; i++) {
        size_t h = bk_hash_case(ini->secs[i].pub.name) & (cap - 1);
        while (idx[h])
            h = (h + 1) & (cap - 1);
        idx[h] = (uint32_t)i + 1;
    }
    free(ini->index);
    ini->index = idx;
    ini->index_cap = cap;
    return 0;
}

static bk_ini_sec_t *find_sec(const bk_ini_t *ini, const char *name)
{
    if (!ini->index_cap)
        return NULL;
    size_t mask = ini->index_cap - 1;
    for (size_t h = bk_hash_case(name) & mask; ini->index[h]; h = (h + 1) & mask) {
        bk_ini_sec_t *s = &ini->secs[ini->index[h] - 1];
        if (bk_strcaseeq(s->pub.name, name))
            return s;
    }
    return NULL;
}

bk_ini_sec_t *bk_ini_add_section(bk_ini_t *ini, const char *name, size_t len, int line)
{
    char *copy = bk_arena_strndup(&ini->arena, name, len);
    if (!copy)
        return NULL;
    bk_ini_sec_t *s = find_sec(ini, copy);
    if (s) {
        s->pub.declarations++;
        if (!s->pub.dup_line)
            s->pub.dup_line = line;
        return s;
    }
    if ((ini->nsecs + 1) * 2 > ini->index_cap && index_grow(ini))
        return NULL;
    if (ini->nsecs == ini->cap) {
        size_t cap = ini->cap ? ini->cap * 2 : 16;
        bk_ini_sec_t *secs = realloc(ini->secs, cap * sizeof(*secs));
        if (!secs)
            return NULL;
        ini->secs = secs;
        ini->cap = cap;
    }
    s = &ini->secs[ini->nsecs];
    memset(s, 0, sizeof(*s));
    s->pub.name = copy;
    s->pub.file = ini->file;
    s->pub.line = line;
    s->pub.declarations = 1;
    size_t mask = ini->index_cap - 1;
    size_t h = bk_hash_case(copy) & mask;
    while (ini->index[h])
        h = (h + 1) & mask;
    ini->index[h] = (uint32_t)ini->nsecs + 1;
    ini->nsecs++;
    return s;
}

bk_ini_line_t *bk_ini_add_line(bk_ini_sec_t *sec)
{
    if (sec->pub.nlines == sec->cap) {
        size_t cap = sec->cap ? sec->cap * 2 : 8;
        bk_ini_line_t *lines = realloc(sec->lines, cap * sizeof(*lines));
        if (!lines)
            return NULL;
        sec->lines = lines;
        sec->cap = cap;
    }
    bk_ini_line_t *l = &sec->lines[sec->pub.nlines++];
    memset(l, 0, sizeof(*l));
    return l;
}

void bk_ini_publish(bk_ini_t *ini)
{
    for (size_t i = 0; i < ini->nsecs; i++)
        ini->secs[i].pub.lines = ini->secs[i].lines;
}

bk_ini_t *bk_ini_load_buffer(const char *name, const void *data, size_t size,
                             const bk_ini_options_t *opt, bk_diags_t *diags)
{
    bk_ini_options_t defaults = {0};
    bk_diags_t local = {0};
    if (!opt)
        opt = &defaults;
    if (!diags)
        diags = &local; /* the lexer counts problems */
    if (!name)
        name = "<buffer>";
    size_t len = 0;
    char *text = NULL;
    bk_ini_t *ini = calloc(1, sizeof(*ini));
    if (!ini)
        goto oom;
    ini->file = bk_arena_strdup(&ini->arena, name);
    if (!ini->file)
        goto oom;
    text = bk_ini_decode(ini->file, data, size, &len, diags);
    if (!text)
        goto fail;
    int rc = bk_ini_lex(ini, text, len, diags);
    if (rc == -1)
        goto oom;
    if (rc)
        goto fail;
    bk_ini_publish(ini);
    if (opt->substitute)
        bk_ini_substitute(ini, opt->locale, diags);
    free(text);
    bk_diags_free(&local);
    return ini;

oom:
    bk_diags_add(diags, name, 1, BK_SEV_ERROR, "out of memory");
fail:
    free(text);
    bk_ini_free(ini);
    bk_diags_free(&local);
    return NULL;
}

bk_ini_t *bk_ini_load_file(const char *path, const bk_ini_options_t *opt, bk_diags_t *diags)
{
    bk_ini_t *ini = NULL;
    unsigned char *data = NULL;
    size_t n = 0, cap = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        bk_diags_add(diags, path, 1, BK_SEV_ERROR, "cannot open: %s", strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16384;
            unsigned char *d = realloc(data, cap);
            if (!d) {
                bk_diags_add(diags, path, 1, BK_SEV_ERROR, "out of memory");
                goto out;
            }
            data = d;
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        bk_diags_add(diags, path, 1, BK_SEV_ERROR, "read error");
        goto out;
    }
    ini = bk_ini_load_buffer(path, data, n, opt, diags);
out:
    fclose(f);
    free(data);
    return ini;
}

void bk_ini_free(bk_ini_t *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->nsecs; i++)
        free(ini->secs[i].lines);
    free(ini->secs);
    free(ini->index);
    bk_arena_free(&ini->arena);
    free(ini);
}

const char *bk_ini_file(const bk_ini_t *ini)
{
    return ini->file;
}

size_t bk_ini_section_count(const bk_ini_t *ini)
{
    return ini->nsecs;
}

const bk_ini_section_t *bk_ini_section_at(const bk_ini_t *ini, size_t i)
{
    return i < ini->nsecs ? &ini->secs[i].pub : NULL;
}

const bk_ini_section_t *bk_ini_find_section(const bk_ini_t *ini, const char *name)
{
    bk_ini_sec_t *s = name ? find_sec(ini, name) : NULL;
    return s ? &s->pub : NULL;
}

const bk_ini_line_t *bk_ini_find_key(const bk_ini_section_t *sec, const char *key)
{
    if (!sec)
        return NULL;
    for (size_t i = 0; i < sec->nlines; i++) {
        if (sec->lines[i].key && bk_strcaseeq(sec->lines[i].key, key))
            return &sec->lines[i];
    }
    return NULL;
}

const char *bk_ini_field(const bk_ini_line_t *line, size_t i)
{
    return line && i < line->nfields ? line->fields[i] : "";
}

const char *bk_ini_strings_section(const bk_ini_t *ini)
{
    return ini->strings ? ini->strings->name : NULL;
}

/* util.c: the arena, growable array and case-insensitive text helpers the INI
 * reader, INF model and machine parser share. Owns no file format knowledge. */
#include "inf_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bk_arena_chunk {
    bk_arena_chunk_t *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK 65536u

void *bk_arena_alloc(bk_arena_t *a, size_t size)
{
    size = (size + 15u) & ~(size_t)15u;
    if (size == 0)
        size = 16;
    bk_arena_chunk_t *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t want = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = malloc(sizeof(*c) + want);
        if (!c)
            return NULL;
        c->size = want;
        c->used = 0;
        /* A big one-off block goes behind the head so the head keeps its room. */
        if (a->head && want > ARENA_CHUNK) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

char *bk_arena_strndup(bk_arena_t *a, const char *s, size_t n)
{
    char *p = bk_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *bk_arena_strdup(bk_arena_t *a, const char *s)
{
    return bk_arena_strndup(a, s, strlen(s));
}

void *bk_arena_memdup(bk_arena_t *a, const void *src, size_t size)
{
    void *p = bk_arena_alloc(a, size);
    if (p && size)
        memcpy(p, src, size);
    return p;
}

char *bk_arena_printf(bk_arena_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = bk_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void bk_arena_free(bk_arena_t *a)
{
    bk_arena_chunk_t *c = a->head;
    while (c) {
        bk_arena_chunk_t *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}

void *bk_vec_push(bk_vec_t *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        void *d = realloc(v->data, cap * v->elem);
        if (!d)
            return NULL;
        v->data = d;
        v->cap = cap;
    }
    void *p = (unsigned char *)v->data + v->n * v->elem;
    memset(p, 0, v->elem);
    v->n++;
    return p;
}

void *bk_vec_finish(bk_vec_t *v, bk_arena_t *a)
{
    void *p = v->n ? bk_arena_memdup(a, v->data, v->n * v->elem) : NULL;
    free(v->data);
    v->data = NULL;
    v->cap = 0;
    return p;
}

void bk_vec_free(bk_vec_t *v)
{
    free(v->data);
    v->data = NULL;
    v->n = v->cap = 0;
}

int bk_strcaseeq(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb)
            return 0;
        if (ca == 0)
            return 1;
    }
}

int bk_strncaseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = tolower((unsigned char)a[i]), cb = tolower((unsigned char)b[i]);
        if (ca != cb)
            return 0;
        if (ca == 0)
            return 1;
    }
    return 1;
}

int bk_starts_with_case(const char *s, const char *prefix)
{
    return bk_strncaseeq(s, prefix, strlen(prefix));
}

uint32_t bk_hash_case(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a over the lower-cased bytes */
    for (; *s; s++) {
        h ^= (uint32_t)tolower((unsigned char)*s);
        h *= 16777619u;
    }
    return h;
}

int bk_parse_ulong(const char *s, unsigned long *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
        return -1;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        if (!isxdigit((unsigned char)s[2]))
            return -1;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, base);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

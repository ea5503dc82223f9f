/* inf_internal.h: what the files of ntos/inf share and nobody else sees: the
 * arena that owns a loaded file's strings, a growable array, case-insensitive
 * helpers, and the layouts behind bk_ini_t and bk_inf_t. */
#ifndef BK_INF_INTERNAL_H
#define BK_INF_INTERNAL_H

#include "inf.h"

#include <stdarg.h>

/* ---- arena: many small strings freed at once ---- */

typedef struct bk_arena_chunk bk_arena_chunk_t;
typedef struct bk_arena {
    bk_arena_chunk_t *head;
} bk_arena_t;

void *bk_arena_alloc(bk_arena_t *a, size_t size); /* zeroed, 16-aligned; NULL on OOM */
char *bk_arena_strndup(bk_arena_t *a, const char *s, size_t n);
char *bk_arena_strdup(bk_arena_t *a, const char *s);
char *bk_arena_printf(bk_arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *bk_arena_memdup(bk_arena_t *a, const void *p, size_t size);
void bk_arena_free(bk_arena_t *a);

/* ---- growable array of fixed-size elements (malloc'd) ---- */

typedef struct bk_vec {
    void *data;
    size_t n, cap, elem;
} bk_vec_t;

#define BK_VEC_INIT(type)                                                                          \
    {                                                                                              \
        NULL, 0, 0, sizeof(type)                                                                   \
    }
void *bk_vec_push(bk_vec_t *v); /* zeroed new element or NULL on OOM */
/* Copies the elements into the arena and frees the vector; NULL when empty. */
void *bk_vec_finish(bk_vec_t *v, bk_arena_t *a);
void bk_vec_free(bk_vec_t *v);

/* ---- text helpers ---- */

int bk_strcaseeq(const char *a, const char *b);
int bk_strncaseeq(const char *a, const char *b, size_t n);
int bk_starts_with_case(const char *s, const char *prefix);
uint32_t bk_hash_case(const char *s);
/* Parses a whole string as an unsigned number, decimal or 0x hex (as INF
 * numbers are written); 0 on success, -1 when it is empty or not a number. */
int bk_parse_ulong(const char *s, unsigned long *out);

/* ---- decoding (decode.c) ---- */

/* Bytes to NUL-terminated UTF-8 text without BOM and with ^Z cut off.
 * NULL when the data is not text (diags says where). */
char *bk_ini_decode(const char *file, const unsigned char *data, size_t size, size_t *len,
                    bk_diags_t *diags);

/* ---- the loaded file ---- */

typedef struct bk_ini_sec {
    bk_ini_section_t pub;
    bk_ini_line_t *lines;
    size_t cap;
} bk_ini_sec_t;

struct bk_ini {
    bk_arena_t arena;
    const char *file;
    bk_ini_sec_t *secs;
    size_t nsecs, cap;
    uint32_t *index; /* open addressing: section number + 1, 0 = empty */
    size_t index_cap;
    const bk_ini_section_t *strings;      /* chosen for substitution */
    const bk_ini_section_t *strings_base; /* undecorated [Strings] */
};

/* lexer.c: text to sections and entries (fields still hold %strkey%).
 * 0, -1 out of memory, -2 refused after BK_INI_MAX_PROBLEMS problems. */
#define BK_INI_MAX_PROBLEMS 200
int bk_ini_lex(bk_ini_t *ini, const char *text, size_t len, bk_diags_t *diags);
/* ini.c */
bk_ini_sec_t *bk_ini_add_section(bk_ini_t *ini, const char *name, size_t len, int line);
bk_ini_line_t *bk_ini_add_line(bk_ini_sec_t *sec);
void bk_ini_publish(bk_ini_t *ini);
/* strings.c: choose [Strings...] and substitute %strkey% everywhere else. */
void bk_ini_substitute(bk_ini_t *ini, const char *locale, bk_diags_t *diags);
int bk_ini_is_strings_section(const char *name);

/* ---- the INF model ---- */

typedef struct bk_inf_include {
    char *name;    /* as written in Include= (lower-case compare) */
    bk_inf_t *inf; /* NULL when not found */
} bk_inf_include_t;

struct bk_inf {
    bk_arena_t arena;
    bk_ini_t *ini;
    const char *path, *dir;
    bk_inf_options_t opt;
    const char *const *search_dirs; /* arena copy of opt.search_dirs */
    bk_inf_version_t version;
    size_t nmfg;
    bk_inf_manufacturer_t *mfg;
    bk_vec_t includes; /* bk_inf_include_t */
};

/* decoration.c: zero fields of a platform take the documented defaults. */
void bk_inf_platform_fill(bk_inf_platform_t *p);

/* inf_model.c */
const bk_ini_section_t *bk_inf_section(const bk_inf_t *inf, const char *name);
/* include.c: opens (once) an INF named by Include=; NULL when not found. */
bk_inf_t *bk_inf_include(bk_inf_t *inf, const char *name, const bk_ini_line_t *line,
                         bk_diags_t *diags);
void bk_inf_free_includes(bk_inf_t *inf);

#endif

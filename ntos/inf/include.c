/* include.c: INFs named by Include= (docs: DDInstall Include/Needs), looked
 * for next to the including INF and then in the search path, opened once per
 * including INF and closed with it. An included INF's own Include= entries are
 * never followed: docs say Needs entries cannot be nested. */
#include "inf_internal.h"

#include <stdlib.h>
#include <string.h>

bk_inf_t *bk_inf_include(bk_inf_t *inf, const char *name, const bk_ini_line_t *line,
                         bk_diags_t *diags)
{
    bk_inf_include_t *items = inf->includes.data;
    for (size_t i = 0; i < inf->includes.n; i++) {
        if (bk_strcaseeq(items[i].name, name))
            return items[i].inf;
    }
    char *copy = bk_arena_strdup(&inf->arena, name);
    bk_inf_include_t *it = copy ? bk_vec_push(&inf->includes) : NULL;
    if (!it) {
        bk_diags_add(diags, line->file, line->line, BK_SEV_ERROR, "out of memory");
        return NULL;
    }
    it->name = copy;
    if (inf->opt.no_file_checks)
        return NULL; /* no file system lookups at all (fuzzing) */
    char *path = bk_inf_find_file(inf->dir, name);
    for (size_t i = 0; !path && inf->search_dirs[i]; i++)
        path = bk_inf_find_file(inf->search_dirs[i], name);
    if (!path) {
        bk_diags_add(diags, line->file, line->line, BK_SEV_WARNING,
                     "Include=%s: not found next to the INF or in the search path; the sections "
                     "it provides are not checked",
                     name);
        return NULL;
    }
    bk_inf_t *sub = bk_inf_open(path, &inf->opt, diags);
    free(path);
    /* re-fetch: the vector may not move here, but do not rely on it */
    items = inf->includes.data;
    items[inf->includes.n - 1].inf = sub;
    return sub;
}

void bk_inf_free_includes(bk_inf_t *inf)
{
    bk_inf_include_t *items = inf->includes.data;
    for (size_t i = 0; i < inf->includes.n; i++)
        bk_inf_close(items[i].inf);
    bk_vec_free(&inf->includes);
}

/* inf_model.c: an INF opened as a driver package: [Version], [Manufacturer]
 * with the models section chosen for the platform, models entries, and the
 * identifier score Windows ranks matching entries by. Install sections are
 * install.c's; checks are check.c's. */
#include "inf_internal.h"

#include <stdlib.h>
#include <string.h>

const bk_ini_section_t *bk_inf_section(const bk_inf_t *inf, const char *name)
{
    return bk_ini_find_section(inf->ini, name);
}

static void set_value(bk_inf_value_t *v, const bk_ini_line_t *l, const char *value)
{
    v->value = value;
    v->file = l->file;
    v->line = l->line;
}

static void build_version(bk_inf_t *inf)
{
    bk_inf_version_t *v = &inf->version;
    v->section = bk_inf_section(inf, "Version");
    if (!v->section)
        return;
    for (size_t i = 0; i < v->section->nlines; i++) {
        const bk_ini_line_t *l = &v->section->lines[i];
        if (!l->key)
            continue;
        if (bk_strcaseeq(l->key, "Signature") && !v->signature.value)
            set_value(&v->signature, l, l->fields[0]);
        else if (bk_strcaseeq(l->key, "Class") && !v->class_name.value)
            set_value(&v->class_name, l, l->fields[0]);
        else if (bk_strcaseeq(l->key, "ClassGuid") && !v->class_guid.value)
            set_value(&v->class_guid, l, l->fields[0]);
        else if (bk_strcaseeq(l->key, "Provider") && !v->provider.value)
            set_value(&v->provider, l, l->value); /* a name may hold commas */
        else if (bk_strcaseeq(l->key, "CatalogFile") && !v->catalog_file.value)
            set_value(&v->catalog_file, l, l->fields[0]);
        else if (bk_strcaseeq(l->key, "DriverVer") && !v->driver_ver.value) {
            set_value(&v->driver_ver, l, l->fields[0]);
            v->driver_version = l->nfields > 1 ? l->fields[1] : NULL;
        }
    }
}

static int build_models(bk_inf_t *inf, bk_inf_manufacturer_t *m)
{
    m->models = bk_inf_section(inf, m->models_name);
    if (!m->models)
        return 0;
    bk_inf_model_t *models = bk_arena_alloc(&inf->arena, (m->models->nlines + 1) * sizeof(*models));
    if (!models)
        return -1;
    for (size_t i = 0; i < m->models->nlines; i++) {
        const bk_ini_line_t *l = &m->models->lines[i];
        bk_inf_model_t *md = &models[i];
        md->line = l;
        md->description = l->key; /* NULL: not "description = ..." */
        md->install_section = l->fields[0];
        md->hardware_id = bk_ini_field(l, 1);
        const char **compat = bk_arena_alloc(&inf->arena, l->nfields * sizeof(*compat));
        if (!compat)
            return -1;
        for (size_t f = 2; f < l->nfields; f++) {
            if (l->fields[f][0])
                compat[md->ncompatible_ids++] = l->fields[f];
        }
        md->compatible_ids = compat;
    }
    m->model = models;
    m->nmodels = m->models->nlines;
    return 0;
}

static int build_manufacturers(bk_inf_t *inf)
{
    const bk_ini_section_t *sec = bk_inf_section(inf, "Manufacturer");
    if (!sec || !sec->nlines)
        return 0;
    inf->mfg = bk_arena_alloc(&inf->arena, sec->nlines * sizeof(*inf->mfg));
    if (!inf->mfg)
        return -1;
    for (size_t i = 0; i < sec->nlines; i++) {
        const bk_ini_line_t *l = &sec->lines[i];
        bk_inf_manufacturer_t *m = &inf->mfg[inf->nmfg++];
        m->line = l;
        /* docs: "manufacturer-name" alone names its models section too. */
        m->name = l->key ? l->key : l->fields[0];
        m->models_base = l->fields[0];
        const char **decs = bk_arena_alloc(&inf->arena, l->nfields * sizeof(*decs));
        if (!decs)
            return -1;
        for (size_t f = 1; l->key && f < l->nfields; f++) {
            if (l->fields[f][0])
                decs[m->ndecorations++] = l->fields[f];
        }
        m->decorations = decs;
        if (m->ndecorations) {
            int pick = bk_inf_choose_decoration(decs, m->ndecorations, &inf->opt.platform);
            if (pick >= 0) {
                m->models_name = bk_arena_printf(&inf->arena, "%s.%s", m->models_base, decs[pick]);
            } else {
                m->models_name = m->models_base;
                m->fallback_undecorated = true;
            }
        } else {
            m->models_name = m->models_base;
        }
        if (!m->models_name || build_models(inf, m))
            return -1;
    }
    return 0;
}

static bk_inf_t *finish_open(bk_inf_t *inf, bk_ini_t *ini, const char *path, bk_diags_t *diags)
{
    inf->ini = ini;
    inf->path = bk_arena_strdup(&inf->arena, path);
    const char *slash = strrchr(path, '/');
    inf->dir = slash
                   ? bk_arena_strndup(&inf->arena, path, slash == path ? 1 : (size_t)(slash - path))
                   : ".";
    if (!inf->path || !inf->dir)
        goto oom;
    build_version(inf);
    if (build_manufacturers(inf))
        goto oom;
    return inf;
oom:
    bk_diags_add(diags, path, 1, BK_SEV_ERROR, "out of memory");
    bk_inf_close(inf);
    return NULL;
}

static bk_inf_t *new_inf(const bk_inf_options_t *opt)
{
    bk_inf_t *inf = calloc(1, sizeof(*inf));
    if (!inf)
        return NULL;
    if (opt)
        inf->opt = *opt;
    bk_inf_platform_fill(&inf->opt.platform);
    inf->opt.platform.arch = bk_arena_strdup(&inf->arena, inf->opt.platform.arch);
    inf->opt.locale = inf->opt.locale ? bk_arena_strdup(&inf->arena, inf->opt.locale) : NULL;
    size_t n = 0;
    while (opt && opt->search_dirs && opt->search_dirs[n])
        n++;
    const char **dirs = bk_arena_alloc(&inf->arena, (n + 1) * sizeof(*dirs));
    if (!dirs || !inf->opt.platform.arch) {
        bk_arena_free(&inf->arena);
        free(inf);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        dirs[i] = bk_arena_strdup(&inf->arena, opt->search_dirs[i]);
    inf->search_dirs = dirs;
    inf->opt.search_dirs = dirs;
    inf->includes = (bk_vec_t)BK_VEC_INIT(bk_inf_include_t);
    return inf;
}

bk_inf_t *bk_inf_open(const char *path, const bk_inf_options_t *opt, bk_diags_t *diags)
{
    bk_inf_t *inf = new_inf(opt);
    if (!inf) {
        bk_diags_add(diags, path, 1, BK_SEV_ERROR, "out of memory");
        return NULL;
    }
    bk_ini_options_t io = {.substitute = true, .locale = inf->opt.locale};
    bk_ini_t *ini = bk_ini_load_file(path, &io, diags);
    if (!ini) {
        bk_inf_close(inf);
        return NULL;
    }
    return finish_open(inf, ini, path, diags);
}

bk_inf_t *bk_inf_open_buffer(const char *name, const void *data, size_t size,
                             const bk_inf_options_t *opt, bk_diags_t *diags)
{
    if (!name)
        name = "<buffer>";
    bk_inf_t *inf = new_inf(opt);
    if (!inf) {
        bk_diags_add(diags, name, 1, BK_SEV_ERROR, "out of memory");
        return NULL;
    }
    bk_ini_options_t io = {.substitute = true, .locale = inf->opt.locale};
    bk_ini_t *ini = bk_ini_load_buffer(name, data, size, &io, diags);
    if (!ini) {
        bk_inf_close(inf);
        return NULL;
    }
    return finish_open(inf, ini, name, diags);
}

void bk_inf_close(bk_inf_t *inf)
{
    if (!inf)
        return;
    bk_inf_free_includes(inf);
    bk_ini_free(inf->ini);
    bk_arena_free(&inf->arena);
    free(inf);
}

const bk_ini_t *bk_inf_ini(const bk_inf_t *inf)
{
    return inf->ini;
}

const char *bk_inf_path(const bk_inf_t *inf)
{
    return inf->path;
}

const char *bk_inf_dir(const bk_inf_t *inf)
{
    return inf->dir;
}

const bk_inf_platform_t *bk_inf_platform(const bk_inf_t *inf)
{
    return &inf->opt.platform;
}

const bk_inf_version_t *bk_inf_version(const bk_inf_t *inf)
{
    return &inf->version;
}

size_t bk_inf_manufacturer_count(const bk_inf_t *inf)
{
    return inf->nmfg;
}

const bk_inf_manufacturer_t *bk_inf_manufacturer_at(const bk_inf_t *inf, size_t i)
{
    return i < inf->nmfg ? &inf->mfg[i] : NULL;
}

static void consider(long *best, long score)
{
    if (*best < 0 || score < *best)
        *best = score;
}

long bk_inf_identifier_score(const bk_inf_model_t *model, const char *const *hardware_ids,
                             size_t nhardware, const char *const *compatible_ids,
                             size_t ncompatible)
{
    long best = -1;
    const char *hw = model->hardware_id;
    for (size_t i = 0; i < nhardware; i++) {
        if (hw[0] && bk_strcaseeq(hardware_ids[i], hw))
            consider(&best, 0x0000 + (long)(i > 0xFFF ? 0xFFF : i));
        for (size_t k = 0; k < model->ncompatible_ids; k++) {
            if (bk_strcaseeq(hardware_ids[i], model->compatible_ids[k]))
                consider(&best, 0x1000 + (long)(i > 0xFFF ? 0xFFF : i));
        }
    }
    for (size_t j = 0; j < ncompatible; j++) {
        if (hw[0] && bk_strcaseeq(compatible_ids[j], hw))
            consider(&best, 0x2000 + (long)(j > 0xFFF ? 0xFFF : j));
        for (size_t k = 0; k < model->ncompatible_ids; k++) {
            if (bk_strcaseeq(compatible_ids[j], model->compatible_ids[k])) {
                size_t hhh = j + k * 0x100;
                consider(&best, 0x3000 + (long)(hhh > 0xFFF ? 0xFFF : hhh));
            }
        }
    }
    return best;
}

const bk_inf_model_t *bk_inf_find_model(const bk_inf_t *inf, const char *const *hardware_ids,
                                        size_t nhardware, const char *const *compatible_ids,
                                        size_t ncompatible, long *score)
{
    const bk_inf_model_t *best = NULL;
    long best_score = -1;
    for (size_t m = 0; m < inf->nmfg; m++) {
        for (size_t i = 0; i < inf->mfg[m].nmodels; i++) {
            const bk_inf_model_t *md = &inf->mfg[m].model[i];
            long s =
                bk_inf_identifier_score(md, hardware_ids, nhardware, compatible_ids, ncompatible);
            if (s >= 0 && (best_score < 0 || s < best_score)) {
                best = md;
                best_score = s;
            }
        }
    }
    if (score)
        *score = best_score;
    return best;
}

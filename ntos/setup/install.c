/* install.c: bk_host_install_inf, installing a driver package from its INF.
 * Verify (refuse with file:line and nothing written), collect what the INF
 * installs (models, services, files, AddReg), place the files in the store,
 * stage every registry change (the package record, the service keys, the
 * HKLM values, the bindings), commit them in one step with one atomic file
 * write, remove the files of the version it replaced, and re-evaluate the
 * present devices. The order makes a crash leave the old state or the new
 * one (a stray store directory is removed by the next operation's gc). */
#include "setup_internal.h"
#include "battery_rules.h"
#include "../ldr/ldr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct pkg_file {
    char *dest;   /* the name the INF copies (NAME.sys) */
    char *source; /* the file on disk (NAME.so) */
    char *stored; /* its name in the package directory */
} pkg_file_t;

typedef struct pkg_service {
    const bk_inf_service_t *svc;
    bool function; /* some model's function driver */
    char *stored;  /* its binary's name in the package */
    char *image_path;
} pkg_service_t;

typedef struct pkg_template {
    const char *section; /* the models entry's install section */
    const bk_inf_install_t *inst;
} pkg_template_t;

typedef struct pkg {
    bk_inf_t *inf;
    char *path; /* the INF, absolute */
    char *dir;  /* its directory */
    const char *name;
    uint32_t flags;
    const bk_inf_version_t *ver;
    pkg_service_t *services;
    size_t nservices;
    pkg_file_t *files;
    size_t nfiles;
    setup_candidate_t *cands;
    size_t ncands;
    setup_strv_t ids;
    bk_inf_install_t *installs; /* one per distinct install section */
    pkg_template_t *templates;
    size_t ninstalls;
    const bk_inf_reg_t **globals;
    size_t nglobals;
    char *package_dir;
    char *dirname;
    uint64_t hash;
} pkg_t;

/* ---- helpers ---- */
static const char *base_of(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++) {
        if (*p == '\\' || *p == '/')
            b = p + 1;
    }
    return b;
}

static bool grow(void **items, size_t count, size_t size)
{
    /* Capacity 4, 8, 16, ...: grow when count reaches one of them. */
    if (count && (count < 4 || (count & (count - 1))))
        return true;
    void *n = realloc(*items, (count ? count * 2 : 4) * size);
    if (!n)
        return false;
    *items = n;
    return true;
}

/* NAME.sys and NAME.so are the same driver (inf.h: bk_inf_find_file). */
static bool same_stem(const char *a, const char *b)
{
    const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
    size_t na = da ? (size_t)(da - a) : strlen(a), nb = db ? (size_t)(db - b) : strlen(b);
    return na == nb && strncasecmp(a, b, na) == 0;
}

static const char *value_or(const char *v, const char *dflt)
{
    return v && *v ? v : dflt;
}

static void pkg_free(pkg_t *p)
{
    for (size_t i = 0; i < p->nfiles; i++) {
        free(p->files[i].dest);
        free(p->files[i].source);
        free(p->files[i].stored);
    }
    for (size_t i = 0; i < p->nservices; i++) {
        free(p->services[i].stored);
        free(p->services[i].image_path);
    }
    for (size_t i = 0; i < p->ncands; i++)
        setup_candidate_free(&p->cands[i]);
    free(p->files);
    free(p->services);
    free(p->cands);
    free(p->installs);
    free(p->templates);
    free(p->globals);
    setup_strv_free(&p->ids);
    free(p->package_dir);
    free(p->dirname);
    free(p->path);
    free(p->dir);
    bk_inf_close(p->inf);
}

/* ---- verify ---- */
static bool is_battery_class(const bk_inf_t *inf)
{
    const bk_inf_version_t *v = bk_inf_version(inf);
    return (v->class_name.value && !setup_strcasecmp(v->class_name.value, "Battery")) ||
           (v->class_guid.value &&
            !setup_strcasecmp(v->class_guid.value, SETUP_BATTERY_CLASS_GUID));
}

static NTSTATUS verify(pkg_t *p, setup_report_t *r)
{
    bk_diags_t diags = {0};
    /* Files an INF copies that battkit itself provides (battc.sys, as
     * Windows has it in System32\drivers) are found in the driver
     * directory after the INF's own. */
    const char *const search[] = {ldr_driver_dir(), NULL};
    bk_inf_options_t opt = {.search_dirs = search};
    p->inf = bk_inf_open(p->path, &opt, &diags);
    if (p->inf) {
        bk_inf_check(p->inf, &diags);
        if (is_battery_class(p->inf))
            setup_battery_rules(p->inf, &diags);
    }
    bk_diags_sort(&diags);
    setup_report_diags(r, &diags);
    NTSTATUS s = STATUS_SUCCESS;
    if (!p->inf || diags.errors) {
        setup_report(r, "%s: refused: %zu error%s; nothing was installed", p->path,
                     diags.errors ? diags.errors : 1, diags.errors == 1 ? "" : "s");
        s = STATUS_INVALID_PARAMETER;
    }
    bk_diags_free(&diags);
    return s;
}

/* ---- collecting the package ---- */
static NTSTATUS add_file(pkg_t *p, const char *dest, const char *source, setup_report_t *r,
                         const bk_ini_line_t *line)
{
    const char *stored = base_of(source);
    for (size_t i = 0; i < p->nfiles; i++) {
        pkg_file_t *f = &p->files[i];
        if (!setup_strcasecmp(f->stored, stored)) {
            char *real = realpath(source, NULL);
            bool same = real && strcmp(f->source, real) == 0;
            free(real);
            if (!same) {
                setup_report(r, "%s:%d: error: %s and %s would both be stored as %s", line->file,
                             line->line, f->source, source, stored);
                return STATUS_OBJECT_NAME_COLLISION;
            }
            return STATUS_SUCCESS; /* the same file under another name */
        }
    }
    if (!grow((void **)&p->files, p->nfiles, sizeof(*p->files)))
        return STATUS_INSUFFICIENT_RESOURCES;
    pkg_file_t *f = &p->files[p->nfiles];
    f->dest = strdup(dest);
    f->source = realpath(source, NULL);
    f->stored = strdup(stored);
    if (!f->dest || !f->source || !f->stored) {
        free(f->dest);
        free(f->source);
        free(f->stored);
        setup_report(r, "%s:%d: error: %s: %s", line->file, line->line, source, strerror(errno));
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    p->nfiles++;
    return STATUS_SUCCESS;
}

static NTSTATUS add_service(pkg_t *p, const bk_inf_service_t *svc, bool function)
{
    for (size_t i = 0; i < p->nservices; i++) {
        if (!setup_strcasecmp(p->services[i].svc->name, svc->name)) {
            p->services[i].function |= function;
            return STATUS_SUCCESS;
        }
    }
    if (!grow((void **)&p->services, p->nservices, sizeof(*p->services)))
        return STATUS_INSUFFICIENT_RESOURCES;
    p->services[p->nservices++] = (pkg_service_t){.svc = svc, .function = function};
    return STATUS_SUCCESS;
}

static void add_globals(pkg_t *p, const bk_inf_reg_t *regs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (regs[i].root == BK_INF_HKR)
            continue;
        if (grow((void **)&p->globals, p->nglobals, sizeof(*p->globals)))
            p->globals[p->nglobals++] = &regs[i];
    }
}

/* docs (Signature Score): unsigned packages rank 0x80 when installed from
 * a DDInstall section with a .nt platform extension, 0xC0 otherwise. */
static unsigned signature_score(const pkg_t *p, const bk_inf_install_t *inst)
{
    if (p->flags & BK_SETUP_TRUSTED)
        return SETUP_SIG_TRUSTED;
    size_t n = strlen(inst->name);
    const char *ext = inst->section_name + (strlen(inst->section_name) >= n ? n : 0);
    return strncasecmp(ext, ".nt", 3) == 0 ? SETUP_SIG_UNSIGNED_NT : SETUP_SIG_UNSIGNED;
}

/* docs (INF FeatureScore Directive): a hex byte in the DDInstall section;
 * 0xFF when there is none. */
static unsigned feature_score(const bk_inf_install_t *inst)
{
    const bk_ini_line_t *l = bk_ini_find_key(inst->section, "FeatureScore");
    char *end;
    unsigned long v = l ? strtoul(l->fields[0], &end, 16) : SETUP_FEATURE_DEFAULT;
    return l && (*end || v > 0xFF) ? SETUP_FEATURE_DEFAULT : (unsigned)v;
}

static NTSTATUS add_candidate(pkg_t *p, const bk_inf_model_t *md, const bk_inf_install_t *inst,
                              const char *id, bool inf_compat, unsigned k)
{
    const bk_inf_version_t *v = p->ver;
    setup_candidate_t c = {
        .id = strdup(id),
        .inf = strdup(p->name),
        .service = strdup(inst->function_service->name),
        .image_path = strdup(""),
        .section = strdup(md->install_section),
        .class_guid = strdup(value_or(v->class_guid.value, "")),
        .description = strdup(value_or(md->description, "")),
        .date_text = strdup(value_or(v->driver_ver.value, "")),
        .version_text = strdup(value_or(v->driver_version, "")),
        .rank_base = setup_rank_base(signature_score(p, inst), feature_score(inst)),
        .inf_compat = inf_compat,
        .compat_index = k,
        .date = setup_parse_date(v->driver_ver.value),
        .version = setup_parse_version(v->driver_version),
    };
    if (!c.id || !c.inf || !c.service || !c.image_path || !c.section || !c.class_guid ||
        !c.description || !c.date_text || !c.version_text) {
        setup_candidate_free(&c);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    /* One claim per ID: the best of the package's models entries. */
    for (size_t i = 0; i < p->ncands; i++) {
        if (!setup_strcasecmp(p->cands[i].id, id)) {
            if (setup_candidate_compare(&c, &p->cands[i]) < 0) {
                setup_candidate_free(&p->cands[i]);
                p->cands[i] = c;
            } else {
                setup_candidate_free(&c);
            }
            return STATUS_SUCCESS;
        }
    }
    if (!grow((void **)&p->cands, p->ncands, sizeof(*p->cands)) ||
        !setup_strv_add_unique(&p->ids, id)) {
        setup_candidate_free(&c);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    p->cands[p->ncands++] = c;
    return STATUS_SUCCESS;
}

static NTSTATUS add_install(pkg_t *p, const bk_inf_model_t *md, setup_report_t *r)
{
    for (size_t i = 0; i < p->ninstalls; i++) {
        if (!setup_strcasecmp(p->templates[i].section, md->install_section))
            goto models;
    }
    if (!grow((void **)&p->installs, p->ninstalls, sizeof(*p->installs)) ||
        !grow((void **)&p->templates, p->ninstalls, sizeof(*p->templates)))
        return STATUS_INSUFFICIENT_RESOURCES;
    bk_inf_install_t *inst = &p->installs[p->ninstalls];
    if (bk_inf_get_install(p->inf, md->install_section, inst, NULL) != 0) {
        setup_report(r, "%s:%d: error: install section %s is not defined", md->line->file,
                     md->line->line, md->install_section);
        return STATUS_INVALID_PARAMETER;
    }
    p->templates[p->ninstalls] = (pkg_template_t){.section = md->install_section};
    p->ninstalls++;
    /* The templates point into installs, which may move: fixed up later. */
    for (size_t i = 0; i < inst->ncopies; i++) {
        const bk_inf_copy_t *c = &inst->copies[i];
        if (!c->source_path) {
            setup_report(r, "%s:%d: error: %s not found", c->line->file, c->line->line,
                         c->source_name);
            return STATUS_OBJECT_NAME_NOT_FOUND;
        }
        NTSTATUS s = add_file(p, c->dest_name, c->source_path, r, c->line);
        if (!NT_SUCCESS(s))
            return s;
    }
    for (size_t i = 0; i < inst->nservices; i++) {
        const bk_inf_service_t *svc = &inst->services[i];
        NTSTATUS s = add_service(p, svc, svc == inst->function_service);
        if (!NT_SUCCESS(s))
            return s;
        add_globals(p, svc->regs, svc->nregs);
    }
    add_globals(p, inst->regs, inst->nregs);
    add_globals(p, inst->hw_regs, inst->nhw_regs);
models:;
    const bk_inf_install_t *in = NULL;
    for (size_t i = 0; i < p->ninstalls; i++) {
        if (!setup_strcasecmp(p->templates[i].section, md->install_section))
            in = &p->installs[i];
    }
    if (!in->function_service) {
        setup_report(r,
                     "%s:%d: warning: %s has no function driver (AddService flag 0x2): %s is "
                     "not bound",
                     md->line->file, md->line->line, md->install_section,
                     value_or(md->hardware_id, "(no ID)"));
        return STATUS_SUCCESS;
    }
    NTSTATUS s = STATUS_SUCCESS;
    if (md->hardware_id[0])
        s = add_candidate(p, md, in, md->hardware_id, false, 0);
    for (size_t k = 0; k < md->ncompatible_ids && NT_SUCCESS(s); k++)
        s = add_candidate(p, md, in, md->compatible_ids[k], true, (unsigned)k);
    return s;
}

static NTSTATUS collect(pkg_t *p, setup_report_t *r)
{
    NTSTATUS s = STATUS_SUCCESS;
    p->ver = bk_inf_version(p->inf);
    for (size_t m = 0; m < bk_inf_manufacturer_count(p->inf) && NT_SUCCESS(s); m++) {
        const bk_inf_manufacturer_t *mfg = bk_inf_manufacturer_at(p->inf, m);
        for (size_t i = 0; i < mfg->nmodels && NT_SUCCESS(s); i++) {
            if (mfg->model[i].install_section[0])
                s = add_install(p, &mfg->model[i], r);
        }
    }
    for (size_t i = 0; i < p->ninstalls; i++)
        p->templates[i].inst = &p->installs[i];
    if (NT_SUCCESS(s) && p->ncands == 0) {
        setup_report(r, "%s: error: no models entry installs a function driver for this platform",
                     p->path);
        s = STATUS_INVALID_PARAMETER;
    }
    /* Function drivers first: the record's Services list says so. */
    for (size_t i = 1; i < p->nservices; i++) {
        pkg_service_t x = p->services[i];
        size_t j = i;
        for (; j > 0 && x.function && !p->services[j - 1].function; j--)
            p->services[j] = p->services[j - 1];
        p->services[j] = x;
    }
    return s;
}

/* docs (service-install section): ServiceBinary = %dirid%\file, a file the
 * CopyFiles directives transfer. The store keeps it as its .so. */
static NTSTATUS resolve_binaries(pkg_t *p, setup_report_t *r)
{
    for (size_t i = 0; i < p->nservices; i++) {
        const bk_inf_service_t *svc = p->services[i].svc;
        const char *bin = base_of(value_or(svc->service_binary.value, ""));
        const pkg_file_t *file = NULL;
        for (size_t j = 0; j < p->nfiles && *bin && !file; j++) {
            if (!setup_strcasecmp(p->files[j].dest, bin))
                file = &p->files[j];
        }
        for (size_t j = 0; j < p->nfiles && *bin && !file; j++) {
            if (same_stem(p->files[j].stored, bin))
                file = &p->files[j];
        }
        if (!file && *bin) {
            char *found = bk_inf_find_file(p->dir, bin);
            if (found) {
                setup_report(r,
                             "%s:%d: warning: ServiceBinary %s is not copied by CopyFiles; "
                             "stored from beside the INF",
                             svc->service_binary.file, svc->service_binary.line, bin);
                NTSTATUS s = add_file(p, bin, found, r, svc->line);
                for (size_t j = 0; j < p->nfiles && NT_SUCCESS(s) && !file; j++) {
                    if (!strcmp(p->files[j].stored, base_of(found)))
                        file = &p->files[j];
                }
                free(found);
                if (!NT_SUCCESS(s))
                    return s;
            }
        }
        if (!file) {
            setup_report(r, "%s:%d: error: ServiceBinary %s of service %s not found",
                         value_or(svc->service_binary.file, svc->line->file),
                         svc->service_binary.line ? svc->service_binary.line : svc->line->line,
                         *bin ? bin : "(none)", svc->name);
            return STATUS_OBJECT_NAME_NOT_FOUND;
        }
        p->services[i].stored = strdup(file->stored);
        if (!p->services[i].stored)
            return STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_SUCCESS;
}

static int file_order(const void *a, const void *b)
{
    return strcmp(((const pkg_file_t *)a)->stored, ((const pkg_file_t *)b)->stored);
}

/* The package directory: <store>/<inf name>_<hash of the INF and files>. */
static NTSTATUS name_package(pkg_t *p, const char *root, setup_report_t *r)
{
    uint64_t h = SETUP_HASH_INIT;
    if (!setup_hash_file(&h, p->path)) {
        setup_report(r, "%s: cannot read: %s", p->path, strerror(errno));
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    if (p->nfiles)
        qsort(p->files, p->nfiles, sizeof(*p->files), file_order);
    for (size_t i = 0; i < p->nfiles; i++) {
        h = setup_hash_bytes(h, p->files[i].stored, strlen(p->files[i].stored) + 1);
        if (!setup_hash_file(&h, p->files[i].source)) {
            setup_report(r, "%s: cannot read: %s", p->files[i].source, strerror(errno));
            return STATUS_OBJECT_NAME_NOT_FOUND;
        }
    }
    p->hash = h;
    p->dirname = setup_printf("%s_%016llx", p->name, (unsigned long long)h);
    p->package_dir =
        (p->flags & BK_SETUP_IN_PLACE) ? strdup(p->dir) : setup_printf("%s/%s", root, p->dirname);
    return p->dirname && p->package_dir ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/* Where each service's binary is once the package is in place. */
static NTSTATUS set_image_paths(pkg_t *p)
{
    for (size_t i = 0; i < p->nservices; i++) {
        pkg_service_t *ps = &p->services[i];
        for (size_t j = 0; j < p->nfiles && !ps->image_path; j++) {
            if (strcmp(p->files[j].stored, ps->stored))
                continue;
            ps->image_path = (p->flags & BK_SETUP_IN_PLACE)
                                 ? strdup(p->files[j].source)
                                 : setup_printf("%s/%s", p->package_dir, ps->stored);
            if (!ps->image_path)
                return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    for (size_t i = 0; i < p->ncands; i++) {
        for (size_t j = 0; j < p->nservices; j++) {
            if (!setup_strcasecmp(p->cands[i].service, p->services[j].svc->name)) {
                free(p->cands[i].image_path);
                p->cands[i].image_path = strdup(value_or(p->services[j].image_path, ""));
                if (!p->cands[i].image_path)
                    return STATUS_INSUFFICIENT_RESOURCES;
            }
        }
    }
    return STATUS_SUCCESS;
}

/* ---- staging the registry ---- */
/* docs (service-install section): the values a service key carries. */
static void stage_service_values(setup_stage_t *st, const char *path, const pkg_service_t *ps)
{
    const bk_inf_service_t *svc = ps->svc;
    setup_stage_dword(st, path, "Type", (ULONG)svc->service_type_value);
    setup_stage_dword(st, path, "Start", (ULONG)svc->start_type_value);
    setup_stage_dword(st, path, "ErrorControl", (ULONG)svc->error_control_value);
    setup_stage_expand_sz(st, path, "ImagePath", ps->image_path);
    setup_stage_sz(st, path, "DisplayName", value_or(svc->display_name.value, svc->name));
    if (svc->description.value)
        setup_stage_sz(st, path, "Description", svc->description.value);
    if (svc->load_order_group.value && *svc->load_order_group.value)
        setup_stage_sz(st, path, "Group", svc->load_order_group.value);
    if (svc->start_name.value && *svc->start_name.value)
        setup_stage_sz(st, path, "ObjectName", svc->start_name.value);
    if (svc->dependencies.value && *svc->dependencies.value) {
        /* docs: "+group" is a load order group, anything else a service. */
        setup_strv_t on_service = {0}, on_group = {0};
        char *list = strdup(svc->dependencies.value);
        for (char *save = NULL, *tok = list ? strtok_r(list, ",", &save) : NULL; tok;
             tok = strtok_r(NULL, ",", &save)) {
            while (*tok == ' ' || *tok == '\t')
                tok++;
            char *end = tok + strlen(tok);
            while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
                *--end = 0;
            if (*tok == '+' && tok[1])
                setup_strv_add(&on_group, tok + 1);
            else if (*tok)
                setup_strv_add(&on_service, tok);
        }
        if (on_service.count)
            setup_stage_multi(st, path, "DependOnService", &on_service);
        if (on_group.count)
            setup_stage_multi(st, path, "DependOnGroup", &on_group);
        setup_strv_free(&on_service);
        setup_strv_free(&on_group);
        free(list);
    }
}

/* HKR AddReg entries relative to `base`: the service key now, or a device
 * template in the record (applied when a device binds). */
static void stage_hkr(setup_stage_t *st, const char *base, const bk_inf_reg_t *regs, size_t n,
                      bool honor_existing, setup_report_t *r)
{
    for (size_t i = 0; i < n; i++) {
        const bk_inf_reg_t *g = &regs[i];
        if (g->root != BK_INF_HKR)
            continue;
        char *path = *g->subkey ? setup_printf("%s\\%s", base, g->subkey) : strdup(base);
        if (!path) {
            st->oom = true;
            return;
        }
        uint32_t f = g->flags;
        if (f & BK_FLG_ADDREG_KEYONLY) {
            setup_stage_create_key(st, path);
        } else if (f & BK_FLG_ADDREG_DELVAL) {
            if (honor_existing && *g->value_name)
                setup_stage_delete_value(st, path, g->value_name);
            else
                setup_report(r, "%s:%d: warning: AddReg FLG_ADDREG_DELVAL here is skipped",
                             g->line->file, g->line->line);
        } else {
            ULONG type, size, etype = 0, esize = 0;
            void *data, *existing = NULL;
            bool exists =
                honor_existing && setup_reg_raw(path, g->value_name, &etype, &existing, &esize);
            bool skip = honor_existing && (((f & BK_FLG_ADDREG_NOCLOBBER) && exists) ||
                                           ((f & BK_FLG_ADDREG_OVERWRITEONLY) && !exists));
            if (!skip && setup_addreg_data(g, &type, &data, &size, existing, esize, etype)) {
                setup_stage_set(st, path, g->value_name, type, data, size);
                free(data);
            } else if (!skip) {
                setup_report(r, "%s:%d: warning: AddReg entry writes nothing (flags 0x%08x)",
                             g->line->file, g->line->line, (unsigned)f);
            }
            free(existing);
        }
        free(path);
    }
}

static void stage_record(setup_stage_t *st, const pkg_t *p, const setup_written_list_t *written,
                         setup_report_t *r)
{
    char *rec = setup_record_path(p->name, NULL);
    char hash[17];
    setup_strv_t services = {0}, files = {0};
    if (!rec) {
        st->oom = true;
        return;
    }
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)p->hash);
    for (size_t i = 0; i < p->nservices; i++)
        setup_strv_add(&services, p->services[i].svc->name);
    for (size_t i = 0; i < p->nfiles; i++)
        setup_strv_add(&files, p->files[i].stored);
    setup_stage_delete_key(st, rec);
    setup_stage_sz(st, rec, "OriginalPath", p->path);
    setup_stage_sz(st, rec, "StoreDir", p->package_dir);
    setup_stage_dword(st, rec, "InPlace", (p->flags & BK_SETUP_IN_PLACE) != 0);
    setup_stage_dword(st, rec, "Trusted", (p->flags & BK_SETUP_TRUSTED) != 0);
    setup_stage_sz(st, rec, "Hash", hash);
    setup_stage_sz(st, rec, "Class", value_or(p->ver->class_name.value, ""));
    setup_stage_sz(st, rec, "ClassGuid", value_or(p->ver->class_guid.value, ""));
    setup_stage_sz(st, rec, "Provider", value_or(p->ver->provider.value, ""));
    setup_stage_sz(st, rec, "DriverDate", value_or(p->ver->driver_ver.value, ""));
    setup_stage_sz(st, rec, "DriverVersion", value_or(p->ver->driver_version, ""));
    setup_stage_multi(st, rec, "Services", &services);
    setup_stage_multi(st, rec, "Ids", &p->ids);
    setup_stage_multi(st, rec, "Files", &files);
    for (size_t i = 0; i < p->ncands; i++) {
        const setup_candidate_t *c = &p->cands[i];
        char *m = setup_printf("%s\\Matches\\%04zu", rec, i);
        if (!m) {
            st->oom = true;
            break;
        }
        setup_stage_sz(st, m, "Id", c->id);
        setup_stage_sz(st, m, "Service", c->service);
        setup_stage_sz(st, m, "ImagePath", c->image_path);
        setup_stage_sz(st, m, "InstallSection", c->section);
        setup_stage_sz(st, m, "Description", c->description);
        setup_stage_dword(st, m, "Rank", c->rank_base);
        setup_stage_dword(st, m, "IdType", c->inf_compat);
        setup_stage_dword(st, m, "CompatIndex", c->compat_index);
        free(m);
    }
    /* Each service's own values, to restore them if another package that
     * installs the same service is uninstalled. */
    for (size_t i = 0; i < p->nservices; i++) {
        char *s = setup_printf("%s\\Services\\%s", rec, p->services[i].svc->name);
        if (s)
            stage_service_values(st, s, &p->services[i]);
        st->oom |= !s;
        free(s);
    }
    /* Per-device values: copied to a device's keys when it binds. */
    for (size_t i = 0; i < p->ninstalls; i++) {
        const bk_inf_install_t *in = p->templates[i].inst;
        char *sw = setup_printf("%s\\Devices\\%s\\Software", rec, p->templates[i].section);
        char *hw = setup_printf("%s\\Devices\\%s\\Hardware", rec, p->templates[i].section);
        if (sw && hw) {
            stage_hkr(st, sw, in->regs, in->nregs, false, r);
            stage_hkr(st, hw, in->hw_regs, in->nhw_regs, false, r);
        }
        st->oom |= !sw || !hw;
        free(sw);
        free(hw);
    }
    setup_stage_written_record(st, p->name, written);
    setup_strv_free(&services);
    setup_strv_free(&files);
    free(rec);
}

static void stage_services(setup_stage_t *st, const pkg_t *p, const setup_record_t *old,
                           setup_report_t *r)
{
    for (size_t i = 0; i < p->nservices; i++) {
        const pkg_service_t *ps = &p->services[i];
        char *path = setup_printf("%s\\%s", SETUP_KEY_SERVICES, ps->svc->name);
        if (!path) {
            st->oom = true;
            return;
        }
        stage_service_values(st, path, ps);
        stage_hkr(st, path, ps->svc->regs, ps->svc->nregs, true, r);
        setup_report(r, "service %s: %s", ps->svc->name, ps->image_path);
        free(path);
    }
    /* Services the earlier version installed and this one does not. */
    setup_strv_t skip = {0};
    setup_strv_add(&skip, p->name);
    for (size_t i = 0; old && i < old->services.count; i++) {
        const char *name = old->services.items[i];
        bool kept = false;
        for (size_t j = 0; j < p->nservices; j++)
            kept |= !setup_strcasecmp(p->services[j].svc->name, name);
        if (kept || setup_service_owned_elsewhere(name, &skip))
            continue;
        char *path = setup_printf("%s\\%s", SETUP_KEY_SERVICES, name);
        if (path)
            setup_stage_delete_key(st, path);
        st->oom |= !path;
        free(path);
    }
    setup_strv_free(&skip);
}

/* Services whose binary moved (an update): their devices restart. */
static void changed_services(const pkg_t *p, const setup_record_t *old, setup_strv_t *out)
{
    for (size_t i = 0; old && i < old->nmatches; i++) {
        for (size_t j = 0; j < p->nservices; j++) {
            if (!setup_strcasecmp(old->matches[i].service, p->services[j].svc->name) &&
                strcmp(value_or(old->matches[i].image_path, ""), p->services[j].image_path))
                setup_strv_add_unique(out, p->services[j].svc->name);
        }
    }
}

/* ---- the install ---- */
static NTSTATUS install_locked(const char *inf_path, uint32_t flags, setup_report_t *r)
{
    pkg_t p = {.flags = flags};
    setup_record_t old;
    bool have_old = false, created = false;
    setup_stage_t st = {0};
    setup_written_list_t old_written = {0}, written = {0};
    setup_strv_t ids = {0}, skip = {0}, changed = {0};
    char root[SETUP_PATH_MAX] = "";
    NTSTATUS s;

    p.path = realpath(inf_path, NULL);
    if (!p.path) {
        setup_report(r, "%s: cannot read: %s", inf_path, strerror(errno));
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    p.name = base_of(p.path);
    p.dir = strndup(p.path, (size_t)(p.name - p.path - (p.name > p.path ? 1 : 0)));
    if (!p.dir) {
        s = STATUS_INSUFFICIENT_RESOURCES;
        goto out;
    }
    if (!(flags & BK_SETUP_IN_PLACE)) {
        char *abs = NULL;
        if (!setup_mkdirs(setup_store_root()) || !(abs = realpath(setup_store_root(), NULL))) {
            setup_report(r, "store: cannot create %s: %s", setup_store_root(), strerror(errno));
            s = STATUS_ACCESS_DENIED;
            goto out;
        }
        snprintf(root, sizeof root, "%s", abs);
        free(abs);
        setup_store_gc(root);
    }
    s = verify(&p, r);
    if (NT_SUCCESS(s))
        s = collect(&p, r);
    if (NT_SUCCESS(s))
        s = resolve_binaries(&p, r);
    if (NT_SUCCESS(s))
        s = name_package(&p, root, r);
    if (NT_SUCCESS(s))
        s = set_image_paths(&p);
    if (!NT_SUCCESS(s))
        goto out;

    if (!(flags & BK_SETUP_IN_PLACE)) {
        setup_file_t *files = calloc(p.nfiles + 1, sizeof(*files));
        if (!files) {
            s = STATUS_INSUFFICIENT_RESOURCES;
            goto out;
        }
        for (size_t i = 0; i < p.nfiles; i++)
            files[i] =
                (setup_file_t){.source = p.files[i].source, .stored_name = p.files[i].stored};
        /* docs: the driver store keeps the INF with the package. */
        files[p.nfiles] = (setup_file_t){.source = p.path, .stored_name = (char *)p.name};
        s = setup_store_place(root, p.dirname, files, p.nfiles + 1, &created, r);
        free(files);
        if (NT_SUCCESS(s) && setup_fault(BK_SETUP_AT_FILES_PLACED)) {
            setup_report(r, "stopped after placing the files by the test hook");
            s = STATUS_UNSUCCESSFUL;
        }
        if (!NT_SUCCESS(s))
            goto out;
    }

    have_old = setup_record_read(p.name, &old);
    if (have_old)
        setup_written_load(p.name, &old_written);
    setup_stage_globals(&st, p.globals, p.nglobals, have_old ? &old_written : NULL, &written, r);
    stage_record(&st, &p, &written, r);
    stage_services(&st, &p, have_old ? &old : NULL, r);
    for (size_t i = 0; i < p.ids.count; i++)
        setup_strv_add_unique(&ids, p.ids.items[i]);
    for (size_t i = 0; have_old && i < old.ids.count; i++)
        setup_strv_add_unique(&ids, old.ids.items[i]);
    setup_strv_add(&skip, p.name);
    setup_stage_bindings(&st, &ids, &skip, p.cands, p.ncands, r);
    if (setup_fault(BK_SETUP_AT_REGISTRY_STAGED)) {
        setup_report(r, "stopped before the registry by the test hook");
        s = STATUS_UNSUCCESSFUL;
        goto out;
    }
    s = setup_stage_commit(&st, r);
    if (!NT_SUCCESS(s))
        goto out;
    created = false; /* committed: the new directory stays */
    setup_fault(BK_SETUP_AT_COMMITTED);
    if (have_old && !old.in_place && old.store_dir && strcmp(old.store_dir, p.package_dir))
        setup_store_remove(old.store_dir);
    setup_report(r, "%s: installed (%s %s, %s)", p.name, value_or(p.ver->driver_ver.value, "?"),
                 value_or(p.ver->driver_version, ""),
                 (flags & BK_SETUP_IN_PLACE) ? "in place" : p.package_dir);
    if (!(flags & BK_SETUP_NO_REBIND)) {
        changed_services(&p, have_old ? &old : NULL, &changed);
        size_t n = pnp_rebind((const char *const *)changed.items, changed.count);
        if (n)
            setup_report(r, "%zu device%s started with the new bindings", n, n == 1 ? "" : "s");
    }
out:
    if (created) {
        char *dir = setup_printf("%s/%s", root, p.dirname);
        if (dir)
            setup_store_remove(dir);
        free(dir);
    }
    if (have_old)
        setup_record_free(&old);
    setup_written_free(&old_written);
    setup_written_free(&written);
    setup_strv_free(&ids);
    setup_strv_free(&skip);
    setup_strv_free(&changed);
    setup_stage_free(&st);
    pkg_free(&p);
    return s;
}

bk_status_t bk_host_install_inf_ex(bk_host_t *host, const char *inf_path, uint32_t flags,
                                   char *report, size_t len)
{
    (void)host;
    setup_report_t r;
    setup_report_init(&r, report, len);
    if (!inf_path || !*inf_path)
        return STATUS_INVALID_PARAMETER;
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    setup_lock();
    NTSTATUS s = install_locked(inf_path, flags, &r);
    setup_unlock();
    return s;
}

bk_status_t bk_host_install_inf(bk_host_t *host, const char *inf_path, char *report, size_t len)
{
    return bk_host_install_inf_ex(host, inf_path, 0, report, len);
}

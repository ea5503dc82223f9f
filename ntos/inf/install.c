/* install.c: what one DDInstall section installs, resolved for the platform:
 * the install section variant (name.ntamd64, name.nt, name), CopyFiles with
 * destinations and source files, AddReg entries, .HW and .Services sections,
 * AddService with its service-install section, and Include=/Needs= sections
 * of other INFs folded in. Reports undefined sections with the line naming
 * them. Checks of values are check.c's. */
#include "inf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum sec_kind { KIND_INSTALL, KIND_HW, KIND_SERVICES };

typedef struct install_ctx {
    bk_inf_t *inf; /* the INF being installed: owns results and includes */
    bk_diags_t *diags;
    bk_vec_t copies, regs, hw_regs, services, includes; /* includes: bk_inf_t * */
    bool missing_include;
    bool oom;
} install_ctx_t;

#define ERR(l, ...)  bk_diags_add(ctx->diags, (l)->file, (l)->line, BK_SEV_ERROR, __VA_ARGS__)
#define WARN(l, ...) bk_diags_add(ctx->diags, (l)->file, (l)->line, BK_SEV_WARNING, __VA_ARGS__)

/* [base.arch] before [base]: docs (SourceDisksNames/Files) platform variants. */
static const bk_ini_section_t *arch_section(const bk_inf_t *src, const char *base)
{
    char name[64];
    snprintf(name, sizeof(name), "%s.%s", base, src->opt.platform.arch);
    const bk_ini_section_t *s = bk_inf_section(src, name);
    return s ? s : bk_inf_section(src, base);
}

/* docs (DestinationDirs): file-list-section = dirid[,subdir], else
 * DefaultDestDir; -1 when neither applies or the DIRID is not a number. */
static long dest_dir(const bk_inf_t *src, const char *list, const char **subdir)
{
    const bk_ini_section_t *dd = bk_inf_section(src, "DestinationDirs");
    const bk_ini_line_t *l = list ? bk_ini_find_key(dd, list) : NULL;
    if (!l)
        l = bk_ini_find_key(dd, "DefaultDestDir");
    unsigned long v;
    *subdir = "";
    if (!l || bk_parse_ulong(l->fields[0], &v) || v > 0x7FFFFFFFul)
        return -1;
    *subdir = bk_ini_field(l, 1);
    return (long)v;
}

static void append_path(char *buf, size_t size, const char *part)
{
    while (*part == '\\' || *part == '/')
        part++;
    if (!*part)
        return;
    size_t n = strlen(buf);
    if (n + 1 < size && n && buf[n - 1] != '/')
        buf[n++] = '/';
    for (; *part && n + 1 < size; part++)
        buf[n++] = *part == '\\' ? '/' : *part;
    buf[n] = '\0';
}

/* Where the source file is: docs (SourceDisksNames: diskid = description,
 * [tag], [unused], path; SourceDisksFiles: name = diskid[, subdir]), below the
 * INF's directory; then the search path. */
static const char *find_source(install_ctx_t *ctx, const bk_inf_t *src, const char *name,
                               const bk_ini_line_t *line)
{
    if (ctx->inf->opt.no_file_checks || !*name)
        return NULL;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", src->dir);
    const bk_ini_section_t *files = arch_section(src, "SourceDisksFiles");
    const bk_ini_line_t *fl = bk_ini_find_key(files, name);
    if (fl) {
        const bk_ini_section_t *disks = arch_section(src, "SourceDisksNames");
        const bk_ini_line_t *dl = bk_ini_find_key(disks, fl->fields[0]);
        if (dl)
            append_path(dir, sizeof(dir), bk_ini_field(dl, 3));
        append_path(dir, sizeof(dir), bk_ini_field(fl, 1));
    } else if (files) {
        WARN(line, "'%s' is not listed in [%s]", name, files->name);
    }
    char *path = bk_inf_find_file(dir, name);
    for (size_t i = 0; !path && src->search_dirs[i]; i++)
        path = bk_inf_find_file(src->search_dirs[i], name);
    if (!path) {
        if (ctx->inf->search_dirs[0])
            ERR(line, "file '%s' to copy is not in %s nor in the search path", name, dir);
        else
            ERR(line, "file '%s' to copy is not in %s", name, dir);
        return NULL;
    }
    const char *out = bk_arena_strdup(&ctx->inf->arena, path);
    free(path);
    return out;
}

static void add_copy(install_ctx_t *ctx, const bk_inf_t *src, const bk_ini_line_t *line,
                     const char *dest, const char *source, uint32_t flags, const char *list,
                     long dirid, const char *subdir)
{
    bk_inf_copy_t *c = bk_vec_push(&ctx->copies);
    if (!c) {
        ctx->oom = true;
        return;
    }
    c->dest_name = dest;
    c->source_name = source && *source ? source : dest;
    c->flags = flags;
    c->list_section = list;
    c->dirid = dirid;
    c->dest_subdir = subdir;
    c->inf = src;
    c->line = line;
    const char *path = find_source(ctx, src, c->source_name, line);
    c = (bk_inf_copy_t *)ctx->copies.data + ctx->copies.n - 1;
    c->source_path = path;
}

static int parse_number(install_ctx_t *ctx, const bk_ini_line_t *l, const char *what,
                        const char *text, uint32_t *out)
{
    unsigned long v;
    *out = 0;
    if (!*text)
        return 0;
    if (bk_parse_ulong(text, &v) || v > 0xFFFFFFFFul) {
        ERR(l, "%s '%s' is not a number", what, text);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* docs (CopyFiles): CopyFiles=@filename | file-list-section[,file-list-section]
 * and in a list: destination-file-name[,source-file-name][,unused][,flag]. */
static void do_copyfiles(install_ctx_t *ctx, const bk_inf_t *src, const bk_ini_line_t *l)
{
    for (size_t f = 0; f < l->nfields; f++) {
        const char *item = l->fields[f];
        const char *subdir;
        if (!*item)
            continue;
        if (item[0] == '@') {
            long dirid = dest_dir(src, NULL, &subdir);
            if (dirid < 0)
                ERR(l, "CopyFiles=%s needs a DefaultDestDir in [DestinationDirs]", item);
            add_copy(ctx, src, l, item + 1, NULL, 0, NULL, dirid, subdir);
            continue;
        }
        const bk_ini_section_t *list = bk_inf_section(src, item);
        if (!list) {
            ERR(l, "CopyFiles names section [%s], which is not defined", item);
            continue;
        }
        long dirid = dest_dir(src, list->name, &subdir);
        if (dirid < 0)
            ERR(l,
                "no destination for [%s]: add '%s = 12' or a DefaultDestDir to "
                "[DestinationDirs]",
                list->name, list->name);
        for (size_t i = 0; i < list->nlines; i++) {
            const bk_ini_line_t *fl = &list->lines[i];
            uint32_t flags;
            if (fl->key) {
                WARN(fl, "unexpected '=' in file list [%s]", list->name);
                continue;
            }
            if (!fl->fields[0][0])
                continue;
            parse_number(ctx, fl, "copy flag", bk_ini_field(fl, 3), &flags);
            add_copy(ctx, src, fl, fl->fields[0], bk_ini_field(fl, 1), flags, list->name, dirid,
                     subdir);
        }
    }
}

static const struct {
    const char *name;
    bk_inf_reg_root_t root;
} reg_roots[] = {
    {"HKR", BK_INF_HKR},   {"HKLM", BK_INF_HKLM}, {"HKCR", BK_INF_HKCR},
    {"HKCU", BK_INF_HKCU}, {"HKU", BK_INF_HKU},
};

static int is_hex_byte(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 2)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

/* docs (AddReg): reg-root, [subkey], [value-entry-name], [flags], [value]... */
static void do_addreg(install_ctx_t *ctx, const bk_inf_t *src, const bk_ini_line_t *l,
                      bk_vec_t *out)
{
    for (size_t f = 0; f < l->nfields; f++) {
        if (!l->fields[f][0])
            continue;
        const bk_ini_section_t *sec = bk_inf_section(src, l->fields[f]);
        if (!sec) {
            ERR(l, "AddReg names section [%s], which is not defined", l->fields[f]);
            continue;
        }
        for (size_t i = 0; i < sec->nlines; i++) {
            const bk_ini_line_t *rl = &sec->lines[i];
            if (rl->key) {
                ERR(rl,
                    "unexpected '=' in add-registry section [%s] (quote a value that holds "
                    "'=')",
                    sec->name);
                continue;
            }
            size_t r;
            for (r = 0; r < sizeof(reg_roots) / sizeof(reg_roots[0]); r++) {
                if (bk_strcaseeq(rl->fields[0], reg_roots[r].name))
                    break;
            }
            if (r == sizeof(reg_roots) / sizeof(reg_roots[0])) {
                ERR(rl, "unknown registry root '%s' (expected HKR, HKLM, HKCR, HKCU or HKU)",
                    rl->fields[0]);
                continue;
            }
            uint32_t flags;
            if (parse_number(ctx, rl, "AddReg flags", bk_ini_field(rl, 3), &flags))
                continue;
            size_t nvalues = rl->nfields > 4 ? rl->nfields - 4 : 0;
            const char *const *values = nvalues ? rl->fields + 4 : NULL;
            /* The low bit says binary data; high word 1 with it is REG_DWORD. */
            bool dword = (flags & 0xFFFF0001u) == BK_FLG_ADDREG_TYPE_DWORD;
            if (dword && nvalues) {
                unsigned long v;
                if (values[0][0] && (bk_parse_ulong(values[0], &v) || v > 0xFFFFFFFFul))
                    ERR(rl, "REG_DWORD value '%s' is not a number", values[0]);
            } else if (!dword && (flags & BK_FLG_ADDREG_BINVALUETYPE)) {
                for (size_t v = 0; v < nvalues; v++) {
                    if (!is_hex_byte(values[v])) {
                        ERR(rl, "binary value byte '%s' is not one or two hex digits", values[v]);
                        break;
                    }
                }
            }
            bk_inf_reg_t *reg = bk_vec_push(out);
            if (!reg) {
                ctx->oom = true;
                return;
            }
            reg->root = reg_roots[r].root;
            reg->subkey = bk_ini_field(rl, 1);
            reg->value_name = bk_ini_field(rl, 2);
            reg->flags = flags;
            reg->nvalues = nvalues;
            reg->values = values;
            reg->section = sec->name;
            reg->inf = src;
            reg->line = rl;
        }
    }
}

static void number_value(install_ctx_t *ctx, const bk_ini_line_t *l, bk_inf_value_t *v, long *num)
{
    unsigned long n;
    v->value = l->fields[0];
    v->file = l->file;
    v->line = l->line;
    if (bk_parse_ulong(l->fields[0], &n) || n > 0x7FFFFFFFul) {
        ERR(l, "%s '%s' is not a number", l->key, l->fields[0]);
        *num = -1;
    } else {
        *num = (long)n;
    }
}

static void text_value(const bk_ini_line_t *l, bk_inf_value_t *v, const char *text)
{
    v->value = text;
    v->file = l->file;
    v->line = l->line;
}

/* docs (AddService): DisplayName, Description, ServiceType, StartType,
 * ErrorControl, ServiceBinary, LoadOrderGroup, StartName, Dependencies, AddReg. */
static void parse_service_section(install_ctx_t *ctx, const bk_inf_t *src, bk_inf_service_t *svc)
{
    bk_vec_t regs = BK_VEC_INIT(bk_inf_reg_t);
    const bk_ini_section_t *sec = svc->section;
    for (size_t i = 0; i < sec->nlines; i++) {
        const bk_ini_line_t *l = &sec->lines[i];
        const char *k = l->key;
        if (!k)
            continue;
        if (bk_strcaseeq(k, "DisplayName"))
            text_value(l, &svc->display_name, l->value);
        else if (bk_strcaseeq(k, "Description"))
            text_value(l, &svc->description, l->value);
        else if (bk_strcaseeq(k, "ServiceBinary"))
            text_value(l, &svc->service_binary, l->fields[0]);
        else if (bk_strcaseeq(k, "LoadOrderGroup"))
            text_value(l, &svc->load_order_group, l->fields[0]);
        else if (bk_strcaseeq(k, "StartName"))
            text_value(l, &svc->start_name, l->fields[0]);
        else if (bk_strcaseeq(k, "Dependencies"))
            text_value(l, &svc->dependencies, l->value);
        else if (bk_strcaseeq(k, "ServiceType"))
            number_value(ctx, l, &svc->service_type, &svc->service_type_value);
        else if (bk_strcaseeq(k, "StartType"))
            number_value(ctx, l, &svc->start_type, &svc->start_type_value);
        else if (bk_strcaseeq(k, "ErrorControl"))
            number_value(ctx, l, &svc->error_control, &svc->error_control_value);
        else if (bk_strcaseeq(k, "AddReg"))
            do_addreg(ctx, src, l, &regs);
    }
    svc->nregs = regs.n;
    svc->regs = bk_vec_finish(&regs, &ctx->inf->arena);
}

/* docs (AddService): ServiceName,[flags],service-install-section[,...]. */
static void do_addservice(install_ctx_t *ctx, const bk_inf_t *src, const bk_ini_line_t *l)
{
    const char *name = l->fields[0];
    const char *section = bk_ini_field(l, 2);
    uint32_t flags;
    if (!*name) {
        ERR(l, "AddService has no service name");
        return;
    }
    if (parse_number(ctx, l, "AddService flags", bk_ini_field(l, 1), &flags))
        return;
    bk_inf_service_t *svc = bk_vec_push(&ctx->services);
    if (!svc) {
        ctx->oom = true;
        return;
    }
    svc->name = name;
    svc->flags = flags;
    svc->section_name = section;
    svc->inf = src;
    svc->line = l;
    svc->service_type_value = svc->start_type_value = svc->error_control_value = -1;
    if (bk_strcaseeq(name, "NULL"))
        return; /* docs: AddService=NULL,2 installs a device without a driver */
    if (!*section) {
        ERR(l, "AddService=%s has no service-install section", name);
        return;
    }
    svc->section = bk_inf_section(src, section);
    if (!svc->section) {
        ERR(l, "AddService names section [%s], which is not defined", section);
        return;
    }
    parse_service_section(ctx, src, svc);
}

static void process_section(install_ctx_t *ctx, const bk_inf_t *src, const bk_ini_section_t *sec,
                            enum sec_kind kind, bool nested);

static void do_include(install_ctx_t *ctx, const bk_ini_line_t *l)
{
    for (size_t f = 0; f < l->nfields; f++) {
        if (!l->fields[f][0])
            continue;
        bk_inf_t *sub = bk_inf_include(ctx->inf, l->fields[f], l, ctx->diags);
        if (!sub) {
            ctx->missing_include = true;
            continue;
        }
        bk_inf_t **have = ctx->includes.data;
        size_t i;
        for (i = 0; i < ctx->includes.n && have[i] != sub; i++)
            ;
        bk_inf_t **slot = i == ctx->includes.n ? bk_vec_push(&ctx->includes) : NULL;
        if (slot)
            *slot = sub;
    }
}

/* docs: Needs names sections of the INFs listed by Include=. */
static void do_needs(install_ctx_t *ctx, const bk_ini_line_t *l, enum sec_kind kind)
{
    for (size_t f = 0; f < l->nfields; f++) {
        const char *name = l->fields[f];
        if (!*name)
            continue;
        bk_inf_t **incs = ctx->includes.data;
        const bk_ini_section_t *found = NULL;
        size_t i;
        for (i = 0; i < ctx->includes.n && !found; i++)
            found = bk_inf_section(incs[i], name);
        if (found) {
            process_section(ctx, incs[i - 1], found, kind, true);
        } else if (ctx->missing_include) {
            WARN(l, "Needs=%s is not checked: an Include= file was not found", name);
        } else if (!ctx->includes.n) {
            ERR(l, "Needs=%s without an Include= naming the INF that defines it", name);
        } else {
            ERR(l, "Needs names section [%s], which no included INF defines", name);
        }
    }
}

static void process_section(install_ctx_t *ctx, const bk_inf_t *src, const bk_ini_section_t *sec,
                            enum sec_kind kind, bool nested)
{
    /* Include= first, wherever it stands, so Needs= can see the files. */
    for (size_t i = 0; i < sec->nlines; i++) {
        const bk_ini_line_t *l = &sec->lines[i];
        if (l->key && bk_strcaseeq(l->key, "Include")) {
            if (nested)
                WARN(l,
                     "Include= in [%s], a section pulled in by Needs=, is ignored: Needs "
                     "cannot be nested",
                     sec->name);
            else
                do_include(ctx, l);
        }
    }
    for (size_t i = 0; i < sec->nlines && !ctx->oom; i++) {
        const bk_ini_line_t *l = &sec->lines[i];
        const char *k = l->key;
        if (!k)
            continue;
        if (bk_strcaseeq(k, "Needs")) {
            if (nested)
                WARN(l,
                     "Needs= in [%s], a section pulled in by Needs=, is ignored: Needs "
                     "cannot be nested",
                     sec->name);
            else
                do_needs(ctx, l, kind);
        } else if (kind == KIND_INSTALL && bk_strcaseeq(k, "CopyFiles")) {
            do_copyfiles(ctx, src, l);
        } else if (kind != KIND_SERVICES && bk_strcaseeq(k, "AddReg")) {
            do_addreg(ctx, src, l, kind == KIND_HW ? &ctx->hw_regs : &ctx->regs);
        } else if (kind == KIND_SERVICES && bk_strcaseeq(k, "AddService")) {
            do_addservice(ctx, src, l);
        }
    }
}

/* docs (DDInstall): [name.ntamd64] before [name.nt] before [name]. */
static const bk_ini_section_t *install_variant(bk_inf_t *inf, const char *name, const char **chosen)
{
    const char *tries[3];
    tries[0] = bk_arena_printf(&inf->arena, "%s.nt%s", name, inf->opt.platform.arch);
    tries[1] = bk_arena_printf(&inf->arena, "%s.nt", name);
    tries[2] = name;
    for (int i = 0; i < 3; i++) {
        const bk_ini_section_t *s = tries[i] ? bk_inf_section(inf, tries[i]) : NULL;
        if (s) {
            *chosen = s->name;
            return s;
        }
    }
    return NULL;
}

int bk_inf_get_install(bk_inf_t *inf, const char *name, bk_inf_install_t *out, bk_diags_t *diags)
{
    memset(out, 0, sizeof(*out));
    out->name = name;
    out->section = install_variant(inf, name, &out->section_name);
    if (!out->section)
        return -1;
    install_ctx_t c = {
        .inf = inf,
        .diags = diags,
        .copies = BK_VEC_INIT(bk_inf_copy_t),
        .regs = BK_VEC_INIT(bk_inf_reg_t),
        .hw_regs = BK_VEC_INIT(bk_inf_reg_t),
        .services = BK_VEC_INIT(bk_inf_service_t),
        .includes = BK_VEC_INIT(bk_inf_t *),
    };
    install_ctx_t *ctx = &c;
    const char *sname = bk_arena_printf(&inf->arena, "%s.Services", out->section_name);
    const char *hname = bk_arena_printf(&inf->arena, "%s.HW", out->section_name);
    out->services_section = sname ? bk_inf_section(inf, sname) : NULL;
    out->hw_section = hname ? bk_inf_section(inf, hname) : NULL;

    process_section(ctx, inf, out->section, KIND_INSTALL, false);
    if (out->hw_section)
        process_section(ctx, inf, out->hw_section, KIND_HW, false);
    if (out->services_section)
        process_section(ctx, inf, out->services_section, KIND_SERVICES, false);
    if (c.oom)
        bk_diags_add(diags, inf->path, 1, BK_SEV_ERROR, "out of memory");

    out->ncopies = c.copies.n;
    out->copies = bk_vec_finish(&c.copies, &inf->arena);
    out->nregs = c.regs.n;
    out->regs = bk_vec_finish(&c.regs, &inf->arena);
    out->nhw_regs = c.hw_regs.n;
    out->hw_regs = bk_vec_finish(&c.hw_regs, &inf->arena);
    out->nservices = c.services.n;
    out->services = bk_vec_finish(&c.services, &inf->arena);
    out->nincludes = c.includes.n;
    out->includes = bk_vec_finish(&c.includes, &inf->arena);

    /* docs (AddService): only one service may be the function driver. */
    for (size_t i = 0; i < out->nservices; i++) {
        const bk_inf_service_t *s = &out->services[i];
        if (!(s->flags & BK_SPSVCINST_ASSOCSERVICE))
            continue;
        if (!out->function_service)
            out->function_service = s;
        else
            ERR(s->line, "a second AddService with flag 0x2 (SPSVCINST_ASSOCSERVICE): a device "
                         "has one function driver");
    }
    return 0;
}

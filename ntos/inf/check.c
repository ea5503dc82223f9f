/* check.c: what any device INF must satisfy before an installer may use it,
 * independent of the device class: [Version], [Manufacturer] and the models
 * sections for the platform, models entries, install sections that resolve,
 * destinations, files, service values in their documented ranges and source
 * disks that are defined. Class-specific rules (Battery) live in battinf. */
#include "inf_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERR(file, line, ...)  bk_diags_add(diags, file, line, BK_SEV_ERROR, __VA_ARGS__)
#define WARN(file, line, ...) bk_diags_add(diags, file, line, BK_SEV_WARNING, __VA_ARGS__)

static int is_guid(const char *s)
{
    /* {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx} */
    static const char shape[] = "{........-....-....-....-............}";
    if (strlen(s) != sizeof(shape) - 1)
        return 0;
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == '.' ? !isxdigit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    }
    return 1;
}

/* docs (DriverVer): mm/dd/yyyy[,w.x.y.z], each version part 0..65535. */
static void check_driver_ver(const bk_inf_version_t *v, bk_diags_t *diags)
{
    int mm, dd, yyyy, n = 0;
    const char *d = v->driver_ver.value;
    if (sscanf(d, "%2d/%2d/%4d%n", &mm, &dd, &yyyy, &n) != 3 || d[n] || mm < 1 || mm > 12 ||
        dd < 1 || dd > 31 || yyyy < 1980)
        ERR(v->driver_ver.file, v->driver_ver.line, "DriverVer date '%s' is not mm/dd/yyyy", d);
    const char *ver = v->driver_version;
    if (!ver || !*ver)
        return;
    unsigned long part[4];
    int parts = 0;
    const char *p = ver;
    while (parts < 4) {
        char *end;
        if (!isdigit((unsigned char)*p))
            break;
        part[parts++] = strtoul(p, &end, 10);
        p = end;
        if (*p != '.')
            break;
        p++;
    }
    bool ok = parts >= 1 && !*p;
    for (int i = 0; i < parts; i++)
        ok = ok && part[i] <= 65535;
    if (!ok)
        ERR(v->driver_ver.file, v->driver_ver.line,
            "DriverVer version '%s' is not w.x.y.z with parts up to 65535", ver);
}

static void check_version(bk_inf_t *inf, bk_diags_t *diags)
{
    const bk_inf_version_t *v = &inf->version;
    if (!v->section) {
        ERR(inf->path, 1, "no [Version] section");
        return;
    }
    const char *file = v->section->file;
    int line = v->section->line;
    if (!v->signature.value) {
        ERR(file, line, "[Version] has no Signature (expected \"$Windows NT$\")");
    } else if (bk_strcaseeq(v->signature.value, "$Chicago$")) {
        WARN(v->signature.file, v->signature.line,
             "Signature $Chicago$ is the Windows 9x form; use \"$Windows NT$\"");
    } else if (!bk_strcaseeq(v->signature.value, "$Windows NT$")) {
        ERR(v->signature.file, v->signature.line, "Signature '%s' is not \"$Windows NT$\"",
            v->signature.value);
    }
    if (!v->provider.value)
        ERR(file, line, "[Version] has no Provider");
    else if (!*v->provider.value)
        ERR(v->provider.file, v->provider.line, "Provider is empty");
    if (v->class_guid.value && !is_guid(v->class_guid.value))
        ERR(v->class_guid.file, v->class_guid.line,
            "ClassGuid '%s' is not a GUID in braces {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}",
            v->class_guid.value);
    if (v->driver_ver.value)
        check_driver_ver(v, diags);
    else
        WARN(file, line, "[Version] has no DriverVer (docs: required for a driver package)");
}

/* An install section exists in some platform variant (for models sections
 * other than the one chosen here). */
static int install_exists(bk_inf_t *inf, const char *name)
{
    if (bk_inf_section(inf, name))
        return 1;
    for (size_t i = 0; i < bk_ini_section_count(inf->ini); i++) {
        const char *s = bk_ini_section_at(inf->ini, i)->name;
        size_t n = strlen(name);
        if (bk_strncaseeq(s, name, n) && bk_starts_with_case(s + n, ".nt") &&
            !strchr(s + n + 1, '.'))
            return 1;
    }
    return 0;
}

static void check_models_section(bk_inf_t *inf, const bk_ini_section_t *sec, bool chosen,
                                 bk_vec_t *installs, bk_diags_t *diags)
{
    for (size_t i = 0; i < sec->nlines; i++) {
        const bk_ini_line_t *l = &sec->lines[i];
        if (!l->key) {
            ERR(l->file, l->line,
                "models entry has no description (expected description = install-section, "
                "hardware-id)");
            continue;
        }
        const char *install = l->fields[0];
        if (!*install) {
            ERR(l->file, l->line, "models entry '%s' has no install section", l->key);
            continue;
        }
        if (!bk_ini_field(l, 1)[0])
            ERR(l->file, l->line, "models entry '%s' has no hardware ID", l->key);
        if (!chosen) {
            if (!install_exists(inf, install))
                ERR(l->file, l->line, "install section [%s] is not defined", install);
            continue;
        }
        const char **seen = installs->data;
        size_t j;
        for (j = 0; j < installs->n && !bk_strcaseeq(seen[j], install); j++)
            ;
        if (j < installs->n)
            continue;
        bk_inf_install_t inst;
        if (bk_inf_get_install(inf, install, &inst, diags)) {
            ERR(l->file, l->line, "install section [%s] is not defined (nor [%s.NT%s], [%s.NT])",
                install, install, inf->opt.platform.arch, install);
        }
        const char **slot = bk_vec_push(installs);
        if (slot)
            *slot = install;
    }
}

static void check_manufacturers(bk_inf_t *inf, bk_vec_t *installs, bk_diags_t *diags)
{
    const bk_ini_section_t *sec = bk_inf_section(inf, "Manufacturer");
    if (!sec) {
        ERR(inf->path, 1, "no [Manufacturer] section");
        return;
    }
    if (!inf->nmfg)
        ERR(sec->file, sec->line, "[Manufacturer] is empty");
    for (size_t i = 0; i < inf->nmfg; i++) {
        const bk_inf_manufacturer_t *m = &inf->mfg[i];
        const bk_ini_line_t *l = m->line;
        if (!*m->models_base) {
            ERR(l->file, l->line, "manufacturer entry names no models section");
            continue;
        }
        for (size_t d = 0; d < m->ndecorations; d++) {
            bk_inf_decoration_t dec;
            if (bk_inf_parse_decoration(m->decorations[d], &dec)) {
                WARN(l->file, l->line,
                     "'%s' is not a TargetOSVersion decoration (NT[arch][.major[.minor...]])",
                     m->decorations[d]);
                continue;
            }
            char name[2 * BK_INI_FIELD_MAX + 2];
            snprintf(name, sizeof(name), "%s.%s", m->models_base, m->decorations[d]);
            const bk_ini_section_t *ms = bk_inf_section(inf, name);
            if (!ms)
                ERR(l->file, l->line, "models section [%s] is not defined", name);
            else if (ms != m->models)
                check_models_section(inf, ms, false, installs, diags);
        }
        /* docs: since Windows Server 2003 SP1, non-x86 platforms need the
         * architecture in the decoration. */
        if (!m->ndecorations && !bk_strcaseeq(inf->opt.platform.arch, "x86"))
            WARN(l->file, l->line,
                 "models section [%s] is undecorated: Windows on %s needs an NT%s decoration",
                 m->models_base, inf->opt.platform.arch, inf->opt.platform.arch);
        if (m->fallback_undecorated)
            WARN(l->file, l->line,
                 "no decoration of '%s' applies to %s (add NT%s); the undecorated section is used",
                 m->models_base, inf->opt.platform.arch, inf->opt.platform.arch);
        if (!m->models) {
            if (!m->ndecorations || m->fallback_undecorated)
                ERR(l->file, l->line, "models section [%s] is not defined", m->models_name);
            continue;
        }
        check_models_section(inf, m->models, true, installs, diags);
    }
}

/* Services: docs (service-install section) ServiceType, StartType (0..4),
 * ErrorControl (0..3) and ServiceBinary are required. */
static void check_services(bk_inf_t *inf, bk_vec_t *installs, bk_diags_t *diags)
{
    bk_vec_t seen = BK_VEC_INIT(const bk_ini_section_t *);
    const char **names = installs->data;
    for (size_t i = 0; i < installs->n; i++) {
        bk_inf_install_t inst;
        if (bk_inf_get_install(inf, names[i], &inst, NULL))
            continue;
        for (size_t s = 0; s < inst.nservices; s++) {
            const bk_inf_service_t *svc = &inst.services[s];
            const bk_ini_section_t *sec = svc->section;
            if (!sec)
                continue;
            const bk_ini_section_t **done = seen.data;
            size_t j;
            for (j = 0; j < seen.n && done[j] != sec; j++)
                ;
            if (j < seen.n)
                continue;
            const bk_ini_section_t **slot = bk_vec_push(&seen);
            if (slot)
                *slot = sec;
            if (!svc->service_type.value)
                ERR(sec->file, sec->line, "[%s] has no ServiceType", sec->name);
            if (!svc->start_type.value)
                ERR(sec->file, sec->line, "[%s] has no StartType", sec->name);
            else if (svc->start_type_value > 4)
                ERR(svc->start_type.file, svc->start_type.line,
                    "StartType %ld is out of range (0 boot .. 4 disabled)", svc->start_type_value);
            if (!svc->error_control.value)
                ERR(sec->file, sec->line, "[%s] has no ErrorControl", sec->name);
            else if (svc->error_control_value > 3)
                ERR(svc->error_control.file, svc->error_control.line,
                    "ErrorControl %ld is out of range (0 ignore .. 3 critical)",
                    svc->error_control_value);
            if (!svc->service_binary.value || !*svc->service_binary.value)
                ERR(sec->file, sec->line, "[%s] has no ServiceBinary", sec->name);
        }
    }
    bk_vec_free(&seen);
}

static void check_dest_dirs(bk_inf_t *inf, bool copies, bk_diags_t *diags)
{
    const bk_ini_section_t *dd = bk_inf_section(inf, "DestinationDirs");
    if (!dd) {
        if (copies)
            ERR(inf->path, 1, "no [DestinationDirs] section, but files are copied");
        return;
    }
    for (size_t i = 0; i < dd->nlines; i++) {
        const bk_ini_line_t *l = &dd->lines[i];
        unsigned long v;
        if (!l->key)
            ERR(l->file, l->line, "[DestinationDirs] entry has no '='");
        else if (bk_parse_ulong(l->fields[0], &v))
            ERR(l->file, l->line, "DIRID '%s' of %s is not a number", l->fields[0], l->key);
        else if (!bk_strcaseeq(l->key, "DefaultDestDir") && !bk_inf_section(inf, l->key))
            WARN(l->file, l->line, "[DestinationDirs] names section [%s], which is not defined",
                 l->key);
    }
}

static void check_source_disks(bk_inf_t *inf, bk_diags_t *diags)
{
    for (size_t i = 0; i < bk_ini_section_count(inf->ini); i++) {
        const bk_ini_section_t *files = bk_ini_section_at(inf->ini, i);
        if (!bk_starts_with_case(files->name, "SourceDisksFiles"))
            continue;
        /* [SourceDisksFiles.amd64] goes with [SourceDisksNames.amd64] when present. */
        char names[BK_INI_SECTION_NAME_MAX + 8];
        snprintf(names, sizeof(names), "SourceDisksNames%s", files->name + 16);
        const bk_ini_section_t *disks = bk_inf_section(inf, names);
        if (!disks)
            disks = bk_inf_section(inf, "SourceDisksNames");
        for (size_t j = 0; j < files->nlines; j++) {
            const bk_ini_line_t *l = &files->lines[j];
            if (!l->key) {
                ERR(l->file, l->line, "[%s] entry has no '=' (expected file = diskid[,subdir])",
                    files->name);
                continue;
            }
            if (!bk_ini_find_key(disks, l->fields[0]))
                ERR(l->file, l->line, "disk '%s' of %s is not defined in [%s]", l->fields[0],
                    l->key, disks ? disks->name : "SourceDisksNames");
        }
    }
}

size_t bk_inf_check(bk_inf_t *inf, bk_diags_t *diags)
{
    size_t before = diags->errors;
    bk_vec_t installs = BK_VEC_INIT(const char *);
    check_version(inf, diags);
    check_manufacturers(inf, &installs, diags);
    check_services(inf, &installs, diags);
    /* Copies pulled in by Needs= use the included INF's [DestinationDirs]. */
    bool copies = false;
    const char **names = installs.data;
    for (size_t i = 0; i < installs.n && !copies; i++) {
        bk_inf_install_t inst;
        if (bk_inf_get_install(inf, names[i], &inst, NULL))
            continue;
        for (size_t c = 0; c < inst.ncopies; c++)
            copies = copies || inst.copies[c].inf == inf;
    }
    check_dest_dirs(inf, copies, diags);
    check_source_disks(inf, diags);
    bk_vec_free(&installs);
    return diags->errors - before;
}

/* battery_rules.c: the battery-specific INF rules (reference 9.1, WDK
 * "Installing a Battery Driver"): Class=Battery with the Battery class GUID,
 * drivers copied to DIRID 12, ACPI devices listed as ACPI\<EISA id>, a function
 * driver service (AddService flag 0x2) that is a kernel driver started on
 * demand, and battc installed beside the miniclass. Generic INF rules are
 * bk_inf_check's. Shared by the installer and `battinf verify`. */
#include "battery_rules.h"
#include "wdf_rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define ERR(file, line, ...)  bk_diags_add(diags, file, line, BK_SEV_ERROR, __VA_ARGS__)
#define WARN(file, line, ...) bk_diags_add(diags, file, line, BK_SEV_WARNING, __VA_ARGS__)

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    }
    return *a == *b;
}

static void check_version(const bk_inf_t *inf, bk_diags_t *diags)
{
    const bk_inf_version_t *v = bk_inf_version(inf);
    if (!v->section)
        return; /* bk_inf_check said so */
    const char *file = v->section->file;
    int line = v->section->line;
    if (!v->class_name.value)
        ERR(file, line, "[Version] has no Class (expected Class=Battery)");
    else if (!ieq(v->class_name.value, "Battery"))
        ERR(v->class_name.file, v->class_name.line, "Class '%s' is not Battery",
            v->class_name.value);
    if (!v->class_guid.value)
        ERR(file, line, "[Version] has no ClassGuid (expected %s)", SETUP_BATTERY_CLASS_GUID);
    else if (!ieq(v->class_guid.value, SETUP_BATTERY_CLASS_GUID))
        ERR(v->class_guid.file, v->class_guid.line, "ClassGuid %s is not the Battery class %s",
            v->class_guid.value, SETUP_BATTERY_CLASS_GUID);
}

/* docs: battery drivers go to DIRID 12 (%SystemRoot%\System32\drivers); 13
 * (run from the driver store) is the modern equivalent. */
static void check_dest_dirs(const bk_inf_t *inf, bk_diags_t *diags)
{
    const bk_ini_section_t *dd = bk_ini_find_section(bk_inf_ini(inf), "DestinationDirs");
    const bk_ini_line_t *l = bk_ini_find_key(dd, "DefaultDestDir");
    if (!l)
        return;
    const char *id = l->fields[0];
    if (strcmp(id, "12") != 0 && strcmp(id, "13") != 0)
        WARN(l->file, l->line,
             "DefaultDestDir = %s: battery drivers are copied to 12 (the drivers directory)", id);
}

static int hex4(const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    }
    return s[4] == '\0';
}

/* An EISA ID (3 letters, 4 hex digits: PNP0C0A) or an ACPI ID (4 letters or
 * digits, 4 hex digits: ACPI0003). */
static int acpi_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 7) {
        for (int i = 0; i < 3; i++) {
            if (!isupper((unsigned char)s[i]))
                return 0;
        }
        return hex4(s + 3);
    }
    if (n == 8) {
        for (int i = 0; i < 4; i++) {
            if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
                return 0;
        }
        return hex4(s + 4);
    }
    return 0;
}

static void check_id(const bk_ini_line_t *l, const char *id, bk_diags_t *diags)
{
    if (!strncmp(id, "ACPI\\", 5) || !strncmp(id, "acpi\\", 5)) {
        const char *rest = id + 5;
        if (!acpi_id(rest) && strncmp(rest, "VEN_", 4) != 0)
            ERR(l->file, l->line,
                "'%s' is not ACPI\\ followed by an EISA ID (PNP0C0A) or ACPI ID (ACPI0003)", id);
    } else if (acpi_id(id[0] == '*' ? id + 1 : id)) {
        WARN(l->file, l->line, "'%s' looks like an ACPI ID: an ACPI device is matched as ACPI\\%s",
             id, id[0] == '*' ? id + 1 : id);
    }
}

static void check_models(const bk_inf_t *inf, bk_diags_t *diags)
{
    for (size_t m = 0; m < bk_inf_manufacturer_count(inf); m++) {
        const bk_inf_manufacturer_t *mfg = bk_inf_manufacturer_at(inf, m);
        for (size_t i = 0; i < mfg->nmodels; i++) {
            const bk_inf_model_t *md = &mfg->model[i];
            if (md->hardware_id[0])
                check_id(md->line, md->hardware_id, diags);
            for (size_t c = 0; c < md->ncompatible_ids; c++)
                check_id(md->line, md->compatible_ids[c], diags);
        }
    }
}

static const char *base_name(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++) {
        if (*p == '\\' || *p == '/')
            b = p + 1;
    }
    return b;
}

static int copies_file(const bk_inf_install_t *inst, const char *name)
{
    for (size_t i = 0; i < inst->ncopies; i++) {
        if (ieq(inst->copies[i].dest_name, name))
            return 1;
    }
    return 0;
}

/* docs: AddService = name,2,section; ServiceType=1 (SERVICE_KERNEL_DRIVER),
 * StartType=3 (SERVICE_DEMAND_START), ErrorControl=1, ServiceBinary=%12%\x.sys. */
static void check_function_service(const bk_inf_install_t *inst, const bk_inf_service_t *svc,
                                   bk_diags_t *diags)
{
    if (!svc->section)
        return; /* the AddService line was reported */
    const bk_ini_section_t *sec = svc->section;
    if (svc->service_type.value && svc->service_type_value >= 0 &&
        svc->service_type_value != BK_SERVICE_KERNEL_DRIVER)
        ERR(svc->service_type.file, svc->service_type.line,
            "ServiceType %ld is not 1 (SERVICE_KERNEL_DRIVER): a battery miniclass is a kernel "
            "driver",
            svc->service_type_value);
    if (svc->start_type.value && svc->start_type_value >= 0 && svc->start_type_value <= 4 &&
        svc->start_type_value != BK_SERVICE_DEMAND_START)
        WARN(svc->start_type.file, svc->start_type.line,
             "StartType %ld: battery INFs use 3 (SERVICE_DEMAND_START)", svc->start_type_value);
    if (!svc->display_name.value)
        WARN(sec->file, sec->line, "[%s] has no DisplayName", sec->name);
    if (svc->service_binary.value && *svc->service_binary.value) {
        const char *bin = base_name(svc->service_binary.value);
        if (!copies_file(inst, bin))
            WARN(svc->service_binary.file, svc->service_binary.line,
                 "ServiceBinary %s is not copied by [%s] (CopyFiles)", bin, inst->section_name);
    }
}

/* A small set of pointers: install names and service sections seen. */
typedef struct seen {
    const void **items;
    size_t n, cap;
} seen_t;

static int seen_add(seen_t *s, const void *p, int (*same)(const void *, const void *))
{
    for (size_t i = 0; i < s->n; i++) {
        if (same ? same(s->items[i], p) : s->items[i] == p)
            return 0;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        const void **items = realloc(s->items, cap * sizeof(*items));
        if (!items)
            return 1; /* check it anyway, possibly twice */
        s->items = items;
        s->cap = cap;
    }
    s->items[s->n++] = p;
    return 1;
}

static int same_name(const void *a, const void *b)
{
    return ieq(a, b);
}

static void check_installs(bk_inf_t *inf, bk_diags_t *diags)
{
    seen_t installs = {0}, services = {0};
    for (size_t m = 0; m < bk_inf_manufacturer_count(inf); m++) {
        const bk_inf_manufacturer_t *mfg = bk_inf_manufacturer_at(inf, m);
        for (size_t i = 0; i < mfg->nmodels; i++) {
            const char *name = mfg->model[i].install_section;
            bk_inf_install_t inst;
            if (!*name || !seen_add(&installs, name, same_name))
                continue;
            /* Resolution problems were reported by bk_inf_check. */
            if (bk_inf_get_install(inf, name, &inst, NULL))
                continue;
            const bk_ini_section_t *sec = inst.section;
            if (!inst.services_section) {
                ERR(sec->file, sec->line,
                    "no [%s.Services] section: the battery driver's service is never installed",
                    inst.section_name);
            } else if (!inst.function_service) {
                const bk_ini_section_t *ss = inst.services_section;
                ERR(ss->file, ss->line,
                    "[%s] has no AddService with flag 0x2 (SPSVCINST_ASSOCSERVICE): the device "
                    "gets no function driver",
                    ss->name);
            } else if (seen_add(&services, inst.function_service->section, NULL)) {
                check_function_service(&inst, inst.function_service, diags);
            }
            setup_wdf_rules(inf, &inst, diags); /* KMDF drivers */
            if (!copies_file(&inst, "battc.sys"))
                WARN(
                    sec->file, sec->line,
                    "[%s] does not install battc.sys (CopyFiles=@battc.sys, or Include=battery.inf "
                    "with Needs=Battery_Inst)",
                    inst.section_name);
        }
    }
    free(installs.items);
    free(services.items);
}

size_t setup_battery_rules(bk_inf_t *inf, bk_diags_t *diags)
{
    size_t before = diags->errors;
    check_version(inf, diags);
    check_dest_dirs(inf, diags);
    check_models(inf, diags);
    check_installs(inf, diags);
    return diags->errors - before;
}

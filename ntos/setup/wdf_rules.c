/* wdf_rules.c: the KMDF sections of an install section. docs: a KMDF
 * driver's INF has [DDInstall.Wdf] with KmdfService = service,
 * wdf-install-section, whose KmdfLibraryVersion = major.minor names the
 * framework version it was built for; drivers for KMDF 1.9 and older also
 * carry [DDInstall.CoInstallers] for WdfCoInstaller01xxx.dll. battkit
 * provides the framework itself, so it checks the version and ignores the
 * coinstaller, saying so. Pure function of the INF (installer and battinf). */
#include "wdf_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ERR(file, line, ...)  bk_diags_add(diags, file, line, BK_SEV_ERROR, __VA_ARGS__)
#define NOTE(file, line, ...) bk_diags_add(diags, file, line, BK_SEV_WARNING, __VA_ARGS__)

static const bk_ini_section_t *suffixed(const bk_inf_t *inf, const char *base, const char *suffix)
{
    char name[BK_INI_SECTION_NAME_MAX + 1];
    snprintf(name, sizeof name, "%s.%s", base, suffix);
    return bk_ini_find_section(bk_inf_ini(inf), name);
}

/* "1.15" -> 1, 15; false when it is not two decimal numbers. */
static bool parse_version(const char *text, long *major, long *minor)
{
    char *end;
    *major = strtol(text, &end, 10);
    if (end == text || *end != '.')
        return false;
    const char *m = end + 1;
    *minor = strtol(m, &end, 10);
    return end != m && *end == 0 && *major >= 0 && *minor >= 0;
}

static bool installs_service(const bk_inf_install_t *install, const char *name)
{
    for (size_t i = 0; i < install->nservices; i++)
        if (strcasecmp(install->services[i].name, name) == 0)
            return true;
    return false;
}

static void check_wdf_section(bk_inf_t *inf, const bk_inf_install_t *install,
                              const bk_ini_section_t *wdf, bk_diags_t *diags)
{
    bool any = false;
    for (size_t i = 0; i < wdf->nlines; i++) {
        const bk_ini_line_t *l = &wdf->lines[i];
        if (l->key == NULL)
            continue;
        if (strcasecmp(l->key, "KmdfService") != 0) {
            if (strncasecmp(l->key, "KmdfCoInstaller", 15) == 0 ||
                strcasecmp(l->key, "KmdfLibraryVersion") != 0)
                NOTE(l->file, l->line, "[%s] %s ignored: battkit's host provides the framework",
                     wdf->name, l->key);
            continue;
        }
        any = true;
        const char *service = bk_ini_field(l, 0), *section = bk_ini_field(l, 1);
        if (!installs_service(install, service))
            ERR(l->file, l->line, "KmdfService %s is not a service [%s.Services] installs", service,
                install->section_name);
        const bk_ini_section_t *ws = bk_ini_find_section(bk_inf_ini(inf), section);
        if (ws == NULL) {
            ERR(l->file, l->line, "KmdfService names [%s], which is not defined", section);
            continue;
        }
        const bk_ini_line_t *v = bk_ini_find_key(ws, "KmdfLibraryVersion");
        long major, minor;
        if (v == NULL) {
            ERR(ws->file, ws->line, "[%s] has no KmdfLibraryVersion", ws->name);
        } else if (!parse_version(bk_ini_field(v, 0), &major, &minor)) {
            ERR(v->file, v->line, "KmdfLibraryVersion '%s' is not major.minor", bk_ini_field(v, 0));
        } else if (major != SETUP_KMDF_MAJOR || minor > SETUP_KMDF_MAX_MINOR) {
            ERR(v->file, v->line, "KmdfLibraryVersion %ld.%ld: battkit provides KMDF %d.0 to %d.%d",
                major, minor, SETUP_KMDF_MAJOR, SETUP_KMDF_MAJOR, SETUP_KMDF_MAX_MINOR);
        }
    }
    if (!any)
        ERR(wdf->file, wdf->line, "[%s] has no KmdfService line", wdf->name);
}

size_t setup_wdf_rules(bk_inf_t *inf, const bk_inf_install_t *install, bk_diags_t *diags)
{
    size_t before = diags->errors;
    const bk_ini_section_t *wdf = suffixed(inf, install->section_name, "Wdf");
    if (wdf != NULL)
        check_wdf_section(inf, install, wdf, diags);
    const bk_ini_section_t *co = suffixed(inf, install->section_name, "CoInstallers");
    if (co != NULL)
        NOTE(co->file, co->line,
             "[%s] ignored: the KMDF coinstaller is not needed, battkit's host provides the "
             "framework",
             co->name);
    return diags->errors - before;
}

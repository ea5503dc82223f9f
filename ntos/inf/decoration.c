/* decoration.c: TargetOSVersion decorations of models sections (docs: INF
 * Manufacturer section) and the choice Windows makes among them for the
 * platform it runs on. Knows nothing of files or sections. */
#include "inf_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* docs: "If specified, this must be x86, ia64, amd64, arm, or arm64." */
static const char *const arch_names[] = {"x86", "ia64", "amd64", "arm", "arm64"};

void bk_inf_platform_fill(bk_inf_platform_t *p)
{
    if (!p->arch || !*p->arch)
        p->arch = "amd64";
    if (!p->major) {
        p->major = 10; /* Windows 10 / 11 report 10.0 */
        p->minor = 0;
    }
    if (!p->build)
        p->build = 22631;
    if (!p->product_type)
        p->product_type = 1; /* VER_NT_WORKSTATION */
}

static int parse_part(const char *s, size_t n, long *out)
{
    char buf[24];
    unsigned long v;
    if (n == 0)
        return 0; /* omitted: stays -1 */
    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (bk_parse_ulong(buf, &v) || v > 0x7FFFFFFFul)
        return -1;
    *out = (long)v;
    return 0;
}

int bk_inf_parse_decoration(const char *text, bk_inf_decoration_t *out)
{
    memset(out, 0, sizeof(*out));
    out->major = out->minor = out->product_type = out->suite_mask = out->build = -1;
    if (!bk_starts_with_case(text, "nt"))
        return -1;
    const char *p = text + 2;
    const char *dot = strchr(p, '.');
    size_t alen = dot ? (size_t)(dot - p) : strlen(p);
    if (alen) {
        size_t i;
        for (i = 0; i < sizeof(arch_names) / sizeof(arch_names[0]); i++) {
            if (strlen(arch_names[i]) == alen && bk_strncaseeq(p, arch_names[i], alen))
                break;
        }
        if (i == sizeof(arch_names) / sizeof(arch_names[0]))
            return -1;
        memcpy(out->arch, arch_names[i], alen + 1);
    }
    long *parts[] = {&out->major, &out->minor, &out->product_type, &out->suite_mask, &out->build};
    p = dot ? dot + 1 : NULL;
    for (size_t i = 0; p && i < 5; i++) {
        dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (parse_part(p, n, parts[i]))
            return -1;
        p = dot ? dot + 1 : NULL;
    }
    return p ? -1 : 0; /* more than six parts */
}

static int applies(const bk_inf_decoration_t *d, const bk_inf_platform_t *pl)
{
    /* docs: since Windows Server 2003 SP1 the architecture must be given for
     * non-x86 platforms, so an arch-less decoration only serves x86. */
    if (d->arch[0] ? !bk_strcaseeq(d->arch, pl->arch) : !bk_strcaseeq(pl->arch, "x86"))
        return 0;
    long major = d->major < 0 ? 0 : d->major, minor = d->minor < 0 ? 0 : d->minor;
    if (major > (long)pl->major || (major == (long)pl->major && minor > (long)pl->minor))
        return 0;
    /* docs: the build number counts only when major.minor equals the OS's. */
    if (d->build >= 0 && d->major >= 0 && major == (long)pl->major && minor == (long)pl->minor &&
        d->build > (long)pl->build)
        return 0;
    if (d->product_type >= 0 && d->product_type != (long)pl->product_type)
        return 0;
    if (d->suite_mask >= 0 && ((unsigned long)pl->suite_mask & (unsigned long)d->suite_mask) !=
                                  (unsigned long)d->suite_mask)
        return 0;
    return 1;
}

/* >0 when a is the better choice. docs: highest version not above the OS
 * first ("a specific version number takes precedence over the product type
 * and suite mask"), then the closest match in product type and suite. */
static int compare(const bk_inf_decoration_t *a, const bk_inf_decoration_t *b)
{
    /* Both apply: a build number that was checked or does not matter (older
     * major.minor) still makes the section the more specific one. */
    long va[3], vb[3];
    const bk_inf_decoration_t *d[2] = {a, b};
    long *v[2] = {va, vb};
    for (int i = 0; i < 2; i++) {
        v[i][0] = d[i]->major < 0 ? 0 : d[i]->major;
        v[i][1] = d[i]->minor < 0 ? 0 : d[i]->minor;
        v[i][2] = d[i]->major >= 0 && d[i]->build >= 0 ? d[i]->build : 0;
    }
    for (int i = 0; i < 3; i++) {
        if (va[i] != vb[i])
            return va[i] > vb[i] ? 1 : -1;
    }
    int sa = (a->arch[0] != 0) + (a->product_type >= 0) + (a->suite_mask >= 0);
    int sb = (b->arch[0] != 0) + (b->product_type >= 0) + (b->suite_mask >= 0);
    return sa - sb;
}

int bk_inf_choose_decoration(const char *const *decorations, size_t n,
                             const bk_inf_platform_t *platform)
{
    bk_inf_platform_t pl = *platform;
    bk_inf_platform_fill(&pl);
    int best = -1;
    bk_inf_decoration_t best_d;
    for (size_t i = 0; i < n; i++) {
        bk_inf_decoration_t d;
        if (bk_inf_parse_decoration(decorations[i], &d) || !applies(&d, &pl))
            continue;
        if (best < 0 || compare(&d, &best_d) > 0) {
            best = (int)i;
            best_d = d;
        }
    }
    return best;
}

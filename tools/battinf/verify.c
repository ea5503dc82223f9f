/* verify.c: `battinf verify` as a library: bk_inf_check's rules for any device
 * INF plus the battery rules of ntos/setup/battery_rules.c (the installer's
 * own copy), with every problem sorted by file and line. */
#include "verify.h"
#include "battery_rules.h"

#include <string.h>

static size_t verify(bk_inf_t *inf, bk_diags_t *diags)
{
    size_t before = diags->errors;
    bk_inf_check(inf, diags);
    setup_battery_rules(inf, diags);
    return diags->errors - before;
}

static void to_inf_options(const battinf_options_t *opt, bk_inf_options_t *io)
{
    memset(io, 0, sizeof(*io));
    if (!opt)
        return;
    io->locale = opt->locale;
    io->platform.arch = opt->arch;
    io->search_dirs = opt->search_dirs;
}

size_t battinf_verify_file(const char *path, const battinf_options_t *opt, bk_diags_t *diags)
{
    bk_inf_options_t io;
    size_t before = diags->errors;
    to_inf_options(opt, &io);
    bk_inf_t *inf = bk_inf_open(path, &io, diags);
    if (inf)
        verify(inf, diags);
    bk_inf_close(inf);
    bk_diags_sort(diags);
    return diags->errors - before;
}

size_t battinf_verify_buffer(const char *name, const void *data, size_t size,
                             const battinf_options_t *opt, bk_diags_t *diags)
{
    bk_inf_options_t io;
    size_t before = diags->errors;
    to_inf_options(opt, &io);
    bk_inf_t *inf = bk_inf_open_buffer(name, data, size, &io, diags);
    if (inf)
        verify(inf, diags);
    bk_inf_close(inf);
    bk_diags_sort(diags);
    return diags->errors - before;
}

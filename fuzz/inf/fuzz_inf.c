/* fuzz_inf.c: one libFuzzer entry point for everything bk_inf reads. The input
 * is opened as an INF (reader, strings, models, every install section, the
 * generic checks; no file system lookups) and as a machine description, and
 * every diagnostic is formatted. Any crash, leak or sanitizer report is a bug. */
#include "inf.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise_inf(const uint8_t *data, size_t size, bk_diags_t *d)
{
    /* The first byte picks a locale and platform so both paths are covered. */
    bk_inf_options_t o = {.no_file_checks = true};
    if (size && (data[0] & 1))
        o.locale = "0407";
    if (size && (data[0] & 2))
        o.platform.arch = "x86";
    bk_inf_t *inf = bk_inf_open_buffer("fuzz.inf", data, size, &o, d);
    if (!inf)
        return;
    bk_inf_check(inf, d);
    for (size_t m = 0; m < bk_inf_manufacturer_count(inf); m++) {
        const bk_inf_manufacturer_t *mfg = bk_inf_manufacturer_at(inf, m);
        for (size_t i = 0; i < mfg->nmodels && i < 8; i++) {
            bk_inf_install_t inst;
            bk_inf_get_install(inf, mfg->model[i].install_section, &inst, d);
            const char *hw[] = {mfg->model[i].hardware_id};
            long score;
            bk_inf_find_model(inf, hw, 1, mfg->model[i].compatible_ids,
                              mfg->model[i].ncompatible_ids, &score);
        }
    }
    bk_inf_close(inf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bk_diags_t d = {0};
    exercise_inf(data, size, &d);
    bk_machine_t m;
    if (bk_machine_load_buffer("fuzz.ini", data, size, &m, &d) == 0)
        bk_machine_free(&m);
    char line[512];
    for (size_t i = 0; i < d.count; i++)
        bk_diag_format(&d.items[i], line, sizeof(line));
    bk_diags_sort(&d);
    bk_diags_free(&d);
    return 0;
}

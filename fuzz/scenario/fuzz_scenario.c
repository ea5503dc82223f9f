/* fuzz_scenario.c: scenario files (model/scenario_parse.c) under libFuzzer.
 * The input is read as a file (bk_scenario_load: NUL bytes, long lines) and,
 * when it parses, run on two battery models named BAT0 and BAT1 up to its
 * end (scripts longer than two simulated days run their first two). A
 * refusal, at parse or at run time, must say FILE:LINE with a line the file
 * has. */
#include "../fuzz_file.h"
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RUN_NS (2ull * 24 * 3600 * 1000000000ull)

static bk_pack_t *make_pack(double soc)
{
    bk_pack_config_t cfg;
    bk_pack_t *p = NULL;
    bk_pack_config_init(&cfg, bk_chemistry_find("li-ion"), 3, 1, 50000);
    cfg.initial_soc = soc;
    /* Minute steps: the same integrator, a day in 1,440 steps. */
    cfg.substep_ms = 60000;
    cfg.idle_step_ms = 600000;
    if (bk_pack_create(&cfg, &p) != 0)
        abort();
    return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char file[256], err[512];
    snprintf(file, sizeof file, "%s", fuzz_file_path("s.scn"));
    fuzz_file_write(file, data, size);
    unsigned lines = fuzz_file_lines(data, size, false);
    bk_scenario_t *sc;
    int rc = bk_scenario_load(file, &sc, err, sizeof err);
    if (rc != 0) {
        /* A file with a NUL byte is refused whole (no line to name). */
        if (memchr(data, 0, size) && strstr(err, ": contains a NUL byte"))
            return 0;
        fuzz_file_check_error("fuzz_scenario", err, file, lines);
        return 0;
    }
    bk_pack_t *a = make_pack(0.5), *b = make_pack(0.9);
    bk_scenario_bind_pack(sc, "BAT0", a);
    bk_scenario_bind_pack(sc, "BAT1", b);
    uint64_t end = bk_scenario_end_time(sc);
    rc = end <= MAX_RUN_NS ? bk_scenario_run(sc, NULL, NULL)
                           : bk_scenario_apply_until(sc, MAX_RUN_NS, NULL, NULL);
    if (rc < 0)
        fuzz_file_check_error("fuzz_scenario", bk_scenario_error(sc), file, lines);
    bk_scenario_free(sc);
    bk_pack_destroy(a);
    bk_pack_destroy(b);
    return 0;
}

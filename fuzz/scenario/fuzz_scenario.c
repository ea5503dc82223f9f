/* fuzz_scenario.c: scenario files under libFuzzer, through both executors.
 * The input is read as a file (bk_scenario_load: NUL bytes, long lines) and,
 * when it parses, (1) run on two battery models named BAT0 and BAT1 up to
 * its end (model/scenario.c; scripts longer than two simulated days run
 * their first two), then (2) run by the platform on a booted machine
 * (ntos/platform/scenario.c: batteries BAT0 on cmbatt and BAT1 on simbatt,
 * the composite battery and the power manager see every event) for ten
 * virtual minutes, after which the machine is put back (batteries present,
 * no faults, on AC) for the next input. A refusal, at parse or at run
 * time, must say FILE:LINE with a line the file has. */
#include "../fuzz_file.h"
#include "model.h"

#include <battkit/host.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RUN_NS      (2ull * 24 * 3600 * 1000000000ull)
#define PLATFORM_RUN_NS (10ull * 60 * 1000000000ull)

static const char machine_text[] = "[machine]\n"
                                   "name = fuzz-scenario\n"
                                   "time = virtual\n"
                                   "[battery.BAT0]\n"
                                   "bus = acpi\n"
                                   "design_capacity_mwh = 50000\n"
                                   "design_voltage_mv = 11400\n"
                                   "cells = 3\n"
                                   "[battery.BAT1]\n"
                                   "bus = simbatt\n"
                                   "design_capacity_mwh = 30000\n"
                                   "design_voltage_mv = 11100\n"
                                   "cells = 3\n"
                                   "[ac.ADP1]\n"
                                   "bus = acpi\n"
                                   "online = yes\n";
static bk_host_t *host;

static void boot(void)
{
    const char *machine = fuzz_file_path("machine.ini");
    fuzz_file_write(machine, machine_text, sizeof machine_text - 1);
    host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!host || bk_host_load_machine(host, machine) != 0) {
        fprintf(stderr, "fuzz_scenario: cannot boot the machine: %s\n", bk_platform_last_error());
        abort();
    }
}

/* The platform runs the script on the machine's drivers. */
static void run_on_platform(const char *file, unsigned lines)
{
    static const char *const batteries[] = {"BAT0", "BAT1"};
    if (!host)
        boot();
    if (bk_platform_run_scenario(host, file) != 0) {
        fuzz_file_check_error("fuzz_scenario (platform)", bk_platform_last_error(), file, lines);
        return;
    }
    bk_host_advance(host, PLATFORM_RUN_NS);
    bk_platform_stop_scenario(host);
    for (size_t i = 0; i < 2; i++) {
        bk_platform_set_faults(host, batteries[i], ~0u, 0);
        bk_platform_set_present(host, batteries[i], 1);
    }
    bk_platform_set_ac(host, NULL, 1);
    bk_platform_set_load_w(host, 0.0);
    bk_host_settle(host);
}

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
    if (rc >= 0)
        run_on_platform(file, lines);
    return 0;
}

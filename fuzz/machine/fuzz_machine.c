/* fuzz_machine.c: machine description files under libFuzzer, through both
 * readers: the parser (ntos/inf/machine.c, bk_machine_load_buffer) and the
 * platform's loader (ntos/platform/machine.c, bk_host_load_machine), which
 * builds the battery models, the devices and the drivers on them, runs the
 * file's scenario and unloads it all again on one long-lived host. A
 * refusal must name the file (or the scenario it names) and a line that
 * file has; an accepted file must load, run a virtual minute and unload.
 *
 * Machines that would reach outside the process are parsed but not loaded:
 * UPSes (nutbatt connects to upsd), the power_supply bridge, out-of-tree
 * driver paths, scenarios other than the harness's own SCENARIO file. */
#include "../fuzz_file.h"
#include "inf.h"

#include <battkit/host.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LOADED_BATTERIES 16 /* bigger machines are parsed only */
#define SCENARIO             "s.scn"

static const char scenario_text[] = "at 0s ac off\nat 10s load 12W\nat 20s ac on\nuntil 30s\n";
static bk_host_t *host;

static bool loadable(const bk_machine_t *m, const char *scenario)
{
    if (m->power_supply || m->power_supply_uevent || m->nbatteries > MAX_LOADED_BATTERIES)
        return false;
    if (m->load_scenario && strcmp(m->load_scenario, scenario) != 0)
        return false;
    for (size_t i = 0; i < m->nbatteries; i++)
        if (m->batteries[i].bus == BK_MACHINE_BUS_NUT)
            return false;
    for (size_t i = 0; i < m->ndevices; i++)
        if (m->devices[i].driver)
            return false;
    return true;
}

static void check_diags(const bk_diags_t *d, const char *file, unsigned lines, bool refused)
{
    size_t errors = 0;
    for (size_t i = 0; i < d->count; i++) {
        const bk_diag_t *g = &d->items[i];
        if (!g->file || strcmp(g->file, file) != 0 || g->line < 1 || (unsigned)g->line > lines) {
            fprintf(stderr, "fuzz_machine: diagnostic at %s:%d (file %s, %u lines): %s\n",
                    g->file ? g->file : "(null)", g->line, file, lines, g->message);
            abort();
        }
        errors += g->severity == BK_SEV_ERROR;
    }
    if (refused && !errors && !d->dropped) {
        fprintf(stderr, "fuzz_machine: the file was refused with no error\n");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!host) {
        /* A driver unloaded with its last device stays mapped: libFuzzer
         * keeps reading its coverage counters. */
        setenv("BATTKIT_NO_DLCLOSE", "1", 1);
        host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
        if (!host)
            abort();
        fuzz_file_write(fuzz_file_path(SCENARIO), scenario_text, sizeof scenario_text - 1);
    }
    char file[256], scenario[256];
    snprintf(file, sizeof file, "%s", fuzz_file_path("m.ini"));
    snprintf(scenario, sizeof scenario, "%s", fuzz_file_path(SCENARIO));
    unsigned lines = fuzz_file_lines(data, size, true);

    bk_diags_t d = {0};
    bk_machine_t m;
    int rc = bk_machine_load_buffer(file, data, size, &m, &d);
    check_diags(&d, file, lines, rc != 0);
    bk_diags_free(&d);
    if (rc != 0)
        return 0;
    bool load = loadable(&m, scenario);
    bk_machine_free(&m);
    if (!load)
        return 0;

    fuzz_file_write(file, data, size);
    bk_status_t s = bk_host_load_machine(host, file);
    if (s == 0) {
        bk_host_advance(host, 60ull * 1000000000ull);
        bk_host_unload_machine(host);
        return 0;
    }
    /* The parser took it; the models, devices or scenario may still not. */
    const char *why = bk_platform_last_error();
    if (strncmp(why, scenario, strlen(scenario)) == 0)
        fuzz_file_check_error("fuzz_machine", why, scenario,
                              fuzz_file_lines(scenario_text, sizeof scenario_text - 1, true));
    else
        fuzz_file_check_error("fuzz_machine", why, file, lines);
    return 0;
}

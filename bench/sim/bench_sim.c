/* battkit-sim's speed: virtual days per wall-clock second for the default
 * 57 Wh laptop over a scripted week, sampled every simulated minute (the
 * whole command, process start to summary written), beside the same week
 * on the host alone (no sampling, no client library) in this process. */
#include <battkit/host.h>

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DAYS 7
#define RUNS 5

/* A week of working days: charged overnight, unplugged for the morning and
 * the afternoon, a heavy hour at lunch. */
static void write_week(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fprintf(f, "at 0s set BAT0 soc 90%%\nat 0s load 4W\nat 0s ac on\n");
    for (int d = 0; d < DAYS; d++) {
        int h = d * 24;
        fprintf(f, "at %dh load 10W\nat %dh ac off\nat %dh ac on\n", h + 8, h + 8, h + 11);
        fprintf(f, "at %dh load 30W\nat %dh ac off\nat %dh load 9W\n", h + 12, h + 12, h + 13);
        fprintf(f, "at %dh ac on\nat %dh load 4W\n", h + 16, h + 18);
    }
    fprintf(f, "until %dh\n", DAYS * 24);
    fclose(f);
}

static double run_sim(const char *scenario, const char *out)
{
    uint64_t t0 = bench_now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        execl(BK_SIM_PATH, "battkit-sim", "run", "--machine", BK_DATA_DIR "/machines/laptop.ini",
              "--scenario", scenario, "--step", "60", "--out", out, (char *)NULL);
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_sim: battkit-sim failed\n");
        exit(1);
    }
    return (double)(bench_now_ns() - t0) / 1e9;
}

static double run_host_only(const char *scenario)
{
    uint64_t t0 = bench_now_ns();
    setenv("BATTKIT_DRIVER_DIR", BK_BUILD_DRIVER_DIR, 0);
    bk_host_t *h = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!h || bk_host_load_machine(h, BK_DATA_DIR "/machines/laptop.ini") < 0 ||
        bk_platform_run_scenario(h, scenario) < 0) {
        fprintf(stderr, "bench_sim: host set-up failed\n");
        exit(1);
    }
    while (bk_platform_scenario_running(h))
        bk_host_advance(h, 60ull * 1000000000ull);
    bk_host_unload_machine(h);
    if (bk_host_destroy(h) != 0)
        exit(1);
    return (double)(bench_now_ns() - t0) / 1e9;
}

int main(void)
{
    char dir[] = "/tmp/bench_sim.XXXXXX", scenario[64], out[64];
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(scenario, sizeof scenario, "%s/week.scn", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    write_week(scenario);
    double sim[RUNS], host[RUNS];
    for (int i = 0; i < RUNS; i++) {
        sim[i] = DAYS / run_sim(scenario, out);
        host[i] = DAYS / run_host_only(scenario);
    }
    printf("BENCH sim_virtual_days_per_wall_second %.1f\n", bench_quantile(sim, RUNS, 0.5));
    printf("BENCH sim_host_only_virtual_days_per_wall_second %.1f\n",
           bench_quantile(host, RUNS, 0.5));
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}

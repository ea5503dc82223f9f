/* How fast virtual time runs: one simulated day of a 1 s periodic timer
 * whose DPC does a little work, beside the same count of plain calls. */
#include "private.h"
#include "bench_util.h"

#include <stdio.h>

static volatile uint64_t sink;

static void tick(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    (void)dpc;
    (void)ctx;
    (void)a1;
    (void)a2;
    sink += KeQueryInterruptTime() & 0xFF;
}

static __attribute__((noinline)) void plain_tick(void)
{
    sink += KeQueryInterruptTime() & 0xFF;
}

int main(void)
{
    enum { RUNS = 11 };
    double day_ms[RUNS], loop_ms[RUNS];
    for (int r = 0; r < RUNS; r++) {
        clk_init(CLK_VIRTUAL, 0);
        ke_init();
        KTIMER timer;
        KDPC dpc;
        KeInitializeTimer(&timer);
        KeInitializeDpc(&dpc, tick, NULL);
        LARGE_INTEGER due = {.QuadPart = -10000000};
        KeSetTimerEx(&timer, due, 1000, &dpc);
        uint64_t t0 = bench_now_ns();
        ke_advance_to(24ull * 3600 * 10000000);
        day_ms[r] = (double)(bench_now_ns() - t0) / 1e6;
        KeCancelTimer(&timer);
        ke_shutdown();
        t0 = bench_now_ns();
        for (int i = 0; i < 86400; i++)
            plain_tick();
        loop_ms[r] = (double)(bench_now_ns() - t0) / 1e6;
    }
    printf("BENCH virtual_day_1s_timer_ms %.3f\n", bench_quantile(day_ms, RUNS, 0.5));
    printf("BENCH plain_86400_calls_ms %.3f\n", bench_quantile(loop_ms, RUNS, 0.5));
    return 0;
}

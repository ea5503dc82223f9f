/* The host clock: the single time source. Real mode follows CLOCK_MONOTONIC;
 * virtual mode moves only when ke_advance_to() moves it. Units: 100 ns. */
#include "private.h"

#include <time.h>

static clk_mode_t mode;
static uint64_t virtual_now;   /* interrupt time in virtual mode */
static uint64_t real_start_ns; /* CLOCK_MONOTONIC at host start */
static uint64_t system_base;   /* system time at interrupt time 0 */

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* 100 ns ticks between 1601-01-01 and 1970-01-01. */
#define EPOCH_DIFF_100NS 116444736000000000ull

void clk_init(clk_mode_t m, uint64_t system_time_at_start)
{
    mode = m;
    real_start_ns = monotonic_ns();
    __atomic_store_n(&virtual_now, 0, __ATOMIC_SEQ_CST);
    if (system_time_at_start == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        system_time_at_start =
            EPOCH_DIFF_100NS + (uint64_t)ts.tv_sec * 10000000ull + (uint64_t)ts.tv_nsec / 100;
    }
    system_base = system_time_at_start;
}

clk_mode_t clk_mode(void)
{
    return mode;
}

uint64_t clk_now(void)
{
    if (mode == CLK_VIRTUAL)
        return __atomic_load_n(&virtual_now, __ATOMIC_ACQUIRE);
    return (monotonic_ns() - real_start_ns) / 100;
}

uint64_t clk_system_base(void)
{
    return system_base;
}

void clk_set_virtual_now(uint64_t t)
{
    if (t > virtual_now)
        __atomic_store_n(&virtual_now, t, __ATOMIC_RELEASE);
}

uint64_t clk_realtime_deadline_ns(uint64_t interrupt_time)
{
    return real_start_ns + interrupt_time * 100;
}

/* Virtual time for battd --virtual=FACTOR: the host clock runs FACTOR times
 * as fast as real time, and ADVANCE requests jump it; both go through one
 * lock so two advances never interleave. Idle, the clock thread sleeps
 * until the next host timer falls due (or IDLE_MAX_NS): the clock is
 * brought up to date on that wake-up and before every client request, so
 * nothing needs a steady tick. */
#include "battd.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#define IDLE_MAX_NS 10000000000ull /* 10 s of real time without any timer */

static bk_host_t *host;
static double factor;
static pthread_mutex_t advance_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* the fields below */
static pthread_cond_t cv;
static pthread_t thread;
static bool running, stopping, kicked;
static uint64_t last_real; /* real time the virtual clock was last brought to */
static double carry;       /* fractions of a virtual ns */

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void vclock_advance(uint64_t ns)
{
    if (!ns)
        return;
    pthread_mutex_lock(&advance_lock);
    bk_host_advance(host, ns);
    pthread_mutex_unlock(&advance_lock);
}

/* Moves the virtual clock by the real time since the last catch-up. */
void vclock_catch_up(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    uint64_t now = mono_ns();
    double step = (double)(now - last_real) * factor + carry;
    last_real = now;
    uint64_t ns = (uint64_t)step;
    carry = step - (double)ns;
    pthread_mutex_unlock(&lock);
    vclock_advance(ns);
}

/* A request may have armed an earlier timer: the thread looks again. */
void vclock_kick(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    kicked = true;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&lock);
}

/* Real ns until the next host timer is due at this factor. */
static uint64_t sleep_ns(void)
{
    uint64_t due = bk_host_next_timer_ns(host), now = bk_host_now_ns(host);
    if (due == UINT64_MAX)
        return IDLE_MAX_NS;
    if (due <= now)
        return 0;
    double real = (double)(due - now) / factor;
    return real > (double)IDLE_MAX_NS ? IDLE_MAX_NS : (uint64_t)real + 1;
}

static void *clock_thread(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!stopping) {
        pthread_mutex_unlock(&lock);
        uint64_t due = mono_ns() + sleep_ns();
        pthread_mutex_lock(&lock);
        struct timespec ts = {.tv_sec = (time_t)(due / 1000000000ull),
                              .tv_nsec = (long)(due % 1000000000ull)};
        while (!stopping && !kicked && pthread_cond_timedwait(&cv, &lock, &ts) != ETIMEDOUT)
            ;
        kicked = false;
        if (stopping)
            break;
        pthread_mutex_unlock(&lock);
        vclock_catch_up();
        pthread_mutex_lock(&lock);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int vclock_start(bk_host_t *h, double f)
{
    host = h;
    factor = f;
    if (f <= 0)
        return 0; /* moved only by ADVANCE */
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &a);
    pthread_condattr_destroy(&a);
    stopping = kicked = false;
    last_real = mono_ns();
    carry = 0;
    running = true;
    if (pthread_create(&thread, NULL, clock_thread, NULL) != 0) {
        running = false;
        return -1;
    }
    return 0;
}

void vclock_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    running = false;
}

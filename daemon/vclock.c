/* Virtual time for battd --virtual=FACTOR: a thread that moves the host
 * clock FACTOR times as fast as real time, and ADVANCE requests that jump
 * it; both go through one lock so two advances never interleave. */
#include "battd.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#define TICK_NS 10000000ull /* 10 ms of real time per step */

static bk_host_t *host;
static double factor;
static pthread_mutex_t advance_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static pthread_t thread;
static bool running, stopping;

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

static void *clock_thread(void *arg)
{
    (void)arg;
    uint64_t last = mono_ns();
    double carry = 0; /* fractions of a virtual ns */
    pthread_mutex_lock(&lock);
    while (!stopping) {
        uint64_t due = mono_ns() + TICK_NS;
        struct timespec ts = {.tv_sec = (time_t)(due / 1000000000ull),
                              .tv_nsec = (long)(due % 1000000000ull)};
        while (!stopping && pthread_cond_timedwait(&cv, &lock, &ts) != ETIMEDOUT)
            ;
        if (stopping)
            break;
        pthread_mutex_unlock(&lock);
        uint64_t now = mono_ns();
        double step = (double)(now - last) * factor + carry;
        last = now;
        uint64_t ns = (uint64_t)step;
        carry = step - (double)ns;
        vclock_advance(ns);
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
    stopping = false;
    if (pthread_create(&thread, NULL, clock_thread, NULL) != 0)
        return -1;
    running = true;
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

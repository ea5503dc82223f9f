/* A registry flush from another thread while an install or uninstall
 * applies its changes (bk_registry_flush, a daemon's save) never writes
 * half of it: the installer applies and writes the file inside one
 * registry batch (reg_batch_begin/end), and reg_flush waits for another
 * thread's batch. */
#include "setup_fixture.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPORT 16384

/* Several keys and values, so half of them applied is a state of its own. */
static const fx_pkg_t pkg = {.name = "fna",
                             .model = "SETUPTEST\\Dev, SETUPTEST\\Compat1, SETUPTEST\\Compat2",
                             .install_lines = "AddReg = Sw",
                             .hw_lines = "AddReg = Hw",
                             .service_lines = "AddReg = Svc",
                             .sections = "[Sw]\nHKR,,Soft,,\"soft\"\n"
                                         "HKLM,Software\\battkit-test,A,,\"one\"\n"
                                         "HKLM,Software\\battkit-test,B,0x00010001,2\n"
                                         "[Hw]\nHKR,,Hard,0x00010001,7\n"
                                         "[Svc]\nHKR,Parameters,Level,0x00010001,5\n"};

/* ---- one flush from another thread, started half-way through a commit ---- */
typedef struct halfway {
    fx_t *fx;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t thread;
    bool started, flushing, flushed, flushed_while_open, thread_made;
    char *seen; /* the registry file right after that flush */
} halfway_t;

static void *flush_once(void *arg)
{
    halfway_t *h = arg;
    pthread_mutex_lock(&h->lock);
    h->flushing = true;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    bk_status_t s = bk_registry_flush();
    char *seen = fx_slurp(h->fx->registry);
    pthread_mutex_lock(&h->lock);
    h->flushed = NT_SUCCESS(s);
    h->seen = seen;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* Waits on h->changed until *flag or the bound (real time) passes. */
static bool wait_flag(halfway_t *h, const bool *flag, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    while (!*flag && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&h->changed, &h->lock, &until);
    return *flag;
}

static int flush_halfway(void *context, int point)
{
    halfway_t *h = context;
    if (point != BK_SETUP_AT_REGISTRY_HALF_APPLIED || h->started)
        return 0;
    h->started = true;
    h->thread_made = pthread_create(&h->thread, NULL, flush_once, h) == 0;
    if (!h->thread_made)
        return 0;
    pthread_mutex_lock(&h->lock);
    wait_flag(h, &h->flushing, 10000);
    /* The flush must wait for the end of the batch: give it a bounded
     * chance to (wrongly) finish while half the changes are applied. */
    h->flushed_while_open = wait_flag(h, &h->flushed, 250);
    pthread_mutex_unlock(&h->lock);
    return 0;
}

TEST(a_flush_from_another_thread_half_way_through_an_install_waits_and_writes_it_whole)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    const char *inf = fx_package(&fx, &pkg);
    halfway_t h = {
        .fx = &fx, .lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};
    bk_setup_set_fault_hook(flush_halfway, &h);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    bk_setup_set_fault_hook(NULL, NULL);
    REQUIRE(h.thread_made);
    pthread_join(h.thread, NULL);
    CHECK(h.started);
    CHECK(!h.flushed_while_open);
    CHECK(h.flushed);
    char *after = fx_registry_dump(&fx);
    REQUIRE(h.seen);
    CHECK(fx_same("registry file written by the racing flush", after, h.seen));
    free(after);
    free(h.seen);
    fx_done(&fx);
}

/* ---- a thread flushing in a loop while installs and uninstalls run ---- */
typedef struct looper {
    fx_t *fx;
    const char *before, *after; /* the only two states the file may hold */
    atomic_int stop;
    int flushes, bad;
    char *first_bad;
} looper_t;

static void *flush_loop(void *arg)
{
    looper_t *l = arg;
    while (!l->stop) {
        if (!NT_SUCCESS(bk_registry_flush()))
            l->bad++;
        char *seen = fx_slurp(l->fx->registry);
        l->flushes++;
        if (!seen || (strcmp(seen, l->before) != 0 && strcmp(seen, l->after) != 0)) {
            l->bad++;
            if (!l->first_bad) {
                l->first_bad = seen;
                seen = NULL;
            }
        }
        free(seen);
    }
    return NULL;
}

TEST(a_flush_racing_installs_and_uninstalls_writes_the_state_before_or_after_never_between)
{
    fx_t fx;
    char report[REPORT];
    REQUIRE(fx_begin(&fx));
    const char *inf = fx_package(&fx, &pkg);
    char *before = fx_registry_dump(&fx);
    CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
    char *after = fx_registry_dump(&fx);
    CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    char *again = fx_registry_dump(&fx);
    REQUIRE(fx_same("registry after an uninstall", before, again));

    looper_t l = {.fx = &fx, .before = before, .after = after};
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, flush_loop, &l) == 0);
    for (int i = 0; i < 20; i++) {
        CHECK_STATUS(bk_host_install_inf(fx.host, inf, report, sizeof report), 0);
        CHECK_STATUS(bk_host_uninstall_driver(fx.host, "fna", report, sizeof report), 0);
    }
    l.stop = 1;
    pthread_join(t, NULL);
    CHECK(l.flushes > 0);
    CHECK_EQ(l.bad, 0);
    if (l.first_bad)
        fx_same("a registry file the racing flush wrote", before, l.first_bad);
    free(l.first_bad);
    free(before);
    free(after);
    free(again);
    fx_done(&fx);
}

/* ---- the batch itself ---- */
TEST(a_batch_nests_and_its_own_thread_flushes_inside_it)
{
    fx_t fx;
    REQUIRE(fx_begin(&fx));
    reg_key_t *k;
    reg_batch_begin();
    reg_batch_begin();
    REQUIRE(NT_SUCCESS(reg_open("\\Registry\\Machine\\Software\\battkit-test", true, &k)));
    reg_set_dword(k, "Inside", 1);
    reg_close(k);
    CHECK_STATUS(reg_flush(), STATUS_SUCCESS); /* the owner does not wait for itself */
    reg_batch_end();
    reg_batch_end();
    char *file = fx_slurp(fx.registry);
    REQUIRE(file);
    CHECK(strstr(file, "\"Inside\"=dword:00000001") != NULL);
    free(file);
    fx_done(&fx);
}

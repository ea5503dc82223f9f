/* The handle table (HANDLE values are small multiples of 4, as Windows
 * hands out, so a stale or forged value is refused instead of followed),
 * the library lock and its deadlines, events and waits, LocalAlloc. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

pthread_mutex_t bkc_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t bkc_cond;
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;

#define MAX_HANDLES 65536

static bkc_object_t **table;
static size_t table_size;

static void init_cond(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&bkc_cond, &a);
    pthread_condattr_destroy(&a);
}

__attribute__((constructor)) static void objects_init(void)
{
    pthread_once(&cond_once, init_cond);
}

/* ---- deadlines ---- */
bkc_deadline_t bkc_deadline_ms(DWORD ms)
{
    bkc_deadline_t d = {.infinite = ms == INFINITE};
    clock_gettime(CLOCK_MONOTONIC, &d.at);
    if (!d.infinite) {
        d.at.tv_sec += ms / 1000;
        d.at.tv_nsec += (long)(ms % 1000) * 1000000L;
        if (d.at.tv_nsec >= 1000000000L) {
            d.at.tv_sec++;
            d.at.tv_nsec -= 1000000000L;
        }
    }
    return d;
}

bool bkc_cond_wait(const bkc_deadline_t *d)
{
    if (d->infinite) {
        pthread_cond_wait(&bkc_cond, &bkc_lock);
        return true;
    }
    return pthread_cond_timedwait(&bkc_cond, &bkc_lock, &d->at) != ETIMEDOUT;
}

int bkc_deadline_remaining_ms(const bkc_deadline_t *d)
{
    if (d->infinite)
        return -1;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ms =
        (int64_t)(d->at.tv_sec - now.tv_sec) * 1000 + (d->at.tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

/* ---- handle table ---- */
static size_t index_of(HANDLE h)
{
    uintptr_t v = (uintptr_t)h;
    if (v == 0 || (v & 3) || v / 4 > table_size)
        return SIZE_MAX;
    return v / 4 - 1;
}

HANDLE bkc_handle_insert(bkc_object_t *obj)
{
    pthread_mutex_lock(&bkc_lock);
    size_t i = 0;
    while (i < table_size && table[i])
        i++;
    if (i == table_size) {
        size_t n = table_size ? table_size * 2 : 64;
        bkc_object_t **t = n <= MAX_HANDLES ? realloc(table, n * sizeof *t) : NULL;
        if (!t) {
            pthread_mutex_unlock(&bkc_lock);
            return NULL;
        }
        for (size_t k = table_size; k < n; k++)
            t[k] = NULL;
        table = t;
        table_size = n;
    }
    table[i] = obj;
    obj->refs++;
    pthread_mutex_unlock(&bkc_lock);
    return (HANDLE)(uintptr_t)((i + 1) * 4);
}

static bkc_object_t *lookup_locked(HANDLE h, bkc_kind_t kind)
{
    size_t i = index_of(h);
    if (i == SIZE_MAX || !table[i] || (kind && table[i]->kind != kind))
        return NULL;
    return table[i];
}

bkc_object_t *bkc_handle_get(HANDLE h, bkc_kind_t kind)
{
    pthread_mutex_lock(&bkc_lock);
    bkc_object_t *obj = lookup_locked(h, kind);
    if (obj)
        obj->refs++;
    pthread_mutex_unlock(&bkc_lock);
    if (!obj)
        bkc_set_error(ERROR_INVALID_HANDLE);
    return obj;
}

bkc_object_t *bkc_handle_remove(HANDLE h, bkc_kind_t kind)
{
    pthread_mutex_lock(&bkc_lock);
    bkc_object_t *obj = lookup_locked(h, kind);
    if (obj)
        table[index_of(h)] = NULL; /* the table's reference passes to the caller */
    pthread_mutex_unlock(&bkc_lock);
    if (!obj)
        bkc_set_error(ERROR_INVALID_HANDLE);
    return obj;
}

void bkc_object_release(bkc_object_t *obj)
{
    if (!obj)
        return;
    pthread_mutex_lock(&bkc_lock);
    bool last = --obj->refs == 0;
    pthread_mutex_unlock(&bkc_lock);
    if (last)
        obj->destroy(obj);
}

/* Objects whose last reference goes while the lock is held (completion
 * paths) are destroyed by the next unlocked release point. */
static bkc_object_t *deferred[256];
static size_t deferred_count;

void bkc_object_release_locked(bkc_object_t *obj)
{
    if (--obj->refs > 0)
        return;
    if (deferred_count < sizeof deferred / sizeof deferred[0]) {
        deferred[deferred_count++] = obj;
        return;
    }
    obj->refs = 1; /* cannot defer: keep it (a bounded leak beats a use after free) */
}

void bkc_run_deferred(void)
{
    for (;;) {
        pthread_mutex_lock(&bkc_lock);
        bkc_object_t *obj = deferred_count ? deferred[--deferred_count] : NULL;
        pthread_mutex_unlock(&bkc_lock);
        if (!obj)
            return;
        obj->destroy(obj);
    }
}

void bkc_handles_close_all(bkc_kind_t kind)
{
    for (;;) {
        bkc_object_t *obj = NULL;
        pthread_mutex_lock(&bkc_lock);
        for (size_t i = 0; i < table_size && !obj; i++)
            if (table[i] && table[i]->kind == kind) {
                obj = table[i];
                table[i] = NULL;
            }
        pthread_mutex_unlock(&bkc_lock);
        if (!obj)
            break;
        bkc_object_release(obj);
    }
    bkc_run_deferred();
}

/* ---- events ---- */
static void event_destroy(bkc_object_t *obj)
{
    free(obj);
}

static HANDLE create_event(BOOL manual, BOOL initial, const void *name)
{
    if (name) {
        bkc_set_error(ERROR_NOT_SUPPORTED); /* named (shared) events: no */
        return NULL;
    }
    bkc_event_t *e = calloc(1, sizeof *e);
    if (!e) {
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    e->obj.kind = BKC_EVENT;
    e->obj.destroy = event_destroy;
    e->manual_reset = manual != 0;
    e->signalled = initial != 0;
    HANDLE h = bkc_handle_insert(&e->obj);
    if (!h) {
        free(e);
        bkc_set_error(ERROR_NO_SYSTEM_RESOURCES);
    }
    return h;
}

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCWSTR name)
{
    (void)sa;
    return create_event(manual, initial, name);
}

HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCSTR name)
{
    (void)sa;
    return create_event(manual, initial, name);
}

static BOOL event_change(HANDLE h, bool signalled)
{
    pthread_mutex_lock(&bkc_lock);
    bkc_object_t *obj = lookup_locked(h, BKC_EVENT);
    if (obj) {
        ((bkc_event_t *)obj)->signalled = signalled;
        if (signalled)
            pthread_cond_broadcast(&bkc_cond);
    }
    pthread_mutex_unlock(&bkc_lock);
    if (!obj)
        bkc_set_error(ERROR_INVALID_HANDLE);
    return obj != NULL;
}

BOOL WINAPI SetEvent(HANDLE hEvent)
{
    return event_change(hEvent, true);
}

BOOL WINAPI ResetEvent(HANDLE hEvent)
{
    return event_change(hEvent, false);
}

void bkc_event_set_handle_locked(HANDLE h)
{
    bkc_object_t *obj = lookup_locked(h, BKC_EVENT);
    if (obj)
        ((bkc_event_t *)obj)->signalled = true;
    pthread_cond_broadcast(&bkc_cond);
}

/* ---- waits ---- */
static bool is_signalled_locked(bkc_object_t *obj)
{
    switch (obj->kind) {
    case BKC_EVENT:
        return ((bkc_event_t *)obj)->signalled;
    case BKC_WATCH:
        return ((bkc_watch_t *)obj)->queued > 0;
    default:
        return false;
    }
}

static void consume_locked(bkc_object_t *obj)
{
    /* docs: a satisfied wait resets an auto-reset event. */
    if (obj->kind == BKC_EVENT && !((bkc_event_t *)obj)->manual_reset)
        ((bkc_event_t *)obj)->signalled = false;
}

DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                    DWORD dwMilliseconds)
{
    if (nCount == 0 || nCount > MAXIMUM_WAIT_OBJECTS || !lpHandles) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return WAIT_FAILED;
    }
    bkc_deadline_t d = bkc_deadline_ms(dwMilliseconds);
    bkc_object_t *objs[MAXIMUM_WAIT_OBJECTS];
    pthread_mutex_lock(&bkc_lock);
    for (DWORD i = 0; i < nCount; i++) {
        objs[i] = lookup_locked(lpHandles[i], 0);
        if (!objs[i] || (objs[i]->kind != BKC_EVENT && objs[i]->kind != BKC_WATCH)) {
            pthread_mutex_unlock(&bkc_lock);
            bkc_set_error(ERROR_INVALID_HANDLE);
            return WAIT_FAILED;
        }
        objs[i]->refs++;
    }
    DWORD result = WAIT_TIMEOUT;
    for (;;) {
        if (bWaitAll) {
            DWORD ready = 0;
            while (ready < nCount && is_signalled_locked(objs[ready]))
                ready++;
            if (ready == nCount) {
                for (DWORD i = 0; i < nCount; i++)
                    consume_locked(objs[i]);
                result = WAIT_OBJECT_0;
                break;
            }
        } else {
            DWORD i = 0;
            while (i < nCount && !is_signalled_locked(objs[i]))
                i++;
            if (i < nCount) {
                consume_locked(objs[i]);
                result = WAIT_OBJECT_0 + i; /* docs: the lowest signalled index */
                break;
            }
        }
        if (!d.infinite && bkc_deadline_remaining_ms(&d) == 0)
            break; /* looked once more after the timeout: WAIT_TIMEOUT */
        bkc_cond_wait(&d);
    }
    for (DWORD i = 0; i < nCount; i++)
        bkc_object_release_locked(objs[i]);
    pthread_mutex_unlock(&bkc_lock);
    bkc_run_deferred();
    return result;
}

DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds)
{
    return WaitForMultipleObjects(1, &hHandle, FALSE, dwMilliseconds);
}

/* ---- memory ---- */
HLOCAL WINAPI LocalAlloc(UINT uFlags, SIZE_T uBytes)
{
    if (uFlags & ~(UINT)LPTR) {
        bkc_set_error(ERROR_INVALID_PARAMETER); /* movable memory is not offered */
        return NULL;
    }
    void *p =
        (uFlags & LMEM_ZEROINIT) ? calloc(1, uBytes ? uBytes : 1) : malloc(uBytes ? uBytes : 1);
    if (!p)
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
    return p;
}

HLOCAL WINAPI LocalFree(HLOCAL hMem)
{
    free(hMem);
    return NULL; /* docs: NULL on success */
}

/* Tagged pool. Every block records its tag and its owner (the driver module
 * whose code allocated it), so an unload with blocks outstanding is reported
 * by tag, and a free with the wrong tag or a double free stops the host the
 * way BAD_POOL_CALLER stops Windows. Small freed blocks are kept on per-size
 * free lists (Windows' pool keeps its own too): an IRP per battery query
 * costs a pop and a push, not a trip through malloc. */
#include "../private.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_MAGIC 0x6C6F6F50u /* "Pool" */
#define POOL_FREED 0x65657246u /* "Free" */

/* Free lists: blocks up to POOL_CACHE_MAX bytes, in classes of
 * POOL_CACHE_STEP, at most POOL_CACHE_DEPTH kept per class (so at most
 * 16 x 8 x 1 KiB stays reserved). Off under a sanitizer, whose own
 * quarantine is what finds a use after free. */
#define POOL_CACHE_STEP  64
#define POOL_CACHE_MAX   1024
#define POOL_CACHE_DEPTH 8
#if defined(__SANITIZE_ADDRESS__)
#define POOL_CACHE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define POOL_CACHE 0
#endif
#endif
#ifndef POOL_CACHE
#define POOL_CACHE 1
#endif

typedef struct pool_block {
    uint32_t magic;
    ULONG tag;
    SIZE_T size;
    const void *owner;
    LIST_ENTRY link; /* in `live`; on a free list, `Flink` is the next free block */
    POOL_TYPE type;
    uint32_t size_class; /* 1 + free-list index, or 0: from and back to malloc */
} __attribute__((aligned(16))) pool_block_t;

/* A test-and-set lock, held for a list insert or remove: two threads
 * taking a pthread mutex on every IRP was a third of a query's cost. */
static int pool_lock;
static LIST_ENTRY live = {&live, &live};
static ex_pool_stats_t stats;
static pool_block_t *free_lists[POOL_CACHE_MAX / POOL_CACHE_STEP];
static uint32_t free_counts[POOL_CACHE_MAX / POOL_CACHE_STEP];
static uint64_t lock_rounds; /* pool_lock taken (under it): what tests count */

/* Per-thread magazines (Windows keeps its small-block lookaside lists per
 * processor): a small block freed on a thread is kept for that thread's
 * next allocation of its class, with no pool lock either way. A kept
 * block stays on `live` (only the lock's holder links or unlinks), marked
 * POOL_FREED so a double free still stops the host and the walk skips it;
 * the thread's counters say what its kept blocks take off the global
 * stats, which ex_pool_stats adds up. A thread that exits gives its
 * blocks back to the shared lists. */
#define POOL_CLASSES        (POOL_CACHE_MAX / POOL_CACHE_STEP)
#define POOL_MAGAZINE_DEPTH 4
typedef struct pool_magazine {
    pool_block_t *kept[POOL_CLASSES][POOL_MAGAZINE_DEPTH];
    uint32_t counts[POOL_CLASSES];
    /* Written by the thread, read by ex_pool_stats: relaxed atomics. The
     * outstanding count moves by allocations - frees; `bytes` (unsigned)
     * goes below zero while blocks are kept. */
    uint64_t allocations, frees, bytes;
    struct pool_magazine *next, *prev; /* magazines, under pool_lock */
} pool_magazine_t;

static __thread pool_magazine_t *thread_magazine __attribute__((tls_model("initial-exec")));
static pool_magazine_t magazines = {.next = &magazines, .prev = &magazines}; /* list head */
static pthread_key_t magazine_key;
static pthread_once_t magazine_once = PTHREAD_ONCE_INIT;
static bool magazine_key_made;

static void pool_acquire(void)
{
    unsigned spins = 0;
    while (__atomic_exchange_n(&pool_lock, 1, __ATOMIC_ACQUIRE) != 0) {
        while (__atomic_load_n(&pool_lock, __ATOMIC_RELAXED) != 0) {
            if (++spins > 64) {
                sched_yield(); /* the holder may be preempted */
                spins = 0;
            }
        }
    }
}

static void pool_release(void)
{
    __atomic_store_n(&lock_rounds, lock_rounds + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&pool_lock, 0, __ATOMIC_RELEASE);
}

static void tag_text(ULONG tag, char out[5])
{
    for (int i = 0; i < 4; i++) {
        char c = (char)((tag >> (8 * i)) & 0xFF);
        out[i] = (c >= 32 && c < 127) ? c : '.';
    }
    out[4] = 0;
}

/* Lock held. A cached block of class `size_class` (1-based), or NULL. */
static pool_block_t *pop_free_locked(uint32_t size_class)
{
    pool_block_t *b = free_lists[size_class - 1];
    if (b) {
        free_lists[size_class - 1] = (pool_block_t *)b->link.Flink;
        free_counts[size_class - 1]--;
    }
    return b;
}

/* Lock held. Keeps a freed block for reuse; FALSE if its list is full. */
static bool push_free_locked(pool_block_t *b)
{
    uint32_t i = b->size_class - 1;
    if (free_counts[i] == POOL_CACHE_DEPTH)
        return false;
    b->link.Flink = (PLIST_ENTRY)free_lists[i];
    free_lists[i] = b;
    free_counts[i]++;
    return true;
}

/* Lock held. Makes b a live block. */
static void insert_live_locked(pool_block_t *b)
{
    InsertTailList(&live, &b->link);
    stats.allocations++;
    stats.blocks_outstanding++;
    stats.bytes_outstanding += b->size;
}

static inline void relaxed_add(uint64_t *counter, uint64_t n)
{
    __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/* The thread is exiting: its kept blocks go back to the shared lists (or
 * to malloc), its counters into the global stats. */
static void magazine_exit(void *p)
{
    pool_magazine_t *m = p;
    pool_block_t *spill[POOL_CLASSES * POOL_MAGAZINE_DEPTH];
    int spilled = 0;
    thread_magazine = NULL; /* a later destructor's pool use goes the shared way */
    pool_acquire();
    for (int i = 0; i < POOL_CLASSES; i++) {
        for (uint32_t k = 0; k < m->counts[i]; k++) {
            pool_block_t *b = m->kept[i][k];
            /* Off `live` for good. The global totals still count it,
             * and the magazine's counters take it off again: leaving
             * both alone keeps their sum. */
            RemoveEntryList(&b->link);
            if (!push_free_locked(b))
                spill[spilled++] = b;
        }
    }
    stats.allocations += m->allocations;
    stats.frees += m->frees;
    stats.blocks_outstanding += m->allocations - m->frees;
    stats.bytes_outstanding += m->bytes;
    m->prev->next = m->next;
    m->next->prev = m->prev;
    pool_release();
    for (int i = 0; i < spilled; i++)
        free(spill[i]);
    free(m);
}

static void magazine_key_make(void)
{
    magazine_key_made = pthread_key_create(&magazine_key, magazine_exit) == 0;
}

/* The calling thread's magazine, made on its first small free; NULL if
 * none can be (the block then goes the shared way). */
static __attribute__((noinline, cold)) pool_magazine_t *magazine_new(void)
{
    pthread_once(&magazine_once, magazine_key_make);
    if (!magazine_key_made)
        return NULL;
    pool_magazine_t *m = calloc(1, sizeof(*m));
    if (!m || pthread_setspecific(magazine_key, m) != 0) {
        free(m);
        return NULL;
    }
    pool_acquire();
    m->next = &magazines;
    m->prev = magazines.prev;
    magazines.prev->next = m;
    magazines.prev = m;
    pool_release();
    thread_magazine = m;
    return m;
}

void *ex_alloc(POOL_TYPE type, SIZE_T size, ULONG tag, bool zero, const void *caller)
{
    if ((type & 1) == PagedPool)
        KE_ASSERT_IRQL_LE(APC_LEVEL);
    else
        KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    if (size == 0 || size > ((SIZE_T)1 << 40))
        return NULL;
    pool_block_t header = {.magic = POOL_MAGIC,
                           .tag = tag,
                           .size = size,
                           .owner = ldr_owner_of(caller),
                           .type = type,
                           .size_class = POOL_CACHE && size <= POOL_CACHE_MAX
                                             ? (uint32_t)((size - 1) / POOL_CACHE_STEP + 1)
                                             : 0};
    pool_block_t *b = NULL;
    pool_magazine_t *m = thread_magazine;
    if (header.size_class && m && m->counts[header.size_class - 1]) {
        /* Kept by this thread, still on `live`: no lock. The walk reads
         * the fields it reports (under the lock) while this thread
         * writes them, so both sides use atomics; magic goes last. */
        uint32_t i = header.size_class - 1;
        b = m->kept[i][--m->counts[i]];
        __atomic_store_n(&b->tag, tag, __ATOMIC_RELAXED);
        __atomic_store_n(&b->size, size, __ATOMIC_RELAXED);
        __atomic_store_n(&b->owner, header.owner, __ATOMIC_RELAXED);
        b->type = type;
        __atomic_store_n(&b->magic, POOL_MAGIC, __ATOMIC_RELEASE);
        relaxed_add(&m->allocations, 1);
        relaxed_add(&m->bytes, size);
        if (zero)
            memset(b + 1, 0, size);
        return b + 1;
    }
    if (header.size_class) {
        /* One locked section on a hit: the pop and the insert. */
        pool_acquire();
        b = pop_free_locked(header.size_class);
        if (b) {
            *b = header;
            insert_live_locked(b);
        }
        pool_release();
        if (b) {
            if (zero)
                memset(b + 1, 0, size);
            return b + 1;
        }
        b = malloc(sizeof(*b) + (SIZE_T)header.size_class * POOL_CACHE_STEP);
        if (b && zero)
            memset(b + 1, 0, size);
    } else {
        b = zero ? calloc(1, sizeof(*b) + size) : malloc(sizeof(*b) + size);
    }
    if (!b)
        return NULL;
    *b = header;
    pool_acquire();
    insert_live_locked(b);
    pool_release();
    return b + 1;
}

void ex_set_owner(void *p, const void *caller)
{
    pool_block_t *b = (pool_block_t *)p - 1;
    const void *owner = ldr_owner_of(caller);
    pool_acquire();
    __atomic_store_n(&b->owner, owner, __ATOMIC_RELAXED);
    pool_release();
}

void ex_free(void *p, ULONG tag, bool check_tag)
{
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    if (!p)
        KeBugCheckEx(0xC2 /* BAD_POOL_CALLER */, 0x46, 0, 0, 0);
    pool_block_t *b = (pool_block_t *)p - 1;
    if (b->magic != POOL_MAGIC) {
        fprintf(stderr, "BAD_POOL_CALLER: %s of %p\n",
                b->magic == POOL_FREED ? "double free" : "free of a block not from the pool", p);
        KeBugCheckEx(0xC2, 0x7, (ULONG_PTR)p, 0, 0);
    }
    /* Windows ignores the protected bit (high bit) of a tag when comparing. */
    if (check_tag && ((b->tag ^ tag) & 0x7FFFFFFFu) != 0) {
        char want[5], got[5];
        tag_text(b->tag, want);
        tag_text(tag, got);
        fprintf(stderr, "BAD_POOL_CALLER: block %p has tag '%s', freed with '%s'\n", p, want, got);
        KeBugCheckEx(0xC2, 0x9B, (ULONG_PTR)p, b->tag, tag);
    }
    if (b->size_class) {
        pool_magazine_t *m = thread_magazine;
        if (!m)
            m = magazine_new();
        uint32_t i = b->size_class - 1;
        if (m && m->counts[i] < POOL_MAGAZINE_DEPTH) {
            __atomic_store_n(&b->magic, POOL_FREED, __ATOMIC_RELAXED);
            m->kept[i][m->counts[i]++] = b;
            relaxed_add(&m->frees, 1);
            relaxed_add(&m->bytes, -(uint64_t)b->size);
            return;
        }
    }
    b->magic = POOL_FREED;
    pool_acquire();
    RemoveEntryList(&b->link);
    stats.frees++;
    stats.blocks_outstanding--;
    stats.bytes_outstanding -= b->size;
    bool kept = b->size_class && push_free_locked(b);
    pool_release();
    if (!kept)
        free(b);
}

PVOID NTAPI ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ex_alloc(PoolType, NumberOfBytes, Tag, false, __builtin_return_address(0));
}

PVOID NTAPI ExAllocatePoolZero(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    return ex_alloc(PoolType, NumberOfBytes, Tag, true, __builtin_return_address(0));
}

/* docs: ExAllocatePool2 zeroes unless POOL_FLAG_UNINITIALIZED is given. */
PVOID NTAPI ExAllocatePool2(POOL_FLAGS Flags, SIZE_T NumberOfBytes, ULONG Tag)
{
    POOL_TYPE type = (Flags & POOL_FLAG_PAGED) ? PagedPool : NonPagedPoolNx;
    void *p = ex_alloc(type, NumberOfBytes, Tag, !(Flags & POOL_FLAG_UNINITIALIZED),
                       __builtin_return_address(0));
    if (!p && (Flags & POOL_FLAG_RAISE_ON_FAILURE))
        KeBugCheckEx(0x41 /* MUST_SUCCEED_POOL_EMPTY */, NumberOfBytes, 0, 0, 0);
    return p;
}

void NTAPI ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    ex_free(P, Tag, true);
}

void NTAPI ExFreePool(PVOID P)
{
    ex_free(P, 0, false);
}

void ex_pool_stats(ex_pool_stats_t *out)
{
    pool_acquire();
    *out = stats;
    for (pool_magazine_t *m = magazines.next; m != &magazines; m = m->next) {
        uint64_t allocations = __atomic_load_n(&m->allocations, __ATOMIC_RELAXED);
        uint64_t frees = __atomic_load_n(&m->frees, __ATOMIC_RELAXED);
        out->allocations += allocations;
        out->frees += frees;
        out->blocks_outstanding += allocations - frees;
        out->bytes_outstanding += __atomic_load_n(&m->bytes, __ATOMIC_RELAXED);
    }
    pool_release();
}

uint64_t ex_pool_lock_rounds(void)
{
    return __atomic_load_n(&lock_rounds, __ATOMIC_RELAXED);
}

size_t ex_pool_walk(const void *owner, void (*fn)(ULONG tag, SIZE_T size, void *ctx), void *ctx)
{
    size_t n = 0;
    pool_acquire();
    for (PLIST_ENTRY e = live.Flink; e != &live; e = e->Flink) {
        pool_block_t *b = CONTAINING_RECORD(e, pool_block_t, link);
        if (__atomic_load_n(&b->magic, __ATOMIC_ACQUIRE) != POOL_MAGIC)
            continue; /* kept in a thread's magazine, or being freed */
        if (owner && __atomic_load_n(&b->owner, __ATOMIC_RELAXED) != owner)
            continue;
        n++;
        if (fn)
            fn(__atomic_load_n(&b->tag, __ATOMIC_RELAXED),
               __atomic_load_n(&b->size, __ATOMIC_RELAXED), ctx);
    }
    pool_release();
    return n;
}

struct tag_sum {
    ULONG tag;
    size_t blocks, bytes;
};
struct leak_ctx {
    struct tag_sum sums[64];
    int count;
};

static void sum_by_tag(ULONG tag, SIZE_T size, void *ctx)
{
    struct leak_ctx *c = ctx;
    for (int i = 0; i < c->count; i++) {
        if (c->sums[i].tag == tag) {
            c->sums[i].blocks++;
            c->sums[i].bytes += size;
            return;
        }
    }
    if (c->count < 64)
        c->sums[c->count++] = (struct tag_sum){tag, 1, size};
}

size_t ex_pool_leak_report(const void *owner, char *buf, size_t len)
{
    struct leak_ctx ctx = {.count = 0};
    size_t blocks = ex_pool_walk(owner, sum_by_tag, &ctx);
    size_t used = 0;
    if (len)
        buf[0] = 0;
    for (int i = 0; i < ctx.count && used < len; i++) {
        char t[5];
        tag_text(ctx.sums[i].tag, t);
        int n =
            snprintf(buf + used, len - used, "%stag '%s': %zu block%s, %zu bytes", i ? "; " : "", t,
                     ctx.sums[i].blocks, ctx.sums[i].blocks == 1 ? "" : "s", ctx.sums[i].bytes);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return blocks;
}

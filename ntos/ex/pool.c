/* Tagged pool. Every block records its tag and its owner (the driver module
 * whose code allocated it), so an unload with blocks outstanding is reported
 * by tag, and a free with the wrong tag or a double free stops the host the
 * way BAD_POOL_CALLER stops Windows. */
#include "../private.h"

#include <stdio.h>
#include <stdlib.h>

#define POOL_MAGIC 0x6C6F6F50u /* "Pool" */
#define POOL_FREED 0x65657246u /* "Free" */

typedef struct pool_block {
    uint32_t magic;
    ULONG tag;
    SIZE_T size;
    const void *owner;
    LIST_ENTRY link;
    POOL_TYPE type;
} __attribute__((aligned(16))) pool_block_t;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_ENTRY live = {&live, &live};
static ex_pool_stats_t stats;

static void tag_text(ULONG tag, char out[5])
{
    for (int i = 0; i < 4; i++) {
        char c = (char)((tag >> (8 * i)) & 0xFF);
        out[i] = (c >= 32 && c < 127) ? c : '.';
    }
    out[4] = 0;
}

void *ex_alloc(POOL_TYPE type, SIZE_T size, ULONG tag, bool zero, const void *caller)
{
    if ((type & 1) == PagedPool)
        KE_ASSERT_IRQL_LE(APC_LEVEL);
    else
        KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    if (size == 0 || size > ((SIZE_T)1 << 40))
        return NULL;
    pool_block_t *b = zero ? calloc(1, sizeof(*b) + size) : malloc(sizeof(*b) + size);
    if (!b)
        return NULL;
    b->magic = POOL_MAGIC;
    b->tag = tag;
    b->size = size;
    b->type = type;
    b->owner = ldr_owner_of(caller);
    pthread_mutex_lock(&pool_lock);
    InsertTailList(&live, &b->link);
    stats.allocations++;
    stats.blocks_outstanding++;
    stats.bytes_outstanding += size;
    pthread_mutex_unlock(&pool_lock);
    return b + 1;
}

void ex_set_owner(void *p, const void *caller)
{
    pool_block_t *b = (pool_block_t *)p - 1;
    pthread_mutex_lock(&pool_lock);
    b->owner = ldr_owner_of(caller);
    pthread_mutex_unlock(&pool_lock);
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
    pthread_mutex_lock(&pool_lock);
    RemoveEntryList(&b->link);
    stats.frees++;
    stats.blocks_outstanding--;
    stats.bytes_outstanding -= b->size;
    pthread_mutex_unlock(&pool_lock);
    b->magic = POOL_FREED;
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
    pthread_mutex_lock(&pool_lock);
    *out = stats;
    pthread_mutex_unlock(&pool_lock);
}

size_t ex_pool_walk(const void *owner, void (*fn)(ULONG tag, SIZE_T size, void *ctx), void *ctx)
{
    size_t n = 0;
    pthread_mutex_lock(&pool_lock);
    for (PLIST_ENTRY e = live.Flink; e != &live; e = e->Flink) {
        pool_block_t *b = CONTAINING_RECORD(e, pool_block_t, link);
        if (owner && b->owner != owner)
            continue;
        n++;
        if (fn)
            fn(b->tag, b->size, ctx);
    }
    pthread_mutex_unlock(&pool_lock);
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

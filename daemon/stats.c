/* The counters battd keeps for its metrics: clients, messages, IOCTLs by
 * code and status, policy actions. Plain relaxed atomics, so counting on
 * the loop thread costs an add and reading from the HTTP thread takes no
 * lock. What they mean is docs/metrics.md; how they are shown, metrics.c. */
#include "metrics.h"
#include "protocol.h"

#include <pthread.h>
#include <stdatomic.h>

static _Atomic int64_t counters[STAT_COUNTER_COUNT];
static _Atomic uint64_t messages[BKP_MSG_COUNT];
static _Atomic uint64_t actions[BK_PO_LEVEL_COUNT][BK_PO_ACTION_COUNT];

/* Open addressing on (code, status). A slot is claimed under the lock
 * (once per new pair); its key is written before `used` is released, so a
 * reader that sees used sees the key. */
typedef struct ioctl_slot {
    atomic_bool used;
    uint32_t code;
    int32_t status;
    _Atomic uint64_t count;
} ioctl_slot_t;

static ioctl_slot_t ioctls[STAT_IOCTL_SLOTS];
static _Atomic uint64_t ioctl_overflow;
static pthread_mutex_t claim_lock = PTHREAD_MUTEX_INITIALIZER;

void stat_add(stat_counter_t which, int64_t delta)
{
    if ((unsigned)which < STAT_COUNTER_COUNT)
        atomic_fetch_add_explicit(&counters[which], delta, memory_order_relaxed);
}

int64_t stat_get(stat_counter_t which)
{
    return (unsigned)which < STAT_COUNTER_COUNT
               ? atomic_load_explicit(&counters[which], memory_order_relaxed)
               : 0;
}

void stat_message(uint16_t type)
{
    if (type < BKP_MSG_COUNT)
        atomic_fetch_add_explicit(&messages[type], 1, memory_order_relaxed);
}

uint64_t stat_messages(uint16_t type)
{
    return type < BKP_MSG_COUNT ? atomic_load_explicit(&messages[type], memory_order_relaxed) : 0;
}

void stat_policy_action(uint32_t level, uint32_t action)
{
    if (level < BK_PO_LEVEL_COUNT && action < BK_PO_ACTION_COUNT)
        atomic_fetch_add_explicit(&actions[level][action], 1, memory_order_relaxed);
}

uint64_t stat_policy_actions(uint32_t level, uint32_t action)
{
    return level < BK_PO_LEVEL_COUNT && action < BK_PO_ACTION_COUNT
               ? atomic_load_explicit(&actions[level][action], memory_order_relaxed)
               : 0;
}

static size_t slot_of(uint32_t code, int32_t status)
{
    uint32_t h = code * 2654435761u ^ (uint32_t)status * 40503u;
    return (h ^ h >> 15) % STAT_IOCTL_SLOTS;
}

/* The pair's slot: from start, through the claimed slots, to an empty one. */
static ioctl_slot_t *find(uint32_t code, int32_t status, bool claim)
{
    size_t start = slot_of(code, status);
    for (size_t k = 0; k < STAT_IOCTL_SLOTS; k++) {
        ioctl_slot_t *s = &ioctls[(start + k) % STAT_IOCTL_SLOTS];
        if (!atomic_load_explicit(&s->used, memory_order_acquire)) {
            if (!claim)
                return NULL;
            s->code = code;
            s->status = status;
            atomic_store_explicit(&s->used, true, memory_order_release);
            return s;
        }
        if (s->code == code && s->status == status)
            return s;
    }
    return NULL; /* full */
}

void stat_ioctl(uint32_t code, int32_t status)
{
    ioctl_slot_t *s = find(code, status, false);
    if (!s) {
        pthread_mutex_lock(&claim_lock);
        s = find(code, status, true);
        pthread_mutex_unlock(&claim_lock);
    }
    atomic_fetch_add_explicit(s ? &s->count : &ioctl_overflow, 1, memory_order_relaxed);
}

size_t stat_ioctl_rows(stat_ioctl_row_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < STAT_IOCTL_SLOTS && n < max; i++) {
        ioctl_slot_t *s = &ioctls[i];
        if (!atomic_load_explicit(&s->used, memory_order_acquire))
            continue;
        out[n++] =
            (stat_ioctl_row_t){.code = s->code,
                               .status = s->status,
                               .count = atomic_load_explicit(&s->count, memory_order_relaxed)};
    }
    uint64_t over = atomic_load_explicit(&ioctl_overflow, memory_order_relaxed);
    if (over && n < max)
        out[n++] = (stat_ioctl_row_t){.overflow = true, .count = over};
    return n;
}

void stat_reset(void)
{
    for (size_t i = 0; i < STAT_COUNTER_COUNT; i++)
        atomic_store(&counters[i], 0);
    for (size_t i = 0; i < BKP_MSG_COUNT; i++)
        atomic_store(&messages[i], 0);
    for (size_t l = 0; l < BK_PO_LEVEL_COUNT; l++)
        for (size_t a = 0; a < BK_PO_ACTION_COUNT; a++)
            atomic_store(&actions[l][a], 0);
    pthread_mutex_lock(&claim_lock);
    for (size_t i = 0; i < STAT_IOCTL_SLOTS; i++) {
        atomic_store(&ioctls[i].used, false);
        atomic_store(&ioctls[i].count, 0);
    }
    atomic_store(&ioctl_overflow, 0);
    pthread_mutex_unlock(&claim_lock);
}

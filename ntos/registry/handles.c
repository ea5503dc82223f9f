/* The host's handle table for Zw* handles (registry keys today). A handle
 * encodes a slot and a generation, so a closed or made-up handle is
 * refused with STATUS_INVALID_HANDLE instead of reaching freed memory.
 * ZwClose lives here: it closes any handle of the table, whichever manager
 * made it (IoOpenDeviceRegistryKey's included). */
#include "reg_internal.h"

#define SLOTS 4096
/* Kernel handles have the top bit set (sign-extended on x64); the slot is
 * in bits 2..15 (low two bits clear, as Windows handles), the generation
 * in bits 16..30. */
#define HANDLE_BASE 0xFFFFFFFF80000000ull

typedef struct {
    reg_key_t *key; /* NULL: free */
    ACCESS_MASK granted;
    uint16_t gen;
} slot_t;

static pthread_mutex_t handle_lock = PTHREAD_MUTEX_INITIALIZER;
static slot_t slots[SLOTS];
static size_t next_free_hint;

static HANDLE encode(size_t index, uint16_t gen)
{
    return (HANDLE)(uintptr_t)(HANDLE_BASE | ((uint64_t)(gen & 0x7FFF) << 16) |
                               ((uint64_t)(index + 1) << 2));
}

/* The slot index behind a handle, or -1. handle_lock held. */
static long decode_locked(HANDLE h)
{
    uint64_t v = (uint64_t)(uintptr_t)h;
    if ((v & 0xFFFFFFFF80000003ull) != HANDLE_BASE)
        return -1;
    uint64_t index = ((v >> 2) & 0x3FFF);
    if (index == 0 || index > SLOTS)
        return -1;
    index--;
    if (!slots[index].key || slots[index].gen != ((v >> 16) & 0x7FFF))
        return -1;
    return (long)index;
}

void reg_handles_init(void)
{
    /* Generations survive host restarts in one process, so a handle from a
     * previous host is still refused. */
    pthread_mutex_lock(&handle_lock);
    next_free_hint = 0;
    pthread_mutex_unlock(&handle_lock);
}

void reg_handles_shutdown(void)
{
    size_t leaked = 0;
    pthread_mutex_lock(&handle_lock);
    for (size_t i = 0; i < SLOTS; i++) {
        if (!slots[i].key)
            continue;
        leaked++;
        reg_key_t *key = slots[i].key;
        slots[i].key = NULL;
        slots[i].gen++;
        pthread_mutex_unlock(&handle_lock);
        reg_close(key);
        pthread_mutex_lock(&handle_lock);
    }
    pthread_mutex_unlock(&handle_lock);
    if (leaked)
        bk_log(BK_LOG_WARN, "registry: %zu key handle(s) never closed with ZwClose", leaked);
}

HANDLE reg_insert_key_handle(reg_key_t *key, ACCESS_MASK granted)
{
    pthread_mutex_lock(&handle_lock);
    for (size_t n = 0; n < SLOTS; n++) {
        size_t i = (next_free_hint + n) % SLOTS;
        if (slots[i].key)
            continue;
        slots[i].key = key;
        slots[i].granted = granted;
        slots[i].gen = (uint16_t)((slots[i].gen + 1) & 0x7FFF);
        next_free_hint = i + 1;
        HANDLE h = encode(i, slots[i].gen);
        pthread_mutex_unlock(&handle_lock);
        return h;
    }
    pthread_mutex_unlock(&handle_lock);
    bk_log(BK_LOG_ERROR, "registry: handle table full (%d handles open)", SLOTS);
    return NULL;
}

HANDLE reg_handle_from_key(reg_key_t *key)
{
    return reg_handle_from_key_access(key, KEY_ALL_ACCESS);
}

HANDLE reg_handle_from_key_access(reg_key_t *key, ACCESS_MASK desired_access)
{
    if (!key)
        return NULL;
    HANDLE h = reg_insert_key_handle(key, reg_map_access(desired_access));
    if (!h)
        reg_close(key);
    return h;
}

NTSTATUS reg_key_from_handle(HANDLE handle, reg_key_t **key, ACCESS_MASK *granted)
{
    *key = NULL;
    pthread_mutex_lock(&handle_lock);
    long i = decode_locked(handle);
    if (i < 0) {
        pthread_mutex_unlock(&handle_lock);
        return STATUS_INVALID_HANDLE;
    }
    *key = slots[i].key;
    if (granted)
        *granted = slots[i].granted;
    /* Lock order: handle_lock, then the tree lock (never the reverse). */
    reg_lock();
    reg_ref_locked(*key);
    reg_unlock();
    pthread_mutex_unlock(&handle_lock);
    return STATUS_SUCCESS;
}

NTSTATUS NTAPI ZwClose(HANDLE Handle)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    pthread_mutex_lock(&handle_lock);
    long i = decode_locked(Handle);
    reg_key_t *key = i >= 0 ? slots[i].key : NULL;
    if (i >= 0) {
        slots[i].key = NULL;
        if ((size_t)i < next_free_hint)
            next_free_hint = (size_t)i;
    }
    pthread_mutex_unlock(&handle_lock);
    if (!key)
        return STATUS_INVALID_HANDLE;
    reg_close(key);
    return STATUS_SUCCESS;
}

ACCESS_MASK reg_map_access(ACCESS_MASK a)
{
    if (a & (GENERIC_ALL | MAXIMUM_ALLOWED))
        return KEY_ALL_ACCESS;
    ACCESS_MASK r = a & ~(ACCESS_MASK)(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE);
    if (a & (GENERIC_READ | GENERIC_EXECUTE))
        r |= KEY_READ;
    if (a & GENERIC_WRITE)
        r |= KEY_WRITE;
    return r;
}

/* State shared by the ke files: the dispatcher lock, the queues the worker
 * and DPC threads serve, and the wait blocks of threads blocked in a wait. */
#ifndef NTOS_KE_INTERNAL_H
#define NTOS_KE_INTERNAL_H

#include "../private.h"

enum wait_state { WAIT_WAITING, WAIT_SATISFIED, WAIT_TIMED_OUT };

/* One per thread blocked in KeWaitForSingleObject / KeDelayExecutionThread. */
typedef struct ke_wait_block {
    LIST_ENTRY object_link;    /* in the object's WaitListHead */
    LIST_ENTRY timed_link;     /* in ke.timed_waits while it has a deadline */
    DISPATCHER_HEADER *object; /* NULL for a pure delay */
    uint64_t deadline;         /* interrupt time; UINT64_MAX = none */
    enum wait_state state;
    pthread_cond_t cv;
    void *thread; /* owner identity given to a mutex on satisfaction */
    bool runner;
} ke_wait_block_t;

/* A PASSIVE_LEVEL worker. Idle workers wait each on its own condition, on a
 * stack: the one that went idle last is woken first, so a quiet system keeps
 * running on one warm thread instead of touching every worker in turn. */
typedef struct ke_worker {
    pthread_t thread;
    pthread_cond_t cv;
    struct ke_worker *next_idle;
    bool woken; /* taken off the idle stack: there may be work for it */
} ke_worker_t;

struct ke_state {
    pthread_mutex_t lock;
    pthread_cond_t dpc_cv; /* the DPC thread waits here */
    /* When the sleeping DPC thread wakes by itself (interrupt time;
     * UINT64_MAX: only when signalled), 0 while it is awake: a timer due
     * later than that needs no wake-up to be seen. */
    uint64_t dpc_sleep_until;
    uint64_t dpc_signals;   /* times it was woken to look again */
    bool inline_dpcs;       /* virtual-time step: the advancing thread runs DPCs */
    pthread_cond_t idle_cv; /* ke_settle waits here */
    LIST_ENTRY dpc_queue;
    LIST_ENTRY work_queue;
    LIST_ENTRY timers; /* sorted by DueTime */
    LIST_ENTRY timed_waits;
    int runners_busy;     /* runner threads executing a DPC or work item */
    int runners_blocked;  /* ... of which are blocked in a wait */
    int runners_settling; /* ... of which wait in ke_settle for the others */
    int workers;
    ke_worker_t *idle_workers; /* the stack, last idle on top */
    int workers_idle;          /* on the stack */
    /* Taken off the stack or just created, not yet back under the lock:
     * ke_settle waits for them, so what runs next is known. */
    int workers_waking;
    int work_queued; /* items in work_queue */
    bool stopping;
    bool started;
    pthread_t dpc_thread;
    uint64_t timer_sequence;
};
extern struct ke_state ke;

void *ke_thread_identity(void);
bool ke_is_runner(void);
void ke_set_runner(bool runner);
void ke_idle_check_locked(void); /* wakes ke_settle when nothing is left */
/* Spawns a worker when queued items outnumber idle workers, so a work item
 * that blocks never strands the ones behind it. ke_lock held. */
void ke_ensure_workers_locked(void);
void ke_queue_dpc_locked(PKDPC dpc);
void ke_drain_dpcs_locked(void);
void ke_time_out_waits_locked(uint64_t now);
uint64_t ke_next_wait_deadline_locked(void);
/* Converts a KeWait/KeSetTimer timeout to an absolute interrupt time. */
uint64_t ke_due_time(LONGLONG timeout);

#endif

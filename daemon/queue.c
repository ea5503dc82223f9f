/* The queue that carries completions and events from driver and host
 * threads into the loop thread: a locked list plus an eventfd the loop
 * polls. A client socket is only ever written by the loop thread. */
#include "battd.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static q_item_t *head, **tail = &head;
static int efd = -1;
static bool signalled; /* an eventfd write is outstanding */
static pthread_t loop_thread;
static bool loop_known;

int queue_init(void)
{
    efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return efd;
}

void queue_shutdown(void)
{
    if (efd >= 0)
        close(efd);
    efd = -1;
}

void queue_set_loop_thread(void)
{
    loop_thread = pthread_self();
    loop_known = true;
}

void queue_push(q_item_t *item)
{
    item->next = NULL;
    pthread_mutex_lock(&lock);
    *tail = item;
    tail = &item->next;
    /* The loop drains the queue after every batch it handles, so a push
     * from the loop thread itself (a request that completed at once)
     * needs no wakeup; other threads wake it once per batch. */
    bool wake = !signalled && !(loop_known && pthread_equal(pthread_self(), loop_thread));
    if (wake)
        signalled = true;
    pthread_mutex_unlock(&lock);
    if (wake) {
        uint64_t one = 1;
        ssize_t n = write(efd, &one, sizeof one);
        (void)n; /* the counter cannot overflow at one write per batch */
    }
}

q_item_t *queue_take_all(void)
{
    pthread_mutex_lock(&lock);
    q_item_t *all = head;
    head = NULL;
    tail = &head;
    pthread_mutex_unlock(&lock);
    return all;
}

/* Read the counter, then clear the flag: a push between the two sees the
 * flag still set and does not write, but its item is already queued and
 * the queue_take_all that follows an ack takes it. (The other order loses
 * the wake-up of the push after a write the read swallowed.) */
void queue_ack(void)
{
    uint64_t v;
    ssize_t n = read(efd, &v, sizeof v);
    (void)n; /* EAGAIN: nothing was written */
    pthread_mutex_lock(&lock);
    signalled = false;
    pthread_mutex_unlock(&lock);
}

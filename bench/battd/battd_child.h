/* battd as a child of a benchmark: started on real time with its own
 * socket in a temp dir, ready once a HELLO is answered (bounded), stopped
 * with SIGTERM and its dir removed. */
#ifndef BENCH_BATTD_CHILD_H
#define BENCH_BATTD_CHILD_H

#include <sys/types.h>

extern char bench_battd_sock[300];
extern pid_t bench_battd_pid;

/* extra: more battd arguments (NULL-terminated) or NULL. 0 once ready. */
int bench_battd_start(const char *const *extra);
/* battd's exit status (0 = clean stop), -1 if it did not exit normally. */
int bench_battd_stop(void);

#endif

/* How much work battc's waiter handling has done, for the tests that pin
 * its cost (a cancel touches one waiter; arming N waits is O(N)). Linux
 * builds export BattcQueryCounters from battc.so for them (found with
 * dlsym); it is not part of battc.sys's interface (battc.def). */
#ifndef BATTC_COUNTERS_H
#define BATTC_COUNTERS_H

#include <ntdef.h>

typedef struct _BATTC_COUNTERS {
    ULONG64 Passes;          /* evaluation passes run (every battery) */
    ULONG64 WaitersExamined; /* waiter records looked at to decide something */
} BATTC_COUNTERS, *PBATTC_COUNTERS;

#define BATTC_COUNTERS_EXPORT "BattcQueryCounters"
typedef void (*PBATTC_QUERY_COUNTERS)(PBATTC_COUNTERS Counters);

#endif /* BATTC_COUNTERS_H */

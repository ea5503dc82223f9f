/* The bridges' poll timer: the one rule for when psbatt's poll and
 * nutbatt's refresh come next. */
#include "bridge.h"

/* How late a poll may come to share a wake-up: a quarter of the interval,
 * at most a second (no later than that is a change noticed later). */
#define BRIDGE_POLL_TOLERANCE_MS(poll) ((poll) / 4 < 1000 ? (poll) / 4 : 1000)

/* One-shot, set again from each poll's DPC rather than periodic: a poll that
 * shared a wake-up with other timers (coming up to its tolerance late)
 * starts its next period from that moment, so timers that met keep meeting
 * instead of a fixed period drifting away from them. The caller holds the
 * lock its stop takes to say "no more", so a stop that cancelled the timer
 * is never undone. */
VOID BridgeArmPoll(PKTIMER Timer, PKDPC Dpc, ULONG PollMs)
{
    LARGE_INTEGER due = {.QuadPart = -(LONGLONG)PollMs * 10000}; /* 100 ns */
    KeSetCoalescableTimer(Timer, due, 0, BRIDGE_POLL_TOLERANCE_MS(PollMs), Dpc);
}

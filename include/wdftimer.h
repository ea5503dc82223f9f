/* wdftimer.h: framework timers (one-shot or periodic), parented to a
 * device or queue; EvtTimerFunc runs at DISPATCH_LEVEL, or at
 * PASSIVE_LEVEL when the attributes ask for WdfExecutionLevelPassive. */
#ifndef BATTKIT_WDFTIMER_H
#define BATTKIT_WDFTIMER_H

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef void EVT_WDF_TIMER(WDFTIMER Timer);
typedef EVT_WDF_TIMER *PFN_WDF_TIMER;

#define TolerableDelayUnlimited ((ULONG)-1)

typedef struct _WDF_TIMER_CONFIG {
    ULONG Size;
    PFN_WDF_TIMER EvtTimerFunc;
    ULONG Period; /* ms; 0 = one-shot */
    BOOLEAN AutomaticSerialization;
    ULONG TolerableDelay;
    BOOLEAN UseHighResolutionTimer;
} WDF_TIMER_CONFIG, *PWDF_TIMER_CONFIG;

FORCEINLINE void WDF_TIMER_CONFIG_INIT(PWDF_TIMER_CONFIG Config, PFN_WDF_TIMER EvtTimerFunc)
{
    RtlZeroMemory(Config, sizeof(WDF_TIMER_CONFIG));
    Config->Size = sizeof(WDF_TIMER_CONFIG);
    Config->EvtTimerFunc = EvtTimerFunc;
    Config->Period = 0;
    Config->AutomaticSerialization = TRUE;
    Config->TolerableDelay = 0;
}

FORCEINLINE void WDF_TIMER_CONFIG_INIT_PERIODIC(PWDF_TIMER_CONFIG Config,
                                                PFN_WDF_TIMER EvtTimerFunc, LONG Period)
{
    RtlZeroMemory(Config, sizeof(WDF_TIMER_CONFIG));
    Config->Size = sizeof(WDF_TIMER_CONFIG);
    Config->EvtTimerFunc = EvtTimerFunc;
    Config->Period = (ULONG)Period;
    Config->AutomaticSerialization = TRUE;
    Config->TolerableDelay = 0;
}

/* Attributes->ParentObject is required (a device, queue or another
 * object under a device). */
WDFAPI NTSTATUS WdfTimerCreate(PWDF_TIMER_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                               WDFTIMER *Timer);
/* DueTime in 100 ns, negative = relative. TRUE if the timer was already
 * in the system's queue (it is restarted). */
WDFAPI BOOLEAN WdfTimerStart(WDFTIMER Timer, LONGLONG DueTime);
/* Wait TRUE (PASSIVE_LEVEL): also waits for a running EvtTimerFunc. TRUE
 * if the timer was in the queue. */
WDFAPI BOOLEAN WdfTimerStop(WDFTIMER Timer, BOOLEAN Wait);
WDFAPI WDFOBJECT WdfTimerGetParentObject(WDFTIMER Timer);

WDF_EXTERN_C_END
#endif

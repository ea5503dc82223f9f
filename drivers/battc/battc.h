/* battc's private class data: one BATTC_CLASS per battery (the ClassData
 * handle the BatteryClass* routines take), its waiter records, and the
 * routines the files of the driver share. Nothing here is exported. */
#ifndef BATTC_H
#define BATTC_H

/* battc defines the BatteryClass* routines: not imports (Windows headers). */
#define BATTERYCLASS

#include <ntddk.h>
#include <batclass.h>
#include <wmistr.h>
#include <wmilib.h>
#include "battc_wdk10.h"

/* Pool tags (they read "BtCl", "BtCw", "BtCm" in a pool dump). */
#define BATTC_TAG_CLASS  'lCtB' /* BATTC_CLASS */
#define BATTC_TAG_WAITER 'wCtB' /* BATTC_WAITER */
#define BATTC_TAG_WMI    'mCtB' /* WMI GUID lists, block scratch buffers, event data */

#define BATTC_SIGNATURE 0x43747442u /* "BttC": a ClassData that battc made */

/* With no working BatteryMiniSetStatusNotify the class driver polls
 * BatteryMiniQueryStatus "at regular but infrequent intervals" (docs). 5 s
 * bounds how stale a waiter's view of a non-notifying battery can get at
 * one QueryStatus per distinct tag per interval, and only while requests
 * wait; it is also the fallback ReactOS settled on (pitfall 5). */
#define BATTC_POLL_INTERVAL_MS 5000
/* A wait bound may fire up to 1/20 of its length late, at most 1 s (timer
 * coalescing): a 10 s refresh by 500 ms, a 30 s one by 1 s. */
#define BATTC_BOUND_TOLERANCE_DIVISOR 20
#define BATTC_BOUND_TOLERANCE_MAX_MS  1000

/* Interrupt time (100 ns units) that never comes: a wait without a bound. */
#define BATTC_NO_DEADLINE ((ULONGLONG)-1)
/* docs: a timeout of 0xFFFFFFFF milliseconds waits indefinitely. */
#define BATTC_WAIT_FOREVER 0xFFFFFFFFu
/* Distinct tags one evaluation pass asks QueryStatus about; waiters on
 * more distinct tags than this are served by a further pass. */
#define BATTC_MAX_PASS_TAGS 8

typedef enum _BATTC_WAIT_KIND {
    BattcWaitTag,   /* IOCTL_BATTERY_QUERY_TAG waiting for a battery */
    BattcWaitStatus /* IOCTL_BATTERY_QUERY_STATUS waiting for a condition */
} BATTC_WAIT_KIND;

/* The timer's life: set by an evaluation, fired (DPC queued or running),
 * back to idle when the DPC has run or the timer was cancelled in time.
 * Each arming holds one rundown reference until it is idle again. */
typedef enum _BATTC_TIMER_STATE {
    BattcTimerIdle,
    BattcTimerArmed,
    BattcTimerFired
} BATTC_TIMER_STATE;

struct _BATTC_CLASS;

/* One pending IRP. Linked in its class's list under BATTC_CLASS.Lock; the
 * IRP's DriverContext[0] points here (battc owns the IRP while it waits). */
typedef struct _BATTC_WAITER {
    LIST_ENTRY Link;
    PIRP Irp;
    struct _BATTC_CLASS *Class;
    BATTC_WAIT_KIND Kind;
    ULONGLONG Deadline;       /* interrupt time, or BATTC_NO_DEADLINE */
    BATTERY_WAIT_STATUS Wait; /* BattcWaitStatus: the caller's conditions */
    /* Filled by whoever takes the waiter out of the list to complete it. */
    NTSTATUS Status;
    ULONG Tag;                    /* BattcWaitTag result */
    BATTERY_STATUS BatteryStatus; /* BattcWaitStatus result */
} BATTC_WAITER, *PBATTC_WAITER;

/* WMI: the eight blocks battc answers follow the miniclass's own GUIDs. */
#define BATTC_WMI_BLOCKS        8
#define BATTC_WMI_STATUS        0
#define BATTC_WMI_RUNTIME       1
#define BATTC_WMI_TEMPERATURE   2
#define BATTC_WMI_FULL_CAPACITY 3
#define BATTC_WMI_CYCLE_COUNT   4
#define BATTC_WMI_STATIC_DATA   5
#define BATTC_WMI_STATUS_CHANGE 6 /* event */
#define BATTC_WMI_TAG_CHANGE    7 /* event */

typedef struct _BATTC_CLASS {
    ULONG Signature;
    LIST_ENTRY GlobalLink; /* every battery, for the WMILIB callbacks */

    /* The miniclass: its info as given (zero-extended to V1_2). */
    BATTERY_MINIPORT_INFO_V1_2 Mini;
    PDEVICE_OBJECT WorkDevice; /* Fdo for V1_1 and later, else Pdo */
    UNICODE_STRING SymbolicLink;

    /* Serializes every call into the miniclass for this battery (docs:
     * the class driver serializes requests to the battery); taken before
     * Lock. Not a FAST_MUTEX, which would run the callbacks at APC_LEVEL
     * (they are documented at PASSIVE_LEVEL), nor a KMUTEX, which costs a
     * dispatcher round trip even when free: a count and an event, the
     * event waited on only under contention. Not recursive. */
    LONG volatile MiniCount; /* 1 free, 0 held, < 0 held with waiters */
    KEVENT MiniContended;    /* synchronization event: one hand-off per set */
    BOOLEAN NotifyArmed;     /* SetStatusNotify succeeded; mini lock */
    ULONG ArmedTag;          /* what it was armed with; mini lock */
    BATTERY_NOTIFY ArmedNotify;
    BOOLEAN NotifyUnsupported; /* last SetStatusNotify said NOT_SUPPORTED; mini lock */
    BOOLEAN Polling;           /* waiting requests rely on polling; mini lock */
    ULONG LastTag;             /* for WMI events; mini lock */
    ULONG LastPowerState;      /* for WMI events; mini lock */
    BOOLEAN HaveLast;          /* mini lock */

    /* Everything below is guarded by Lock (<= DISPATCH_LEVEL). */
    KSPIN_LOCK Lock;
    LIST_ENTRY TagWaiters;
    LIST_ENTRY StatusWaiters;
    ULONG WaiterCount;
    BOOLEAN Unloading;
    BOOLEAN EvalRequested; /* something changed since the last pass began */
    BOOLEAN WorkQueued;    /* the work item is queued or running */
    BATTC_TIMER_STATE TimerState;
    ULONGLONG TimerDue;  /* interrupt time the armed timer fires at */
    ULONG EventsEnabled; /* 1 << BATTC_WMI_STATUS_CHANGE, 1 << BATTC_WMI_TAG_CHANGE */
    ULONG UpdateVersion; /* BatteryClassUpdateData: last Version given, 0 = never */
    BATTERY_NON_CATASTROPHIC_EVENT UpdateEvent;

    KTIMER Timer;
    KDPC TimerDpc;
    PIO_WORKITEM WorkItem;
    /* Counts what may still touch this structure: queued waiters, the
     * queued or running work item, an armed timer and its DPC. Unload
     * waits for it to drain. */
    IO_REMOVE_LOCK Rundown;

    /* WMI (wmi.c): the combined registration handed to WmiSystemControl,
     * built once under Lock and read-only after. */
    PWMILIB_CONTEXT MiniWmi; /* the miniclass's context */
    WMILIB_CONTEXT Wmi;
    PWMIGUIDREGINFO WmiGuids; /* miniclass GUIDs, then battc's eight */
    ULONG MiniGuidCount;
    PDEVICE_OBJECT WmiDevice; /* the device WMI IRPs arrive on; global list lock */
} BATTC_CLASS, *PBATTC_CLASS;

/* <= DISPATCH_LEVEL. Zeroed nonpaged pool (ExAllocatePoolZero is newer
 * than some DDK headers battc builds against). */
FORCEINLINE PVOID BattcAllocate(SIZE_T Bytes, ULONG Tag)
{
    PVOID p = ExAllocatePoolWithTag(NonPagedPoolNx, Bytes, Tag);
    if (p)
        RtlZeroMemory(p, Bytes);
    return p;
}

/* init.c: the list of live batteries, for callbacks that only get a
 * device object (WMILIB). Returns NULL if none has that WMI device. */
PBATTC_CLASS BattcFindByWmiDevice(PDEVICE_OBJECT DeviceObject);
void BattcSetWmiDevice(PBATTC_CLASS Class, PDEVICE_OBJECT DeviceObject);
PDEVICE_OBJECT BattcGetWmiDevice(PBATTC_CLASS Class);
PBATTC_CLASS BattcFromHandle(PVOID ClassData);

/* mini.c: the only calls into the miniclass. Caller holds the mini lock. */
#define BATTC_ASSERT_MINI_LOCKED(c) ASSERT((c)->MiniCount <= 0)
void BattcLockMiniclass(PBATTC_CLASS Class);
void BattcUnlockMiniclass(PBATTC_CLASS Class);
NTSTATUS BattcMiniQueryTag(PBATTC_CLASS Class, PULONG Tag);
NTSTATUS BattcMiniQueryInformation(PBATTC_CLASS Class, ULONG Tag,
                                   BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                                   ULONG BufferLength, PULONG ReturnedLength);
NTSTATUS BattcMiniQueryStatus(PBATTC_CLASS Class, ULONG Tag, PBATTERY_STATUS Status);
NTSTATUS BattcMiniSetInformation(PBATTC_CLASS Class, ULONG Tag, BATTERY_SET_INFORMATION_LEVEL Level,
                                 PVOID Buffer);
NTSTATUS BattcMiniSetStatusNotify(PBATTC_CLASS Class, ULONG Tag, PBATTERY_NOTIFY Notify);
NTSTATUS BattcMiniDisableStatusNotify(PBATTC_CLASS Class);

/* wait.c */
BOOLEAN BattcStatusSatisfies(const BATTERY_WAIT_STATUS *Wait, const BATTERY_STATUS *Status);
ULONGLONG BattcDeadlineFromTimeout(ULONG TimeoutMs);
/* Queues Irp (device control, marked pending here) as a waiter. Returns
 * STATUS_PENDING, or a final status the caller completes the IRP with.
 * Mini lock held, from the miniclass call that found the request must
 * wait: the waiter is served by what is armed without a pass when it can. */
NTSTATUS BattcQueueWaiter(PBATTC_CLASS Class, PIRP Irp, BATTC_WAIT_KIND Kind,
                          const BATTERY_WAIT_STATUS *Wait, ULONGLONG Deadline);
/* One pass over every waiter (work item, PASSIVE_LEVEL). */
void BattcEvaluate(PBATTC_CLASS Class);
/* Unload: completes every waiter it can take with Status. */
void BattcFlushWaiters(PBATTC_CLASS Class, NTSTATUS Status);
/* Unload: stops the timer if it has not fired. */
void BattcStopTimer(PBATTC_CLASS Class);
KDEFERRED_ROUTINE BattcTimerDpc;

/* notify.c: asks for an evaluation pass; coalesces. <= DISPATCH_LEVEL. */
void BattcRequestEvaluation(PBATTC_CLASS Class);

/* wmi.c */
void BattcWmiFreeClass(PBATTC_CLASS Class);
/* From an evaluation pass (mini lock held): fires the change events. */
void BattcWmiCheckEvents(PBATTC_CLASS Class, ULONG Enabled, NTSTATUS TagStatus, ULONG Tag,
                         const BATTERY_STATUS *Status);

#endif /* BATTC_H */

/* The composite battery's private types: the device extension, one record
 * per battery it tracks (member), and the combine step that turns the
 * members' figures into the composite's. */
#ifndef COMPBATT_PRIVATE_H
#define COMPBATT_PRIVATE_H

#include <ntddk.h>
#include <batclass.h>

#define COMPBATT_POOL_TAG 'tBpC'

/* What combine.c needs of a member: its last BATTERY_INFORMATION and
 * BATTERY_STATUS, and whether they are valid (a battery being read, or one
 * whose requests fail, contributes nothing). */
typedef struct _COMPBATT_READING {
    BOOLEAN Valid;
    BATTERY_INFORMATION Info;
    BATTERY_STATUS Status;
} COMPBATT_READING, *PCOMPBATT_READING;

/* Pure: members in, composite figures out (combine.c; docs/compbatt.md). */
VOID CompBattCombine(const COMPBATT_READING *Members, ULONG Count, PBATTERY_INFORMATION Info,
                     PBATTERY_STATUS Status, PULONG Included);

#ifndef COMPBATT_COMBINE_ONLY

typedef enum _COMPBATT_MEMBER_STEP {
    CompBattStepOpen = 0,   /* work item: open the battery, read tag, info, status */
    CompBattStepWaitTag,    /* IRP pending: QUERY_TAG, waiting for a battery */
    CompBattStepWaitStatus, /* IRP pending: QUERY_STATUS wait around the last status */
} COMPBATT_MEMBER_STEP;

struct _COMPBATT_EXTENSION;

typedef struct _COMPBATT_MEMBER {
    LIST_ENTRY Link;
    struct _COMPBATT_EXTENSION *Ext;
    UNICODE_STRING SymbolicLink;
    PFILE_OBJECT File; /* our handle on the battery */
    PDEVICE_OBJECT Device;
    PIO_WORKITEM WorkItem;
    COMPBATT_MEMBER_STEP Step;
    BOOLEAN Removed; /* interface gone or composite stopping: free at the next step */
    PIRP Irp;        /* the one request outstanding, or NULL */
    LONG IrpHolds;   /* completion + any canceller; the last one queues the work */
    KTIMER RetryTimer;
    KDPC RetryDpc;
    ULONG Tag; /* BATTERY_TAG_INVALID while there is no battery */
    COMPBATT_READING Reading;
    union {
        ULONG TagWait;
        BATTERY_WAIT_STATUS StatusWait;
        BATTERY_STATUS StatusOut;
    } Buffer; /* METHOD_BUFFERED system buffer of the outstanding request */
} COMPBATT_MEMBER, *PCOMPBATT_MEMBER;

typedef struct _COMPBATT_EXTENSION {
    PDEVICE_OBJECT Fdo;
    PDEVICE_OBJECT LowerDevice;
    IO_REMOVE_LOCK RemoveLock;
    PVOID ClassHandle;
    PVOID NotificationEntry;
    KSPIN_LOCK Lock; /* members list, composite figures, tag */
    LIST_ENTRY Members;
    ULONG MemberCount;
    KEVENT NoMembers; /* set while the list is empty */
    BOOLEAN Stopping;
    ULONG Tag; /* BATTERY_TAG_INVALID when no member has a battery */
    ULONG NextTag;
    BOOLEAN SetChanged; /* a member came, went or got a new tag: new composite tag */
    BATTERY_INFORMATION Info;
    BATTERY_STATUS Status;
    BOOLEAN SurpriseRemoved;
} COMPBATT_EXTENSION, *PCOMPBATT_EXTENSION;

/* member.c */
DRIVER_NOTIFICATION_CALLBACK_ROUTINE CompBattInterfaceChange;
VOID CompBattStopMembers(PCOMPBATT_EXTENSION Ext);

/* miniclass.c */
BCLASS_QUERY_TAG_CALLBACK CompBattQueryTag;
BCLASS_QUERY_INFORMATION_CALLBACK CompBattQueryInformation;
BCLASS_QUERY_STATUS_CALLBACK CompBattQueryStatus;
BCLASS_SET_STATUS_NOTIFY_CALLBACK CompBattSetStatusNotify;
BCLASS_DISABLE_STATUS_NOTIFY_CALLBACK CompBattDisableStatusNotify;
BCLASS_SET_INFORMATION_CALLBACK CompBattSetInformation;
/* Recomputes the composite from the members; notifies battc on a change. */
VOID CompBattRecompute(PCOMPBATT_EXTENSION Ext);

#endif
#endif

/* wdfworkitem.h: framework work items: EvtWorkItemFunc on a system worker
 * thread at PASSIVE_LEVEL. */
#ifndef BATTKIT_WDFWORKITEM_H
#define BATTKIT_WDFWORKITEM_H

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef void EVT_WDF_WORKITEM(WDFWORKITEM WorkItem);
typedef EVT_WDF_WORKITEM *PFN_WDF_WORKITEM;

typedef struct _WDF_WORKITEM_CONFIG {
    ULONG Size;
    PFN_WDF_WORKITEM EvtWorkItemFunc;
    BOOLEAN AutomaticSerialization;
} WDF_WORKITEM_CONFIG, *PWDF_WORKITEM_CONFIG;

FORCEINLINE void WDF_WORKITEM_CONFIG_INIT(PWDF_WORKITEM_CONFIG Config,
                                          PFN_WDF_WORKITEM EvtWorkItemFunc)
{
    RtlZeroMemory(Config, sizeof(WDF_WORKITEM_CONFIG));
    Config->Size = sizeof(WDF_WORKITEM_CONFIG);
    Config->EvtWorkItemFunc = EvtWorkItemFunc;
    Config->AutomaticSerialization = TRUE;
}

WDFAPI NTSTATUS WdfWorkItemCreate(PWDF_WORKITEM_CONFIG Config, PWDF_OBJECT_ATTRIBUTES Attributes,
                                  WDFWORKITEM *WorkItem);
/* Queued once: enqueueing an item already queued does nothing (docs). */
WDFAPI void WdfWorkItemEnqueue(WDFWORKITEM WorkItem);
/* PASSIVE_LEVEL: returns when a queued or running callback has finished. */
WDFAPI void WdfWorkItemFlush(WDFWORKITEM WorkItem);
WDFAPI WDFOBJECT WdfWorkItemGetParentObject(WDFWORKITEM WorkItem);

WDF_EXTERN_C_END
#endif

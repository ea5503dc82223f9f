/* Shared inside ntos/wmi only: the providers (device objects that called
 * IoWMIRegistrationControl) with the blocks they registered, the event
 * listeners, and the helper that sends a WMI IRP and waits for it. */
#ifndef NTOS_WMI_INTERNAL_H
#define NTOS_WMI_INTERNAL_H

#include "../private.h"

#include <wmilib.h>

/* Parameters.WMI.DataPath of IRP_MN_REGINFO(_EX) (wdm.h values; the
 * headers in include/ lack them). */
#ifndef WMIREGISTER
#define WMIREGISTER 0
#endif
#ifndef WMIUPDATE
#define WMIUPDATE 1
#endif
/* IoWMIRegistrationControl's flag for a callback instead of a device. */
#ifndef WMIREG_FLAG_CALLBACK
#define WMIREG_FLAG_CALLBACK 0x80000000u
#endif

/* The fixed parts of the WNODEs, as the WMI library lays them out. */
#define WMI_ALL_DATA_FIXED ((ULONG)offsetof(WNODE_ALL_DATA, OffsetInstanceDataAndLength))
#define WMI_SINGLE_FIXED   ((ULONG)offsetof(WNODE_SINGLE_INSTANCE, VariableData))
#define WMI_ITEM_FIXED     ((ULONG)offsetof(WNODE_SINGLE_ITEM, VariableData))
#define WMI_METHOD_FIXED   ((ULONG)offsetof(WNODE_METHOD_ITEM, VariableData))
/* The host's largest event (IoWMIWriteEvent answers STATUS_BUFFER_OVERFLOW
 * beyond it, as Windows does beyond its own maximum). */
#define WMI_MAX_EVENT_BYTES 0x10000u

/* One registered block. Static instance names are kept as a base: with a
 * PDO "<instance path>_" and with a base name the base itself, followed by
 * the instance index; a list keeps every name. */
typedef struct wmi_block {
    GUID guid;
    ULONG flags; /* WMIREG_FLAG_* */
    ULONG instance_count;
    char *base;          /* UTF-8, NULL without static names */
    char **names;        /* WMIREG_FLAG_INSTANCE_LIST: instance_count names */
    bool events_enabled; /* IRP_MN_ENABLE_EVENTS sent and answered */
} wmi_block_t;

typedef struct wmi_provider {
    LIST_ENTRY link;       /* in the provider list while registered */
    PDEVICE_OBJECT device; /* the registering device, referenced */
    ULONG id;              /* WNODE_HEADER.ProviderId of its events */
    wmi_block_t *blocks;
    size_t block_count;
    char *registry_path, *mof_name;
    unsigned refs;           /* the list, queued work, senders */
    unsigned irps_in_flight; /* DEREGISTER waits for these (docs) */
    bool registered;
    bool blocked; /* WMIREG_ACTION_BLOCK_IRPS */
} wmi_provider_t;

/* The WMI lock guards providers, blocks and listeners; wmi_cv signals
 * in-flight IRPs and deliveries ending. */
void wmi_lock(void);
void wmi_unlock(void);
void wmi_wait_locked(void);
void wmi_broadcast_locked(void);

void wmi_provider_ref_locked(wmi_provider_t *p);
void wmi_provider_release(wmi_provider_t *p); /* takes the lock */
/* The registered provider whose device is `device` (NULL if none). */
wmi_provider_t *wmi_find_provider_locked(PDEVICE_OBJECT device);
wmi_provider_t *wmi_find_provider_by_id_locked(ULONG id);
/* The provider of `guid` for the stack whose top is `top` (walking down),
 * referenced; NULL if no device of the stack registered that block. */
wmi_provider_t *wmi_provider_for_stack(PDEVICE_OBJECT top, const GUID *guid, size_t *block);
wmi_block_t *wmi_find_block_locked(wmi_provider_t *p, const GUID *guid);
/* The static name of one instance, malloc'd UTF-8 (NULL: none). */
char *wmi_instance_name_locked(const wmi_block_t *b, ULONG index);
/* Every registered provider (referenced) listing `guid`. */
size_t wmi_providers_of(const GUID *guid, wmi_provider_t ***out);

/* Sends a WMI IRP to the top of the provider's stack with ProviderId set to
 * its device and waits for it. may_advance: the caller is a host thread, so
 * under virtual time the clock may move to let a pended IRP complete.
 * STATUS_WMI_GUID_NOT_FOUND once the provider is gone or blocked. */
NTSTATUS wmi_send(wmi_provider_t *p, UCHAR minor, PVOID data_path, PVOID buffer, ULONG size,
                  ULONG_PTR *information, bool may_advance);
/* Sends IRP_MN_ENABLE_EVENTS or DISABLE_EVENTS for one block. */
void wmi_set_events(wmi_provider_t *p, const GUID *guid, bool enable, bool may_advance);
/* Listeners (events.c): is anyone watching this event block? */
bool wmi_event_watched_locked(const GUID *guid);
void wmi_events_shutdown(void);

#endif

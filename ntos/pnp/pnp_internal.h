/* State shared by the PnP manager's files: the devnode, the tree lock, the
 * serialization of tree operations, and the helpers that send PnP IRPs.
 * Nothing here is visible outside ntos/pnp (see private.h for that). */
#ifndef NTOS_PNP_INTERNAL_H
#define NTOS_PNP_INTERNAL_H

#include "../private.h"

#include <battkit/host.h>
#include "../ldr/ldr.h"
#include "../registry/registry.h"

#define PNP_MAX_ID    200  /* chars of one device/instance ID (docs: MAX_DEVICE_ID_LEN 200) */
#define PNP_MAX_MULTI 1024 /* bytes of a UTF-8 MULTI_SZ ID list */
#define PNP_POOL_TAG  'PnpL'

/* docs: IoSetDeviceInterfaceState's informational status for an interface
 * that is already enabled. (ntstatus.h lacks it.) */
#ifndef STATUS_OBJECT_NAME_EXISTS
#define STATUS_OBJECT_NAME_EXISTS ((NTSTATUS)0x40000000L)
#endif

/* The device states of "State Transitions for PnP Devices" the host tracks;
 * the order matches bk_device_state_t in host.h. */
typedef enum pnp_state {
    PNP_STATE_INITIALIZED = 0, /* PDO reported, no driver yet */
    PNP_STATE_DRIVER_LOADED,   /* function driver loaded, AddDevice called */
    PNP_STATE_STARTED,
    PNP_STATE_STOPPED,
    PNP_STATE_SURPRISE_REMOVED,
    PNP_STATE_REMOVED, /* REMOVE_DEVICE sent; PDO may still exist (bus keeps it) */
    PNP_STATE_DELETED, /* out of the tree; freed when the last reference goes */
} pnp_state_t;

typedef struct pnp_devnode {
    LIST_ENTRY sibling;
    LIST_ENTRY children;
    struct pnp_devnode *parent;
    PDEVICE_OBJECT pdo; /* one reference held by the devnode; NULL for the root */
    pnp_state_t state;
    int refs;      /* under pnp_lock; the tree holds one */
    bool present;  /* marked during a BusRelations pass */
    bool deleting; /* uninstall: the root bus deletes its PDO on REMOVE */
    bool failed_start;
    char instance_path[PNP_MAX_ID];
    char device_id[PNP_MAX_ID];
    char instance_id[PNP_MAX_ID];
    char hardware_ids[PNP_MAX_MULTI]; /* UTF-8 MULTI_SZ */
    char compatible_ids[PNP_MAX_MULTI];
    char description[PNP_MAX_ID];
    char location[PNP_MAX_ID];
    char pdo_name[40];
    char service[64];
    char image_path[512];
    char class_guid[40];
    ULONG driver_index;    /* NNNN of DriverKeyName */
    PDRIVER_OBJECT driver; /* the function driver, once loaded */
    DEVICE_CAPABILITIES caps;
} pnp_devnode_t;

/* ---- tree (devnode.c) ---- */
extern pthread_mutex_t pnp_lock; /* tree shape, devnode fields, interfaces */
pnp_devnode_t *pnp_root(void);
/* Makes a devnode for `pdo` (whose reference it takes) under `parent`. */
pnp_devnode_t *pnp_devnode_create(pnp_devnode_t *parent, PDEVICE_OBJECT pdo);
void pnp_devnode_ref(pnp_devnode_t *dn);
void pnp_devnode_release(pnp_devnode_t *dn);
/* Unlinks the devnode from the tree, drops its PDO and the tree's reference. */
void pnp_devnode_delete(pnp_devnode_t *dn);
pnp_devnode_t *pnp_devnode_of(PDEVICE_OBJECT pdo);  /* NULL if not a PDO */
pnp_devnode_t *pnp_devnode_get(PDEVICE_OBJECT pdo); /* the same, referenced */
pnp_devnode_t *pnp_find_locked(const char *instance_path);
bool pnp_in_tree_locked(const pnp_devnode_t *dn);
/* Devnodes of the subtree below `dn` (not dn itself), parents before
 * children, each referenced; release with pnp_release_list. */
size_t pnp_collect_subtree(pnp_devnode_t *dn, bool include_self, pnp_devnode_t ***out);
void pnp_release_list(pnp_devnode_t **list, size_t n);
const char *pnp_state_name(pnp_state_t state);
void pnp_set_state(pnp_devnode_t *dn, pnp_state_t state);

/* ---- serialization of tree operations (action.c) ----
 * One operation changes the tree at a time, like Windows' PnP worker.
 * pnp_op_begin/end bracket a caller's operation; pnp_queue_action runs fn
 * later on a worker (or at the end of the operation in progress). */
void pnp_op_begin(void);
void pnp_op_end(void);
void pnp_queue_action(void (*fn)(pnp_devnode_t *dn, void *arg), pnp_devnode_t *dn, void *arg);
bool pnp_on_pnp_worker(void);
void pnp_action_init(void);
void pnp_action_shutdown(void);

/* ---- sending PnP IRPs (irp.c) ---- */
typedef void (*pnp_irp_setup_fn)(PIRP irp, void *arg); /* fills IoGetNextIrpStackLocation */
/* Builds an IRP for the top of the stack `device` belongs to, lets `setup`
 * fill it, sends it and waits for completion. *info gets Information. */
NTSTATUS pnp_send_irp(PDEVICE_OBJECT device, UCHAR major, UCHAR minor, pnp_irp_setup_fn setup,
                      void *arg, ULONG_PTR *info);
NTSTATUS pnp_send_minor(PDEVICE_OBJECT pdo, UCHAR minor);
/* IRP_MN_QUERY_ID: the answer as UTF-8 (MULTI_SZ for the ID lists). */
NTSTATUS pnp_query_id(PDEVICE_OBJECT pdo, BUS_QUERY_ID_TYPE type, char *out, size_t len);
NTSTATUS pnp_query_text(PDEVICE_OBJECT pdo, DEVICE_TEXT_TYPE type, char *out, size_t len);
NTSTATUS pnp_query_capabilities(PDEVICE_OBJECT pdo, DEVICE_CAPABILITIES *caps);
NTSTATUS pnp_query_relations(PDEVICE_OBJECT pdo, DEVICE_RELATION_TYPE type,
                             PDEVICE_RELATIONS *relations);

/* ---- the host's root bus (rootbus.c) ---- */
extern DRIVER_OBJECT pnp_root_bus_driver;
NTSTATUS pnp_root_bus_create_pdo(const char *device_id, const char *hardware_id,
                                 const char *instance_id, PDEVICE_OBJECT *pdo);
void pnp_root_bus_init(void);

/* ---- binding and start (start.c, binding.c) ---- */
/* Finds and loads the driver, calls AddDevice, starts the stack and
 * enumerates its children. A device with no driver stays unstarted. */
NTSTATUS pnp_configure(pnp_devnode_t *dn);
void pnp_enumerate(pnp_devnode_t *dn);
NTSTATUS pnp_fill_ids(pnp_devnode_t *dn);
/* Looks up the binding of the devnode's hardware IDs, then compatible IDs. */
bool pnp_find_binding(pnp_devnode_t *dn);
/* Writes the devnode's Enum\<instance> values (HardwareID, Service, ...). */
void pnp_write_enum_key(pnp_devnode_t *dn);

/* ---- removal (remove.c) ---- */
typedef enum pnp_remove_kind {
    PNP_REMOVE_ORDERLY,  /* QUERY_REMOVE (a veto cancels) then REMOVE_DEVICE */
    PNP_REMOVE_SURPRISE, /* SURPRISE_REMOVAL then REMOVE_DEVICE */
    PNP_REMOVE_FORCED,   /* shutdown: QUERY_REMOVE, a veto is logged, REMOVE_DEVICE */
    PNP_REMOVE_FAILED,   /* failed start: REMOVE_DEVICE only */
} pnp_remove_kind_t;
/* Removes dn's subtree, deepest first, then dn itself. Children are
 * deleted; dn is deleted only when delete_self (else it stays in the tree,
 * removed, because its bus still reports the PDO). Returns a failure status
 * when a driver vetoed an orderly removal or an unload found leaked pool. */
NTSTATUS pnp_remove_subtree(pnp_devnode_t *dn, pnp_remove_kind_t kind, bool delete_self);
void pnp_retry_deferred_unloads(void);
/* Unloads a driver that has no device objects left (deferred while one of
 * its deleted devices is still referenced). Failure: it left pool. */
NTSTATUS pnp_unload_if_idle(PDRIVER_OBJECT drv);
const char *pnp_last_unload_report(void);
void pnp_unload_init(void); /* a new host: no report, nothing deferred */

/* ---- device interfaces (interface.c, notify.c) ---- */
void pnp_interfaces_device_started(pnp_devnode_t *dn);
void pnp_interfaces_disable_device(pnp_devnode_t *dn);
void pnp_interfaces_forget_device(pnp_devnode_t *dn);
void pnp_interfaces_shutdown(void);
/* Calls fn for each active interface (of klass, or every class if NULL). */
void pnp_interfaces_each_active_locked(const GUID *klass,
                                       void (*fn)(const GUID *klass, const WCHAR *name,
                                                  USHORT bytes, void *ctx),
                                       void *ctx);
/* Queues an arrival/removal event for every listener of the class. */
void pnp_notify_interface(const GUID *klass, const WCHAR *link, USHORT link_bytes, bool arrival);
void pnp_notify_init(void);
void pnp_notify_shutdown(void);
/* Drops registrations whose callback lives in a driver being unloaded. */
void pnp_notify_forget_driver(PDRIVER_OBJECT drv);

/* ---- small string helpers (util.c) ---- */
/* UTF-8 MULTI_SZ <-> UTF-16 MULTI_SZ; lengths include every NUL. */
size_t pnp_multi_len(const char *multi);
size_t pnp_wmulti_chars(const WCHAR *multi, size_t max_chars);
size_t pnp_utf16_multi_to_utf8(const WCHAR *src, size_t src_chars, char *dst, size_t len);
/* Pool copy of a UTF-8 string or MULTI_SZ as UTF-16; *bytes gets the size. */
WCHAR *pnp_pool_wide(const char *utf8, bool multi, ULONG tag, const void *caller, ULONG *bytes);
void pnp_copy(char *dst, size_t len, const char *src);
/* snprintf that cuts to len like pnp_copy; false when it had to cut. */
bool pnp_format(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int pnp_strcasecmp(const char *a, const char *b);
/* "A\B\C" -> "A#B#C" */
void pnp_hash_path(char *dst, size_t len, const char *src);
void pnp_guid_text(const GUID *guid, char out[39]);

#endif

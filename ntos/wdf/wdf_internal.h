/* Host-private view of framework objects (ntos/wdf). Every framework
 * handle is a pointer to a wdf_object; its typed context areas follow it
 * in pool blocks owned by the driver whose code created the object, so an
 * object a driver leaks is reported by tag when it unloads. */
#ifndef NTOS_WDF_INTERNAL_H
#define NTOS_WDF_INTERNAL_H

#include "../private.h"
#include <wdf.h>

#define WDF_OBJECT_MAGIC 0x6A624F46u /* "FObj" */
/* docs (WDF_DRIVER_CONFIG): the tag used when a driver names none. */
#define WDF_DEFAULT_POOL_TAG 'rDxF'

typedef enum wdf_kind {
    WDF_KIND_OBJECT = 1,
    WDF_KIND_DRIVER,
    WDF_KIND_DEVICE,
    WDF_KIND_QUEUE,
    WDF_KIND_REQUEST,
    WDF_KIND_WAITLOCK,
    WDF_KIND_SPINLOCK,
    WDF_KIND_MEMORY,
    WDF_KIND_KEY,
    WDF_KIND_TIMER,
    WDF_KIND_WORKITEM,
    WDF_KIND_CMRESLIST,
} wdf_kind_t;

typedef struct wdf_context {
    struct wdf_context *next;
    PCWDF_OBJECT_CONTEXT_TYPE_INFO type; /* UniqueType; NULL for none */
    PFN_WDF_OBJECT_CONTEXT_CLEANUP cleanup;
    PFN_WDF_OBJECT_CONTEXT_DESTROY destroy;
    struct wdf_object *owner;
    ULONG tag;
} __attribute__((aligned(16))) wdf_context_t; /* the context data follows */

typedef struct wdf_object {
    uint32_t magic;
    wdf_kind_t kind;
    ULONG tag;
    struct wdf_object *parent;
    LIST_ENTRY children; /* wdf_object.sibling, under wdf_tree_lock */
    LIST_ENTRY sibling;
    LONG refs;
    bool deleting;
    wdf_context_t *contexts; /* in allocation order */
    /* The object type's own teardown: `cleanup` after the driver's
     * EvtCleanupCallbacks (release what the object holds: a timer stops, a
     * key closes), `destroy` after its EvtDestroyCallbacks, before the
     * memory goes. Either may be NULL. */
    void (*cleanup)(struct wdf_object *object);
    void (*destroy)(struct wdf_object *object);
} wdf_object_t;

/* Creates an object of `kind` with `size` bytes of host state (size >=
 * sizeof(wdf_object_t)), the attributes' context and callbacks, a
 * reference held by its creator, and one on its parent. `caller` is the
 * driver code address the pool blocks are attributed to. */
NTSTATUS wdf_object_create(wdf_kind_t kind, size_t size, PWDF_OBJECT_ATTRIBUTES attributes,
                           wdf_object_t *default_parent, ULONG tag, const void *caller,
                           wdf_object_t **out);
wdf_object_t *wdf_object_from_handle(WDFOBJECT handle, wdf_kind_t kind); /* asserts the kind */
void wdf_object_delete(wdf_object_t *object);
void wdf_object_reference(wdf_object_t *object);
void wdf_object_dereference(wdf_object_t *object);

/* ---- drivers (driver.c) ---- */
typedef struct wdf_driver {
    wdf_object_t object;
    PDRIVER_OBJECT wdm;
    WDF_DRIVER_CONFIG config;
    ULONG tag;        /* DriverPoolTag, or 'FxDr' */
    const void *code; /* an address in the driver's module: pool attribution */
    WCHAR *registry_path;
    PDRIVER_UNLOAD wdm_unload; /* what the driver set after WdfDriverCreate, if anything */
    LIST_ENTRY link;
} wdf_driver_t;

/* The framework driver whose module holds `code`; NULL if none. */
wdf_driver_t *wdf_driver_of_code(const void *code);
wdf_driver_t *wdf_driver_of_wdm(PDRIVER_OBJECT driver);
/* Every major function of a framework driver comes here (dispatch.c). */
NTSTATUS wdf_dispatch(PDEVICE_OBJECT DeviceObject, PIRP Irp);
NTSTATUS wdf_add_device(PDRIVER_OBJECT DriverObject, PDEVICE_OBJECT PhysicalDeviceObject);

/* ---- devices (device.c, pnp.c, dispatch.c) ---- */
#define WDF_MAX_PREPROCESS_MINORS 32
#define WDF_MAX_INTERFACES        8

typedef struct wdf_preprocess {
    PFN_WDFDEVICE_WDM_IRP_PREPROCESS fn;
    ULONG nminors; /* 0: every minor code */
    UCHAR minors[WDF_MAX_PREPROCESS_MINORS];
} wdf_preprocess_t;

struct WDFDEVICE_INIT {
    wdf_driver_t *driver;
    PDEVICE_OBJECT pdo;
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    wdf_preprocess_t preprocess[IRP_MJ_MAXIMUM_FUNCTION + 1];
    WDF_DEVICE_IO_TYPE io_type;
    DEVICE_TYPE device_type;
    ULONG characteristics;
    BOOLEAN exclusive;
    bool power_pageable, filter, have_request_attributes, have_name;
    WDF_OBJECT_ATTRIBUTES request_attributes;
    UNICODE_STRING name;
    WCHAR name_buffer[128];
};

typedef enum wdf_pnp_state {
    WDF_DEV_ADDED = 0,
    WDF_DEV_STARTED,
    WDF_DEV_STOPPED,
    WDF_DEV_SURPRISE_REMOVED,
    WDF_DEV_FAILED, /* a start that failed: the PnP manager removes it */
    WDF_DEV_REMOVED,
} wdf_pnp_state_t;

struct wdf_queue;

typedef struct wdf_interface {
    GUID guid;
    UNICODE_STRING link;
    bool enabled, disabled_by_driver;
} wdf_interface_t;

typedef struct wdf_device {
    wdf_object_t object;
    wdf_driver_t *driver;
    PDEVICE_OBJECT fdo, pdo, lower;
    WDF_PNPPOWER_EVENT_CALLBACKS pnp;
    wdf_preprocess_t preprocess[IRP_MJ_MAXIMUM_FUNCTION + 1];
    bool filter;
    bool have_request_attributes;
    WDF_OBJECT_ATTRIBUTES request_attributes;
    IO_REMOVE_LOCK remove_lock;
    /* PnP/power state (pnp.c): changed only by PnP and power IRPs, which
     * the PnP and power managers send one at a time per device. */
    wdf_pnp_state_t state;
    bool in_d0;
    bool hardware_prepared;
    bool self_managed_io_initialized; /* EvtDeviceSelfManagedIoInit has run */
    bool self_managed_io_suspended;
    bool self_managed_io_cleaned_up;
    bool started_once;
    DEVICE_POWER_STATE device_power;
    SYSTEM_POWER_STATE system_power;
    WDFCMRESLIST resources; /* the empty resource lists */
    /* I/O (queue.c) */
    struct wdf_queue *default_queue;
    struct wdf_queue
        *dispatch[IRP_MJ_MAXIMUM_FUNCTION + 1]; /* WdfDeviceConfigureRequestDispatching */
    LIST_ENTRY queues;                          /* wdf_queue.device_link, under queue_lock */
    pthread_mutex_t queue_lock;
    ULONG ninterfaces;
    wdf_interface_t interfaces[WDF_MAX_INTERFACES];
} wdf_device_t;

/* The device extension of every framework device object. */
typedef struct wdf_device_extension {
    uint32_t magic;
    wdf_device_t *device;
} wdf_device_extension_t;
#define WDF_DEVICE_EXTENSION_MAGIC 0x76654446u /* "FDev" */

wdf_device_t *wdf_device_of(PDEVICE_OBJECT device_object); /* NULL if not a framework device */
NTSTATUS wdf_pnp_dispatch(wdf_device_t *device, PIRP irp);
NTSTATUS wdf_power_dispatch(wdf_device_t *device, PIRP irp);
void wdf_device_set_interfaces(wdf_device_t *device, bool enable);

/* ---- queues and requests (queue.c, request.c) ---- */
typedef struct wdf_queue {
    wdf_object_t object;
    wdf_device_t *device;
    WDF_IO_QUEUE_CONFIG config;
    bool power_managed;
    LIST_ENTRY device_link;
    /* Everything below under `lock`; never held while a driver callback runs. */
    pthread_mutex_t lock;
    pthread_cond_t idle; /* signalled when driver_owned falls */
    LIST_ENTRY waiting;  /* wdf_request.link: not yet delivered */
    ULONG nwaiting;
    ULONG driver_owned; /* delivered from this queue, not completed */
    bool accepting;     /* false: new requests are failed (purged, deleted) */
    bool stopped;       /* WdfIoQueueStop*: held, not delivered */
    bool power_held;    /* power-managed and the device is not in D0 */
    bool dispatching;   /* a thread is in the delivery loop */
    bool work_queued;
    ke_work_t work; /* delivery from a worker when a completion frees a place */
} wdf_queue_t;

typedef struct wdf_request {
    wdf_object_t object;
    PIRP irp;
    wdf_device_t *device;
    wdf_queue_t *queue; /* the queue it was delivered from or waits in */
    LIST_ENTRY link;
    bool waiting;                  /* in queue->waiting */
    bool driver_owned;             /* delivered, not completed */
    LONG completed;                /* 1 once completed: a second completion is a driver bug */
    PFN_WDF_REQUEST_CANCEL cancel; /* while marked cancelable */
    LONG cancel_called;
} wdf_request_t;

/* Puts a new request for `irp` on `queue` (or fails it); returns the
 * dispatch routine's status. */
NTSTATUS wdf_queue_present_irp(wdf_queue_t *queue, PIRP irp);
/* Power-managed queues follow the device: held outside D0, delivered in it. */
void wdf_queues_power(wdf_device_t *device, bool in_d0);
/* Removal: every queue stops accepting; waiting requests are cancelled and
 * the framework waits for the driver to complete the ones it owns. */
void wdf_queues_purge(wdf_device_t *device);
/* A request delivered from `queue` completed: frees a place. */
void wdf_queue_request_done(wdf_queue_t *queue);
void wdf_queue_deliver(wdf_queue_t *queue);
NTSTATUS wdf_request_create(wdf_device_t *device, PIRP irp, wdf_request_t **out);
void wdf_request_complete(wdf_request_t *request, NTSTATUS status, ULONG_PTR information,
                          bool set_information);

#endif

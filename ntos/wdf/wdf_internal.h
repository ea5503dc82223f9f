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

typedef enum wdf_kind { WDF_KIND_OBJECT = 1 } wdf_kind_t;

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

#endif

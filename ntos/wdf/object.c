/* The framework object model: handles, typed context areas, parent/child
 * lifetime, EvtCleanupCallback / EvtDestroyCallback, references. It owns no
 * object type's behaviour (devices, queues, ... live in their own files).
 *
 * docs (Framework Object Life Cycle): deleting an object deletes its
 * children first; each object's EvtCleanupCallback runs once, children's
 * before their parent's; EvtDestroyCallback runs when the last reference
 * is gone, and a child holds a reference on its parent, so a parent is
 * destroyed after all of its children. */
#include "wdf_internal.h"

#include <assert.h>
#include <stdio.h>

/* One lock for every parent/child list: objects are few and the lists
 * short. Never held while a driver callback runs. */
static pthread_mutex_t wdf_tree_lock = PTHREAD_MUTEX_INITIALIZER;

static wdf_context_t *context_alloc(wdf_object_t *owner, PWDF_OBJECT_ATTRIBUTES attributes,
                                    ULONG tag, const void *caller)
{
    size_t size = 0;
    if (attributes->ContextTypeInfo != NULL)
        size = attributes->ContextTypeInfo->ContextSize;
    /* docs: ContextSizeOverride, when not zero, replaces the type's size. */
    if (attributes->ContextSizeOverride != 0)
        size = attributes->ContextSizeOverride;
    wdf_context_t *c = ex_alloc(NonPagedPool, sizeof(*c) + size, tag, true, caller);
    if (c == NULL)
        return NULL;
    c->type = attributes->ContextTypeInfo ? attributes->ContextTypeInfo->UniqueType : NULL;
    c->cleanup = attributes->EvtCleanupCallback;
    c->destroy = attributes->EvtDestroyCallback;
    c->owner = owner;
    c->tag = tag;
    return c;
}

static bool attributes_valid(PWDF_OBJECT_ATTRIBUTES a)
{
    if (a == NULL)
        return true;
    if (a->Size != sizeof(*a))
        return false;
    if (a->ContextTypeInfo != NULL && a->ContextSizeOverride != 0 &&
        a->ContextSizeOverride < a->ContextTypeInfo->ContextSize)
        return false; /* docs: an override must be larger than the type */
    return true;
}

NTSTATUS wdf_object_create(wdf_kind_t kind, size_t size, PWDF_OBJECT_ATTRIBUTES attributes,
                           wdf_object_t *default_parent, ULONG tag, const void *caller,
                           wdf_object_t **out)
{
    *out = NULL;
    if (!attributes_valid(attributes))
        return STATUS_INVALID_PARAMETER;
    wdf_object_t *parent = default_parent;
    if (attributes != NULL && attributes->ParentObject != NULL)
        parent = wdf_object_from_handle(attributes->ParentObject, 0);
    if (parent != NULL && parent->deleting)
        return STATUS_DELETE_PENDING;

    wdf_object_t *o = ex_alloc(NonPagedPool, size, tag, true, caller);
    if (o == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    o->magic = WDF_OBJECT_MAGIC;
    o->kind = kind;
    o->tag = tag;
    o->refs = 1; /* the creator's, dropped by WdfObjectDelete */
    InitializeListHead(&o->children);
    InitializeListHead(&o->sibling);
    if (attributes != NULL && (attributes->ContextTypeInfo != NULL ||
                               attributes->EvtCleanupCallback || attributes->EvtDestroyCallback)) {
        o->contexts = context_alloc(o, attributes, tag, caller);
        if (o->contexts == NULL) {
            ex_free(o, tag, true);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
    }
    if (parent != NULL) {
        wdf_object_reference(parent);
        pthread_mutex_lock(&wdf_tree_lock);
        o->parent = parent;
        InsertTailList(&parent->children, &o->sibling);
        pthread_mutex_unlock(&wdf_tree_lock);
    }
    *out = o;
    return STATUS_SUCCESS;
}

wdf_object_t *wdf_object_from_handle(WDFOBJECT handle, wdf_kind_t kind)
{
    wdf_object_t *o = handle;
    /* A stale or foreign handle is a driver bug: stop, as the verifier does. */
    if (o == NULL || o->magic != WDF_OBJECT_MAGIC || (kind != 0 && o->kind != kind)) {
        fprintf(stderr, "wdf: invalid framework handle %p\n", handle);
        KeBugCheckEx(0x10D /* WDF_VIOLATION */, 0x4, (ULONG_PTR)handle, kind, 0);
    }
    return o;
}

void wdf_object_reference(wdf_object_t *o)
{
    __atomic_add_fetch(&o->refs, 1, __ATOMIC_ACQ_REL);
}

static void object_destroy(wdf_object_t *o)
{
    wdf_object_t *parent = o->parent;
    for (wdf_context_t *c = o->contexts; c; c = c->next)
        if (c->destroy)
            c->destroy((WDFOBJECT)o);
    if (o->destroy)
        o->destroy(o);
    for (wdf_context_t *c = o->contexts, *next; c; c = next) {
        next = c->next;
        ex_free(c, c->tag, true);
    }
    o->magic = 0;
    ex_free(o, o->tag, true);
    if (parent != NULL)
        wdf_object_dereference(parent);
}

void wdf_object_dereference(wdf_object_t *o)
{
    LONG left = __atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL);
    assert(left >= 0);
    if (left == 0)
        object_destroy(o);
}

void wdf_object_delete(wdf_object_t *o)
{
    pthread_mutex_lock(&wdf_tree_lock);
    if (o->deleting) {
        pthread_mutex_unlock(&wdf_tree_lock);
        return;
    }
    o->deleting = true;
    /* Children first, newest first (the reverse of creation). */
    while (!IsListEmpty(&o->children)) {
        wdf_object_t *child = CONTAINING_RECORD(o->children.Blink, wdf_object_t, sibling);
        RemoveEntryList(&child->sibling);
        InitializeListHead(&child->sibling);
        pthread_mutex_unlock(&wdf_tree_lock);
        wdf_object_delete(child);
        pthread_mutex_lock(&wdf_tree_lock);
    }
    if (o->parent != NULL) {
        RemoveEntryList(&o->sibling);
        InitializeListHead(&o->sibling);
    }
    pthread_mutex_unlock(&wdf_tree_lock);
    for (wdf_context_t *c = o->contexts; c; c = c->next)
        if (c->cleanup)
            c->cleanup((WDFOBJECT)o);
    if (o->cleanup)
        o->cleanup(o);
    wdf_object_dereference(o); /* the creator's reference */
}

/* ---- the WDF routines ---- */

/* docs: the default parent is the calling driver's framework driver object. */
NTSTATUS WdfObjectCreate(PWDF_OBJECT_ATTRIBUTES Attributes, WDFOBJECT *Object)
{
    wdf_object_t *o;
    const void *caller = __builtin_return_address(0);
    wdf_driver_t *driver = wdf_driver_of_code(caller);
    NTSTATUS status = wdf_object_create(WDF_KIND_OBJECT, sizeof(wdf_object_t), Attributes,
                                        driver ? &driver->object : NULL,
                                        driver ? driver->tag : WDF_DEFAULT_POOL_TAG, caller, &o);
    *Object = NT_SUCCESS(status) ? (WDFOBJECT)o : NULL;
    return status;
}

void WdfObjectDelete(WDFOBJECT Object)
{
    wdf_object_delete(wdf_object_from_handle(Object, 0));
}

PVOID WdfObjectGetTypedContextWorker(WDFOBJECT Handle, PCWDF_OBJECT_CONTEXT_TYPE_INFO TypeInfo)
{
    wdf_object_t *o = wdf_object_from_handle(Handle, 0);
    PCWDF_OBJECT_CONTEXT_TYPE_INFO unique = TypeInfo ? TypeInfo->UniqueType : NULL;
    for (wdf_context_t *c = o->contexts; c; c = c->next)
        if (c->type != NULL && c->type == unique)
            return c + 1;
    return NULL; /* docs: NULL when the object has no context of that type */
}

NTSTATUS WdfObjectAllocateContext(WDFOBJECT Handle, PWDF_OBJECT_ATTRIBUTES ContextAttributes,
                                  PVOID *Context)
{
    wdf_object_t *o = wdf_object_from_handle(Handle, 0);
    if (Context)
        *Context = NULL;
    if (ContextAttributes == NULL || !attributes_valid(ContextAttributes) ||
        ContextAttributes->ContextTypeInfo == NULL || ContextAttributes->ParentObject != NULL)
        return STATUS_INVALID_PARAMETER;
    if (o->deleting)
        return STATUS_DELETE_PENDING;
    /* docs: STATUS_OBJECT_NAME_EXISTS, with the existing context, when the
     * object already has one of that type. */
    PVOID existing = WdfObjectGetTypedContextWorker(Handle, ContextAttributes->ContextTypeInfo);
    if (existing != NULL) {
        if (Context)
            *Context = existing;
        return STATUS_OBJECT_NAME_EXISTS;
    }
    wdf_context_t *c = context_alloc(o, ContextAttributes, o->tag, __builtin_return_address(0));
    if (c == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    pthread_mutex_lock(&wdf_tree_lock);
    wdf_context_t **tail = &o->contexts;
    while (*tail)
        tail = &(*tail)->next;
    *tail = c;
    pthread_mutex_unlock(&wdf_tree_lock);
    if (Context)
        *Context = c + 1;
    return STATUS_SUCCESS;
}

WDFOBJECT WdfObjectContextGetObject(PVOID ContextPointer)
{
    wdf_context_t *c = (wdf_context_t *)ContextPointer - 1;
    return (WDFOBJECT)wdf_object_from_handle(c->owner, 0);
}

void WdfObjectReferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCCH File)
{
    (void)Tag, (void)Line, (void)File;
    wdf_object_reference(wdf_object_from_handle(Handle, 0));
}

void WdfObjectDereferenceActual(WDFOBJECT Handle, PVOID Tag, LONG Line, PCCH File)
{
    (void)Tag, (void)Line, (void)File;
    wdf_object_dereference(wdf_object_from_handle(Handle, 0));
}

/* Framework memory objects: a pool buffer (or the caller's, preallocated)
 * behind a handle; the buffer goes with the object. Default parent: the
 * calling driver. */
#include "wdf_internal.h"

typedef struct wdf_memory {
    wdf_object_t object;
    PVOID buffer;
    size_t size;
    ULONG tag;
    bool owned; /* allocated here, freed with the object */
} wdf_memory_t;

static void memory_destroy(wdf_object_t *o)
{
    wdf_memory_t *m = (wdf_memory_t *)o;
    if (m->owned)
        ex_free(m->buffer, m->tag, true);
}

static NTSTATUS memory_create(PWDF_OBJECT_ATTRIBUTES Attributes, const void *caller,
                              wdf_memory_t **out)
{
    wdf_object_t *o;
    wdf_driver_t *d = wdf_driver_of_code(caller);
    NTSTATUS status =
        wdf_object_create(WDF_KIND_MEMORY, sizeof(wdf_memory_t), Attributes, d ? &d->object : NULL,
                          d ? d->tag : WDF_DEFAULT_POOL_TAG, caller, &o);
    *out = (wdf_memory_t *)o;
    return status;
}

/* docs: PoolTag 0 means the driver's tag. */
NTSTATUS WdfMemoryCreate(PWDF_OBJECT_ATTRIBUTES Attributes, POOL_TYPE PoolType, ULONG PoolTag,
                         size_t BufferSize, WDFMEMORY *Memory, PVOID *Buffer)
{
    const void *caller = __builtin_return_address(0);
    wdf_memory_t *m;
    *Memory = NULL;
    if (Buffer)
        *Buffer = NULL;
    if (BufferSize == 0)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = memory_create(Attributes, caller, &m);
    if (!NT_SUCCESS(status))
        return status;
    m->tag = PoolTag ? PoolTag : m->object.tag;
    m->buffer = ex_alloc(PoolType, BufferSize, m->tag, false, caller);
    if (m->buffer == NULL) {
        wdf_object_delete(&m->object);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    m->size = BufferSize;
    m->owned = true;
    m->object.destroy = memory_destroy;
    *Memory = (WDFMEMORY)m;
    if (Buffer)
        *Buffer = m->buffer;
    return STATUS_SUCCESS;
}

NTSTATUS WdfMemoryCreatePreallocated(PWDF_OBJECT_ATTRIBUTES Attributes, PVOID Buffer,
                                     size_t BufferSize, WDFMEMORY *Memory)
{
    wdf_memory_t *m;
    *Memory = NULL;
    if (Buffer == NULL || BufferSize == 0)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = memory_create(Attributes, __builtin_return_address(0), &m);
    if (!NT_SUCCESS(status))
        return status;
    m->buffer = Buffer;
    m->size = BufferSize;
    *Memory = (WDFMEMORY)m;
    return STATUS_SUCCESS;
}

PVOID WdfMemoryGetBuffer(WDFMEMORY Memory, size_t *BufferSize)
{
    wdf_memory_t *m = (wdf_memory_t *)wdf_object_from_handle(Memory, WDF_KIND_MEMORY);
    if (BufferSize)
        *BufferSize = m->size;
    return m->buffer;
}

static bool in_range(const wdf_memory_t *m, size_t offset, size_t count)
{
    return offset <= m->size && count <= m->size - offset;
}

NTSTATUS WdfMemoryCopyToBuffer(WDFMEMORY SourceMemory, size_t SourceOffset, PVOID Buffer,
                               size_t NumBytesToCopyTo)
{
    wdf_memory_t *m = (wdf_memory_t *)wdf_object_from_handle(SourceMemory, WDF_KIND_MEMORY);
    if (Buffer == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!in_range(m, SourceOffset, NumBytesToCopyTo))
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(Buffer, (UCHAR *)m->buffer + SourceOffset, NumBytesToCopyTo);
    return STATUS_SUCCESS;
}

NTSTATUS WdfMemoryCopyFromBuffer(WDFMEMORY DestinationMemory, size_t DestinationOffset,
                                 PVOID Buffer, size_t NumBytesToCopyFrom)
{
    wdf_memory_t *m = (wdf_memory_t *)wdf_object_from_handle(DestinationMemory, WDF_KIND_MEMORY);
    if (Buffer == NULL)
        return STATUS_INVALID_PARAMETER;
    if (!in_range(m, DestinationOffset, NumBytesToCopyFrom))
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory((UCHAR *)m->buffer + DestinationOffset, Buffer, NumBytesToCopyFrom);
    return STATUS_SUCCESS;
}

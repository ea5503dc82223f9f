/* wdfmemory.h: framework memory objects (a pool buffer with a handle,
 * freed with its object) and the buffer descriptors that name them. */
#ifndef BATTKIT_WDFMEMORY_H
#define BATTKIT_WDFMEMORY_H

#include <wdfobject.h>

WDF_EXTERN_C_START

typedef struct _WDFMEMORY_OFFSET {
    size_t BufferOffset;
    size_t BufferLength;
} WDFMEMORY_OFFSET, *PWDFMEMORY_OFFSET;

WDFAPI NTSTATUS WdfMemoryCreate(PWDF_OBJECT_ATTRIBUTES Attributes, POOL_TYPE PoolType,
                                ULONG PoolTag, size_t BufferSize, WDFMEMORY *Memory, PVOID *Buffer);
WDFAPI NTSTATUS WdfMemoryCreatePreallocated(PWDF_OBJECT_ATTRIBUTES Attributes, PVOID Buffer,
                                            size_t BufferSize, WDFMEMORY *Memory);
WDFAPI PVOID WdfMemoryGetBuffer(WDFMEMORY Memory, size_t *BufferSize);
/* STATUS_BUFFER_TOO_SMALL when the offset plus NumBytes passes the end. */
WDFAPI NTSTATUS WdfMemoryCopyToBuffer(WDFMEMORY SourceMemory, size_t SourceOffset, PVOID Buffer,
                                      size_t NumBytesToCopyTo);
WDFAPI NTSTATUS WdfMemoryCopyFromBuffer(WDFMEMORY DestinationMemory, size_t DestinationOffset,
                                        PVOID Buffer, size_t NumBytesToCopyFrom);

WDF_EXTERN_C_END
#endif

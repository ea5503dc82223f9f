/* The WMI side of the embedding API (include/battkit/host.h): querying a
 * device's data block the way the WMI service would (IRP_MN_QUERY_ALL_DATA
 * to the provider in the handle's device stack), and listing the static
 * instance names WMI generated. Events are events.c. */
#include "wmi_internal.h"

#include <battkit/host.h>
#include <stdlib.h>

/* Largest WNODE the host asks a provider to fill. */
#define WMI_MAX_QUERY_BYTES (16u << 20)

/* Instance 0's data inside a completed WNODE_ALL_DATA of `bytes` bytes. */
static bool first_instance(const UCHAR *wnode, ULONG bytes, ULONG *offset, ULONG *length)
{
    const WNODE_ALL_DATA *w = (const WNODE_ALL_DATA *)wnode;
    if (bytes < WMI_ALL_DATA_FIXED || w->WnodeHeader.BufferSize > bytes || !w->InstanceCount)
        return false;
    if (w->WnodeHeader.Flags & WNODE_FLAG_FIXED_INSTANCE_SIZE) {
        *offset = w->DataBlockOffset;
        *length = w->FixedInstanceSize;
    } else {
        if (bytes < WMI_ALL_DATA_FIXED + sizeof(OFFSETINSTANCEDATAANDLENGTH))
            return false;
        *offset = w->OffsetInstanceDataAndLength[0].OffsetInstanceData;
        *length = w->OffsetInstanceDataAndLength[0].LengthInstanceData;
    }
    return *offset <= bytes && *length <= bytes - *offset;
}

bk_status_t bk_wmi_query(bk_handle_t *handle, const GUID *guid, void *buffer, uint32_t length,
                         uint32_t *returned)
{
    if (returned)
        *returned = 0;
    if (!handle || !guid || (length && !buffer))
        return STATUS_INVALID_PARAMETER;
    ke_settle(); /* registrations still queued reach their providers first */
    size_t block;
    wmi_provider_t *p = wmi_provider_for_stack(bk_handle_device(handle), guid, &block);
    if (!p)
        return STATUS_WMI_GUID_NOT_FOUND;
    wmi_lock();
    ULONG instances = p->blocks[block].instance_count;
    wmi_unlock();

    NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
    UCHAR *wnode = NULL;
    /* Room for every instance at the caller's size (instances are 8-byte
     * aligned): usually one round trip; a WNODE_TOO_SMALL asks again. */
    uint64_t size = ALIGN_UP_BY(WMI_ALL_DATA_FIXED + (uint64_t)instances * 8, 8) +
                    (uint64_t)instances * ALIGN_UP_BY((uint64_t)length, 8);
    if (size < sizeof(WNODE_TOO_SMALL))
        size = sizeof(WNODE_TOO_SMALL);
    for (int attempt = 0; attempt < 3; attempt++) {
        if (size > WMI_MAX_QUERY_BYTES)
            break;
        free(wnode);
        wnode = calloc(1, (size_t)size);
        if (!wnode)
            break;
        PWNODE_ALL_DATA w = (PWNODE_ALL_DATA)wnode;
        w->WnodeHeader.BufferSize = (ULONG)size;
        w->WnodeHeader.Guid = *guid;
        w->WnodeHeader.Flags = WNODE_FLAG_ALL_DATA;
        GUID path = *guid;
        ULONG_PTR got = 0;
        status = wmi_send(p, IRP_MN_QUERY_ALL_DATA, &path, wnode, (ULONG)size, &got, true);
        if (!NT_SUCCESS(status))
            break;
        if (w->WnodeHeader.Flags & WNODE_FLAG_TOO_SMALL) {
            /* docs: the provider says how big the WNODE must be; ask again. */
            ULONG needed = ((PWNODE_TOO_SMALL)wnode)->SizeNeeded;
            status = STATUS_BUFFER_TOO_SMALL;
            if (needed <= size)
                break;
            size = needed;
            continue;
        }
        ULONG offset, data_length;
        if (!first_instance(wnode, got < size ? (ULONG)got : (ULONG)size, &offset, &data_length)) {
            status =
                w->InstanceCount ? STATUS_DRIVER_INTERNAL_ERROR : STATUS_WMI_INSTANCE_NOT_FOUND;
            if (status == STATUS_DRIVER_INTERNAL_ERROR)
                bk_log(BK_LOG_ERROR, "bk_wmi_query: the provider returned a malformed "
                                     "WNODE_ALL_DATA");
            break;
        }
        if (returned)
            *returned = data_length;
        if (data_length > length) {
            status = STATUS_BUFFER_TOO_SMALL;
        } else {
            if (data_length)
                memcpy(buffer, wnode + offset, data_length);
            status = STATUS_SUCCESS;
        }
        break;
    }
    free(wnode);
    wmi_provider_release(p);
    return status;
}

size_t bk_wmi_list_instances(const GUID *guid, char ***names)
{
    *names = NULL;
    if (!guid)
        return 0;
    ke_settle();
    wmi_provider_t **list;
    size_t n = wmi_providers_of(guid, &list);
    size_t count = 0, cap = 0;
    char **out = NULL;
    for (size_t i = 0; i < n; i++) {
        wmi_lock();
        wmi_block_t *b = wmi_find_block_locked(list[i], guid);
        for (ULONG k = 0; b && k < b->instance_count; k++) {
            char *name = wmi_instance_name_locked(b, k);
            if (!name)
                continue;
            if (count == cap) {
                cap = cap ? cap * 2 : 8;
                char **grown = realloc(out, cap * sizeof(*out));
                if (!grown) {
                    free(name);
                    break;
                }
                out = grown;
            }
            out[count++] = name;
        }
        wmi_unlock();
        wmi_provider_release(list[i]);
    }
    free(list);
    *names = out;
    return count;
}

/* WMILIB (WmiSystemControl, WmiCompleteRequest) driven directly with the
 * IRPs the WMI service sends, on devices made by hand: dispositions, the
 * DpWmiXxx arguments the docs specify, and the WNODEs that come back. */
#include "wmi_fixture.h"

#include <stdlib.h>

static const GUID GUID_A = {0x1a2b3c4d, 0x0001, 0x4000, {0x80, 1, 2, 3, 4, 5, 6, 7}};
static const GUID GUID_B = {0x1a2b3c4d, 0x0002, 0x4000, {0x80, 1, 2, 3, 4, 5, 6, 7}};
static const GUID GUID_UNKNOWN = {0x1a2b3c4d, 0x00ff, 0x4000, {0x80, 1, 2, 3, 4, 5, 6, 7}};

/* What the callbacks saw. */
static struct {
    int query_calls, set_block_calls, set_item_calls, method_calls, control_calls;
    ULONG guid_index, instance_index, instance_count, buffer_avail, item_or_method;
    ULONG in_size, out_size;
    bool lengths_null, buffer_null;
    WMIENABLEDISABLECONTROL function;
    BOOLEAN enable;
    UCHAR data[16];
    PIRP pended; /* QueryDataBlock pends when set */
    bool pend;
} seen;

static PDEVICE_OBJECT reginfo_pdo;
static ULONG reginfo_flags;
static DECLARE_CONST_UNICODE_STRING(
    registry_path, L"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\wmitest");

/* Instance data: instance 0 is a ULONG, instance 1 six bytes. */
static const ULONG inst0 = 0x11223344;
static const char inst1[6] = "abcdef";

static NTSTATUS query_reginfo(PDEVICE_OBJECT device, PULONG flags, PUNICODE_STRING instance_name,
                              PUNICODE_STRING *path, PUNICODE_STRING mof, PDEVICE_OBJECT *pdo)
{
    UNREFERENCED_PARAMETER(device);
    *flags = reginfo_flags;
    *path = (PUNICODE_STRING)&registry_path;
    RtlInitUnicodeString(mof, L"WmiTestMof");
    *pdo = reginfo_pdo;
    if (reginfo_flags & WMIREG_FLAG_INSTANCE_BASENAME) {
        /* docs: the base name is pool the WMI library frees. */
        static const WCHAR base[] = L"TestBase";
        instance_name->Buffer = ExAllocatePoolWithTag(PagedPool, sizeof base, 'tsT1');
        memcpy(instance_name->Buffer, base, sizeof base);
        instance_name->Length = sizeof base - sizeof(WCHAR);
        instance_name->MaximumLength = sizeof base;
    }
    return STATUS_SUCCESS;
}

static NTSTATUS query_block(PDEVICE_OBJECT device, PIRP irp, ULONG guid_index, ULONG instance_index,
                            ULONG instance_count, PULONG lengths, ULONG avail, PUCHAR buffer)
{
    seen.query_calls++;
    seen.guid_index = guid_index;
    seen.instance_index = instance_index;
    seen.instance_count = instance_count;
    seen.lengths_null = lengths == NULL;
    seen.buffer_null = buffer == NULL;
    seen.buffer_avail = avail;
    if (seen.pend) {
        IoMarkIrpPending(irp);
        seen.pended = irp;
        return STATUS_PENDING;
    }
    /* Instance i of the request: instance_index .. + count. */
    ULONG need = 0;
    for (ULONG i = 0; i < instance_count; i++) {
        ULONG which = instance_index + i;
        need = (ULONG)ALIGN_UP_BY(need, 8) + (which == 0 ? 4 : 6);
    }
    if (!lengths || avail < need)
        return WmiCompleteRequest(device, irp, STATUS_BUFFER_TOO_SMALL, need, IO_NO_INCREMENT);
    ULONG at = 0;
    for (ULONG i = 0; i < instance_count; i++) {
        ULONG which = instance_index + i;
        at = (ULONG)ALIGN_UP_BY(at, 8);
        ULONG len = which == 0 ? 4 : 6;
        memcpy(buffer + at, which == 0 ? (const void *)&inst0 : inst1, len);
        lengths[i] = len;
        at += len;
    }
    return WmiCompleteRequest(device, irp, STATUS_SUCCESS, at, IO_NO_INCREMENT);
}

static NTSTATUS set_block(PDEVICE_OBJECT device, PIRP irp, ULONG guid_index, ULONG instance_index,
                          ULONG size, PUCHAR buffer)
{
    seen.set_block_calls++;
    seen.guid_index = guid_index;
    seen.instance_index = instance_index;
    seen.in_size = size;
    memcpy(seen.data, buffer, size < sizeof seen.data ? size : sizeof seen.data);
    return WmiCompleteRequest(device, irp, STATUS_SUCCESS, 0, IO_NO_INCREMENT);
}

static NTSTATUS set_item(PDEVICE_OBJECT device, PIRP irp, ULONG guid_index, ULONG instance_index,
                         ULONG item, ULONG size, PUCHAR buffer)
{
    seen.set_item_calls++;
    seen.guid_index = guid_index;
    seen.instance_index = instance_index;
    seen.item_or_method = item;
    seen.in_size = size;
    memcpy(seen.data, buffer, size < sizeof seen.data ? size : sizeof seen.data);
    return WmiCompleteRequest(device, irp, STATUS_SUCCESS, 0, IO_NO_INCREMENT);
}

/* Method 7 doubles each input byte into the output. */
static NTSTATUS execute(PDEVICE_OBJECT device, PIRP irp, ULONG guid_index, ULONG instance_index,
                        ULONG method, ULONG in_size, ULONG out_size, PUCHAR buffer)
{
    seen.method_calls++;
    seen.guid_index = guid_index;
    seen.instance_index = instance_index;
    seen.item_or_method = method;
    seen.in_size = in_size;
    seen.out_size = out_size;
    if (out_size < in_size * 2)
        return WmiCompleteRequest(device, irp, STATUS_BUFFER_TOO_SMALL, in_size * 2,
                                  IO_NO_INCREMENT);
    for (ULONG i = in_size; i-- > 0;) {
        buffer[2 * i] = buffer[i];
        buffer[2 * i + 1] = buffer[i];
    }
    return WmiCompleteRequest(device, irp, STATUS_SUCCESS, in_size * 2, IO_NO_INCREMENT);
}

static NTSTATUS control(PDEVICE_OBJECT device, PIRP irp, ULONG guid_index,
                        WMIENABLEDISABLECONTROL function, BOOLEAN enable)
{
    seen.control_calls++;
    seen.guid_index = guid_index;
    seen.function = function;
    seen.enable = enable;
    return WmiCompleteRequest(device, irp, STATUS_SUCCESS, 0, IO_NO_INCREMENT);
}

static WMIGUIDREGINFO guids[] = {
    {&GUID_B, 1, WMIREG_FLAG_EVENT_ONLY_GUID},
    {&GUID_A, 2, WMIREG_FLAG_EXPENSIVE},
};

static WMILIB_CONTEXT full = {
    .GuidCount = 2,
    .GuidList = guids,
    .QueryWmiRegInfo = query_reginfo,
    .QueryWmiDataBlock = query_block,
    .SetWmiDataBlock = set_block,
    .SetWmiDataItem = set_item,
    .ExecuteWmiMethod = execute,
    .WmiFunctionControl = control,
};

static WMILIB_CONTEXT minimal = {
    .GuidCount = 2,
    .GuidList = guids,
    .QueryWmiRegInfo = query_reginfo,
    .QueryWmiDataBlock = query_block,
};

static PDEVICE_OBJECT start(PWMILIB_CONTEXT ctx)
{
    memset(&seen, 0, sizeof seen);
    reginfo_pdo = NULL;
    reginfo_flags = 0;
    fixture_start(1);
    return fixture_device(NULL, ctx, NULL);
}

static void stop(PDEVICE_OBJECT dev)
{
    fixture_delete(dev);
    fixture_stop();
}

/* A WNODE buffer of `size` bytes (8-aligned, zeroed). */
static UCHAR *wnode(size_t size)
{
    UCHAR *b = aligned_alloc(8, ALIGN_UP_BY(size, 8));
    memset(b, 0, ALIGN_UP_BY(size, 8));
    return b;
}

TEST(wmilib_query_all_data_calls_query_datablock_with_guid_index)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(256);
    GUID path = GUID_A;
    ULONG_PTR info = 0;
    CHECK_STATUS(fixture_send(dev, IRP_MN_QUERY_ALL_DATA, (ULONG_PTR)dev, &path, buf, 256, &info),
                 STATUS_SUCCESS);
    CHECK_EQ(fixture_ext(dev)->disposition, IrpProcessed);
    CHECK_EQ(seen.query_calls, 1);
    CHECK_EQ(seen.guid_index, 1);     /* GUID_A is the second GuidList entry */
    CHECK_EQ(seen.instance_index, 0); /* docs: 0 for QUERY_ALL_DATA */
    CHECK_EQ(seen.instance_count, 2); /* docs: every instance */
    CHECK(!seen.lengths_null);
    /* Data starts after the fixed part and two offset/length pairs, 8-aligned. */
    ULONG start_at = (ULONG)ALIGN_UP_BY(offsetof(WNODE_ALL_DATA, OffsetInstanceDataAndLength) +
                                            2 * sizeof(OFFSETINSTANCEDATAANDLENGTH),
                                        8);
    CHECK_EQ(seen.buffer_avail, 256 - start_at);
    PWNODE_ALL_DATA w = (PWNODE_ALL_DATA)buf;
    CHECK(w->WnodeHeader.Flags & WNODE_FLAG_ALL_DATA);
    CHECK(!(w->WnodeHeader.Flags & WNODE_FLAG_FIXED_INSTANCE_SIZE));
    CHECK(IsEqualGUID(&w->WnodeHeader.Guid, &GUID_A));
    CHECK_EQ(w->InstanceCount, 2);
    CHECK_EQ(w->OffsetInstanceDataAndLength[0].OffsetInstanceData, start_at);
    CHECK_EQ(w->OffsetInstanceDataAndLength[0].LengthInstanceData, 4);
    CHECK_EQ(w->OffsetInstanceDataAndLength[1].OffsetInstanceData, start_at + 8);
    CHECK_EQ(w->OffsetInstanceDataAndLength[1].LengthInstanceData, 6);
    CHECK(memcmp(buf + start_at, &inst0, 4) == 0);
    CHECK(memcmp(buf + start_at + 8, inst1, 6) == 0);
    CHECK_EQ(w->WnodeHeader.BufferSize, start_at + 14);
    CHECK_EQ(info, start_at + 14);
    CHECK(w->WnodeHeader.TimeStamp.QuadPart != 0);
    free(buf);
    stop(dev);
}

TEST(wmilib_buffer_too_small_returns_wnode_too_small_with_needed_size)
{
    PDEVICE_OBJECT dev = start(&full);
    /* Room for the fixed part only: docs: BufferAvail 0, no length array. */
    ULONG start_at = (ULONG)ALIGN_UP_BY(offsetof(WNODE_ALL_DATA, OffsetInstanceDataAndLength) +
                                            2 * sizeof(OFFSETINSTANCEDATAANDLENGTH),
                                        8);
    UCHAR *buf = wnode(start_at);
    GUID path = GUID_A;
    ULONG_PTR info = 0;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_QUERY_ALL_DATA, (ULONG_PTR)dev, &path, buf, start_at, &info),
        STATUS_SUCCESS); /* docs: WmiCompleteRequest turns it into success */
    CHECK_EQ(seen.query_calls, 1);
    CHECK(seen.lengths_null);
    CHECK_EQ(seen.buffer_avail, 0);
    PWNODE_TOO_SMALL t = (PWNODE_TOO_SMALL)buf;
    CHECK(t->WnodeHeader.Flags & WNODE_FLAG_TOO_SMALL);
    CHECK_EQ(t->SizeNeeded, start_at + 14);
    CHECK_EQ(t->WnodeHeader.BufferSize, sizeof(WNODE_TOO_SMALL));
    CHECK_EQ(info, sizeof(WNODE_TOO_SMALL));
    free(buf);

    /* Some room, but not enough: the driver asks for more the same way. */
    buf = wnode(start_at + 8);
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_QUERY_ALL_DATA, (ULONG_PTR)dev, &path, buf, start_at + 8, &info),
        STATUS_SUCCESS);
    CHECK(!seen.lengths_null);
    CHECK_EQ(seen.buffer_avail, 8);
    CHECK_EQ(((PWNODE_TOO_SMALL)buf)->SizeNeeded, start_at + 14);
    free(buf);
    stop(dev);
}

TEST(wmilib_buffer_smaller_than_wnode_too_small_fails_the_irp)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(sizeof(WNODE_TOO_SMALL) - 1);
    GUID path = GUID_A;
    CHECK_STATUS(fixture_send(dev, IRP_MN_QUERY_ALL_DATA, (ULONG_PTR)dev, &path, buf,
                              sizeof(WNODE_TOO_SMALL) - 1, NULL),
                 STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(fixture_ext(dev)->disposition, IrpNotCompleted);
    CHECK_EQ(seen.query_calls, 0);
    free(buf);
    stop(dev);
}

TEST(wmilib_unknown_guid_is_wmi_guid_not_found)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(256);
    GUID path = GUID_UNKNOWN;
    CHECK_STATUS(fixture_send(dev, IRP_MN_QUERY_ALL_DATA, (ULONG_PTR)dev, &path, buf, 256, NULL),
                 STATUS_WMI_GUID_NOT_FOUND);
    /* docs: an error is set up in the IRP and left to the driver to complete. */
    CHECK_EQ(fixture_ext(dev)->disposition, IrpNotCompleted);
    CHECK_EQ(seen.query_calls, 0);
    CHECK_STATUS(fixture_send(dev, IRP_MN_ENABLE_EVENTS, (ULONG_PTR)dev, &path, buf,
                              sizeof(WNODE_HEADER), NULL),
                 STATUS_WMI_GUID_NOT_FOUND);
    CHECK_EQ(seen.control_calls, 0);
    free(buf);
    stop(dev);
}

TEST(wmilib_query_single_instance_passes_instance_index_and_count_one)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(128);
    PWNODE_SINGLE_INSTANCE w = (PWNODE_SINGLE_INSTANCE)buf;
    w->WnodeHeader.Flags = WNODE_FLAG_SINGLE_INSTANCE | WNODE_FLAG_STATIC_INSTANCE_NAMES;
    w->InstanceIndex = 1;
    GUID path = GUID_A;
    ULONG_PTR info = 0;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_QUERY_SINGLE_INSTANCE, (ULONG_PTR)dev, &path, buf, 128, &info),
        STATUS_SUCCESS);
    CHECK_EQ(seen.instance_index, 1);
    CHECK_EQ(seen.instance_count, 1); /* docs: 1 for QUERY_SINGLE_INSTANCE */
    CHECK(w->WnodeHeader.Flags & WNODE_FLAG_SINGLE_INSTANCE);
    CHECK_EQ(w->DataBlockOffset, 64);
    CHECK_EQ(w->SizeDataBlock, 6);
    CHECK(memcmp(buf + w->DataBlockOffset, inst1, 6) == 0);
    CHECK_EQ(info, 70);
    CHECK_EQ(w->WnodeHeader.BufferSize, 70);
    /* Too small for the instance: WNODE_TOO_SMALL with the whole size. */
    UCHAR *small = wnode(66);
    ((PWNODE_SINGLE_INSTANCE)small)->InstanceIndex = 1;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_QUERY_SINGLE_INSTANCE, (ULONG_PTR)dev, &path, small, 66, &info),
        STATUS_SUCCESS);
    CHECK_EQ(((PWNODE_TOO_SMALL)small)->SizeNeeded, 70);
    free(small);
    free(buf);
    stop(dev);
}

TEST(wmilib_single_instance_out_of_range_is_wmi_instance_not_found)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(128);
    ((PWNODE_SINGLE_INSTANCE)buf)->InstanceIndex = 2; /* GUID_A has two */
    GUID path = GUID_A;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_QUERY_SINGLE_INSTANCE, (ULONG_PTR)dev, &path, buf, 128, NULL),
        STATUS_WMI_INSTANCE_NOT_FOUND);
    CHECK_EQ(seen.query_calls, 0);
    free(buf);
    stop(dev);
}

TEST(wmilib_forwards_irp_for_other_provider)
{
    memset(&seen, 0, sizeof seen);
    fixture_start(1);
    PDEVICE_OBJECT lower = fixture_device(NULL, &full, NULL);
    PDEVICE_OBJECT upper = fixture_device(NULL, &full, lower);
    UCHAR *buf = wnode(256);
    GUID path = GUID_A;
    /* Meant for the lower device: the upper one forwards, the lower answers. */
    CHECK_STATUS(
        fixture_send(upper, IRP_MN_QUERY_ALL_DATA, (ULONG_PTR)lower, &path, buf, 256, NULL),
        STATUS_SUCCESS);
    CHECK_EQ(fixture_ext(upper)->disposition, IrpForward);
    CHECK_EQ(fixture_ext(lower)->disposition, IrpProcessed);
    CHECK_EQ(seen.query_calls, 1);
    /* Meant for nobody in the stack: both forward; the bottom completes it
     * with its status untouched. */
    CHECK_STATUS(
        fixture_send(upper, IRP_MN_QUERY_ALL_DATA, (ULONG_PTR)0x1234, &path, buf, 256, NULL),
        STATUS_NOT_SUPPORTED);
    CHECK_EQ(fixture_ext(lower)->disposition, IrpForward);
    CHECK_EQ(seen.query_calls, 1);
    free(buf);
    fixture_delete(upper);
    fixture_delete(lower);
    fixture_stop();
}

TEST(wmilib_sets_disposition_not_wmi_for_other_minor)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(64);
    GUID path = GUID_A;
    for (UCHAR minor = 0x0A; minor <= 0x0F; minor++) {
        if (minor == IRP_MN_REGINFO_EX)
            continue;
        fixture_ext(dev)->disposition = (SYSCTL_IRP_DISPOSITION)-1;
        fixture_send(dev, minor, (ULONG_PTR)dev, &path, buf, 64, NULL);
        CHECK_EQ(fixture_ext(dev)->disposition, IrpNotWmi);
    }
    CHECK_EQ(seen.query_calls + seen.control_calls, 0);
    free(buf);
    stop(dev);
}

TEST(wmilib_reginfo_builds_wmireginfo_from_the_guid_list)
{
    PDEVICE_OBJECT dev = start(&full);
    reginfo_flags = WMIREG_FLAG_INSTANCE_BASENAME;
    UCHAR *buf = wnode(512);
    ULONG_PTR info = 0;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_REGINFO_EX, (ULONG_PTR)dev, (PVOID)WMIREGISTER, buf, 512, &info),
        STATUS_SUCCESS);
    /* docs (WmiSystemControl): REGINFO is processed, not completed. */
    CHECK_EQ(fixture_ext(dev)->disposition, IrpNotCompleted);
    PWMIREGINFOW r = (PWMIREGINFOW)buf;
    CHECK_EQ(info, r->BufferSize);
    CHECK_EQ(r->GuidCount, 2);
    CHECK_EQ(r->NextWmiRegInfo, 0);
    CHECK(IsEqualGUID(&r->WmiRegGuid[0].Guid, &GUID_B));
    CHECK(IsEqualGUID(&r->WmiRegGuid[1].Guid, &GUID_A));
    /* Per-block flags with the common RegFlags added. */
    CHECK_EQ(r->WmiRegGuid[0].Flags, WMIREG_FLAG_EVENT_ONLY_GUID | WMIREG_FLAG_INSTANCE_BASENAME);
    CHECK_EQ(r->WmiRegGuid[1].Flags, WMIREG_FLAG_EXPENSIVE | WMIREG_FLAG_INSTANCE_BASENAME);
    CHECK_EQ(r->WmiRegGuid[0].InstanceCount, 1);
    CHECK_EQ(r->WmiRegGuid[1].InstanceCount, 2);
    /* Counted strings: USHORT byte length, then the characters. */
    USHORT len;
    REQUIRE(r->RegistryPath && r->RegistryPath < r->BufferSize);
    memcpy(&len, buf + r->RegistryPath, 2);
    CHECK_EQ(len, registry_path.Length);
    CHECK(memcmp(buf + r->RegistryPath + 2, registry_path.Buffer, len) == 0);
    REQUIRE(r->MofResourceName && r->MofResourceName < r->BufferSize);
    memcpy(&len, buf + r->MofResourceName, 2);
    CHECK_EQ(len, 20);
    CHECK(memcmp(buf + r->MofResourceName + 2, L"WmiTestMof", 20) == 0);
    ULONG base = r->WmiRegGuid[1].BaseNameOffset;
    REQUIRE(base && base < r->BufferSize);
    CHECK_EQ(r->WmiRegGuid[0].BaseNameOffset, base);
    memcpy(&len, buf + base, 2);
    CHECK_EQ(len, 16);
    CHECK(memcmp(buf + base + 2, L"TestBase", 16) == 0);
    free(buf);
    stop(dev); /* the base name's pool was freed (no leak reported) */
}

TEST(wmilib_reginfo_update_carries_no_mof_name)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(512);
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_REGINFO, (ULONG_PTR)dev, (PVOID)WMIUPDATE, buf, 512, NULL),
        STATUS_SUCCESS);
    CHECK_EQ(((PWMIREGINFOW)buf)->MofResourceName, 0);
    CHECK(((PWMIREGINFOW)buf)->RegistryPath != 0);
    free(buf);
    stop(dev);
}

TEST(wmilib_reginfo_too_small_writes_the_needed_size_as_a_ulong)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(32);
    ULONG_PTR info = 0;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_REGINFO_EX, (ULONG_PTR)dev, (PVOID)WMIREGISTER, buf, 32, &info),
        STATUS_BUFFER_TOO_SMALL);
    ULONG need;
    memcpy(&need, buf, 4);
    CHECK(need > 32);
    CHECK_EQ(info, sizeof(ULONG));
    UCHAR *big = wnode(need);
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_REGINFO_EX, (ULONG_PTR)dev, (PVOID)WMIREGISTER, big, need, &info),
        STATUS_SUCCESS);
    CHECK_EQ(info, need);
    free(big);
    free(buf);
    stop(dev);
}

TEST(wmilib_reginfo_with_pdo_names_references_the_pdo_per_block)
{
    PDEVICE_OBJECT dev = start(&full);
    PDEVICE_OBJECT pdo = fixture_device(NULL, NULL, NULL);
    reginfo_pdo = pdo;
    reginfo_flags = WMIREG_FLAG_INSTANCE_PDO;
    LONG before = pdo->ReferenceCount;
    UCHAR *buf = wnode(512);
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_REGINFO_EX, (ULONG_PTR)dev, (PVOID)WMIREGISTER, buf, 512, NULL),
        STATUS_SUCCESS);
    PWMIREGINFOW r = (PWMIREGINFOW)buf;
    CHECK_EQ(r->WmiRegGuid[0].Pdo, (ULONG_PTR)pdo);
    CHECK_EQ(r->WmiRegGuid[1].Pdo, (ULONG_PTR)pdo);
    /* docs: WMI references the PDO for WMILIB users; WMI drops it. */
    CHECK_EQ(pdo->ReferenceCount, before + 2);
    ObDereferenceObject(pdo);
    ObDereferenceObject(pdo);
    free(buf);
    fixture_delete(pdo);
    stop(dev);
}

TEST(wmilib_missing_optional_callback_completes_with_invalid_device_request)
{
    PDEVICE_OBJECT dev = start(&minimal);
    UCHAR *buf = wnode(128);
    PWNODE_SINGLE_INSTANCE w = (PWNODE_SINGLE_INSTANCE)buf;
    w->DataBlockOffset = 64;
    w->SizeDataBlock = 4;
    GUID path = GUID_A;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_CHANGE_SINGLE_INSTANCE, (ULONG_PTR)dev, &path, buf, 128, NULL),
        STATUS_INVALID_DEVICE_REQUEST);
    CHECK_EQ(fixture_ext(dev)->disposition, IrpProcessed); /* completed by WMILIB */
    PWNODE_METHOD_ITEM m = (PWNODE_METHOD_ITEM)buf;
    m->DataBlockOffset = 72;
    m->SizeDataBlock = 2;
    CHECK_STATUS(fixture_send(dev, IRP_MN_EXECUTE_METHOD, (ULONG_PTR)dev, &path, buf, 128, NULL),
                 STATUS_INVALID_DEVICE_REQUEST);
    /* No DpWmiFunctionControl: enabling needs nothing, so it succeeds. */
    CHECK_STATUS(fixture_send(dev, IRP_MN_ENABLE_EVENTS, (ULONG_PTR)dev, &path, buf,
                              sizeof(WNODE_HEADER), NULL),
                 STATUS_SUCCESS);
    free(buf);
    stop(dev);
}

TEST(wmilib_enable_and_disable_call_function_control)
{
    PDEVICE_OBJECT dev = start(&full);
    WNODE_HEADER h = {.BufferSize = sizeof h};
    GUID path = GUID_B;
    static const struct {
        UCHAR minor;
        WMIENABLEDISABLECONTROL function;
        BOOLEAN enable;
    } cases[] = {
        {IRP_MN_ENABLE_EVENTS, WmiEventControl, TRUE},
        {IRP_MN_DISABLE_EVENTS, WmiEventControl, FALSE},
        {IRP_MN_ENABLE_COLLECTION, WmiDataBlockControl, TRUE},
        {IRP_MN_DISABLE_COLLECTION, WmiDataBlockControl, FALSE},
    };
    for (size_t i = 0; i < RTL_NUMBER_OF(cases); i++) {
        CHECK_STATUS(fixture_send(dev, cases[i].minor, (ULONG_PTR)dev, &path, &h, sizeof h, NULL),
                     STATUS_SUCCESS);
        CHECK_EQ(seen.control_calls, (int)i + 1);
        CHECK_EQ(seen.guid_index, 0);
        CHECK_EQ(seen.function, cases[i].function);
        CHECK_EQ(seen.enable, cases[i].enable);
    }
    stop(dev);
}

TEST(wmilib_change_single_instance_passes_the_new_data)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(128);
    PWNODE_SINGLE_INSTANCE w = (PWNODE_SINGLE_INSTANCE)buf;
    w->InstanceIndex = 1;
    w->DataBlockOffset = 64;
    w->SizeDataBlock = 3;
    memcpy(buf + 64, "xyz", 3);
    GUID path = GUID_A;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_CHANGE_SINGLE_INSTANCE, (ULONG_PTR)dev, &path, buf, 128, NULL),
        STATUS_SUCCESS);
    CHECK_EQ(seen.set_block_calls, 1);
    CHECK_EQ(seen.guid_index, 1);
    CHECK_EQ(seen.instance_index, 1);
    CHECK_EQ(seen.in_size, 3);
    CHECK(memcmp(seen.data, "xyz", 3) == 0);
    /* Data claimed past the buffer is refused before the driver sees it. */
    w->SizeDataBlock = 100;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_CHANGE_SINGLE_INSTANCE, (ULONG_PTR)dev, &path, buf, 128, NULL),
        STATUS_INVALID_PARAMETER);
    CHECK_EQ(seen.set_block_calls, 1);
    free(buf);
    stop(dev);
}

TEST(wmilib_change_single_item_passes_the_item_id)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(128);
    PWNODE_SINGLE_ITEM w = (PWNODE_SINGLE_ITEM)buf;
    w->InstanceIndex = 0;
    w->ItemId = 5;
    w->DataBlockOffset = 72;
    w->SizeDataItem = 2;
    memcpy(buf + 72, "hi", 2);
    GUID path = GUID_A;
    CHECK_STATUS(
        fixture_send(dev, IRP_MN_CHANGE_SINGLE_ITEM, (ULONG_PTR)dev, &path, buf, 128, NULL),
        STATUS_SUCCESS);
    CHECK_EQ(seen.set_item_calls, 1);
    CHECK_EQ(seen.item_or_method, 5);
    CHECK_EQ(seen.in_size, 2);
    CHECK(memcmp(seen.data, "hi", 2) == 0);
    free(buf);
    stop(dev);
}

TEST(wmilib_execute_method_passes_input_size_and_output_room)
{
    PDEVICE_OBJECT dev = start(&full);
    UCHAR *buf = wnode(96);
    PWNODE_METHOD_ITEM w = (PWNODE_METHOD_ITEM)buf;
    w->InstanceIndex = 1;
    w->MethodId = 7;
    w->DataBlockOffset = 72;
    w->SizeDataBlock = 3;
    memcpy(buf + 72, "abc", 3);
    GUID path = GUID_A;
    ULONG_PTR info = 0;
    CHECK_STATUS(fixture_send(dev, IRP_MN_EXECUTE_METHOD, (ULONG_PTR)dev, &path, buf, 96, &info),
                 STATUS_SUCCESS);
    CHECK_EQ(seen.method_calls, 1);
    CHECK_EQ(seen.item_or_method, 7);
    CHECK_EQ(seen.instance_index, 1);
    CHECK_EQ(seen.in_size, 3);
    CHECK_EQ(seen.out_size, 96 - 72);
    CHECK_EQ(w->SizeDataBlock, 6);
    CHECK(memcmp(buf + 72, "aabbcc", 6) == 0);
    CHECK_EQ(info, 78);
    /* Output room too small: WNODE_TOO_SMALL with offset + needed. */
    w->SizeDataBlock = 13;
    CHECK_STATUS(fixture_send(dev, IRP_MN_EXECUTE_METHOD, (ULONG_PTR)dev, &path, buf, 96, &info),
                 STATUS_SUCCESS);
    CHECK(((PWNODE_TOO_SMALL)buf)->WnodeHeader.Flags & WNODE_FLAG_TOO_SMALL);
    CHECK_EQ(((PWNODE_TOO_SMALL)buf)->SizeNeeded, 72 + 26);
    free(buf);
    stop(dev);
}

struct pend_ctx {
    PDEVICE_OBJECT dev;
    UCHAR *buf;
    NTSTATUS status;
    ULONG_PTR info;
};

static void *send_pending(void *arg)
{
    struct pend_ctx *c = arg;
    GUID path = GUID_A;
    c->status = fixture_send(c->dev, IRP_MN_QUERY_ALL_DATA, (ULONG_PTR)c->dev, &path, c->buf, 256,
                             &c->info);
    return NULL;
}

TEST(wmilib_pended_query_completes_later_through_wmi_complete_request)
{
    PDEVICE_OBJECT dev = start(&full);
    seen.pend = true;
    struct pend_ctx c = {.dev = dev, .buf = wnode(256)};
    pthread_t t;
    pthread_create(&t, NULL, send_pending, &c);
    /* The query pends inside the callback on the sender's thread. */
    while (!__atomic_load_n(&seen.pended, __ATOMIC_SEQ_CST))
        sched_yield();
    PIRP irp = seen.pended;
    ULONG start_at = (ULONG)ALIGN_UP_BY(offsetof(WNODE_ALL_DATA, OffsetInstanceDataAndLength) +
                                            2 * sizeof(OFFSETINSTANCEDATAANDLENGTH),
                                        8);
    /* The driver finishes it later, as from a DPC or work item. */
    PULONG lengths = (PULONG)(c.buf + offsetof(WNODE_ALL_DATA, OffsetInstanceDataAndLength));
    memcpy(c.buf + start_at, &inst0, 4);
    memcpy(c.buf + start_at + 8, inst1, 6);
    lengths[0] = 4;
    lengths[1] = 6;
    CHECK_STATUS(WmiCompleteRequest(dev, irp, STATUS_SUCCESS, 14, IO_NO_INCREMENT), STATUS_SUCCESS);
    pthread_join(t, NULL);
    CHECK_STATUS(c.status, STATUS_SUCCESS);
    CHECK_EQ(c.info, start_at + 14);
    CHECK_EQ(((PWNODE_ALL_DATA)c.buf)->OffsetInstanceDataAndLength[1].OffsetInstanceData,
             start_at + 8);
    free(c.buf);
    stop(dev);
}

TEST(wmi_complete_request_returns_the_status_unless_buffer_too_small)
{
    PDEVICE_OBJECT dev = start(&full);
    seen.pend = true;
    struct pend_ctx c = {.dev = dev, .buf = wnode(256)};
    pthread_t t;
    pthread_create(&t, NULL, send_pending, &c);
    while (!__atomic_load_n(&seen.pended, __ATOMIC_SEQ_CST))
        sched_yield();
    CHECK_STATUS(
        WmiCompleteRequest(dev, seen.pended, STATUS_WMI_INSTANCE_NOT_FOUND, 0, IO_NO_INCREMENT),
        STATUS_WMI_INSTANCE_NOT_FOUND);
    pthread_join(t, NULL);
    CHECK_STATUS(c.status, STATUS_WMI_INSTANCE_NOT_FOUND);
    CHECK_EQ(c.info, 0);
    __atomic_store_n(&seen.pended, NULL, __ATOMIC_SEQ_CST);
    pthread_create(&t, NULL, send_pending, &c);
    while (!__atomic_load_n(&seen.pended, __ATOMIC_SEQ_CST))
        sched_yield();
    CHECK_STATUS(
        WmiCompleteRequest(dev, seen.pended, STATUS_BUFFER_TOO_SMALL, 1000, IO_NO_INCREMENT),
        STATUS_SUCCESS);
    pthread_join(t, NULL);
    CHECK_STATUS(c.status, STATUS_SUCCESS);
    free(c.buf);
    stop(dev);
}

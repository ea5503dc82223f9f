/* How the PnP manager talks to a device stack: host-built IRP_MJ_PNP IRPs
 * sent to the top of the stack, waited for until completion reaches the top
 * (drivers may pend them and complete later from a completion routine or a
 * worker), and the answers of the query IRPs converted for the host. */
#include "pnp_internal.h"

/* A KEVENT rather than a bare condition variable: when the waiter is a
 * worker (re-enumeration), the dispatcher then counts it as blocked, so
 * ke_settle and virtual time keep working while it waits. */
struct pnp_wait {
    KEVENT done;
    IO_STATUS_BLOCK iosb;
};

static void finish(PIRP irp, void *context)
{
    struct pnp_wait *w = context;
    w->iosb = irp->IoStatus;
    KeSetEvent(&w->done, IO_NO_INCREMENT, FALSE);
}

/* PASSIVE_LEVEL. */
NTSTATUS pnp_send_irp(PDEVICE_OBJECT device, UCHAR major, UCHAR minor, pnp_irp_setup_fn setup,
                      void *arg, ULONG_PTR *info)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (info)
        *info = 0;
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(device);
    struct pnp_wait w;
    KeInitializeEvent(&w.done, NotificationEvent, FALSE);
    PIRP irp = io_build_host_irp(top, major, minor, finish, &w);
    if (!irp) {
        ObDereferenceObject(top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    irp->RequestorMode = KernelMode; /* docs: PnP IRPs come from a system thread */
    if (setup)
        setup(irp, arg);
    IoCallDriver(top, irp);
    KeWaitForSingleObject(&w.done, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(top);
    if (info)
        *info = w.iosb.Information;
    return w.iosb.Status;
}

NTSTATUS pnp_send_minor(PDEVICE_OBJECT pdo, UCHAR minor)
{
    return pnp_send_irp(pdo, IRP_MJ_PNP, minor, NULL, NULL, NULL);
}

/* ---- queries ---- */
#define MAX_ANSWER_CHARS 4096 /* bound on scanning a driver's answer */

static void setup_query_id(PIRP irp, void *arg)
{
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->Parameters.QueryId.IdType = *(BUS_QUERY_ID_TYPE *)arg;
}

NTSTATUS pnp_query_id(PDEVICE_OBJECT pdo, BUS_QUERY_ID_TYPE type, char *out, size_t len)
{
    ULONG_PTR info;
    out[0] = 0;
    if (len > 1)
        out[1] = 0;
    NTSTATUS status = pnp_send_irp(pdo, IRP_MJ_PNP, IRP_MN_QUERY_ID, setup_query_id, &type, &info);
    if (!NT_SUCCESS(status) || !info)
        return NT_SUCCESS(status) ? STATUS_NOT_SUPPORTED : status;
    /* docs: the answer is pool the PnP manager frees; the ID lists are
     * REG_MULTI_SZ, DeviceID and InstanceID single strings. */
    const WCHAR *w = (const WCHAR *)info;
    if (type == BusQueryHardwareIDs || type == BusQueryCompatibleIDs) {
        pnp_utf16_multi_to_utf8(w, pnp_wmulti_chars(w, MAX_ANSWER_CHARS), out, len);
    } else {
        size_t n = 0;
        while (n < MAX_ANSWER_CHARS && w[n])
            n++;
        rtl_utf16_to_utf8(w, n, out, len);
    }
    ExFreePool((PVOID)info);
    return STATUS_SUCCESS;
}

struct text_query {
    DEVICE_TEXT_TYPE type;
};

static void setup_text(PIRP irp, void *arg)
{
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->Parameters.QueryDeviceText.DeviceTextType = ((struct text_query *)arg)->type;
    next->Parameters.QueryDeviceText.LocaleId = 0x409; /* en-US */
}

NTSTATUS pnp_query_text(PDEVICE_OBJECT pdo, DEVICE_TEXT_TYPE type, char *out, size_t len)
{
    ULONG_PTR info;
    struct text_query q = {type};
    out[0] = 0;
    NTSTATUS status =
        pnp_send_irp(pdo, IRP_MJ_PNP, IRP_MN_QUERY_DEVICE_TEXT, setup_text, &q, &info);
    if (!NT_SUCCESS(status) || !info)
        return NT_SUCCESS(status) ? STATUS_NOT_SUPPORTED : status;
    const WCHAR *w = (const WCHAR *)info;
    size_t n = 0;
    while (n < MAX_ANSWER_CHARS && w[n])
        n++;
    rtl_utf16_to_utf8(w, n, out, len);
    ExFreePool((PVOID)info);
    return STATUS_SUCCESS;
}

static void setup_caps(PIRP irp, void *arg)
{
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->Parameters.DeviceCapabilities.Capabilities = arg;
}

NTSTATUS pnp_query_capabilities(PDEVICE_OBJECT pdo, DEVICE_CAPABILITIES *caps)
{
    /* docs: the PnP manager fills Size, Version, Address and UINumber
     * (-1: unknown) before sending the IRP. */
    memset(caps, 0, sizeof(*caps));
    caps->Size = sizeof(*caps);
    caps->Version = 1;
    caps->Address = 0xFFFFFFFFu;
    caps->UINumber = 0xFFFFFFFFu;
    return pnp_send_irp(pdo, IRP_MJ_PNP, IRP_MN_QUERY_CAPABILITIES, setup_caps, caps, NULL);
}

static void setup_relations(PIRP irp, void *arg)
{
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->Parameters.QueryDeviceRelations.Type = *(DEVICE_RELATION_TYPE *)arg;
}

NTSTATUS pnp_query_relations(PDEVICE_OBJECT pdo, DEVICE_RELATION_TYPE type,
                             PDEVICE_RELATIONS *relations)
{
    ULONG_PTR info;
    NTSTATUS status =
        pnp_send_irp(pdo, IRP_MJ_PNP, IRP_MN_QUERY_DEVICE_RELATIONS, setup_relations, &type, &info);
    *relations = NT_SUCCESS(status) ? (PDEVICE_RELATIONS)info : NULL;
    return status;
}

/* ACPI bus test helpers: real IRPs to a child PDO. */
#include <initguid.h>
#include "acpi_util.h"

#include <pthread.h>

NTSTATUS acpi_ioctl(PDEVICE_OBJECT pdo, ULONG code, const void *in, ULONG in_len, void *out,
                    ULONG out_len, ULONG_PTR *info)
{
    KEVENT done;
    IO_STATUS_BLOCK iosb = {0};
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(code, pdo, (PVOID)in, in_len, out, out_len, FALSE,
                                             &done, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = IoCallDriver(pdo, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    if (info)
        *info = iosb.Information;
    return status;
}

NTSTATUS acpi_eval(PDEVICE_OBJECT pdo, const char name[4], int has_arg, ULONG arg, void *out,
                   ULONG out_len, ULONG_PTR *info)
{
    ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER in = {0};
    in.Signature = has_arg ? ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE
                           : ACPI_EVAL_INPUT_BUFFER_SIGNATURE;
    memcpy(in.MethodName, name, 4);
    in.IntegerArgument = arg;
    return acpi_ioctl(pdo, IOCTL_ACPI_EVAL_METHOD, &in,
                      has_arg ? sizeof in : sizeof(ACPI_EVAL_INPUT_BUFFER), out, out_len, info);
}

PACPI_METHOD_ARGUMENT acpi_element(void *out, ULONG i)
{
    PACPI_EVAL_OUTPUT_BUFFER o = out;
    if (i >= o->Count)
        return NULL;
    PACPI_METHOD_ARGUMENT a =
        (PACPI_METHOD_ARGUMENT)((PUCHAR)out + FIELD_OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Argument));
    while (i--)
        a = ACPI_METHOD_NEXT_ARGUMENT(a);
    return a;
}

ULONG acpi_int(void *out, ULONG i)
{
    PACPI_METHOD_ARGUMENT a = acpi_element(out, i);
    if (!a || a->Type != ACPI_METHOD_ARGUMENT_INTEGER || a->DataLength != sizeof(ULONG))
        return 0xDEADBEEF;
    return a->Argument;
}

ULONG acpi_eval_int(PDEVICE_OBJECT pdo, const char name[4])
{
    UCHAR out[64];
    ULONG_PTR info;
    if (!NT_SUCCESS(acpi_eval(pdo, name, 0, 0, out, sizeof out, &info)))
        return 0xDEADBEEF;
    return acpi_int(out, 0);
}

static NTSTATUS done_routine(PDEVICE_OBJECT d, PIRP irp, PVOID ctx)
{
    (void)d;
    (void)irp;
    KeSetEvent(ctx, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

NTSTATUS acpi_query_interface(PDEVICE_OBJECT pdo, PACPI_INTERFACE_STANDARD iface)
{
    KEVENT done;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = IoAllocateIrp(pdo->StackSize + 1, FALSE);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED; /* docs: PnP IRPs start so */
    PIO_STACK_LOCATION s = IoGetNextIrpStackLocation(irp);
    s->MajorFunction = IRP_MJ_PNP;
    s->MinorFunction = IRP_MN_QUERY_INTERFACE;
    s->Parameters.QueryInterface.InterfaceType = &GUID_ACPI_INTERFACE_STANDARD;
    s->Parameters.QueryInterface.Size = sizeof(*iface);
    s->Parameters.QueryInterface.Version = 1;
    s->Parameters.QueryInterface.Interface = (PINTERFACE)iface;
    IoSetCompletionRoutine(irp, done_routine, &done, TRUE, TRUE, TRUE);
    if (IoCallDriver(pdo, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    NTSTATUS status = irp->IoStatus.Status;
    IoFreeIrp(irp);
    return status;
}

static pthread_mutex_t notes_lock = PTHREAD_MUTEX_INITIALIZER;

static VOID note(PVOID context, ULONG value)
{
    acpi_notes_t *n = context;
    pthread_mutex_lock(&notes_lock);
    if (n->count < 64)
        n->value[n->count++] = value;
    pthread_mutex_unlock(&notes_lock);
}

NTSTATUS acpi_listen(PDEVICE_OBJECT pdo, PACPI_INTERFACE_STANDARD iface, acpi_notes_t *notes)
{
    NTSTATUS status = acpi_query_interface(pdo, iface);
    if (!NT_SUCCESS(status))
        return status;
    return iface->RegisterForDeviceNotifications(pdo, note, notes);
}

void acpi_unlisten(PDEVICE_OBJECT pdo, PACPI_INTERFACE_STANDARD iface)
{
    iface->UnregisterForDeviceNotifications(pdo, note);
    iface->InterfaceDereference(iface->Context);
}

int acpi_notes_has(const acpi_notes_t *notes, ULONG value)
{
    int found = 0;
    pthread_mutex_lock(&notes_lock);
    for (int i = 0; i < notes->count; i++)
        found += notes->value[i] == value;
    pthread_mutex_unlock(&notes_lock);
    return found;
}

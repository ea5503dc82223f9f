/* File-object I/O the I/O manager itself sends: IRP_MJ_CREATE on open,
 * IRP_MJ_CLEANUP when the last handle goes, IRP_MJ_CLOSE when the last
 * reference goes. Sent synchronously, waiting on a kernel event so a worker
 * that waits counts as blocked for ke_settle. */
#include "../private.h"

static void signal_finish(PIRP irp, void *context)
{
    void **slot = context;
    *(NTSTATUS *)slot[1] = irp->IoStatus.Status;
    KeSetEvent(slot[0], IO_NO_INCREMENT, FALSE);
}

NTSTATUS io_send_file_irp(PDEVICE_OBJECT device, PFILE_OBJECT file, UCHAR major)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    KEVENT done;
    NTSTATUS status = STATUS_PENDING;
    void *slot[2] = {&done, &status};
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    PIRP irp = io_build_host_irp(device, major, 0, signal_finish, slot);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    irp->IoStatus.Status = STATUS_SUCCESS;
    IoGetNextIrpStackLocation(irp)->FileObject = file;
    IoCallDriver(device, irp);
    KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
    if (major == IRP_MJ_CLEANUP)
        file->Flags |= FO_CLEANUP_COMPLETE;
    if (major == IRP_MJ_CREATE && NT_SUCCESS(status))
        file->Flags |= FO_OPENED;
    return status;
}

/* IRP allocation and construction. An IRP and its stack locations are one
 * block; the current location starts one past the last slot, so the first
 * IoCallDriver lands on the last slot and each lower driver one below. */
#include "../private.h"

#define IRP_TAG    'prIA'
#define SYSBUF_TAG 'fuBS'

static void init_irp(PIRP irp, CCHAR stack_size)
{
    USHORT size = IoSizeOfIrp(stack_size);
    memset(irp, 0, size);
    irp->Type = IO_TYPE_IRP;
    irp->Size = size;
    irp->StackCount = stack_size;
    irp->CurrentLocation = (CHAR)(stack_size + 1);
    irp->Tail.Overlay.CurrentStackLocation = (PIO_STACK_LOCATION)(irp + 1) + stack_size;
    InitializeListHead(&irp->ThreadListEntry);
}

static PIRP alloc_irp(CCHAR StackSize, const void *caller)
{
    if (StackSize <= 0)
        return NULL;
    PIRP irp = ex_alloc(NonPagedPoolNx, IoSizeOfIrp(StackSize), IRP_TAG, false, caller);
    if (irp)
        init_irp(irp, StackSize);
    return irp;
}

/* A METHOD_BUFFERED request's system buffer lives in the IRP's own block,
 * after the stack locations: one pool allocation per request instead of
 * two (the hot path of every battery query). */
static size_t irp_block_size(CCHAR stack_size)
{
    return ((size_t)IoSizeOfIrp(stack_size) + 15) & ~(size_t)15;
}

static void *embedded_buffer(PIRP irp)
{
    return (char *)irp + irp_block_size(irp->StackCount);
}

/* The IRP with room for a zeroed `len`-byte system buffer, set up as
 * buffered I/O with the caller's input copied in. */
static PIRP alloc_buffered_irp(CCHAR stack_size, const void *in, ULONG in_len, ULONG len,
                               bool output, const void *caller)
{
    if (stack_size <= 0)
        return NULL;
    size_t head = irp_block_size(stack_size);
    PIRP irp = ex_alloc(NonPagedPoolNx, head + len, IRP_TAG, false, caller);
    if (!irp)
        return NULL;
    init_irp(irp, stack_size);
    char *sys = (char *)irp + head;
    /* The input, then zeros for the rest: the buffer never shows what the
     * block's last holder left in it, and no byte is written twice. */
    ULONG copied = in ? in_len : 0;
    if (copied)
        memcpy(sys, in, copied);
    if (len > copied)
        memset(sys + copied, 0, len - copied);
    irp->AssociatedIrp.SystemBuffer = sys;
    irp->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
    if (output)
        irp->Flags |= IRP_INPUT_OPERATION;
    return irp;
}

PIRP NTAPI IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota)
{
    UNREFERENCED_PARAMETER(ChargeQuota);
    KE_ASSERT_IRQL_LE(DISPATCH_LEVEL);
    return alloc_irp(StackSize, __builtin_return_address(0));
}

void NTAPI IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize)
{
    ASSERT(PacketSize >= IoSizeOfIrp(StackSize));
    init_irp(Irp, StackSize);
}

void NTAPI IoFreeIrp(PIRP Irp)
{
    if (Irp->Type != IO_TYPE_IRP)
        KeBugCheckEx(0x44 /* MULTIPLE_IRP_COMPLETE_REQUESTS-like */, (ULONG_PTR)Irp, 0, 0, 0);
    Irp->Type = 0;
    ex_free(Irp, IRP_TAG, true);
}

/* docs: reinitializes an IRP for reuse, keeping its allocation. */
void NTAPI IoReuseIrp(PIRP Irp, NTSTATUS Iostatus)
{
    CCHAR stack = Irp->StackCount;
    init_irp(Irp, stack);
    Irp->IoStatus.Status = Iostatus;
}

PIRP NTAPI IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject,
                                         PVOID InputBuffer, ULONG InputBufferLength,
                                         PVOID OutputBuffer, ULONG OutputBufferLength,
                                         BOOLEAN InternalDeviceIoControl, PKEVENT Event,
                                         PIO_STATUS_BLOCK IoStatusBlock)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    ULONG method = METHOD_FROM_CTL_CODE(IoControlCode);
    ULONG len = InputBufferLength > OutputBufferLength ? InputBufferLength : OutputBufferLength;
    if (method != METHOD_BUFFERED)
        len = 0;
    PIRP irp =
        len ? alloc_buffered_irp(DeviceObject->StackSize, InputBuffer, InputBufferLength, len,
                                 OutputBuffer && OutputBufferLength, __builtin_return_address(0))
            : alloc_irp(DeviceObject->StackSize, __builtin_return_address(0));
    if (!irp)
        return NULL;
    if (method != METHOD_BUFFERED) {
        /* METHOD_NEITHER and the direct methods: buffers are passed as is;
         * battkit has no MDLs, so the direct methods behave like NEITHER. */
        irp->AssociatedIrp.SystemBuffer = InputBuffer;
    }
    irp->UserBuffer = OutputBuffer;
    irp->UserEvent = Event;
    irp->UserIosb = IoStatusBlock;
    irp->Flags |= BK_IRP_IO_BUILT;
    irp->RequestorMode = KernelMode;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction =
        InternalDeviceIoControl ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL;
    next->Parameters.DeviceIoControl.IoControlCode = IoControlCode;
    next->Parameters.DeviceIoControl.InputBufferLength = InputBufferLength;
    next->Parameters.DeviceIoControl.OutputBufferLength = OutputBufferLength;
    if (method == METHOD_NEITHER)
        next->Parameters.DeviceIoControl.Type3InputBuffer = InputBuffer;
    return irp;
}

/* ---- host-originated IRPs (the embedding API, the daemon) ---- */
static void host_irp_setup(PIRP irp, UCHAR major, UCHAR minor, io_finish_fn finish, void *context)
{
    irp->Flags |= BK_IRP_HOST_OWNED;
    irp->RequestorMode = UserMode;
    irp->Overlay.AsynchronousParameters.UserApcRoutine = (PIO_APC_ROUTINE)(void *)finish;
    irp->Overlay.AsynchronousParameters.UserApcContext = context;
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED; /* docs: PnP IRPs start this way */
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = major;
    next->MinorFunction = minor;
}

PIRP io_build_host_irp(PDEVICE_OBJECT target, UCHAR major, UCHAR minor, io_finish_fn finish,
                       void *context)
{
    PIRP irp = alloc_irp(target->StackSize, NULL);
    if (irp)
        host_irp_setup(irp, major, minor, finish, context);
    return irp;
}

PIRP io_build_host_ioctl(PDEVICE_OBJECT target, PFILE_OBJECT file, ULONG code, const void *in,
                         ULONG in_len, void *out, ULONG out_len, io_finish_fn finish, void *context)
{
    if (METHOD_FROM_CTL_CODE(code) != METHOD_BUFFERED)
        return NULL; /* battery IOCTLs are METHOD_BUFFERED; others are refused */
    ULONG len = in_len > out_len ? in_len : out_len;
    PIRP irp = len ? alloc_buffered_irp(target->StackSize, in, in_len, len, out && out_len, NULL)
                   : alloc_irp(target->StackSize, NULL);
    if (!irp)
        return NULL;
    host_irp_setup(irp, IRP_MJ_DEVICE_CONTROL, 0, finish, context);
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->UserBuffer = out;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->FileObject = file;
    next->Parameters.DeviceIoControl.IoControlCode = code;
    next->Parameters.DeviceIoControl.InputBufferLength = in_len;
    next->Parameters.DeviceIoControl.OutputBufferLength = out_len;
    return irp;
}

/* The I/O manager refuses an IOCTL whose access bits the handle lacks,
 * before any driver sees it. */
NTSTATUS io_check_ioctl_access(PFILE_OBJECT file, ULONG code)
{
    ULONG access = (code >> 14) & 3;
    if (!file)
        return STATUS_SUCCESS;
    if ((access & FILE_READ_ACCESS) && !(file->GrantedAccess & (FILE_READ_DATA | GENERIC_READ)))
        return STATUS_ACCESS_DENIED;
    if ((access & FILE_WRITE_ACCESS) && !(file->GrantedAccess & (FILE_WRITE_DATA | GENERIC_WRITE)))
        return STATUS_ACCESS_DENIED;
    return STATUS_SUCCESS;
}

static _Atomic uint64_t information_clamps;

uint64_t bk_host_io_clamped_count(void)
{
    return information_clamps;
}

/* Called when completion reaches the top of the stack. */
void io_finish_irp(PIRP irp);
void io_finish_irp(PIRP irp)
{
    bool copy_out = (irp->Flags & IRP_INPUT_OPERATION) && irp->UserBuffer &&
                    !NT_ERROR(irp->IoStatus.Status) && irp->IoStatus.Status != STATUS_PENDING;
    if (copy_out && (irp->Flags & IRP_BUFFERED_IO) && irp->IoStatus.Information) {
        PIO_STACK_LOCATION first = (PIO_STACK_LOCATION)(irp + 1) + irp->StackCount - 1;
        ULONG out_len = first->Parameters.DeviceIoControl.OutputBufferLength;
        ULONG_PTR n = irp->IoStatus.Information;
        if (n > out_len) {
            /* A driver claimed more than the caller's buffer: never overrun. */
            bk_log(BK_LOG_WARN, "IRP %p completed with Information %lu > output length %u; clamped",
                   (void *)irp, (unsigned long)n, out_len);
            n = out_len;
            irp->IoStatus.Information = n;
            information_clamps++;
        }
        memcpy(irp->UserBuffer, irp->AssociatedIrp.SystemBuffer, n);
    }
    if ((irp->Flags & IRP_DEALLOCATE_BUFFER) && irp->AssociatedIrp.SystemBuffer) {
        /* One in the IRP's block goes with the IRP; another was a driver's. */
        if (irp->AssociatedIrp.SystemBuffer != embedded_buffer(irp))
            ex_free(irp->AssociatedIrp.SystemBuffer, SYSBUF_TAG, true);
        irp->AssociatedIrp.SystemBuffer = NULL;
    }
    if (irp->Flags & BK_IRP_HOST_OWNED) {
        io_finish_fn finish =
            (io_finish_fn)(void *)irp->Overlay.AsynchronousParameters.UserApcRoutine;
        if (finish)
            finish(irp, irp->Overlay.AsynchronousParameters.UserApcContext);
        IoFreeIrp(irp);
        return;
    }
    if (irp->Flags & BK_IRP_IO_BUILT) {
        if (irp->UserIosb) {
            /* Field by field: the driver just stored Status and
             * Information apart, and one 16-byte load spanning both
             * waits for those stores to retire (no forwarding). */
            irp->UserIosb->Status = irp->IoStatus.Status;
            irp->UserIosb->Information = irp->IoStatus.Information;
        }
        PKEVENT event = irp->UserEvent;
        IoFreeIrp(irp);
        if (event)
            KeSetEvent(event, IO_NO_INCREMENT, FALSE);
        return;
    }
    /* An IRP from IoAllocateIrp must be reclaimed by its owner's completion
     * routine (STATUS_MORE_PROCESSING_REQUIRED); reaching here is a bug. */
    KeBugCheckEx(0x44 /* MULTIPLE_IRP_COMPLETE_REQUESTS */, (ULONG_PTR)irp, 0x1, 0, 0);
}

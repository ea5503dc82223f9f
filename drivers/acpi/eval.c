/* IOCTL_ACPI_EVAL_METHOD and IOCTL_ACPI_EVAL_METHOD_EX on a child PDO:
 * decoding the input buffer (simple, integer, string and complex forms;
 * a path for _EX), evaluating through methods.c and writing the
 * ACPI_EVAL_OUTPUT_BUFFER with the documented statuses: smaller than the
 * header -> STATUS_BUFFER_TOO_SMALL; header fits, arguments do not ->
 * STATUS_BUFFER_OVERFLOW with Length = the size needed; success ->
 * Information = bytes returned. */
#include "acpi.h"

#define ACPI_MAX_ARGUMENTS 7 /* ACPI: a method takes at most 7 arguments */

typedef struct _ACPI_EVAL_REQUEST {
    CHAR Name[4];
    ULONG Count; /* integer arguments */
    ULONG Arguments[ACPI_MAX_ARGUMENTS];
} ACPI_EVAL_REQUEST;

/* The complex form: Size bytes of ArgumentCount arguments, each walked with
 * bounds; integers are kept, other types end the integer list. */
static NTSTATUS AcpiParseComplex(const UCHAR *Arguments, ULONG Size, ULONG Count,
                                 ACPI_EVAL_REQUEST *Request)
{
    ULONG offset = 0;
    for (ULONG i = 0; i < Count; i++) {
        if (Size - offset < FIELD_OFFSET(ACPI_METHOD_ARGUMENT, Data))
            return STATUS_INVALID_PARAMETER;
        PACPI_METHOD_ARGUMENT arg = (PACPI_METHOD_ARGUMENT)(Arguments + offset);
        ULONG length = ACPI_METHOD_ARGUMENT_LENGTH(arg->DataLength);
        if (length > Size - offset)
            return STATUS_INVALID_PARAMETER;
        if (arg->Type == ACPI_METHOD_ARGUMENT_INTEGER && Request->Count == i &&
            i < ACPI_MAX_ARGUMENTS && arg->DataLength >= sizeof(ULONG))
            Request->Arguments[Request->Count++] = arg->Argument;
        offset += length;
    }
    return STATUS_SUCCESS;
}

/* _EX names a path: the method must be the device's own, "\_SB.BAT0._BST",
 * "BAT0._BST" or "_BST"; anything deeper is not in this namespace. */
static NTSTATUS AcpiParsePath(PACPI_PDO_EXTENSION Pdo, const CHAR *Path, ULONG Max,
                              ACPI_EVAL_REQUEST *Request)
{
    ULONG length = 0;
    while (length < Max && Path[length])
        length++;
    if (length == Max || length < 4)
        return STATUS_INVALID_PARAMETER;
    const CHAR *method = Path + length - 4;
    if (length > 4) {
        if (method[-1] != '.' && method[-1] != '\\')
            return STATUS_OBJECT_NAME_NOT_FOUND;
        ULONG prefix = length - 5; /* the scope before ".XXXX" */
        ULONG name = 0;
        while (name < sizeof Pdo->Device.Name && Pdo->Device.Name[name])
            name++;
        if (prefix < name ||
            RtlCompareMemory(Path + prefix - name, Pdo->Device.Name, name) != name ||
            (prefix > name && Path[prefix - name - 1] != '.' && Path[prefix - name - 1] != '\\'))
            return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    RtlCopyMemory(Request->Name, method, 4);
    return STATUS_SUCCESS;
}

static NTSTATUS AcpiParseInput(PACPI_PDO_EXTENSION Pdo, BOOLEAN Ex, const UCHAR *In, ULONG Length,
                               ACPI_EVAL_REQUEST *Request)
{
    RtlZeroMemory(Request, sizeof(*Request));
    if (!In || Length < sizeof(ULONG))
        return STATUS_INVALID_PARAMETER;
    ULONG signature = *(const ULONG *)In;
    if (!Ex) {
        if (Length < sizeof(ACPI_EVAL_INPUT_BUFFER))
            return STATUS_INVALID_PARAMETER;
        RtlCopyMemory(Request->Name, ((const ACPI_EVAL_INPUT_BUFFER *)In)->MethodName, 4);
        switch (signature) {
        case ACPI_EVAL_INPUT_BUFFER_SIGNATURE:
            return STATUS_SUCCESS;
        case ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE:
            if (Length < sizeof(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER))
                return STATUS_INVALID_PARAMETER;
            Request->Arguments[Request->Count++] =
                ((const ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER *)In)->IntegerArgument;
            return STATUS_SUCCESS;
        case ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_SIGNATURE: {
            ULONG head = FIELD_OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING, String);
            const ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING *s = (const void *)In;
            if (Length < head || s->StringLength > Length - head)
                return STATUS_INVALID_PARAMETER;
            return STATUS_SUCCESS; /* no method here takes a string */
        }
        case ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE: {
            ULONG head = FIELD_OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX, Argument);
            const ACPI_EVAL_INPUT_BUFFER_COMPLEX *c = (const void *)In;
            if (Length < head || c->Size > Length - head)
                return STATUS_INVALID_PARAMETER;
            return AcpiParseComplex(In + head, c->Size, c->ArgumentCount, Request);
        }
        default:
            return STATUS_INVALID_PARAMETER;
        }
    }
    NTSTATUS status;
    switch (signature) {
    case ACPI_EVAL_INPUT_BUFFER_SIGNATURE_EX:
        if (Length < sizeof(ACPI_EVAL_INPUT_BUFFER_EX))
            return STATUS_INVALID_PARAMETER;
        return AcpiParsePath(Pdo, ((const ACPI_EVAL_INPUT_BUFFER_EX *)In)->MethodName, 256,
                             Request);
    case ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE_EX: {
        const ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_EX *s = (const void *)In;
        if (Length < sizeof(*s))
            return STATUS_INVALID_PARAMETER;
        status = AcpiParsePath(Pdo, s->MethodName, 256, Request);
        if (NT_SUCCESS(status))
            Request->Arguments[Request->Count++] = (ULONG)s->IntegerArgument;
        return status;
    }
    case ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE_EX: {
        ULONG head = FIELD_OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX_EX, Argument);
        const ACPI_EVAL_INPUT_BUFFER_COMPLEX_EX *c = (const void *)In;
        if (Length < head || c->Size > Length - head)
            return STATUS_INVALID_PARAMETER;
        status = AcpiParsePath(Pdo, c->MethodName, 256, Request);
        if (NT_SUCCESS(status))
            status = AcpiParseComplex(In + head, c->Size, c->ArgumentCount, Request);
        return status;
    }
    default:
        return STATUS_INVALID_PARAMETER;
    }
}

/* Writes the result into the system buffer with the documented statuses. */
static NTSTATUS AcpiWriteOutput(PIRP Irp, ULONG OutputLength, PACPI_PACKAGE_BUILDER Result)
{
    PACPI_EVAL_OUTPUT_BUFFER out = Irp->AssociatedIrp.SystemBuffer;
    ULONG head = FIELD_OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Argument);
    ULONG needed = head + Result->Bytes;
    if (Result->Count == 0)
        return STATUS_SUCCESS; /* a method without a result (_BTP) */
    if (OutputLength < sizeof(ACPI_EVAL_OUTPUT_BUFFER))
        return STATUS_BUFFER_TOO_SMALL;
    out->Signature = ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE;
    out->Length = needed;
    out->Count = Result->Count;
    if (OutputLength < needed) {
        /* A warning: the header goes back so the caller can read Length
         * and retry with a buffer that big. */
        RtlZeroMemory((PUCHAR)out + head, sizeof(ACPI_EVAL_OUTPUT_BUFFER) - head);
        Irp->IoStatus.Information = sizeof(ACPI_EVAL_OUTPUT_BUFFER);
        return STATUS_BUFFER_OVERFLOW;
    }
    RtlCopyMemory((PUCHAR)out + head, Result->Data, Result->Bytes);
    Irp->IoStatus.Information = needed;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS AcpiPdoDeviceControl(PACPI_PDO_EXTENSION Pdo, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG in_length = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out_length = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PACPI_FDO_EXTENSION parent = Pdo->Parent;
    PACPI_PACKAGE_BUILDER result = NULL;
    ACPI_EVAL_REQUEST request;
    NTSTATUS status;

    Irp->IoStatus.Information = 0;
    if (code != IOCTL_ACPI_EVAL_METHOD && code != IOCTL_ACPI_EVAL_METHOD_EX) {
        status = STATUS_INVALID_DEVICE_REQUEST;
        goto complete;
    }
    status = IoAcquireRemoveLock(&parent->RemoveLock, Irp);
    if (!NT_SUCCESS(status))
        goto complete;
    if (!parent->HavePlatform) {
        status = STATUS_NO_SUCH_DEVICE;
        goto release;
    }
    status = AcpiParseInput(Pdo, code == IOCTL_ACPI_EVAL_METHOD_EX, Irp->AssociatedIrp.SystemBuffer,
                            in_length, &request);
    if (!NT_SUCCESS(status))
        goto release;
    result = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(*result), ACPI_TAG);
    if (!result) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto release;
    }
    status = AcpiEvaluateMethod(Pdo, request.Name, request.Count, request.Arguments, result);
    if (NT_SUCCESS(status))
        status = AcpiWriteOutput(Irp, out_length, result);
    ExFreePoolWithTag(result, ACPI_TAG);
release:
    IoReleaseRemoveLock(&parent->RemoveLock, Irp);
complete:
    if (NT_ERROR(status))
        Irp->IoStatus.Information = 0;
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* Evaluating the battery's control methods: IOCTL_ACPI_EVAL_METHOD built
 * with IoBuildDeviceIoControlRequest for the lower device (the ACPI PDO),
 * waited on a KEVENT, retried once with the size the ACPI driver asks for
 * (STATUS_BUFFER_OVERFLOW). Reading _BIX (or _BIF when the firmware has no
 * _BIX), _BST and arming _BTP on top; the parsing is package.c. */
#include "cmbatt.h"

/* The largest answer taken from the ACPI driver's retry request. */
#define CMBATT_OUTPUT_MAX 4096

/* PASSIVE_LEVEL. */
static NTSTATUS CmBattSendEval(PCMBATT_EXTENSION Ext, PVOID Input, ULONG InputLength, PVOID Output,
                               ULONG OutputLength, PULONG_PTR Information)
{
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    KeInitializeEvent(&done, NotificationEvent, FALSE);
    iosb.Status = STATUS_UNSUCCESSFUL;
    iosb.Information = 0;
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_ACPI_EVAL_METHOD, Ext->Lower, Input, InputLength,
                                             Output, OutputLength, FALSE, &done, &iosb);
    if (!irp)
        return STATUS_INSUFFICIENT_RESOURCES;
    NTSTATUS status = IoCallDriver(Ext->Lower, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    *Information = iosb.Information;
    return status;
}

VOID CmBattReleaseOutput(PCMBATT_OUTPUT Output)
{
    if (Output->Buffer && Output->Buffer != (PVOID)Output->Scratch)
        ExFreePoolWithTag(Output->Buffer, CMBATT_TAG);
    Output->Buffer = NULL;
    Output->Length = 0;
}

NTSTATUS CmBattEvaluate(PCMBATT_EXTENSION Ext, const CHAR Name[4], BOOLEAN HasArgument,
                        ULONG Argument, PCMBATT_OUTPUT Output)
{
    ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER in;
    ULONG size = sizeof Output->Scratch;
    ULONG_PTR information = 0;
    NTSTATUS status;

    PAGED_CODE();
    Output->Buffer = NULL;
    Output->Length = 0;
    RtlZeroMemory(&in, sizeof in);
    in.Signature = HasArgument ? ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE
                               : ACPI_EVAL_INPUT_BUFFER_SIGNATURE;
    RtlCopyMemory(in.MethodName, Name, 4);
    in.IntegerArgument = Argument;
    ULONG in_length = HasArgument ? sizeof in : sizeof(ACPI_EVAL_INPUT_BUFFER);

    for (int attempt = 0; attempt < 2; attempt++) {
        /* First into the scratch space; the retry, larger, into pool. */
        PACPI_EVAL_OUTPUT_BUFFER out =
            attempt == 0 ? (PACPI_EVAL_OUTPUT_BUFFER)Output->Scratch
                         : ExAllocatePoolWithTag(NonPagedPoolNx, size, CMBATT_TAG);
        if (!out)
            return STATUS_INSUFFICIENT_RESOURCES;
        Output->Buffer = out;
        RtlZeroMemory(out, size);
        status = CmBattSendEval(Ext, &in, in_length, out, size, &information);
        if (status == STATUS_BUFFER_OVERFLOW && attempt == 0 &&
            information >= FIELD_OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Argument) && out->Length > size &&
            out->Length <= CMBATT_OUTPUT_MAX) {
            size = out->Length; /* docs: Length says the size needed */
            continue;
        }
        if (!NT_SUCCESS(status) || status == STATUS_BUFFER_OVERFLOW) {
            CmBattReleaseOutput(Output);
            return status == STATUS_BUFFER_OVERFLOW ? STATUS_ACPI_INVALID_DATA : status;
        }
        Output->Length = information > size ? size : (ULONG)information;
        return STATUS_SUCCESS;
    }
    CmBattReleaseOutput(Output);
    return STATUS_ACPI_INVALID_DATA;
}

NTSTATUS CmBattEvaluateInteger(PCMBATT_EXTENSION Ext, const CHAR Name[4], PULONG Value)
{
    CMBATT_OUTPUT out;
    PAGED_CODE();
    NTSTATUS status = CmBattEvaluate(Ext, Name, FALSE, 0, &out);
    if (!NT_SUCCESS(status))
        return status;
    status = CmBattParseInteger(out.Buffer, out.Length, Value);
    CmBattReleaseOutput(&out);
    return status;
}

/* PASSIVE_LEVEL, Lock held. ACPI 4.0 firmware has _BIX; an older one (or a
 * hypervisor, pitfall 10) only _BIF: a missing _BIX is remembered. */
NTSTATUS CmBattReadStaticInfo(PCMBATT_EXTENSION Ext, PCMBATT_STATIC_INFO Info)
{
    CMBATT_OUTPUT out;
    NTSTATUS status = STATUS_OBJECT_NAME_NOT_FOUND;
    BOOLEAN bix = !Ext->NoBix;
    PAGED_CODE();
    if (bix) {
        status = CmBattEvaluate(Ext, "_BIX", FALSE, 0, &out);
        if (status == STATUS_OBJECT_NAME_NOT_FOUND)
            Ext->NoBix = TRUE;
    }
    if (status == STATUS_OBJECT_NAME_NOT_FOUND) {
        bix = FALSE;
        status = CmBattEvaluate(Ext, "_BIF", FALSE, 0, &out);
    }
    if (!NT_SUCCESS(status))
        return status;
    status = CmBattParseStaticInfo(out.Buffer, out.Length, bix, Info);
    CmBattReleaseOutput(&out);
    return status;
}

/* PASSIVE_LEVEL. */
NTSTATUS CmBattReadBst(PCMBATT_EXTENSION Ext, PCMBATT_BST Bst)
{
    CMBATT_OUTPUT out;
    PAGED_CODE();
    NTSTATUS status = CmBattEvaluate(Ext, "_BST", FALSE, 0, &out);
    if (!NT_SUCCESS(status))
        return status;
    status = CmBattParseBst(out.Buffer, out.Length, Bst);
    CmBattReleaseOutput(&out);
    return status;
}

/* PASSIVE_LEVEL, Lock held: _BTP(capacity in the firmware's units), 0
 * clears. No result; evaluated without an output buffer, as cmbatt-style
 * drivers do. */
NTSTATUS CmBattSetTripPoint(PCMBATT_EXTENSION Ext, ULONG Mwh)
{
    ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER in;
    ULONG_PTR information;
    PAGED_CODE();
    RtlZeroMemory(&in, sizeof in);
    in.Signature = ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE;
    RtlCopyMemory(in.MethodName, "_BTP", 4);
    in.IntegerArgument =
        Mwh ? CmBattFromMilliwatts(Ext->Static.PowerUnit, Ext->Static.DesignVoltage, Mwh) : 0;
    return CmBattSendEval(Ext, &in, sizeof in, NULL, 0, &information);
}

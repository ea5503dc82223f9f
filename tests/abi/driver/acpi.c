/* ACPI access of the compile-check miniclass: control methods evaluated
 * with IOCTL_ACPI_EVAL_METHOD sent down its own stack to the PDO, and
 * _BST decoded into a BATTERY_STATUS. */
#include "abidrv.h"

/* _BST Battery State bits and its "unknown" value (ACPI 10.2.2.11). */
#define ABIDRV_BST_DISCHARGING 0x1
#define ABIDRV_BST_CHARGING    0x2
#define ABIDRV_BST_CRITICAL    0x4
#define ABIDRV_ACPI_UNKNOWN    0xFFFFFFFF

/* IRQL < DISPATCH_LEVEL. Synchronous: waits for a pending IRP. */
static NTSTATUS AbiDrvSendEval(PABIDRV_EXTENSION Ext, PVOID Input, ULONG InputLength,
                               PACPI_EVAL_OUTPUT_BUFFER Output, ULONG OutputLength)
{
    KEVENT done;
    IO_STATUS_BLOCK iosb;
    PIRP irp;
    NTSTATUS status;

    KeInitializeEvent(&done, NotificationEvent, FALSE);
    irp = IoBuildDeviceIoControlRequest(IOCTL_ACPI_EVAL_METHOD, Ext->LowerDevice, Input,
                                        InputLength, Output, OutputLength, FALSE, &done, &iosb);
    if (irp == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    status = IoCallDriver(Ext->LowerDevice, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&done, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    if (NT_SUCCESS(status) &&
        (iosb.Information < sizeof(ACPI_EVAL_OUTPUT_BUFFER) - sizeof(ACPI_METHOD_ARGUMENT) ||
         Output->Signature != ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE))
        status = STATUS_ACPI_INVALID_DATA;
    return status;
}

NTSTATUS AbiDrvEvalMethod(PABIDRV_EXTENSION Ext, ULONG MethodName, PACPI_EVAL_OUTPUT_BUFFER Output,
                          ULONG OutputLength)
{
    ACPI_EVAL_INPUT_BUFFER input;

    input.Signature = ACPI_EVAL_INPUT_BUFFER_SIGNATURE;
    input.MethodNameAsUlong = MethodName;
    return AbiDrvSendEval(Ext, &input, sizeof(input), Output, OutputLength);
}

/* One integer argument (e.g. _BTP's trip point in mWh), written as a
 * complex buffer to use the argument macros. */
NTSTATUS AbiDrvEvalMethodWithInteger(PABIDRV_EXTENSION Ext, ULONG MethodName, ULONG Argument)
{
    ACPI_EVAL_INPUT_BUFFER_COMPLEX input;
    ACPI_EVAL_OUTPUT_BUFFER output;
    PACPI_METHOD_ARGUMENT arg = input.Argument;

    RtlZeroMemory(&input, sizeof(input));
    input.Signature = ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE;
    input.MethodNameAsUlong = MethodName;
    input.ArgumentCount = 1;
    input.Size = ACPI_METHOD_ARGUMENT_LENGTH(sizeof(ULONG));
    ACPI_METHOD_SET_ARGUMENT_INTEGER(arg, Argument);
    return AbiDrvSendEval(Ext, &input, sizeof(input), &output, sizeof(output));
}

static ULONG AbiDrvUnknownTo(ULONG Value, ULONG Unknown)
{
    return Value == ABIDRV_ACPI_UNKNOWN ? Unknown : Value;
}

/* _BST is a package of four integers: state, present rate (mW),
 * remaining capacity (mWh), present voltage (mV). */
NTSTATUS AbiDrvReadBst(PABIDRV_EXTENSION Ext, PBATTERY_STATUS Status)
{
    union {
        ACPI_EVAL_OUTPUT_BUFFER Output;
        UCHAR Raw[512];
    } bst;
    ULONG field[4];
    PACPI_METHOD_ARGUMENT arg;
    NTSTATUS status;

    status = AbiDrvEvalMethod(Ext, 'TSB_', &bst.Output, sizeof(bst));
    if (!NT_SUCCESS(status))
        return status;
    if (bst.Output.Count != ARRAYSIZE(field))
        return STATUS_ACPI_INVALID_DATA;
    arg = bst.Output.Argument;
    for (ULONG i = 0; i < ARRAYSIZE(field); i++) {
        if (arg->Type != ACPI_METHOD_ARGUMENT_INTEGER)
            return STATUS_ACPI_INVALID_DATA;
        field[i] = arg->Argument;
        arg = ACPI_METHOD_NEXT_ARGUMENT(arg);
    }

    Status->PowerState = 0;
    if (field[0] & ABIDRV_BST_DISCHARGING)
        Status->PowerState |= BATTERY_DISCHARGING;
    else
        Status->PowerState |= BATTERY_POWER_ON_LINE;
    if (field[0] & ABIDRV_BST_CHARGING)
        Status->PowerState |= BATTERY_CHARGING;
    if (field[0] & ABIDRV_BST_CRITICAL)
        Status->PowerState |= BATTERY_CRITICAL;
    Status->Capacity = AbiDrvUnknownTo(field[2], BATTERY_UNKNOWN_CAPACITY);
    Status->Voltage = AbiDrvUnknownTo(field[3], BATTERY_UNKNOWN_VOLTAGE);
    if (field[1] == ABIDRV_ACPI_UNKNOWN)
        Status->Rate = (LONG)BATTERY_UNKNOWN_RATE;
    else /* docs: positive while charging, negative while discharging */
        Status->Rate = (field[0] & ABIDRV_BST_DISCHARGING) ? -(LONG)field[1] : (LONG)field[1];
    return STATUS_SUCCESS;
}

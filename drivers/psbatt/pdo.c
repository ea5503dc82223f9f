/* psbatt's child PDOs: one per type=Battery supply. Device ID
 * PSBATT\Battery, hardware IDs PSBATT\<supply name> then PSBATT\Battery,
 * instance ID the supply name. A child stays while its supply is in the
 * class; REMOVE of one that left deletes it, of one still there only marks
 * it (docs: a bus driver deletes a PDO once the device is gone). */
#include "psbatt.h"
#include <ntstrsafe.h>

#include <stdio.h>
#include <string.h>

/* A pool copy of Text (Length characters, NULs kept) as UTF-16. */
static NTSTATUS PsBattAnswerString(PIRP Irp, const CHAR *Text, SIZE_T Length)
{
    PWCHAR w = ExAllocatePoolWithTag(PagedPool, (Length + 1) * sizeof(WCHAR), PSBATT_TAG);
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (SIZE_T i = 0; i < Length; i++)
        w[i] = (WCHAR)(UCHAR)Text[i];
    w[Length] = 0;
    Irp->IoStatus.Information = (ULONG_PTR)w;
    return STATUS_SUCCESS;
}

static NTSTATUS PsBattChildQueryId(PPSBATT_CHILD Child, PIRP Irp, BUS_QUERY_ID_TYPE Type)
{
    CHAR text[2 * PSBATT_NAME_MAX + 40];
    SIZE_T n;
    switch (Type) {
    case BusQueryDeviceID:
        return PsBattAnswerString(Irp, "PSBATT\\Battery", 14);
    case BusQueryHardwareIDs: /* MULTI_SZ: the supply's own ID first */
        n = (SIZE_T)snprintf(text, sizeof text, "PSBATT\\%s%cPSBATT\\Battery%c", Child->Name, 0, 0);
        return PsBattAnswerString(Irp, text, n);
    case BusQueryCompatibleIDs:
        n = (SIZE_T)snprintf(text, sizeof text, "PSBATT\\Battery%c", 0);
        return PsBattAnswerString(Irp, text, n);
    case BusQueryInstanceID:
        return PsBattAnswerString(Irp, Child->Name, strlen(Child->Name));
    default:
        return Irp->IoStatus.Status; /* docs: leave what a bus does not answer */
    }
}

static NTSTATUS PsBattChildQueryText(PPSBATT_CHILD Child, PIRP Irp, DEVICE_TEXT_TYPE Type)
{
    CHAR text[PSBATT_NAME_MAX + 32];
    SIZE_T n;
    if (Type == DeviceTextDescription)
        return PsBattAnswerString(Irp, "Linux power_supply battery", 26);
    if (Type == DeviceTextLocationInformation) {
        n = (SIZE_T)snprintf(text, sizeof text, "power_supply/%s", Child->Name);
        return PsBattAnswerString(Irp, text, n < sizeof text ? n : sizeof text - 1);
    }
    return Irp->IoStatus.Status;
}

static NTSTATUS PsBattChildCapabilities(PDEVICE_CAPABILITIES Caps)
{
    if (Caps->Version != 1 || Caps->Size < sizeof(*Caps))
        return STATUS_UNSUCCESSFUL;
    Caps->DeviceState[PowerSystemWorking] = PowerDeviceD0;
    for (int s = PowerSystemSleeping1; s < PowerSystemMaximum; s++)
        Caps->DeviceState[s] = PowerDeviceD3;
    Caps->SystemWake = PowerSystemUnspecified;
    Caps->DeviceWake = PowerDeviceUnspecified;
    Caps->UniqueID = TRUE; /* the supply name is unique in the class */
    Caps->SilentInstall = TRUE;
    Caps->Removable = TRUE; /* a supply may leave the class (USB, HID) */
    Caps->SurpriseRemovalOK = TRUE;
    return STATUS_SUCCESS;
}

static NTSTATUS PsBattChildTargetRelation(PPSBATT_CHILD Child, PIRP Irp)
{
    PDEVICE_RELATIONS rel = ExAllocatePoolWithTag(PagedPool, sizeof(*rel), PSBATT_TAG);
    if (!rel)
        return STATUS_INSUFFICIENT_RESOURCES;
    rel->Count = 1;
    rel->Objects[0] = Child->Self;
    ObReferenceObject(Child->Self);
    Irp->IoStatus.Information = (ULONG_PTR)rel;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS PsBattChildPnp(PPSBATT_CHILD Child, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = Irp->IoStatus.Status;
    KIRQL irql;

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        Child->Started = TRUE;
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_STOP_DEVICE:
        Child->Started = FALSE;
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE: {
        Child->Started = FALSE;
        KeAcquireSpinLock(&Child->Bus->Lock, &irql);
        BOOLEAN gone = Child->Missing;
        if (gone)
            RemoveEntryList(&Child->Link);
        KeReleaseSpinLock(&Child->Bus->Lock, irql);
        Irp->IoStatus.Status = STATUS_SUCCESS;
        IoCompleteRequest(Irp, IO_NO_INCREMENT);
        if (gone)
            IoDeleteDevice(Child->Self);
        return STATUS_SUCCESS;
    }
    case IRP_MN_QUERY_ID:
        status = PsBattChildQueryId(Child, Irp, stack->Parameters.QueryId.IdType);
        break;
    case IRP_MN_QUERY_DEVICE_TEXT:
        status = PsBattChildQueryText(Child, Irp, stack->Parameters.QueryDeviceText.DeviceTextType);
        break;
    case IRP_MN_QUERY_CAPABILITIES:
        status = PsBattChildCapabilities(stack->Parameters.DeviceCapabilities.Capabilities);
        break;
    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (stack->Parameters.QueryDeviceRelations.Type == TargetDeviceRelation)
            status = PsBattChildTargetRelation(Child, Irp);
        break;
    default:
        break;
    }
    return BridgeComplete(Irp, status);
}

/* <= DISPATCH_LEVEL: every state accepted and recorded. */
NTSTATUS PsBattChildPower(PPSBATT_CHILD Child, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = Irp->IoStatus.Status;
    if (stack->MinorFunction == IRP_MN_SET_POWER || stack->MinorFunction == IRP_MN_QUERY_POWER) {
        if (stack->MinorFunction == IRP_MN_SET_POWER &&
            stack->Parameters.Power.Type == DevicePowerState)
            PoSetPowerState(Child->Self, DevicePowerState, stack->Parameters.Power.State);
        status = STATUS_SUCCESS;
    }
    PoStartNextPowerIrp(Irp);
    return BridgeComplete(Irp, status);
}

/* PASSIVE_LEVEL. docs: PDOs are named; the name is autogenerated. */
NTSTATUS PsBattChildCreate(PPSBATT_BUS Bus, const CHAR *Name, PPSBATT_CHILD *Child)
{
    static LONG next_number;
    WCHAR name_buffer[40];
    UNICODE_STRING name;
    PDEVICE_OBJECT pdo;
    KIRQL irql;
    LONG number = InterlockedIncrement(&next_number);
    RtlStringCbPrintfW(name_buffer, sizeof name_buffer, L"\\Device\\PsBatt%04d", (int)number);
    RtlInitUnicodeString(&name, name_buffer);
    NTSTATUS status =
        IoCreateDevice(Bus->Self->DriverObject, sizeof(PSBATT_CHILD), &name, FILE_DEVICE_BATTERY,
                       FILE_AUTOGENERATED_DEVICE_NAME | FILE_DEVICE_SECURE_OPEN, FALSE, &pdo);
    if (!NT_SUCCESS(status))
        return status;
    PPSBATT_CHILD c = pdo->DeviceExtension;
    RtlZeroMemory(c, sizeof(*c));
    c->Kind = PsBattKindChild;
    c->Self = pdo;
    c->Bus = Bus;
    c->Tag = BATTERY_TAG_INVALID;
    RtlStringCbCopyA(c->Name, sizeof c->Name, Name);
    pdo->Flags |= DO_BUS_ENUMERATED_DEVICE | DO_POWER_PAGABLE;
    pdo->Flags &= ~DO_DEVICE_INITIALIZING;
    KeAcquireSpinLock(&Bus->Lock, &irql);
    InsertTailList(&Bus->Children, &c->Link);
    KeReleaseSpinLock(&Bus->Lock, irql);
    *Child = c;
    return STATUS_SUCCESS;
}

/* The ACPI bus's child PDOs: one per PNP0C0A battery or ACPI0003 adapter
 * of the machine. They answer the PnP IRPs a bus driver owns (IDs,
 * capabilities, text, target relation, the ACPI interface) and stay while
 * their bus reports them: REMOVE of a still-present child only marks it,
 * the parent's removal deletes it. Method evaluation is eval.c. */
#include <initguid.h>
#include "acpi.h"
#include <ntstrsafe.h>

/* A pool copy of Text as UTF-16 (Multi: a MULTI_SZ of NUL-separated
 * parts ending in two NULs), for the PnP manager to free. */
static NTSTATUS AcpiAnswerString(PIRP Irp, const char *Text, SIZE_T Length)
{
    PWCHAR w = ExAllocatePoolWithTag(PagedPool, (Length + 1) * sizeof(WCHAR), ACPI_TAG);
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    for (SIZE_T i = 0; i < Length; i++)
        w[i] = (WCHAR)(UCHAR)Text[i];
    w[Length] = 0;
    Irp->IoStatus.Information = (ULONG_PTR)w;
    return STATUS_SUCCESS;
}

static SIZE_T AcpiAppend(char *Buffer, SIZE_T Used, SIZE_T Size, const char *Part)
{
    while (*Part && Used + 1 < Size)
        Buffer[Used++] = *Part++;
    Buffer[Used++] = 0; /* each part ends in NUL */
    return Used;
}

static NTSTATUS AcpiPdoQueryId(PACPI_PDO_EXTENSION Pdo, PIRP Irp, BUS_QUERY_ID_TYPE Type)
{
    char buffer[64];
    SIZE_T used = 0;
    switch (Type) {
    case BusQueryDeviceID: /* docs: enumerator\device, e.g. ACPI\PNP0C0A */
        used = AcpiAppend(buffer, 0, sizeof buffer - 1, "ACPI\\");
        used = AcpiAppend(buffer, used - 1, sizeof buffer - 1, Pdo->Device.HardwareId);
        return AcpiAnswerString(Irp, buffer, used - 1);
    case BusQueryHardwareIDs: /* "ACPI\PNP0C0A" and the EISA form "*PNP0C0A" */
        used = AcpiAppend(buffer, 0, sizeof buffer - 2, "ACPI\\");
        used = AcpiAppend(buffer, used - 1, sizeof buffer - 2, Pdo->Device.HardwareId);
        used = AcpiAppend(buffer, used, sizeof buffer - 2, "*");
        used = AcpiAppend(buffer, used - 1, sizeof buffer - 2, Pdo->Device.HardwareId);
        buffer[used] = 0; /* MULTI_SZ end */
        return AcpiAnswerString(Irp, buffer, used);
    case BusQueryInstanceID: { /* the _UID, unique among siblings of one ID */
        char digits[12];
        int n = 0;
        ULONG v = Pdo->Device.Uid;
        do {
            digits[n++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        for (int i = 0; i < n; i++)
            buffer[i] = digits[n - 1 - i];
        return AcpiAnswerString(Irp, buffer, (SIZE_T)n);
    }
    default:
        /* docs: a bus driver leaves the status of what it does not answer. */
        return Irp->IoStatus.Status;
    }
}

static NTSTATUS AcpiPdoQueryText(PACPI_PDO_EXTENSION Pdo, PIRP Irp, DEVICE_TEXT_TYPE Type)
{
    char buffer[48];
    SIZE_T used;
    if (Type == DeviceTextDescription) {
        const char *text =
            Pdo->Device.Kind == BattkitDeviceBattery ? "Control Method Battery" : "AC Adapter";
        used = AcpiAppend(buffer, 0, sizeof buffer, text);
        return AcpiAnswerString(Irp, buffer, used - 1);
    }
    if (Type == DeviceTextLocationInformation) { /* the namespace path */
        used = AcpiAppend(buffer, 0, sizeof buffer, "\\_SB.");
        used = AcpiAppend(buffer, used - 1, sizeof buffer, Pdo->Device.Name);
        return AcpiAnswerString(Irp, buffer, used - 1);
    }
    return Irp->IoStatus.Status;
}

static NTSTATUS AcpiPdoQueryCapabilities(PACPI_PDO_EXTENSION Pdo, PDEVICE_CAPABILITIES Caps)
{
    if (Caps->Version != 1 || Caps->Size < sizeof(*Caps))
        return STATUS_UNSUCCESSFUL;
    Caps->DeviceState[PowerSystemWorking] = PowerDeviceD0;
    for (int s = PowerSystemSleeping1; s < PowerSystemMaximum; s++)
        Caps->DeviceState[s] = PowerDeviceD3;
    Caps->SystemWake = PowerSystemUnspecified;
    Caps->DeviceWake = PowerDeviceUnspecified;
    Caps->UniqueID = TRUE; /* the firmware gives a _UID */
    Caps->SilentInstall = TRUE;
    /* The slot's device stays; a battery comes and goes through _STA. */
    Caps->Removable = FALSE;
    Caps->SurpriseRemovalOK = FALSE;
    Caps->Address = Pdo->Device.Uid;
    Caps->UINumber = Pdo->Device.Uid;
    return STATUS_SUCCESS;
}

static NTSTATUS AcpiPdoTargetRelation(PACPI_PDO_EXTENSION Pdo, PIRP Irp)
{
    PDEVICE_RELATIONS rel = ExAllocatePoolWithTag(PagedPool, sizeof(*rel), ACPI_TAG);
    if (!rel)
        return STATUS_INSUFFICIENT_RESOURCES;
    rel->Count = 1;
    rel->Objects[0] = Pdo->Self;
    ObReferenceObject(Pdo->Self); /* the PnP manager drops it */
    Irp->IoStatus.Information = (ULONG_PTR)rel;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS AcpiPdoPnp(PACPI_PDO_EXTENSION Pdo, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = Irp->IoStatus.Status;

    switch (stack->MinorFunction) {
    case IRP_MN_START_DEVICE:
        Pdo->Started = TRUE;
        Pdo->Removed = FALSE;
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_STOP_DEVICE:
        Pdo->Started = FALSE;
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_STOP_DEVICE:
    case IRP_MN_CANCEL_STOP_DEVICE:
    case IRP_MN_QUERY_REMOVE_DEVICE:
    case IRP_MN_CANCEL_REMOVE_DEVICE:
    case IRP_MN_SURPRISE_REMOVAL:
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_REMOVE_DEVICE:
        /* docs: a bus driver deletes its PDO only once the device is gone
         * from the bus; this one stays while the machine has it, so only
         * mark it and drop a notification handler left behind. */
        Pdo->Started = FALSE;
        Pdo->Removed = TRUE;
        AcpiPdoStopNotifications(Pdo);
        status = STATUS_SUCCESS;
        break;
    case IRP_MN_QUERY_ID:
        status = AcpiPdoQueryId(Pdo, Irp, stack->Parameters.QueryId.IdType);
        break;
    case IRP_MN_QUERY_DEVICE_TEXT:
        status = AcpiPdoQueryText(Pdo, Irp, stack->Parameters.QueryDeviceText.DeviceTextType);
        break;
    case IRP_MN_QUERY_CAPABILITIES:
        status = AcpiPdoQueryCapabilities(Pdo, stack->Parameters.DeviceCapabilities.Capabilities);
        break;
    case IRP_MN_QUERY_DEVICE_RELATIONS:
        if (stack->Parameters.QueryDeviceRelations.Type == TargetDeviceRelation)
            status = AcpiPdoTargetRelation(Pdo, Irp);
        break;
    case IRP_MN_QUERY_INTERFACE:
        if (IsEqualGUID(stack->Parameters.QueryInterface.InterfaceType,
                        &GUID_ACPI_INTERFACE_STANDARD))
            status = AcpiPdoQueryAcpiInterface(Pdo, stack);
        break;
    default:
        break;
    }
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* <= DISPATCH_LEVEL. The emulated devices have no power to manage: every
 * state is accepted and recorded. */
NTSTATUS AcpiPdoPower(PACPI_PDO_EXTENSION Pdo, PIRP Irp)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    NTSTATUS status = Irp->IoStatus.Status;
    if (stack->MinorFunction == IRP_MN_SET_POWER || stack->MinorFunction == IRP_MN_QUERY_POWER) {
        if (stack->MinorFunction == IRP_MN_SET_POWER &&
            stack->Parameters.Power.Type == DevicePowerState)
            PoSetPowerState(Pdo->Self, DevicePowerState, stack->Parameters.Power.State);
        status = STATUS_SUCCESS;
    }
    PoStartNextPowerIrp(Irp);
    Irp->IoStatus.Status = status;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status;
}

/* PASSIVE_LEVEL. docs: PDOs are named; the name is autogenerated. */
NTSTATUS AcpiPdoCreate(PACPI_FDO_EXTENSION Fdo, ULONG Index, PBATTKIT_PLATFORM_DEVICE Device,
                       PDEVICE_OBJECT *Pdo)
{
    static LONG next_number;
    WCHAR name_buffer[40];
    UNICODE_STRING name;
    PDEVICE_OBJECT pdo;
    LONG number = InterlockedIncrement(&next_number);
    RtlStringCbPrintfW(name_buffer, sizeof name_buffer, L"\\Device\\BattkitAcpi%04d", (int)number);
    RtlInitUnicodeString(&name, name_buffer);
    NTSTATUS status = IoCreateDevice(
        Fdo->Self->DriverObject, sizeof(ACPI_PDO_EXTENSION), &name,
        Device->Kind == BattkitDeviceBattery ? FILE_DEVICE_BATTERY : FILE_DEVICE_UNKNOWN,
        FILE_AUTOGENERATED_DEVICE_NAME | FILE_DEVICE_SECURE_OPEN, FALSE, &pdo);
    if (!NT_SUCCESS(status))
        return status;
    PACPI_PDO_EXTENSION ext = pdo->DeviceExtension;
    RtlZeroMemory(ext, sizeof(*ext));
    ext->Kind = AcpiExtensionPdo;
    ext->Self = pdo;
    ext->Parent = Fdo;
    ext->Index = Index;
    ext->Device = *Device;
    ext->Device.Name[sizeof ext->Device.Name - 1] = 0;
    ext->Device.HardwareId[sizeof ext->Device.HardwareId - 1] = 0;
    KeInitializeSpinLock(&ext->NotifyLock);
    KeInitializeEvent(&ext->NotifyIdle, NotificationEvent, TRUE);
    pdo->Flags |= DO_BUS_ENUMERATED_DEVICE | DO_POWER_PAGABLE;
    pdo->Flags &= ~DO_DEVICE_INITIALIZING;
    KIRQL irql;
    KeAcquireSpinLock(&Fdo->ChildLock, &irql);
    InsertTailList(&Fdo->Children, &ext->Link);
    KeReleaseSpinLock(&Fdo->ChildLock, irql);
    *Pdo = pdo;
    return STATUS_SUCCESS;
}

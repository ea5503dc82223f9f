/* Attaching simbatt to a battery of the emulated platform
 * (include/battkit/platform.h): the query-interface handshake, turning a
 * BATTKIT_BATTERY_READING into battery data, new tags when the platform's
 * battery comes, goes, changes its static data or stops answering, the
 * trip point for the class driver's window, and platform events. */
#include "simbatt_private.h"

/* PASSIVE_LEVEL. IoGetDeviceObjectPointer + the internal query-interface
 * IOCTL. On success *File holds the platform device until detach. */
static NTSTATUS SimBattQueryPlatform(PFILE_OBJECT *File, PBATTKIT_PLATFORM_INTERFACE Interface)
{
    UNICODE_STRING name;
    PDEVICE_OBJECT device;
    IO_STATUS_BLOCK iosb;
    KEVENT event;
    PIRP irp;
    NTSTATUS status;

    RtlInitUnicodeString(&name, BATTKIT_PLATFORM_DEVICE_NAME);
    status = IoGetDeviceObjectPointer(&name, FILE_READ_DATA, File, &device);
    if (!NT_SUCCESS(status))
        return status;

    RtlZeroMemory(Interface, sizeof(*Interface));
    Interface->Header.Size = sizeof(*Interface);
    Interface->Header.Version = BATTKIT_PLATFORM_INTERFACE_VERSION;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    irp = IoBuildDeviceIoControlRequest(IOCTL_BATTKIT_PLATFORM_QUERY_INTERFACE, device, NULL, 0,
                                        Interface, sizeof(*Interface), TRUE, &event, &iosb);
    if (irp == NULL) {
        status = STATUS_INSUFFICIENT_RESOURCES;
        goto fail;
    }
    status = IoCallDriver(device, irp);
    if (status == STATUS_PENDING) {
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
        status = iosb.Status;
    }
    if (!NT_SUCCESS(status))
        goto fail;
    if (Interface->Header.Version != BATTKIT_PLATFORM_INTERFACE_VERSION ||
        Interface->GetDeviceCount == NULL || Interface->GetDevice == NULL ||
        Interface->ReadBattery == NULL || Interface->ReadAcAdapter == NULL ||
        Interface->SetTripPoint == NULL || Interface->RegisterEvents == NULL) {
        status = STATUS_REVISION_MISMATCH;
        goto fail_dereference;
    }
    return STATUS_SUCCESS;

fail_dereference:
    if (Interface->Header.InterfaceDereference != NULL)
        Interface->Header.InterfaceDereference(Interface->Header.Context);
fail:
    ObDereferenceObject(*File);
    *File = NULL;
    return status;
}

static CHAR SimBattUpcase(CHAR C)
{
    return C >= 'a' && C <= 'z' ? (CHAR)(C - 'a' + 'A') : C;
}

/* Machine-file names compare without case, as the platform does. */
static BOOLEAN SimBattNameEquals(const CHAR *A, const CHAR *B, ULONG Max)
{
    for (ULONG i = 0; i < Max; i++) {
        if (SimBattUpcase(A[i]) != SimBattUpcase(B[i]))
            return FALSE;
        if (A[i] == '\0')
            return TRUE;
    }
    return TRUE;
}

/* PASSIVE_LEVEL. On request any battery of the machine may be followed,
 * whatever bus the machine file puts it on; the automatic attach at START
 * takes only one the file puts on simbatt. The first AC adapter gives
 * POWER_ON_LINE. */
static NTSTATUS SimBattFindPlatformDevices(PBATTKIT_PLATFORM_INTERFACE Interface, const CHAR *Name,
                                           BOOLEAN OnlySimbattBus, PULONG BatteryIndex,
                                           PULONG AcIndex)
{
    BATTKIT_PLATFORM_DEVICE device;
    ULONG count = Interface->GetDeviceCount(Interface->Header.Context);

    *BatteryIndex = SIMBATT_NO_INDEX;
    *AcIndex = SIMBATT_NO_INDEX;
    for (ULONG i = 0; i < count; i++) {
        if (!NT_SUCCESS(Interface->GetDevice(Interface->Header.Context, i, &device)))
            continue;
        device.Name[sizeof(device.Name) - 1] = '\0';
        if (device.Kind == BattkitDeviceBattery && *BatteryIndex == SIMBATT_NO_INDEX &&
            (!OnlySimbattBus || device.Bus == BattkitBusSimbatt) &&
            SimBattNameEquals(device.Name, Name, sizeof(device.Name)))
            *BatteryIndex = i;
        else if (device.Kind == BattkitDeviceAcAdapter && *AcIndex == SIMBATT_NO_INDEX)
            *AcIndex = i;
    }
    return *BatteryIndex != SIMBATT_NO_INDEX ? STATUS_SUCCESS : STATUS_NOT_FOUND;
}

static void SimBattWiden(PWCHAR Target, const CHAR *Source, ULONG SourceSize)
{
    ULONG i;

    for (i = 0; i < SourceSize && i + 1 < SIMBATT_MAX_STRING_CHARS && Source[i] != '\0'; i++)
        Target[i] = (WCHAR)(UCHAR)Source[i]; /* Latin-1 */
    Target[i] = L'\0';
}

/* The reading as battery data (what BatteryMini* report, before the
 * extension's bias, charge control and faults). The platform reads in mWh,
 * mW and mV whatever firmware shape it emulates (PowerUnit is for the ACPI
 * bus, which builds mAh packages from the same numbers), so only the rate's
 * sign and the unknown values need translating. */
static void SimBattReadingToData(const BATTKIT_BATTERY_READING *Reading, BOOLEAN AcOnline,
                                 PSIMBATT_BATTERY Data)
{
    ULONG full, warning, rate = Reading->PresentRate, granularity2;
    PBATTERY_INFORMATION info = &Data->Information;
    PBATTERY_STATUS status = &Data->Status;

    RtlZeroMemory(Data, sizeof(*Data));
    info->Capabilities = BATTERY_SYSTEM_BATTERY; /* the platform takes no charge commands */
    info->Technology = Reading->Technology != 0 ? 1 : 0;
    for (ULONG i = 0; i < sizeof(info->Chemistry) && Reading->Type[i] != '\0'; i++)
        info->Chemistry[i] = (UCHAR)Reading->Type[i];
    info->DesignedCapacity = Reading->DesignCapacity;
    full = Reading->FullChargeCapacity;
    if (full == BATTKIT_UNKNOWN || full == 0)
        full = info->DesignedCapacity;
    info->FullChargedCapacity = full;
    /* docs: DefaultAlert1 is the "low" alert, DefaultAlert2 the "warning" one. */
    info->DefaultAlert1 = Reading->LowCapacity != BATTKIT_UNKNOWN ? Reading->LowCapacity : 0;
    warning = Reading->WarningCapacity != BATTKIT_UNKNOWN ? Reading->WarningCapacity : 0;
    info->DefaultAlert2 = warning;
    info->CycleCount = Reading->CycleCount != BATTKIT_UNKNOWN ? Reading->CycleCount : 0;

    if (AcOnline)
        status->PowerState |= BATTERY_POWER_ON_LINE;
    if (Reading->State & BATTKIT_BST_DISCHARGING)
        status->PowerState |= BATTERY_DISCHARGING;
    else if (Reading->State & BATTKIT_BST_CHARGING)
        status->PowerState |= BATTERY_CHARGING;
    if (Reading->State & BATTKIT_BST_CRITICAL)
        status->PowerState |= BATTERY_CRITICAL;
    status->Capacity = Reading->RemainingCapacity;
    status->Voltage = Reading->PresentVoltage; /* mV; BATTKIT_UNKNOWN is BATTERY_UNKNOWN_VOLTAGE */
    if (rate == BATTKIT_UNKNOWN)
        status->Rate = (LONG)BATTERY_UNKNOWN_RATE;
    else if (status->PowerState & BATTERY_DISCHARGING)
        status->Rate = -(LONG)min(rate, (ULONG)MAXLONG);
    else if (status->PowerState & BATTERY_CHARGING)
        status->Rate = (LONG)min(rate, (ULONG)MAXLONG);
    else
        status->Rate = 0;

    /* ACPI: granularity 1 applies below the warning capacity, 2 above. */
    if (Reading->Granularity1 != 0 && Reading->Granularity1 != BATTKIT_UNKNOWN) {
        granularity2 = Reading->Granularity2 != 0 && Reading->Granularity2 != BATTKIT_UNKNOWN
                           ? Reading->Granularity2
                           : Reading->Granularity1;
        if (warning != 0 && warning < full) {
            Data->Granularity[0].Granularity = Reading->Granularity1;
            Data->Granularity[0].Capacity = warning;
            Data->Granularity[1].Granularity = granularity2;
            Data->Granularity[1].Capacity = full;
            Data->GranularityCount = 2;
        } else {
            Data->Granularity[0].Granularity = Reading->Granularity1;
            Data->Granularity[0].Capacity = full;
            Data->GranularityCount = 1;
        }
        if (!NT_SUCCESS(SimBattValidateGranularity(Data->GranularityCount, Data->Granularity)))
            Data->GranularityCount = 0;
    }
    Data->Temperature = Reading->Temperature != BATTKIT_UNKNOWN &&
                                NT_SUCCESS(SimBattValidateTemperature(Reading->Temperature))
                            ? Reading->Temperature
                            : 0;
    Data->EstimatedTime = SIMBATT_TIME_COMPUTED;
    Data->ManufactureDate.Day = Reading->ManufactureDay;
    Data->ManufactureDate.Month = Reading->ManufactureMonth;
    Data->ManufactureDate.Year = Reading->ManufactureYear;
    if (!NT_SUCCESS(SimBattValidateDate(&Data->ManufactureDate)))
        RtlZeroMemory(&Data->ManufactureDate, sizeof(Data->ManufactureDate));
    SimBattWiden(Data->Strings[SIMBATT_STRING_DEVICE_NAME], Reading->Model, sizeof(Reading->Model));
    SimBattWiden(Data->Strings[SIMBATT_STRING_MANUFACTURE_NAME], Reading->Oem,
                 sizeof(Reading->Oem));
    SimBattWiden(Data->Strings[SIMBATT_STRING_SERIAL_NUMBER], Reading->Serial,
                 sizeof(Reading->Serial));
    SimBattComposeUniqueId(Data);
}

/* The parts of battery data that are "normally static" (docs: a change
 * of them changes the tag): information, granularity, date, strings. */
static BOOLEAN SimBattStaticDataDiffers(const SIMBATT_BATTERY *A, const SIMBATT_BATTERY *B)
{
    return !RtlEqualMemory(&A->Information, &B->Information, sizeof(A->Information)) ||
           A->GranularityCount != B->GranularityCount ||
           !RtlEqualMemory(A->Granularity, B->Granularity, sizeof(A->Granularity)) ||
           !RtlEqualMemory(&A->ManufactureDate, &B->ManufactureDate, sizeof(A->ManufactureDate)) ||
           !RtlEqualMemory(A->Strings, B->Strings, sizeof(A->Strings));
}

/* locked. ReadBattery brings the physics up to the host clock. docs: the
 * tag changes on insertion, on a change of static data and after lost
 * communication. */
void SimBattModelRefreshLocked(PSIMBATT_EXTENSION Ext)
{
    PSIMBATT_MODEL model = &Ext->Model;
    BATTKIT_BATTERY_READING reading;
    SIMBATT_BATTERY data;
    BOOLEAN online = FALSE;
    BOOLEAN fresh;
    NTSTATUS status;

    if (!model->Attached)
        return;
    RtlZeroMemory(&reading, sizeof(reading));
    status = model->Interface.ReadBattery(model->Interface.Header.Context, model->BatteryIndex,
                                          &reading);
    model->ReadStatus = status;
    model->PlatformFaults = NT_SUCCESS(status) ? reading.Faults : 0;
    if (!NT_SUCCESS(status)) {
        model->CommunicationLost = TRUE;
        return;
    }
    if (!reading.Present) {
        model->CommunicationLost = FALSE;
        if (Ext->Battery.Present)
            SimBattSetPresent(Ext, FALSE);
        return;
    }
    if (model->AcIndex != SIMBATT_NO_INDEX &&
        !NT_SUCCESS(model->Interface.ReadAcAdapter(model->Interface.Header.Context, model->AcIndex,
                                                   &online)))
        online = FALSE;
    reading.Model[sizeof(reading.Model) - 1] = '\0';
    reading.Serial[sizeof(reading.Serial) - 1] = '\0';
    reading.Oem[sizeof(reading.Oem) - 1] = '\0';
    SimBattReadingToData(&reading, online, &data);
    fresh = !Ext->Battery.Present || model->CommunicationLost ||
            SimBattStaticDataDiffers(&model->Data, &data);
    model->Data = data;
    model->CommunicationLost = FALSE;
    if (fresh)
        SimBattSetPresent(Ext, TRUE);
}

/* locked. One trip point serves the class driver's window: the low edge
 * while discharging, the high edge while charging; capacities on the
 * platform side include the critical bias the reports subtract. */
void SimBattModelArmTripLocked(PSIMBATT_EXTENSION Ext)
{
    PSIMBATT_MODEL model = &Ext->Model;
    const BATTERY_STATUS *raw = &model->Data.Status;
    ULONG bias = Ext->Battery.Information.CriticalBias;
    ULONG full = model->Data.Information.FullChargedCapacity;
    ULONG trip = 0;

    if (!model->Attached)
        return;
    if (Ext->NotifyArmed && Ext->Battery.Present) {
        if ((raw->PowerState & BATTERY_DISCHARGING) && Ext->Notify.LowCapacity != 0 &&
            Ext->Notify.LowCapacity < full - min(bias, full))
            trip = Ext->Notify.LowCapacity + bias;
        else if ((raw->PowerState & BATTERY_CHARGING) &&
                 Ext->Notify.HighCapacity < full - min(bias, full))
            trip = Ext->Notify.HighCapacity + bias + 1; /* "above High" */
    }
    if (trip != model->TripPoint &&
        NT_SUCCESS(model->Interface.SetTripPoint(model->Interface.Header.Context,
                                                 model->BatteryIndex, trip)))
        model->TripPoint = trip;
}

/* PASSIVE_LEVEL, from a host worker (never on the stack of a call into the
 * platform). Status, information and device-check notifications of our
 * battery or the AC adapter all come down to: re-read, and tell the class
 * driver if what it sees changed. */
static VOID SimBattPlatformEvent(PVOID CallbackContext, ULONG DeviceIndex, ULONG NotifyValue)
{
    PSIMBATT_EXTENSION ext = CallbackContext;
    BOOLEAN due = FALSE;

    UNREFERENCED_PARAMETER(NotifyValue);
    SimBattLock(ext);
    if (ext->Model.Attached &&
        (DeviceIndex == ext->Model.BatteryIndex || DeviceIndex == ext->Model.AcIndex)) {
        SimBattModelRefreshLocked(ext);
        due = SimBattEvaluateLocked(ext);
        SimBattModelArmTripLocked(ext);
    }
    SimBattUnlock(ext);
    SimBattNotifyIfDue(ext, due);
}

/* PASSIVE_LEVEL, not locked. */
NTSTATUS SimBattModelAttach(PSIMBATT_EXTENSION Ext, const CHAR *Name, BOOLEAN OnlySimbattBus)
{
    BATTKIT_PLATFORM_INTERFACE iface;
    PFILE_OBJECT file = NULL;
    ULONG battery, ac, length = 0;
    BOOLEAN due;
    NTSTATUS status;

    KeWaitForSingleObject(&Ext->ModelMutex, Executive, KernelMode, FALSE, NULL);
    if (Ext->Model.Attached) {
        status = STATUS_INVALID_DEVICE_STATE; /* detach first */
        goto out;
    }
    status = SimBattQueryPlatform(&file, &iface);
    if (!NT_SUCCESS(status))
        goto out;
    status = SimBattFindPlatformDevices(&iface, Name, OnlySimbattBus, &battery, &ac);
    if (!NT_SUCCESS(status))
        goto fail_release;
    /* Events before Attached is set find nothing to do. */
    status = iface.RegisterEvents(iface.Header.Context, SimBattPlatformEvent, Ext);
    if (!NT_SUCCESS(status))
        goto fail_release;

    SimBattLock(Ext);
    RtlZeroMemory(&Ext->Model, sizeof(Ext->Model));
    Ext->Model.File = file;
    Ext->Model.Interface = iface;
    Ext->Model.BatteryIndex = battery;
    Ext->Model.AcIndex = ac;
    Ext->Model.Attached = TRUE;
    Ext->ChargeControl = SIMBATT_CHARGE_AUTO;
    RtlZeroMemory(Ext->Battery.ModelName, sizeof(Ext->Battery.ModelName));
    while (length + 1 < sizeof(Ext->Battery.ModelName) && Name[length] != '\0') {
        Ext->Battery.ModelName[length] = Name[length];
        length++;
    }
    /* The model's battery replaces ours: its data differs from the zeroed
     * Model.Data, so the refresh issues a new tag. */
    SimBattModelRefreshLocked(Ext);
    SimBattModelArmTripLocked(Ext);
    due = SimBattChangedLocked(Ext, TRUE);
    SimBattUnlock(Ext);
    SimBattNotifyIfDue(Ext, due);
    goto out;

fail_release:
    if (iface.Header.InterfaceDereference != NULL)
        iface.Header.InterfaceDereference(iface.Header.Context);
    ObDereferenceObject(file);
out:
    KeReleaseMutex(&Ext->ModelMutex, FALSE);
    return status;
}

/* PASSIVE_LEVEL, not locked. Unregistering comes first, outside Lock: the
 * platform may be delivering an event that waits for Lock. */
NTSTATUS SimBattModelDetach(PSIMBATT_EXTENSION Ext, BOOLEAN Forget)
{
    BATTKIT_PLATFORM_INTERFACE iface;
    PFILE_OBJECT file;
    BOOLEAN due = FALSE;
    NTSTATUS status = STATUS_SUCCESS;

    KeWaitForSingleObject(&Ext->ModelMutex, Executive, KernelMode, FALSE, NULL);
    if (!Ext->Model.Attached) {
        status = STATUS_INVALID_DEVICE_STATE;
        goto out;
    }
    iface = Ext->Model.Interface; /* changes only under ModelMutex */
    file = Ext->Model.File;
    iface.RegisterEvents(iface.Header.Context, NULL, NULL);

    SimBattLock(Ext);
    if (Ext->Model.TripPoint != 0)
        iface.SetTripPoint(iface.Header.Context, Ext->Model.BatteryIndex, 0);
    if (Forget) {
        /* The battery keeps the model's last values and answers again. */
        SimBattAdoptData(Ext, &Ext->Model.Data);
        if (!NT_SUCCESS(Ext->Model.ReadStatus) && Ext->Battery.Present)
            SimBattNewTag(Ext);
        RtlZeroMemory(Ext->Battery.ModelName, sizeof(Ext->Battery.ModelName));
    }
    RtlZeroMemory(&Ext->Model, sizeof(Ext->Model));
    if (Forget)
        due = SimBattChangedLocked(Ext, TRUE);
    SimBattUnlock(Ext);

    if (iface.Header.InterfaceDereference != NULL)
        iface.Header.InterfaceDereference(iface.Header.Context);
    ObDereferenceObject(file);
    SimBattNotifyIfDue(Ext, due);
out:
    KeReleaseMutex(&Ext->ModelMutex, FALSE);
    return status;
}

/* Any thread. Hands the QUERY_ID IRP back to SimBattQueryInstanceId. */
static NTSTATUS SimBattQueryIdDone(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    UNREFERENCED_PARAMETER(Irp);
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED;
}

/* PASSIVE_LEVEL. The device's instance ID, asked of the bus driver with
 * IRP_MN_QUERY_ID (the WDM way to learn it), as ASCII text. */
static NTSTATUS SimBattQueryInstanceId(PSIMBATT_EXTENSION Ext, PCHAR Name, ULONG Size)
{
    PIO_STACK_LOCATION stack;
    KEVENT event;
    PWCHAR id;
    PIRP irp;
    ULONG i;
    NTSTATUS status;

    irp = IoAllocateIrp(Ext->LowerDevice->StackSize, FALSE);
    if (irp == NULL)
        return STATUS_INSUFFICIENT_RESOURCES;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    irp->IoStatus.Status = STATUS_NOT_SUPPORTED; /* docs: how every PnP IRP starts */
    irp->IoStatus.Information = 0;
    stack = IoGetNextIrpStackLocation(irp);
    stack->MajorFunction = IRP_MJ_PNP;
    stack->MinorFunction = IRP_MN_QUERY_ID;
    stack->Parameters.QueryId.IdType = BusQueryInstanceID;
    IoSetCompletionRoutine(irp, SimBattQueryIdDone, &event, TRUE, TRUE, TRUE);
    status = IoCallDriver(Ext->LowerDevice, irp);
    if (status == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    status = irp->IoStatus.Status;
    id = (PWCHAR)irp->IoStatus.Information;
    IoFreeIrp(irp);
    if (!NT_SUCCESS(status))
        return status;
    if (id == NULL)
        return STATUS_NOT_FOUND;
    for (i = 0; i + 1 < Size && id[i] != L'\0' && id[i] < 0x80; i++)
        Name[i] = (CHAR)id[i];
    Name[i] = '\0';
    status = id[i] == L'\0' ? STATUS_SUCCESS : STATUS_NOT_FOUND; /* too long, or not ASCII */
    ExFreePool(id);
    return status;
}

/* PASSIVE_LEVEL, at START with no model remembered. The platform adds a
 * "SIMBATT\Battery" device per battery the machine file puts on simbatt,
 * with the battery's name as instance ID: such a device follows it. No
 * platform, or no such battery, is not an error. */
void SimBattModelAutoAttach(PSIMBATT_EXTENSION Ext)
{
    CHAR name[SIMBATT_MAX_MODEL_NAME];
    NTSTATUS status;

    if (!NT_SUCCESS(SimBattQueryInstanceId(Ext, name, sizeof(name))))
        return;
    status = SimBattModelAttach(Ext, name, TRUE);
    if (NT_SUCCESS(status)) {
        KdPrint(("simbatt: following the platform's battery %s\n", name));
    }
}

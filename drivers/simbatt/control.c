/* simbatt's private control IOCTLs (include/battkit/simbatt.h): one table
 * of codes with their buffer sizes and rules, one routine per code. Sizes
 * are checked from the table (STATUS_INVALID_BUFFER_SIZE for the input,
 * STATUS_BUFFER_TOO_SMALL for the output), values by the routine
 * (STATUS_INVALID_PARAMETER); a failed request changes nothing. Write
 * access is enforced by the I/O manager from the codes' access bits. */
#include "simbatt_private.h"

/* Runs without Lock (attach and detach take it themselves). */
#define SIMBATT_CTL_UNLOCKED 0x1
/* Refused with STATUS_INVALID_DEVICE_STATE while a model owns the data. */
#define SIMBATT_CTL_MODEL_OWNED 0x2
/* Changes nothing: no save, no notification. */
#define SIMBATT_CTL_READ_ONLY 0x4

/* locked unless SIMBATT_CTL_UNLOCKED. Buffer is the system buffer,
 * already known to hold InputLength (>= the table's minimum) bytes in and
 * the table's Output bytes out; *Written is what goes back. */
typedef NTSTATUS SIMBATT_CONTROL_ROUTINE(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                         PULONG Written);

static SIMBATT_CONTROL_ROUTINE SimBattCtlSetStatus;
static SIMBATT_CONTROL_ROUTINE SimBattCtlSetInformation;
static SIMBATT_CONTROL_ROUTINE SimBattCtlSetString;
static SIMBATT_CONTROL_ROUTINE SimBattCtlSetManufactureDate;
static SIMBATT_CONTROL_ROUTINE SimBattCtlSetGranularity;
static SIMBATT_CONTROL_ROUTINE SimBattCtlSetTemperature;
static SIMBATT_CONTROL_ROUTINE SimBattCtlSetEstimatedTime;
static SIMBATT_CONTROL_ROUTINE SimBattCtlInsert;
static SIMBATT_CONTROL_ROUTINE SimBattCtlRemove;
static SIMBATT_CONTROL_ROUTINE SimBattCtlSetFaults;
static SIMBATT_CONTROL_ROUTINE SimBattCtlGetState;
static SIMBATT_CONTROL_ROUTINE SimBattCtlAttachModel;
static SIMBATT_CONTROL_ROUTINE SimBattCtlDetachModel;

typedef struct _SIMBATT_CONTROL {
    ULONG IoControlCode;
    ULONG MinInput; /* bytes */
    ULONG MaxInput;
    ULONG Output; /* bytes the output buffer must hold */
    ULONG Flags;  /* SIMBATT_CTL_* */
    SIMBATT_CONTROL_ROUTINE *Routine;
} SIMBATT_CONTROL;

static const SIMBATT_CONTROL SimBattControls[] = {
    {IOCTL_SIMBATT_SET_STATUS, sizeof(BATTERY_STATUS), sizeof(BATTERY_STATUS), 0,
     SIMBATT_CTL_MODEL_OWNED, SimBattCtlSetStatus},
    {IOCTL_SIMBATT_SET_INFORMATION, sizeof(BATTERY_INFORMATION), sizeof(BATTERY_INFORMATION), 0,
     SIMBATT_CTL_MODEL_OWNED, SimBattCtlSetInformation},
    {IOCTL_SIMBATT_SET_STRING, FIELD_OFFSET(SIMBATT_STRING, String) + sizeof(WCHAR),
     sizeof(SIMBATT_STRING), 0, SIMBATT_CTL_MODEL_OWNED, SimBattCtlSetString},
    {IOCTL_SIMBATT_SET_MANUFACTURE_DATE, sizeof(BATTERY_MANUFACTURE_DATE),
     sizeof(BATTERY_MANUFACTURE_DATE), 0, SIMBATT_CTL_MODEL_OWNED, SimBattCtlSetManufactureDate},
    {IOCTL_SIMBATT_SET_GRANULARITY, FIELD_OFFSET(SIMBATT_GRANULARITY, Scale),
     sizeof(SIMBATT_GRANULARITY), 0, SIMBATT_CTL_MODEL_OWNED, SimBattCtlSetGranularity},
    {IOCTL_SIMBATT_SET_TEMPERATURE, sizeof(ULONG), sizeof(ULONG), 0, SIMBATT_CTL_MODEL_OWNED,
     SimBattCtlSetTemperature},
    {IOCTL_SIMBATT_SET_ESTIMATED_TIME, sizeof(ULONG), sizeof(ULONG), 0, 0,
     SimBattCtlSetEstimatedTime},
    {IOCTL_SIMBATT_INSERT_BATTERY, 0, 0, 0, SIMBATT_CTL_MODEL_OWNED, SimBattCtlInsert},
    {IOCTL_SIMBATT_REMOVE_BATTERY, 0, 0, 0, SIMBATT_CTL_MODEL_OWNED, SimBattCtlRemove},
    {IOCTL_SIMBATT_SET_FAULTS, sizeof(SIMBATT_FAULTS), sizeof(SIMBATT_FAULTS), 0, 0,
     SimBattCtlSetFaults},
    {IOCTL_SIMBATT_GET_STATE, 0, 0, sizeof(SIMBATT_STATE), SIMBATT_CTL_READ_ONLY,
     SimBattCtlGetState},
    {IOCTL_SIMBATT_ATTACH_MODEL, sizeof(SIMBATT_MODEL_NAME), sizeof(SIMBATT_MODEL_NAME), 0,
     SIMBATT_CTL_UNLOCKED, SimBattCtlAttachModel},
    {IOCTL_SIMBATT_DETACH_MODEL, 0, 0, 0, SIMBATT_CTL_UNLOCKED, SimBattCtlDetachModel},
};

/* PASSIVE_LEVEL, the remove lock held by the caller. */
BOOLEAN SimBattControl(PSIMBATT_EXTENSION Ext, PIRP Irp, PNTSTATUS Status)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG input = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG output = stack->Parameters.DeviceIoControl.OutputBufferLength;
    ULONG function = (code >> 2) & 0xFFF;
    const SIMBATT_CONTROL *control = NULL;
    ULONG written = 0;
    BOOLEAN due = FALSE;
    NTSTATUS status;

    if (DEVICE_TYPE_FROM_CTL_CODE(code) != FILE_DEVICE_BATTERY ||
        function < SIMBATT_CTL_FIRST_FUNCTION || function > SIMBATT_CTL_LAST_FUNCTION)
        return FALSE; /* a battery IOCTL: battc's */

    for (ULONG i = 0; i < RTL_NUMBER_OF(SimBattControls); i++) {
        if (SimBattControls[i].IoControlCode == code) {
            control = &SimBattControls[i];
            break;
        }
    }
    if (control == NULL) {
        status = STATUS_INVALID_DEVICE_REQUEST; /* in our range, but no such code */
        goto out;
    }
    if (!Ext->Started) {
        status = STATUS_DEVICE_NOT_READY;
        goto out;
    }
    if (input < control->MinInput || input > control->MaxInput) {
        status = STATUS_INVALID_BUFFER_SIZE;
        goto out;
    }
    if (output < control->Output) {
        status = STATUS_BUFFER_TOO_SMALL;
        goto out;
    }
    if ((input != 0 || control->Output != 0) && Irp->AssociatedIrp.SystemBuffer == NULL) {
        status = STATUS_INVALID_PARAMETER;
        goto out;
    }

    if (control->Flags & SIMBATT_CTL_UNLOCKED) {
        status = control->Routine(Ext, Irp->AssociatedIrp.SystemBuffer, input, &written);
        goto out;
    }
    SimBattLock(Ext);
    if ((control->Flags & SIMBATT_CTL_MODEL_OWNED) && Ext->Model.Attached)
        status = STATUS_INVALID_DEVICE_STATE;
    else
        status = control->Routine(Ext, Irp->AssociatedIrp.SystemBuffer, input, &written);
    if (NT_SUCCESS(status) && !(control->Flags & SIMBATT_CTL_READ_ONLY))
        due = SimBattChangedLocked(Ext, TRUE);
    SimBattUnlock(Ext);
    SimBattNotifyIfDue(Ext, due);
out:
    Irp->IoStatus.Information = NT_SUCCESS(status) ? written : 0;
    *Status = status;
    return TRUE;
}

/* Taking AC away ends a BatteryCharge/BatteryDischarge request. */
static NTSTATUS SimBattCtlSetStatus(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                    PULONG Written)
{
    BATTERY_STATUS batteryStatus;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    RtlCopyMemory(&batteryStatus, Buffer, sizeof(batteryStatus));
    status = SimBattValidateStatus(&batteryStatus, Ext->Battery.Information.FullChargedCapacity);
    if (!NT_SUCCESS(status))
        return status;
    Ext->Battery.Status = batteryStatus;
    if (!(batteryStatus.PowerState & BATTERY_POWER_ON_LINE))
        Ext->ChargeControl = SIMBATT_CHARGE_AUTO;
    return STATUS_SUCCESS;
}

/* docs: a change of normally static data changes the tag. */
static void SimBattStaticDataChanged(PSIMBATT_EXTENSION Ext)
{
    if (Ext->Battery.Present)
        SimBattNewTag(Ext);
}

static NTSTATUS SimBattCtlSetInformation(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                         PULONG Written)
{
    BATTERY_INFORMATION information;
    PSIMBATT_BATTERY b = &Ext->Battery;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    RtlCopyMemory(&information, Buffer, sizeof(information));
    status = SimBattValidateInformation(&information);
    if (!NT_SUCCESS(status))
        return status;
    RtlZeroMemory(information.Reserved, sizeof(information.Reserved));
    b->Information = information;
    if (b->Status.Capacity != BATTERY_UNKNOWN_CAPACITY &&
        b->Status.Capacity > information.FullChargedCapacity)
        b->Status.Capacity = information.FullChargedCapacity;
    /* A request whose capability is gone ends. */
    if ((Ext->ChargeControl == SIMBATT_CHARGE_FORCE_CHARGE &&
         !(information.Capabilities & BATTERY_SET_CHARGE_SUPPORTED)) ||
        (Ext->ChargeControl == SIMBATT_CHARGE_FORCE_DISCHARGE &&
         !(information.Capabilities & BATTERY_SET_DISCHARGE_SUPPORTED)))
        Ext->ChargeControl = SIMBATT_CHARGE_AUTO;
    SimBattStaticDataChanged(Ext);
    return STATUS_SUCCESS;
}

/* The string may end anywhere in the buffer, after its NUL. */
static NTSTATUS SimBattCtlSetString(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                    PULONG Written)
{
    const SIMBATT_STRING *request = Buffer;
    ULONG bytes = InputLength - FIELD_OFFSET(SIMBATT_STRING, String);
    ULONG chars = bytes / sizeof(WCHAR);
    ULONG index;
    PWCHAR target;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Written);
    if (bytes % sizeof(WCHAR) != 0)
        return STATUS_INVALID_BUFFER_SIZE;
    index = SimBattStringIndex(request->Level);
    if (index == SIMBATT_NO_INDEX)
        return STATUS_INVALID_PARAMETER;
    status = SimBattValidateString(request->String, chars);
    if (!NT_SUCCESS(status))
        return status;
    target = Ext->Battery.Strings[index];
    RtlZeroMemory(target, SIMBATT_MAX_STRING_CHARS * sizeof(WCHAR));
    for (ULONG i = 0; i < chars && request->String[i] != L'\0'; i++)
        target[i] = request->String[i];
    SimBattStaticDataChanged(Ext);
    return STATUS_SUCCESS;
}

static NTSTATUS SimBattCtlSetManufactureDate(PSIMBATT_EXTENSION Ext, PVOID Buffer,
                                             ULONG InputLength, PULONG Written)
{
    BATTERY_MANUFACTURE_DATE date;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    RtlCopyMemory(&date, Buffer, sizeof(date));
    status = SimBattValidateDate(&date);
    if (!NT_SUCCESS(status))
        return status;
    Ext->Battery.ManufactureDate = date;
    SimBattStaticDataChanged(Ext);
    return STATUS_SUCCESS;
}

/* Count, then that many entries; a full-size structure is fine too. */
static NTSTATUS SimBattCtlSetGranularity(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                         PULONG Written)
{
    SIMBATT_GRANULARITY granularity;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(Written);
    RtlZeroMemory(&granularity, sizeof(granularity));
    RtlCopyMemory(&granularity, Buffer, InputLength);
    if (granularity.Count > SIMBATT_MAX_GRANULARITY)
        return STATUS_INVALID_PARAMETER;
    if (InputLength < FIELD_OFFSET(SIMBATT_GRANULARITY, Scale) +
                          granularity.Count * sizeof(BATTERY_REPORTING_SCALE))
        return STATUS_INVALID_BUFFER_SIZE;
    status = SimBattValidateGranularity(granularity.Count, granularity.Scale);
    if (!NT_SUCCESS(status))
        return status;
    for (ULONG i = granularity.Count; i < SIMBATT_MAX_GRANULARITY; i++)
        RtlZeroMemory(&granularity.Scale[i], sizeof(granularity.Scale[i]));
    Ext->Battery.GranularityCount = granularity.Count;
    RtlCopyMemory(Ext->Battery.Granularity, granularity.Scale, sizeof(granularity.Scale));
    SimBattStaticDataChanged(Ext);
    return STATUS_SUCCESS;
}

/* Dynamic data: no new tag (and docs: no notification exists for it). */
static NTSTATUS SimBattCtlSetTemperature(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                         PULONG Written)
{
    ULONG temperature;
    NTSTATUS status;

    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    RtlCopyMemory(&temperature, Buffer, sizeof(temperature));
    status = SimBattValidateTemperature(temperature);
    if (NT_SUCCESS(status))
        Ext->Battery.Temperature = temperature;
    return status;
}

/* Every value is meaningful: seconds, BATTERY_UNKNOWN_TIME, or
 * SIMBATT_TIME_COMPUTED. */
static NTSTATUS SimBattCtlSetEstimatedTime(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                           PULONG Written)
{
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    RtlCopyMemory(&Ext->Battery.EstimatedTime, Buffer, sizeof(ULONG));
    return STATUS_SUCCESS;
}

static NTSTATUS SimBattCtlInsert(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                 PULONG Written)
{
    UNREFERENCED_PARAMETER(Buffer);
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    if (Ext->Battery.Present)
        return STATUS_INVALID_DEVICE_STATE;
    SimBattSetPresent(Ext, TRUE);
    return STATUS_SUCCESS;
}

static NTSTATUS SimBattCtlRemove(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                 PULONG Written)
{
    UNREFERENCED_PARAMETER(Buffer);
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    if (!Ext->Battery.Present)
        return STATUS_INVALID_DEVICE_STATE;
    SimBattSetPresent(Ext, FALSE);
    return STATUS_SUCCESS;
}

/* Everything is checked before anything changes. The drop is taken
 * before a stuck reading freezes, so "drop and stick" shows the drop. */
static NTSTATUS SimBattCtlSetFaults(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                    PULONG Written)
{
    SIMBATT_FAULTS faults;
    PBATTERY_STATUS stored = &Ext->Battery.Status;
    ULONG old = Ext->Faults;
    ULONGLONG drop;

    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    RtlCopyMemory(&faults, Buffer, sizeof(faults));
    if ((faults.Faults & ~(ULONG)SIMBATT_FAULTS_VALID) || faults.CapacityDropPercent > 100)
        return STATUS_INVALID_PARAMETER;
    if (faults.CapacityDropPercent != 0 &&
        (Ext->Model.Attached || stored->Capacity == BATTERY_UNKNOWN_CAPACITY))
        return STATUS_INVALID_DEVICE_STATE; /* the model owns the capacity; or none is known */

    if (faults.CapacityDropPercent != 0) {
        /* Percent of the full charged capacity: the gauge falls by N points. */
        drop = (ULONGLONG)Ext->Battery.Information.FullChargedCapacity *
               faults.CapacityDropPercent / 100;
        stored->Capacity = stored->Capacity > drop ? stored->Capacity - (ULONG)drop : 0;
    }
    if ((faults.Faults & SIMBATT_FAULT_STUCK) && !(old & SIMBATT_FAULT_STUCK))
        SimBattComposeUnstuckStatus(Ext, &Ext->StuckStatus);
    /* docs: the tag changes after lost communication. */
    if ((old & SIMBATT_FAULT_NO_ANSWER) && !(faults.Faults & SIMBATT_FAULT_NO_ANSWER) &&
        Ext->Battery.Present)
        SimBattNewTag(Ext);
    Ext->Faults = faults.Faults;
    return STATUS_SUCCESS;
}

static NTSTATUS SimBattCtlGetState(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                   PULONG Written)
{
    PSIMBATT_STATE state = Buffer;
    NTSTATUS tagStatus;

    UNREFERENCED_PARAMETER(InputLength);
    RtlZeroMemory(state, sizeof(*state));
    state->Version = SIMBATT_STATE_VERSION;
    state->Size = sizeof(*state);
    SimBattQueryTagLocked(Ext, &tagStatus, &state->ReportedTag); /* refreshes a model first */
    state->Battery = Ext->Battery;
    state->Faults = Ext->Faults;
    state->ChargeControl = Ext->ChargeControl;
    state->ModelAttached = Ext->Model.Attached;
    state->NotifyArmed = Ext->NotifyArmed;
    state->PersistEnabled = Ext->PersistEnabled;
    state->Notify = Ext->Notify;
    SimBattComposeStatus(Ext, &state->ReportedStatus);
    SimBattComposeInformation(Ext, &state->ReportedInformation);
    state->NotifyCount = Ext->NotifyCount;
    *Written = sizeof(*state);
    return STATUS_SUCCESS;
}

/* Nonempty and NUL-terminated within the buffer. */
static NTSTATUS SimBattCtlAttachModel(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                      PULONG Written)
{
    SIMBATT_MODEL_NAME name;
    ULONG length = 0;

    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    RtlCopyMemory(&name, Buffer, sizeof(name));
    while (length < sizeof(name.Name) && name.Name[length] != '\0')
        length++;
    if (length == 0 || length == sizeof(name.Name))
        return STATUS_INVALID_PARAMETER;
    return SimBattModelAttach(Ext, name.Name, FALSE);
}

static NTSTATUS SimBattCtlDetachModel(PSIMBATT_EXTENSION Ext, PVOID Buffer, ULONG InputLength,
                                      PULONG Written)
{
    UNREFERENCED_PARAMETER(Buffer);
    UNREFERENCED_PARAMETER(InputLength);
    UNREFERENCED_PARAMETER(Written);
    return SimBattModelDetach(Ext, TRUE);
}

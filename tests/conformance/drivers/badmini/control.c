/* badmini's pack model and its private IOCTLs: insertion and removal, AC,
 * a status set from outside, the misbehaviour switch. Every change is
 * announced with BatteryClassStatusNotify (docs: online/offline and
 * power-state changes must be), except under BADMINI_MB_SILENT. */
#include "badmini.h"

/* Lock held. On AC the pack charges until full; off AC it drains. */
static void BadMiniDeriveStatus(PBADMINI_EXTENSION Ext)
{
    BATTERY_STATUS *s = &Ext->Status;

    if (Ext->AcOnline) {
        BOOLEAN charging = s->Capacity < BADMINI_FULL_MWH;
        s->PowerState = BATTERY_POWER_ON_LINE | (charging ? BATTERY_CHARGING : 0);
        s->Rate = charging ? BADMINI_CHARGE_MW : 0;
    } else {
        s->PowerState = BATTERY_DISCHARGING;
        s->Rate = -BADMINI_DRAIN_MW;
    }
    s->Voltage = BADMINI_VOLTAGE_MV;
}

/* PASSIVE_LEVEL, from AddDevice: a battery present, off AC, tag 1. */
void BadMiniInitPack(PBADMINI_EXTENSION Ext, ULONG Misbehaviour)
{
    Ext->Misbehaviour = Misbehaviour;
    Ext->Present = TRUE;
    Ext->AcOnline = FALSE;
    Ext->Tag = 1;
    Ext->NextTag = 2;
    Ext->Status.Capacity = BADMINI_START_MWH;
    BadMiniDeriveStatus(Ext);
}

/* Lock held. Each returns the status the IOCTL completes with. */
typedef NTSTATUS BADMINI_CONTROL_FN(PBADMINI_EXTENSION Ext, const void *Input);

static NTSTATUS BadMiniSetMisbehaviour(PBADMINI_EXTENSION Ext, const void *Input)
{
    Ext->Misbehaviour = *(const ULONG *)Input;
    return STATUS_SUCCESS;
}

/* docs: the tag changes on every insertion, even of the same battery, and
 * is never BATTERY_TAG_INVALID (skipped on wrap-around). */
static NTSTATUS BadMiniSetPresent(PBADMINI_EXTENSION Ext, const void *Input)
{
    BOOLEAN present = *(const ULONG *)Input != 0;

    if (present && !Ext->Present && !(Ext->Misbehaviour & BADMINI_MB_SAME_TAG)) {
        Ext->Tag = Ext->NextTag++;
        if (Ext->NextTag == BATTERY_TAG_INVALID)
            Ext->NextTag = 1;
    }
    Ext->Present = present;
    return STATUS_SUCCESS;
}

static NTSTATUS BadMiniSetAc(PBADMINI_EXTENSION Ext, const void *Input)
{
    Ext->AcOnline = *(const ULONG *)Input != 0;
    BadMiniDeriveStatus(Ext);
    return STATUS_SUCCESS;
}

/* Only the four documented PowerState bits are accepted. */
static NTSTATUS BadMiniSetStatus(PBADMINI_EXTENSION Ext, const void *Input)
{
    const BATTERY_STATUS *s = Input;

    if (s->PowerState &
        ~(ULONG)(BATTERY_POWER_ON_LINE | BATTERY_DISCHARGING | BATTERY_CHARGING | BATTERY_CRITICAL))
        return STATUS_INVALID_PARAMETER;
    Ext->Status = *s;
    Ext->AcOnline = (s->PowerState & BATTERY_POWER_ON_LINE) != 0;
    return STATUS_SUCCESS;
}

static NTSTATUS BadMiniNotifyOnly(PBADMINI_EXTENSION Ext, const void *Input)
{
    UNREFERENCED_PARAMETER(Ext);
    UNREFERENCED_PARAMETER(Input);
    return STATUS_SUCCESS;
}

static const struct {
    ULONG Code;
    ULONG InputLength;
    BADMINI_CONTROL_FN *Handler;
    BOOLEAN Notify; /* a change the class driver must hear about */
} BadMiniControls[] = {
    {IOCTL_BADMINI_SET_MISBEHAVIOUR, sizeof(ULONG), BadMiniSetMisbehaviour, FALSE},
    {IOCTL_BADMINI_SET_PRESENT, sizeof(ULONG), BadMiniSetPresent, TRUE},
    {IOCTL_BADMINI_SET_AC, sizeof(ULONG), BadMiniSetAc, TRUE},
    {IOCTL_BADMINI_SET_STATUS, sizeof(BATTERY_STATUS), BadMiniSetStatus, TRUE},
    {IOCTL_BADMINI_NOTIFY, 0, BadMiniNotifyOnly, TRUE},
};

/* PASSIVE_LEVEL. Handles and completes badmini's own IOCTLs. */
BOOLEAN BadMiniControl(PBADMINI_EXTENSION Ext, PIRP Irp, NTSTATUS *Status)
{
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG length = stack->Parameters.DeviceIoControl.InputBufferLength;
    BOOLEAN notify = FALSE;
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    KIRQL irql;
    ULONG i;

    for (i = 0; i < RTL_NUMBER_OF(BadMiniControls); i++) {
        if (BadMiniControls[i].Code == code)
            break;
    }
    if (i == RTL_NUMBER_OF(BadMiniControls))
        return FALSE;
    if (length < BadMiniControls[i].InputLength) {
        status = STATUS_BUFFER_TOO_SMALL;
        goto complete;
    }
    KeAcquireSpinLock(&Ext->Lock, &irql);
    status = BadMiniControls[i].Handler(Ext, Irp->AssociatedIrp.SystemBuffer);
    notify =
        NT_SUCCESS(status) && BadMiniControls[i].Notify && !(Ext->Misbehaviour & BADMINI_MB_SILENT);
    KeReleaseSpinLock(&Ext->Lock, irql);
    /* Outside the lock: battc may call back into the miniclass later,
     * never on this stack (docs), but it may take its own locks now. */
    if (notify && Ext->ClassHandle != NULL)
        BatteryClassStatusNotify(Ext->ClassHandle);

complete:
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    *Status = status;
    return TRUE;
}

static WCHAR BadMiniUpcase(WCHAR c)
{
    return (c >= L'a' && c <= L'z') ? (WCHAR)(c - L'a' + L'A') : c;
}

/* Case-insensitive: does Text[0..Chars) equal the NUL-terminated Name? */
static BOOLEAN BadMiniSameName(const WCHAR *Text, ULONG Chars, const WCHAR *Name)
{
    ULONG i;

    for (i = 0; i < Chars; i++) {
        if (Name[i] == 0 || BadMiniUpcase(Text[i]) != BadMiniUpcase(Name[i]))
            return FALSE;
    }
    return Name[Chars] == 0;
}

static const struct {
    const WCHAR *Name;
    ULONG Bits;
} BadMiniNames[] = {
    {L"Good", 0},
    {L"Garbage", BADMINI_MB_GARBAGE},
    {L"LongLength", BADMINI_MB_LONG_LENGTH},
    {L"ZeroTag", BADMINI_MB_ZERO_TAG},
    {L"Slow", BADMINI_MB_SLOW},
    {L"RateSign", BADMINI_MB_RATE_SIGN},
    {L"Silent", BADMINI_MB_SILENT},
    {L"IgnoreTag", BADMINI_MB_IGNORE_TAG},
    {L"SameTag", BADMINI_MB_SAME_TAG},
    {L"Leak", BADMINI_MB_LEAK},
};

/* "BADMINI\Slow+Silent" -> BADMINI_MB_SLOW | BADMINI_MB_SILENT. Unknown
 * names are ignored (KdPrint says which). */
ULONG BadMiniMisbehaviourFromHardwareId(PCWSTR HardwareId, ULONG Chars)
{
    static const WCHAR prefix[] = L"BADMINI\\";
    const ULONG prefixChars = RTL_NUMBER_OF(prefix) - 1;
    ULONG bits = 0, start, end, i;

    for (end = 0; end < Chars && HardwareId[end] != 0; end++)
        ;
    if (end < prefixChars || !BadMiniSameName(HardwareId, prefixChars, prefix))
        return 0;
    for (start = prefixChars; start < end; start = i + 1) {
        ULONG n;
        for (i = start; i < end && HardwareId[i] != L'+'; i++)
            ;
        for (n = 0; n < RTL_NUMBER_OF(BadMiniNames); n++) {
            if (BadMiniSameName(HardwareId + start, i - start, BadMiniNames[n].Name))
                break;
        }
        if (n < RTL_NUMBER_OF(BadMiniNames))
            bits |= BadMiniNames[n].Bits;
        else
            KdPrint(("badmini: unknown misbehaviour in the hardware ID\n"));
    }
    return bits;
}

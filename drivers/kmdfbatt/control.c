/* kmdfbatt's private IOCTLs, delivered by the default queue: the part of
 * simbatt's control interface (include/battkit/simbatt.h) a battery
 * controller needs, so tools and the conformance suite drive both drivers
 * the same way. One table of codes and input sizes; each change is saved
 * and notified. */
#include "kmdfbatt.h"

typedef NTSTATUS KMDFBATT_CONTROL(PKMDFBATT_CONTEXT Ctx, PVOID In, PVOID Out, size_t OutLength,
                                  PBOOLEAN Notify, size_t *Information);

static KMDFBATT_CONTROL ControlSetStatus, ControlInsert, ControlRemove, ControlGetState;

static const struct {
    ULONG Code;
    size_t InputSize;  /* exact */
    size_t OutputSize; /* at least */
    KMDFBATT_CONTROL *Handler;
} Controls[] = {
    {IOCTL_SIMBATT_SET_STATUS, sizeof(BATTERY_STATUS), 0, ControlSetStatus},
    {IOCTL_SIMBATT_INSERT_BATTERY, 0, 0, ControlInsert},
    {IOCTL_SIMBATT_REMOVE_BATTERY, 0, 0, ControlRemove},
    {IOCTL_SIMBATT_GET_STATE, 0, sizeof(SIMBATT_STATE), ControlGetState},
};

/* Locked. The rules simbatt.h gives for IOCTL_SIMBATT_SET_STATUS. */
static NTSTATUS ControlSetStatus(PKMDFBATT_CONTEXT Ctx, PVOID In, PVOID Out, size_t OutLength,
                                 PBOOLEAN Notify, size_t *Information)
{
    const BATTERY_STATUS *s = In;
    const ULONG known =
        BATTERY_POWER_ON_LINE | BATTERY_DISCHARGING | BATTERY_CHARGING | BATTERY_CRITICAL;

    UNREFERENCED_PARAMETER(Out);
    UNREFERENCED_PARAMETER(OutLength);
    UNREFERENCED_PARAMETER(Information);
    if ((s->PowerState & ~known) != 0 ||
        (s->PowerState & (BATTERY_CHARGING | BATTERY_DISCHARGING)) ==
            (BATTERY_CHARGING | BATTERY_DISCHARGING) ||
        (s->Capacity != BATTERY_UNKNOWN_CAPACITY &&
         s->Capacity > Ctx->State.Information.FullChargedCapacity) ||
        (s->Rate != (LONG)BATTERY_UNKNOWN_RATE && s->Rate > 0 &&
         !(s->PowerState & BATTERY_CHARGING)) ||
        (s->Rate != (LONG)BATTERY_UNKNOWN_RATE && s->Rate < 0 &&
         !(s->PowerState & BATTERY_DISCHARGING)))
        return STATUS_INVALID_PARAMETER;
    *Notify = RtlCompareMemory(&Ctx->State.Status, s, sizeof(*s)) != sizeof(*s);
    Ctx->State.Status = *s;
    return STATUS_SUCCESS;
}

/* Locked. docs: a new tag on every insertion. */
static NTSTATUS ControlInsert(PKMDFBATT_CONTEXT Ctx, PVOID In, PVOID Out, size_t OutLength,
                              PBOOLEAN Notify, size_t *Information)
{
    UNREFERENCED_PARAMETER(In);
    UNREFERENCED_PARAMETER(Out);
    UNREFERENCED_PARAMETER(OutLength);
    UNREFERENCED_PARAMETER(Information);
    if (Ctx->State.Present)
        return STATUS_SUCCESS;
    Ctx->State.Present = TRUE;
    KmdfBattNewTagLocked(Ctx);
    *Notify = TRUE;
    return STATUS_SUCCESS;
}

static NTSTATUS ControlRemove(PKMDFBATT_CONTEXT Ctx, PVOID In, PVOID Out, size_t OutLength,
                              PBOOLEAN Notify, size_t *Information)
{
    UNREFERENCED_PARAMETER(In);
    UNREFERENCED_PARAMETER(Out);
    UNREFERENCED_PARAMETER(OutLength);
    UNREFERENCED_PARAMETER(Information);
    if (!Ctx->State.Present)
        return STATUS_SUCCESS;
    Ctx->State.Present = FALSE;
    Ctx->Tag = BATTERY_TAG_INVALID;
    *Notify = TRUE;
    return STATUS_SUCCESS;
}

/* Locked. simbatt's SIMBATT_STATE, with what kmdfbatt has of it. */
static NTSTATUS ControlGetState(PKMDFBATT_CONTEXT Ctx, PVOID In, PVOID Out, size_t OutLength,
                                PBOOLEAN Notify, size_t *Information)
{
    PSIMBATT_STATE st = Out;

    UNREFERENCED_PARAMETER(In);
    UNREFERENCED_PARAMETER(OutLength);
    UNREFERENCED_PARAMETER(Notify);
    RtlZeroMemory(st, sizeof(*st));
    st->Version = SIMBATT_STATE_VERSION;
    st->Size = sizeof(*st);
    st->Battery.Present = Ctx->State.Present;
    st->Battery.Tag = Ctx->Tag;
    st->Battery.LastTag = Ctx->State.LastTag;
    st->Battery.Status = Ctx->State.Status;
    st->Battery.Information = Ctx->State.Information;
    st->Battery.Temperature = Ctx->State.Temperature;
    st->ModelAttached = FALSE;
    st->NotifyArmed = Ctx->NotifyArmed;
    st->PersistEnabled = TRUE;
    st->Notify = Ctx->Notify;
    st->ReportedTag = Ctx->State.Present ? Ctx->Tag : BATTERY_TAG_INVALID;
    st->ReportedStatus = Ctx->State.Status;
    st->ReportedInformation = Ctx->State.Information;
    st->NotifyCount = Ctx->NotifyCount;
    *Information = sizeof(*st);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL (the queue's delivery). */
void KmdfBattIoDeviceControl(WDFQUEUE Queue, WDFREQUEST Request, size_t OutputBufferLength,
                             size_t InputBufferLength, ULONG IoControlCode)
{
    PKMDFBATT_CONTEXT ctx = KmdfBattGetContext(WdfIoQueueGetDevice(Queue));
    PVOID in = NULL, out = NULL;
    BOOLEAN notify = FALSE;
    size_t information = 0;
    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;
    ULONG i;

    for (i = 0; i < RTL_NUMBER_OF(Controls); i++)
        if (Controls[i].Code == IoControlCode)
            break;
    if (i == RTL_NUMBER_OF(Controls))
        goto out; /* not one of ours */
    status = STATUS_INVALID_PARAMETER;
    if (InputBufferLength != Controls[i].InputSize)
        goto out;
    if (Controls[i].InputSize != 0 && !NT_SUCCESS(status = WdfRequestRetrieveInputBuffer(
                                                      Request, Controls[i].InputSize, &in, NULL)))
        goto out;
    if (Controls[i].OutputSize != 0 &&
        !NT_SUCCESS(
            status = WdfRequestRetrieveOutputBuffer(Request, Controls[i].OutputSize, &out, NULL)))
        goto out;
    KmdfBattLock(ctx);
    status = Controls[i].Handler(ctx, in, out, OutputBufferLength, &notify, &information);
    if (NT_SUCCESS(status) && notify)
        KmdfBattSaveState(ctx);
    KmdfBattUnlock(ctx);
    if (notify)
        KmdfBattNotify(ctx);
out:
    WdfRequestCompleteWithInformation(Request, status, information);
}

/* cmbatt's BatteryMini* callbacks (all PASSIVE_LEVEL; battc serializes
 * them per battery) and what keeps them honest: the tag, which changes on
 * every insertion (_STA bit 4 edge) and when the static data changes, and
 * the Notify handler that tells battc. Every answer comes from a fresh
 * evaluation except _BIX/_BIF, cached until Notify(0x81) or a new tag. */
#include "cmbatt.h"

/* ---- tag and presence (Lock held) ---- */

static VOID CmBattNewTag(PCMBATT_EXTENSION Ext)
{
    /* docs: the tag changes on every insertion, and is never
     * BATTERY_TAG_INVALID while a battery is present. */
    Ext->Tag = Ext->NextTag++;
    if (Ext->Tag == BATTERY_TAG_INVALID)
        Ext->Tag = Ext->NextTag++;
    Ext->NotifyArmed = FALSE; /* criteria were for the old battery */
    Ext->TripMwh = 0;
}

static BOOLEAN CmBattSameStatic(const CMBATT_STATIC_INFO *A, const CMBATT_STATIC_INFO *B)
{
    return RtlCompareMemory(A, B, sizeof(*A)) == sizeof(*A);
}

NTSTATUS CmBattCheckBattery(PCMBATT_EXTENSION Ext, BOOLEAN Information)
{
    ULONG sta;
    CMBATT_STATIC_INFO info;
    NTSTATUS status = CmBattEvaluateInteger(Ext, "_STA", &sta);
    if (!NT_SUCCESS(status))
        return status; /* presence unknown: nothing changes */
    if (!(sta & CMBATT_STA_BATTERY_PRESENT)) {
        Ext->Present = FALSE;
        Ext->Tag = BATTERY_TAG_INVALID;
        Ext->InfoValid = FALSE;
        return STATUS_SUCCESS;
    }
    if (!Ext->Present) {
        Ext->Present = TRUE;
        Ext->InfoValid = FALSE;
        CmBattNewTag(Ext);
    }
    if (Information || !Ext->InfoValid) {
        status = CmBattReadStaticInfo(Ext, &info);
        if (!NT_SUCCESS(status)) {
            Ext->InfoValid = FALSE;
            return STATUS_SUCCESS; /* present; the data is read again on demand */
        }
        /* docs: a change of the static data is a new battery to battc. */
        if (Ext->HaveStatic && Ext->InfoValid && !CmBattSameStatic(&info, &Ext->Static))
            CmBattNewTag(Ext);
        Ext->Static = info;
        Ext->HaveStatic = TRUE;
        Ext->InfoValid = TRUE;
    }
    return STATUS_SUCCESS;
}

/* Lock held. STATUS_NO_SUCH_DEVICE unless BatteryTag names the battery in
 * the slot now and its static data is at hand. */
static NTSTATUS CmBattCheckTag(PCMBATT_EXTENSION Ext, ULONG BatteryTag)
{
    if (!Ext->Present || Ext->Tag == BATTERY_TAG_INVALID || BatteryTag != Ext->Tag)
        return STATUS_NO_SUCH_DEVICE;
    if (!Ext->InfoValid) {
        CMBATT_STATIC_INFO info;
        if (!NT_SUCCESS(CmBattReadStaticInfo(Ext, &info)))
            return STATUS_NO_SUCH_DEVICE; /* docs: presence cannot be determined */
        Ext->Static = info;
        Ext->HaveStatic = TRUE;
        Ext->InfoValid = TRUE;
    }
    return STATUS_SUCCESS;
}

/* ---- status ---- */

/* docs (4.6): BATTERY_CRITICAL with discharging means imminent failure and
 * runs the critical-battery action, so it is reported only when it is not
 * transient and no remedy is left: the firmware says critical, the system
 * is not on AC, and the remaining capacity agrees (at or below the
 * firmware's low level, or unknown). A critical bit with plenty of charge
 * left, or while charging, is not passed on. */
static BOOLEAN CmBattReallyCritical(PCMBATT_EXTENSION Ext, const CMBATT_BST *Bst, BOOLEAN OnLine,
                                    ULONG RemainingMwh)
{
    if (!(Bst->State & CMBATT_BST_CRITICAL) || OnLine || (Bst->State & CMBATT_BST_CHARGING))
        return FALSE;
    ULONG low = Ext->Static.Information.DefaultAlert1;
    return RemainingMwh == CMBATT_UNKNOWN || low == CMBATT_UNKNOWN || RemainingMwh <= low;
}

/* Lock held: _BST mapped to BATTERY_STATUS (reference 8.5). */
static NTSTATUS CmBattGetStatus(PCMBATT_EXTENSION Ext, PBATTERY_STATUS Status)
{
    CMBATT_BST bst;
    NTSTATUS status = CmBattReadBst(Ext, &bst);
    if (!NT_SUCCESS(status))
        return STATUS_NO_SUCH_DEVICE; /* pinned: a firmware that does not answer */
    ULONG unit = Ext->Static.PowerUnit, volts = Ext->Static.DesignVoltage;
    ULONG flow = bst.State & (CMBATT_BST_CHARGING | CMBATT_BST_DISCHARGING);
    if (flow != Ext->LastFlow) {
        /* The battery turned, so the adapter may have too: its Notify can
         * still be on its way (this read would pair the new _BST with the
         * old _PSR: charging, not on line), and some firmware never sends
         * it. Only a turn pays for _PSR; a steady battery reads none. */
        CmBattAcRefresh();
        Ext->LastFlow = flow;
    }
    LONG ac = CmBattAcOnline();
    /* No adapter to ask: on line unless the battery carries the system. */
    BOOLEAN online = ac >= 0 ? ac != 0 : !(bst.State & CMBATT_BST_DISCHARGING);
    ULONG remaining = CmBattToMilliwatts(unit, volts, bst.Remaining);
    ULONG rate = CmBattToMilliwatts(unit, volts, bst.Rate);

    Status->PowerState = online ? BATTERY_POWER_ON_LINE : 0;
    if (bst.State & CMBATT_BST_DISCHARGING)
        Status->PowerState |= BATTERY_DISCHARGING;
    if (bst.State & CMBATT_BST_CHARGING)
        Status->PowerState |= BATTERY_CHARGING;
    if (CmBattReallyCritical(Ext, &bst, online, remaining))
        Status->PowerState |= BATTERY_CRITICAL;
    Status->Capacity = remaining == CMBATT_UNKNOWN ? BATTERY_UNKNOWN_CAPACITY : remaining;
    Status->Voltage = bst.Voltage == CMBATT_UNKNOWN ? BATTERY_UNKNOWN_VOLTAGE : bst.Voltage;
    if (rate == CMBATT_UNKNOWN)
        Status->Rate = (LONG)BATTERY_UNKNOWN_RATE;
    else if (rate > 0x7FFFFFFF)
        rate = 0x7FFFFFFF;
    if (rate != CMBATT_UNKNOWN) {
        /* _BST gives a magnitude; battc's Rate is signed: - discharging. */
        if (bst.State & CMBATT_BST_DISCHARGING)
            Status->Rate = -(LONG)rate;
        else if (bst.State & CMBATT_BST_CHARGING)
            Status->Rate = (LONG)rate;
        else
            Status->Rate = 0;
    }
    return STATUS_SUCCESS;
}

/* ---- BatteryMini* ---- */

/* PASSIVE_LEVEL. */
NTSTATUS CmBattQueryTag(PVOID Context, PULONG BatteryTag)
{
    PCMBATT_EXTENSION ext = Context;
    PAGED_CODE();
    CmBattLock(ext);
    NTSTATUS status = CmBattCheckBattery(ext, FALSE);
    if (NT_SUCCESS(status) && ext->Present && ext->Tag != BATTERY_TAG_INVALID) {
        *BatteryTag = ext->Tag;
    } else {
        /* docs: no battery, or presence cannot be determined. */
        *BatteryTag = BATTERY_TAG_INVALID;
        status = STATUS_NO_SUCH_DEVICE;
    }
    CmBattUnlock(ext);
    return status;
}

/* Copies an ASCII string as the NUL-terminated UTF-16 battc wants. */
static NTSTATUS CmBattPutString(const CHAR *Text, PVOID Buffer, ULONG BufferLength,
                                PULONG ReturnedLength)
{
    ULONG n = 0;
    while (Text[n])
        n++;
    if (n == 0)
        return STATUS_INVALID_DEVICE_REQUEST; /* the firmware has none */
    *ReturnedLength = (n + 1) * sizeof(WCHAR);
    if (BufferLength < *ReturnedLength)
        return STATUS_BUFFER_TOO_SMALL;
    PWCHAR w = Buffer;
    for (ULONG i = 0; i < n; i++)
        w[i] = (WCHAR)(UCHAR)Text[i];
    w[n] = 0;
    return STATUS_SUCCESS;
}

static NTSTATUS CmBattPutData(const VOID *Data, ULONG Length, PVOID Buffer, ULONG BufferLength,
                              PULONG ReturnedLength)
{
    *ReturnedLength = Length;
    if (BufferLength < Length)
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(Buffer, Data, Length);
    return STATUS_SUCCESS;
}

/* Lock held. docs (4.4): AtRate < 0 is the drain to use; 0 means the
 * present rate, which gives a time only while discharging; otherwise
 * BATTERY_UNKNOWN_TIME (pitfall 13, SimBatt's reading). */
static ULONG CmBattEstimatedTime(PCMBATT_EXTENSION Ext, LONG AtRate)
{
    BATTERY_STATUS st;
    if (AtRate > 0 || !NT_SUCCESS(CmBattGetStatus(Ext, &st)) ||
        st.Capacity == BATTERY_UNKNOWN_CAPACITY)
        return BATTERY_UNKNOWN_TIME;
    LONG rate = AtRate;
    if (rate == 0) {
        if (!(st.PowerState & BATTERY_DISCHARGING) || st.Rate == (LONG)BATTERY_UNKNOWN_RATE)
            return BATTERY_UNKNOWN_TIME;
        rate = st.Rate;
    }
    if (rate >= 0)
        return BATTERY_UNKNOWN_TIME;
    ULONGLONG seconds = (ULONGLONG)st.Capacity * 3600 / (ULONGLONG)(-(LONGLONG)rate);
    return seconds >= BATTERY_UNKNOWN_TIME ? BATTERY_UNKNOWN_TIME - 1 : (ULONG)seconds;
}

/* PASSIVE_LEVEL. What each level returns: drivers/cmbatt/README.md. */
NTSTATUS CmBattQueryInformation(PVOID Context, ULONG BatteryTag,
                                BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate, PVOID Buffer,
                                ULONG BufferLength, PULONG ReturnedLength)
{
    PCMBATT_EXTENSION ext = Context;
    PCMBATT_STATIC_INFO s = &ext->Static;
    CHAR unique[3 * CMBATT_STRING_MAX];
    NTSTATUS status;

    PAGED_CODE();
    *ReturnedLength = 0;
    if ((ULONG)Level > BatterySerialNumber)
        return STATUS_INVALID_PARAMETER; /* docs: not a defined level */
    CmBattLock(ext);
    status = CmBattCheckTag(ext, BatteryTag);
    if (!NT_SUCCESS(status))
        goto out;
    switch (Level) {
    case BatteryInformation:
        status = CmBattPutData(&s->Information, sizeof s->Information, Buffer, BufferLength,
                               ReturnedLength);
        break;
    case BatteryGranularityInformation: {
        /* ACPI: granularity 1 applies between low and warning, 2 between
         * warning and full. */
        BATTERY_REPORTING_SCALE scale[2];
        scale[0].Granularity = s->Granularity1;
        scale[0].Capacity = s->WarningCapacity;
        scale[1].Granularity = s->Granularity2;
        scale[1].Capacity = s->Information.FullChargedCapacity;
        status = CmBattPutData(scale, sizeof scale, Buffer, BufferLength, ReturnedLength);
        break;
    }
    case BatteryEstimatedTime: {
        ULONG seconds = CmBattEstimatedTime(ext, AtRate);
        status = CmBattPutData(&seconds, sizeof seconds, Buffer, BufferLength, ReturnedLength);
        break;
    }
    case BatteryDeviceName:
        status = CmBattPutString(s->Model, Buffer, BufferLength, ReturnedLength);
        break;
    case BatteryManufactureName:
        status = CmBattPutString(s->Oem, Buffer, BufferLength, ReturnedLength);
        break;
    case BatterySerialNumber:
        status = CmBattPutString(s->Serial, Buffer, BufferLength, ReturnedLength);
        break;
    case BatteryUniqueID: {
        /* docs: manufacturer + device name + date + serial; ACPI has no
         * manufacture date, so OEM + model + serial. */
        ULONG n = 0;
        const CHAR *parts[] = {s->Oem, s->Model, s->Serial};
        for (ULONG p = 0; p < RTL_NUMBER_OF(parts); p++)
            for (const CHAR *c = parts[p]; *c && n + 1 < sizeof unique; c++)
                unique[n++] = *c;
        unique[n] = 0;
        status = CmBattPutString(unique, Buffer, BufferLength, ReturnedLength);
        break;
    }
    case BatteryTemperature:     /* not in _BST */
    case BatteryManufactureDate: /* not in _BIX/_BIF */
    default:
        status = STATUS_INVALID_DEVICE_REQUEST;
        break;
    }
out:
    CmBattUnlock(ext);
    return status;
}

/* PASSIVE_LEVEL. */
NTSTATUS CmBattQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    PCMBATT_EXTENSION ext = Context;
    PAGED_CODE();
    CmBattLock(ext);
    NTSTATUS status = CmBattCheckTag(ext, BatteryTag);
    if (NT_SUCCESS(status))
        status = CmBattGetStatus(ext, BatteryStatus);
    CmBattUnlock(ext);
    return status;
}

/* Lock held. _BTP takes one trip point: the threshold the capacity will
 * meet first - LowCapacity while it falls, HighCapacity while it rises,
 * else the nearer one. Each crossing (Notify 0x80) re-arms it, so a
 * window is covered one edge at a time. */
static NTSTATUS CmBattArm(PCMBATT_EXTENSION Ext)
{
    BATTERY_STATUS st;
    const BATTERY_NOTIFY *n = &Ext->NotifyCriteria;
    BOOLEAN low = n->LowCapacity != 0 && n->LowCapacity != BATTERY_UNKNOWN_CAPACITY;
    BOOLEAN high = n->HighCapacity != 0 && n->HighCapacity < 0x7FFFFFFF;
    ULONG trip = 0;
    if (!NT_SUCCESS(CmBattGetStatus(Ext, &st)))
        return STATUS_NO_SUCH_DEVICE;
    if (low && high && st.Capacity != BATTERY_UNKNOWN_CAPACITY) {
        if (st.PowerState & BATTERY_DISCHARGING)
            trip = n->LowCapacity;
        else if (st.PowerState & BATTERY_CHARGING)
            trip = n->HighCapacity;
        else {
            LONGLONG to_low = (LONGLONG)st.Capacity - n->LowCapacity;
            LONGLONG to_high = (LONGLONG)n->HighCapacity - st.Capacity;
            trip = (to_low < 0 ? -to_low : to_low) <= (to_high < 0 ? -to_high : to_high)
                       ? n->LowCapacity
                       : n->HighCapacity;
        }
    } else if (low) {
        trip = n->LowCapacity;
    } else if (high) {
        trip = n->HighCapacity;
    }
    if (trip == 0)
        return STATUS_SUCCESS; /* only power-state criteria: Notify covers them */
    NTSTATUS status = CmBattSetTripPoint(Ext, trip);
    if (status == STATUS_OBJECT_NAME_NOT_FOUND)
        return STATUS_NOT_SUPPORTED; /* no _BTP: battc polls */
    if (!NT_SUCCESS(status))
        return STATUS_NO_SUCH_DEVICE;
    Ext->TripMwh = trip;
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
NTSTATUS CmBattSetStatusNotify(PVOID Context, ULONG BatteryTag, PBATTERY_NOTIFY BatteryNotify)
{
    PCMBATT_EXTENSION ext = Context;
    PAGED_CODE();
    CmBattLock(ext);
    NTSTATUS status = CmBattCheckTag(ext, BatteryTag);
    if (NT_SUCCESS(status)) {
        ext->NotifyCriteria = *BatteryNotify;
        status = CmBattArm(ext);
        ext->NotifyArmed = NT_SUCCESS(status);
    }
    CmBattUnlock(ext);
    return status;
}

/* PASSIVE_LEVEL. */
NTSTATUS CmBattDisableStatusNotify(PVOID Context)
{
    PCMBATT_EXTENSION ext = Context;
    PAGED_CODE();
    CmBattLock(ext);
    ext->NotifyArmed = FALSE;
    NTSTATUS status = STATUS_SUCCESS;
    if (ext->TripMwh) {
        status = CmBattSetTripPoint(ext, 0); /* _BTP(0) clears */
        ext->TripMwh = 0;
        if (status == STATUS_OBJECT_NAME_NOT_FOUND)
            status = STATUS_NOT_SUPPORTED;
        else if (!NT_SUCCESS(status))
            status = STATUS_NO_SUCH_DEVICE;
    }
    CmBattUnlock(ext);
    return status;
}

/* PASSIVE_LEVEL. ACPI control-method batteries offer no charge control
 * here (_BMC is not used) and no critical bias. */
NTSTATUS CmBattSetInformation(PVOID Context, ULONG BatteryTag, BATTERY_SET_INFORMATION_LEVEL Level,
                              PVOID Buffer)
{
    PCMBATT_EXTENSION ext = Context;
    UNREFERENCED_PARAMETER(Level);
    UNREFERENCED_PARAMETER(Buffer);
    PAGED_CODE();
    CmBattLock(ext);
    NTSTATUS status = CmBattCheckTag(ext, BatteryTag);
    CmBattUnlock(ext);
    return NT_SUCCESS(status) ? STATUS_NOT_SUPPORTED : status;
}

VOID CmBattRearmTripPoint(PCMBATT_EXTENSION Ext)
{
    if (Ext->NotifyArmed && Ext->Present)
        Ext->NotifyArmed = NT_SUCCESS(CmBattArm(Ext));
}

/* PASSIVE_LEVEL, from the ACPI driver's worker. 0x80: status changed (and
 * a _BTP crossing: re-arm); 0x81: the static data changed; 0x01: the slot's
 * presence may have changed. battc is told in every case; it may call
 * back into the callbacks above at once. */
VOID CmBattNotifyHandler(PVOID Context, ULONG NotifyValue)
{
    PCMBATT_EXTENSION ext = Context;
    if (!NT_SUCCESS(IoAcquireRemoveLock(&ext->RemoveLock, (PVOID)(ULONG_PTR)NotifyValue)))
        return;
    if (ext->Type == CmBattDeviceAcAdapter) {
        CmBattAcNotify(ext, NotifyValue);
    } else {
        CmBattLock(ext);
        switch (NotifyValue) {
        case CMBATT_NOTIFY_DEVICE_CHECK:
            CmBattCheckBattery(ext, FALSE);
            break;
        case CMBATT_NOTIFY_INFORMATION:
            CmBattCheckBattery(ext, TRUE);
            break;
        case CMBATT_NOTIFY_STATUS:
        default:
            CmBattRearmTripPoint(ext);
            break;
        }
        CmBattUnlock(ext);
        if (ext->ClassHandle)
            BatteryClassStatusNotify(ext->ClassHandle);
    }
    IoReleaseRemoveLock(&ext->RemoveLock, (PVOID)(ULONG_PTR)NotifyValue);
}

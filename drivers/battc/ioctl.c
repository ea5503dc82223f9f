/* BatteryClassIoctl: the four battery IOCTLs, their buffer checks and the
 * fast path that answers at once under the battery's mutex. Requests that
 * must wait are handed to wait.c; anything else is left to the caller. */
#include "battc.h"

/* What a request carries, checked once against the IRP's real lengths.
 * METHOD_BUFFERED: input and output share the system buffer. */
typedef struct _BATTC_REQUEST {
    PIRP Irp;
    PVOID Buffer;
    ULONG InputLength;
    ULONG OutputLength;
    ULONG_PTR Information; /* bytes of output on success */
} BATTC_REQUEST;

/* Reads a ULONG at Offset of the input; the caller checked the length. */
static ULONG BattcInputUlong(const BATTC_REQUEST *Req, ULONG Offset)
{
    ULONG value;

    RtlCopyMemory(&value, (PUCHAR)Req->Buffer + Offset, sizeof(value));
    return value;
}

/* IOCTL_BATTERY_QUERY_TAG. Input: ULONG milliseconds to wait while no
 * battery is present (0 = do not wait, 0xFFFFFFFF = forever); an empty
 * input means 0, as ReactOS accepts it. Output: ULONG tag. */
static NTSTATUS BattcQueryTag(PBATTC_CLASS Class, BATTC_REQUEST *Req)
{
    ULONG timeout = 0, tag;
    NTSTATUS status;

    if (Req->InputLength != 0 && Req->InputLength < sizeof(ULONG))
        return STATUS_INVALID_PARAMETER;
    if (Req->OutputLength < sizeof(ULONG))
        return STATUS_BUFFER_TOO_SMALL;
    if (Req->InputLength)
        timeout = BattcInputUlong(Req, 0);

    BattcLockMiniclass(Class);
    status = BattcMiniQueryTag(Class, &tag);
    if (NT_SUCCESS(status)) {
        BattcUnlockMiniclass(Class);
        /* docs: a battery that is present answers at once. */
        RtlCopyMemory(Req->Buffer, &tag, sizeof(tag));
        Req->Information = sizeof(tag);
        return STATUS_SUCCESS;
    }
    status = timeout == 0 ? STATUS_NO_SUCH_DEVICE
                          : BattcQueueWaiter(Class, Req->Irp, BattcWaitTag, NULL,
                                             BattcDeadlineFromTimeout(timeout));
    BattcUnlockMiniclass(Class);
    return status;
}

/* Smallest output each level can be answered in (0: the miniclass says). */
static const ULONG BattcInformationMinimum[] = {
    [BatteryInformation] = sizeof(BATTERY_INFORMATION),
    [BatteryGranularityInformation] = sizeof(BATTERY_REPORTING_SCALE),
    [BatteryTemperature] = sizeof(ULONG),
    [BatteryEstimatedTime] = sizeof(ULONG),
    [BatteryDeviceName] = sizeof(WCHAR),
    [BatteryManufactureDate] = sizeof(BATTERY_MANUFACTURE_DATE),
    [BatteryManufactureName] = sizeof(WCHAR),
    [BatteryUniqueID] = sizeof(WCHAR),
    [BatterySerialNumber] = sizeof(WCHAR),
};

/* IOCTL_BATTERY_QUERY_INFORMATION. Input BATTERY_QUERY_INFORMATION;
 * output depends on the level (strings are NUL-terminated UTF-16). */
static NTSTATUS BattcQueryInformation(PBATTC_CLASS Class, BATTC_REQUEST *Req)
{
    BATTERY_QUERY_INFORMATION query;
    ULONG returned = 0;
    NTSTATUS status;

    if (Req->InputLength < sizeof(query))
        return STATUS_INVALID_PARAMETER;
    RtlCopyMemory(&query, Req->Buffer, sizeof(query));
    /* Read as a number: an out-of-range enum must not index the table. */
    ULONG level = (ULONG)query.InformationLevel;
    if (level >= RTL_NUMBER_OF(BattcInformationMinimum))
        return STATUS_INVALID_PARAMETER;
    /* docs: output too small for any data -> ERROR_INSUFFICIENT_BUFFER, 0 bytes. */
    if (Req->OutputLength < BattcInformationMinimum[level])
        return STATUS_BUFFER_TOO_SMALL;
    /* The miniclass writes into the shared buffer: clear the input first
     * so no request bytes leak into an answer shorter than the buffer. */
    RtlZeroMemory(Req->Buffer, Req->OutputLength);

    BattcLockMiniclass(Class);
    status =
        BattcMiniQueryInformation(Class, query.BatteryTag, (BATTERY_QUERY_INFORMATION_LEVEL)level,
                                  (LONG)query.AtRate, Req->Buffer, Req->OutputLength, &returned);
    BattcUnlockMiniclass(Class);
    /* Success, or STATUS_BUFFER_OVERFLOW with the part that fit. */
    if (!NT_ERROR(status))
        Req->Information = returned;
    return status;
}

/* Payload bytes after the 8-byte header, per BATTERY_SET_INFORMATION_LEVEL.
 * Charge and Discharge carry none (pitfall 14); the bias is a ULONG. */
static const ULONG BattcSetPayload[] = {
    [BatteryCriticalBias] = sizeof(ULONG),
    [BatteryCharge] = 0,
    [BatteryDischarge] = 0,
    [BatteryChargingSource] = sizeof(BATTERY_CHARGING_SOURCE),
    [BatteryChargerId] = sizeof(BATTERY_CHARGER_ID),
    [BatteryChargerStatus] = sizeof(BATTERY_CHARGER_STATUS),
};

#define BATTC_SET_HEADER FIELD_OFFSET(BATTERY_SET_INFORMATION, Buffer)

/* IOCTL_BATTERY_SET_INFORMATION. Input BATTERY_SET_INFORMATION, variable
 * length; no output. */
static NTSTATUS BattcSetInformation(PBATTC_CLASS Class, BATTC_REQUEST *Req)
{
    ULONG tag, level;
    NTSTATUS status;

    if (Req->InputLength < BATTC_SET_HEADER)
        return STATUS_INVALID_PARAMETER;
    tag = BattcInputUlong(Req, FIELD_OFFSET(BATTERY_SET_INFORMATION, BatteryTag));
    level = BattcInputUlong(Req, FIELD_OFFSET(BATTERY_SET_INFORMATION, InformationLevel));
    if (level >= RTL_NUMBER_OF(BattcSetPayload))
        return STATUS_INVALID_PARAMETER;
    if (Req->InputLength - BATTC_SET_HEADER < BattcSetPayload[level])
        return STATUS_INVALID_PARAMETER;

    BattcLockMiniclass(Class);
    status = BattcMiniSetInformation(
        Class, tag, (BATTERY_SET_INFORMATION_LEVEL)level,
        Req->InputLength > BATTC_SET_HEADER ? (PUCHAR)Req->Buffer + BATTC_SET_HEADER : NULL);
    BattcUnlockMiniclass(Class);
    return status;
}

/* IOCTL_BATTERY_QUERY_STATUS. Input BATTERY_WAIT_STATUS, output
 * BATTERY_STATUS. docs: a tag that does not match fails at once (pitfall
 * 6); Timeout 0 answers at once whatever the conditions; otherwise the
 * request waits for a condition or the bound. */
static NTSTATUS BattcQueryStatus(PBATTC_CLASS Class, BATTC_REQUEST *Req)
{
    BATTERY_WAIT_STATUS wait;
    BATTERY_STATUS status;
    NTSTATUS result;

    if (Req->InputLength < sizeof(wait))
        return STATUS_INVALID_PARAMETER;
    if (Req->OutputLength < sizeof(status))
        return STATUS_BUFFER_TOO_SMALL;
    RtlCopyMemory(&wait, Req->Buffer, sizeof(wait));

    BattcLockMiniclass(Class);
    result = BattcMiniQueryStatus(Class, wait.BatteryTag, &status);
    if (NT_SUCCESS(result) && wait.Timeout != 0 && !BattcStatusSatisfies(&wait, &status))
        result = BattcQueueWaiter(Class, Req->Irp, BattcWaitStatus, &wait,
                                  BattcDeadlineFromTimeout(wait.Timeout));
    BattcUnlockMiniclass(Class);
    if (!NT_SUCCESS(result) || result == STATUS_PENDING)
        return result;
    RtlCopyMemory(Req->Buffer, &status, sizeof(status));
    Req->Information = sizeof(status);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. docs: handles device-control IRPs carrying a battery
 * IOCTL and returns STATUS_NOT_SUPPORTED for every other IRP, which it
 * leaves untouched. IOCTL_BATTERY_CHARGING_SOURCE_CHANGE is a phone-only
 * code with undocumented buffers: not supported either. Otherwise the IRP
 * is battc's: completed here (the return is its status) or left pending
 * (STATUS_PENDING), which the dispatch routine returns unchanged. */
NTSTATUS BATTERYCLASSAPI BatteryClassIoctl(PVOID ClassData, PIRP Irp)
{
    PBATTC_CLASS c = BattcFromHandle(ClassData);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    BATTC_REQUEST req;
    NTSTATUS status;

    ASSERT(KeGetCurrentIrql() == PASSIVE_LEVEL);
    if (stack->MajorFunction != IRP_MJ_DEVICE_CONTROL)
        return STATUS_NOT_SUPPORTED;
    switch (stack->Parameters.DeviceIoControl.IoControlCode) {
    case IOCTL_BATTERY_QUERY_TAG:
    case IOCTL_BATTERY_QUERY_INFORMATION:
    case IOCTL_BATTERY_SET_INFORMATION:
    case IOCTL_BATTERY_QUERY_STATUS:
        break;
    default:
        return STATUS_NOT_SUPPORTED;
    }

    req.Irp = Irp;
    req.Buffer = Irp->AssociatedIrp.SystemBuffer;
    req.InputLength = stack->Parameters.DeviceIoControl.InputBufferLength;
    req.OutputLength = stack->Parameters.DeviceIoControl.OutputBufferLength;
    req.Information = 0;
    if (!req.Buffer && (req.InputLength || req.OutputLength)) {
        status = STATUS_INVALID_PARAMETER;
    } else {
        switch (stack->Parameters.DeviceIoControl.IoControlCode) {
        case IOCTL_BATTERY_QUERY_TAG:
            status = BattcQueryTag(c, &req);
            break;
        case IOCTL_BATTERY_QUERY_INFORMATION:
            status = BattcQueryInformation(c, &req);
            break;
        case IOCTL_BATTERY_SET_INFORMATION:
            status = BattcSetInformation(c, &req);
            break;
        default:
            status = BattcQueryStatus(c, &req);
            break;
        }
    }
    if (status == STATUS_PENDING)
        return status; /* the IRP may already be gone: do not touch it */
    /* A battery IOCTL can fail with STATUS_NOT_SUPPORTED (a set level the
     * battery refuses, or no SetInformation at all), but that return value
     * tells the miniclass "not mine, pass it down" (docs), which would send
     * a completed IRP on. Such an IRP is marked pending before it completes
     * and STATUS_PENDING is returned instead; the caller still sees
     * STATUS_NOT_SUPPORTED in the IRP. */
    if (status == STATUS_NOT_SUPPORTED)
        IoMarkIrpPending(Irp);
    Irp->IoStatus.Status = status;
    Irp->IoStatus.Information = NT_ERROR(status) ? 0 : req.Information;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return status == STATUS_NOT_SUPPORTED ? STATUS_PENDING : status;
}

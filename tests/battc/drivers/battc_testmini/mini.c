/* battc_testmini's BatteryMini* routines: they answer from the scripted
 * battery as the SDK callback pages say a miniclass must, and record how
 * battc calls them (counts, overlap, calls made on a notifier's stack). */
#include "testmini.h"

/* How far below a notifier's recorded local a callback's local may sit and
 * still be on the same stack: deeper than any call chain through battc,
 * far less than the distance between two threads' stacks. */
#define TESTMINI_STACK_WINDOW (256 * 1024)

static const WCHAR TestMiniDeviceName[] = L"TestMini";
static const WCHAR TestMiniManufacturer[] = L"battkit";
static const WCHAR TestMiniSerial[] = L"0001";
static const WCHAR TestMiniUniqueId[] = L"battkitTestMini0001";

/* PASSIVE_LEVEL (AddDevice). A charged 50 Wh pack on AC, present. */
void TestMiniInitBattery(PTESTMINI_EXTENSION Ext)
{
    Ext->Present = TRUE;
    Ext->LastTag = 1;
    Ext->Tag = 1;
    Ext->Status.PowerState = BATTERY_POWER_ON_LINE;
    Ext->Status.Capacity = 40000; /* mWh */
    Ext->Status.Voltage = 12000;  /* mV */
    Ext->Status.Rate = 0;         /* mW */
    Ext->Info.Capabilities =
        BATTERY_SYSTEM_BATTERY | BATTERY_SET_CHARGE_SUPPORTED | BATTERY_SET_DISCHARGE_SUPPORTED;
    Ext->Info.Technology = 1;
    RtlCopyMemory(Ext->Info.Chemistry, "LION", 4);
    Ext->Info.DesignedCapacity = 50000;    /* mWh */
    Ext->Info.FullChargedCapacity = 48000; /* mWh */
    Ext->Info.DefaultAlert1 = 2400;        /* mWh */
    Ext->Info.DefaultAlert2 = 4800;        /* mWh */
    Ext->Info.CriticalBias = 0;
    Ext->Info.CycleCount = 42;
    Ext->Config.Flags = TESTMINI_AUTO_NOTIFY;
}

/* Every callback starts and ends here: counts, overlap, stack, slowness. */
static void TestMiniEnter(PTESTMINI_EXTENSION Ext, ULONG Callback)
{
    UCHAR here;
    PUCHAR frame = Ext->NotifierFrame;
    LONG active = InterlockedIncrement(&Ext->Active);
    KIRQL irql;

    KeAcquireSpinLock(&Ext->Lock, &irql);
    Ext->Counters.Calls[Callback]++;
    if ((ULONG)active > Ext->Counters.MaxActive)
        Ext->Counters.MaxActive = (ULONG)active;
    if (frame && &here < frame && frame - &here < TESTMINI_STACK_WINDOW)
        Ext->Counters.OnNotifierStack++;
    ULONG spin = Ext->Config.SpinIterations;
    KeReleaseSpinLock(&Ext->Lock, irql);
    ASSERT(KeGetCurrentIrql() == PASSIVE_LEVEL); /* docs: callbacks run at PASSIVE_LEVEL */
    for (volatile ULONG i = 0; i < spin; i++)
        ;
}

static void TestMiniLeave(PTESTMINI_EXTENSION Ext)
{
    InterlockedDecrement(&Ext->Active);
}

/* Lock held. docs: every routine that gets a tag checks it. */
static BOOLEAN TestMiniTagOk(PTESTMINI_EXTENSION Ext, ULONG Tag)
{
    return Ext->Present && Tag != BATTERY_TAG_INVALID && Tag == Ext->Tag;
}

/* PASSIVE_LEVEL. */
static NTSTATUS TestMiniQueryTag(PVOID Context, PULONG BatteryTag)
{
    PTESTMINI_EXTENSION ext = Context;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    TestMiniEnter(ext, TESTMINI_CB_QUERY_TAG);
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (ext->Present) {
        *BatteryTag = ext->Tag;
    } else {
        *BatteryTag = BATTERY_TAG_INVALID; /* docs */
        status = STATUS_NO_SUCH_DEVICE;
    }
    KeReleaseSpinLock(&ext->Lock, irql);
    TestMiniLeave(ext);
    return status;
}

/* PASSIVE_LEVEL. */
NTSTATUS TestMiniQueryStatus(PVOID Context, ULONG BatteryTag, PBATTERY_STATUS BatteryStatus)
{
    PTESTMINI_EXTENSION ext = Context;
    NTSTATUS status = STATUS_SUCCESS;
    BOOLEAN notify;
    KIRQL irql;

    TestMiniEnter(ext, TESTMINI_CB_QUERY_STATUS);
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (!TestMiniTagOk(ext, BatteryTag))
        status = STATUS_NO_SUCH_DEVICE;
    else if (ext->Config.Flags & TESTMINI_STATUS_FAILS)
        status = STATUS_UNSUCCESSFUL;
    else
        *BatteryStatus = ext->Status;
    /* One-shot: a miniclass notifying on every query would keep battc
     * re-evaluating forever. */
    notify = (ext->Config.Flags & TESTMINI_NOTIFY_IN_CALLBACK) != 0;
    ext->Config.Flags &= ~TESTMINI_NOTIFY_IN_CALLBACK;
    KeReleaseSpinLock(&ext->Lock, irql);
    if (notify)
        TestMiniNotify(ext, FALSE); /* docs allow it from any context */
    TestMiniLeave(ext);
    return status;
}

/* Lock held. What a level answers with; NULL for an unsupported level. */
static const void *TestMiniLevelData(PTESTMINI_EXTENSION Ext, BATTERY_QUERY_INFORMATION_LEVEL Level,
                                     LONG AtRate, PVOID Scratch, PULONG Size)
{
    static const BATTERY_REPORTING_SCALE scales[2] = {{100, 10000}, {10, 48000}}; /* mWh */
    static const BATTERY_MANUFACTURE_DATE date = {15, 6, 2024};
    PULONG value = Scratch;

    switch (Level) {
    case BatteryInformation:
        *Size = sizeof(Ext->Info);
        return &Ext->Info;
    case BatteryGranularityInformation:
        *Size = sizeof(scales);
        return scales;
    case BatteryTemperature:
        if (Ext->Config.Flags & TESTMINI_NO_TEMPERATURE)
            return NULL;
        *value = 2982; /* tenths of a kelvin: 25.05 C */
        *Size = sizeof(ULONG);
        return value;
    case BatteryEstimatedTime: {
        /* seconds; AtRate (mW, negative = drain) or the present drain. */
        LONG drain = AtRate ? AtRate : Ext->Status.Rate;
        *value = drain < 0 ? (ULONG)(3600ull * Ext->Status.Capacity / (ULONG)-drain)
                           : BATTERY_UNKNOWN_TIME;
        *Size = sizeof(ULONG);
        return value;
    }
    case BatteryDeviceName:
        *Size = sizeof(TestMiniDeviceName);
        return TestMiniDeviceName;
    case BatteryManufactureDate:
        if (Ext->Config.Flags & TESTMINI_NO_DATE)
            return NULL;
        *Size = sizeof(date);
        return &date;
    case BatteryManufactureName:
        *Size = sizeof(TestMiniManufacturer);
        return TestMiniManufacturer;
    case BatteryUniqueID:
        *Size = sizeof(TestMiniUniqueId);
        return TestMiniUniqueId;
    case BatterySerialNumber:
        *Size = sizeof(TestMiniSerial);
        return TestMiniSerial;
    default:
        return NULL;
    }
}

/* PASSIVE_LEVEL. docs: stale tag STATUS_NO_SUCH_DEVICE, unsupported level
 * STATUS_INVALID_DEVICE_REQUEST, undefined level STATUS_INVALID_PARAMETER;
 * a short buffer gets STATUS_BUFFER_TOO_SMALL and the size (as SimBatt). */
static NTSTATUS TestMiniQueryInformation(PVOID Context, ULONG BatteryTag,
                                         BATTERY_QUERY_INFORMATION_LEVEL Level, LONG AtRate,
                                         PVOID Buffer, ULONG BufferLength, PULONG ReturnedLength)
{
    PTESTMINI_EXTENSION ext = Context;
    ULONG scratch = 0, size = 0;
    const void *data;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    TestMiniEnter(ext, TESTMINI_CB_QUERY_INFO);
    *ReturnedLength = 0;
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (!TestMiniTagOk(ext, BatteryTag)) {
        status = STATUS_NO_SUCH_DEVICE;
    } else if ((ULONG)Level > BatterySerialNumber) {
        status = STATUS_INVALID_PARAMETER;
    } else if (!(data = TestMiniLevelData(ext, Level, AtRate, &scratch, &size))) {
        status = STATUS_INVALID_DEVICE_REQUEST;
    } else if (BufferLength < size) {
        *ReturnedLength = size;
        status = STATUS_BUFFER_TOO_SMALL;
    } else {
        RtlCopyMemory(Buffer, data, size);
        *ReturnedLength = size + ext->Config.ReturnedLengthExtra;
    }
    KeReleaseSpinLock(&ext->Lock, irql);
    TestMiniLeave(ext);
    return status;
}

/* PASSIVE_LEVEL. Records what it was asked; charge and discharge succeed
 * as the capabilities promise, the WDK10-only levels are not supported. */
static NTSTATUS TestMiniSetInformation(PVOID Context, ULONG BatteryTag,
                                       BATTERY_SET_INFORMATION_LEVEL Level, PVOID Buffer)
{
    PTESTMINI_EXTENSION ext = Context;
    NTSTATUS status = STATUS_SUCCESS;
    ULONG payload = 0;
    KIRQL irql;

    TestMiniEnter(ext, TESTMINI_CB_SET_INFO);
    KeAcquireSpinLock(&ext->Lock, &irql);
    ext->Counters.SetLevel = Level;
    ext->Counters.SetBufferNull = Buffer == NULL;
    RtlZeroMemory(ext->Counters.SetPayload, sizeof(ext->Counters.SetPayload));
    switch (Level) {
    case BatteryCriticalBias:
        payload = sizeof(ULONG);
        break;
    case BatteryChargingSource:
        payload = sizeof(BATTERY_CHARGING_SOURCE);
        break;
    default:
        break;
    }
    if (Buffer && payload)
        RtlCopyMemory(ext->Counters.SetPayload, Buffer, payload);
    if (!TestMiniTagOk(ext, BatteryTag))
        status = STATUS_NO_SUCH_DEVICE;
    else if (Level == BatteryCriticalBias && Buffer)
        RtlCopyMemory(&ext->CriticalBias, Buffer, sizeof(ULONG));
    else if (Level == BatteryCriticalBias || Level > BatteryChargingSource)
        status = STATUS_NOT_SUPPORTED;
    KeReleaseSpinLock(&ext->Lock, irql);
    TestMiniLeave(ext);
    return status;
}

/* PASSIVE_LEVEL. Keeps the criteria; TESTMINI_NOTIFY_UNSUPPORTED makes it
 * a battery that cannot detect them. */
static NTSTATUS TestMiniSetStatusNotify(PVOID Context, ULONG BatteryTag,
                                        PBATTERY_NOTIFY BatteryNotify)
{
    PTESTMINI_EXTENSION ext = Context;
    NTSTATUS status = STATUS_SUCCESS;
    KIRQL irql;

    TestMiniEnter(ext, TESTMINI_CB_SET_NOTIFY);
    KeAcquireSpinLock(&ext->Lock, &irql);
    if (!TestMiniTagOk(ext, BatteryTag)) {
        status = STATUS_NO_SUCH_DEVICE;
    } else if (ext->Config.Flags & TESTMINI_NOTIFY_UNSUPPORTED) {
        status = STATUS_NOT_SUPPORTED;
    } else {
        ext->Notify = *BatteryNotify;
        ext->Counters.NotifyArmed = 1;
        ext->Counters.NotifyTag = BatteryTag;
        ext->Counters.NotifyPowerState = BatteryNotify->PowerState;
        ext->Counters.NotifyLow = BatteryNotify->LowCapacity;
        ext->Counters.NotifyHigh = BatteryNotify->HighCapacity;
    }
    KeReleaseSpinLock(&ext->Lock, irql);
    /* Real drivers do this: arming reads the hardware and reports. */
    if (NT_SUCCESS(status) && (ext->Config.Flags & TESTMINI_NOTIFY_IN_SET))
        TestMiniNotify(ext, FALSE);
    TestMiniLeave(ext);
    return status;
}

/* PASSIVE_LEVEL. */
static NTSTATUS TestMiniDisableStatusNotify(PVOID Context)
{
    PTESTMINI_EXTENSION ext = Context;
    KIRQL irql;

    TestMiniEnter(ext, TESTMINI_CB_DISABLE_NOTIFY);
    KeAcquireSpinLock(&ext->Lock, &irql);
    ext->Counters.NotifyArmed = 0;
    KeReleaseSpinLock(&ext->Lock, irql);
    TestMiniLeave(ext);
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. The miniport info for this device's variant. */
void TestMiniFillInfo(PTESTMINI_EXTENSION Ext, PBATTERY_MINIPORT_INFO_V1_2 Info)
{
    RtlZeroMemory(Info, sizeof(*Info));
    Info->MajorVersion = BATTERY_CLASS_MAJOR_VERSION;
    Info->MinorVersion = BATTERY_CLASS_MINOR_VERSION_1;
    Info->Context = Ext;
    Info->QueryTag = TestMiniQueryTag;
    Info->QueryInformation = TestMiniQueryInformation;
    Info->SetInformation = TestMiniSetInformation;
    Info->QueryStatus = TestMiniQueryStatus;
    Info->SetStatusNotify = TestMiniSetStatusNotify;
    Info->DisableStatusNotify = TestMiniDisableStatusNotify;
    Info->Pdo = Ext->Pdo;
    Info->DeviceName = NULL;
    Info->Fdo = Ext->Fdo;
    switch (Ext->Variant) {
    case TestMiniV10:
        Info->MinorVersion = BATTERY_CLASS_MINOR_VERSION;
        Info->Fdo = NULL;
        break;
    case TestMiniV12:
        Info->MinorVersion = BATTERY_CLASS_MINOR_VERSION_2;
        break;
    case TestMiniNoSet:
        Info->SetInformation = NULL;
        break;
    case TestMiniNoNotify:
        Info->SetStatusNotify = NULL;
        Info->DisableStatusNotify = NULL;
        break;
    default:
        break;
    }
}

/* <= DISPATCH_LEVEL. */
void TestMiniNotify(PTESTMINI_EXTENSION Ext, BOOLEAN Raise)
{
    UCHAR here;
    PVOID handle = Ext->ClassHandle;
    KIRQL irql = PASSIVE_LEVEL;
    KIRQL lock;

    if (!handle)
        return;
    KeAcquireSpinLock(&Ext->Lock, &lock);
    Ext->Counters.NotifyCalls++;
    KeReleaseSpinLock(&Ext->Lock, lock);
    Ext->NotifierFrame = &here;
    if (Raise)
        KeRaiseIrql(DISPATCH_LEVEL, &irql);
    BatteryClassStatusNotify(handle);
    if (Raise)
        KeLowerIrql(irql);
    Ext->NotifierFrame = NULL;
}

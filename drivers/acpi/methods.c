/* The control methods of the emulated devices, one table: _STA, _UID on
 * every device; _BIF, _BIX, _BST, _BTP on a PNP0C0A battery; _PSR on an
 * ACPI0003 adapter. Each reads the machine through the platform interface
 * and builds the package real firmware returns (ACPI 10.2; reference 8.2 -
 * 8.6), with 0xFFFFFFFF for what is unknown. A firmware with only _BIF has
 * no _BIX method at all. */
#include "acpi.h"

/* _STA bits (ACPI 6.3.7). */
#define ACPI_STA_PRESENT         0x01
#define ACPI_STA_ENABLED         0x02
#define ACPI_STA_SHOWN           0x04
#define ACPI_STA_FUNCTIONING     0x08
#define ACPI_STA_BATTERY_PRESENT 0x10
#define ACPI_STA_DEVICE                                                                            \
    (ACPI_STA_PRESENT | ACPI_STA_ENABLED | ACPI_STA_SHOWN | ACPI_STA_FUNCTIONING)

/* _BIX revision Windows requires (firmware page: must be 0). */
#define ACPI_BIX_REVISION 0
/* _BIX measurement accuracy, thousandths of a percent; sampling and
 * averaging times in ms: the platform updates its gauge every second. */
#define ACPI_BIX_ACCURACY     95000
#define ACPI_BIX_SAMPLING_MS  1000
#define ACPI_BIX_AVERAGING_MS 1000

static VOID AcpiPutArgument(PACPI_PACKAGE_BUILDER Out, USHORT Type, const VOID *Data, USHORT Length)
{
    ULONG size = ACPI_METHOD_ARGUMENT_LENGTH(Length);
    if (Out->Bytes + size > sizeof Out->Data) {
        Out->Overflow = TRUE;
        return;
    }
    PACPI_METHOD_ARGUMENT arg = (PACPI_METHOD_ARGUMENT)(Out->Data + Out->Bytes);
    RtlZeroMemory(arg, size);
    arg->Type = Type;
    arg->DataLength = Length;
    RtlCopyMemory(arg->Data, Data, Length);
    Out->Bytes += size;
    Out->Count++;
}

static VOID AcpiPutInteger(PACPI_PACKAGE_BUILDER Out, ULONG Value)
{
    AcpiPutArgument(Out, ACPI_METHOD_ARGUMENT_INTEGER, &Value, sizeof Value);
}

/* docs: a string argument counts its terminating NUL in DataLength. */
static VOID AcpiPutString(PACPI_PACKAGE_BUILDER Out, const CHAR *Text, SIZE_T Max)
{
    USHORT n = 0;
    while (n < Max && Text[n])
        n++;
    CHAR copy[64];
    if (n >= sizeof copy)
        n = sizeof copy - 1;
    RtlCopyMemory(copy, Text, n);
    copy[n] = 0;
    AcpiPutArgument(Out, ACPI_METHOD_ARGUMENT_STRING, copy, (USHORT)(n + 1));
}

/* ---- units: the platform speaks mWh/mW; Power Unit 1 firmware mAh/mA ---- */

static ULONG AcpiToUnit(PBATTKIT_BATTERY_READING R, ULONG Mwh, ULONG Millivolts)
{
    if (Mwh == BATTKIT_UNKNOWN || R->PowerUnit == 0)
        return Mwh;
    if (Millivolts == 0 || Millivolts == BATTKIT_UNKNOWN)
        Millivolts = R->DesignVoltage;
    if (Millivolts == 0 || Millivolts == BATTKIT_UNKNOWN)
        return BATTKIT_UNKNOWN;
    return (ULONG)(((ULONGLONG)Mwh * 1000 + Millivolts / 2) / Millivolts);
}

/* Capacities convert with the design voltage, as a gauge counting charge
 * reports them; a rate is the current at the present voltage. */
static ULONG AcpiCapacity(PBATTKIT_BATTERY_READING R, ULONG Mwh)
{
    return AcpiToUnit(R, Mwh, R->DesignVoltage);
}

static NTSTATUS AcpiRead(PACPI_PDO_EXTENSION Pdo, PBATTKIT_BATTERY_READING R)
{
    PBATTKIT_PLATFORM_INTERFACE p = &Pdo->Parent->Platform;
    return p->ReadBattery(p->Header.Context, Pdo->Index, R);
}

/* ---- the methods ---- */

typedef NTSTATUS ACPI_METHOD_ROUTINE(PACPI_PDO_EXTENSION Pdo, const ULONG *Arguments,
                                     PACPI_PACKAGE_BUILDER Out);

static NTSTATUS AcpiMethodSta(PACPI_PDO_EXTENSION Pdo, const ULONG *Arguments,
                              PACPI_PACKAGE_BUILDER Out)
{
    UNREFERENCED_PARAMETER(Arguments);
    BATTKIT_BATTERY_READING r;
    if (Pdo->Device.Kind != BattkitDeviceBattery) {
        AcpiPutInteger(Out, ACPI_STA_DEVICE);
        return STATUS_SUCCESS;
    }
    NTSTATUS status = AcpiRead(Pdo, &r);
    if (!NT_SUCCESS(status))
        return status;
    /* The slot's device is always there; bit 4 says a battery is in it. */
    AcpiPutInteger(Out, ACPI_STA_DEVICE | (r.Present ? ACPI_STA_BATTERY_PRESENT : 0));
    return STATUS_SUCCESS;
}

static NTSTATUS AcpiMethodUid(PACPI_PDO_EXTENSION Pdo, const ULONG *Arguments,
                              PACPI_PACKAGE_BUILDER Out)
{
    UNREFERENCED_PARAMETER(Arguments);
    AcpiPutInteger(Out, Pdo->Device.Uid);
    return STATUS_SUCCESS;
}

/* The static part both _BIF and _BIX carry, from Power Unit to Low. */
static VOID AcpiPutStaticHead(PBATTKIT_BATTERY_READING R, PACPI_PACKAGE_BUILDER Out)
{
    BOOLEAN known = R->Present;
    AcpiPutInteger(Out, R->PowerUnit);
    AcpiPutInteger(Out, known ? AcpiCapacity(R, R->DesignCapacity) : BATTKIT_UNKNOWN);
    AcpiPutInteger(Out, known ? AcpiCapacity(R, R->FullChargeCapacity) : BATTKIT_UNKNOWN);
    AcpiPutInteger(Out, R->Technology);
    AcpiPutInteger(Out, known ? R->DesignVoltage : BATTKIT_UNKNOWN);
    AcpiPutInteger(Out, known ? AcpiCapacity(R, R->WarningCapacity) : 0);
    AcpiPutInteger(Out, known ? AcpiCapacity(R, R->LowCapacity) : 0);
}

static VOID AcpiPutStrings(PBATTKIT_BATTERY_READING R, PACPI_PACKAGE_BUILDER Out)
{
    BOOLEAN known = R->Present;
    AcpiPutString(Out, known ? R->Model : "", sizeof R->Model);
    AcpiPutString(Out, known ? R->Serial : "", sizeof R->Serial);
    AcpiPutString(Out, known ? R->Type : "", sizeof R->Type);
    AcpiPutString(Out, known ? R->Oem : "", sizeof R->Oem);
}

/* _BIF: 13 elements (reference 8.3). */
static NTSTATUS AcpiMethodBif(PACPI_PDO_EXTENSION Pdo, const ULONG *Arguments,
                              PACPI_PACKAGE_BUILDER Out)
{
    UNREFERENCED_PARAMETER(Arguments);
    BATTKIT_BATTERY_READING r;
    NTSTATUS status = AcpiRead(Pdo, &r);
    if (!NT_SUCCESS(status))
        return status;
    AcpiPutStaticHead(&r, Out);
    AcpiPutInteger(Out, r.Present ? AcpiCapacity(&r, r.Granularity1) : 0);
    AcpiPutInteger(Out, r.Present ? AcpiCapacity(&r, r.Granularity2) : 0);
    AcpiPutStrings(&r, Out);
    return STATUS_SUCCESS;
}

/* _BIX revision 0: 20 elements (reference 8.4), as Windows requires. */
static NTSTATUS AcpiMethodBix(PACPI_PDO_EXTENSION Pdo, const ULONG *Arguments,
                              PACPI_PACKAGE_BUILDER Out)
{
    UNREFERENCED_PARAMETER(Arguments);
    BATTKIT_BATTERY_READING r;
    NTSTATUS status = AcpiRead(Pdo, &r);
    if (!NT_SUCCESS(status))
        return status;
    if (r.FirmwareKind == BATTKIT_FIRMWARE_BIF_ONLY)
        return STATUS_OBJECT_NAME_NOT_FOUND; /* an ACPI 3.0 firmware: no such object */
    AcpiPutInteger(Out, ACPI_BIX_REVISION);
    AcpiPutStaticHead(&r, Out);
    AcpiPutInteger(Out, r.Present ? r.CycleCount : BATTKIT_UNKNOWN);
    AcpiPutInteger(Out, ACPI_BIX_ACCURACY);
    AcpiPutInteger(Out, ACPI_BIX_SAMPLING_MS);
    AcpiPutInteger(Out, ACPI_BIX_SAMPLING_MS);
    AcpiPutInteger(Out, ACPI_BIX_AVERAGING_MS);
    AcpiPutInteger(Out, ACPI_BIX_AVERAGING_MS);
    AcpiPutInteger(Out, r.Present ? AcpiCapacity(&r, r.Granularity1) : 0);
    AcpiPutInteger(Out, r.Present ? AcpiCapacity(&r, r.Granularity2) : 0);
    AcpiPutStrings(&r, Out);
    return STATUS_SUCCESS;
}

/* _BST: state, present rate (a magnitude), remaining capacity, voltage. */
static NTSTATUS AcpiMethodBst(PACPI_PDO_EXTENSION Pdo, const ULONG *Arguments,
                              PACPI_PACKAGE_BUILDER Out)
{
    UNREFERENCED_PARAMETER(Arguments);
    BATTKIT_BATTERY_READING r;
    NTSTATUS status = AcpiRead(Pdo, &r);
    if (!NT_SUCCESS(status))
        return status;
    if (!r.Present) {
        AcpiPutInteger(Out, 0);
        AcpiPutInteger(Out, BATTKIT_UNKNOWN);
        AcpiPutInteger(Out, BATTKIT_UNKNOWN);
        AcpiPutInteger(Out, BATTKIT_UNKNOWN);
        return STATUS_SUCCESS;
    }
    AcpiPutInteger(Out, r.State);
    AcpiPutInteger(Out, AcpiToUnit(&r, r.PresentRate, r.PresentVoltage));
    AcpiPutInteger(Out, AcpiCapacity(&r, r.RemainingCapacity));
    AcpiPutInteger(Out, r.PresentVoltage);
    return STATUS_SUCCESS;
}

/* _BTP(capacity in the battery's units): arms the trip point; 0 clears it.
 * Returns nothing. */
static NTSTATUS AcpiMethodBtp(PACPI_PDO_EXTENSION Pdo, const ULONG *Arguments,
                              PACPI_PACKAGE_BUILDER Out)
{
    UNREFERENCED_PARAMETER(Out);
    BATTKIT_BATTERY_READING r;
    PBATTKIT_PLATFORM_INTERFACE p = &Pdo->Parent->Platform;
    NTSTATUS status = AcpiRead(Pdo, &r);
    if (!NT_SUCCESS(status))
        return status;
    ULONG mwh = Arguments[0];
    if (r.PowerUnit == 1 && mwh)
        mwh = (ULONG)(((ULONGLONG)mwh * r.DesignVoltage + 500) / 1000); /* mAh -> mWh */
    return p->SetTripPoint(p->Header.Context, Pdo->Index, mwh);
}

/* _PSR: 1 on line (mains), 0 on battery. */
static NTSTATUS AcpiMethodPsr(PACPI_PDO_EXTENSION Pdo, const ULONG *Arguments,
                              PACPI_PACKAGE_BUILDER Out)
{
    UNREFERENCED_PARAMETER(Arguments);
    PBATTKIT_PLATFORM_INTERFACE p = &Pdo->Parent->Platform;
    BOOLEAN online = FALSE;
    NTSTATUS status = p->ReadAcAdapter(p->Header.Context, Pdo->Index, &online);
    if (!NT_SUCCESS(status))
        return status;
    AcpiPutInteger(Out, online ? 1 : 0);
    return STATUS_SUCCESS;
}

#define ACPI_ANY_DEVICE 0

static const struct {
    CHAR Name[4];
    ULONG Kind;      /* BATTKIT_DEVICE_KIND, or ACPI_ANY_DEVICE */
    ULONG Arguments; /* integers the method needs */
    ACPI_METHOD_ROUTINE *Routine;
} AcpiMethods[] = {
    {{'_', 'S', 'T', 'A'}, ACPI_ANY_DEVICE, 0, AcpiMethodSta},
    {{'_', 'U', 'I', 'D'}, ACPI_ANY_DEVICE, 0, AcpiMethodUid},
    {{'_', 'B', 'I', 'F'}, BattkitDeviceBattery, 0, AcpiMethodBif},
    {{'_', 'B', 'I', 'X'}, BattkitDeviceBattery, 0, AcpiMethodBix},
    {{'_', 'B', 'S', 'T'}, BattkitDeviceBattery, 0, AcpiMethodBst},
    {{'_', 'B', 'T', 'P'}, BattkitDeviceBattery, 1, AcpiMethodBtp},
    {{'_', 'P', 'S', 'R'}, BattkitDeviceAcAdapter, 0, AcpiMethodPsr},
};

/* PASSIVE_LEVEL. */
NTSTATUS AcpiEvaluateMethod(PACPI_PDO_EXTENSION Pdo, const CHAR Name[4], ULONG ArgumentCount,
                            const ULONG *Arguments, PACPI_PACKAGE_BUILDER Result)
{
    RtlZeroMemory(Result, FIELD_OFFSET(ACPI_PACKAGE_BUILDER, Data));
    for (ULONG i = 0; i < RTL_NUMBER_OF(AcpiMethods); i++) {
        if (RtlCompareMemory(AcpiMethods[i].Name, Name, 4) != 4)
            continue;
        if (AcpiMethods[i].Kind != ACPI_ANY_DEVICE && AcpiMethods[i].Kind != Pdo->Device.Kind)
            break;
        if (ArgumentCount < AcpiMethods[i].Arguments)
            return STATUS_INVALID_PARAMETER; /* too few arguments for the method */
        NTSTATUS status = AcpiMethods[i].Routine(Pdo, Arguments, Result);
        if (NT_SUCCESS(status) && Result->Overflow)
            status = STATUS_INSUFFICIENT_RESOURCES;
        return status;
    }
    /* What ACPI answers for a name its namespace lacks under the device
     * (AE_NOT_FOUND). (unverified: the exact status Windows' acpi.sys
     * returns; this is the one drivers are seen to get.) */
    return STATUS_OBJECT_NAME_NOT_FOUND;
}

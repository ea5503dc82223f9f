/* Parsing what the ACPI driver returns: the ACPI_EVAL_OUTPUT_BUFFER of
 * _STA/_PSR (one integer), _BST (4 integers), _BIF (13 elements) and _BIX
 * (20 elements at revision 0, 21 at revision 1, more in later revisions,
 * read as revision 1: pitfall 10), every element bounds-checked against
 * the bytes actually returned. Anything malformed is
 * STATUS_ACPI_INVALID_DATA; nothing here can read past the buffer. Also
 * the Power Unit conversions. Pure functions: any IRQL. */
#include "cmbatt.h"

#define CMBATT_MAX_ELEMENTS 32

typedef struct _CMBATT_PACKAGE {
    ULONG Count;
    PACPI_METHOD_ARGUMENT Element[CMBATT_MAX_ELEMENTS];
} CMBATT_PACKAGE;

/* Walks Count arguments in Length bytes at Data. */
static NTSTATUS CmBattWalk(const UCHAR *Data, ULONG Length, ULONG Count, CMBATT_PACKAGE *Package)
{
    ULONG offset = 0;
    if (Count > CMBATT_MAX_ELEMENTS)
        return STATUS_ACPI_INVALID_DATA;
    Package->Count = Count;
    for (ULONG i = 0; i < Count; i++) {
        if (Length - offset < FIELD_OFFSET(ACPI_METHOD_ARGUMENT, Data))
            return STATUS_ACPI_INVALID_DATA;
        PACPI_METHOD_ARGUMENT arg = (PACPI_METHOD_ARGUMENT)(Data + offset);
        ULONG size = ACPI_METHOD_ARGUMENT_LENGTH(arg->DataLength);
        if (size > Length - offset)
            return STATUS_ACPI_INVALID_DATA;
        Package->Element[i] = arg;
        offset += size;
    }
    return STATUS_SUCCESS;
}

/* The elements of a returned package. The ACPI driver flattens a Package
 * into the output's arguments; one nested PACKAGE argument is accepted
 * too. Length is what came back (IoStatus.Information). */
static NTSTATUS CmBattSplit(PACPI_EVAL_OUTPUT_BUFFER Output, ULONG Length, CMBATT_PACKAGE *Package)
{
    ULONG head = FIELD_OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Argument);
    if (!Output || Length < head || Output->Signature != ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE)
        return STATUS_ACPI_INVALID_DATA;
    if (Output->Length < Length)
        Length = Output->Length; /* never trust bytes past what it says it wrote */
    if (Length < head)
        return STATUS_ACPI_INVALID_DATA;
    const UCHAR *data = (const UCHAR *)Output + head;
    NTSTATUS status = CmBattWalk(data, Length - head, Output->Count, Package);
    if (!NT_SUCCESS(status))
        return status;
    if (Package->Count == 1 && Package->Element[0]->Type == ACPI_METHOD_ARGUMENT_PACKAGE) {
        PACPI_METHOD_ARGUMENT outer = Package->Element[0];
        CMBATT_PACKAGE inner;
        /* The nested form does not say how many elements: walk all. */
        ULONG count = 0, offset = 0;
        while (offset + FIELD_OFFSET(ACPI_METHOD_ARGUMENT, Data) <= outer->DataLength &&
               count < CMBATT_MAX_ELEMENTS) {
            PACPI_METHOD_ARGUMENT arg = (PACPI_METHOD_ARGUMENT)(outer->Data + offset);
            ULONG size = ACPI_METHOD_ARGUMENT_LENGTH(arg->DataLength);
            if (size > outer->DataLength - offset)
                return STATUS_ACPI_INVALID_DATA;
            offset += size;
            count++;
        }
        status = CmBattWalk(outer->Data, outer->DataLength, count, &inner);
        if (NT_SUCCESS(status))
            *Package = inner;
    }
    return status;
}

static NTSTATUS CmBattInteger(const CMBATT_PACKAGE *Package, ULONG Index, PULONG Value)
{
    if (Index >= Package->Count)
        return STATUS_ACPI_INVALID_DATA;
    PACPI_METHOD_ARGUMENT arg = Package->Element[Index];
    if (arg->Type != ACPI_METHOD_ARGUMENT_INTEGER || arg->DataLength < sizeof(ULONG))
        return STATUS_ACPI_INVALID_DATA;
    *Value = arg->Argument; /* the low 32 bits of a 64-bit integer */
    return STATUS_SUCCESS;
}

/* A string element: STRING, or BUFFER as some firmware returns it; copied
 * up to its NUL, truncated to the field. */
static NTSTATUS CmBattString(const CMBATT_PACKAGE *Package, ULONG Index, CHAR *Out, ULONG Size)
{
    if (Index >= Package->Count)
        return STATUS_ACPI_INVALID_DATA;
    PACPI_METHOD_ARGUMENT arg = Package->Element[Index];
    if (arg->Type != ACPI_METHOD_ARGUMENT_STRING && arg->Type != ACPI_METHOD_ARGUMENT_BUFFER)
        return STATUS_ACPI_INVALID_DATA;
    ULONG n = 0;
    while (n < arg->DataLength && n + 1 < Size && arg->Data[n])
        n++;
    RtlCopyMemory(Out, arg->Data, n);
    Out[n] = 0;
    return STATUS_SUCCESS;
}

NTSTATUS CmBattParseInteger(PACPI_EVAL_OUTPUT_BUFFER Output, ULONG Length, PULONG Value)
{
    CMBATT_PACKAGE p;
    NTSTATUS status = CmBattSplit(Output, Length, &p);
    if (NT_SUCCESS(status))
        status = CmBattInteger(&p, 0, Value);
    return status;
}

ULONG CmBattToMilliwatts(ULONG PowerUnit, ULONG DesignVoltage, ULONG Value)
{
    if (Value == CMBATT_UNKNOWN || PowerUnit == 0)
        return Value;
    if (DesignVoltage == 0 || DesignVoltage == CMBATT_UNKNOWN)
        return CMBATT_UNKNOWN; /* mAh without a voltage cannot become mWh */
    ULONGLONG mw = ((ULONGLONG)Value * DesignVoltage + 500) / 1000;
    return mw >= CMBATT_UNKNOWN ? CMBATT_UNKNOWN - 1 : (ULONG)mw;
}

ULONG CmBattFromMilliwatts(ULONG PowerUnit, ULONG DesignVoltage, ULONG Mwh)
{
    if (Mwh == CMBATT_UNKNOWN || PowerUnit == 0)
        return Mwh;
    if (DesignVoltage == 0 || DesignVoltage == CMBATT_UNKNOWN)
        return CMBATT_UNKNOWN;
    return (ULONG)(((ULONGLONG)Mwh * 1000 + DesignVoltage / 2) / DesignVoltage);
}

/* The element numbers of _BIX and _BIF (reference 8.3, 8.4). */
typedef struct _CMBATT_LAYOUT {
    ULONG MinCount;
    ULONG PowerUnit, Design, FullCharge, Technology, Voltage, Warning, Low;
    ULONG Cycle; /* ~0: none */
    ULONG Granularity1, Granularity2, Model, Serial, Type, Oem;
} CMBATT_LAYOUT;

static const CMBATT_LAYOUT CmBattBixLayout = {20, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19};
static const CMBATT_LAYOUT CmBattBifLayout = {13, 0, 1, 2, 3, 4, 5, 6, ~0u, 7, 8, 9, 10, 11, 12};

NTSTATUS CmBattParseStaticInfo(PACPI_EVAL_OUTPUT_BUFFER Output, ULONG Length, BOOLEAN Bix,
                               PCMBATT_STATIC_INFO Info)
{
    const CMBATT_LAYOUT *l = Bix ? &CmBattBixLayout : &CmBattBifLayout;
    CMBATT_PACKAGE p;
    ULONG unit, design, full, technology, voltage, warning, low, cycle = 0, g1, g2;
    NTSTATUS status = CmBattSplit(Output, Length, &p);
    if (!NT_SUCCESS(status))
        return status;
    /* _BIX: 20 elements at revision 0 (what Windows requires), 21 from
     * revision 1 (Battery Swapping Capability); a later revision may add
     * more and is read as revision 1. Fewer is malformed. */
    ULONG revision;
    if (p.Count < l->MinCount || (Bix && !NT_SUCCESS(CmBattInteger(&p, 0, &revision))))
        return STATUS_ACPI_INVALID_DATA;
    RtlZeroMemory(Info, sizeof(*Info));
    if (!NT_SUCCESS(CmBattInteger(&p, l->PowerUnit, &unit)) ||
        !NT_SUCCESS(CmBattInteger(&p, l->Design, &design)) ||
        !NT_SUCCESS(CmBattInteger(&p, l->FullCharge, &full)) ||
        !NT_SUCCESS(CmBattInteger(&p, l->Technology, &technology)) ||
        !NT_SUCCESS(CmBattInteger(&p, l->Voltage, &voltage)) ||
        !NT_SUCCESS(CmBattInteger(&p, l->Warning, &warning)) ||
        !NT_SUCCESS(CmBattInteger(&p, l->Low, &low)) ||
        (l->Cycle != ~0u && !NT_SUCCESS(CmBattInteger(&p, l->Cycle, &cycle))) ||
        !NT_SUCCESS(CmBattInteger(&p, l->Granularity1, &g1)) ||
        !NT_SUCCESS(CmBattInteger(&p, l->Granularity2, &g2)) ||
        !NT_SUCCESS(CmBattString(&p, l->Model, Info->Model, sizeof Info->Model)) ||
        !NT_SUCCESS(CmBattString(&p, l->Serial, Info->Serial, sizeof Info->Serial)) ||
        !NT_SUCCESS(CmBattString(&p, l->Type, Info->Type, sizeof Info->Type)) ||
        !NT_SUCCESS(CmBattString(&p, l->Oem, Info->Oem, sizeof Info->Oem)))
        return STATUS_ACPI_INVALID_DATA;
    if (unit > 1 || technology > 1)
        return STATUS_ACPI_INVALID_DATA;

    PBATTERY_INFORMATION bi = &Info->Information;
    Info->PowerUnit = unit;
    Info->DesignVoltage = voltage;
    bi->Capabilities = BATTERY_SYSTEM_BATTERY;
    bi->Technology = (UCHAR)technology;
    /* Chemistry: the first four characters of Battery Type ("LION"). */
    for (ULONG i = 0; i < sizeof bi->Chemistry && Info->Type[i]; i++)
        bi->Chemistry[i] = (UCHAR)Info->Type[i];
    bi->DesignedCapacity = CmBattToMilliwatts(unit, voltage, design);
    bi->FullChargedCapacity = CmBattToMilliwatts(unit, voltage, full);
    /* docs (cmbatt): DefaultAlert1 is the firmware's low level, Alert2 its
     * warning level. */
    bi->DefaultAlert1 = CmBattToMilliwatts(unit, voltage, low);
    bi->DefaultAlert2 = CmBattToMilliwatts(unit, voltage, warning);
    bi->CriticalBias = 0;
    bi->CycleCount = cycle == CMBATT_UNKNOWN ? 0 : cycle; /* 0: not supported */
    Info->WarningCapacity = bi->DefaultAlert2;
    Info->Granularity1 = CmBattToMilliwatts(unit, voltage, g1);
    Info->Granularity2 = CmBattToMilliwatts(unit, voltage, g2);
    return STATUS_SUCCESS;
}

NTSTATUS CmBattParseBst(PACPI_EVAL_OUTPUT_BUFFER Output, ULONG Length, PCMBATT_BST Bst)
{
    CMBATT_PACKAGE p;
    NTSTATUS status = CmBattSplit(Output, Length, &p);
    if (!NT_SUCCESS(status))
        return status;
    if (p.Count < 4 || !NT_SUCCESS(CmBattInteger(&p, 0, &Bst->State)) ||
        !NT_SUCCESS(CmBattInteger(&p, 1, &Bst->Rate)) ||
        !NT_SUCCESS(CmBattInteger(&p, 2, &Bst->Remaining)) ||
        !NT_SUCCESS(CmBattInteger(&p, 3, &Bst->Voltage)))
        return STATUS_ACPI_INVALID_DATA;
    /* ACPI: charging and discharging are mutually exclusive. */
    if ((Bst->State & (CMBATT_BST_CHARGING | CMBATT_BST_DISCHARGING)) ==
        (CMBATT_BST_CHARGING | CMBATT_BST_DISCHARGING))
        return STATUS_ACPI_INVALID_DATA;
    return STATUS_SUCCESS;
}

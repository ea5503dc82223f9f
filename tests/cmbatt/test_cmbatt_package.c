/* cmbatt's package parser (drivers/cmbatt/package.c, compiled in): the
 * layouts it accepts (_BIX revision 0/1/later, _BIF, strings as STRING or
 * BUFFER, one nested package) and the malformed ones it refuses with
 * STATUS_ACPI_INVALID_DATA - never reading past the bytes returned (every
 * buffer here is a heap block of the exact size, so ASan sees overreads). */
#include "bk_test.h"

#include "../../drivers/cmbatt/cmbatt.h"

#include <stdlib.h>

typedef struct pkg {
    UCHAR data[2048];
    ULONG used; /* bytes of arguments */
    ULONG count;
} pkg_t;

static void put(pkg_t *p, USHORT type, const void *data, USHORT length)
{
    PACPI_METHOD_ARGUMENT a = (PACPI_METHOD_ARGUMENT)(p->data + p->used);
    ULONG size = ACPI_METHOD_ARGUMENT_LENGTH(length);
    memset(a, 0, size);
    a->Type = type;
    a->DataLength = length;
    memcpy(a->Data, data, length);
    p->used += size;
    p->count++;
}

static void put_int(pkg_t *p, ULONG v)
{
    put(p, ACPI_METHOD_ARGUMENT_INTEGER, &v, sizeof v);
}

static void put_str(pkg_t *p, const char *s)
{
    put(p, ACPI_METHOD_ARGUMENT_STRING, s, (USHORT)(strlen(s) + 1));
}

/* A heap copy of the output buffer, exactly `length` bytes long. */
static PACPI_EVAL_OUTPUT_BUFFER output(const pkg_t *p, ULONG *length)
{
    ULONG head = FIELD_OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Argument);
    *length = head + p->used;
    UCHAR *b = malloc(*length);
    PACPI_EVAL_OUTPUT_BUFFER o = (PACPI_EVAL_OUTPUT_BUFFER)b;
    o->Signature = ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE;
    o->Length = *length;
    o->Count = p->count;
    memcpy(b + head, p->data, p->used);
    return o;
}

/* _BIX revision `rev` with `extra` elements after the 20 of revision 0. */
static void bix(pkg_t *p, ULONG rev, ULONG unit, int extra)
{
    memset(p, 0, sizeof *p);
    ULONG ints[] = {rev, unit,  57000, 56000, 1,    11400, 5700, 1710,
                    42,  95000, 1000,  1000,  1000, 1000,  57,   57};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        put_int(p, ints[i]);
    put_str(p, "BK57L3");
    put_str(p, "0001");
    put_str(p, "LION");
    put_str(p, "battkit");
    for (int i = 0; i < extra; i++)
        put_int(p, 0);
}

static NTSTATUS parse(const pkg_t *p, BOOLEAN is_bix, PCMBATT_STATIC_INFO info)
{
    ULONG length;
    PACPI_EVAL_OUTPUT_BUFFER o = output(p, &length);
    NTSTATUS s = CmBattParseStaticInfo(o, length, is_bix, info);
    free(o);
    return s;
}

TEST(bix_revision_0_with_20_elements_is_read)
{
    pkg_t p;
    CMBATT_STATIC_INFO info;
    bix(&p, 0, 0, 0);
    CHECK_STATUS(parse(&p, TRUE, &info), STATUS_SUCCESS);
    CHECK_EQ(info.Information.DesignedCapacity, 57000);
    CHECK_EQ(info.Information.FullChargedCapacity, 56000);
    CHECK_EQ(info.Information.DefaultAlert1, 1710);
    CHECK_EQ(info.Information.DefaultAlert2, 5700);
    CHECK_EQ(info.Information.CycleCount, 42);
    CHECK_EQ(info.Information.Capabilities, BATTERY_SYSTEM_BATTERY);
    CHECK(memcmp(info.Information.Chemistry, "LION", 4) == 0);
    CHECK_STR(info.Model, "BK57L3");
    CHECK_STR(info.Oem, "battkit");
}

TEST(bix_revision_1_and_later_revisions_are_accepted)
{
    pkg_t p;
    CMBATT_STATIC_INFO info;
    bix(&p, 1, 0, 1); /* 21: Battery Swapping Capability */
    CHECK_STATUS(parse(&p, TRUE, &info), STATUS_SUCCESS);
    bix(&p, 2, 0, 3); /* a later revision: read as revision 1 */
    CHECK_STATUS(parse(&p, TRUE, &info), STATUS_SUCCESS);
    CHECK_EQ(info.Information.CycleCount, 42);
}

TEST(bix_with_fewer_than_20_elements_is_invalid_data)
{
    pkg_t p;
    CMBATT_STATIC_INFO info;
    bix(&p, 0, 0, 0);
    p.count = 19;
    CHECK_STATUS(parse(&p, TRUE, &info), STATUS_ACPI_INVALID_DATA);
}

TEST(mah_power_unit_converts_with_the_design_voltage)
{
    pkg_t p;
    CMBATT_STATIC_INFO info;
    bix(&p, 0, 1, 0); /* 57000 "mAh" at 11.4 V */
    CHECK_STATUS(parse(&p, TRUE, &info), STATUS_SUCCESS);
    CHECK_EQ(info.Information.DesignedCapacity, 649800);
    CHECK_EQ(CmBattToMilliwatts(1, 11400, 5000), 57000);
    CHECK_EQ(CmBattFromMilliwatts(1, 11400, 57000), 5000);
    CHECK_EQ(CmBattToMilliwatts(1, CMBATT_UNKNOWN, 5000), CMBATT_UNKNOWN);
    CHECK_EQ(CmBattToMilliwatts(0, 11400, CMBATT_UNKNOWN), CMBATT_UNKNOWN);
}

TEST(bif_has_13_elements_and_no_cycle_count)
{
    pkg_t p;
    CMBATT_STATIC_INFO info;
    memset(&p, 0, sizeof p);
    ULONG ints[] = {0, 23200, 23000, 1, 11100, 2320, 696, 23, 23};
    for (size_t i = 0; i < 9; i++)
        put_int(&p, ints[i]);
    put_str(&p, "OLD");
    put_str(&p, "9");
    put_str(&p, "LION");
    put(&p, ACPI_METHOD_ARGUMENT_BUFFER, "vendor", 6); /* a string as a BUFFER */
    CHECK_STATUS(parse(&p, FALSE, &info), STATUS_SUCCESS);
    CHECK_EQ(info.Information.DesignedCapacity, 23200);
    CHECK_EQ(info.Information.CycleCount, 0);
    CHECK_STR(info.Oem, "vendor");
}

TEST(wrong_element_types_and_values_are_invalid_data)
{
    pkg_t p;
    CMBATT_STATIC_INFO info;
    bix(&p, 0, 0, 0);
    ((PACPI_METHOD_ARGUMENT)p.data)->Type = ACPI_METHOD_ARGUMENT_STRING;
    CHECK_STATUS(parse(&p, TRUE, &info), STATUS_ACPI_INVALID_DATA);
    bix(&p, 0, 2, 0); /* Power Unit 2 does not exist */
    CHECK_STATUS(parse(&p, TRUE, &info), STATUS_ACPI_INVALID_DATA);
}

TEST(a_nested_package_is_read_as_its_elements)
{
    pkg_t inner, outer;
    CMBATT_BST bst;
    memset(&inner, 0, sizeof inner);
    memset(&outer, 0, sizeof outer);
    put_int(&inner, CMBATT_BST_DISCHARGING);
    put_int(&inner, 8000);
    put_int(&inner, 40000);
    put_int(&inner, 11800);
    put(&outer, ACPI_METHOD_ARGUMENT_PACKAGE, inner.data, (USHORT)inner.used);
    ULONG length;
    PACPI_EVAL_OUTPUT_BUFFER o = output(&outer, &length);
    CHECK_STATUS(CmBattParseBst(o, length, &bst), STATUS_SUCCESS);
    CHECK_EQ(bst.Rate, 8000);
    CHECK_EQ(bst.Voltage, 11800);
    free(o);
}

TEST(bst_charging_and_discharging_at_once_is_invalid_data)
{
    pkg_t p;
    CMBATT_BST bst;
    ULONG length;
    memset(&p, 0, sizeof p);
    put_int(&p, CMBATT_BST_DISCHARGING | CMBATT_BST_CHARGING);
    put_int(&p, 1);
    put_int(&p, 2);
    put_int(&p, 3);
    PACPI_EVAL_OUTPUT_BUFFER o = output(&p, &length);
    CHECK_STATUS(CmBattParseBst(o, length, &bst), STATUS_ACPI_INVALID_DATA);
    free(o);
}

TEST(every_truncation_of_a_bix_fails_cleanly)
{
    pkg_t p;
    CMBATT_STATIC_INFO info;
    ULONG length;
    bix(&p, 0, 0, 0);
    PACPI_EVAL_OUTPUT_BUFFER full = output(&p, &length);
    for (ULONG n = 0; n < length; n++) {
        UCHAR *cut = malloc(n ? n : 1);
        memcpy(cut, full, n);
        /* Claim the whole length: only the bytes given may be read. */
        if (n >= 8)
            ((PACPI_EVAL_OUTPUT_BUFFER)cut)->Length = length;
        CHECK_STATUS(CmBattParseStaticInfo((PACPI_EVAL_OUTPUT_BUFFER)cut, n, TRUE, &info),
                     STATUS_ACPI_INVALID_DATA);
        free(cut);
    }
    CHECK_STATUS(CmBattParseStaticInfo(full, length, TRUE, &info), STATUS_SUCCESS);
    free(full);
}

TEST(lying_lengths_and_counts_are_invalid_data)
{
    pkg_t p;
    CMBATT_STATIC_INFO info;
    ULONG length;
    bix(&p, 0, 0, 0);
    PACPI_EVAL_OUTPUT_BUFFER o = output(&p, &length);
    o->Count = 1000;
    CHECK_STATUS(CmBattParseStaticInfo(o, length, TRUE, &info), STATUS_ACPI_INVALID_DATA);
    o->Count = 20;
    ((PACPI_METHOD_ARGUMENT)o->Argument)->DataLength = 60000; /* runs past the end */
    CHECK_STATUS(CmBattParseStaticInfo(o, length, TRUE, &info), STATUS_ACPI_INVALID_DATA);
    ((PACPI_METHOD_ARGUMENT)o->Argument)->DataLength = 4;
    o->Signature = 0;
    CHECK_STATUS(CmBattParseStaticInfo(o, length, TRUE, &info), STATUS_ACPI_INVALID_DATA);
    CHECK_STATUS(CmBattParseStaticInfo(NULL, 0, TRUE, &info), STATUS_ACPI_INVALID_DATA);
    free(o);
}

TEST(random_bytes_never_crash_the_parser)
{
    CMBATT_STATIC_INFO info;
    CMBATT_BST bst;
    ULONG v;
    unsigned seed = 12345;
    for (int i = 0; i < 20000; i++) {
        ULONG n = (ULONG)(rand_r(&seed) % 600);
        UCHAR *b = malloc(n ? n : 1);
        for (ULONG k = 0; k < n; k++)
            b[k] = (UCHAR)rand_r(&seed);
        if (n >= 12) { /* mostly plausible headers, so the walk is exercised */
            ((PACPI_EVAL_OUTPUT_BUFFER)b)->Signature = ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE;
            ((PACPI_EVAL_OUTPUT_BUFFER)b)->Count %= 24;
        }
        CmBattParseStaticInfo((PACPI_EVAL_OUTPUT_BUFFER)b, n, (BOOLEAN)(i & 1), &info);
        CmBattParseBst((PACPI_EVAL_OUTPUT_BUFFER)b, n, &bst);
        CmBattParseInteger((PACPI_EVAL_OUTPUT_BUFFER)b, n, &v);
        free(b);
    }
    CHECK(1); /* reaching here without a fault is the point */
}

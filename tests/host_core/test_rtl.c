/* rtl: counted strings, GUID text, bounded string routines, UTF-16 literals. */
#include "core_fixture.h"

#include <ntstrsafe.h>

void bk_test_setup(void)
{
    fixture_start(CLK_VIRTUAL);
}

void bk_test_teardown(void)
{
    fixture_stop();
}

TEST(wide_literals_are_utf16)
{
    CHECK_EQ(sizeof(WCHAR), 2);
    CHECK_EQ(sizeof(L"ab"), 6);
    const WCHAR *s = L"\u00e9";
    CHECK_EQ(s[0], 0xE9);
}

TEST(init_unicode_string_counts_bytes_without_nul)
{
    UNICODE_STRING u;
    RtlInitUnicodeString(&u, L"BAT0");
    CHECK_EQ(u.Length, 8);
    CHECK_EQ(u.MaximumLength, 10);
    RtlInitUnicodeString(&u, NULL);
    CHECK_EQ(u.Length, 0);
}

TEST(append_refuses_to_overflow_maximum_length)
{
    WCHAR buf[6];
    UNICODE_STRING u = {0, sizeof buf, buf};
    CHECK_STATUS(RtlAppendUnicodeToString(&u, L"abc"), STATUS_SUCCESS);
    CHECK_STATUS(RtlAppendUnicodeToString(&u, L"defg"), STATUS_BUFFER_TOO_SMALL);
    CHECK_EQ(u.Length, 6);
}

TEST(compare_unicode_case_insensitive)
{
    UNICODE_STRING a = RTL_CONSTANT_STRING(L"ACPI\\PNP0C0A");
    UNICODE_STRING b = RTL_CONSTANT_STRING(L"acpi\\pnp0c0a");
    CHECK(RtlEqualUnicodeString(&a, &b, TRUE));
    CHECK(!RtlEqualUnicodeString(&a, &b, FALSE));
    CHECK(RtlCompareUnicodeString(&a, &b, FALSE) < 0);
}

TEST(guid_text_round_trip)
{
    const GUID battery = {
        0x72631e54, 0x78a4, 0x11d0, {0xbc, 0xf7, 0x00, 0xaa, 0x00, 0xb7, 0xb3, 0x2a}};
    UNICODE_STRING text;
    CHECK_STATUS(RtlStringFromGUID(&battery, &text), STATUS_SUCCESS);
    char utf8[64];
    rtl_utf16_to_utf8(text.Buffer, text.Length / 2, utf8, sizeof utf8);
    CHECK_STR(utf8, "{72631e54-78a4-11d0-bcf7-00aa00b7b32a}");
    GUID back;
    CHECK_STATUS(RtlGUIDFromString(&text, &back), STATUS_SUCCESS);
    CHECK(IsEqualGUID(&back, &battery));
    RtlFreeUnicodeString(&text);
    UNICODE_STRING bad = RTL_CONSTANT_STRING(L"{72631e54-78a4-11d0-bcf7-00aa00b7b32z}");
    CHECK_STATUS(RtlGUIDFromString(&bad, &back), STATUS_INVALID_PARAMETER);
}

TEST(strsafe_copy_truncates_and_terminates)
{
    WCHAR buf[4];
    CHECK_STATUS(RtlStringCchCopyW(buf, 4, L"abcdef"), STATUS_BUFFER_OVERFLOW);
    CHECK_EQ(buf[3], 0);
    CHECK_EQ(buf[2], 'c');
    CHECK_STATUS(RtlStringCbCopyW(buf, sizeof buf, L"ab"), STATUS_SUCCESS);
    CHECK_STATUS(RtlStringCchCopyW(buf, 0, L"x"), STATUS_INVALID_PARAMETER);
}

TEST(strsafe_printf_wide_formats_wide_and_narrow_strings)
{
    WCHAR buf[64];
    CHECK_STATUS(RtlStringCchPrintfW(buf, 64, L"%s-%S-%u-%04x", L"SIM", "Batt", 42u, 0xBEEF),
                 STATUS_SUCCESS);
    char utf8[64];
    rtl_utf16_to_utf8(buf, 64, utf8, sizeof utf8);
    CHECK_STR(utf8, "SIM-Batt-42-beef");
    CHECK_STATUS(RtlStringCchPrintfW(buf, 4, L"%u", 123456u), STATUS_BUFFER_OVERFLOW);
}

TEST(integer_unicode_conversions)
{
    WCHAR buf[16];
    UNICODE_STRING u = {0, sizeof buf, buf};
    CHECK_STATUS(RtlIntegerToUnicodeString(57000, 10, &u), STATUS_SUCCESS);
    CHECK_EQ(u.Length, 10);
    ULONG v = 0;
    CHECK_STATUS(RtlUnicodeStringToInteger(&u, 10, &v), STATUS_SUCCESS);
    CHECK_EQ(v, 57000);
    UNICODE_STRING hex = RTL_CONSTANT_STRING(L"0x1F");
    CHECK_STATUS(RtlUnicodeStringToInteger(&hex, 0, &v), STATUS_SUCCESS);
    CHECK_EQ(v, 31);
}

TEST(utf8_utf16_round_trip_with_surrogates)
{
    const char *text = "Ah\xc3\xa9\xf0\x9f\x94\x8b";
    WCHAR w[16];
    size_t n = rtl_utf8_to_utf16(text, w, 16);
    CHECK_EQ(n, 5);
    char back[32];
    rtl_utf16_to_utf8(w, n, back, sizeof back);
    CHECK_STR(back, text);
}

TEST(ansi_to_unicode_allocates_from_pool)
{
    ANSI_STRING a;
    UNICODE_STRING u;
    RtlInitAnsiString(&a, "LION");
    CHECK_STATUS(RtlAnsiStringToUnicodeString(&u, &a, TRUE), STATUS_SUCCESS);
    CHECK_EQ(u.Length, 8);
    CHECK_EQ(u.Buffer[3], 'N');
    RtlFreeUnicodeString(&u);
    CHECK(u.Buffer == NULL);
}

TEST(time_fields_round_trip)
{
    TIME_FIELDS tf = {.Year = 2026, .Month = 11, .Day = 26, .Hour = 7, .Minute = 42};
    LARGE_INTEGER t;
    CHECK(RtlTimeFieldsToTime(&tf, &t));
    TIME_FIELDS back;
    RtlTimeToTimeFields(&t, &back);
    CHECK_EQ(back.Year, 2026);
    CHECK_EQ(back.Month, 11);
    CHECK_EQ(back.Day, 26);
    CHECK_EQ(back.Minute, 42);
}

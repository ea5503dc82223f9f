/* WideCharToMultiByte/MultiByteToWideChar (stringapiset pages): sizes
 * with and without the NUL, the size query, short buffers, bad input. */
#include "fixture.h"

#include <string.h>

TEST(widechartomultibyte_counts_the_nul_only_with_minus_one)
{
    const WCHAR w[] = L"BK57L3 \x00b0"
                      "C"; /* a degree sign: 2 bytes in UTF-8 */
    char out[32];
    CHECK_EQ(WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL), 11);
    CHECK_EQ(WideCharToMultiByte(CP_UTF8, 0, w, -1, out, sizeof out, NULL, NULL), 11);
    CHECK_STR(out, "BK57L3 \xc2\xb0"
                   "C");
    CHECK_EQ(WideCharToMultiByte(CP_ACP, 0, w, 6, out, sizeof out, NULL, NULL), 6);
    CHECK(memcmp(out, "BK57L3", 6) == 0);
    CHECK_EQ(WideCharToMultiByte(CP_UTF8, 0, w, -1, out, 5, NULL, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    CHECK_EQ(WideCharToMultiByte(1252, 0, w, -1, out, sizeof out, NULL, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
    const WCHAR lone[] = {0xD800, 0};
    CHECK_EQ(WideCharToMultiByte(CP_UTF8, 0, lone, -1, out, sizeof out, NULL, NULL), 0);
    CHECK_EQ(GetLastError(), ERROR_NO_UNICODE_TRANSLATION);
}

TEST(multibytetowidechar_round_trips)
{
    WCHAR w[16];
    CHECK_EQ(MultiByteToWideChar(CP_UTF8, 0, "a\xc2\xb0z", -1, NULL, 0), 4);
    CHECK_EQ(MultiByteToWideChar(CP_UTF8, 0, "a\xc2\xb0z", -1, w, 16), 4);
    CHECK(w[0] == L'a' && w[1] == 0x00b0 && w[2] == L'z' && w[3] == 0);
    CHECK_EQ(MultiByteToWideChar(CP_UTF8, 0, "abc", 2, w, 16), 2);
    CHECK_EQ(MultiByteToWideChar(CP_UTF8, 0, "abc", -1, w, 2), 0);
    CHECK_EQ(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    CHECK_EQ(MultiByteToWideChar(CP_UTF8, 0, NULL, -1, w, 16), 0);
    CHECK_EQ(GetLastError(), ERROR_INVALID_PARAMETER);
}

/* WideCharToMultiByte/MultiByteToWideChar for the code pages a program
 * names (CP_ACP, CP_OEMCP, CP_UTF8): on battkit every one is UTF-8.
 * Sizes, counting and errors follow the stringapiset pages: -1 counts the
 * NUL, 0 output size asks for the size, a short buffer is
 * ERROR_INSUFFICIENT_BUFFER and returns 0. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static bool known_code_page(UINT cp)
{
    return cp == CP_ACP || cp == CP_OEMCP || cp == CP_UTF8;
}

int WINAPI WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWSTR lpWideCharStr, int cchWideChar,
                               LPSTR lpMultiByteStr, int cbMultiByte, LPCSTR lpDefaultChar,
                               LPBOOL lpUsedDefaultChar)
{
    (void)dwFlags;
    if (!known_code_page(CodePage) || !lpWideCharStr || cchWideChar == 0 || cchWideChar < -1 ||
        cbMultiByte < 0 || (cbMultiByte && !lpMultiByteStr) ||
        (CodePage == CP_UTF8 && (lpDefaultChar || lpUsedDefaultChar))) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    size_t n = 0;
    if (cchWideChar == -1) {
        while (lpWideCharStr[n])
            n++;
    } else {
        n = (size_t)cchWideChar;
    }
    WCHAR *copy = malloc((n + 1) * sizeof(WCHAR));
    if (!copy) {
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    memcpy(copy, lpWideCharStr, n * sizeof(WCHAR));
    copy[n] = 0;
    /* An embedded NUL (explicit length) ends the text here: the wire and
     * the host never carry one inside a string. */
    char *utf8 = bkc_utf16_to_utf8(copy);
    free(copy);
    if (!utf8) {
        bkc_set_error(ERROR_NO_UNICODE_TRANSLATION);
        return 0;
    }
    size_t len = strlen(utf8) + (cchWideChar == -1 ? 1 : 0);
    if (lpUsedDefaultChar)
        *lpUsedDefaultChar = FALSE;
    if (cbMultiByte == 0) {
        free(utf8);
        return (int)len;
    }
    if ((size_t)cbMultiByte < len) {
        free(utf8);
        bkc_set_error(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    memcpy(lpMultiByteStr, utf8, len);
    free(utf8);
    return (int)len;
}

int WINAPI MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCSTR lpMultiByteStr, int cbMultiByte,
                               LPWSTR lpWideCharStr, int cchWideChar)
{
    (void)dwFlags;
    if (!known_code_page(CodePage) || !lpMultiByteStr || cbMultiByte == 0 || cbMultiByte < -1 ||
        cchWideChar < 0 || (cchWideChar && !lpWideCharStr)) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return 0;
    }
    size_t n = cbMultiByte == -1 ? strlen(lpMultiByteStr) : (size_t)cbMultiByte;
    char *copy = malloc(n + 1);
    if (!copy) {
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    memcpy(copy, lpMultiByteStr, n);
    copy[n] = 0;
    size_t need = bkc_utf8_to_utf16(copy, NULL, 0) - (cbMultiByte == -1 ? 0 : 1);
    if (cchWideChar == 0) {
        free(copy);
        return (int)need;
    }
    if ((size_t)cchWideChar < need) {
        free(copy);
        bkc_set_error(ERROR_INSUFFICIENT_BUFFER);
        return 0;
    }
    WCHAR *tmp = malloc((need + 1) * sizeof(WCHAR));
    if (!tmp) {
        free(copy);
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
        return 0;
    }
    bkc_utf8_to_utf16(copy, tmp, need + 1);
    memcpy(lpWideCharStr, tmp, need * sizeof(WCHAR));
    free(tmp);
    free(copy);
    return (int)need;
}

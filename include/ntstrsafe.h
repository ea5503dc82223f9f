/* Bounded string routines (ntstrsafe.h subset). Every routine NUL-terminates
 * within the destination and returns STATUS_BUFFER_OVERFLOW on truncation. */
#ifndef BATTKIT_NTSTRSAFE_H
#define BATTKIT_NTSTRSAFE_H
#include <wdm.h>
#include <stdarg.h>

NTSTATUS RtlStringCbCopyW(PWSTR Dest, SIZE_T cbDest, PCWSTR Src);
NTSTATUS RtlStringCchCopyW(PWSTR Dest, SIZE_T cchDest, PCWSTR Src);
NTSTATUS RtlStringCbCopyA(PSTR Dest, SIZE_T cbDest, PCSTR Src);
NTSTATUS RtlStringCchCopyA(PSTR Dest, SIZE_T cchDest, PCSTR Src);
NTSTATUS RtlStringCbCatW(PWSTR Dest, SIZE_T cbDest, PCWSTR Src);
NTSTATUS RtlStringCchCatW(PWSTR Dest, SIZE_T cchDest, PCWSTR Src);
NTSTATUS RtlStringCbLengthW(PCWSTR Psz, SIZE_T cbMax, PSIZE_T pcbLength);
NTSTATUS RtlStringCchLengthW(PCWSTR Psz, SIZE_T cchMax, PSIZE_T pcchLength);
NTSTATUS RtlStringCbLengthA(PCSTR Psz, SIZE_T cbMax, PSIZE_T pcbLength);
/* Formats with printf conventions on a narrow format; %S / %ls print a
 * WCHAR string. The result is widened into Dest. */
NTSTATUS RtlStringCbPrintfA(PSTR Dest, SIZE_T cbDest, PCSTR Format, ...)
    __attribute__((format(printf, 3, 4)));
NTSTATUS RtlStringCbPrintfW(PWSTR Dest, SIZE_T cbDest, PCWSTR Format, ...);
NTSTATUS RtlStringCchPrintfW(PWSTR Dest, SIZE_T cchDest, PCWSTR Format, ...);
NTSTATUS RtlUnicodeStringCopyString(PUNICODE_STRING Dest, PCWSTR Src);
NTSTATUS RtlUnicodeStringCopy(PUNICODE_STRING Dest, PCUNICODE_STRING Src);
NTSTATUS RtlUnicodeStringCatString(PUNICODE_STRING Dest, PCWSTR Src);
NTSTATUS RtlUnicodeStringPrintf(PUNICODE_STRING Dest, PCWSTR Format, ...);

#endif

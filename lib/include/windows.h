/* The Win32 subset a battery application uses, for battkit's client
 * library (libbattkit-client): handles, files and DeviceIoControl,
 * overlapped I/O, events and waits, GetSystemPowerStatus, last-error.
 * Types come from include/ntdef.h, so widths are Windows' (LLP64: DWORD and
 * LONG are 32 bits, WCHAR is UTF-16 with -fshort-wchar). Defining
 * _WINDOWS_ makes batclass.h/poclass.h show their user-mode part only. */
#ifndef _WINDOWS_
#define _WINDOWS_

#include <ntdef.h>
#include <winerror.h>
#include <winioctl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- types ---- */
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef BYTE *LPBYTE;
typedef BOOL *PBOOL, *LPBOOL;
typedef LONG *LPLONG;
typedef WORD *LPWORD;
typedef HANDLE *LPHANDLE;
typedef HANDLE HLOCAL;
typedef struct HWND__ *HWND;
typedef struct HINSTANCE__ *HINSTANCE, *HMODULE;
typedef ULONG_PTR SIZE_T_PTR;

#ifdef UNICODE
typedef WCHAR TCHAR, *PTCHAR;
typedef LPWSTR LPTSTR, PTSTR;
typedef LPCWSTR LPCTSTR, PCTSTR;
#define __TEXT(s) L##s
#else
typedef char TCHAR, *PTCHAR;
typedef LPSTR LPTSTR, PTSTR;
typedef LPCSTR LPCTSTR, PCTSTR;
#define __TEXT(s) s
#endif
#define TEXT(s) __TEXT(s)

#define MAX_PATH 260

/* ---- status values winnt.h repeats (same spelling as ntstatus.h) ---- */
#ifndef WIN32_NO_STATUS
#ifndef STATUS_WAIT_0
#define STATUS_WAIT_0 ((NTSTATUS)0x00000000L)
#endif
#ifndef STATUS_TIMEOUT
#define STATUS_TIMEOUT ((NTSTATUS)0x00000102L)
#endif
#ifndef STATUS_PENDING
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#endif
#endif

/* ---- handles and waits ---- */
#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)
#define INFINITE             0xFFFFFFFFu
#define WAIT_OBJECT_0        0x00000000u
#define WAIT_ABANDONED_0     0x00000080u
#define WAIT_TIMEOUT         0x00000102u
#define WAIT_FAILED          0xFFFFFFFFu
#define MAXIMUM_WAIT_OBJECTS 64

typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

/* Internal holds the NTSTATUS (STATUS_PENDING while in flight),
 * InternalHigh the bytes transferred. */
typedef struct _OVERLAPPED {
    ULONG_PTR Internal;
    ULONG_PTR InternalHigh;
    union {
        struct {
            DWORD Offset;
            DWORD OffsetHigh;
        };
        PVOID Pointer;
    };
    HANDLE hEvent;
} OVERLAPPED, *LPOVERLAPPED;

#define HasOverlappedIoCompleted(lpOverlapped)                                                     \
    (((DWORD)(lpOverlapped)->Internal) != (DWORD)STATUS_PENDING)

/* ---- files ---- */
#ifndef GENERIC_READ
#define GENERIC_READ 0x80000000u
#endif
#ifndef GENERIC_WRITE
#define GENERIC_WRITE 0x40000000u
#endif
#ifndef GENERIC_ALL
#define GENERIC_ALL 0x10000000u
#endif
#define GENERIC_EXECUTE 0x20000000u
#ifndef FILE_READ_DATA
#define FILE_READ_DATA 0x0001
#endif
#ifndef FILE_WRITE_DATA
#define FILE_WRITE_DATA 0x0002
#endif
#define FILE_SHARE_READ       0x00000001
#define FILE_SHARE_WRITE      0x00000002
#define FILE_SHARE_DELETE     0x00000004
#define CREATE_NEW            1
#define CREATE_ALWAYS         2
#define OPEN_EXISTING         3
#define OPEN_ALWAYS           4
#define TRUNCATE_EXISTING     5
#define FILE_ATTRIBUTE_NORMAL 0x00000080
#define FILE_FLAG_OVERLAPPED  0x40000000

/* ---- memory (the documented sample allocates its detail buffer so) ---- */
#define LMEM_FIXED             0x0000
#define LMEM_ZEROINIT          0x0040
#define LPTR                   (LMEM_FIXED | LMEM_ZEROINIT)
#define ZeroMemory(d, n)       memset((d), 0, (n))
#define SecureZeroMemory(d, n) memset((d), 0, (n))
#define CopyMemory(d, s, n)    memcpy((d), (s), (n))
#define MoveMemory(d, s, n)    memmove((d), (s), (n))
#define FillMemory(d, n, v)    memset((d), (v), (n))

/* ---- power (winbase.h) ---- */
typedef struct _SYSTEM_POWER_STATUS {
    BYTE ACLineStatus;         /* AC_LINE_* */
    BYTE BatteryFlag;          /* BATTERY_FLAG_* bits, or BATTERY_FLAG_UNKNOWN */
    BYTE BatteryLifePercent;   /* 0..100, or BATTERY_PERCENTAGE_UNKNOWN */
    BYTE SystemStatusFlag;     /* 1 = battery saver on (MinGW: Reserved1) */
    DWORD BatteryLifeTime;     /* seconds, or BATTERY_LIFE_UNKNOWN (also on AC) */
    DWORD BatteryFullLifeTime; /* seconds, or BATTERY_LIFE_UNKNOWN */
} SYSTEM_POWER_STATUS, *LPSYSTEM_POWER_STATUS;

#define AC_LINE_OFFLINE                    0x00
#define AC_LINE_ONLINE                     0x01
#define AC_LINE_BACKUP_POWER               0x02
#define AC_LINE_UNKNOWN                    0xFF
#define BATTERY_FLAG_HIGH                  0x01
#define BATTERY_FLAG_LOW                   0x02
#define BATTERY_FLAG_CRITICAL              0x04
#define BATTERY_FLAG_CHARGING              0x08
#define BATTERY_FLAG_NO_BATTERY            0x80
#define BATTERY_FLAG_UNKNOWN               0xFF
#define BATTERY_PERCENTAGE_UNKNOWN         0xFF
#define BATTERY_LIFE_UNKNOWN               0xFFFFFFFFu
#define SYSTEM_STATUS_FLAG_POWER_SAVING_ON 0x01

/* ---- functions (libbattkit-client) ---- */
DWORD WINAPI GetLastError(void);
void WINAPI SetLastError(DWORD dwErrCode);

HANDLE WINAPI CreateFileW(LPCWSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile);
HANDLE WINAPI CreateFileA(LPCSTR lpFileName, DWORD dwDesiredAccess, DWORD dwShareMode,
                          LPSECURITY_ATTRIBUTES lpSecurityAttributes, DWORD dwCreationDisposition,
                          DWORD dwFlagsAndAttributes, HANDLE hTemplateFile);
BOOL WINAPI CloseHandle(HANDLE hObject);
BOOL WINAPI DeviceIoControl(HANDLE hDevice, DWORD dwIoControlCode, LPVOID lpInBuffer,
                            DWORD nInBufferSize, LPVOID lpOutBuffer, DWORD nOutBufferSize,
                            LPDWORD lpBytesReturned, LPOVERLAPPED lpOverlapped);
BOOL WINAPI GetOverlappedResult(HANDLE hFile, LPOVERLAPPED lpOverlapped,
                                LPDWORD lpNumberOfBytesTransferred, BOOL bWait);
BOOL WINAPI CancelIo(HANDLE hFile);
BOOL WINAPI CancelIoEx(HANDLE hFile, LPOVERLAPPED lpOverlapped);

HANDLE WINAPI CreateEventW(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCWSTR lpName);
HANDLE WINAPI CreateEventA(LPSECURITY_ATTRIBUTES lpEventAttributes, BOOL bManualReset,
                           BOOL bInitialState, LPCSTR lpName);
BOOL WINAPI SetEvent(HANDLE hEvent);
BOOL WINAPI ResetEvent(HANDLE hEvent);
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
DWORD WINAPI WaitForMultipleObjects(DWORD nCount, const HANDLE *lpHandles, BOOL bWaitAll,
                                    DWORD dwMilliseconds);

HLOCAL WINAPI LocalAlloc(UINT uFlags, SIZE_T uBytes);
HLOCAL WINAPI LocalFree(HLOCAL hMem);

BOOL WINAPI GetSystemPowerStatus(LPSYSTEM_POWER_STATUS lpSystemPowerStatus);

/* ---- SYSTEM_BATTERY_STATE (winnt.h), 32 bytes: what
 * CallNtPowerInformation(SystemBatteryState) returns (powrprof.h) ---- */
typedef struct {
    BOOLEAN AcOnLine;
    BOOLEAN BatteryPresent;
    BOOLEAN Charging;
    BOOLEAN Discharging;
    BOOLEAN Spare1[3];
    BYTE Tag;
    DWORD MaxCapacity;       /* mWh */
    DWORD RemainingCapacity; /* mWh */
    DWORD Rate;              /* mW, read as LONG: < 0 discharging */
    DWORD EstimatedTime;     /* seconds */
    DWORD DefaultAlert1;     /* mWh */
    DWORD DefaultAlert2;     /* mWh */
} SYSTEM_BATTERY_STATE, *PSYSTEM_BATTERY_STATE;

/* ---- text (stringapiset.h): battkit's code pages are all UTF-8 ---- */
#define CP_ACP               0
#define CP_OEMCP             1
#define CP_UTF8              65001
#define WC_ERR_INVALID_CHARS 0x80
#define MB_ERR_INVALID_CHARS 0x08
int WINAPI WideCharToMultiByte(UINT CodePage, DWORD dwFlags, LPCWSTR lpWideCharStr, int cchWideChar,
                               LPSTR lpMultiByteStr, int cbMultiByte, LPCSTR lpDefaultChar,
                               LPBOOL lpUsedDefaultChar);
int WINAPI MultiByteToWideChar(UINT CodePage, DWORD dwFlags, LPCSTR lpMultiByteStr, int cbMultiByte,
                               LPWSTR lpWideCharStr, int cchWideChar);

#ifdef UNICODE
#define CreateFile  CreateFileW
#define CreateEvent CreateEventW
#else
#define CreateFile  CreateFileA
#define CreateEvent CreateEventA
#endif

#ifdef __cplusplus
}
#endif

#include <string.h> /* ZeroMemory and friends */

#endif /* _WINDOWS_ */

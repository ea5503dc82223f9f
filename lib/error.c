/* GetLastError/SetLastError (per thread) and the NTSTATUS -> Win32 error
 * table (reference 7.4 rows plus the library's own transport statuses).
 * Translation rules, as RtlNtStatusToDosError applies them: 0 stays 0,
 * customer codes (bit 29) pass through, 0xD... reads as 0xC..., codes with
 * high word 0xC001 or 0x8007 carry the Win32 code in the low word, anything
 * else not in the table is ERROR_MR_MID_NOT_FOUND. */
#include "internal.h"

static _Thread_local DWORD last_error;
static _Thread_local NTSTATUS last_status;

static const struct {
    uint32_t status;
    DWORD error;
} status_table[] = {
    {0x00000000u, ERROR_SUCCESS},
    {0x00000102u, ERROR_TIMEOUT},                /* STATUS_TIMEOUT */
    {0x00000103u, ERROR_IO_PENDING},             /* STATUS_PENDING */
    {0x80000005u, ERROR_MORE_DATA},              /* STATUS_BUFFER_OVERFLOW */
    {0x80000011u, ERROR_BUSY},                   /* STATUS_DEVICE_BUSY */
    {0x8000001Au, ERROR_NO_MORE_ITEMS},          /* STATUS_NO_MORE_ENTRIES */
    {0xC0000001u, ERROR_GEN_FAILURE},            /* STATUS_UNSUCCESSFUL */
    {0xC0000002u, ERROR_INVALID_FUNCTION},       /* STATUS_NOT_IMPLEMENTED */
    {0xC0000003u, ERROR_INVALID_PARAMETER},      /* STATUS_INVALID_INFO_CLASS */
    {0xC0000004u, ERROR_BAD_LENGTH},             /* STATUS_INFO_LENGTH_MISMATCH */
    {0xC0000005u, ERROR_NOACCESS},               /* STATUS_ACCESS_VIOLATION */
    {0xC0000008u, ERROR_INVALID_HANDLE},         /* STATUS_INVALID_HANDLE */
    {0xC000000Du, ERROR_INVALID_PARAMETER},      /* STATUS_INVALID_PARAMETER */
    {0xC000000Eu, ERROR_FILE_NOT_FOUND},         /* STATUS_NO_SUCH_DEVICE */
    {0xC000000Fu, ERROR_FILE_NOT_FOUND},         /* STATUS_NO_SUCH_FILE */
    {0xC0000010u, ERROR_INVALID_FUNCTION},       /* STATUS_INVALID_DEVICE_REQUEST */
    {0xC0000011u, ERROR_HANDLE_EOF},             /* STATUS_END_OF_FILE */
    {0xC0000017u, ERROR_NOT_ENOUGH_MEMORY},      /* STATUS_NO_MEMORY */
    {0xC0000022u, ERROR_ACCESS_DENIED},          /* STATUS_ACCESS_DENIED */
    {0xC0000023u, ERROR_INSUFFICIENT_BUFFER},    /* STATUS_BUFFER_TOO_SMALL */
    {0xC0000033u, ERROR_INVALID_NAME},           /* STATUS_OBJECT_NAME_INVALID */
    {0xC0000034u, ERROR_FILE_NOT_FOUND},         /* STATUS_OBJECT_NAME_NOT_FOUND */
    {0xC000003Au, ERROR_PATH_NOT_FOUND},         /* STATUS_OBJECT_PATH_NOT_FOUND */
    {0xC0000056u, ERROR_ACCESS_DENIED},          /* STATUS_DELETE_PENDING */
    {0xC0000059u, ERROR_REVISION_MISMATCH},      /* STATUS_REVISION_MISMATCH */
    {0xC000009Au, ERROR_NO_SYSTEM_RESOURCES},    /* STATUS_INSUFFICIENT_RESOURCES */
    {0xC00000A3u, ERROR_NOT_READY},              /* STATUS_DEVICE_NOT_READY */
    {0xC00000B0u, ERROR_PIPE_NOT_CONNECTED},     /* STATUS_PIPE_DISCONNECTED */
    {0xC00000B5u, ERROR_SEM_TIMEOUT},            /* STATUS_IO_TIMEOUT */
    {0xC00000BBu, ERROR_NOT_SUPPORTED},          /* STATUS_NOT_SUPPORTED */
    {0xC00000C0u, ERROR_DEV_NOT_EXIST},          /* STATUS_DEVICE_DOES_NOT_EXIST */
    {0xC00000C3u, ERROR_BAD_NET_RESP},           /* STATUS_INVALID_NETWORK_RESPONSE */
    {0xC00000EFu, ERROR_INVALID_PARAMETER},      /* STATUS_INVALID_PARAMETER_1 */
    {0xC00000F0u, ERROR_INVALID_PARAMETER},      /* _2 */
    {0xC00000F1u, ERROR_INVALID_PARAMETER},      /* _3 */
    {0xC00000F2u, ERROR_INVALID_PARAMETER},      /* _4 */
    {0xC0000120u, ERROR_OPERATION_ABORTED},      /* STATUS_CANCELLED */
    {0xC000014Bu, ERROR_BROKEN_PIPE},            /* STATUS_PIPE_BROKEN */
    {0xC0000184u, ERROR_BAD_COMMAND},            /* STATUS_INVALID_DEVICE_STATE */
    {0xC0000206u, ERROR_INVALID_USER_BUFFER},    /* STATUS_INVALID_BUFFER_SIZE */
    {0xC0000225u, ERROR_NOT_FOUND},              /* STATUS_NOT_FOUND */
    {0xC0000295u, ERROR_WMI_GUID_NOT_FOUND},     /* STATUS_WMI_GUID_NOT_FOUND */
    {0xC0000296u, ERROR_WMI_INSTANCE_NOT_FOUND}, /* STATUS_WMI_INSTANCE_NOT_FOUND */
    {0xC00002B6u, ERROR_DEVICE_REMOVED},         /* STATUS_DEVICE_REMOVED */
};

DWORD WINAPI BattkitNtStatusToWin32Error(NTSTATUS status)
{
    uint32_t s = (uint32_t)status;
    if (s == 0)
        return ERROR_SUCCESS;
    if (s & 0x20000000u) /* customer code */
        return s;
    if ((s & 0xF0000000u) == 0xD0000000u)
        s = (s & 0x0FFFFFFFu) | 0xC0000000u;
    if ((s >> 16) == 0xC001u || (s >> 16) == 0x8007u)
        return s & 0xFFFFu;
    for (size_t i = 0; i < sizeof status_table / sizeof status_table[0]; i++)
        if (status_table[i].status == s)
            return status_table[i].error;
    return ERROR_MR_MID_NOT_FOUND;
}

NTSTATUS WINAPI BattkitGetLastNtStatus(void)
{
    return last_status;
}

DWORD WINAPI GetLastError(void)
{
    return last_error;
}

void WINAPI SetLastError(DWORD dwErrCode)
{
    last_error = dwErrCode;
    last_status = 0;
}

void bkc_set_error(DWORD error)
{
    last_error = error;
    last_status = 0;
}

void bkc_set_status(NTSTATUS status)
{
    switch (status) {
    case BKC_STATUS_NO_DAEMON:
        last_error = ERROR_SERVICE_NOT_ACTIVE;
        break;
    case BKC_STATUS_DISCONNECTED:
        last_error = ERROR_BROKEN_PIPE;
        break;
    default:
        last_error = BattkitNtStatusToWin32Error(status);
        break;
    }
    last_status = status;
}

/* The Win32 error codes battkit's client library reports through
 * GetLastError() (winerror.h numbering). Only the codes the library can
 * produce; NTSTATUS values map to them as lib/error.c's table says. */
#ifndef BATTKIT_WINERROR_H
#define BATTKIT_WINERROR_H

#define ERROR_SUCCESS                0
#define NO_ERROR                     0
#define ERROR_INVALID_FUNCTION       1
#define ERROR_FILE_NOT_FOUND         2
#define ERROR_PATH_NOT_FOUND         3
#define ERROR_ACCESS_DENIED          5
#define ERROR_INVALID_HANDLE         6
#define ERROR_NOT_ENOUGH_MEMORY      8
#define ERROR_OUTOFMEMORY            14
#define ERROR_NOT_READY              21
#define ERROR_BAD_COMMAND            22
#define ERROR_BAD_LENGTH             24
#define ERROR_GEN_FAILURE            31
#define ERROR_HANDLE_EOF             38
#define ERROR_NOT_SUPPORTED          50
#define ERROR_DEV_NOT_EXIST          55
#define ERROR_BAD_NET_RESP           58
#define ERROR_INVALID_PARAMETER      87
#define ERROR_BROKEN_PIPE            109
#define ERROR_SEM_TIMEOUT            121
#define ERROR_INSUFFICIENT_BUFFER    122
#define ERROR_INVALID_NAME           123
#define ERROR_BUSY                   170
#define ERROR_PIPE_NOT_CONNECTED     233
#define ERROR_MORE_DATA              234
#define ERROR_NO_MORE_ITEMS          259
#define ERROR_MR_MID_NOT_FOUND       317
#define ERROR_OPERATION_ABORTED      995
#define ERROR_IO_INCOMPLETE          996
#define ERROR_IO_PENDING             997
#define ERROR_NOACCESS               998
#define ERROR_INVALID_FLAGS          1004
#define ERROR_SERVICE_NOT_ACTIVE     1062
#define ERROR_NO_UNICODE_TRANSLATION 1113
#define ERROR_NOT_FOUND              1168
#define ERROR_REVISION_MISMATCH      1306
#define ERROR_NO_SYSTEM_RESOURCES    1450
#define ERROR_TIMEOUT                1460
#define ERROR_DEVICE_REMOVED         1617
#define ERROR_INVALID_USER_BUFFER    1784
#define ERROR_WMI_GUID_NOT_FOUND     4200
#define ERROR_WMI_INSTANCE_NOT_FOUND 4201

#endif

/* powrprof.h (user mode): CallNtPowerInformation and the information
 * levels, with the documented names and values (POWER_INFORMATION_LEVEL,
 * wdm.h / ntpoapi.h pages). battkit answers SystemBatteryState from the
 * power manager; the other levels are not implemented. */
#ifndef BATTKIT_POWRPROF_H
#define BATTKIT_POWRPROF_H

#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef BATTKIT_POWER_INFORMATION_LEVEL_DEFINED
#define BATTKIT_POWER_INFORMATION_LEVEL_DEFINED
typedef enum {
    SystemPowerPolicyAc = 0,
    SystemPowerPolicyDc = 1,
    VerifySystemPolicyAc = 2,
    VerifySystemPolicyDc = 3,
    SystemPowerCapabilities = 4,
    SystemBatteryState = 5,
    SystemPowerStateHandler = 6,
    ProcessorStateHandler = 7,
    SystemPowerPolicyCurrent = 8,
    AdministratorPowerPolicy = 9,
    SystemReserveHiberFile = 10,
    ProcessorInformation = 11,
    SystemPowerInformation = 12,
    ProcessorStateHandler2 = 13,
    LastWakeTime = 14,
    LastSleepTime = 15,
    SystemExecutionState = 16,
} POWER_INFORMATION_LEVEL;
#endif

/* docs: STATUS_SUCCESS, STATUS_BUFFER_TOO_SMALL, STATUS_ACCESS_DENIED;
 * battkit adds STATUS_INVALID_PARAMETER (an input buffer where none is
 * taken) and STATUS_NOT_IMPLEMENTED (a level it does not answer). */
NTSTATUS WINAPI CallNtPowerInformation(POWER_INFORMATION_LEVEL InformationLevel, PVOID InputBuffer,
                                       ULONG InputBufferLength, PVOID OutputBuffer,
                                       ULONG OutputBufferLength);

#ifdef __cplusplus
}
#endif
#endif

/* battkit's additions to the Win32 battery API of libbattkit-client: where
 * the calls go (a battd socket, or a host embedded in this process),
 * interface arrival/removal events, and the daemon's simulator, virtual
 * clock and DC power policy. Everything reports errors the Win32 way:
 * FALSE (or NULL) and GetLastError(). */
#ifndef BATTKIT_CLIENT_H
#define BATTKIT_CLIENT_H

#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bk_host;

/* Connects to battd at socketPath (NULL: $BATTKIT_SOCKET, else
 * $XDG_RUNTIME_DIR/battkit/battd.sock, else /run/battkit/battd.sock),
 * replacing any earlier connection. Without it the first call that needs
 * the daemon connects to the default. ERROR_SERVICE_NOT_ACTIVE: nothing
 * listens there; ERROR_ACCESS_DENIED: the socket refused us;
 * ERROR_REVISION_MISMATCH: the daemon speaks another protocol version. */
BOOL WINAPI BattkitConnect(LPCSTR socketPath);
/* Drops the connection (handles from it become invalid) and any embedded host. */
void WINAPI BattkitDisconnect(void);
/* Sends every later call to a host in this process instead of battd (NULL:
 * back to the daemon). Synchronous DeviceIoControl then behaves as
 * bk_ioctl: on virtual time it advances the clock until the request
 * completes. */
BOOL WINAPI BattkitUseEmbeddedHost(struct bk_host *host);
/* The default socket path into buf (the same rule battd uses). */
LPCSTR WINAPI BattkitDefaultSocketPath(LPSTR buf, DWORD size);

/* The Win32 error an NTSTATUS maps to (RtlNtStatusToDosError's table;
 * unmapped values give ERROR_MR_MID_NOT_FOUND). */
DWORD WINAPI BattkitNtStatusToWin32Error(NTSTATUS status);
/* The NTSTATUS behind the calling thread's last error, when the last call
 * failed with one (0 otherwise): for messages that name it. */
NTSTATUS WINAPI BattkitGetLastNtStatus(void);

typedef struct _BATTKIT_SERVER_INFO {
    DWORD ProtocolVersion;
    BOOL Embedded;       /* calls go to a host in this process */
    BOOL Privileged;     /* may set information, drive the simulator, change policy */
    BOOL VirtualTime;    /* the host's clock is virtual */
    DWORD VirtualFactor; /* virtual seconds per real second; 0 = moved only by BattkitAdvance */
    DWORD ServerPid;
    DWORD PeerUid;
    ULONGLONG NowNs; /* host interrupt time when connected (embedded: now) */
} BATTKIT_SERVER_INFO, *PBATTKIT_SERVER_INFO;
BOOL WINAPI BattkitGetServerInfo(PBATTKIT_SERVER_INFO info);

/* ---- interface arrival and removal ---- */
typedef struct _BATTKIT_INTERFACE_EVENT {
    GUID InterfaceClassGuid;
    BOOL Arrived; /* TRUE arrival, FALSE removal */
    WCHAR DevicePath[512];
} BATTKIT_INTERFACE_EVENT, *PBATTKIT_INTERFACE_EVENT;
/* A waitable handle (WaitForSingleObject/WaitForMultipleObjects), signalled
 * while events are queued; CloseHandle ends the watch. NULL on failure. */
HANDLE WINAPI BattkitWatchInterfaces(const GUID *InterfaceClassGuid);
/* Takes the oldest queued event; FALSE with ERROR_NO_MORE_ITEMS when none. */
BOOL WINAPI BattkitReadInterfaceEvent(HANDLE hWatch, PBATTKIT_INTERFACE_EVENT event);

/* ---- the daemon's virtual clock and simulator (privileged) ---- */
/* Moves virtual time forward by ns; *nowNs (optional) gets the new time.
 * ERROR_NOT_SUPPORTED on real time; ERROR_ACCESS_DENIED unprivileged. */
BOOL WINAPI BattkitAdvance(ULONGLONG ns, ULONGLONG *nowNs);

#define BATTKIT_SIM_AC              1 /* value: 0 off, 1 on; name: adapter or NULL for all */
#define BATTKIT_SIM_PRESENT         2 /* value: 0 remove, 1 insert; name: battery */
#define BATTKIT_SIM_FAULT           3 /* value: BATTKIT_SIM_FAULT_* bits; arg2: 1 set, 0 clear */
#define BATTKIT_SIM_LOAD            4 /* value: system load in mW */
#define BATTKIT_SIM_CHARGE          5 /* value: state of charge, hundredths of a percent */
#define BATTKIT_SIM_TEMPERATURE     6 /* value: tenths of a degree Celsius */
#define BATTKIT_SIM_FAULT_NO_ANSWER 0x01
#define BATTKIT_SIM_FAULT_STUCK     0x02
#define BATTKIT_SIM_FAULT_SENSOR    0x04
#define BATTKIT_SIM_FAULT_CRITICAL  0x08
#define BATTKIT_SIM_FAULT_WRONG_TAG 0x10
/* ERROR_FILE_NOT_FOUND: no such device in the machine. */
BOOL WINAPI BattkitSim(DWORD op, LONG value, DWORD arg2, LPCSTR name);

/* ---- DC power policy (kept by battd) ---- */
#define BATTKIT_ACTION_NONE      0
#define BATTKIT_ACTION_SLEEP     1
#define BATTKIT_ACTION_HIBERNATE 2
#define BATTKIT_ACTION_SHUTDOWN  3
typedef struct _BATTKIT_POLICY {
    DWORD LowPercent;      /* low battery level, 0..100 */
    DWORD CriticalPercent; /* critical battery level, 0..LowPercent */
    DWORD LowAction;       /* BATTKIT_ACTION_* */
    DWORD CriticalAction;
} BATTKIT_POLICY, *PBATTKIT_POLICY;
typedef struct _BATTKIT_POLICY_STATE {
    BATTKIT_POLICY Policy;
    DWORD Level;        /* 0 normal, 1 low, 2 critical */
    DWORD Percent;      /* composite charge, 255 unknown */
    DWORD OnAc;         /* 1 AC, 0 battery, 255 unknown */
    DWORD ActionsTaken; /* low/critical actions fired since battd started */
} BATTKIT_POLICY_STATE, *PBATTKIT_POLICY_STATE;
/* The low/critical part of the DC policy (BattkitGetDcPolicy has all). */
BOOL WINAPI BattkitGetPolicy(PBATTKIT_POLICY_STATE state);
/* ERROR_INVALID_PARAMETER: levels out of range or critical above low.
 * The reserve level and the rest of the DC policy are kept. */
BOOL WINAPI BattkitSetPolicy(const BATTKIT_POLICY *policy);

/* The whole DC policy of the power manager: low, reserve and critical
 * levels, each a charge and optionally a remaining time (minutes, 0 = by
 * charge only), with an action; the critical action waits
 * CriticalDelaySeconds and AC returning in that time cancels it. */
#define BATTKIT_ACTION_NOTIFY  4
#define BATTKIT_LEVEL_NORMAL   0
#define BATTKIT_LEVEL_LOW      1
#define BATTKIT_LEVEL_RESERVE  2
#define BATTKIT_LEVEL_CRITICAL 3
typedef struct _BATTKIT_DC_POLICY {
    DWORD LowPercent, ReservePercent, CriticalPercent; /* critical <= reserve <= low <= 100 */
    DWORD LowMinutes, ReserveMinutes, CriticalMinutes; /* 0..1440 */
    DWORD LowAction, ReserveAction, CriticalAction;    /* BATTKIT_ACTION_* */
    DWORD CriticalDelaySeconds;                        /* 0..3600 */
} BATTKIT_DC_POLICY, *PBATTKIT_DC_POLICY;
typedef struct _BATTKIT_DC_POLICY_STATE {
    BATTKIT_DC_POLICY Policy;
    DWORD Level;         /* BATTKIT_LEVEL_* the system is in */
    DWORD Percent;       /* system charge, 255 unknown */
    DWORD OnAc;          /* 1 AC, 0 battery */
    DWORD ActionsTaken;  /* since the host started */
    DWORD EstimatedTime; /* seconds to empty, 0xFFFFFFFF unknown */
} BATTKIT_DC_POLICY_STATE, *PBATTKIT_DC_POLICY_STATE;
BOOL WINAPI BattkitGetDcPolicy(PBATTKIT_DC_POLICY_STATE state);
/* ERROR_INVALID_PARAMETER with the setting named in why (optional). */
BOOL WINAPI BattkitSetDcPolicy(const BATTKIT_DC_POLICY *policy, LPSTR why, DWORD whyLength);

#ifdef __cplusplus
}
#endif
#endif

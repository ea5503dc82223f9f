/* badmini's private interface: the misbehaviours the conformance suite's
 * test miniclass can be told to show, and the control IOCTLs (sent on the
 * battery's own handle) that the suite's battery controller uses. Shared by
 * the driver and the suite; nothing else of the driver is visible. */
#ifndef BADMINI_IOCTL_H
#define BADMINI_IOCTL_H

#include <poclass.h>

/* Hardware IDs are "BADMINI\<Name>[+<Name>...]" with the names below
 * ("BADMINI\Good" misbehaves in no way); IOCTL_BADMINI_SET_MISBEHAVIOUR
 * changes the set later. */
#define BADMINI_MB_GARBAGE     0x0001 /* answers 0xCD-filled, uninitialised-looking data */
#define BADMINI_MB_LONG_LENGTH 0x0002 /* *ReturnedLength = BufferLength + 64 */
#define BADMINI_MB_ZERO_TAG    0x0004 /* QueryTag: STATUS_SUCCESS with BATTERY_TAG_INVALID */
#define BADMINI_MB_SLOW        0x0008 /* every callback first waits BADMINI_SLOW_MS */
#define BADMINI_MB_RATE_SIGN   0x0010 /* Rate negated: positive while discharging */
#define BADMINI_MB_SILENT      0x0020 /* no BatteryClassStatusNotify; SetStatusNotify unsupported */
#define BADMINI_MB_IGNORE_TAG  0x0040 /* accepts any tag, stale ones included */
#define BADMINI_MB_SAME_TAG    0x0080 /* keeps the old tag on insertion */
#define BADMINI_MB_LEAK        0x0100 /* leaves one pool block behind at removal */

/* Virtual milliseconds a BADMINI_MB_SLOW callback spends in
 * KeDelayExecutionThread before answering. */
#define BADMINI_SLOW_MS 3000

/* All METHOD_BUFFERED, need a handle opened for write, input only. */
#define BADMINI_CTL(n)                                                                             \
    CTL_CODE(FILE_DEVICE_BATTERY, 0xB00 + (n), METHOD_BUFFERED, FILE_WRITE_ACCESS)
#define IOCTL_BADMINI_SET_MISBEHAVIOUR BADMINI_CTL(0) /* ULONG: BADMINI_MB_* */
#define IOCTL_BADMINI_SET_PRESENT      BADMINI_CTL(1) /* ULONG: 0 remove, 1 insert */
#define IOCTL_BADMINI_SET_AC           BADMINI_CTL(2) /* ULONG: 0 offline, 1 online */
#define IOCTL_BADMINI_SET_STATUS       BADMINI_CTL(3) /* BATTERY_STATUS as the pack reports it */
#define IOCTL_BADMINI_NOTIFY           BADMINI_CTL(4) /* none: call BatteryClassStatusNotify */

#endif

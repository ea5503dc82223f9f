/* Device I/O control code macros (winioctl.h/devioctl.h) for user mode.
 * Each name is guarded and spelled token for token as include/wdk/io.h
 * spells it, so a file that also sees the WDK headers compiles. */
#ifndef BATTKIT_WINIOCTL_H
#define BATTKIT_WINIOCTL_H

#ifndef CTL_CODE
#define CTL_CODE(DeviceType, Function, Method, Access)                                             \
    (((DeviceType) << 16) | ((Access) << 14) | ((Function) << 2) | (Method))
#endif
#ifndef DEVICE_TYPE_FROM_CTL_CODE
#define DEVICE_TYPE_FROM_CTL_CODE(c) (((ULONG)((c)&0xffff0000)) >> 16)
#endif
#ifndef METHOD_FROM_CTL_CODE
#define METHOD_FROM_CTL_CODE(c) ((ULONG)((c)&3))
#endif
#ifndef METHOD_BUFFERED
#define METHOD_BUFFERED   0
#define METHOD_IN_DIRECT  1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER    3
#endif
#ifndef FILE_ANY_ACCESS
#define FILE_ANY_ACCESS     0
#define FILE_SPECIAL_ACCESS FILE_ANY_ACCESS
#endif
#ifndef FILE_READ_ACCESS
#define FILE_READ_ACCESS  0x0001
#define FILE_WRITE_ACCESS 0x0002
#endif
#ifndef FILE_DEVICE_BATTERY
#define FILE_DEVICE_BATTERY 0x00000029
#endif
#ifndef FILE_DEVICE_UNKNOWN
#define FILE_DEVICE_UNKNOWN 0x00000022
#endif
#ifndef FILE_DEVICE_ACPI
#define FILE_DEVICE_ACPI 0x00000032
#endif

#endif

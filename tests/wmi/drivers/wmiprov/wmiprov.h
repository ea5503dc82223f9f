/* The interface between the WMI test driver (wmiprov.so) and its tests:
 * its device interface, its two WMI blocks and the IOCTL that fires its
 * event. Shared by the driver and tests/wmi/test_driver.c. */
#ifndef WMIPROV_H
#define WMIPROV_H

/* {7d1c0f00-5a5e-4b1e-9d2a-0000000000a1} */
DEFINE_GUID(GUID_WMIPROV_INTERFACE, 0x7d1c0f00, 0x5a5e, 0x4b1e, 0x9d, 0x2a, 0x00, 0x00, 0x00, 0x00,
            0x00, 0xa1);
/* A data block: WMIPROV_DATA, one instance per device. */
DEFINE_GUID(GUID_WMIPROV_DATA, 0x7d1c0f00, 0x5a5e, 0x4b1e, 0x9d, 0x2a, 0x00, 0x00, 0x00, 0x00, 0x00,
            0xa2);
/* An event block, fired by IOCTL_WMIPROV_FIRE. */
DEFINE_GUID(GUID_WMIPROV_EVENT, 0x7d1c0f00, 0x5a5e, 0x4b1e, 0x9d, 0x2a, 0x00, 0x00, 0x00, 0x00,
            0x00, 0xa3);

typedef struct _WMIPROV_DATA {
    ULONG Magic;         /* WMIPROV_MAGIC */
    ULONG Queries;       /* how many QUERY_ALL_DATA/SINGLE_INSTANCE the driver answered */
    ULONG EventsEnabled; /* 1 while IRP_MN_ENABLE_EVENTS is in force */
} WMIPROV_DATA;
#define WMIPROV_MAGIC 0x57504D49u /* "IMPW" */

/* Input: a ULONG the event carries. */
#define IOCTL_WMIPROV_FIRE CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900, METHOD_BUFFERED, FILE_ANY_ACCESS)

#endif

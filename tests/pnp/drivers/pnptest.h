/* The private contract between the PnP test drivers and tests/pnp: the
 * interface classes they register, the bus driver's IOCTL, and the knobs
 * and event log every test driver exports for the tests (found with dlsym). */
#ifndef PNPTEST_H
#define PNPTEST_H

#include <wdm.h>

/* {6f0b3a52-7d0e-4c55-9a41-3c1de5a0b001}: the function driver's interface. */
DEFINE_GUID(GUID_PNPTEST_FN_INTERFACE, 0x6f0b3a52, 0x7d0e, 0x4c55, 0x9a, 0x41, 0x3c, 0x1d, 0xe5,
            0xa0, 0xb0, 0x01);
/* {6f0b3a52-7d0e-4c55-9a41-3c1de5a0b002}: the bus driver's control interface. */
DEFINE_GUID(GUID_PNPTEST_BUS_INTERFACE, 0x6f0b3a52, 0x7d0e, 0x4c55, 0x9a, 0x41, 0x3c, 0x1d, 0xe5,
            0xa0, 0xb0, 0x02);

/* Input: ULONG, bit n = child n present (n < PNPTEST_MAX_CHILDREN). The bus
 * driver then calls IoInvalidateDeviceRelations(BusRelations). */
#define IOCTL_PNPTEST_SET_CHILDREN                                                                 \
    CTL_CODE(FILE_DEVICE_BUS_EXTENDER, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define PNPTEST_MAX_CHILDREN 4

/* Knobs (pnptest_set / pnptest_get). */
enum pnptest_knob {
    PNPTEST_FAIL_START = 1, /* fn: complete IRP_MN_START_DEVICE with an error */
    PNPTEST_VETO_REMOVE,    /* fn: fail IRP_MN_QUERY_REMOVE_DEVICE */
    PNPTEST_REPORT_FAILED,  /* fn: answer QUERY_PNP_DEVICE_STATE with PNP_DEVICE_FAILED */
    PNPTEST_DEVICES,        /* get: device objects the driver has now */
    PNPTEST_LOADED,         /* get: 1 between DriverEntry and DriverUnload */
    PNPTEST_LEAK_AT_ENTRY,  /* leakfn: DriverEntry leaves the 'Leak' block (no device needed) */
};

#define PNPTEST_EXPORT __attribute__((visibility("default")))
/* The event log: one event per line, "<device label> <EVENT>". */
PNPTEST_EXPORT const char *pnptest_log(void);
PNPTEST_EXPORT void pnptest_reset(void);
PNPTEST_EXPORT void pnptest_set(int knob, long value);
PNPTEST_EXPORT long pnptest_get(int knob);

/* Driver side (testlog.c). */
void pnptest_event(const char *label, const char *event);
/* "<label> <event>=<value as 8 hex digits>" */
void pnptest_event_value(const char *label, const char *event, unsigned long value);
extern long pnptest_knobs[8];

#endif

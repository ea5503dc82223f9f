/* The framework tests' driver (wdftest.so): its interface, IOCTLs and the
 * exported hooks the tests read its record through. */
#ifndef WDFTEST_IOCTL_H
#define WDFTEST_IOCTL_H

#define WDFTEST_HWID     "BATTKIT\\WdfTest"
#define WDFTEST_TAG_TEXT "WTst"

/* {5e0c7a1c-2b7e-4f0e-9d7e-6a1f3c2b9d10} */
DEFINE_GUID(GUID_DEVINTERFACE_WDFTEST, 0x5e0c7a1c, 0x2b7e, 0x4f0e, 0x9d, 0x7e, 0x6a, 0x1f, 0x3c,
            0x2b, 0x9d, 0x10);

#define WDFTEST_CTL(n) CTL_CODE(FILE_DEVICE_UNKNOWN, 0x900 + (n), METHOD_BUFFERED, FILE_ANY_ACCESS)
/* Kept by the driver until wdftest_complete_held. */
#define IOCTL_WDFTEST_HOLD WDFTEST_CTL(0)
/* Marked cancelable and kept; EvtRequestCancel completes it. */
#define IOCTL_WDFTEST_CANCELABLE WDFTEST_CTL(1)
/* Completed at once with Information = the input length. */
#define IOCTL_WDFTEST_ECHO WDFTEST_CTL(2)
/* Writes the input ULONG to "Value" in the device's hardware key, reads it
 * back into the output. */
#define IOCTL_WDFTEST_REGISTRY WDFTEST_CTL(3)

/* Exported by wdftest.so (dlsym). */
typedef struct wdftest_hooks {
    const char *(*log)(void); /* "DeviceAdd PrepareHardware ..." */
    void (*clear_log)(void);
    int (*complete_held)(void); /* completes the oldest held request; 0 if none */
    unsigned (*held)(void);
    unsigned (*max_concurrent)(void); /* most requests in EvtIoDeviceControl's hands at once */
    unsigned (*cancel_calls)(void);
    unsigned (*preprocessed)(void); /* IRP_MJ_DEVICE_CONTROL IRPs the preprocess callback saw */
    void (*set_veto)(int query_stop, int query_remove);
    void (*leak)(void); /* a memory object referenced and never released */
} wdftest_hooks_t;
#define WDFTEST_HOOKS_EXPORT "WdfTestHooks"

#endif

/* wdftypes.h: the framework's handle types, WDF_TRI_STATE and the calling
 * conventions, as the KMDF reference names them. Handles are opaque
 * pointers; each framework object type has its own, so passing a WDFQUEUE
 * where a WDFDEVICE is wanted is a compile-time warning. */
#ifndef BATTKIT_WDFTYPES_H
#define BATTKIT_WDFTYPES_H

#include <ntddk.h>

#ifdef __cplusplus
#define WDF_EXTERN_C       extern "C"
#define WDF_EXTERN_C_START extern "C" {
#define WDF_EXTERN_C_END   }
#else
#define WDF_EXTERN_C
#define WDF_EXTERN_C_START
#define WDF_EXTERN_C_END
#endif

/* Routines are plain exported functions of the host (docs/kmdf.md): no
 * function table, no WDF_DRIVER_GLOBALS argument. */
#define WDFAPI
#define WDFEXPORT(a) a

typedef const CHAR *PCCH;

#ifndef POINTER_ALIGNMENT
#define POINTER_ALIGNMENT
#endif

/* As in C builds of the WDK, every handle is a HANDLE, so a WDFDEVICE can
 * be passed where a WDFOBJECT is expected (WdfObjectDelete, the context
 * accessors) without a cast. */
#define WDF_DECLARE_HANDLE(name) typedef HANDLE name

WDF_DECLARE_HANDLE(WDFOBJECT);
typedef PVOID WDFCONTEXT;
WDF_DECLARE_HANDLE(WDFDRIVER);
WDF_DECLARE_HANDLE(WDFDEVICE);
WDF_DECLARE_HANDLE(WDFQUEUE);
WDF_DECLARE_HANDLE(WDFREQUEST);
WDF_DECLARE_HANDLE(WDFFILEOBJECT);
WDF_DECLARE_HANDLE(WDFMEMORY);
WDF_DECLARE_HANDLE(WDFWAITLOCK);
WDF_DECLARE_HANDLE(WDFSPINLOCK);
WDF_DECLARE_HANDLE(WDFKEY);
WDF_DECLARE_HANDLE(WDFSTRING);
WDF_DECLARE_HANDLE(WDFTIMER);
WDF_DECLARE_HANDLE(WDFWORKITEM);
WDF_DECLARE_HANDLE(WDFCMRESLIST);
WDF_DECLARE_HANDLE(WDFIOTARGET);

typedef struct WDFDEVICE_INIT *PWDFDEVICE_INIT;

#define WDF_NO_HANDLE            NULL
#define WDF_NO_OBJECT_ATTRIBUTES NULL
#define WDF_NO_EVENT_CALLBACK    NULL
#define WDF_NO_CONTEXT           NULL
#define WDF_NO_SEND_OPTIONS      NULL

typedef enum _WDF_TRI_STATE {
    WdfFalse = FALSE,
    WdfTrue = TRUE,
    WdfUseDefault = 2,
} WDF_TRI_STATE,
    *PWDF_TRI_STATE;

/* A size the framework checks in every *_INIT-initialised structure. */
#define WDF_ALIGN_SIZE_UP(Length, AlignTo) (((Length) + (AlignTo)-1) & ~((AlignTo)-1))

#endif

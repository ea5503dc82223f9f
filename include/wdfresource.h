/* wdfresource.h: resource lists handed to EvtDevicePrepareHardware. Battery
 * devices on battkit's buses get no hardware resources: the lists are
 * always empty, and only their count is offered. */
#ifndef BATTKIT_WDFRESOURCE_H
#define BATTKIT_WDFRESOURCE_H

#include <wdfobject.h>

WDF_EXTERN_C_START

WDFAPI ULONG WdfCmResourceListGetCount(WDFCMRESLIST List);

WDF_EXTERN_C_END
#endif

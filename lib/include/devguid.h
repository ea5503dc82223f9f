/* Device setup class GUIDs (devguid.h subset). GUID_DEVCLASS_BATTERY has the
 * same value as the interface class GUID_DEVICE_BATTERY (poclass.h). The
 * client library defines it; <initguid.h> first defines it in the caller. */
#include <guiddef.h>

#if defined(INITGUID) ? !defined(BATTKIT_DEVGUID_DEFINED) : !defined(BATTKIT_DEVGUID_DECLARED)
#ifdef INITGUID
#define BATTKIT_DEVGUID_DEFINED
#endif
#define BATTKIT_DEVGUID_DECLARED
DEFINE_GUID(GUID_DEVCLASS_BATTERY, 0x72631e54, 0x78a4, 0x11d0, 0xbc, 0xf7, 0x00, 0xaa, 0x00, 0xb7,
            0xb3, 0x2a);
#endif

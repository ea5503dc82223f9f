/* GUID and DEFINE_GUID. Without INITGUID a DEFINE_GUID only declares the
 * name; include <initguid.h> first in exactly one file to define it. */
#ifndef BATTKIT_GUIDDEF_H
#define BATTKIT_GUIDDEF_H

#include <stdint.h>
#include <string.h>

#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
#endif
typedef GUID *LPGUID, *PGUID;
typedef const GUID *LPCGUID, *PCGUID;
typedef GUID IID, CLSID;
#define REFGUID const GUID *

#endif /* BATTKIT_GUIDDEF_H */

/* Outside the guard: <initguid.h> re-includes this file to switch modes. */
#undef DEFINE_GUID
#ifdef INITGUID
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8)                               \
    extern const GUID name;                                                                        \
    const GUID name __attribute__((weak)) = {l, w1, w2, {b1, b2, b3, b4, b5, b6, b7, b8}}
#else
#define DEFINE_GUID(name, l, w1, w2, b1, b2, b3, b4, b5, b6, b7, b8) extern const GUID name
#endif

#ifndef BATTKIT_GUIDDEF_FUNCS
#define BATTKIT_GUIDDEF_FUNCS
static inline int IsEqualGUID(const GUID *a, const GUID *b)
{
    return memcmp(a, b, sizeof(GUID)) == 0;
}
#define InlineIsEqualGUID(a, b) IsEqualGUID((a), (b))
/* docs (wdm.h): for GUIDs known to be 8-byte aligned; any alignment works here. */
static inline unsigned char IsEqualGUIDAligned(const GUID *a, const GUID *b)
{
    return memcmp(a, b, sizeof(GUID)) == 0;
}

#endif

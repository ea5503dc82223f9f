/* Include before headers with DEFINE_GUID to instantiate the GUIDs. The
 * definitions are weak, so two files doing this do not collide. */
#define INITGUID
#include <guiddef.h>

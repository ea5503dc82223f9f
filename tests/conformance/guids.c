/* The GUIDs the suite names (battery interface class, battery WMI blocks),
 * instantiated once here. */
#include <initguid.h>
#include <batclass.h>

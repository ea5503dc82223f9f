/* Instantiates the GUIDs an application names (GUID_DEVICE_BATTERY,
 * GUID_DEVCLASS_BATTERY, the battery WMI blocks), as uuid.lib does on
 * Windows. Weak definitions: a program that defines them too still links. */
#include <initguid.h>
#include <windows.h>
#include <devguid.h>
#include <batclass.h>

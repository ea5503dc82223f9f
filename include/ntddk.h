/* ntddk.h is wdm.h plus routines battery drivers do not need here. */
#include <wdm.h>

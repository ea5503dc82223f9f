/* battery_rules.h: the battery-specific INF checks (WDK "Installing a Battery
 * Driver") as a pure function of an opened INF. Depends only on inf.h, so
 * `battinf verify` (without a host) and the installer share one copy. */
#ifndef SETUP_BATTERY_RULES_H
#define SETUP_BATTERY_RULES_H

#include "inf.h"

/* docs (devguid.h): GUID_DEVCLASS_BATTERY, the Battery setup class. */
#define SETUP_BATTERY_CLASS_GUID "{72631e54-78a4-11d0-bcf7-00aa00b7b32a}"

/* Adds the battery rules' problems (not bk_inf_check's) to diags; returns
 * the number of errors added. */
size_t setup_battery_rules(bk_inf_t *inf, bk_diags_t *diags);

#endif

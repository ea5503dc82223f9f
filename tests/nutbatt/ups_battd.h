/* battd as a process on a machine whose only battery is a UPS served by a
 * real upsd (nut_upsd.h), for the tests that look at that UPS from outside:
 * battctl (tests/nutbatt) and the dashboard (tests/http). */
#ifndef UPS_BATTD_H
#define UPS_BATTD_H

#include "e2e.h"
#include "nut_upsd.h"

/* dummy-ups texts of one 24 V, 216 Wh UPS (an Eaton 5E 1100i, serial
 * G123): what it is and its ratings (to build a state from), then two
 * states: on line and full; on battery at 60 %. */
#define UPS_IDENTITY "device.mfr: Eaton\ndevice.model: 5E 1100i\ndevice.serial: G123\n"
#define UPS_RATINGS  "battery.charge.low: 20\nbattery.voltage.nominal: 24\nbattery.capacity: 9\n"
extern const char ups_dev_online[];
extern const char ups_dev_on_battery[];

/* With upsd started (nut_upsd_start), writes u->dir/NAME.ini (the UPS as
 * [battery.UPS], bus nut, polled every 200 ms, real time) and starts battd
 * on it with `args` (NULL-terminated) after --machine. On failure upsd is
 * stopped too (nut_upsd_done), so nothing is left running. */
bool ups_battd_start(nut_upsd_t *u, battd_t *d, const char *name, const char *const *args);
#define UPS_BATTD_START(u, d, name, ...)                                                           \
    ups_battd_start((u), (d), (name), (const char *const[]){__VA_ARGS__, NULL})

#endif

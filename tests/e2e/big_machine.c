/* The 500-battery machine (big_machine.h): one AC adapter, a 10 W load, 500
 * ACPI batteries at 60 %, battery i of 10000 + i mWh, model BIGi. */
#include "big_machine.h"

#include <stdio.h>

const char *write_big_machine(const char *dir)
{
    static char path[400];
    snprintf(path, sizeof path, "%s/big.ini", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(f, "[machine]\nname = big\ntime = virtual\n\n[ac.ADP1]\nbus = acpi\nonline = yes\n\n"
               "[load]\nconstant_power_mw = 10000\n\n");
    for (int i = 0; i < BIG_BATTERIES; i++)
        fprintf(f,
                "[battery.B%d]\nbus = acpi\nchemistry = li-ion\ndesign_capacity_mwh = %d\n"
                "full_charge_capacity_mwh = %d\ndesign_voltage_mv = 11400\ncells = 3\n"
                "initial_soc_percent = 60\nmodel = BIG%d\nserial = %d\n\n",
                i, 10000 + i, 10000 + i, i, i);
    return fclose(f) == 0 ? path : NULL;
}

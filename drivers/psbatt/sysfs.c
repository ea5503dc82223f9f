/* Reading the Linux power_supply class (libc: this is what makes psbatt
 * Linux-only). One table names every attribute psbatt reads; a supply is
 * read into a PSBATT_SUPPLY in sysfs units, and an attribute that is
 * absent, unreadable (EACCES, EIO, ENODATA from a driver) or does not parse
 * is simply not there. Mapping to battc's units is map.c. */
#define _GNU_SOURCE
#include "psbatt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const PsBattNumberFiles[PsNumberCount] = {
    [PsPresent] = "present",
    [PsOnline] = "online",
    [PsEnergyFullDesign] = "energy_full_design",
    [PsEnergyFull] = "energy_full",
    [PsEnergyNow] = "energy_now",
    [PsChargeFullDesign] = "charge_full_design",
    [PsChargeFull] = "charge_full",
    [PsChargeNow] = "charge_now",
    [PsVoltageMinDesign] = "voltage_min_design",
    [PsVoltageNow] = "voltage_now",
    [PsPowerNow] = "power_now",
    [PsCurrentNow] = "current_now",
    [PsTemp] = "temp",
    [PsCapacity] = "capacity",
    [PsCycleCount] = "cycle_count",
    [PsAlarm] = "alarm",
    [PsTimeToEmptyNow] = "time_to_empty_now",
    [PsManufactureYear] = "manufacture_year",
    [PsManufactureMonth] = "manufacture_month",
    [PsManufactureDay] = "manufacture_day",
};

static const char *const PsBattStringFiles[PsStringCount] = {
    [PsType] = "type",
    [PsStatus] = "status",
    [PsTechnology] = "technology",
    [PsCapacityLevel] = "capacity_level",
    [PsManufacturer] = "manufacturer",
    [PsModelName] = "model_name",
    [PsSerialNumber] = "serial_number",
    [PsScope] = "scope",
};

/* One attribute file's text without the trailing newline and spaces;
 * FALSE when it cannot be opened or read. */
static BOOLEAN PsBattReadText(int Dir, const char *File, char *Text, size_t Size)
{
    int fd = openat(Dir, File, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return FALSE;
    ssize_t n;
    do {
        n = read(fd, Text, Size - 1);
    } while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0)
        return FALSE;
    while (n > 0 && (Text[n - 1] == '\n' || Text[n - 1] == ' ' || Text[n - 1] == '\t'))
        n--;
    Text[n] = 0;
    return TRUE;
}

BOOLEAN PsBattReadSupply(const CHAR *Root, const CHAR *Name, PPSBATT_SUPPLY Supply)
{
    char path[PSBATT_PATH_MAX + PSBATT_NAME_MAX + 2];
    char text[PSBATT_STRING_MAX];

    memset(Supply, 0, sizeof(*Supply));
    snprintf(Supply->Name, sizeof Supply->Name, "%s", Name);
    snprintf(path, sizeof path, "%s/%s", Root, Name);
    int dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return FALSE;
    for (int i = 0; i < PsNumberCount; i++) {
        char *end;
        if (!PsBattReadText(dir, PsBattNumberFiles[i], text, sizeof text) || !text[0])
            continue;
        errno = 0;
        long long v = strtoll(text, &end, 10);
        if (errno || *end)
            continue; /* not a number: as if absent */
        Supply->Number[i] = v;
        Supply->HaveNumber |= 1u << i;
    }
    for (int i = 0; i < PsStringCount; i++) {
        if (!PsBattReadText(dir, PsBattStringFiles[i], Supply->String[i], PSBATT_STRING_MAX))
            continue;
        Supply->HaveString |= 1u << i;
    }
    close(dir);
    return TRUE;
}

static int PsBattByName(const void *A, const void *B)
{
    return strcmp(A, B);
}

ULONG PsBattListSupplies(const CHAR *Root, CHAR (*Names)[PSBATT_NAME_MAX], ULONG Max)
{
    ULONG n = 0;
    DIR *d = opendir(Root);
    struct dirent *e;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strlen(e->d_name) >= PSBATT_NAME_MAX)
            continue;
        if (n == Max) {
            KdPrint(("psbatt: %s: more than %u supplies, %s left out\n", Root, (unsigned)Max,
                     e->d_name));
            continue;
        }
        snprintf(Names[n++], PSBATT_NAME_MAX, "%s", e->d_name);
    }
    closedir(d);
    qsort(Names, n, PSBATT_NAME_MAX, PsBattByName);
    return n;
}

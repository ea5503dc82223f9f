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
#include <sys/stat.h>
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

/* What a poll keeps of one supply: its attribute files, open, and the
 * folder's identity when they were opened. sysfs makes a fresh value on
 * every read from offset 0 of an open attribute, so an unchanged supply is
 * re-read with one pread per attribute it has: no open, no close, and no
 * lookup of the attributes it lacks. A folder that is another one now
 * (new inode: the supply was unregistered and came back) or whose entries
 * changed (mtime/ctime: an attribute came or went) is opened afresh, and
 * so is every supply on a uevent scan. */
#define PSBATT_FILE_ABSENT   (-1) /* not there at the last full read */
#define PSBATT_FILE_UNCACHED (-2) /* there, but over the open-file budget: opened per read */
#define PSBATT_FILES         (PsNumberCount + PsStringCount)
#define PSBATT_MAX_OPEN      256 /* attribute files kept open across all supplies */

typedef struct _PSBATT_SUPPLY_FILES {
    BOOLEAN Used;
    CHAR Name[PSBATT_NAME_MAX];
    dev_t Dev;
    ino_t Ino;
    struct timespec Mtime, Ctime;
    int Fd[PSBATT_FILES]; /* numbers, then strings; or PSBATT_FILE_* */
} PSBATT_SUPPLY_FILES;

struct _PSBATT_SYSFS {
    PSBATT_SUPPLY_FILES Supply[PSBATT_MAX_SUPPLIES];
    ULONG OpenFiles;
};

static const char *PsBattFileName(int I)
{
    return I < PsNumberCount ? PsBattNumberFiles[I] : PsBattStringFiles[I - PsNumberCount];
}

/* Text read into Text without the trailing newline and spaces; FALSE when
 * the read failed (an unreadable attribute: EACCES, EIO, ENODATA, EISDIR). */
static BOOLEAN PsBattTrim(ssize_t N, char *Text)
{
    if (N < 0)
        return FALSE;
    while (N > 0 && (Text[N - 1] == '\n' || Text[N - 1] == ' ' || Text[N - 1] == '\t'))
        N--;
    Text[N] = 0;
    return TRUE;
}

static BOOLEAN PsBattReadOnce(int Dir, const char *File, char *Text, size_t Size)
{
    int fd = openat(Dir, File, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return FALSE;
    ssize_t n;
    do {
        n = read(fd, Text, Size - 1);
    } while (n < 0 && errno == EINTR);
    close(fd);
    return PsBattTrim(n, Text);
}

static BOOLEAN PsBattReadOpen(int Fd, char *Text, size_t Size)
{
    ssize_t n;
    do {
        n = pread(Fd, Text, Size - 1, 0);
    } while (n < 0 && errno == EINTR);
    return PsBattTrim(n, Text);
}

static VOID PsBattCloseFiles(PPSBATT_SYSFS Sysfs, PSBATT_SUPPLY_FILES *F)
{
    for (int i = 0; i < PSBATT_FILES; i++) {
        if (F->Fd[i] >= 0) {
            close(F->Fd[i]);
            Sysfs->OpenFiles--;
        }
        F->Fd[i] = PSBATT_FILE_ABSENT;
    }
    F->Used = FALSE;
}

PPSBATT_SYSFS PsBattSysfsCreate(VOID)
{
    PPSBATT_SYSFS s = ExAllocatePoolWithTag(PagedPool, sizeof(*s), PSBATT_TAG);
    if (s)
        RtlZeroMemory(s, sizeof(*s));
    return s;
}

VOID PsBattSysfsDelete(PPSBATT_SYSFS Sysfs)
{
    if (!Sysfs)
        return;
    for (ULONG i = 0; i < PSBATT_MAX_SUPPLIES; i++)
        if (Sysfs->Supply[i].Used)
            PsBattCloseFiles(Sysfs, &Sysfs->Supply[i]);
    ExFreePoolWithTag(Sysfs, PSBATT_TAG);
}

VOID PsBattSysfsRetain(PPSBATT_SYSFS Sysfs, CHAR (*Names)[PSBATT_NAME_MAX], ULONG Count)
{
    for (ULONG i = 0; i < PSBATT_MAX_SUPPLIES; i++) {
        PSBATT_SUPPLY_FILES *f = &Sysfs->Supply[i];
        BOOLEAN listed = FALSE;
        for (ULONG k = 0; f->Used && k < Count && !listed; k++)
            listed = strcmp(f->Name, Names[k]) == 0;
        if (f->Used && !listed)
            PsBattCloseFiles(Sysfs, f);
    }
}

/* The entry for Name, or a free one (NULL: none left). */
static PSBATT_SUPPLY_FILES *PsBattFilesOf(PPSBATT_SYSFS Sysfs, const CHAR *Name)
{
    PSBATT_SUPPLY_FILES *free_entry = NULL;
    for (ULONG i = 0; i < PSBATT_MAX_SUPPLIES; i++) {
        PSBATT_SUPPLY_FILES *f = &Sysfs->Supply[i];
        if (f->Used && strcmp(f->Name, Name) == 0)
            return f;
        if (!f->Used && !free_entry)
            free_entry = f;
    }
    return free_entry;
}

static BOOLEAN PsBattSameFolder(const PSBATT_SUPPLY_FILES *F, const struct stat *St)
{
    return F->Used && F->Dev == St->st_dev && F->Ino == St->st_ino &&
           F->Mtime.tv_sec == St->st_mtim.tv_sec && F->Mtime.tv_nsec == St->st_mtim.tv_nsec &&
           F->Ctime.tv_sec == St->st_ctim.tv_sec && F->Ctime.tv_nsec == St->st_ctim.tv_nsec;
}

/* Opens the folder's attributes afresh into F (those over the budget are
 * left to be opened per read); the folder fd is kept only when some are. */
static VOID PsBattOpenFiles(PPSBATT_SYSFS Sysfs, PSBATT_SUPPLY_FILES *F, int Dir, const CHAR *Name,
                            const struct stat *St)
{
    if (F->Used)
        PsBattCloseFiles(Sysfs, F);
    F->Used = TRUE;
    snprintf(F->Name, sizeof F->Name, "%s", Name);
    F->Dev = St->st_dev;
    F->Ino = St->st_ino;
    F->Mtime = St->st_mtim;
    F->Ctime = St->st_ctim;
    for (int i = 0; i < PSBATT_FILES; i++) {
        int fd = openat(Dir, PsBattFileName(i), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            F->Fd[i] = PSBATT_FILE_ABSENT;
        } else if (Sysfs->OpenFiles >= PSBATT_MAX_OPEN) {
            close(fd);
            F->Fd[i] = PSBATT_FILE_UNCACHED;
        } else {
            F->Fd[i] = fd;
            Sysfs->OpenFiles++;
        }
    }
}

/* One attribute's value into Supply (by the tables); nothing when it does
 * not read or parse. */
static VOID PsBattTake(PPSBATT_SUPPLY Supply, int I, const char *Text)
{
    if (I >= PsNumberCount) {
        int k = I - PsNumberCount;
        RtlCopyMemory(Supply->String[k], Text, strlen(Text) + 1); /* fits: same size */
        Supply->HaveString |= 1u << k;
        return;
    }
    char *end;
    if (!Text[0])
        return;
    errno = 0;
    long long v = strtoll(Text, &end, 10);
    if (errno || *end)
        return; /* not a number: as if absent */
    Supply->Number[I] = v;
    Supply->HaveNumber |= 1u << I;
}

BOOLEAN PsBattReadSupply(PPSBATT_SYSFS Sysfs, const CHAR *Root, const CHAR *Name, BOOLEAN Fresh,
                         PPSBATT_SUPPLY Supply)
{
    char path[PSBATT_PATH_MAX + PSBATT_NAME_MAX + 2];
    char text[PSBATT_STRING_MAX];
    struct stat st;
    int dir = -1;

    memset(Supply, 0, sizeof(*Supply));
    snprintf(Supply->Name, sizeof Supply->Name, "%s", Name);
    snprintf(path, sizeof path, "%s/%s", Root, Name);
    PSBATT_SUPPLY_FILES *f = PsBattFilesOf(Sysfs, Name);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        if (f && f->Used)
            PsBattCloseFiles(Sysfs, f);
        return FALSE;
    }
    BOOLEAN known = f && !Fresh && PsBattSameFolder(f, &st);
    BOOLEAN uncached = FALSE;
    for (int i = 0; known && i < PSBATT_FILES; i++)
        uncached = uncached || f->Fd[i] == PSBATT_FILE_UNCACHED;
    if (!known || uncached || !f) {
        dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0) {
            if (f && f->Used)
                PsBattCloseFiles(Sysfs, f);
            return FALSE;
        }
        if (f && !known)
            PsBattOpenFiles(Sysfs, f, dir, Name, &st);
    }
    for (int i = 0; i < PSBATT_FILES; i++) {
        /* Every supply slot taken (more than the class's limit): read as
         * before, open and close per attribute. */
        int fd = f ? f->Fd[i] : PSBATT_FILE_UNCACHED;
        BOOLEAN ok = fd >= 0 ? PsBattReadOpen(fd, text, sizeof text)
                     : fd == PSBATT_FILE_UNCACHED
                         ? PsBattReadOnce(dir, PsBattFileName(i), text, sizeof text)
                         : FALSE;
        if (ok)
            PsBattTake(Supply, i, text);
    }
    if (dir >= 0)
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

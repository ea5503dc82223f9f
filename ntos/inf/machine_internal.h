/* machine_internal.h: the machine description's key table (machine_keys.c),
 * shared with the parser (machine.c). One row per key: its section, type,
 * range and default; the parser has no per-key code. */
#ifndef BK_MACHINE_INTERNAL_H
#define BK_MACHINE_INTERNAL_H

#include "inf_internal.h"

typedef enum mk_section {
    MS_MACHINE, /* [machine]: fields of bk_machine_t */
    MS_LOAD,    /* [load]: fields of bk_machine_t */
    MS_BATTERY, /* [battery.NAME]: bk_machine_battery_t */
    MS_AC,      /* [ac.NAME]: bk_machine_ac_t */
    MS_DEVICE,  /* [device.NAME]: bk_machine_device_t */
} mk_section_t;

typedef enum mk_type {
    MK_UINT,   /* uint32_t, decimal or 0x hex, range min..max */
    MK_REAL,   /* double, range min..max */
    MK_ENUM,   /* int (the enum), one of names[] */
    MK_BOOL,   /* bool: yes/no, true/false, on/off, 1/0 */
    MK_STRING, /* char *, at most max characters */
    MK_PATH,   /* char *, resolved against the machine file's directory */
    MK_DATE,   /* bk_machine_date_t, YYYY-MM-DD */
    MK_TIME,   /* int64_t seconds since 1970 UTC: YYYY-MM-DDTHH:MM:SSZ or "now" (-1) */
    MK_IDLIST, /* char **list + size_t count right before it: comma-separated */
} mk_type_t;

typedef struct mk_name {
    const char *name;
    int value;
} mk_name_t;

typedef struct mk_key {
    mk_section_t section;
    const char *name;
    mk_type_t type;
    size_t offset;
    double min, max;        /* numbers: range; strings: max length in max */
    const mk_name_t *names; /* MK_ENUM, ended by {NULL, 0} */
    const char *def;        /* default as a file would write it; NULL: zero/NULL */
    bool required;
    const char *help; /* one line for docs and messages */
} mk_key_t;

#define MK_MAX_KEYS 64 /* the parser keeps one line number per key */
extern const mk_key_t bk_machine_keys[];
extern const size_t bk_machine_key_count;

extern const mk_name_t bk_machine_bus_names[];
extern const mk_name_t bk_machine_ac_bus_names[];
extern const mk_name_t bk_machine_chemistry_names[];
extern const mk_name_t bk_machine_firmware_names[];
extern const mk_name_t bk_machine_time_names[];

/* Name of a value in a table, or NULL. */
const char *bk_mk_name_of(const mk_name_t *names, int value);

#endif

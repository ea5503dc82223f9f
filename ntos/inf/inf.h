/* inf.h: battkit's one reader for INI-style files (Windows INF files and battkit
 * machine descriptions), the INF query model that battinf and the installer use,
 * and the machine description structs. Pure C17 and libc: nothing here prints,
 * exits or aborts; every problem becomes a diagnostic with file and line. */
#ifndef BK_INF_H
#define BK_INF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Diagnostics ========================================================== */

typedef enum bk_severity {
    BK_SEV_WARNING = 1,
    BK_SEV_ERROR = 2,
} bk_severity_t;

typedef struct bk_diag {
    const char *file; /* as the file was named to the loader */
    int line;         /* 1-based; 1 for problems of the whole file */
    bk_severity_t severity;
    const char *message;
} bk_diag_t;

/* A growing list. Zero-initialise (or bk_diags_init) before use. After `limit`
 * entries (default 1000) further ones are only counted in `dropped`, so a file
 * of garbage cannot exhaust memory; errors/warnings always count everything. */
typedef struct bk_diags {
    bk_diag_t *items;
    size_t count, cap;
    size_t errors, warnings, dropped;
    size_t limit; /* 0 = default */
} bk_diags_t;

void bk_diags_init(bk_diags_t *d);
void bk_diags_free(bk_diags_t *d);
void bk_diags_add(bk_diags_t *d, const char *file, int line, bk_severity_t sev, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));
/* Stable sort by file name (in first-seen order) then line. */
void bk_diags_sort(bk_diags_t *d);
const char *bk_severity_name(bk_severity_t sev); /* "error", "warning" */
/* "FILE:LINE: error: message"; returns what snprintf returns. */
int bk_diag_format(const bk_diag_t *diag, char *buf, size_t size);

/* ==== INI reader =========================================================== */

/* docs (general INF syntax): a field is at most 4096 characters including the
 * terminating NUL, before and after string substitution; section names at most
 * 255 characters. */
#define BK_INI_FIELD_MAX        4095
#define BK_INI_SECTION_NAME_MAX 255

/* One entry: `key = f0, f1, ...` or a line with only values `f0, f1, ...`.
 * Fields are split at commas outside quotes, trimmed of unquoted white space,
 * with quotes removed and "" turned into "; an omitted field is "". */
typedef struct bk_ini_line {
    const char *file;
    int line;                      /* first physical line of the entry */
    const char *key;               /* NULL when the entry has no '=' (substituted) */
    const char *key_raw;           /* the key before %strkey% substitution */
    const char *value;             /* everything after '=' (or the whole entry) as one string */
    size_t nfields;                /* >= 1 */
    const char *const *fields;     /* after %strkey% substitution */
    const char *const *raw_fields; /* before substitution */
    const unsigned char *quoted;   /* per field: 1 if any part was quoted */
} bk_ini_line_t;

/* Sections with the same name (case-insensitive) are merged, as Windows does;
 * `declarations` and `dup_line` let a stricter reader refuse that. */
typedef struct bk_ini_section {
    const char *name; /* as first declared */
    const char *file;
    int line;         /* first declaration */
    int declarations; /* how many [name] headers were merged */
    int dup_line;     /* line of the second declaration, 0 if none */
    size_t nlines;
    const bk_ini_line_t *lines;
} bk_ini_section_t;

typedef struct bk_ini bk_ini_t;

typedef struct bk_ini_options {
    /* Replace %strkey% tokens from [Strings] (INF files). Machine descriptions
     * leave '%' alone. */
    bool substitute;
    /* LANGID in hex ("0407") choosing a [Strings.0407] section as Windows does
     * (exact, then SUBLANG_NEUTRAL, then same primary language); NULL: only the
     * undecorated [Strings] section is used and localized ones are ignored. */
    const char *locale;
} bk_ini_options_t;

/* Load UTF-8 (optionally with BOM), UTF-16LE/BE with BOM, or 8-bit ANSI text
 * (read as Latin-1, with a warning). NULL when the file cannot be read, is
 * not text at all (binary data) or shows more than 200 syntax problems (not an
 * INF: reading stops there); the reason is in diags. Everything else is
 * loaded, with the problems in diags. */
bk_ini_t *bk_ini_load_file(const char *path, const bk_ini_options_t *opt, bk_diags_t *diags);
bk_ini_t *bk_ini_load_buffer(const char *name, const void *data, size_t size,
                             const bk_ini_options_t *opt, bk_diags_t *diags);
void bk_ini_free(bk_ini_t *ini);

const char *bk_ini_file(const bk_ini_t *ini);
size_t bk_ini_section_count(const bk_ini_t *ini);
const bk_ini_section_t *bk_ini_section_at(const bk_ini_t *ini, size_t i); /* file order */
const bk_ini_section_t *bk_ini_find_section(const bk_ini_t *ini, const char *name);
/* First entry whose key matches, case-insensitive; NULL if none. */
const bk_ini_line_t *bk_ini_find_key(const bk_ini_section_t *sec, const char *key);
/* Field i of an entry, "" beyond the last one. */
const char *bk_ini_field(const bk_ini_line_t *line, size_t i);
/* A %strkey% value as substitution uses it; NULL if undefined. */
const char *bk_ini_string(const bk_ini_t *ini, const char *strkey);
/* Name of the [Strings...] section chosen for substitution, NULL if none. */
const char *bk_ini_strings_section(const bk_ini_t *ini);

/* ==== INF model ============================================================ */

/* The platform Windows would be running: chooses decorated Models and
 * DDInstall sections. Zero fields take the defaults: amd64, 10.0 build 22631,
 * workstation (product type 1), no suite bits. */
typedef struct bk_inf_platform {
    const char *arch; /* "x86", "amd64", "arm", "arm64", "ia64" */
    unsigned major, minor, build;
    unsigned product_type; /* VER_NT_WORKSTATION 1, DOMAIN_CONTROLLER 2, SERVER 3 */
    unsigned suite_mask;   /* VER_SUITE_* */
} bk_inf_platform_t;

typedef struct bk_inf_options {
    const char *locale; /* as bk_ini_options_t.locale */
    bk_inf_platform_t platform;
    /* Where Include= files and copied files are looked for, after the INF's
     * own directory; NULL-terminated, may be NULL. */
    const char *const *search_dirs;
    bool no_file_checks; /* no file system lookups: copied files, Include= INFs */
} bk_inf_options_t;

typedef struct bk_inf bk_inf_t;

/* A value with where it came from; value is NULL when absent. */
typedef struct bk_inf_value {
    const char *value;
    const char *file;
    int line;
} bk_inf_value_t;

typedef struct bk_inf_version {
    bk_inf_value_t signature, class_name, class_guid, provider, catalog_file;
    bk_inf_value_t driver_ver;       /* field 0: mm/dd/yyyy */
    const char *driver_version;      /* field 1 of DriverVer, NULL if none */
    const bk_ini_section_t *section; /* NULL when there is no [Version] */
} bk_inf_version_t;

/* One models-section entry: description = install-section, hw-id[, compat...] */
typedef struct bk_inf_model {
    const char *description;
    const char *install_section; /* as written (undecorated) */
    const char *hardware_id;     /* "" when missing */
    size_t ncompatible_ids;
    const char *const *compatible_ids;
    const bk_ini_line_t *line;
} bk_inf_model_t;

typedef struct bk_inf_manufacturer {
    const char *name;        /* key of the [Manufacturer] entry, substituted */
    const char *models_base; /* models-section-name as written */
    size_t ndecorations;
    const char *const *decorations; /* TargetOSVersion decorations as written */
    /* The models section Windows would use on the platform: base.decoration,
     * or base when undecorated; NULL when none applies. */
    const char *models_name;
    bool fallback_undecorated;      /* decorations exist but none applies here */
    const bk_ini_section_t *models; /* NULL when models_name is not defined */
    size_t nmodels;
    const bk_inf_model_t *model;
    const bk_ini_line_t *line;
} bk_inf_manufacturer_t;

/* Parsed TargetOSVersion decoration: nt[Arch][.[Major][.[Minor][.[ProductType]
 * [.[SuiteMask][.[BuildNumber]]]]]]; absent numbers are -1, arch "" if none. */
typedef struct bk_inf_decoration {
    char arch[8];
    long major, minor, product_type, suite_mask, build;
} bk_inf_decoration_t;

/* 0, or -1 when it is not a decoration (does not start with "nt", unknown
 * architecture, non-numeric part). */
int bk_inf_parse_decoration(const char *text, bk_inf_decoration_t *out);
/* Which of the decorations Windows picks on the platform: the highest OS
 * version not above the running one, then the most specific. -1 if none. */
int bk_inf_choose_decoration(const char *const *decorations, size_t n,
                             const bk_inf_platform_t *platform);

bk_inf_t *bk_inf_open(const char *path, const bk_inf_options_t *opt, bk_diags_t *diags);
bk_inf_t *bk_inf_open_buffer(const char *name, const void *data, size_t size,
                             const bk_inf_options_t *opt, bk_diags_t *diags);
void bk_inf_close(bk_inf_t *inf);

const bk_ini_t *bk_inf_ini(const bk_inf_t *inf);
const char *bk_inf_path(const bk_inf_t *inf);
const char *bk_inf_dir(const bk_inf_t *inf); /* "." for a bare file name */
const bk_inf_platform_t *bk_inf_platform(const bk_inf_t *inf);
const bk_inf_version_t *bk_inf_version(const bk_inf_t *inf);
size_t bk_inf_manufacturer_count(const bk_inf_t *inf);
const bk_inf_manufacturer_t *bk_inf_manufacturer_at(const bk_inf_t *inf, size_t i);

/* docs (Identifier Score): 0x0000THHH for the best match of the device's IDs
 * against a models entry (hardware ID match 0x0000 + device hwid position,
 * device hwid vs INF compatible 0x1000 + position, device compatible vs INF
 * hardware ID 0x2000 + position, compatible vs compatible 0x3000 + j + k*0x100);
 * -1 when nothing matches. IDs compare case-insensitively. */
long bk_inf_identifier_score(const bk_inf_model_t *model, const char *const *hardware_ids,
                             size_t nhardware, const char *const *compatible_ids,
                             size_t ncompatible);
/* Best (lowest score) models entry for a device among the chosen models
 * sections; NULL if none. */
const bk_inf_model_t *bk_inf_find_model(const bk_inf_t *inf, const char *const *hardware_ids,
                                        size_t nhardware, const char *const *compatible_ids,
                                        size_t ncompatible, long *score);

/* ---- Install sections ---- */

/* docs (DestinationDirs): DIRIDs used by driver INFs. */
#define BK_DIRID_WINDOWS      10
#define BK_DIRID_SYSTEM32     11
#define BK_DIRID_DRIVERS      12
#define BK_DIRID_DRIVER_STORE 13

/* One file copied by CopyFiles (directly with @file, or from a file-list
 * section). */
typedef struct bk_inf_copy {
    const char *dest_name;
    const char *source_name;  /* = dest_name unless the list names another */
    uint32_t flags;           /* COPYFLG_* */
    const char *list_section; /* NULL for CopyFiles=@file */
    long dirid;               /* from [DestinationDirs]; -1 when none applies */
    const char *dest_subdir;  /* "" when none */
    const char *source_path;  /* the file found on disk; NULL if missing/unchecked */
    const bk_inf_t *inf;      /* the INF that lists it (an included one for Needs=) */
    const bk_ini_line_t *line;
} bk_inf_copy_t;

typedef enum bk_inf_reg_root {
    BK_INF_HKR, /* relative: device key, software key or service key */
    BK_INF_HKLM,
    BK_INF_HKCR,
    BK_INF_HKCU,
    BK_INF_HKU,
} bk_inf_reg_root_t;

/* docs (AddReg): FLG_ADDREG_* bits of the flags field. */
#define BK_FLG_ADDREG_BINVALUETYPE   0x00000001u
#define BK_FLG_ADDREG_NOCLOBBER      0x00000002u
#define BK_FLG_ADDREG_DELVAL         0x00000004u
#define BK_FLG_ADDREG_APPEND         0x00000008u
#define BK_FLG_ADDREG_KEYONLY        0x00000010u
#define BK_FLG_ADDREG_OVERWRITEONLY  0x00000020u
#define BK_FLG_ADDREG_TYPE_SZ        0x00000000u
#define BK_FLG_ADDREG_TYPE_MULTI_SZ  0x00010000u
#define BK_FLG_ADDREG_TYPE_EXPAND_SZ 0x00020000u
#define BK_FLG_ADDREG_TYPE_BINARY    0x00000001u
#define BK_FLG_ADDREG_TYPE_DWORD     0x00010001u
#define BK_FLG_ADDREG_TYPE_NONE      0x00020001u

/* reg-root, [subkey], [value-entry-name], [flags], [value][, value...] */
typedef struct bk_inf_reg {
    bk_inf_reg_root_t root;
    const char *subkey;     /* "" when omitted */
    const char *value_name; /* "" = the default value */
    uint32_t flags;
    size_t nvalues;
    const char *const *values;
    const char *section; /* the add-registry section */
    const bk_inf_t *inf;
    const bk_ini_line_t *line;
} bk_inf_reg_t;

/* docs (AddService): SPSVCINST_ASSOCSERVICE marks the device's function driver. */
#define BK_SPSVCINST_ASSOCSERVICE 0x00000002u
/* docs (service-install section): values a kernel driver service uses. */
#define BK_SERVICE_KERNEL_DRIVER 1
#define BK_SERVICE_DEMAND_START  3
#define BK_SERVICE_ERROR_NORMAL  1

/* AddService=name,[flags],service-install-section[,event-log-section...] and
 * the service-install section it names. Numbers are -1 when absent or not a
 * number (the line of the bad value is in the bk_inf_value_t). */
typedef struct bk_inf_service {
    const char *name;
    uint32_t flags;
    const char *section_name;
    const bk_ini_section_t *section; /* NULL when not defined */
    bk_inf_value_t display_name, description, service_binary, load_order_group, start_name,
        dependencies;
    bk_inf_value_t service_type, start_type, error_control;
    long service_type_value, start_type_value, error_control_value;
    size_t nregs;
    const bk_inf_reg_t *regs; /* the service section's AddReg: HKR = service key */
    const bk_inf_t *inf;
    const bk_ini_line_t *line; /* the AddService line */
} bk_inf_service_t;

/* Everything installing one DDInstall section means, with Include=/Needs=
 * sections of included INFs folded in. */
typedef struct bk_inf_install {
    const char *name;                /* as the models entry names it */
    const char *section_name;        /* chosen platform variant (name.ntamd64, name.nt, name) */
    const bk_ini_section_t *section; /* NULL when not defined */
    const bk_ini_section_t *services_section; /* [section_name.Services] */
    const bk_ini_section_t *hw_section;       /* [section_name.HW] */
    size_t ncopies;
    const bk_inf_copy_t *copies;
    size_t nregs;
    const bk_inf_reg_t *regs; /* DDInstall AddReg: HKR = software key */
    size_t nhw_regs;
    const bk_inf_reg_t *hw_regs; /* .HW AddReg: HKR = device (hardware) key */
    size_t nservices;
    const bk_inf_service_t *services;
    const bk_inf_service_t *function_service; /* AddService with flag 0x2, or NULL */
    size_t nincludes;
    const bk_inf_t *const *includes;
} bk_inf_install_t;

/* Resolves an install section (name as in the models entry). Problems found on
 * the way (undefined sections, bad numbers, missing files, Include files not
 * found) go to diags, which may be NULL. Results live as long as the INF.
 * Returns 0, or -1 when the section does not exist. */
int bk_inf_get_install(bk_inf_t *inf, const char *name, bk_inf_install_t *out, bk_diags_t *diags);

/* Checks an INF as any device INF must be (not battery-specific): [Version]
 * with a valid Signature and Provider, [Manufacturer] and models sections for
 * the platform, models with hardware IDs, install sections that resolve,
 * destinations for copied files, files that exist, services with values in
 * range, [SourceDisksFiles] disks that are defined. Each install section is
 * checked once. Returns the number of errors added. */
size_t bk_inf_check(bk_inf_t *inf, bk_diags_t *diags);

/* Find a file by name in a directory, exactly or case-insensitively (Windows
 * names are case-insensitive). battkit builds drivers as shared objects, so a
 * NAME.sys is also satisfied by NAME.so. Returns a malloc'd path or NULL. */
char *bk_inf_find_file(const char *dir, const char *name);

/* ==== Machine description ================================================== */

/* docs/machine-format.md describes the file; the key table in machine_keys.c
 * is the single list of keys, types and ranges. */

typedef enum bk_machine_time {
    BK_MACHINE_TIME_REAL,
    BK_MACHINE_TIME_VIRTUAL,
} bk_machine_time_t;

typedef enum bk_machine_bus {
    BK_MACHINE_BUS_ACPI,    /* PNP0C0A / ACPI0003 on the emulated ACPI bus */
    BK_MACHINE_BUS_ROOT,    /* root-enumerated device */
    BK_MACHINE_BUS_SIMBATT, /* a simulated battery served by simbatt */
    BK_MACHINE_BUS_NUT,     /* a UPS reached through Network UPS Tools */
} bk_machine_bus_t;

typedef enum bk_machine_chemistry {
    BK_MACHINE_LI_ION,    /* "li-ion" */
    BK_MACHINE_LEAD_ACID, /* "lead-acid" */
} bk_machine_chemistry_t;

typedef enum bk_machine_firmware {
    BK_MACHINE_FIRMWARE_BIX, /* ACPI 4.0+ _BIX */
    BK_MACHINE_FIRMWARE_BIF, /* only the older _BIF */
} bk_machine_firmware_t;

typedef struct bk_machine_date {
    int year, month, day; /* 0 when not given */
} bk_machine_date_t;

#define BK_MACHINE_NAME_MAX 15 /* battery / device names: [A-Za-z0-9_-], 1..15 */

typedef struct bk_machine_battery {
    char *name; /* NAME of [battery.NAME] */
    int line;
    bk_machine_bus_t bus;
    bk_machine_chemistry_t chemistry;
    bool present;                      /* inserted at start */
    uint32_t design_capacity_mwh;      /* mWh */
    uint32_t full_charge_capacity_mwh; /* mWh; 0 = as the model derives it */
    uint32_t warning_capacity_mwh;     /* _BIX design capacity of warning; 0 = model */
    uint32_t low_capacity_mwh;         /* _BIX design capacity of low; 0 = model */
    uint32_t design_voltage_mv;        /* mV, nominal pack voltage */
    uint32_t cells;                    /* in series */
    uint32_t parallel;                 /* cells in parallel */
    uint32_t cycle_count;
    uint32_t charge_current_ma; /* charger CC limit; 0 = chemistry default */
    double initial_soc_percent;
    double temperature_c; /* ambient at start, degC */
    char *manufacturer, *model, *serial;
    bk_machine_date_t manufacture_date;
    bk_machine_firmware_t firmware;
    char *nut_ups; /* bus nut: "upsname@host[:port]" */
    char *nut_user, *nut_password; /* bus nut: upsd credentials (optional) */
    uint32_t nut_poll_ms;          /* bus nut: how often nutbatt asks upsd */
} bk_machine_battery_t;

typedef struct bk_machine_ac {
    char *name;
    int line;
    bk_machine_bus_t bus;
    bool online;
    bool notify; /* the firmware raises Notify(0x80) on it when _PSR changes */
} bk_machine_ac_t;

typedef struct bk_machine_device {
    char *name;
    int line;
    char *hardware_id;
    size_t ncompatible_ids;
    char **compatible_ids;
    char *service; /* bound by service name ... */
    char *driver;  /* ... or by the path of an out-of-tree driver .so (resolved) */
} bk_machine_device_t;

typedef struct bk_machine {
    char *file;
    char *name;
    bk_machine_time_t time;
    int64_t start_time; /* seconds since 1970-01-01 UTC; -1 = now */
    bool composite_battery; /* add the COMPOSITE_BATTERY root device */
    size_t nbatteries;
    bk_machine_battery_t *batteries;
    size_t nacs;
    bk_machine_ac_t *acs;
    size_t ndevices;
    bk_machine_device_t *devices;
    char *load_scenario;       /* path resolved against the file's directory */
    uint32_t load_constant_mw; /* system load in mW when no scenario says more */
    char *power_supply;            /* psbatt: the Linux power_supply class root (resolved) */
    uint32_t power_supply_poll_ms; /* psbatt: the bounded poll */
    char *power_supply_uevent;     /* psbatt (tests): AF_UNIX uevent socket instead of netlink */
} bk_machine_t;

/* The embedded default machine: a laptop with one 57 Wh Li-ion battery and an
 * AC adapter on ACPI (the text of data/machines/laptop.ini, compiled in). */
extern const char bk_machine_default_text[];
#define BK_MACHINE_DEFAULT_NAME "<default laptop>"

/* 0 on success. -1 when the file is refused: diags then holds at least one
 * error "FILE:LINE: reason" and *out is left empty. Warnings never refuse. */
int bk_machine_load_file(const char *path, bk_machine_t *out, bk_diags_t *diags);
int bk_machine_load_buffer(const char *name, const void *text, size_t size, bk_machine_t *out,
                           bk_diags_t *diags);
int bk_machine_load_default(bk_machine_t *out, bk_diags_t *diags);
void bk_machine_free(bk_machine_t *m);

/* Names as the file spells them ("acpi", "li-ion", "bix", "virtual"). */
const char *bk_machine_bus_name(bk_machine_bus_t bus);
const char *bk_machine_chemistry_name(bk_machine_chemistry_t chem);
const char *bk_machine_firmware_name(bk_machine_firmware_t fw);
const char *bk_machine_time_name(bk_machine_time_t t);

#ifdef __cplusplus
}
#endif

#endif

/* State and helpers shared by the INF installer's files (ntos/setup): the
 * registry layout it owns, the report text, staged registry changes, the
 * driver store, ranking, and the installed-package records. Nothing here is
 * visible outside ntos/setup (private.h and host.h carry what is). */
#ifndef NTOS_SETUP_INTERNAL_H
#define NTOS_SETUP_INTERNAL_H

#include "../private.h"
#include "../registry/registry.h"
#include "inf.h"

#include <battkit/host.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the registry layout ---- */
#define SETUP_KEY_CCS      "\\Registry\\Machine\\System\\CurrentControlSet"
#define SETUP_KEY_SERVICES SETUP_KEY_CCS "\\Services"
#define SETUP_KEY_BATTKIT  SETUP_KEY_CCS "\\Control\\battkit"
#define SETUP_KEY_BINDINGS SETUP_KEY_BATTKIT "\\Bindings"
#define SETUP_KEY_STORE    SETUP_KEY_BATTKIT "\\DriverStore"
#define SETUP_KEY_MANUAL   SETUP_KEY_BATTKIT "\\ManualBindings" /* bk_host_bind's, set aside */
#define SETUP_KEY_ENUM     SETUP_KEY_CCS "\\Enum"
/* Keys are never pruned at or above this one. */
#define SETUP_KEY_PRUNE_STOP "\\Registry\\Machine"

#define SETUP_PATH_MAX 4096
#define SETUP_NAME_MAX 256

/* The one installer lock: installs, uninstalls and lists run one at a time. */
void setup_lock(void);
void setup_unlock(void);

/* ---- report.c: the report text a caller gets ---- */
typedef struct setup_report {
    char *buf;
    size_t len, used;
} setup_report_t;
void setup_report_init(setup_report_t *r, char *buf, size_t len);
void setup_report(setup_report_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Every diagnostic as "FILE:LINE: error|warning: message", one per line. */
void setup_report_diags(setup_report_t *r, const bk_diags_t *diags);

/* ---- util.c: strings ---- */
typedef struct setup_strv {
    char **items;
    size_t count, cap;
} setup_strv_t;
bool setup_strv_add(setup_strv_t *v, const char *s);        /* copies s */
bool setup_strv_add_unique(setup_strv_t *v, const char *s); /* case-insensitive */
bool setup_strv_has(const setup_strv_t *v, const char *s);  /* case-insensitive */
void setup_strv_free(setup_strv_t *v);
char *setup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* malloc'd */
int setup_strcasecmp(const char *a, const char *b);
/* "A\B" -> "A#B": the Bindings key name of an ID (as pnp names it). */
void setup_id_key(char *out, size_t len, const char *id);
/* UTF-8 -> UTF-16 registry data with its NUL; multi: strv as MULTI_SZ.
 * malloc'd, *size in bytes. */
void *setup_wide(const char *utf8, ULONG *size);
void *setup_wide_multi(const setup_strv_t *v, ULONG *size);

/* ---- regio.c: reading the registry by path ---- */
bool setup_reg_exists(const char *path);
/* malloc'd UTF-8 of a REG_SZ/REG_EXPAND_SZ value, NULL if absent. */
char *setup_reg_string(const char *path, const char *name);
bool setup_reg_dword(const char *path, const char *name, ULONG *out);
/* REG_MULTI_SZ as strings (appended to out); false if absent. */
bool setup_reg_multi(const char *path, const char *name, setup_strv_t *out);
/* Raw value, malloc'd; false if absent. */
bool setup_reg_raw(const char *path, const char *name, ULONG *type, void **data, ULONG *size);
/* Names of the subkeys / values of a key (empty when it does not exist). */
void setup_reg_subkeys(const char *path, setup_strv_t *out);
void setup_reg_values(const char *path, setup_strv_t *out);
bool setup_reg_empty(const char *path); /* exists, with no value and no subkey */

/* A key subtree held in memory (to undo a deletion, to copy templates). */
typedef struct setup_snap_value {
    char *name;
    ULONG type, size;
    void *data;
} setup_snap_value_t;
typedef struct setup_snap {
    char *name;
    size_t nvalues, nsubkeys;
    setup_snap_value_t *values;
    struct setup_snap *subkeys;
} setup_snap_t;
/* false when the key does not exist (or memory ran out: *oom). */
bool setup_snap_take(const char *path, setup_snap_t *out, bool *oom);
/* Writes the subtree's values below path (creating keys); no deletion. */
NTSTATUS setup_snap_write(const char *path, const setup_snap_t *snap);
void setup_snap_free(setup_snap_t *snap);

/* ---- stage.c: registry changes applied in one step, then flushed ---- */
typedef enum setup_op_kind {
    SETUP_OP_SET,          /* value = data (keys made on the way) */
    SETUP_OP_DELETE_VALUE, /* no error when absent */
    SETUP_OP_CREATE_KEY,
    SETUP_OP_DELETE_KEY, /* recursive; then empty parents are pruned */
} setup_op_kind_t;

typedef struct setup_op {
    setup_op_kind_t kind;
    char *path;
    char *name;
    ULONG type, size;
    void *data;
} setup_op_t;

typedef struct setup_stage {
    setup_op_t *ops;
    size_t count, cap;
    bool oom;
} setup_stage_t;

void setup_stage_set(setup_stage_t *st, const char *path, const char *name, ULONG type,
                     const void *data, ULONG size);
void setup_stage_sz(setup_stage_t *st, const char *path, const char *name, const char *utf8);
void setup_stage_expand_sz(setup_stage_t *st, const char *path, const char *name, const char *utf8);
void setup_stage_dword(setup_stage_t *st, const char *path, const char *name, ULONG value);
void setup_stage_multi(setup_stage_t *st, const char *path, const char *name,
                       const setup_strv_t *v);
void setup_stage_delete_value(setup_stage_t *st, const char *path, const char *name);
void setup_stage_create_key(setup_stage_t *st, const char *path);
void setup_stage_delete_key(setup_stage_t *st, const char *path);
/* Stages writing a snapshot's values below path. */
void setup_stage_snap(setup_stage_t *st, const char *path, const setup_snap_t *snap);
/* Applies every op in order, undoing all of them if one fails (or if the
 * fault hook says so half-way), prunes keys emptied by deletions, and
 * writes the registry file. On failure the registry is as before. */
NTSTATUS setup_stage_commit(setup_stage_t *st, setup_report_t *r);
void setup_stage_free(setup_stage_t *st);

/* The test hook (host.h's bk_setup_set_fault_hook): nonzero = fail here. */
int setup_fault(int point);

/* ---- store.c: the driver store on disk ---- */
/* The configured store directory (never NULL). */
const char *setup_store_root(void);
/* 64-bit FNV-1a, chainable (start with SETUP_HASH_INIT). */
#define SETUP_HASH_INIT 0xcbf29ce484222325ull
uint64_t setup_hash_bytes(uint64_t h, const void *data, size_t n);
/* false when the file cannot be read. */
bool setup_hash_file(uint64_t *h, const char *path);

typedef struct setup_file {
    char *source;      /* the file on disk */
    char *stored_name; /* its name in the package directory */
} setup_file_t;

/* Creates root/dirname with the files (a temp dir in root, fsynced, then
 * renamed into place). A directory already there (same name = same hash)
 * is kept: *created false. Fault points FILES_STAGED and FILES_PLACED. */
NTSTATUS setup_store_place(const char *root, const char *dirname, const setup_file_t *files,
                           size_t nfiles, bool *created, setup_report_t *r);
/* Removes a package directory (renamed to a temp name first, so a crash
 * leaves either the whole directory or a temp name gc removes). */
void setup_store_remove(const char *dir);
/* Removes temp dirs and package dirs no record refers to (left by a crash
 * between placing files and committing, or between committing and
 * removing the old files). Only names the store makes are touched. */
void setup_store_gc(const char *root);
bool setup_mkdirs(const char *dir);

/* ---- rank.c: how Windows ranks drivers (docs/setup.md) ---- */
#define SETUP_SIG_TRUSTED     0x00u /* docs: signed (here: BK_SETUP_TRUSTED) */
#define SETUP_SIG_UNSIGNED_NT 0x80u /* docs: DRIVER_UNTRUSTED_RANK: unsigned, DDInstall.nt* */
#define SETUP_SIG_UNSIGNED    0xC0u /* docs: DRIVER_W9X_SUSPECT_RANK: unsigned, no .nt */
#define SETUP_FEATURE_DEFAULT 0xFFu /* docs: no FeatureScore directive */
uint32_t setup_rank_base(unsigned signature, unsigned feature);
/* docs (Identifier Score): the identifier part of a rank for a match
 * between a device ID (hardware or compatible, at position pos in its
 * list) and a models entry ID (its hardware ID, or compatible ID k). */
uint32_t setup_identifier_score(bool device_compat, unsigned pos, bool inf_compat, unsigned k);
/* DriverVer date "mm/dd/yyyy" -> yyyymmdd (0 when absent or bad) and
 * version "w.x.y.z" -> 4 x 16 bits (0 when absent or bad). */
uint32_t setup_parse_date(const char *text);
uint64_t setup_parse_version(const char *text);

/* One package's claim on one ID. */
typedef struct setup_candidate {
    char *id;
    char *inf; /* record name */
    char *service, *image_path, *section, *class_guid, *description;
    char *date_text, *version_text;
    uint32_t rank_base; /* 0xSSGG0000 */
    bool inf_compat;    /* the ID is a compatible ID of the models entry */
    uint32_t compat_index;
    uint32_t date;
    uint64_t version;
} setup_candidate_t;
/* <0 when a is the better driver for a device reporting this ID: lower
 * signature+feature score, hardware-ID entry before compatible, earlier
 * compatible position, newer date, higher version; then INF name. */
int setup_candidate_compare(const setup_candidate_t *a, const setup_candidate_t *b);
void setup_candidate_free(setup_candidate_t *c);

/* ---- records.c: Control\battkit\DriverStore\<inf> ---- */
typedef struct setup_record {
    char *inf;
    char *store_dir;
    bool in_place;
    setup_strv_t services; /* function services first */
    setup_strv_t ids;
    setup_candidate_t *matches;
    size_t nmatches;
} setup_record_t;
/* Reads one record; false when there is none. */
bool setup_record_read(const char *inf, setup_record_t *out);
void setup_record_free(setup_record_t *rec);
/* Every record's name. */
void setup_record_names(setup_strv_t *out);
/* Is `service` listed by a record other than `except` (and not in skip)? */
bool setup_service_owned_elsewhere(const char *service, const setup_strv_t *skip);
/* Path of a record key or one of its subkeys. */
char *setup_record_path(const char *inf, const char *sub);

/* ---- bindings.c: Control\battkit\Bindings from every record ---- */
/* Stages the Bindings entry of each ID in `ids` as the best candidate among
 * the records not in `skip` plus `extra` (the package being installed):
 * the winner's Service, ImagePath, ClassGuid, Inf, InstallSection, Rank,
 * DriverDate, DriverVersion; none left: the binding made by hand before
 * (ManualBindings) comes back, or the entry goes. A binding made by hand
 * that an INF takes over is set aside in ManualBindings. */
void setup_stage_bindings(setup_stage_t *st, const setup_strv_t *ids, const setup_strv_t *skip,
                          const setup_candidate_t *extra, size_t nextra, setup_report_t *r);

/* ---- device_keys.c: a package installed on devices ---- */
/* Stages forgetting that the packages in `infs` were installed on devices
 * (the InfPath, InfSection, DriverDate, DriverVersion and MatchingDeviceId
 * of every Enum\<instance>\Driver naming one), so the package's device
 * values are applied again when it comes back. */
void setup_stage_forget_installs(setup_stage_t *st, const setup_strv_t *infs);
/* Stages the removal of Service and ClassGUID from every device instance
 * key naming one of these services (uninstall; devices present or not). */
void setup_stage_forget_services(setup_stage_t *st, const setup_strv_t *services);

/* ---- addreg.c: AddReg entries to registry data ---- */
/* The value an AddReg entry sets (type and data as Windows stores them);
 * false (with a reason in r) when it sets none (DELVAL, KEYONLY, a bad
 * number). existing/existing_size: the current value for APPEND. */
bool setup_addreg_data(const bk_inf_reg_t *reg, ULONG *type, void **data, ULONG *size,
                       const void *existing, ULONG existing_size, ULONG existing_type);
/* "\Registry\Machine\..." for HKLM/HKCR entries; NULL for HKR, HKCU, HKU. */
char *setup_addreg_absolute(const bk_inf_reg_t *reg);

/* ---- written.c: HKLM/HKCR AddReg values, recorded so uninstall undoes them ---- */
typedef struct setup_written {
    char *key, *value;
    bool key_only;    /* FLG_ADDREG_KEYONLY: only the key */
    bool key_created; /* the key did not exist before the package */
    bool existed;     /* the value existed before: old_* restore it */
    ULONG old_type, old_size;
    void *old_data;
} setup_written_t;

typedef struct setup_written_list {
    setup_written_t *items;
    size_t count, cap;
} setup_written_list_t;

/* The Written\NNNN entries of a record (empty when none). */
void setup_written_load(const char *inf, setup_written_list_t *out);
void setup_written_free(setup_written_list_t *list);
/* Stages the package's HKLM/HKCR AddReg entries, recording each value in
 * `out` (what it was before the package; carried over from `old` on a
 * reinstall), and stages undoing what `old` wrote that the package no
 * longer writes. HKCU/HKU entries are skipped with a warning. */
void setup_stage_globals(setup_stage_t *st, const bk_inf_reg_t *const *regs, size_t nregs,
                         const setup_written_list_t *old, setup_written_list_t *out,
                         setup_report_t *r);
/* Stages writing the list as the record's Written subkeys. */
void setup_stage_written_record(setup_stage_t *st, const char *inf,
                                const setup_written_list_t *list);
/* Stages undoing every entry (uninstall). */
void setup_stage_unwrite(setup_stage_t *st, const setup_written_list_t *list);

#endif

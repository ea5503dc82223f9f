/* Shared inside ntos/registry only: the key tree's nodes, the one lock that
 * guards it, name handling, and the hooks persist.c and zw.c need. Nothing
 * outside this folder includes it. */
#ifndef NTOS_REG_INTERNAL_H
#define NTOS_REG_INTERNAL_H

#include "../private.h"
#include "registry.h"

/* Status codes the registry returns that ntstatus.h does not carry yet. */
#ifndef STATUS_OBJECT_PATH_SYNTAX_BAD
#define STATUS_OBJECT_PATH_SYNTAX_BAD ((NTSTATUS)0xC000003BL)
#endif
#ifndef STATUS_KEY_DELETED
#define STATUS_KEY_DELETED ((NTSTATUS)0xC000017CL)
#endif
#ifndef STATUS_CHILD_MUST_BE_VOLATILE
#define STATUS_CHILD_MUST_BE_VOLATILE ((NTSTATUS)0xC0000181L)
#endif
/* ZwCreateKey's Disposition (wdm.h values; include/wdk/pnp.h lacks them). */
#ifndef REG_CREATED_NEW_KEY
#define REG_CREATED_NEW_KEY 0x00000001L
#endif
#ifndef REG_OPENED_EXISTING_KEY
#define REG_OPENED_EXISTING_KEY 0x00000002L
#endif
/* Specific key access rights (wdm.h values). */
#ifndef KEY_QUERY_VALUE
#define KEY_QUERY_VALUE 0x0001
#endif
#ifndef KEY_SET_VALUE
#define KEY_SET_VALUE 0x0002
#endif
#ifndef KEY_CREATE_SUB_KEY
#define KEY_CREATE_SUB_KEY 0x0004
#endif
#ifndef KEY_ENUMERATE_SUB_KEYS
#define KEY_ENUMERATE_SUB_KEYS 0x0008
#endif
#ifndef GENERIC_EXECUTE
#define GENERIC_EXECUTE 0x20000000u
#endif
#ifndef MAXIMUM_ALLOWED
#define MAXIMUM_ALLOWED 0x02000000L
#endif

/* Windows' limits: a key name is at most 255 UTF-16 units, a value name
 * 16383. */
#define REG_MAX_KEY_NAME   255
#define REG_MAX_VALUE_NAME 16383

typedef struct reg_value {
    char *name; /* UTF-8; "" is the key's default value */
    ULONG type;
    ULONG size;
    unsigned char *data;
} reg_value_t;

/* A key. The tree owns every attached key; `refs` counts opens (reg_open,
 * handles). A deleted key leaves the tree at once and is freed when its
 * last open goes. */
struct reg_key {
    char *name;               /* UTF-8, as created (case kept) */
    struct reg_key *parent;   /* NULL for the root and for deleted keys */
    struct reg_key **subkeys; /* sorted case-insensitively, as Windows enumerates */
    size_t subkey_count, subkey_cap;
    reg_value_t *values; /* in creation order, as Windows enumerates */
    size_t value_count, value_cap;
    unsigned refs;
    struct reg_key *next_orphan; /* deleted but still open */
    bool deleted;
    bool is_volatile; /* REG_OPTION_VOLATILE: never persisted */
};

/* The registry lock: every tree access holds it. */
void reg_lock(void);
void reg_unlock(void);
reg_key_t *reg_root_locked(void); /* "\Registry" */

/* ---- batches (batch.c) ---- */
/* reg_flush's side: returns once no other thread has a batch open, holding
 * off new batches until reg_batch_release. */
void reg_batch_hold(void);
void reg_batch_release(void);

/* ---- names (names.c) ---- */
/* Compares two UTF-8 names as Windows does: case-insensitively, by upcased
 * UTF-16 code units. */
int reg_name_compare(const char *a, const char *b);
/* Strict UTF-8 decoding: returns the number of code points, or -1 if the
 * text is not valid UTF-8 (overlong forms, surrogates, > U+10FFFF). */
long reg_utf8_check(const char *s, size_t len);
/* UTF-8 -> UTF-16 units (invalid input never reaches here: callers check).
 * Returns units written (no NUL added); dst may be NULL to count. */
size_t reg_utf8_to_utf16(const char *s, size_t len, WCHAR *dst);
/* UTF-16 -> UTF-8, lone surrogates become U+FFFD. Returns bytes needed
 * (without NUL); writes at most cap-1 bytes and a NUL when cap > 0. */
size_t reg_utf16_to_utf8(const WCHAR *s, size_t units, char *dst, size_t cap);
/* Valid UTF-16 (every surrogate paired)? */
bool reg_utf16_valid(const WCHAR *s, size_t units);
char *reg_strdup_utf16(const WCHAR *s, size_t units); /* malloc'd UTF-8 */
/* Number of UTF-16 units a UTF-8 name takes (for the 255/16383 limits). */
size_t reg_name_units(const char *s);

/* ---- tree (tree.c), lock held ---- */
/* Looks up `path` ('\\'-separated, no leading '\\') below `base`. create:
 * 0 = none, 1 = every missing key, 2 = only the last component (ZwCreateKey).
 * *created tells whether the last key is new. Returns a referenced key. */
enum { REG_LOOKUP_OPEN = 0, REG_LOOKUP_CREATE_ALL = 1, REG_LOOKUP_CREATE_LAST = 2 };
NTSTATUS reg_lookup_locked(reg_key_t *base, const char *path, int create, bool make_volatile,
                           reg_key_t **key, bool *created);
/* Splits "\\Registry\\..." into the root and the rest. */
NTSTATUS reg_absolute_locked(const char *path, reg_key_t **base, const char **rest);
reg_value_t *reg_find_value_locked(reg_key_t *key, const char *name);
NTSTATUS reg_set_value_locked(reg_key_t *key, const char *name, ULONG type, const void *data,
                              ULONG size);
void reg_ref_locked(reg_key_t *key);
void reg_unref_locked(reg_key_t *key);
/* A detached "\Registry" root with empty Machine and User keys. */
reg_key_t *reg_new_root(void);
/* Frees the live tree (and deleted keys still open), counting the keys
 * still open; then installs `root` (NULL: none until the next use, which
 * makes an empty one). */
size_t reg_replace_tree_locked(reg_key_t *root);
void reg_free_key(reg_key_t *key); /* a detached key and its subtree, ignoring refs */

/* ---- persistence (persist.c) ---- */
/* Parses `path` into a detached tree. On error returns NULL and writes
 * "file:line: message" into err. */
reg_key_t *reg_load_file(const char *path, char *err, size_t err_len);
/* Writes the live tree to `path` atomically. Lock held. */
NTSTATUS reg_save_locked(const char *path);
/* Test hook: the next save stops after writing `bytes` bytes of the temp
 * file (as if the machine died), returning STATUS_UNSUCCESSFUL; (size_t)-1
 * turns it off. */
void reg_test_crash_next_save(size_t bytes);
/* Test hook: drops the registry as a crash would, with no final save. */
void reg_test_crash(void);

/* ---- handles (handles.c) ---- */
void reg_handles_init(void);
void reg_handles_shutdown(void);
/* The key behind a handle, referenced, with the access granted to the
 * handle; STATUS_INVALID_HANDLE or STATUS_OBJECT_TYPE_MISMATCH. */
NTSTATUS reg_key_from_handle(HANDLE handle, reg_key_t **key, ACCESS_MASK *granted);
HANDLE reg_insert_key_handle(reg_key_t *key, ACCESS_MASK granted);
/* The key rights a DesiredAccess grants: GENERIC_READ/EXECUTE -> KEY_READ,
 * GENERIC_WRITE -> KEY_WRITE, GENERIC_ALL and MAXIMUM_ALLOWED -> everything
 * (the host has no security descriptors to say less). */
ACCESS_MASK reg_map_access(ACCESS_MASK desired);

#endif

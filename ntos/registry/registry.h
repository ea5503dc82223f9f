/* The host registry's internal API (ntos/registry): an in-memory tree of keys
 * under "\Registry\Machine", optionally persisted atomically to one file.
 * Managers (pnp, the INF installer) use these; drivers use the Zw* routines. */
#ifndef NTOS_REGISTRY_H
#define NTOS_REGISTRY_H

#include <wdm.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct reg_key reg_key_t;

/* All reg_* calls: PASSIVE_LEVEL, thread safe. Paths are UTF-8,
 * '\\'-separated, case-insensitive, e.g. "\\Registry\\Machine\\System\\...".
 * create: makes missing keys along the path. A key stays valid (as an
 * orphan) after reg_delete_key until it is closed. */
NTSTATUS reg_open(const char *path_utf8, bool create, reg_key_t **key);
void reg_close(reg_key_t *key);

/* Raw values. REG_SZ/REG_EXPAND_SZ/REG_MULTI_SZ data is UTF-16 with its
 * terminating NUL(s), as Windows stores it. reg_get_value: *size is the
 * buffer size in, bytes written (or needed) out; STATUS_BUFFER_OVERFLOW with
 * the needed size when data is too small (data may be NULL to ask the size);
 * STATUS_OBJECT_NAME_NOT_FOUND when there is no such value. type may be NULL.
 * An empty or NULL name is the key's default value. */
NTSTATUS reg_set_value(reg_key_t *key, const char *name, ULONG type, const void *data, ULONG size);
NTSTATUS reg_get_value(reg_key_t *key, const char *name, ULONG *type, void *data, ULONG *size);

/* REG_SZ/REG_EXPAND_SZ as UTF-8 (STATUS_OBJECT_TYPE_MISMATCH for other types,
 * STATUS_BUFFER_OVERFLOW when buf cannot hold it with its NUL). */
NTSTATUS reg_get_string(reg_key_t *key, const char *name, char *buf, size_t len);
NTSTATUS reg_set_string(reg_key_t *key, const char *name, const char *utf8);
/* REG_DWORD (STATUS_OBJECT_TYPE_MISMATCH for other types). */
NTSTATUS reg_get_dword(reg_key_t *key, const char *name, ULONG *value);
NTSTATUS reg_set_dword(reg_key_t *key, const char *name, ULONG value);
NTSTATUS reg_delete_value(reg_key_t *key, const char *name);
/* Deletes the key and everything below it (recursive). */
NTSTATUS reg_delete_key(const char *path_utf8);

/* Enumeration as Windows orders it: subkeys sorted case-insensitively,
 * values in creation order. STATUS_NO_MORE_ENTRIES past the end,
 * STATUS_BUFFER_OVERFLOW when name cannot hold the name and its NUL. */
NTSTATUS reg_enum_subkey(reg_key_t *key, ULONG index, char *name, size_t len);
NTSTATUS reg_enum_value(reg_key_t *key, ULONG index, char *name, size_t len, ULONG *type);

/* A Zw* handle that owns `key` (the caller's reference moves to the handle):
 * ZwClose(handle) closes the key. NULL if the handle table is full (then the
 * key has been closed). The handle has KEY_ALL_ACCESS; the _access form
 * grants what a caller asked for (IoOpenDeviceRegistryKey's DesiredAccess:
 * GENERIC_* map to KEY_READ/KEY_WRITE), and ZwSetValueKey on a handle
 * without KEY_SET_VALUE then fails with STATUS_ACCESS_DENIED, as on Windows. */
HANDLE reg_handle_from_key(reg_key_t *key);
HANDLE reg_handle_from_key_access(reg_key_t *key, ACCESS_MASK desired_access);

/* Writes the registry to the file given to reg_init now (temp file, fsync,
 * rename, fsync of the directory). STATUS_SUCCESS when no file is configured. */
NTSTATUS reg_flush(void);

/* A batch: several changes that belong together (an install's keys). While
 * one is open, reg_flush from any other thread waits until it ends, so the
 * file holds all of it or none; the batch's own thread may reg_flush inside
 * it (that flush is the batch's commit). Begins nest on one thread; a begin
 * on another thread waits for the open batch to end. Keep a batch to
 * registry work: a thread it waits for must not reg_flush. PASSIVE_LEVEL. */
void reg_batch_begin(void);
void reg_batch_end(void);

/* reg_init(const char *persist_file) and reg_shutdown(void) are in private.h. */

#endif

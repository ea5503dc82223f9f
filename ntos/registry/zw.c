/* The Zw* registry routines drivers call (include/wdk/pnp.h): opening and
 * creating keys by OBJECT_ATTRIBUTES (absolute, or relative to an open key
 * handle), reading, writing and deleting values, with the status codes and
 * buffer rules the WDK documents. ZwClose is handles.c. */
#include "reg_internal.h"

#include <stdlib.h>

#define REG_OPTION_KNOWN (REG_OPTION_VOLATILE)

/* A counted UTF-16 name as malloc'd UTF-8. NULL `us` is the empty name. */
static NTSTATUS name_utf8(PCUNICODE_STRING us, char **out)
{
    *out = NULL;
    if (!us || us->Length == 0) {
        *out = strdup("");
        return *out ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    }
    if ((us->Length & 1) || !us->Buffer || us->Length > us->MaximumLength)
        return STATUS_INVALID_PARAMETER;
    size_t units = us->Length / sizeof(WCHAR);
    for (size_t i = 0; i < units; i++)
        if (us->Buffer[i] == 0)
            return STATUS_OBJECT_NAME_INVALID;
    *out = reg_strdup_utf16(us->Buffer, units);
    return *out ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
}

/* Opens (create: REG_LOOKUP_CREATE_LAST) the key ObjectAttributes names. */
static NTSTATUS open_by_attributes(POBJECT_ATTRIBUTES oa, int create, bool make_volatile,
                                   reg_key_t **key, bool *created)
{
    *key = NULL;
    if (!oa)
        return STATUS_INVALID_PARAMETER;
    if (!oa->ObjectName)
        return STATUS_OBJECT_NAME_INVALID;
    char *path;
    NTSTATUS s = name_utf8(oa->ObjectName, &path);
    if (!NT_SUCCESS(s))
        return s;
    reg_key_t *base = NULL;
    ACCESS_MASK base_access = 0;
    if (oa->RootDirectory) {
        /* docs: with RootDirectory the name is relative to that key. */
        if (path[0] == '\\') {
            s = STATUS_OBJECT_PATH_SYNTAX_BAD;
            goto out;
        }
        s = reg_key_from_handle(oa->RootDirectory, &base, &base_access);
        if (!NT_SUCCESS(s))
            goto out;
        reg_lock();
        s = reg_lookup_locked(base, path, REG_LOOKUP_OPEN, make_volatile, key, created);
        if (s == STATUS_OBJECT_NAME_NOT_FOUND && create) {
            /* Creating a subkey through a handle needs KEY_CREATE_SUB_KEY. */
            if (!(base_access & KEY_CREATE_SUB_KEY))
                s = STATUS_ACCESS_DENIED;
            else
                s = reg_lookup_locked(base, path, create, make_volatile, key, created);
        }
        reg_unref_locked(base);
        reg_unlock();
    } else {
        const char *rest;
        reg_lock();
        s = reg_absolute_locked(path, &base, &rest);
        if (NT_SUCCESS(s))
            s = reg_lookup_locked(base, rest, create, make_volatile, key, created);
        reg_unlock();
    }
out:
    free(path);
    return s;
}

NTSTATUS NTAPI ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                         POBJECT_ATTRIBUTES ObjectAttributes)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!KeyHandle)
        return STATUS_INVALID_PARAMETER;
    *KeyHandle = NULL;
    reg_key_t *key;
    NTSTATUS s = open_by_attributes(ObjectAttributes, REG_LOOKUP_OPEN, false, &key, NULL);
    if (!NT_SUCCESS(s))
        return s;
    *KeyHandle = reg_insert_key_handle(key, reg_map_access(DesiredAccess));
    if (!*KeyHandle) {
        reg_close(key);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_SUCCESS;
}

/* docs: creates only the last key of the path (its parent must exist);
 * Disposition says whether it was created or opened. */
NTSTATUS NTAPI ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
                           POBJECT_ATTRIBUTES ObjectAttributes, ULONG TitleIndex,
                           PUNICODE_STRING Class, ULONG CreateOptions, PULONG Disposition)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    UNREFERENCED_PARAMETER(TitleIndex);
    UNREFERENCED_PARAMETER(Class); /* key classes are not kept */
    if (!KeyHandle)
        return STATUS_INVALID_PARAMETER;
    *KeyHandle = NULL;
    if (CreateOptions & ~(ULONG)REG_OPTION_KNOWN)
        return STATUS_INVALID_PARAMETER; /* links and backup/restore are not offered */
    reg_key_t *key;
    bool created = false;
    NTSTATUS s = open_by_attributes(ObjectAttributes, REG_LOOKUP_CREATE_LAST,
                                    (CreateOptions & REG_OPTION_VOLATILE) != 0, &key, &created);
    if (!NT_SUCCESS(s))
        return s;
    *KeyHandle = reg_insert_key_handle(key, reg_map_access(DesiredAccess));
    if (!*KeyHandle) {
        reg_close(key);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    if (Disposition)
        *Disposition = created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY;
    return STATUS_SUCCESS;
}

/* The key behind a handle, checked for the access an operation needs. */
static NTSTATUS key_for(HANDLE h, ACCESS_MASK need, reg_key_t **key)
{
    ACCESS_MASK granted;
    NTSTATUS s = reg_key_from_handle(h, key, &granted);
    if (NT_SUCCESS(s) && (granted & need) != need) {
        reg_close(*key);
        *key = NULL;
        s = STATUS_ACCESS_DENIED;
    }
    return s;
}

static void put_ulong(void *buf, size_t off, ULONG v)
{
    memcpy((unsigned char *)buf + off, &v, sizeof v);
}

/* Layouts (wdm.h): KEY_VALUE_BASIC_INFORMATION {TitleIndex, Type,
 * NameLength, Name[]} and KEY_VALUE_FULL_INFORMATION {TitleIndex, Type,
 * DataOffset, DataLength, NameLength, Name[]} with the data after the name
 * at a ULONG boundary; KEY_VALUE_PARTIAL_INFORMATION {TitleIndex, Type,
 * DataLength, Data[]}. */
#define BASIC_FIXED   12u
#define FULL_FIXED    20u
#define PARTIAL_FIXED 12u

NTSTATUS NTAPI ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
                               KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass,
                               PVOID KeyValueInformation, ULONG Length, PULONG ResultLength)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!ResultLength)
        return STATUS_INVALID_PARAMETER;
    *ResultLength = 0;
    if (KeyValueInformationClass != KeyValueBasicInformation &&
        KeyValueInformationClass != KeyValueFullInformation &&
        KeyValueInformationClass != KeyValuePartialInformation)
        return STATUS_INVALID_PARAMETER; /* docs: not a valid class */
    reg_key_t *key;
    NTSTATUS s = key_for(KeyHandle, KEY_QUERY_VALUE, &key);
    if (!NT_SUCCESS(s))
        return s;
    char *name;
    s = name_utf8(ValueName, &name);
    if (!NT_SUCCESS(s)) {
        reg_close(key);
        return s;
    }
    WCHAR *wname = NULL;
    reg_lock();
    reg_value_t *v = key->deleted ? NULL : reg_find_value_locked(key, name);
    if (key->deleted) {
        s = STATUS_KEY_DELETED;
        goto out;
    }
    if (!v) {
        s = STATUS_OBJECT_NAME_NOT_FOUND;
        goto out;
    }
    /* The name as stored (its own case), in UTF-16. */
    size_t units = reg_utf8_to_utf16(v->name, strlen(v->name), NULL);
    wname = malloc((units ? units : 1) * sizeof(WCHAR));
    if (!wname) {
        s = STATUS_INSUFFICIENT_RESOURCES;
        goto out;
    }
    reg_utf8_to_utf16(v->name, strlen(v->name), wname);
    ULONG name_bytes = (ULONG)(units * sizeof(WCHAR));
    ULONG fixed, need, data_off = 0;
    switch (KeyValueInformationClass) {
    case KeyValueBasicInformation:
        fixed = BASIC_FIXED;
        need = fixed + name_bytes;
        break;
    case KeyValueFullInformation:
        fixed = FULL_FIXED;
        data_off = (ULONG)ALIGN_UP_BY(fixed + name_bytes, sizeof(ULONG));
        need = data_off + v->size;
        break;
    default:
        fixed = PARTIAL_FIXED;
        need = fixed + v->size;
        break;
    }
    /* docs: ResultLength always receives the size the information needs. */
    *ResultLength = need;
    if (Length < fixed) {
        s = STATUS_BUFFER_TOO_SMALL; /* docs: nothing written */
        goto out;
    }
    if (!KeyValueInformation) {
        s = STATUS_INVALID_PARAMETER;
        goto out;
    }
    /* The fixed part always goes in; the variable part only when it fits
     * (a name is cut at a character; data is never cut). docs: with
     * STATUS_BUFFER_OVERFLOW only partial data has been written. */
    bool fits = Length >= need;
    unsigned char *out = KeyValueInformation;
    put_ulong(out, 0, 0); /* TitleIndex */
    put_ulong(out, 4, v->type);
    switch (KeyValueInformationClass) {
    case KeyValueBasicInformation: {
        put_ulong(out, 8, name_bytes);
        ULONG room = fits ? name_bytes : (Length - fixed) & ~1u;
        memcpy(out + fixed, wname, room);
        break;
    }
    case KeyValueFullInformation:
        put_ulong(out, 8, data_off);
        put_ulong(out, 12, v->size);
        put_ulong(out, 16, name_bytes);
        if (fits) {
            memcpy(out + fixed, wname, name_bytes);
            memset(out + fixed + name_bytes, 0, data_off - fixed - name_bytes);
            if (v->size)
                memcpy(out + data_off, v->data, v->size);
        }
        break;
    default:
        put_ulong(out, 8, v->size);
        if (fits && v->size)
            memcpy(out + fixed, v->data, v->size);
        break;
    }
    s = fits ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
out:
    reg_unlock();
    free(wname);
    free(name);
    reg_close(key);
    return s;
}

NTSTATUS NTAPI ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex,
                             ULONG Type, PVOID Data, ULONG DataSize)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    UNREFERENCED_PARAMETER(TitleIndex); /* docs: reserved */
    if (DataSize && !Data)
        return STATUS_INVALID_PARAMETER;
    reg_key_t *key;
    NTSTATUS s = key_for(KeyHandle, KEY_SET_VALUE, &key);
    if (!NT_SUCCESS(s))
        return s;
    char *name;
    s = name_utf8(ValueName, &name);
    if (NT_SUCCESS(s)) {
        s = reg_set_value(key, name, Type, Data, DataSize);
        free(name);
    }
    reg_close(key);
    return s;
}

NTSTATUS NTAPI ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    reg_key_t *key;
    NTSTATUS s = key_for(KeyHandle, KEY_SET_VALUE, &key);
    if (!NT_SUCCESS(s))
        return s;
    char *name;
    s = name_utf8(ValueName, &name);
    if (NT_SUCCESS(s)) {
        s = reg_delete_value(key, name);
        free(name);
    }
    reg_close(key);
    return s;
}

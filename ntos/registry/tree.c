/* The registry's key tree: keys, values, path lookup and the reg_* calls
 * managers use. Persistence is persist.c; Zw* handles are zw.c and
 * handles.c. One mutex guards the whole tree (registry calls are rare and
 * short; PASSIVE_LEVEL only). */
#include "reg_internal.h"

#include <stdlib.h>

static pthread_mutex_t tree_lock = PTHREAD_MUTEX_INITIALIZER;
static reg_key_t *root;    /* "\Registry" */
static reg_key_t *orphans; /* deleted keys still open */

void reg_lock(void)
{
    pthread_mutex_lock(&tree_lock);
}

void reg_unlock(void)
{
    pthread_mutex_unlock(&tree_lock);
}

reg_key_t *reg_root_locked(void)
{
    if (!root)
        root = reg_new_root();
    return root;
}

static reg_key_t *new_key(const char *name, size_t len)
{
    reg_key_t *k = calloc(1, sizeof(*k));
    if (!k)
        return NULL;
    k->name = malloc(len + 1);
    if (!k->name) {
        free(k);
        return NULL;
    }
    memcpy(k->name, name, len);
    k->name[len] = 0;
    return k;
}

static void free_values(reg_key_t *k)
{
    for (size_t i = 0; i < k->value_count; i++) {
        free(k->values[i].name);
        free(k->values[i].data);
    }
    free(k->values);
    k->values = NULL;
    k->value_count = k->value_cap = 0;
}

void reg_free_key(reg_key_t *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->subkey_count; i++)
        reg_free_key(k->subkeys[i]);
    free(k->subkeys);
    free_values(k);
    free(k->name);
    free(k);
}

/* Inserts `child` into parent's sorted subkey array at `pos`. */
static bool insert_subkey(reg_key_t *parent, size_t pos, reg_key_t *child)
{
    if (parent->subkey_count == parent->subkey_cap) {
        size_t cap = parent->subkey_cap ? parent->subkey_cap * 2 : 4;
        reg_key_t **a = realloc(parent->subkeys, cap * sizeof(*a));
        if (!a)
            return false;
        parent->subkeys = a;
        parent->subkey_cap = cap;
    }
    memmove(parent->subkeys + pos + 1, parent->subkeys + pos,
            (parent->subkey_count - pos) * sizeof(*parent->subkeys));
    parent->subkeys[pos] = child;
    parent->subkey_count++;
    child->parent = parent;
    return true;
}

/* Binary search; *pos is where the name is or would go. */
static reg_key_t *find_subkey(reg_key_t *parent, const char *name, size_t *pos)
{
    size_t lo = 0, hi = parent->subkey_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = reg_name_compare(parent->subkeys[mid]->name, name);
        if (c == 0) {
            *pos = mid;
            return parent->subkeys[mid];
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return NULL;
}

reg_key_t *reg_new_root(void)
{
    reg_key_t *r = new_key("Registry", 8);
    reg_key_t *m = new_key("Machine", 7);
    reg_key_t *u = new_key("User", 4);
    if (!r || !m || !u || !insert_subkey(r, 0, m)) {
        free(u);
        reg_free_key(m);
        reg_free_key(r);
        return NULL;
    }
    if (!insert_subkey(r, 1, u)) {
        reg_free_key(u);
        reg_free_key(r);
        return NULL;
    }
    return r;
}

static size_t count_open(const reg_key_t *k)
{
    size_t n = k->refs ? 1 : 0;
    for (size_t i = 0; i < k->subkey_count; i++)
        n += count_open(k->subkeys[i]);
    return n;
}

size_t reg_replace_tree_locked(reg_key_t *new_root)
{
    /* Keys still open are leaked handles or reg_opens without reg_close. */
    size_t open = root ? count_open(root) : 0;
    reg_free_key(root);
    while (orphans) {
        reg_key_t *o = orphans;
        orphans = o->next_orphan;
        open++;
        reg_free_key(o);
    }
    root = new_root;
    return open;
}

void reg_ref_locked(reg_key_t *key)
{
    key->refs++;
}

void reg_unref_locked(reg_key_t *key)
{
    if (!key->refs) {
        bk_log(BK_LOG_ERROR, "registry: key \"%s\" closed more often than opened", key->name);
        return;
    }
    if (--key->refs || !key->deleted)
        return;
    for (reg_key_t **p = &orphans; *p; p = &(*p)->next_orphan) {
        if (*p == key) {
            *p = key->next_orphan;
            break;
        }
    }
    reg_free_key(key);
}

/* A key name component: 1..255 UTF-16 units of valid UTF-8 without control
 * characters (the file format keeps one key per line). */
static NTSTATUS check_component(const char *s, size_t len)
{
    if (len == 0)
        return STATUS_OBJECT_NAME_INVALID;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
            return STATUS_OBJECT_NAME_INVALID;
    if (reg_utf8_check(s, len) < 0 || reg_utf8_to_utf16(s, len, NULL) > REG_MAX_KEY_NAME)
        return STATUS_OBJECT_NAME_INVALID;
    return STATUS_SUCCESS;
}

NTSTATUS reg_lookup_locked(reg_key_t *base, const char *path, int create, bool make_volatile,
                           reg_key_t **out, bool *created)
{
    *out = NULL;
    if (created)
        *created = false;
    if (base->deleted)
        return STATUS_KEY_DELETED;
    /* Validate every component before creating anything. */
    for (const char *p = path; *p;) {
        const char *end = strchr(p, '\\');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        NTSTATUS s = check_component(p, len);
        if (!NT_SUCCESS(s))
            return s;
        p += len;
        if (*p == '\\' && !*++p)
            return STATUS_OBJECT_NAME_INVALID; /* trailing separator */
    }
    reg_key_t *k = base;
    char name[4 * REG_MAX_KEY_NAME + 1];
    for (const char *p = path; *p;) {
        const char *end = strchr(p, '\\');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        bool last = !end;
        memcpy(name, p, len);
        name[len] = 0;
        size_t pos;
        reg_key_t *child = find_subkey(k, name, &pos);
        if (!child) {
            bool may_create =
                create == REG_LOOKUP_CREATE_ALL || (create == REG_LOOKUP_CREATE_LAST && last);
            if (!may_create)
                return STATUS_OBJECT_NAME_NOT_FOUND;
            if (k == root)
                return STATUS_ACCESS_DENIED; /* only Machine and User live there */
            bool vol = make_volatile || (create == REG_LOOKUP_CREATE_ALL && k->is_volatile);
            if (k->is_volatile && !vol)
                return STATUS_CHILD_MUST_BE_VOLATILE; /* docs: ZwCreateKey */
            child = new_key(name, len);
            if (!child || !insert_subkey(k, pos, child)) {
                reg_free_key(child);
                return STATUS_INSUFFICIENT_RESOURCES;
            }
            child->is_volatile = vol;
            if (last && created)
                *created = true;
        }
        k = child;
        p += len + (end ? 1 : 0);
    }
    reg_ref_locked(k);
    *out = k;
    return STATUS_SUCCESS;
}

NTSTATUS reg_absolute_locked(const char *path, reg_key_t **base, const char **rest)
{
    static const char prefix[] = "\\Registry";
    if (path[0] != '\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    size_t n = sizeof prefix - 1;
    char head[sizeof prefix];
    if (strlen(path) < n)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    memcpy(head, path, n);
    head[n] = 0;
    if (reg_name_compare(head, prefix) != 0 || (path[n] != 0 && path[n] != '\\'))
        return STATUS_OBJECT_NAME_NOT_FOUND;
    *base = reg_root_locked();
    if (!*base)
        return STATUS_INSUFFICIENT_RESOURCES;
    *rest = path[n] ? path + n + 1 : path + n;
    if (path[n] && !**rest)
        return STATUS_OBJECT_NAME_INVALID; /* "\Registry\" */
    return STATUS_SUCCESS;
}

reg_value_t *reg_find_value_locked(reg_key_t *key, const char *name)
{
    if (!name)
        name = "";
    for (size_t i = 0; i < key->value_count; i++)
        if (reg_name_compare(key->values[i].name, name) == 0)
            return &key->values[i];
    return NULL;
}

static NTSTATUS check_value_name(const char *name)
{
    size_t len = strlen(name);
    if (reg_utf8_check(name, len) < 0 || reg_utf8_to_utf16(name, len, NULL) > REG_MAX_VALUE_NAME)
        return STATUS_OBJECT_NAME_INVALID;
    return STATUS_SUCCESS;
}

NTSTATUS reg_set_value_locked(reg_key_t *key, const char *name, ULONG type, const void *data,
                              ULONG size)
{
    if (key->deleted)
        return STATUS_KEY_DELETED;
    if (!name)
        name = "";
    NTSTATUS s = check_value_name(name);
    if (!NT_SUCCESS(s))
        return s;
    if (size && !data)
        return STATUS_INVALID_PARAMETER;
    unsigned char *copy = NULL;
    if (size) {
        copy = malloc(size);
        if (!copy)
            return STATUS_INSUFFICIENT_RESOURCES;
        memcpy(copy, data, size);
    }
    reg_value_t *v = reg_find_value_locked(key, name);
    if (!v) {
        if (key->value_count == key->value_cap) {
            size_t cap = key->value_cap ? key->value_cap * 2 : 4;
            reg_value_t *a = realloc(key->values, cap * sizeof(*a));
            if (!a)
                goto no_memory;
            key->values = a;
            key->value_cap = cap;
        }
        char *dup = strdup(name);
        if (!dup)
            goto no_memory;
        v = &key->values[key->value_count++];
        v->name = dup;
        v->data = NULL;
    }
    free(v->data);
    v->data = copy;
    v->type = type;
    v->size = size;
    return STATUS_SUCCESS;
no_memory:
    free(copy);
    return STATUS_INSUFFICIENT_RESOURCES;
}

/* ---- the reg_* API ---- */

NTSTATUS reg_open(const char *path_utf8, bool create, reg_key_t **key)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    *key = NULL;
    if (!path_utf8)
        return STATUS_INVALID_PARAMETER;
    reg_lock();
    reg_key_t *base;
    const char *rest;
    NTSTATUS s = reg_absolute_locked(path_utf8, &base, &rest);
    if (NT_SUCCESS(s))
        s = reg_lookup_locked(base, rest, create ? REG_LOOKUP_CREATE_ALL : REG_LOOKUP_OPEN, false,
                              key, NULL);
    reg_unlock();
    return s;
}

void reg_close(reg_key_t *key)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!key)
        return;
    reg_lock();
    reg_unref_locked(key);
    reg_unlock();
}

NTSTATUS reg_set_value(reg_key_t *key, const char *name, ULONG type, const void *data, ULONG size)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    reg_lock();
    NTSTATUS s = reg_set_value_locked(key, name, type, data, size);
    reg_unlock();
    return s;
}

NTSTATUS reg_get_value(reg_key_t *key, const char *name, ULONG *type, void *data, ULONG *size)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!size)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS s = STATUS_SUCCESS;
    reg_lock();
    reg_value_t *v = key->deleted ? NULL : reg_find_value_locked(key, name);
    if (key->deleted) {
        s = STATUS_KEY_DELETED;
    } else if (!v) {
        s = STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        if (type)
            *type = v->type;
        if (!data || *size < v->size) {
            s = v->size ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
        } else if (v->size) {
            memcpy(data, v->data, v->size);
        }
        *size = v->size;
    }
    reg_unlock();
    return s;
}

NTSTATUS reg_get_string(reg_key_t *key, const char *name, char *buf, size_t len)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    NTSTATUS s = STATUS_SUCCESS;
    if (buf && len)
        buf[0] = 0;
    reg_lock();
    reg_value_t *v = key->deleted ? NULL : reg_find_value_locked(key, name);
    if (key->deleted) {
        s = STATUS_KEY_DELETED;
    } else if (!v) {
        s = STATUS_OBJECT_NAME_NOT_FOUND;
    } else if (v->type != REG_SZ && v->type != REG_EXPAND_SZ) {
        s = STATUS_OBJECT_TYPE_MISMATCH;
    } else {
        /* Up to the first NUL; data need not be terminated (Windows allows it). */
        size_t units = v->size / sizeof(WCHAR);
        WCHAR *w = (WCHAR *)v->data;
        size_t n = 0;
        WCHAR tmp;
        while (n < units && (memcpy(&tmp, w + n, sizeof tmp), tmp != 0))
            n++;
        WCHAR *aligned = malloc((n ? n : 1) * sizeof(WCHAR));
        if (!aligned) {
            s = STATUS_INSUFFICIENT_RESOURCES;
        } else {
            memcpy(aligned, v->data, n * sizeof(WCHAR));
            size_t need = reg_utf16_to_utf8(aligned, n, NULL, 0);
            if (!buf || need + 1 > len)
                s = STATUS_BUFFER_OVERFLOW;
            else
                reg_utf16_to_utf8(aligned, n, buf, len);
            free(aligned);
        }
    }
    reg_unlock();
    return s;
}

NTSTATUS reg_set_string(reg_key_t *key, const char *name, const char *utf8)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!utf8)
        return STATUS_INVALID_PARAMETER;
    size_t len = strlen(utf8);
    if (reg_utf8_check(utf8, len) < 0)
        return STATUS_INVALID_PARAMETER;
    size_t units = reg_utf8_to_utf16(utf8, len, NULL) + 1;
    if (units * sizeof(WCHAR) > 0xFFFFFFFFu)
        return STATUS_INVALID_PARAMETER;
    WCHAR *w = malloc(units * sizeof(WCHAR));
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    reg_utf8_to_utf16(utf8, len, w);
    w[units - 1] = 0; /* stored with its NUL, as Windows stores REG_SZ */
    NTSTATUS s = reg_set_value(key, name, REG_SZ, w, (ULONG)(units * sizeof(WCHAR)));
    free(w);
    return s;
}

NTSTATUS reg_get_dword(reg_key_t *key, const char *name, ULONG *value)
{
    ULONG type = 0, got = sizeof(ULONG), v = 0;
    NTSTATUS s = reg_get_value(key, name, &type, &v, &got);
    if (s == STATUS_BUFFER_OVERFLOW || (NT_SUCCESS(s) && (type != REG_DWORD || got != 4)))
        return STATUS_OBJECT_TYPE_MISMATCH;
    if (NT_SUCCESS(s))
        *value = v;
    return s;
}

NTSTATUS reg_set_dword(reg_key_t *key, const char *name, ULONG value)
{
    return reg_set_value(key, name, REG_DWORD, &value, sizeof value);
}

NTSTATUS reg_delete_value(reg_key_t *key, const char *name)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    NTSTATUS s = STATUS_SUCCESS;
    reg_lock();
    reg_value_t *v = key->deleted ? NULL : reg_find_value_locked(key, name);
    if (key->deleted) {
        s = STATUS_KEY_DELETED;
    } else if (!v) {
        s = STATUS_OBJECT_NAME_NOT_FOUND;
    } else {
        size_t i = (size_t)(v - key->values);
        free(v->name);
        free(v->data);
        memmove(key->values + i, key->values + i + 1,
                (key->value_count - i - 1) * sizeof(*key->values));
        key->value_count--;
    }
    reg_unlock();
    return s;
}

/* Marks a detached subtree deleted; frees the keys nobody has open and keeps
 * the open ones as orphans until their last close. */
static void delete_subtree_locked(reg_key_t *k)
{
    for (size_t i = 0; i < k->subkey_count; i++)
        delete_subtree_locked(k->subkeys[i]);
    free(k->subkeys);
    k->subkeys = NULL;
    k->subkey_count = k->subkey_cap = 0;
    free_values(k);
    k->parent = NULL;
    k->deleted = true;
    if (k->refs) {
        k->next_orphan = orphans;
        orphans = k;
    } else {
        reg_free_key(k);
    }
}

NTSTATUS reg_delete_key(const char *path_utf8)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (!path_utf8)
        return STATUS_INVALID_PARAMETER;
    reg_lock();
    reg_key_t *base, *key = NULL;
    const char *rest;
    NTSTATUS s = reg_absolute_locked(path_utf8, &base, &rest);
    if (NT_SUCCESS(s))
        s = reg_lookup_locked(base, rest, REG_LOOKUP_OPEN, false, &key, NULL);
    if (NT_SUCCESS(s) && (key == root || key->parent == root))
        s = STATUS_ACCESS_DENIED; /* \Registry, Machine and User stay */
    if (NT_SUCCESS(s)) {
        reg_key_t *parent = key->parent;
        size_t pos;
        find_subkey(parent, key->name, &pos);
        memmove(parent->subkeys + pos, parent->subkeys + pos + 1,
                (parent->subkey_count - pos - 1) * sizeof(*parent->subkeys));
        parent->subkey_count--;
        key->refs--; /* our lookup's reference, dropped before the walk */
        delete_subtree_locked(key);
        key = NULL;
    }
    if (key)
        reg_unref_locked(key);
    reg_unlock();
    return s;
}

static NTSTATUS copy_name(const char *src, char *name, size_t len)
{
    size_t n = strlen(src);
    if (!name || n + 1 > len)
        return STATUS_BUFFER_OVERFLOW;
    memcpy(name, src, n + 1);
    return STATUS_SUCCESS;
}

NTSTATUS reg_enum_subkey(reg_key_t *key, ULONG index, char *name, size_t len)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    NTSTATUS s;
    reg_lock();
    if (key->deleted)
        s = STATUS_KEY_DELETED;
    else if (index >= key->subkey_count)
        s = STATUS_NO_MORE_ENTRIES;
    else
        s = copy_name(key->subkeys[index]->name, name, len);
    reg_unlock();
    return s;
}

NTSTATUS reg_enum_value(reg_key_t *key, ULONG index, char *name, size_t len, ULONG *type)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    NTSTATUS s;
    reg_lock();
    if (key->deleted) {
        s = STATUS_KEY_DELETED;
    } else if (index >= key->value_count) {
        s = STATUS_NO_MORE_ENTRIES;
    } else {
        if (type)
            *type = key->values[index].type;
        s = copy_name(key->values[index].name, name, len);
    }
    reg_unlock();
    return s;
}

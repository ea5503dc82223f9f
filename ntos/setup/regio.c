/* regio.c: the installer's reads of the registry, by path: strings, numbers,
 * lists of names, and whole key subtrees held in memory (to undo a deletion
 * or to copy a package's per-device values). Writes go through stage.c. */
#include "setup_internal.h"

#include <stdlib.h>
#include <string.h>

bool setup_reg_exists(const char *path)
{
    reg_key_t *k;
    if (!NT_SUCCESS(reg_open(path, false, &k)))
        return false;
    reg_close(k);
    return true;
}

bool setup_reg_raw(const char *path, const char *name, ULONG *type, void **data, ULONG *size)
{
    reg_key_t *k;
    *data = NULL;
    *size = 0;
    if (!NT_SUCCESS(reg_open(path, false, &k)))
        return false;
    ULONG need = 0;
    NTSTATUS s = reg_get_value(k, name, type, NULL, &need);
    bool ok = false;
    if (NT_SUCCESS(s) || s == STATUS_BUFFER_OVERFLOW) {
        void *buf = malloc(need ? need : 1);
        ULONG got = need;
        if (buf && NT_SUCCESS(reg_get_value(k, name, type, buf, &got))) {
            *data = buf;
            *size = got;
            ok = true;
        } else {
            free(buf);
        }
    }
    reg_close(k);
    return ok;
}

char *setup_reg_string(const char *path, const char *name)
{
    ULONG type, size;
    void *data;
    if (!setup_reg_raw(path, name, &type, &data, &size))
        return NULL;
    char *out = NULL;
    if (type == REG_SZ || type == REG_EXPAND_SZ) {
        size_t units = size / sizeof(WCHAR);
        out = malloc(units * 3 + 1);
        if (out)
            rtl_utf16_to_utf8(data, units, out, units * 3 + 1);
    }
    free(data);
    return out;
}

bool setup_reg_dword(const char *path, const char *name, ULONG *out)
{
    reg_key_t *k;
    if (!NT_SUCCESS(reg_open(path, false, &k)))
        return false;
    bool ok = NT_SUCCESS(reg_get_dword(k, name, out));
    reg_close(k);
    return ok;
}

bool setup_reg_multi(const char *path, const char *name, setup_strv_t *out)
{
    ULONG type, size;
    void *data;
    if (!setup_reg_raw(path, name, &type, &data, &size))
        return false;
    bool ok = type == REG_MULTI_SZ;
    const WCHAR *w = data;
    size_t units = size / sizeof(WCHAR);
    for (size_t i = 0; ok && i < units && w[i];) {
        size_t n = 0;
        while (i + n < units && w[i + n])
            n++;
        char *s = malloc(n * 3 + 1);
        if (s) {
            rtl_utf16_to_utf8(w + i, n, s, n * 3 + 1);
            setup_strv_add(out, s);
            free(s);
        }
        i += n + 1;
    }
    free(data);
    return ok;
}

static void enum_names(const char *path, bool subkeys, setup_strv_t *out)
{
    reg_key_t *k;
    char name[SETUP_NAME_MAX * 3 + 1];
    if (!NT_SUCCESS(reg_open(path, false, &k)))
        return;
    for (ULONG i = 0;; i++) {
        ULONG type;
        NTSTATUS s = subkeys ? reg_enum_subkey(k, i, name, sizeof name)
                             : reg_enum_value(k, i, name, sizeof name, &type);
        if (s == STATUS_NO_MORE_ENTRIES)
            break;
        if (NT_SUCCESS(s))
            setup_strv_add(out, name);
    }
    reg_close(k);
}

void setup_reg_subkeys(const char *path, setup_strv_t *out)
{
    enum_names(path, true, out);
}

void setup_reg_values(const char *path, setup_strv_t *out)
{
    enum_names(path, false, out);
}

bool setup_reg_empty(const char *path)
{
    reg_key_t *k;
    char name[4];
    ULONG type;
    if (!NT_SUCCESS(reg_open(path, false, &k)))
        return false;
    /* STATUS_BUFFER_OVERFLOW also means "there is one". */
    bool empty = reg_enum_subkey(k, 0, name, sizeof name) == STATUS_NO_MORE_ENTRIES &&
                 reg_enum_value(k, 0, name, sizeof name, &type) == STATUS_NO_MORE_ENTRIES;
    reg_close(k);
    return empty;
}

/* ---- subtrees in memory ---- */
void setup_snap_free(setup_snap_t *snap)
{
    for (size_t i = 0; i < snap->nvalues; i++) {
        free(snap->values[i].name);
        free(snap->values[i].data);
    }
    for (size_t i = 0; i < snap->nsubkeys; i++)
        setup_snap_free(&snap->subkeys[i]);
    free(snap->values);
    free(snap->subkeys);
    free(snap->name);
    memset(snap, 0, sizeof(*snap));
}

bool setup_snap_take(const char *path, setup_snap_t *out, bool *oom)
{
    setup_strv_t values = {0}, subkeys = {0};
    memset(out, 0, sizeof(*out));
    if (!setup_reg_exists(path))
        return false;
    const char *base = strrchr(path, '\\');
    out->name = strdup(base ? base + 1 : path);
    setup_reg_values(path, &values);
    setup_reg_subkeys(path, &subkeys);
    out->values = calloc(values.count ? values.count : 1, sizeof(*out->values));
    out->subkeys = calloc(subkeys.count ? subkeys.count : 1, sizeof(*out->subkeys));
    if (!out->name || !out->values || !out->subkeys) {
        *oom = true;
        goto out;
    }
    for (size_t i = 0; i < values.count; i++) {
        setup_snap_value_t *v = &out->values[out->nvalues];
        if (!setup_reg_raw(path, values.items[i], &v->type, &v->data, &v->size))
            continue;
        v->name = strdup(values.items[i]);
        if (!v->name) {
            free(v->data);
            *oom = true;
            goto out;
        }
        out->nvalues++;
    }
    for (size_t i = 0; i < subkeys.count; i++) {
        char *sub = setup_printf("%s\\%s", path, subkeys.items[i]);
        if (!sub) {
            *oom = true;
            goto out;
        }
        if (setup_snap_take(sub, &out->subkeys[out->nsubkeys], oom))
            out->nsubkeys++;
        free(sub);
        if (*oom)
            goto out;
    }
out:
    setup_strv_free(&values);
    setup_strv_free(&subkeys);
    return true;
}

NTSTATUS setup_snap_write(const char *path, const setup_snap_t *snap)
{
    reg_key_t *k;
    NTSTATUS s = reg_open(path, true, &k);
    if (!NT_SUCCESS(s))
        return s;
    for (size_t i = 0; i < snap->nvalues && NT_SUCCESS(s); i++) {
        const setup_snap_value_t *v = &snap->values[i];
        s = reg_set_value(k, v->name, v->type, v->data, v->size);
    }
    reg_close(k);
    for (size_t i = 0; i < snap->nsubkeys && NT_SUCCESS(s); i++) {
        char *sub = setup_printf("%s\\%s", path, snap->subkeys[i].name);
        s = sub ? setup_snap_write(sub, &snap->subkeys[i]) : STATUS_INSUFFICIENT_RESOURCES;
        free(sub);
    }
    return s;
}

/* written.c: AddReg entries that write outside the keys a package owns
 * (HKLM, HKCR). Windows leaves them behind on uninstall; battkit records
 * each value with what it was before (Written\NNNN under the package's
 * record) so that uninstalling restores the registry exactly. */
#include "setup_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static setup_written_t *add_entry(setup_written_list_t *l)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        setup_written_t *items = realloc(l->items, cap * sizeof(*items));
        if (!items)
            return NULL;
        l->items = items;
        l->cap = cap;
    }
    setup_written_t *w = &l->items[l->count++];
    memset(w, 0, sizeof(*w));
    return w;
}

void setup_written_free(setup_written_list_t *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].key);
        free(list->items[i].value);
        free(list->items[i].old_data);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

void setup_written_load(const char *inf, setup_written_list_t *out)
{
    setup_strv_t idx = {0};
    char *base = setup_record_path(inf, "Written");
    memset(out, 0, sizeof(*out));
    if (!base)
        return;
    setup_reg_subkeys(base, &idx);
    for (size_t i = 0; i < idx.count; i++) {
        char *p = setup_printf("%s\\%s", base, idx.items[i]);
        setup_written_t *w = p ? add_entry(out) : NULL;
        if (!w) {
            free(p);
            break;
        }
        ULONG v = 0;
        w->key = setup_reg_string(p, "Key");
        w->value = setup_reg_string(p, "Value");
        w->key_only = setup_reg_dword(p, "KeyOnly", &v) && v;
        w->key_created = setup_reg_dword(p, "KeyCreated", &v) && v;
        w->existed = setup_reg_dword(p, "Existed", &v) && v;
        if (w->existed)
            setup_reg_raw(p, "OldData", &v, &w->old_data, &w->old_size);
        setup_reg_dword(p, "OldType", &w->old_type);
        if (!w->key || !w->value) {
            free(w->key);
            free(w->value);
            free(w->old_data);
            out->count--;
        }
        free(p);
    }
    setup_strv_free(&idx);
    free(base);
}

static const setup_written_t *find(const setup_written_list_t *l, const char *key,
                                   const char *value, bool key_only)
{
    for (size_t i = 0; l && i < l->count; i++) {
        const setup_written_t *w = &l->items[i];
        if (w->key_only == key_only && !setup_strcasecmp(w->key, key) &&
            !setup_strcasecmp(w->value, value))
            return w;
    }
    return NULL;
}

/* Records a value about to be written: what it was before the package. */
static bool note(setup_written_list_t *out, const setup_written_list_t *old, const char *key,
                 const char *value, bool key_only)
{
    if (find(out, key, value, key_only))
        return true; /* the first write holds the original */
    setup_written_t *w = add_entry(out);
    if (!w)
        return false;
    w->key = strdup(key);
    w->value = strdup(value);
    w->key_only = key_only;
    const setup_written_t *was = find(old, key, value, key_only);
    if (was) {
        w->key_created = was->key_created;
        w->existed = was->existed;
        w->old_type = was->old_type;
        if (was->existed && was->old_size) {
            w->old_data = malloc(was->old_size);
            if (w->old_data)
                memcpy(w->old_data, was->old_data, was->old_size);
            w->old_size = w->old_data ? was->old_size : 0;
        }
    } else {
        w->key_created = !setup_reg_exists(key);
        if (!key_only)
            w->existed = setup_reg_raw(key, value, &w->old_type, &w->old_data, &w->old_size);
    }
    return w->key && w->value;
}

static void unwrite_one(setup_stage_t *st, const setup_written_t *w)
{
    if (w->key_only) {
        if (w->key_created && setup_reg_empty(w->key))
            setup_stage_delete_key(st, w->key);
    } else if (w->existed) {
        setup_stage_set(st, w->key, w->value, w->old_type, w->old_data, w->old_size);
    } else {
        setup_stage_delete_value(st, w->key, w->value);
    }
}

void setup_stage_globals(setup_stage_t *st, const bk_inf_reg_t *const *regs, size_t nregs,
                         const setup_written_list_t *old, setup_written_list_t *out,
                         setup_report_t *r)
{
    for (size_t i = 0; i < nregs; i++) {
        const bk_inf_reg_t *g = regs[i];
        char *key = setup_addreg_absolute(g);
        if (!key) {
            setup_report(r,
                         "%s:%d: warning: AddReg to a user hive (HKCU/HKU) is skipped: battkit "
                         "has none",
                         g->line->file, g->line->line);
            continue;
        }
        const char *value = g->value_name;
        uint32_t f = g->flags;
        if (f & BK_FLG_ADDREG_KEYONLY) {
            if (note(out, old, key, "", true))
                setup_stage_create_key(st, key);
        } else if (f & BK_FLG_ADDREG_DELVAL) {
            if (*value && note(out, old, key, value, false))
                setup_stage_delete_value(st, key, value);
            else if (!*value)
                setup_report(r, "%s:%d: warning: AddReg deleting the key %s is skipped",
                             g->line->file, g->line->line, key);
        } else {
            ULONG type, size, etype = 0, esize = 0;
            void *data, *existing = NULL;
            bool exists = setup_reg_raw(key, value, &etype, &existing, &esize);
            bool skip = ((f & BK_FLG_ADDREG_NOCLOBBER) && exists) ||
                        ((f & BK_FLG_ADDREG_OVERWRITEONLY) && !exists);
            if (!skip && setup_addreg_data(g, &type, &data, &size, existing, esize, etype)) {
                if (note(out, old, key, value, false))
                    setup_stage_set(st, key, value, type, data, size);
                free(data);
            } else if (!skip) {
                setup_report(r, "%s:%d: warning: AddReg entry writes nothing (flags 0x%08x)",
                             g->line->file, g->line->line, (unsigned)f);
            }
            free(existing);
        }
        free(key);
    }
    /* What the earlier install wrote and this one does not: undone. */
    for (size_t i = 0; old && i < old->count; i++) {
        const setup_written_t *w = &old->items[i];
        if (!find(out, w->key, w->value, w->key_only))
            unwrite_one(st, w);
    }
}

void setup_stage_written_record(setup_stage_t *st, const char *inf,
                                const setup_written_list_t *list)
{
    for (size_t i = 0; i < list->count; i++) {
        const setup_written_t *w = &list->items[i];
        char *p = setup_record_path(inf, NULL);
        char *path = p ? setup_printf("%s\\Written\\%04zu", p, i) : NULL;
        free(p);
        if (!path) {
            st->oom = true;
            return;
        }
        setup_stage_sz(st, path, "Key", w->key);
        setup_stage_sz(st, path, "Value", w->value);
        setup_stage_dword(st, path, "KeyOnly", w->key_only);
        setup_stage_dword(st, path, "KeyCreated", w->key_created);
        setup_stage_dword(st, path, "Existed", w->existed);
        if (w->existed) {
            setup_stage_dword(st, path, "OldType", w->old_type);
            setup_stage_set(st, path, "OldData", REG_BINARY, w->old_data, w->old_size);
        }
        free(path);
    }
}

void setup_stage_unwrite(setup_stage_t *st, const setup_written_list_t *list)
{
    for (size_t i = list->count; i-- > 0;)
        unwrite_one(st, &list->items[i]);
}

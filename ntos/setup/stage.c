/* stage.c: registry changes of one install or uninstall, computed first and
 * then applied in one step: each op records how to undo itself, a failure
 * (or the test hook) half-way undoes every op already applied, keys left
 * empty by deletions are pruned, and the registry file is written once at
 * the end (atomically, by reg_flush), all inside one registry batch so no
 * other thread's flush writes half of it. A crash before the flush leaves
 * the old file, after it the new one. */
#include "setup_internal.h"

#include <stdlib.h>
#include <string.h>

static bk_setup_fault_fn fault_fn;
static void *fault_context;

void bk_setup_set_fault_hook(bk_setup_fault_fn fn, void *context)
{
    fault_fn = fn;
    fault_context = context;
}

int setup_fault(int point)
{
    return fault_fn ? fault_fn(fault_context, point) : 0;
}

/* ---- staging ---- */
static setup_op_t *new_op(setup_stage_t *st, setup_op_kind_t kind, const char *path,
                          const char *name)
{
    if (st->oom)
        return NULL;
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 32;
        setup_op_t *ops = realloc(st->ops, cap * sizeof(*ops));
        if (!ops) {
            st->oom = true;
            return NULL;
        }
        st->ops = ops;
        st->cap = cap;
    }
    setup_op_t *op = &st->ops[st->count];
    memset(op, 0, sizeof(*op));
    op->kind = kind;
    op->path = strdup(path);
    op->name = name ? strdup(name) : NULL;
    if (!op->path || (name && !op->name)) {
        free(op->path);
        free(op->name);
        st->oom = true;
        return NULL;
    }
    st->count++;
    return op;
}

void setup_stage_set(setup_stage_t *st, const char *path, const char *name, ULONG type,
                     const void *data, ULONG size)
{
    setup_op_t *op = new_op(st, SETUP_OP_SET, path, name ? name : "");
    if (!op)
        return;
    op->type = type;
    op->size = size;
    op->data = malloc(size ? size : 1);
    if (!op->data) {
        st->oom = true;
        return;
    }
    if (size)
        memcpy(op->data, data, size);
}

static void stage_owned(setup_stage_t *st, const char *path, const char *name, ULONG type,
                        void *data, ULONG size)
{
    if (!data) {
        st->oom = true;
        return;
    }
    setup_stage_set(st, path, name, type, data, size);
    free(data);
}

void setup_stage_sz(setup_stage_t *st, const char *path, const char *name, const char *utf8)
{
    ULONG size = 0;
    void *w = setup_wide(utf8 ? utf8 : "", &size);
    stage_owned(st, path, name, REG_SZ, w, size);
}

void setup_stage_expand_sz(setup_stage_t *st, const char *path, const char *name, const char *utf8)
{
    ULONG size = 0;
    void *w = setup_wide(utf8 ? utf8 : "", &size);
    stage_owned(st, path, name, REG_EXPAND_SZ, w, size);
}

void setup_stage_dword(setup_stage_t *st, const char *path, const char *name, ULONG value)
{
    setup_stage_set(st, path, name, REG_DWORD, &value, sizeof value);
}

void setup_stage_multi(setup_stage_t *st, const char *path, const char *name, const setup_strv_t *v)
{
    ULONG size = 0;
    void *w = setup_wide_multi(v, &size);
    stage_owned(st, path, name, REG_MULTI_SZ, w, size);
}

void setup_stage_delete_value(setup_stage_t *st, const char *path, const char *name)
{
    new_op(st, SETUP_OP_DELETE_VALUE, path, name ? name : "");
}

void setup_stage_create_key(setup_stage_t *st, const char *path)
{
    new_op(st, SETUP_OP_CREATE_KEY, path, NULL);
}

void setup_stage_delete_key(setup_stage_t *st, const char *path)
{
    new_op(st, SETUP_OP_DELETE_KEY, path, NULL);
}

void setup_stage_snap(setup_stage_t *st, const char *path, const setup_snap_t *snap)
{
    if (snap->nvalues == 0 && snap->nsubkeys == 0)
        setup_stage_create_key(st, path);
    for (size_t i = 0; i < snap->nvalues; i++) {
        const setup_snap_value_t *v = &snap->values[i];
        setup_stage_set(st, path, v->name, v->type, v->data, v->size);
    }
    for (size_t i = 0; i < snap->nsubkeys; i++) {
        char *sub = setup_printf("%s\\%s", path, snap->subkeys[i].name);
        if (!sub) {
            st->oom = true;
            return;
        }
        setup_stage_snap(st, sub, &snap->subkeys[i]);
        free(sub);
    }
}

void setup_stage_free(setup_stage_t *st)
{
    for (size_t i = 0; i < st->count; i++) {
        free(st->ops[i].path);
        free(st->ops[i].name);
        free(st->ops[i].data);
    }
    free(st->ops);
    memset(st, 0, sizeof(*st));
}

/* ---- applying, with an undo log ---- */
typedef struct undo {
    char *created_key; /* topmost key the op made: deleted on undo */
    char *path, *name; /* value to restore (or delete when !had_value) */
    bool touches_value;
    bool had_value;
    ULONG type, size;
    void *data;
    bool has_snap; /* a deleted key's subtree, written back on undo */
    setup_snap_t snap;
} undo_t;

typedef struct undo_log {
    undo_t *items;
    size_t count, cap;
} undo_log_t;

static undo_t *undo_new(undo_log_t *log)
{
    if (log->count == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 32;
        undo_t *items = realloc(log->items, cap * sizeof(*items));
        if (!items)
            return NULL;
        log->items = items;
        log->cap = cap;
    }
    undo_t *u = &log->items[log->count++];
    memset(u, 0, sizeof(*u));
    return u;
}

/* The first key along `path` that does not exist yet (malloc'd), or NULL. */
static char *first_missing(const char *path)
{
    size_t n = strlen(path);
    char *prefix = malloc(n + 1);
    if (!prefix)
        return NULL;
    for (size_t i = 1; i <= n; i++) {
        if (i < n && path[i] != '\\')
            continue;
        memcpy(prefix, path, i);
        prefix[i] = 0;
        if (!setup_reg_exists(prefix))
            return prefix;
    }
    free(prefix);
    return NULL;
}

static NTSTATUS set_value(const char *path, const char *name, ULONG type, const void *data,
                          ULONG size)
{
    reg_key_t *k;
    NTSTATUS s = reg_open(path, true, &k);
    if (!NT_SUCCESS(s))
        return s;
    s = reg_set_value(k, name, type, data, size);
    reg_close(k);
    return s;
}

static NTSTATUS delete_value(const char *path, const char *name)
{
    reg_key_t *k;
    if (!NT_SUCCESS(reg_open(path, false, &k)))
        return STATUS_SUCCESS;
    NTSTATUS s = reg_delete_value(k, name);
    reg_close(k);
    return s == STATUS_OBJECT_NAME_NOT_FOUND ? STATUS_SUCCESS : s;
}

static NTSTATUS create_key(const char *path)
{
    reg_key_t *k;
    NTSTATUS s = reg_open(path, true, &k);
    if (NT_SUCCESS(s))
        reg_close(k);
    return s;
}

/* Deletes a key and records its subtree. */
static NTSTATUS delete_key_logged(undo_log_t *log, const char *path)
{
    bool oom = false;
    setup_snap_t snap;
    if (!setup_snap_take(path, &snap, &oom))
        return STATUS_SUCCESS; /* already gone */
    undo_t *u = oom ? NULL : undo_new(log);
    if (!u) {
        setup_snap_free(&snap);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    u->path = strdup(path);
    u->has_snap = true;
    u->snap = snap;
    if (!u->path)
        return STATUS_INSUFFICIENT_RESOURCES;
    return reg_delete_key(path);
}

static NTSTATUS apply_one(undo_log_t *log, const setup_op_t *op)
{
    if (op->kind == SETUP_OP_DELETE_KEY)
        return delete_key_logged(log, op->path);
    undo_t *u = undo_new(log);
    if (!u)
        return STATUS_INSUFFICIENT_RESOURCES;
    u->created_key = first_missing(op->path);
    if (op->kind == SETUP_OP_CREATE_KEY)
        return create_key(op->path);
    u->touches_value = true;
    u->path = strdup(op->path);
    u->name = strdup(op->name);
    if (!u->path || !u->name)
        return STATUS_INSUFFICIENT_RESOURCES;
    u->had_value =
        !u->created_key && setup_reg_raw(op->path, op->name, &u->type, &u->data, &u->size);
    if (op->kind == SETUP_OP_SET)
        return set_value(op->path, op->name, op->type, op->data, op->size);
    return delete_value(op->path, op->name);
}

static void undo_all(undo_log_t *log)
{
    for (size_t i = log->count; i-- > 0;) {
        undo_t *u = &log->items[i];
        if (u->has_snap)
            setup_snap_write(u->path, &u->snap);
        else if (u->touches_value && u->had_value)
            set_value(u->path, u->name, u->type, u->data, u->size);
        else if (u->touches_value)
            delete_value(u->path, u->name);
        if (u->created_key)
            reg_delete_key(u->created_key);
    }
}

static void undo_free(undo_log_t *log)
{
    for (size_t i = 0; i < log->count; i++) {
        undo_t *u = &log->items[i];
        free(u->created_key);
        free(u->path);
        free(u->name);
        free(u->data);
        if (u->has_snap)
            setup_snap_free(&u->snap);
    }
    free(log->items);
}

/* Deletes the empty keys above a deleted key or value, up to the stop. */
static NTSTATUS prune(undo_log_t *log, const char *path)
{
    char *p = strdup(path);
    NTSTATUS s = p ? STATUS_SUCCESS : STATUS_INSUFFICIENT_RESOURCES;
    while (p && NT_SUCCESS(s)) {
        if (setup_strcasecmp(p, SETUP_KEY_PRUNE_STOP) == 0 ||
            strlen(p) <= strlen(SETUP_KEY_PRUNE_STOP))
            break;
        if (setup_reg_empty(p))
            s = delete_key_logged(log, p);
        else if (setup_reg_exists(p))
            break;
        char *cut = strrchr(p, '\\');
        if (!cut)
            break;
        *cut = 0;
    }
    free(p);
    return s;
}

NTSTATUS setup_stage_commit(setup_stage_t *st, setup_report_t *r)
{
    undo_log_t log = {0};
    NTSTATUS s = st->oom ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS;
    size_t half = st->count / 2;

    /* One batch from the first change to the file written (or every change
     * undone): a reg_flush from another thread (bk_registry_flush, a
     * daemon's periodic save) waits, so the file never holds half of it. */
    reg_batch_begin();

    for (size_t i = 0; i < st->count && NT_SUCCESS(s); i++) {
        if (i == half && setup_fault(BK_SETUP_AT_REGISTRY_HALF_APPLIED)) {
            setup_report(r, "registry: stopped half-way by the test hook");
            s = STATUS_UNSUCCESSFUL;
            break;
        }
        s = apply_one(&log, &st->ops[i]);
        if (!NT_SUCCESS(s))
            setup_report(r, "registry: %s%s%s: 0x%08x", st->ops[i].path,
                         st->ops[i].name ? " value " : "", st->ops[i].name ? st->ops[i].name : "",
                         (unsigned)s);
    }
    if (NT_SUCCESS(s) && st->count == 0 && setup_fault(BK_SETUP_AT_REGISTRY_HALF_APPLIED))
        s = STATUS_UNSUCCESSFUL;
    for (size_t i = 0; i < st->count && NT_SUCCESS(s); i++) {
        const setup_op_t *op = &st->ops[i];
        if (op->kind == SETUP_OP_DELETE_KEY || op->kind == SETUP_OP_DELETE_VALUE)
            s = prune(&log, op->path);
    }
    if (NT_SUCCESS(s)) {
        s = reg_flush();
        if (!NT_SUCCESS(s))
            setup_report(r, "registry: writing the registry file failed: 0x%08x", (unsigned)s);
    }
    if (!NT_SUCCESS(s)) {
        undo_all(&log);
        setup_report(r, "registry: every change undone");
    }
    reg_batch_end();
    undo_free(&log);
    return s;
}

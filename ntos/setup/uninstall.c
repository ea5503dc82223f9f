/* uninstall.c: bk_host_uninstall_driver, the reverse of an install: the
 * devices using the package's function drivers are removed (a veto stops
 * the uninstall with nothing changed), the drivers unloaded, every key the
 * install wrote deleted or restored in one committed step (the package
 * record, its service keys, its bindings, its HKLM values), the package
 * directory removed, and the devices re-evaluated against what remains. */
#include "setup_internal.h"

#include <stdlib.h>
#include <string.h>

/* The records a name designates: an INF name, or a function service. */
static void find_records(const char *name, setup_strv_t *out)
{
    setup_strv_t names = {0};
    setup_record_names(&names);
    for (size_t i = 0; i < names.count; i++) {
        if (!setup_strcasecmp(names.items[i], name)) {
            setup_strv_add(out, names.items[i]);
            continue;
        }
        setup_record_t rec;
        if (!setup_record_read(names.items[i], &rec))
            continue;
        bool function = false;
        for (size_t m = 0; m < rec.nmatches; m++)
            function |= !setup_strcasecmp(rec.matches[m].service, name);
        if (function)
            setup_strv_add(out, names.items[i]);
        setup_record_free(&rec);
    }
    setup_strv_free(&names);
}

/* A service another package also installs gets that package's values back. */
static void stage_service_removal(setup_stage_t *st, const char *service, const setup_strv_t *skip)
{
    char *path = setup_printf("%s\\%s", SETUP_KEY_SERVICES, service);
    if (!path) {
        st->oom = true;
        return;
    }
    if (!setup_service_owned_elsewhere(service, skip)) {
        setup_stage_delete_key(st, path);
        free(path);
        return;
    }
    setup_strv_t names = {0};
    setup_record_names(&names);
    for (size_t i = 0; i < names.count; i++) {
        if (setup_strv_has(skip, names.items[i]))
            continue;
        char *rec = setup_record_path(names.items[i], "Services");
        char *tmpl = rec ? setup_printf("%s\\%s", rec, service) : NULL;
        bool oom = false;
        setup_snap_t snap;
        if (tmpl && setup_snap_take(tmpl, &snap, &oom)) {
            setup_stage_snap(st, path, &snap);
            setup_snap_free(&snap);
            i = names.count; /* the first other owner's values */
        }
        st->oom |= oom;
        free(rec);
        free(tmpl);
    }
    setup_strv_free(&names);
    free(path);
}

static NTSTATUS uninstall_locked(bk_host_t *host, const char *name, setup_report_t *r)
{
    setup_strv_t infs = {0}, services = {0}, ids = {0}, dirs = {0};
    setup_stage_t st = {0};
    NTSTATUS s = STATUS_SUCCESS;
    char vetoed[256];

    find_records(name, &infs);
    if (infs.count == 0) {
        setup_report(r, "%s: no installed driver package or function driver of that name", name);
        s = STATUS_OBJECT_NAME_NOT_FOUND;
        goto out;
    }
    for (size_t i = 0; i < infs.count; i++) {
        setup_record_t rec;
        if (!setup_record_read(infs.items[i], &rec))
            continue;
        for (size_t j = 0; j < rec.services.count; j++)
            setup_strv_add_unique(&services, rec.services.items[j]);
        for (size_t j = 0; j < rec.ids.count; j++)
            setup_strv_add_unique(&ids, rec.ids.items[j]);
        if (!rec.in_place && rec.store_dir)
            setup_strv_add(&dirs, rec.store_dir);
        setup_record_free(&rec);
    }

    /* 1. Devices: removal IRPs first; a veto changes nothing. */
    for (size_t i = 0; i < services.count; i++) {
        s = pnp_unbind_service(services.items[i], vetoed, sizeof vetoed);
        if (!NT_SUCCESS(s)) {
            setup_report(r, "%s vetoed its removal (0x%08x): %s stays installed", vetoed,
                         (unsigned)s, name);
            pnp_rebind(NULL, 0); /* the devices removed before it start again */
            s = STATUS_DEVICE_BUSY;
            goto out;
        }
    }
    /* 2. The drivers, now without devices. */
    for (size_t i = 0; i < services.count; i++) {
        NTSTATUS u = bk_host_unload_driver(host, services.items[i]);
        if (NT_SUCCESS(u))
            setup_report(r, "driver %s unloaded", services.items[i]);
        else if (u != STATUS_OBJECT_NAME_NOT_FOUND)
            setup_report(r, "driver %s: unloading failed: 0x%08x", services.items[i], (unsigned)u);
    }
    /* 3. The registry, in one step. */
    for (size_t i = 0; i < infs.count; i++) {
        setup_written_list_t written;
        setup_written_load(infs.items[i], &written);
        setup_stage_unwrite(&st, &written);
        setup_written_free(&written);
        char *rec = setup_record_path(infs.items[i], NULL);
        if (rec)
            setup_stage_delete_key(&st, rec);
        st.oom |= !rec;
        free(rec);
    }
    for (size_t i = 0; i < services.count; i++)
        stage_service_removal(&st, services.items[i], &infs);
    setup_stage_forget_installs(&st, &infs);
    setup_stage_forget_services(&st, &services);
    setup_stage_bindings(&st, &ids, &infs, NULL, 0, r);
    s = setup_stage_commit(&st, r);
    if (!NT_SUCCESS(s)) {
        pnp_rebind(NULL, 0);
        goto out;
    }
    /* 4. The files (a crash before this leaves directories gc removes). */
    for (size_t i = 0; i < dirs.count; i++)
        setup_store_remove(dirs.items[i]);
    for (size_t i = 0; i < infs.count; i++)
        setup_report(r, "%s: uninstalled", infs.items[i]);
    /* 5. Devices that another driver now matches. */
    size_t n = pnp_rebind(NULL, 0);
    if (n)
        setup_report(r, "%zu device%s started with the remaining bindings", n, n == 1 ? "" : "s");
out:
    setup_stage_free(&st);
    setup_strv_free(&infs);
    setup_strv_free(&services);
    setup_strv_free(&ids);
    setup_strv_free(&dirs);
    return s;
}

bk_status_t bk_host_uninstall_driver(bk_host_t *host, const char *name, char *report, size_t len)
{
    setup_report_t r;
    setup_report_init(&r, report, len);
    if (!name || !*name)
        return STATUS_INVALID_PARAMETER;
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    setup_lock();
    char *root = realpath(setup_store_root(), NULL);
    if (root)
        setup_store_gc(root);
    NTSTATUS s = uninstall_locked(host, name, &r);
    setup_unlock();
    free(root);
    return s;
}

/* bindings.c: Control\battkit\Bindings\<ID>, the table the PnP manager looks
 * devices up in, recomputed from every installed package: for each ID, the
 * best-ranked package claiming it (rank.c) is written there, with its Rank.
 * The PnP manager then ranks every bound ID of a device, completing the
 * identifier score with the device's side (setup_binding_score), and takes
 * the best (docs/setup.md says where this differs from Windows). A binding
 * made by hand (bk_host_bind: no Inf value) is set aside under ManualBindings
 * while a package owns the ID, and comes back when the last one goes. */
#include "setup_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct cands {
    setup_candidate_t *items;
    size_t count;
    setup_record_t *records;
    size_t nrecords;
} cands_t;

static void load_records(cands_t *c, const setup_strv_t *skip)
{
    setup_strv_t names = {0};
    setup_record_names(&names);
    c->records = calloc(names.count ? names.count : 1, sizeof(*c->records));
    for (size_t i = 0; c->records && i < names.count; i++) {
        if (setup_strv_has(skip, names.items[i]))
            continue;
        if (setup_record_read(names.items[i], &c->records[c->nrecords]))
            c->nrecords++;
    }
    setup_strv_free(&names);
}

static const setup_candidate_t *best_for(const cands_t *c, const setup_candidate_t *extra,
                                         size_t nextra, const char *id)
{
    const setup_candidate_t *best = NULL;
    for (size_t r = 0; r < c->nrecords; r++) {
        for (size_t i = 0; i < c->records[r].nmatches; i++) {
            const setup_candidate_t *m = &c->records[r].matches[i];
            if (!setup_strcasecmp(m->id, id) && (!best || setup_candidate_compare(m, best) < 0))
                best = m;
        }
    }
    for (size_t i = 0; i < nextra; i++) {
        const setup_candidate_t *m = &extra[i];
        if (!setup_strcasecmp(m->id, id) && (!best || setup_candidate_compare(m, best) < 0))
            best = m;
    }
    return best;
}

static void stage_winner(setup_stage_t *st, const char *path, const setup_candidate_t *w)
{
    /* Rewritten whole, so values of an earlier winner do not linger and the
     * key reads the same however it was reached. */
    setup_stage_delete_key(st, path);
    setup_stage_sz(st, path, "Service", w->service);
    if (w->image_path && *w->image_path)
        setup_stage_sz(st, path, "ImagePath", w->image_path);
    if (w->class_guid && *w->class_guid)
        setup_stage_sz(st, path, "ClassGuid", w->class_guid);
    setup_stage_sz(st, path, "Inf", w->inf);
    setup_stage_sz(st, path, "InstallSection", w->section);
    setup_stage_dword(st, path, "Rank",
                      w->rank_base | setup_identifier_score(false, 0, w->inf_compat, 0));
    setup_stage_sz(st, path, "DriverDate", w->date_text);
    setup_stage_sz(st, path, "DriverVersion", w->version_text);
}

void setup_stage_bindings(setup_stage_t *st, const setup_strv_t *ids, const setup_strv_t *skip,
                          const setup_candidate_t *extra, size_t nextra, setup_report_t *r)
{
    cands_t c = {0};
    char key[SETUP_NAME_MAX * 2];
    load_records(&c, skip);
    for (size_t i = 0; i < ids->count; i++) {
        const char *id = ids->items[i];
        setup_id_key(key, sizeof key, id);
        char *path = setup_printf("%s\\%s", SETUP_KEY_BINDINGS, key);
        char *manual = setup_printf("%s\\%s", SETUP_KEY_MANUAL, key);
        if (!path || !manual) {
            st->oom = true;
            free(path);
            free(manual);
            break;
        }
        const setup_candidate_t *w = best_for(&c, extra, nextra, id);
        char *owner = setup_reg_string(path, "Inf");
        bool by_hand = !owner && setup_reg_exists(path);
        if (w) {
            if (by_hand && !setup_reg_exists(manual)) {
                bool oom = false;
                setup_snap_t snap;
                if (setup_snap_take(path, &snap, &oom)) {
                    setup_stage_snap(st, manual, &snap);
                    setup_snap_free(&snap);
                }
                st->oom |= oom;
                setup_report(r, "binding %s: the binding made by hand is set aside", id);
            }
            stage_winner(st, path, w);
            setup_report(
                r, "binding %s -> %s (%s, rank 0x%08x)", id, w->service, w->inf,
                (unsigned)(w->rank_base | setup_identifier_score(false, 0, w->inf_compat, 0)));
        } else if (setup_reg_exists(manual)) {
            bool oom = false;
            setup_snap_t snap;
            setup_stage_delete_key(st, path);
            if (setup_snap_take(manual, &snap, &oom)) {
                setup_stage_snap(st, path, &snap);
                setup_snap_free(&snap);
            }
            st->oom |= oom;
            setup_stage_delete_key(st, manual);
            setup_report(r, "binding %s: the binding made by hand is back", id);
        } else if (owner) {
            setup_stage_delete_key(st, path);
            setup_report(r, "binding %s removed", id);
        }
        free(owner);
        free(path);
        free(manual);
    }
    for (size_t i = 0; i < c.nrecords; i++)
        setup_record_free(&c.records[i]);
    free(c.records);
}

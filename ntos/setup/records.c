/* records.c: reading the installed-package records,
 * Control\battkit\DriverStore\<inf name>: where the package is, what it
 * installed (services, IDs, files) and one Matches\NNNN subkey per models
 * ID with its rank. install.c writes them; bindings, uninstall, list and
 * the store's gc read them. */
#include "setup_internal.h"

#include <stdlib.h>
#include <string.h>

char *setup_record_path(const char *inf, const char *sub)
{
    return sub ? setup_printf("%s\\%s\\%s", SETUP_KEY_STORE, inf, sub)
               : setup_printf("%s\\%s", SETUP_KEY_STORE, inf);
}

void setup_record_names(setup_strv_t *out)
{
    setup_reg_subkeys(SETUP_KEY_STORE, out);
}

static bool read_match(const char *rec, const char *inf, const char *index, setup_candidate_t *c,
                       const char *date, const char *version)
{
    char *path = setup_printf("%s\\Matches\\%s", rec, index);
    ULONG rank = 0, type = 0, k = 0;
    memset(c, 0, sizeof(*c));
    if (!path)
        return false;
    c->id = setup_reg_string(path, "Id");
    c->service = setup_reg_string(path, "Service");
    c->image_path = setup_reg_string(path, "ImagePath");
    c->section = setup_reg_string(path, "InstallSection");
    c->description = setup_reg_string(path, "Description");
    setup_reg_dword(path, "Rank", &rank);
    setup_reg_dword(path, "IdType", &type);
    setup_reg_dword(path, "CompatIndex", &k);
    free(path);
    c->inf = strdup(inf);
    c->class_guid = setup_reg_string(rec, "ClassGuid");
    c->date_text = strdup(date ? date : "");
    c->version_text = strdup(version ? version : "");
    c->rank_base = rank & 0xFFFF0000u;
    c->inf_compat = type != 0;
    c->compat_index = k;
    c->date = setup_parse_date(date);
    c->version = setup_parse_version(version);
    if (!c->id || !c->service || !c->inf) {
        setup_candidate_free(c);
        return false;
    }
    return true;
}

bool setup_record_read(const char *inf, setup_record_t *out)
{
    memset(out, 0, sizeof(*out));
    char *rec = setup_record_path(inf, NULL);
    if (!rec || !setup_reg_exists(rec)) {
        free(rec);
        return false;
    }
    ULONG in_place = 0;
    out->inf = strdup(inf);
    out->store_dir = setup_reg_string(rec, "StoreDir");
    setup_reg_dword(rec, "InPlace", &in_place);
    out->in_place = in_place != 0;
    setup_reg_multi(rec, "Services", &out->services);
    setup_reg_multi(rec, "Ids", &out->ids);
    char *date = setup_reg_string(rec, "DriverDate");
    char *version = setup_reg_string(rec, "DriverVersion");
    char *matches = setup_record_path(inf, "Matches");
    setup_strv_t idx = {0};
    if (matches)
        setup_reg_subkeys(matches, &idx);
    out->matches = calloc(idx.count ? idx.count : 1, sizeof(*out->matches));
    for (size_t i = 0; out->matches && i < idx.count; i++) {
        if (read_match(rec, inf, idx.items[i], &out->matches[out->nmatches], date, version))
            out->nmatches++;
    }
    setup_strv_free(&idx);
    free(matches);
    free(date);
    free(version);
    free(rec);
    return true;
}

void setup_record_free(setup_record_t *rec)
{
    for (size_t i = 0; i < rec->nmatches; i++)
        setup_candidate_free(&rec->matches[i]);
    free(rec->matches);
    free(rec->inf);
    free(rec->store_dir);
    setup_strv_free(&rec->services);
    setup_strv_free(&rec->ids);
    memset(rec, 0, sizeof(*rec));
}

bool setup_service_owned_elsewhere(const char *service, const setup_strv_t *skip)
{
    setup_strv_t names = {0};
    bool owned = false;
    setup_record_names(&names);
    for (size_t i = 0; i < names.count && !owned; i++) {
        if (setup_strv_has(skip, names.items[i]))
            continue;
        char *rec = setup_record_path(names.items[i], NULL);
        setup_strv_t services = {0};
        if (rec)
            setup_reg_multi(rec, "Services", &services);
        owned = setup_strv_has(&services, service);
        setup_strv_free(&services);
        free(rec);
    }
    setup_strv_free(&names);
    return owned;
}

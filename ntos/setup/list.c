/* list.c: bk_host_list_installed, the installed driver packages as their
 * records describe them (name order). */
#include "setup_internal.h"

#include <stdlib.h>
#include <string.h>

static char *joined(const setup_strv_t *v)
{
    size_t n = 1;
    for (size_t i = 0; i < v->count; i++)
        n += strlen(v->items[i]) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    s[0] = 0;
    for (size_t i = 0; i < v->count; i++) {
        if (i)
            strcat(s, ",");
        strcat(s, v->items[i]);
    }
    return s;
}

static char *string_or_empty(const char *path, const char *name)
{
    char *s = setup_reg_string(path, name);
    return s ? s : strdup("");
}

static bool fill(bk_installed_driver_t *d, const char *inf)
{
    char *rec = setup_record_path(inf, NULL);
    setup_strv_t services = {0}, ids = {0};
    ULONG in_place = 0, trusted = 0;
    memset(d, 0, sizeof(*d));
    if (!rec)
        return false;
    setup_reg_multi(rec, "Services", &services);
    setup_reg_multi(rec, "Ids", &ids);
    setup_reg_dword(rec, "InPlace", &in_place);
    setup_reg_dword(rec, "Trusted", &trusted);
    d->inf = strdup(inf);
    d->original_path = string_or_empty(rec, "OriginalPath");
    d->store_dir = string_or_empty(rec, "StoreDir");
    d->class_name = string_or_empty(rec, "Class");
    d->class_guid = string_or_empty(rec, "ClassGuid");
    d->provider = string_or_empty(rec, "Provider");
    d->driver_date = string_or_empty(rec, "DriverDate");
    d->driver_version = string_or_empty(rec, "DriverVersion");
    d->services = joined(&services);
    d->ids = joined(&ids);
    d->flags = (in_place ? BK_SETUP_IN_PLACE : 0) | (trusted ? BK_SETUP_TRUSTED : 0);
    setup_strv_free(&services);
    setup_strv_free(&ids);
    free(rec);
    return d->inf && d->original_path && d->store_dir && d->class_name && d->class_guid &&
           d->provider && d->driver_date && d->driver_version && d->services && d->ids;
}

static void free_one(bk_installed_driver_t *d)
{
    free(d->inf);
    free(d->original_path);
    free(d->store_dir);
    free(d->class_name);
    free(d->class_guid);
    free(d->provider);
    free(d->driver_date);
    free(d->driver_version);
    free(d->services);
    free(d->ids);
}

static int by_name(const void *a, const void *b)
{
    return setup_strcasecmp(((const bk_installed_driver_t *)a)->inf,
                            ((const bk_installed_driver_t *)b)->inf);
}

size_t bk_host_list_installed(bk_host_t *host, bk_installed_driver_t **list)
{
    (void)host;
    setup_strv_t names = {0};
    size_t n = 0;
    setup_lock();
    char *root = realpath(setup_store_root(), NULL);
    if (root)
        setup_store_gc(root);
    free(root);
    setup_record_names(&names);
    *list = calloc(names.count ? names.count : 1, sizeof(**list));
    for (size_t i = 0; *list && i < names.count; i++) {
        if (fill(&(*list)[n], names.items[i]))
            n++;
        else
            free_one(&(*list)[n]);
    }
    setup_unlock();
    setup_strv_free(&names);
    if (*list)
        qsort(*list, n, sizeof(**list), by_name);
    return n;
}

void bk_host_free_installed(bk_installed_driver_t *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++)
        free_one(&list[i]);
    free(list);
}

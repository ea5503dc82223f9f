/* The controller for the composite battery (\Device\CompositeBattery):
 * the composite has no hardware of its own, so it is changed the way the
 * system changes it - through its members, the batteries of the loaded
 * machine, via the platform. "Removing" the composite removes every member
 * (the system then has no battery, and the composite's tag goes invalid);
 * inserting puts them all back. AC is the machine's. */
#include <stdlib.h>

#include "cf_internal.h"

typedef struct composite_state {
    bk_host_t *host;
    size_t count;
    char (*names)[32]; /* the machine's batteries */
} composite_state_t;

static int composite_open(const bk_conformance_target_t *target, void **state)
{
    composite_state_t *s = calloc(1, sizeof *s);
    bk_platform_reading_t *all = NULL;
    size_t n = bk_platform_snapshot(target->host, NULL, 0);

    if (!s || !n || !(all = calloc(n, sizeof *all)) || !(s->names = calloc(n, sizeof *s->names)))
        goto fail;
    n = bk_platform_snapshot(target->host, all, n);
    for (size_t i = 0; i < n; i++) {
        if (all[i].kind == 1)
            snprintf(s->names[s->count++], sizeof s->names[0], "%s", all[i].name);
    }
    if (!s->count)
        goto fail;
    s->host = target->host;
    free(all);
    *state = s;
    return 0;
fail:
    free(all);
    if (s)
        free(s->names);
    free(s);
    return -1;
}

static void composite_close(void *state)
{
    composite_state_t *s = state;
    free(s->names);
    free(s);
}

/* Every member present or absent; the first failure is the answer. */
static bk_status_t set_members_present(composite_state_t *s, int present)
{
    bk_status_t first = STATUS_SUCCESS;
    for (size_t i = 0; i < s->count; i++) {
        bk_status_t st = bk_platform_set_present(s->host, s->names[i], present);
        if (!NT_SUCCESS(st) && NT_SUCCESS(first))
            first = st;
    }
    return first;
}

static bk_status_t composite_insert(void *state)
{
    return set_members_present(state, 1);
}

static bk_status_t composite_remove(void *state)
{
    return set_members_present(state, 0);
}

static bk_status_t composite_set_ac(void *state, int online)
{
    composite_state_t *s = state;
    return bk_platform_set_ac(s->host, NULL, online);
}

const bk_conformance_controller_t bk_conformance_controller_composite = {
    .name = "composite (through the machine's batteries)",
    .open = composite_open,
    .close = composite_close,
    .insert = composite_insert,
    .remove = composite_remove,
    .set_ac = composite_set_ac,
};

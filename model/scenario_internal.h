/* scenario_internal.h: a parsed scenario as the parser builds it and the
 * executor walks it. Not installed; hosts use model.h only. */
#ifndef BK_SCENARIO_INTERNAL_H
#define BK_SCENARIO_INTERNAL_H

#include "model.h"

struct bk_scenario_binding {
    char name[BK_NAME_MAX];
    bk_pack_t *pack;
    bool removed; /* taken out of the system by a REMOVE event */
};

struct bk_scenario {
    char name[256]; /* file name, for messages */
    bk_event_t *ev; /* sorted by time: the parser refuses times that go back */
    size_t nev, cap;
    size_t next; /* first event not yet applied */
    bool has_until;
    uint64_t until_ns;
    uint64_t origin_ns;

    struct bk_scenario_binding bind[BK_SCENARIO_MAX_PACKS];
    size_t nbind;
    /* What the system looks like now, for putting a battery back in. */
    bool ac_online;
    bk_load_t system_load;

    char error[384];
};

#endif

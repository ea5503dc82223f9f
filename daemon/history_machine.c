/* What history and metrics need from the machine description: its name
 * (the "machine" label) and where its virtual time starts (the history
 * clock's epoch). Read with the host's own machine reader. */
#include "history.h"

#include <inf.h>
#include <stdio.h>
#include <string.h>

int history_machine_describe(const char *file, char *name, size_t n, int64_t *start_ms)
{
    bk_machine_t m;
    bk_diags_t d;
    bk_diags_init(&d);
    int r = file ? bk_machine_load_file(file, &m, &d) : bk_machine_load_default(&m, &d);
    bk_diags_free(&d);
    if (r != 0)
        return -1;
    snprintf(name, n, "%s", m.name && *m.name ? m.name : "machine");
    *start_ms = m.start_time < 0 ? -1 : m.start_time * 1000;
    bk_machine_free(&m);
    return 0;
}

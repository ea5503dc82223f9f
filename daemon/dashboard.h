/* battd's web dashboard (battd --http): the JSON of the live state
 * (dashboard_api.c: /api/system, /api/batteries, /api/policy, and the same
 * as server-sent events at /events), the page (dashboard_page.c: /) and
 * the report's charts (dashboard_charts.c: /report.svg). All read-only:
 * there is no endpoint that changes anything (docs/dashboard.md). */
#ifndef BATTD_DASHBOARD_H
#define BATTD_DASHBOARD_H

#include <battkit/host.h>
#include <stdint.h>
#include <stdio.h>

/* Registers the dashboard's routes with http.c. history_file: battd's
 * history database ("" when off), read for the charts. 0 or -1. */
int dashboard_register(bk_host_t *host, const char *history_file);

/* ---- dashboard_api.c, for the page and the event stream ---- */
/* {"system":{...},"batteries":[...],"policy":{...}} on one line: what
 * /events sends;
 * returns the watcher's generation it was read at. */
uint64_t dashboard_write_state(FILE *out);
int dashboard_api_register(bk_host_t *host);

/* ---- dashboard_page.c ---- */
int dashboard_page_register(const char *history_file);

#endif

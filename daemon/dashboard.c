/* The dashboard's routes, registered together when battd --http starts:
 * the data (dashboard_api.c), the page and the report's charts
 * (dashboard_page.c). */
#include "dashboard.h"

int dashboard_register(bk_host_t *host, const char *history_file)
{
    if (dashboard_api_register(host) != 0)
        return -1;
    return dashboard_page_register(history_file);
}

/* The dashboard's routes, registered together when battd --http starts:
 * the data (dashboard_api.c), the page and the charts. */
#include "dashboard.h"

int dashboard_register(bk_host_t *host, const char *history_file)
{
    (void)history_file;
    return dashboard_api_register(host);
}

/* GET /metrics on battd's HTTP server (battd --http): the exposition of
 * metrics.c as Prometheus scrapes it. Each scrape renders anew from the
 * live state; nothing is cached, so a scrape never shows an older state
 * than the dashboard's. */
#include "metrics.h"
#include "history.h"
#include "http.h"

static bk_host_t *metrics_host;

/* A connection thread: reads battd's state only (metrics.c). */
static void serve_metrics(const http_request_t *req, http_response_t *res)
{
    (void)req;
    mtext_t t;
    mt_init(&t);
    if (metrics_render(metrics_host, battd_machine_name(), &t) != 0) {
        res->status = 500;
        fputs("out of memory rendering the metrics\n", res->body);
    } else {
        res->content_type = METRICS_CONTENT_TYPE;
        fwrite(t.buf, 1, t.len, res->body);
    }
    mt_free(&t);
}

int metrics_register(bk_host_t *host)
{
    metrics_host = host;
    return http_route_add(&(http_route_t){"GET", "/metrics", serve_metrics});
}

/* battd's HTTP server: libmicrohttpd on a loopback address, a thread per
 * connection (a server-sent events stream blocks its own thread only), the
 * route table, the headers every answer carries, the port file. What the
 * routes answer is their modules' (dashboard*.c, metrics); this file knows
 * no battery. */
#include "battd.h"
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define HTTP_MAX_ROUTES      32
#define HTTP_MAX_CONNECTIONS 64 /* each is a thread; a dashboard needs two */
#define HTTP_IDLE_TIMEOUT_S  30 /* an idle keep-alive connection is closed after this */

struct http_request {
    struct MHD_Connection *connection;
    const char *path;
};

static struct {
    pthread_mutex_t lock; /* the route table */
    http_route_t routes[HTTP_MAX_ROUTES];
    size_t nroutes;
    struct MHD_Daemon *daemon;
    atomic_bool stopping;
    uint16_t port;
    char port_file[4096];
} H = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- routes ---- */
int http_route_add(const http_route_t *route)
{
    int rc = -1;
    pthread_mutex_lock(&H.lock);
    bool taken = false;
    for (size_t i = 0; i < H.nroutes; i++)
        taken |= strcmp(H.routes[i].path, route->path) == 0 &&
                 strcmp(H.routes[i].method, route->method) == 0;
    if (!taken && H.nroutes < HTTP_MAX_ROUTES) {
        H.routes[H.nroutes++] = *route;
        rc = 0;
    }
    pthread_mutex_unlock(&H.lock);
    if (rc != 0)
        dlog(DLOG_ERROR, "http: route %s %s %s", route->method, route->path,
             taken ? "is registered twice" : "does not fit the table");
    return rc;
}

/* The handler for method+path; *path_known tells 405 from 404. */
static http_handler_fn route_find(const char *method, const char *path, bool *path_known,
                                  char *allow, size_t allow_len)
{
    http_handler_fn fn = NULL;
    *path_known = false;
    allow[0] = 0;
    bool head = strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    pthread_mutex_lock(&H.lock);
    for (size_t i = 0; i < H.nroutes; i++) {
        const http_route_t *r = &H.routes[i];
        if (strcmp(r->path, path) != 0)
            continue;
        *path_known = true;
        size_t used = strlen(allow);
        snprintf(allow + used, allow_len - used, "%s%s%s", used ? ", " : "", r->method,
                 strcmp(r->method, MHD_HTTP_METHOD_GET) == 0 ? ", HEAD" : "");
        if (strcmp(r->method, method) == 0 || (head && strcmp(r->method, MHD_HTTP_METHOD_GET) == 0))
            fn = r->handler;
    }
    pthread_mutex_unlock(&H.lock);
    return fn;
}

const char *http_request_path(const http_request_t *r)
{
    return r->path;
}

const char *http_request_arg(const http_request_t *r, const char *name)
{
    return MHD_lookup_connection_value(r->connection, MHD_GET_ARGUMENT_KIND, name);
}

bool http_stopping(void)
{
    return atomic_load(&H.stopping);
}

uint16_t http_port(void)
{
    return H.daemon ? H.port : 0;
}

/* ---- streams ---- */
typedef struct stream_state {
    http_stream_t s;
    char *pending;
    size_t len, off;
    bool ended;
} stream_state_t;

/* libmicrohttpd's content reader, on the connection's own thread. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream_state_t *st = cls;
    while (st->off == st->len) {
        free(st->pending);
        st->pending = NULL;
        st->len = st->off = 0;
        if (st->ended || http_stopping())
            return MHD_CONTENT_READER_END_OF_STREAM;
        FILE *out = open_memstream(&st->pending, &st->len);
        if (!out)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        st->ended = st->s.next(st->s.ctx, out) != 0;
        if (fclose(out) != 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = st->len - st->off < max ? st->len - st->off : max;
    memcpy(buf, st->pending + st->off, n);
    st->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    stream_state_t *st = cls;
    if (st->s.done)
        st->s.done(st->s.ctx);
    free(st->pending);
    free(st);
}

/* ---- answers ---- */
/* Every answer: the page's scripts and styles only from here, no framing,
 * no sniffing, never cached (it is live state), no referrer. */
static void add_common_headers(struct MHD_Response *resp)
{
    static const char *const headers[][2] = {
        {"Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Cache-Control", "no-store"},
        {"Referrer-Policy", "no-referrer"},
    };
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
        MHD_add_response_header(resp, headers[i][0], headers[i][1]);
}

static enum MHD_Result answer_text(struct MHD_Connection *c, unsigned status, const char *text,
                                   const char *allow)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
    if (allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    add_common_headers(resp);
    enum MHD_Result r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* Host must name the loopback (a page on another site cannot reach this
 * server by a DNS name rebound to 127.0.0.1). No Host (HTTP/1.0) is let in. */
static bool host_is_loopback(const char *host)
{
    if (!host)
        return true;
    char name[256];
    snprintf(name, sizeof name, "%s", host);
    char *end = name;
    if (name[0] == '[') {
        end = strchr(name, ']');
        if (!end)
            return false;
        *end = 0;
        memmove(name, name + 1, strlen(name + 1) + 1);
    } else if ((end = strrchr(name, ':')) != NULL) {
        *end = 0;
    }
    if (strcasecmp(name, "localhost") == 0 || strcmp(name, "::1") == 0)
        return true;
    struct in_addr a4;
    return inet_pton(AF_INET, name, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls, (void)version, (void)upload_data, (void)con_cls;
    if (!host_is_loopback(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
        return answer_text(c, MHD_HTTP_MISDIRECTED_REQUEST,
                           "this server answers to loopback names only\n", NULL);
    char allow[128];
    bool known;
    http_handler_fn fn = route_find(method, url, &known, allow, sizeof allow);
    if (!known)
        return answer_text(c, MHD_HTTP_NOT_FOUND, "no such page\n", NULL);
    if (!fn)
        return answer_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n", allow);
    if (*upload_data_size)
        return answer_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "no request body is accepted\n", NULL);

    http_request_t req = {.connection = c, .path = url};
    char *buf = NULL;
    size_t len = 0;
    http_response_t res = {.status = MHD_HTTP_OK, .content_type = "text/plain; charset=utf-8"};
    res.body = open_memstream(&buf, &len);
    if (!res.body)
        return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
    fn(&req, &res);
    bool written = fclose(res.body) == 0;
    struct MHD_Response *resp = NULL;
    if (res.stream.next) {
        free(buf);
        stream_state_t *st = calloc(1, sizeof *st);
        if (st) {
            st->s = res.stream;
            resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, st,
                                                     stream_free);
            if (!resp)
                stream_free(st);
        } else if (res.stream.done) {
            res.stream.done(res.stream.ctx);
        }
    } else if (written) {
        resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
        if (!resp)
            free(buf);
    } else {
        free(buf);
    }
    if (!resp)
        return answer_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n", NULL);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, res.content_type);
    add_common_headers(resp);
    enum MHD_Result r = MHD_queue_response(c, res.status, resp);
    MHD_destroy_response(resp);
    return r;
}

/* libmicrohttpd's own complaints go to battd's log. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    dlog(DLOG_WARN, "http: %s", msg);
}

/* ---- address ---- */
static int parse_address(const char *text, struct sockaddr_storage *ss, char *why, size_t n)
{
    char host[256];
    const char *colon;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':') {
            snprintf(why, n, "expected [ADDRESS]:PORT");
            return -1;
        }
        snprintf(host, sizeof host, "%.*s", (int)(close - text - 1), text + 1);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon || colon == text) {
            snprintf(why, n, "expected ADDRESS:PORT (127.0.0.1:8080, [::1]:8080, localhost:0)");
            return -1;
        }
        snprintf(host, sizeof host, "%.*s", (int)(colon - text), text);
    }
    char *end;
    errno = 0;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || colon[1] == '-' || port > 65535) {
        snprintf(why, n, "the port must be a number from 0 to 65535 (0: any free port)");
        return -1;
    }
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (strcasecmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        if ((ntohl(v4->sin_addr.s_addr) >> 24) == 127)
            return 0;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        if (IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr))
            return 0;
    } else {
        snprintf(why, n, "'%s' is no IP address (a loopback address or localhost)", host);
        return -1;
    }
    snprintf(why, n,
             "not a loopback address: the server has no authentication, so it listens on "
             "127.0.0.0/8 or ::1 only");
    return -1;
}

int http_parse_address(const char *text, char *why, size_t why_len)
{
    struct sockaddr_storage ss;
    return parse_address(text, &ss, why, why_len);
}

/* ---- start and stop ---- */
static int write_port_file(const char *path)
{
    char text[16];
    int len = snprintf(text, sizeof text, "%u\n", (unsigned)H.port);
    if (state_file_write(path, text, (size_t)len, 0644) != 0) {
        dlog(DLOG_ERROR, "http: port file %s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(H.port_file, sizeof H.port_file, "%s", path);
    return 0;
}

int http_start(const char *address, const char *port_file)
{
    struct sockaddr_storage ss;
    char why[160];
    if (parse_address(address, &ss, why, sizeof why) != 0) {
        dlog(DLOG_ERROR, "http: %s: %s", address, why);
        return -1;
    }
    atomic_store(&H.stopping, false);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    H.daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
                                on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                                MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_MAX_CONNECTIONS,
                                MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
                                MHD_OPTION_END);
    if (!H.daemon) {
        dlog(DLOG_ERROR, "http: cannot listen on %s (in use, or no such address here)", address);
        return -1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(H.daemon, MHD_DAEMON_INFO_BIND_PORT);
    H.port = info ? info->port : 0;
    char shown[96];
    if (ss.ss_family == AF_INET6)
        snprintf(shown, sizeof shown, "[::1]");
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, shown, sizeof shown);
    dlog(DLOG_INFO, "http: serving http://%s:%u/", shown, (unsigned)H.port);
    /* Last: a script that waits for the port file finds the log said so. */
    if (port_file && write_port_file(port_file) != 0) {
        http_stop();
        return -1;
    }
    return 0;
}

void http_stop(void)
{
    if (!H.daemon)
        return;
    /* Streams see this within their bound and end; then every connection
     * thread is joined by MHD_stop_daemon. */
    atomic_store(&H.stopping, true);
    MHD_stop_daemon(H.daemon);
    H.daemon = NULL;
    if (H.port_file[0])
        unlink(H.port_file);
    H.port_file[0] = 0;
    H.port = 0;
}

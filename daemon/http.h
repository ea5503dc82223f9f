/* battd's HTTP server (battd --http ADDRESS:PORT, docs/battd.8): a
 * loopback-only libmicrohttpd daemon and its route table. Modules (the
 * dashboard, /metrics) register routes with http_route_add and write their
 * answers into a buffer; they never see libmicrohttpd. Every handler runs
 * on a connection thread of its own, so it reads battd's state only
 * through what is safe from any thread (monitor_snapshot,
 * monitor_system_state, bk_host_get_dc_policy), as upower.c does. */
#ifndef BATTD_HTTP_H
#define BATTD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- the request a handler sees ---- */
typedef struct http_request http_request_t;
const char *http_request_path(const http_request_t *r);
/* A query string argument (?name=value, decoded), NULL if absent. */
const char *http_request_arg(const http_request_t *r, const char *name);

/* ---- the answer a handler gives ---- */
/* A stream (server-sent events): next() is called on the connection's
 * thread again and again; it writes the next piece into out and returns
 * 0 to go on, or 1 to end the stream. It may block, but for at most a
 * few hundred milliseconds at a time, and must return 1 soon once
 * http_stopping() is true. done() frees ctx when the connection ends. */
typedef struct http_stream {
    int (*next)(void *ctx, FILE *out);
    void (*done)(void *ctx);
    void *ctx;
} http_stream_t;

typedef struct http_response {
    unsigned status;          /* 200 unless the handler says otherwise */
    const char *content_type; /* "text/plain; charset=utf-8" unless set */
    FILE *body;               /* the handler writes the body here */
    http_stream_t stream;     /* instead of body: stream.next set */
} http_response_t;

/* A route: an exact path, its method ("GET" also answers HEAD) and the
 * handler. Handlers for bad input set status 400 and say why in the body. */
typedef void (*http_handler_fn)(const http_request_t *req, http_response_t *res);
typedef struct http_route {
    const char *method;
    const char *path;
    http_handler_fn handler;
} http_route_t;

/* Adds a route (the struct is copied; the strings must live as long as
 * battd). Any time, from any thread. 0, or -1 for a path already taken or
 * a full table. */
int http_route_add(const http_route_t *route);

/* ---- the server ---- */
/* Parses "127.0.0.1:PORT", "[::1]:PORT" or "localhost:PORT" (PORT 0: the
 * kernel picks one). Only loopback addresses: the server has no
 * authentication. 0, or -1 with the reason in why. */
int http_parse_address(const char *text, char *why, size_t why_len);
/* Listens on the address given (http_parse_address's text) and serves
 * from libmicrohttpd's threads; the chosen port is logged and, with
 * port_file, written there (a line, 0644) for scripts and tests. -1 with
 * the reason logged. */
int http_start(const char *address, const char *port_file);
/* Stops accepting, ends the streams, waits for every connection thread. */
void http_stop(void);
bool http_stopping(void);
uint16_t http_port(void); /* 0 when not serving */

#endif

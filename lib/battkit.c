/* Which transport serves the calls (battd, connected on first use, or an
 * embedded host) and battkit's additions: interface watches, the daemon's
 * virtual clock and simulator. The power manager's calls are power.c's. */
#include "internal.h"
#include "protocol.h"

#include <stdlib.h>
#include <string.h>

static const bkc_transport_t *current; /* under bkc_lock */
static uint32_t generation = 1;

uint32_t bkc_transport_generation(void)
{
    pthread_mutex_lock(&bkc_lock);
    uint32_t g = generation;
    pthread_mutex_unlock(&bkc_lock);
    return g;
}

const bkc_transport_t *bkc_transport(uint32_t *gen)
{
    pthread_mutex_lock(&bkc_lock);
    const bkc_transport_t *tp = current;
    pthread_mutex_unlock(&bkc_lock);
    if (!tp) {
        NTSTATUS s = bkc_remote_connect(NULL);
        if (!NT_SUCCESS(s)) {
            bkc_set_status(s);
            return NULL;
        }
        pthread_mutex_lock(&bkc_lock);
        if (!current) {
            current = &bkc_remote_transport;
            generation++;
        }
        tp = current;
        pthread_mutex_unlock(&bkc_lock);
    }
    if (gen)
        *gen = bkc_transport_generation();
    return tp;
}

/* Forgets the transport in use; its handles stop working. */
static void drop_transport(void)
{
    pthread_mutex_lock(&bkc_lock);
    const bkc_transport_t *tp = current;
    current = NULL;
    generation++;
    pthread_mutex_unlock(&bkc_lock);
    if (tp == &bkc_remote_transport)
        bkc_remote_disconnect();
    else if (tp == &bkc_embedded_transport)
        bkc_embedded_detach();
}

BOOL WINAPI BattkitConnect(LPCSTR socketPath)
{
    drop_transport();
    NTSTATUS s = bkc_remote_connect(socketPath);
    if (!NT_SUCCESS(s)) {
        bkc_set_status(s);
        return FALSE;
    }
    pthread_mutex_lock(&bkc_lock);
    current = &bkc_remote_transport;
    generation++;
    pthread_mutex_unlock(&bkc_lock);
    bkc_set_error(ERROR_SUCCESS);
    return TRUE;
}

void WINAPI BattkitDisconnect(void)
{
    drop_transport();
}

BOOL WINAPI BattkitUseEmbeddedHost(struct bk_host *host)
{
    drop_transport();
    if (!host) {
        bkc_set_error(ERROR_SUCCESS);
        return TRUE;
    }
    NTSTATUS s = bkc_embedded_attach(host);
    if (!NT_SUCCESS(s)) {
        bkc_set_status(s);
        return FALSE;
    }
    pthread_mutex_lock(&bkc_lock);
    current = &bkc_embedded_transport;
    generation++;
    pthread_mutex_unlock(&bkc_lock);
    bkc_set_error(ERROR_SUCCESS);
    return TRUE;
}

LPCSTR WINAPI BattkitDefaultSocketPath(LPSTR buf, DWORD size)
{
    if (!buf || !bkp_default_socket_path(buf, size)) {
        bkc_set_error(ERROR_INSUFFICIENT_BUFFER);
        return NULL;
    }
    return buf;
}

BOOL WINAPI BattkitGetServerInfo(PBATTKIT_SERVER_INFO info)
{
    if (!info) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    TRANSPORT_CALL(tp->server_info(info));
}

BOOL WINAPI BattkitAdvance(ULONGLONG ns, ULONGLONG *nowNs)
{
    TRANSPORT_CALL(tp->advance(ns, nowNs));
}

BOOL WINAPI BattkitSim(DWORD op, LONG value, DWORD arg2, LPCSTR name)
{
    TRANSPORT_CALL(tp->sim(op, value, arg2, name));
}

/* ---- watches ---- */
#define MAX_QUEUED_EVENTS 1024

static void watch_destroy(bkc_object_t *obj)
{
    bkc_watch_t *w = (bkc_watch_t *)obj;
    while (w->head) {
        bkc_watch_event_t *e = w->head;
        w->head = e->next;
        free(e);
    }
    free(w);
}

void bkc_watch_push_locked(bkc_watch_t *w, const GUID *guid, const char *path, bool arrived)
{
    bkc_watch_event_t *e = calloc(1, sizeof *e);
    if (!e)
        return;
    e->ev.InterfaceClassGuid = *guid;
    e->ev.Arrived = arrived;
    char *win32 = strdup(path);
    if (!win32) {
        free(e);
        return;
    }
    bkc_path_to_win32(win32); /* as SetupDi shows it */
    size_t need = bkc_utf8_to_utf16(win32, e->ev.DevicePath, RTL_NUMBER_OF(e->ev.DevicePath));
    free(win32);
    if (need > RTL_NUMBER_OF(e->ev.DevicePath)) {
        free(e); /* a path no handle could be opened with either */
        return;
    }
    if (w->queued >= MAX_QUEUED_EVENTS) {
        bkc_watch_event_t *old = w->head; /* nobody reads: keep the newest */
        w->head = old->next;
        if (!w->head)
            w->tail = &w->head;
        free(old);
        w->queued--;
    }
    *w->tail = e;
    w->tail = &e->next;
    w->queued++;
    pthread_cond_broadcast(&bkc_cond);
}

HANDLE WINAPI BattkitWatchInterfaces(const GUID *InterfaceClassGuid)
{
    if (!InterfaceClassGuid) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    uint32_t gen;
    const bkc_transport_t *tp = bkc_transport(&gen);
    if (!tp)
        return NULL;
    bkc_watch_t *w = calloc(1, sizeof *w);
    if (!w) {
        bkc_set_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    w->obj.kind = BKC_WATCH;
    w->obj.destroy = watch_destroy;
    w->guid = *InterfaceClassGuid;
    w->tp = tp;
    w->generation = gen;
    w->tail = &w->head;
    w->obj.refs = 1; /* ours until the handle exists */
    NTSTATUS s = tp->watch_start(w);
    if (!NT_SUCCESS(s)) {
        free(w);
        bkc_set_status(s);
        return NULL;
    }
    HANDLE h = bkc_handle_insert(&w->obj);
    bkc_object_release(&w->obj);
    if (!h) {
        tp->watch_stop(w);
        bkc_set_error(ERROR_NO_SYSTEM_RESOURCES);
        return NULL;
    }
    bkc_set_error(ERROR_SUCCESS);
    return h;
}

BOOL WINAPI BattkitReadInterfaceEvent(HANDLE hWatch, PBATTKIT_INTERFACE_EVENT event)
{
    if (!event) {
        bkc_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    bkc_watch_t *w = (bkc_watch_t *)bkc_handle_get(hWatch, BKC_WATCH);
    if (!w)
        return FALSE;
    pthread_mutex_lock(&bkc_lock);
    bkc_watch_event_t *e = w->head;
    if (e) {
        w->head = e->next;
        if (!w->head)
            w->tail = &w->head;
        w->queued--;
    }
    pthread_mutex_unlock(&bkc_lock);
    bkc_object_release(&w->obj);
    if (!e) {
        bkc_set_error(ERROR_NO_MORE_ITEMS);
        return FALSE;
    }
    *event = e->ev;
    free(e);
    bkc_set_error(ERROR_SUCCESS);
    return TRUE;
}

/* What battd does with each message: a table of sizes and handlers.
 * IOCTLs go to the host with bk_ioctl_async and complete through the
 * queue; SYSTEM_POWER_STATUS and the policy come from the power manager; privileged
 * operations check the peer and log refusals. A frame that breaks the
 * protocol drops its client; a well-formed request with bad values gets
 * an NTSTATUS. */
#include "server.h"
#include "hostops.h"
#include "metrics.h"

#include <ntstatus.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_WATCHES         16
#define MAX_ADVANCE_NS      (366ull * 24 * 3600 * 1000000000ull) /* a year per request */
#define FILE_READ_DATA_BIT  0x1u
#define FILE_WRITE_DATA_BIT 0x2u

typedef bool (*handler_fn)(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why);

static void reply_status(client_t *c, const bkp_header_t *h, int32_t status)
{
    bkp_status_reply_t r = {.status = status};
    client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
}

static void log_refusal(client_t *c, const char *what)
{
    dlog(DLOG_WARN, "refused %s from uid %u pid %d (unprivileged): STATUS_ACCESS_DENIED", what,
         (unsigned)c->uid, (int)c->pid);
}

/* ---- lookups ---- */
static pending_t *find_pending(client_t *c, uint32_t id)
{
    for (pending_t *p = c->pending.next; p != &c->pending; p = p->next)
        if (p->request_id == id)
            return p;
    return NULL;
}

static watch_t **find_watch(client_t *c, uint32_t id)
{
    for (watch_t **w = &c->watches; *w; w = &(*w)->next)
        if ((*w)->request_id == id)
            return w;
    return NULL;
}

static handle_slot_t *find_handle(client_t *c, uint32_t id)
{
    if (id == 0)
        return NULL;
    for (unsigned i = 0; i < srv.o->max_handles; i++)
        if (c->handles[i].id == id)
            return &c->handles[i];
    return NULL;
}

static bool id_in_flight(client_t *c, uint32_t id)
{
    return find_pending(c, id) || find_watch(c, id);
}

/* ---- HELLO ---- */
static bool on_hello(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    bkp_hello_t m;
    memcpy(&m, p, sizeof m);
    if (c->hello || m.magic != BKP_MAGIC) {
        *why = c->hello ? "second HELLO" : "bad magic in HELLO";
        return false;
    }
    bkp_hello_reply_t r = {.magic = BKP_MAGIC,
                           .version = BKP_VERSION,
                           .max_frame = BKP_MAX_FRAME,
                           .peer_uid = (uint32_t)c->uid,
                           .server_pid = (uint32_t)getpid(),
                           .now_ns = bk_host_now_ns(srv.host)};
    if (m.version != BKP_VERSION) {
        dlog(DLOG_WARN, "client %llu speaks protocol %u, battd %u: refused",
             (unsigned long long)c->serial, m.version, BKP_VERSION);
        r.status = STATUS_REVISION_MISMATCH;
        client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
        c->close_after_flush = true;
        return true;
    }
    c->hello = true;
    r.server_flags = (c->privileged ? BKP_SERVER_PRIVILEGED : 0) |
                     (srv.o->virtual_time ? BKP_SERVER_VIRTUAL : 0);
    r.virtual_factor = srv.o->virtual_time ? (uint32_t)srv.o->virtual_factor : 0;
    client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
    return true;
}

/* ---- interfaces ---- */
static bool on_enum(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)why;
    GUID guid;
    memcpy(&guid, p, sizeof guid);
    char **paths = NULL;
    size_t n = bk_host_list_interfaces(srv.host, &guid, &paths);
    uint8_t *buf = malloc(BKP_MAX_PAYLOAD);
    if (!buf) {
        if (paths)
            bk_host_free_list(paths, n);
        reply_status(c, h, STATUS_INSUFFICIENT_RESOURCES);
        return true;
    }
    bkp_enum_reply_t r = {.status = STATUS_SUCCESS};
    size_t off = sizeof r;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(paths[i]) + 1;
        if (off + l > BKP_MAX_PAYLOAD) {
            r.status = STATUS_BUFFER_OVERFLOW; /* more than one frame holds */
            break;
        }
        memcpy(buf + off, paths[i], l);
        off += l;
        r.count++;
    }
    memcpy(buf, &r, sizeof r);
    if (paths)
        bk_host_free_list(paths, n);
    client_reply(c, h->type | BKP_REPLY, h->request_id, buf, (uint32_t)off);
    free(buf);
    return true;
}

static bool on_watch(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    if (id_in_flight(c, h->request_id)) {
        *why = "request id reused while in flight";
        return false;
    }
    unsigned n = 0;
    for (watch_t *w = c->watches; w; w = w->next)
        n++;
    watch_t *w = n < MAX_WATCHES ? calloc(1, sizeof *w) : NULL;
    if (!w) {
        reply_status(c, h, STATUS_INSUFFICIENT_RESOURCES);
        return true;
    }
    w->request_id = h->request_id;
    memcpy(&w->guid, p, sizeof w->guid);
    w->next = c->watches;
    c->watches = w;
    reply_status(c, h, STATUS_SUCCESS);
    return true;
}

void handle_interface_event(const q_item_t *item)
{
    size_t plen = strlen((const char *)item->data) + 1;
    size_t len = sizeof(bkp_interface_event_t) + plen;
    if (BKP_HEADER_SIZE + len > BKP_MAX_FRAME)
        return;
    uint8_t *frame = malloc(BKP_HEADER_SIZE + len);
    if (!frame)
        return;
    bkp_interface_event_t e = {.arrived = item->arrived};
    memcpy(e.interface_class.bytes, &item->guid, sizeof item->guid);
    memcpy(frame + BKP_HEADER_SIZE, &e, sizeof e);
    memcpy(frame + BKP_HEADER_SIZE + sizeof e, item->data, plen);
    dlog(DLOG_INFO, "interface %s: %s", item->arrived ? "arrived" : "removed",
         (const char *)item->data);
    for (client_t *c = srv.clients.next; c != &srv.clients; c = c->next) {
        for (watch_t *w = c->watches; w && !c->dead; w = w->next) {
            if (!IsEqualGUID(&w->guid, &item->guid))
                continue;
            bkp_header_t h = {
                .length = (uint32_t)len, .type = BKP_EVT_INTERFACE, .request_id = w->request_id};
            memcpy(frame, &h, sizeof h);
            client_send(c, frame, BKP_HEADER_SIZE + len);
        }
    }
    free(frame);
}

/* ---- handles ---- */
static bool on_open(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    bkp_open_t m;
    memcpy(&m, p, sizeof m);
    const char *path = (const char *)p + sizeof m;
    size_t plen = h->length - sizeof m;
    if (path[plen - 1] != 0 || strlen(path) != plen - 1) {
        *why = "OPEN path not a NUL-terminated string filling the frame";
        return false;
    }
    bkp_open_reply_t r = {0};
    if (m.desired_access & ~(FILE_READ_DATA_BIT | FILE_WRITE_DATA_BIT)) {
        r.status = STATUS_INVALID_PARAMETER;
        goto reply;
    }
    handle_slot_t *slot = NULL;
    for (unsigned i = 0; i < srv.o->max_handles && !slot; i++)
        if (!c->handles[i].id)
            slot = &c->handles[i];
    if (!slot) {
        r.status = STATUS_INSUFFICIENT_RESOURCES; /* --max-handles */
        goto reply;
    }
    /* An unprivileged peer gets read access only: the I/O manager then
     * refuses the FILE_WRITE_ACCESS IOCTLs (SET_INFORMATION, simulator). */
    uint32_t granted = m.desired_access;
    if (!c->privileged && (granted & FILE_WRITE_DATA_BIT)) {
        granted &= ~FILE_WRITE_DATA_BIT;
        dlog(DLOG_DEBUG, "uid %u pid %d: %s opened without write access (unprivileged)",
             (unsigned)c->uid, (int)c->pid, path);
    }
    bk_handle_t *bh = NULL;
    r.status = bk_host_open(srv.host, path, granted, &bh);
    if (r.status != STATUS_SUCCESS)
        goto reply;
    do
        slot->id = ++c->next_handle;
    while (slot->id == 0 || find_handle(c, slot->id) != slot);
    slot->h = bh;
    slot->access = granted;
    c->handle_count++;
    r.handle = slot->id;
    r.granted_access = granted;
reply:
    client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
    return true;
}

static bool on_close(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)why;
    bkp_close_t m;
    memcpy(&m, p, sizeof m);
    handle_slot_t *slot = find_handle(c, m.handle);
    if (!slot) {
        reply_status(c, h, STATUS_INVALID_HANDLE);
        return true;
    }
    /* IRP_MJ_CLEANUP: its pending requests are cancelled and complete
     * through the queue, after this reply. Cancelled here first, so that
     * bk_close has none left to complete while it walks its list. */
    for (pending_t *pd = c->pending.next; pd != &c->pending; pd = pd->next)
        if (pd->handle_id == slot->id)
            bk_request_cancel(pd->req);
    bk_close(slot->h);
    *slot = (handle_slot_t){0};
    c->handle_count--;
    reply_status(c, h, STATUS_SUCCESS);
    return true;
}

/* ---- IOCTL ---- */
static void ioctl_done(void *context, bk_status_t status, uint32_t returned)
{
    pending_t *p = context;
    p->status = status;
    p->returned = returned;
    queue_push(p->item); /* from whatever thread completed the IRP */
}

static bool on_ioctl(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    bkp_ioctl_t m;
    memcpy(&m, p, sizeof m);
    if (m.in_length != h->length - sizeof m) {
        *why = "IOCTL input length does not match the frame";
        return false;
    }
    if (id_in_flight(c, h->request_id)) {
        *why = "request id reused while in flight";
        return false;
    }
    handle_slot_t *slot = find_handle(c, m.handle);
    if (!slot) {
        stat_ioctl(m.code, STATUS_INVALID_HANDLE);
        reply_status(c, h, STATUS_INVALID_HANDLE);
        return true;
    }
    if (m.out_length > BKP_MAX_IOCTL_OUT) {
        stat_ioctl(m.code, STATUS_INVALID_PARAMETER);
        reply_status(c, h, STATUS_INVALID_PARAMETER);
        return true;
    }
    if (c->pending_count >= srv.o->max_pending) {
        stat_ioctl(m.code, STATUS_INSUFFICIENT_RESOURCES);
        reply_status(c, h, STATUS_INSUFFICIENT_RESOURCES); /* --max-pending */
        return true;
    }
    /* One block: the reply frame with room for the output, then the queue
     * item the completion pushes (no allocation on the driver's thread). */
    size_t frame_end =
        offsetof(pending_t, frame) + BKP_HEADER_SIZE + sizeof(bkp_ioctl_reply_t) + m.out_length;
    size_t item_at = (frame_end + 15) & ~(size_t)15; /* from the block's start: aligned */
    pending_t *pd = calloc(1, item_at + sizeof(q_item_t));
    if (!pd) {
        stat_ioctl(m.code, STATUS_INSUFFICIENT_RESOURCES);
        reply_status(c, h, STATUS_INSUFFICIENT_RESOURCES);
        return true;
    }
    pd->out_len = m.out_length;
    pd->client = c;
    pd->request_id = h->request_id;
    pd->code = m.code;
    pd->handle_id = slot->id;
    pd->item = (q_item_t *)((uint8_t *)pd + item_at);
    pd->item->kind = Q_IOCTL_DONE;
    pd->item->pending = pd;
    pd->next = &c->pending;
    pd->prev = c->pending.prev;
    c->pending.prev->next = pd;
    c->pending.prev = pd;
    c->pending_count++;
    stat_add(STAT_PENDING_IOCTLS, 1);
    c->refs++;
    uint8_t *out = pd->frame + BKP_HEADER_SIZE + sizeof(bkp_ioctl_reply_t);
    bk_status_t s = bk_ioctl_async(slot->h, m.code, p + sizeof m, m.in_length, out, m.out_length,
                                   ioctl_done, pd, &pd->req);
    if (s != STATUS_PENDING) {
        /* Refused before an IRP went down: no completion will come. */
        pd->prev->next = pd->next;
        pd->next->prev = pd->prev;
        c->pending_count--;
        stat_add(STAT_PENDING_IOCTLS, -1);
        c->refs--;
        free(pd);
        stat_ioctl(m.code, s);
        if (s == STATUS_ACCESS_DENIED)
            dlog(DLOG_WARN,
                 "refused IOCTL 0x%08x from uid %u pid %d: STATUS_ACCESS_DENIED (handle %s)",
                 m.code, (unsigned)c->uid, (int)c->pid,
                 c->privileged ? "opened without write access" : "read-only: unprivileged peer");
        reply_status(c, h, s);
    }
    return true;
}

void handle_ioctl_done(pending_t *p)
{
    client_t *c = p->client;
    p->prev->next = p->next;
    p->next->prev = p->prev;
    c->pending_count--;
    stat_add(STAT_PENDING_IOCTLS, -1);
    stat_ioctl(p->code, p->status);
    bk_request_free(p->req);
    if (!c->dead) {
        uint32_t out_space = p->out_len;
        uint32_t returned = p->returned <= out_space ? p->returned : out_space;
        bkp_header_t h = {.length = (uint32_t)sizeof(bkp_ioctl_reply_t) + returned,
                          .type = BKP_MSG_IOCTL | BKP_REPLY,
                          .request_id = p->request_id};
        bkp_ioctl_reply_t r = {.status = p->status, .returned = returned};
        memcpy(p->frame, &h, sizeof h);
        memcpy(p->frame + sizeof h, &r, sizeof r);
        if (p->status == STATUS_ACCESS_DENIED)
            dlog(DLOG_WARN, "refused IOCTL 0x%08x from uid %u pid %d: STATUS_ACCESS_DENIED",
                 p->code, (unsigned)c->uid, (int)c->pid);
        client_send(c, p->frame, BKP_HEADER_SIZE + sizeof r + returned);
    }
    free(p);
    client_unref(c);
}

static bool on_cancel(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)why;
    bkp_cancel_t m;
    memcpy(&m, p, sizeof m);
    pending_t *pd = find_pending(c, m.target_id);
    if (pd) {
        /* The IOCTL's own reply follows, normally with STATUS_CANCELLED. */
        bk_request_cancel(pd->req);
        reply_status(c, h, STATUS_SUCCESS);
        return true;
    }
    watch_t **w = find_watch(c, m.target_id);
    if (w) {
        watch_t *gone = *w;
        *w = gone->next;
        free(gone);
        reply_status(c, h, STATUS_SUCCESS);
        return true;
    }
    reply_status(c, h, STATUS_NOT_FOUND);
    return true;
}

void client_release_resources(client_t *c)
{
    for (pending_t *p = c->pending.next; p != &c->pending; p = p->next)
        bk_request_cancel(p->req);
    for (unsigned i = 0; i < srv.o->max_handles; i++) {
        if (c->handles[i].id) {
            bk_close(c->handles[i].h);
            c->handles[i] = (handle_slot_t){0};
        }
    }
    c->handle_count = 0;
    while (c->watches) {
        watch_t *w = c->watches;
        c->watches = w->next;
        free(w);
    }
}

/* ---- power, time, simulator, policy ---- */
/* The power manager answers at once (it reads the composite battery,
 * which answers from its own figures): served on the loop thread. */
static bool on_power_status(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)p, (void)why;
    bkp_power_state_reply_t s;
    power_state_reply(&s);
    bkp_power_status_reply_t r = {.status = s.status,
                                  .ac_line_status = s.ac_line_status,
                                  .battery_flag = s.battery_flag,
                                  .battery_life_percent = s.battery_life_percent,
                                  .system_status_flag = s.system_status_flag,
                                  .battery_life_time = s.battery_life_time,
                                  .battery_full_life_time = s.battery_full_life_time};
    client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
    return true;
}

static bool on_power_state(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)p, (void)why;
    bkp_power_state_reply_t r;
    power_state_reply(&r);
    client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
    return true;
}

static bool on_advance(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)why;
    bkp_advance_t m;
    memcpy(&m, p, sizeof m);
    bkp_advance_reply_t r = {0};
    if (!c->privileged) {
        log_refusal(c, "ADVANCE");
        r.status = STATUS_ACCESS_DENIED;
    } else if (!srv.o->virtual_time) {
        r.status = STATUS_NOT_SUPPORTED; /* real time cannot be moved */
    } else if (m.ns > MAX_ADVANCE_NS) {
        r.status = STATUS_INVALID_PARAMETER;
    } else {
        vclock_advance(m.ns);
        r.status = STATUS_SUCCESS;
    }
    r.now_ns = bk_host_now_ns(srv.host);
    client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
    return true;
}

static const char *const sim_names[] = {
    [BKP_SIM_AC] = "ac",     [BKP_SIM_PRESENT] = "present", [BKP_SIM_FAULT] = "fault",
    [BKP_SIM_LOAD] = "load", [BKP_SIM_CHARGE] = "charge",   [BKP_SIM_TEMPERATURE] = "temperature",
};

static bool on_sim(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    bkp_sim_t m;
    memcpy(&m, p, sizeof m);
    const char *name = NULL;
    size_t nlen = h->length - sizeof m;
    if (nlen) {
        name = (const char *)p + sizeof m;
        if (name[nlen - 1] != 0 || strlen(name) != nlen - 1) {
            *why = "SIM device name not a NUL-terminated string filling the frame";
            return false;
        }
    }
    if (!c->privileged) {
        log_refusal(c, "SIM");
        reply_status(c, h, STATUS_ACCESS_DENIED);
        return true;
    }
    const char *op =
        m.op < sizeof sim_names / sizeof sim_names[0] && sim_names[m.op] ? sim_names[m.op] : "?";
    bk_status_t s = bkc_host_sim(srv.host, m.op, m.value, m.arg2, name);
    /* The platform raises its notifications on workers. On virtual time
     * let them run first, so the reply means "drivers have seen it" and a
     * test can rely on that; on real time they run as they would on a
     * machine, and the loop goes back to serving at once. */
    if (srv.o->virtual_time)
        bk_host_settle(srv.host);
    dlog(s == STATUS_SUCCESS ? DLOG_INFO : DLOG_WARN, "sim %s %d %u %s by uid %u: %s", op, m.value,
         m.arg2, name ? name : "-", (unsigned)c->uid, dlog_status_name(s));
    reply_status(c, h, s);
    return true;
}

static bool on_dc_policy_get(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)p, (void)why;
    bkp_dc_policy_reply_t r;
    power_dc_policy_reply(&r);
    client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
    return true;
}

static bool on_dc_policy_set(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)why;
    bkp_dc_policy_t m;
    memcpy(&m, p, sizeof m);
    bkp_dc_policy_set_reply_t r = {0};
    if (!c->privileged) {
        log_refusal(c, "DC_POLICY_SET");
        r.status = STATUS_ACCESS_DENIED;
    } else {
        r.status = power_set_dc_policy(&m, (uint32_t)c->uid, c->pid, r.why, sizeof r.why);
    }
    client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
    return true;
}

/* POLICY_GET/SET: the low/critical view older clients have of the policy
 * (the reserve level counts as low there). */
static bool on_policy_get(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)p, (void)why;
    static const uint32_t old_level[] = {BKP_LEVEL_NORMAL, BKP_LEVEL_LOW, BKP_LEVEL_LOW,
                                         BKP_LEVEL_CRITICAL};
    bkp_dc_policy_reply_t d;
    power_dc_policy_reply(&d);
    bkp_policy_reply_t r = {.status = d.status,
                            .policy = {.low_percent = d.policy.percent[BKP_DC_LOW],
                                       .critical_percent = d.policy.percent[BKP_DC_CRITICAL],
                                       .low_action = d.policy.action[BKP_DC_LOW],
                                       .critical_action = d.policy.action[BKP_DC_CRITICAL]},
                            .level = d.level < 4 ? old_level[d.level] : BKP_LEVEL_NORMAL,
                            .percent = d.percent,
                            .on_ac = d.on_ac,
                            .actions_taken = d.actions_taken};
    client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
    return true;
}

static bool on_policy_set(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    (void)why;
    bkp_policy_t m;
    memcpy(&m, p, sizeof m);
    if (!c->privileged) {
        log_refusal(c, "POLICY_SET");
        reply_status(c, h, STATUS_ACCESS_DENIED);
        return true;
    }
    bkp_dc_policy_reply_t d;
    power_dc_policy_reply(&d);
    bkp_dc_policy_t n = d.policy;
    bkc_dc_policy_apply_old(&n, &m);
    char reason[160];
    reply_status(c, h, power_set_dc_policy(&n, (uint32_t)c->uid, c->pid, reason, sizeof reason));
    return true;
}

/* Installs, uninstalls or lists driver packages in the running host: the
 * new bindings apply to present devices at once (no restart). It may wait
 * for devices to restart; that is rare and privileged, so it runs on the
 * loop thread rather than adding a thread for it. */
static bool on_setup(client_t *c, const bkp_header_t *h, const uint8_t *p, const char **why)
{
    bkp_setup_t m;
    memcpy(&m, p, sizeof m);
    const char *arg = (const char *)p + sizeof m;
    size_t alen = h->length - sizeof m;
    if (arg[alen - 1] != 0 || strlen(arg) != alen - 1) {
        *why = "SETUP argument not a NUL-terminated string filling the frame";
        return false;
    }
    if (!c->privileged) {
        log_refusal(c, "SETUP");
        bkp_setup_reply_t r = {.status = STATUS_ACCESS_DENIED, .report_length = 0};
        client_reply(c, h->type | BKP_REPLY, h->request_id, &r, sizeof r);
        return true;
    }
    static uint8_t out[BKP_MAX_PAYLOAD];
    char *report = (char *)out + sizeof(bkp_setup_reply_t);
    size_t room = sizeof out - sizeof(bkp_setup_reply_t);
    report[0] = 0;
    bkp_setup_reply_t r;
    r.status = setup_install_for_daemon(srv.host, m.op, arg, m.flags, report, room);
    r.report_length = (uint32_t)strnlen(report, room - 1);
    memcpy(out, &r, sizeof r);
    dlog(r.status >= 0 ? DLOG_INFO : DLOG_WARN, "setup op %u %s by uid %u: %s", m.op, arg,
         (unsigned)c->uid, dlog_status_name(r.status));
    client_reply(c, h->type | BKP_REPLY, h->request_id, out, sizeof r + r.report_length);
    return true;
}

/* ---- the table ---- */
static const struct {
    const char *name;
    uint32_t min, max; /* payload bytes */
    handler_fn fn;
} handlers[BKP_MSG_COUNT] = {
    [BKP_MSG_HELLO] = {"HELLO", sizeof(bkp_hello_t), sizeof(bkp_hello_t), on_hello},
    [BKP_MSG_ENUM_INTERFACES] = {"ENUM_INTERFACES", 16, 16, on_enum},
    [BKP_MSG_WATCH_INTERFACES] = {"WATCH_INTERFACES", 16, 16, on_watch},
    [BKP_MSG_OPEN] = {"OPEN", sizeof(bkp_open_t) + 2, BKP_MAX_PAYLOAD, on_open},
    [BKP_MSG_CLOSE] = {"CLOSE", sizeof(bkp_close_t), sizeof(bkp_close_t), on_close},
    [BKP_MSG_IOCTL] = {"IOCTL", sizeof(bkp_ioctl_t), BKP_MAX_PAYLOAD, on_ioctl},
    [BKP_MSG_CANCEL] = {"CANCEL", sizeof(bkp_cancel_t), sizeof(bkp_cancel_t), on_cancel},
    [BKP_MSG_POWER_STATUS] = {"POWER_STATUS", 0, 0, on_power_status},
    [BKP_MSG_ADVANCE] = {"ADVANCE", sizeof(bkp_advance_t), sizeof(bkp_advance_t), on_advance},
    [BKP_MSG_SIM] = {"SIM", sizeof(bkp_sim_t), sizeof(bkp_sim_t) + 256, on_sim},
    [BKP_MSG_POLICY_GET] = {"POLICY_GET", 0, 0, on_policy_get},
    [BKP_MSG_POLICY_SET] = {"POLICY_SET", sizeof(bkp_policy_t), sizeof(bkp_policy_t),
                            on_policy_set},
    [BKP_MSG_POWER_STATE] = {"POWER_STATE", 0, 0, on_power_state},
    [BKP_MSG_DC_POLICY_GET] = {"DC_POLICY_GET", 0, 0, on_dc_policy_get},
    [BKP_MSG_DC_POLICY_SET] = {"DC_POLICY_SET", sizeof(bkp_dc_policy_t), sizeof(bkp_dc_policy_t),
                               on_dc_policy_set},
    [BKP_MSG_SETUP] = {"SETUP", sizeof(bkp_setup_t) + 1, BKP_MAX_PAYLOAD, on_setup},
};

bool handle_frame(client_t *c, const bkp_header_t *h, const uint8_t *payload, const char **why)
{
    static _Thread_local char buf[96];
    if (h->type == 0 || h->type >= BKP_MSG_COUNT || !handlers[h->type].fn) {
        snprintf(buf, sizeof buf, "unknown message type 0x%04x", h->type);
        *why = buf;
        return false;
    }
    if (!c->hello && h->type != BKP_MSG_HELLO) {
        *why = "first message is not HELLO";
        return false;
    }
    if (h->length < handlers[h->type].min || h->length > handlers[h->type].max) {
        snprintf(buf, sizeof buf, "%s with a %u-byte payload", handlers[h->type].name, h->length);
        *why = buf;
        return false;
    }
    stat_message(h->type);
    return handlers[h->type].fn(c, h, payload, why);
}

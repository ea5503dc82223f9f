/* The WMI manager's provider side: IoWMIRegistrationControl, the
 * IRP_MN_REGINFO_EX exchange that learns a provider's blocks (on a worker,
 * as Windows does it from a system thread), the static instance names, and
 * sending WMI IRPs to a provider's stack. Events are events.c; the host
 * API is host_api.c; the driver-side library is wmilib.c. */
#include "wmi_internal.h"

#include <battkit/host.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static LIST_ENTRY providers = {&providers, &providers};
static ULONG next_id = 1;
/* The provider whose IRP this thread is sending (DEREGISTER from inside
 * that IRP's dispatch would wait for itself). */
static __thread wmi_provider_t *sending;

/* Registration requests, run one at a time and in order by one work item. */
typedef struct reg_request {
    struct reg_request *next;
    wmi_provider_t *provider;
    ULONG data_path; /* WMIREGISTER or WMIUPDATE */
} reg_request_t;
static reg_request_t *queue_head, *queue_tail;
static bool queue_running;
static ke_work_t queue_work;

void wmi_lock(void)
{
    pthread_mutex_lock(&lock);
}

void wmi_unlock(void)
{
    pthread_mutex_unlock(&lock);
}

void wmi_wait_locked(void)
{
    pthread_cond_wait(&cv, &lock);
}

void wmi_broadcast_locked(void)
{
    pthread_cond_broadcast(&cv);
}

static void clear_block(wmi_block_t *b)
{
    free(b->base);
    for (ULONG n = 0; b->names && n < b->instance_count; n++)
        free(b->names[n]);
    free(b->names);
    b->base = NULL;
    b->names = NULL;
}

static void free_blocks(wmi_block_t *blocks, size_t count)
{
    for (size_t i = 0; i < count; i++)
        clear_block(&blocks[i]);
    free(blocks);
}

void wmi_provider_ref_locked(wmi_provider_t *p)
{
    p->refs++;
}

void wmi_provider_release(wmi_provider_t *p)
{
    wmi_lock();
    bool last = --p->refs == 0;
    wmi_unlock();
    if (!last)
        return;
    free_blocks(p->blocks, p->block_count);
    free(p->registry_path);
    free(p->mof_name);
    ObDereferenceObject(p->device);
    free(p);
}

wmi_provider_t *wmi_find_provider_locked(PDEVICE_OBJECT device)
{
    for (PLIST_ENTRY e = providers.Flink; e != &providers; e = e->Flink) {
        wmi_provider_t *p = CONTAINING_RECORD(e, wmi_provider_t, link);
        if (p->device == device)
            return p;
    }
    return NULL;
}

wmi_provider_t *wmi_find_provider_by_id_locked(ULONG id)
{
    for (PLIST_ENTRY e = providers.Flink; e != &providers; e = e->Flink) {
        wmi_provider_t *p = CONTAINING_RECORD(e, wmi_provider_t, link);
        if (p->id == id)
            return p;
    }
    return NULL;
}

wmi_block_t *wmi_find_block_locked(wmi_provider_t *p, const GUID *guid)
{
    for (size_t i = 0; i < p->block_count; i++)
        if (IsEqualGUID(&p->blocks[i].guid, guid))
            return &p->blocks[i];
    return NULL;
}

char *wmi_instance_name_locked(const wmi_block_t *b, ULONG index)
{
    if (index >= b->instance_count)
        return NULL;
    if (b->names)
        return b->names[index] ? strdup(b->names[index]) : NULL;
    if (!b->base)
        return NULL;
    size_t n = strlen(b->base) + 12;
    char *name = malloc(n);
    if (name)
        snprintf(name, n, "%s%u", b->base, (unsigned)index);
    return name;
}

wmi_provider_t *wmi_provider_for_stack(PDEVICE_OBJECT top, const GUID *guid, size_t *block)
{
    for (PDEVICE_OBJECT d = top; d; d = ob_lower_device(d)) {
        wmi_lock();
        wmi_provider_t *p = wmi_find_provider_locked(d);
        wmi_block_t *b = p ? wmi_find_block_locked(p, guid) : NULL;
        if (b && !(b->flags & WMIREG_FLAG_EVENT_ONLY_GUID)) {
            wmi_provider_ref_locked(p);
            if (block)
                *block = (size_t)(b - p->blocks);
            wmi_unlock();
            return p;
        }
        wmi_unlock();
    }
    return NULL;
}

size_t wmi_providers_of(const GUID *guid, wmi_provider_t ***out)
{
    size_t n = 0;
    *out = NULL;
    wmi_lock();
    for (PLIST_ENTRY e = providers.Flink; e != &providers; e = e->Flink)
        n += wmi_find_block_locked(CONTAINING_RECORD(e, wmi_provider_t, link), guid) != NULL;
    if (n && (*out = malloc(n * sizeof(**out)))) {
        size_t i = 0;
        for (PLIST_ENTRY e = providers.Flink; e != &providers; e = e->Flink) {
            wmi_provider_t *p = CONTAINING_RECORD(e, wmi_provider_t, link);
            if (wmi_find_block_locked(p, guid)) {
                wmi_provider_ref_locked(p);
                (*out)[i++] = p;
            }
        }
    } else {
        n = 0;
    }
    wmi_unlock();
    return n;
}

/* ---- sending WMI IRPs ---- */
struct send_wait {
    pthread_mutex_t lock; /* recursive: IoCancelIrp may complete inline */
    pthread_cond_t cv;
    bool done;
    NTSTATUS status;
    ULONG_PTR information;
};

static void send_finish(PIRP irp, void *context)
{
    struct send_wait *w = context;
    pthread_mutex_lock(&w->lock);
    w->status = irp->IoStatus.Status;
    w->information = irp->IoStatus.Information;
    w->done = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->lock);
}

static bool send_done(struct send_wait *w)
{
    pthread_mutex_lock(&w->lock);
    bool done = w->done;
    pthread_mutex_unlock(&w->lock);
    return done;
}

static void send_wait(struct send_wait *w, PIRP irp, bool may_advance)
{
    if (may_advance && clk_mode() == CLK_VIRTUAL) {
        /* A provider that pends its answer on a timer: let virtual time
         * run to the timers, as bk_ioctl does. */
        ke_settle();
        while (!send_done(w)) {
            uint64_t next = ke_next_due();
            if (next == UINT64_MAX)
                break;
            ke_advance_to(next);
        }
        pthread_mutex_lock(&w->lock);
        if (!w->done) {
            bk_log(BK_LOG_WARN,
                   "WMI: request 0x%02x can never complete on virtual time; "
                   "cancelled",
                   IoGetNextIrpStackLocation(irp)->MinorFunction);
            IoCancelIrp(irp);
        }
        pthread_mutex_unlock(&w->lock);
    }
    pthread_mutex_lock(&w->lock);
    while (!w->done)
        pthread_cond_wait(&w->cv, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

NTSTATUS wmi_send(wmi_provider_t *p, UCHAR minor, PVOID data_path, PVOID buffer, ULONG size,
                  ULONG_PTR *information, bool may_advance)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL); /* docs: WMI IRPs are sent at PASSIVE_LEVEL */
    if (information)
        *information = 0;
    wmi_lock();
    if (!p->registered || p->blocked) {
        wmi_unlock();
        return STATUS_WMI_GUID_NOT_FOUND;
    }
    p->irps_in_flight++;
    wmi_unlock();

    NTSTATUS status = STATUS_INSUFFICIENT_RESOURCES;
    struct send_wait w = {.done = false};
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&w.lock, &attr);
    pthread_mutexattr_destroy(&attr);
    pthread_cond_init(&w.cv, NULL);
    /* docs: the IRP goes to the top of the stack; ProviderId names the
     * device that registered, and drivers above it forward the IRP. */
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(p->device);
    PIRP irp = io_build_host_irp(top, IRP_MJ_SYSTEM_CONTROL, minor, send_finish, &w);
    if (irp) {
        PIO_STACK_LOCATION stack = IoGetNextIrpStackLocation(irp);
        stack->Parameters.WMI.ProviderId = (ULONG_PTR)p->device;
        stack->Parameters.WMI.DataPath = data_path;
        stack->Parameters.WMI.BufferSize = size;
        stack->Parameters.WMI.Buffer = buffer;
        wmi_provider_t *outer = sending;
        sending = p;
        IoCallDriver(top, irp);
        sending = outer;
        send_wait(&w, irp, may_advance);
        status = w.status;
        if (information)
            *information = w.information;
    }
    ObDereferenceObject(top);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.lock);

    wmi_lock();
    p->irps_in_flight--;
    wmi_broadcast_locked();
    wmi_unlock();
    return status;
}

/* ---- reading a WMIREGINFO ---- */

/* A PDO's device instance path ("ACPI\\PNP0C0A\\1"), from the PnP manager;
 * a device it does not know (a test's bare PDO) is named by its object name. */
static void pdo_instance_path(PDEVICE_OBJECT pdo, char *buf, size_t len)
{
    if (pnp_instance_path(pdo, buf, len))
        return;
    DEVOBJ_EXTENSION *dx = pdo->DeviceObjectExtension;
    if (dx && dx->Name.Length)
        rtl_utf16_to_utf8(dx->Name.Buffer, dx->Name.Length / sizeof(WCHAR), buf, len);
}

/* A counted string (USHORT byte count, then UTF-16) at `offset` of a
 * WMIREGINFO of `size` bytes; *end gets the offset after it. */
static char *counted_at(const UCHAR *base, ULONG size, ULONG offset, ULONG *end)
{
    USHORT bytes;
    if (!offset || offset > size || size - offset < sizeof(USHORT) || (offset & 1))
        return NULL;
    memcpy(&bytes, base + offset, sizeof bytes);
    if (bytes & 1 || size - offset - sizeof(USHORT) < bytes)
        return NULL;
    size_t chars = bytes / sizeof(WCHAR);
    WCHAR *w = malloc((chars + 1) * sizeof(WCHAR));
    char *out = w ? malloc(chars * 3 + 1) : NULL;
    if (out) {
        memcpy(w, base + offset + sizeof(USHORT), bytes);
        w[chars] = 0;
        rtl_utf16_to_utf8(w, chars, out, chars * 3 + 1);
    }
    free(w);
    if (end)
        *end = offset + (ULONG)sizeof(USHORT) + bytes;
    return out;
}

typedef struct {
    wmi_block_t *blocks;
    size_t count;
    char *registry_path, *mof_name;
} reginfo_t;

static bool parse_block(const UCHAR *base, ULONG size, const WMIREGGUIDW *g, wmi_block_t *b)
{
    memset(b, 0, sizeof *b);
    b->guid = g->Guid;
    b->flags = g->Flags;
    b->instance_count = g->InstanceCount;
    if (g->Flags & WMIREG_FLAG_INSTANCE_PDO) {
        PDEVICE_OBJECT pdo = (PDEVICE_OBJECT)g->Pdo;
        if (pdo) {
            char path[256];
            pdo_instance_path(pdo, path, sizeof path);
            /* docs: Windows generates "<device instance path>_<n>". */
            size_t n = strlen(path) + 2;
            if ((b->base = malloc(n)))
                snprintf(b->base, n, "%s_", path);
            /* docs: the reference the provider (or WMILIB) took is WMI's to drop. */
            ObDereferenceObject(pdo);
        }
    } else if (g->Flags & WMIREG_FLAG_INSTANCE_BASENAME) {
        b->base = counted_at(base, size, g->BaseNameOffset, NULL);
    } else if ((g->Flags & WMIREG_FLAG_INSTANCE_LIST) && g->InstanceCount) {
        if (g->InstanceCount > 0x10000 || !(b->names = calloc(g->InstanceCount, sizeof(char *))))
            return false;
        ULONG at = g->InstanceNameList;
        for (ULONG i = 0; i < g->InstanceCount; i++) {
            if (!(b->names[i] = counted_at(base, size, at, &at)))
                return false;
        }
    }
    return true;
}

/* Reads a WMIREGINFO chain (NextWmiRegInfo) of `size` bytes. */
static bool parse_reginfo(const UCHAR *buffer, ULONG size, reginfo_t *out)
{
    memset(out, 0, sizeof *out);
    const ULONG header = (ULONG)offsetof(WMIREGINFOW, WmiRegGuid);
    ULONG at = 0;
    for (int links = 0; links < 64; links++) {
        if (size - at < header || (at & 7))
            return false;
        const UCHAR *base = buffer + at;
        WMIREGINFOW info;
        memcpy(&info, base, header);
        ULONG limit = info.BufferSize ? info.BufferSize : size - at;
        if (limit > size - at || limit < header ||
            info.GuidCount > (limit - header) / sizeof(WMIREGGUIDW))
            return false;
        wmi_block_t *grown =
            realloc(out->blocks, (out->count + info.GuidCount + 1) * sizeof(*out->blocks));
        if (!grown)
            return false;
        out->blocks = grown;
        for (ULONG i = 0; i < info.GuidCount; i++) {
            WMIREGGUIDW g;
            memcpy(&g, base + header + i * sizeof(WMIREGGUIDW), sizeof g);
            bool ok = parse_block(base, limit, &g, &out->blocks[out->count]);
            out->count++;
            if (!ok)
                return false;
        }
        if (!out->registry_path)
            out->registry_path = counted_at(base, limit, info.RegistryPath, NULL);
        if (!out->mof_name)
            out->mof_name = counted_at(base, limit, info.MofResourceName, NULL);
        if (!info.NextWmiRegInfo)
            return true;
        if (info.NextWmiRegInfo >= size - at)
            return false;
        at += info.NextWmiRegInfo;
    }
    return false;
}

static void free_reginfo(reginfo_t *r)
{
    free_blocks(r->blocks, r->count);
    free(r->registry_path);
    free(r->mof_name);
}

/* Registers (replace) or updates (merge, WMIREG_FLAG_REMOVE_GUID drops) the
 * provider's blocks. Lock held. */
static void apply_locked(wmi_provider_t *p, ULONG data_path, reginfo_t *r)
{
    if (data_path == WMIREGISTER) {
        free_blocks(p->blocks, p->block_count);
        p->blocks = NULL;
        p->block_count = 0;
        free(p->registry_path);
        free(p->mof_name);
        p->registry_path = r->registry_path;
        p->mof_name = r->mof_name;
        r->registry_path = r->mof_name = NULL;
    }
    for (size_t i = 0; i < r->count; i++) {
        wmi_block_t *nb = &r->blocks[i];
        wmi_block_t *old = wmi_find_block_locked(p, &nb->guid);
        if (nb->flags & WMIREG_FLAG_REMOVE_GUID) {
            if (old) {
                size_t at = (size_t)(old - p->blocks);
                clear_block(old);
                memmove(old, old + 1, (p->block_count - at - 1) * sizeof(*old));
                p->block_count--;
            }
            continue;
        }
        if (old) {
            /* An update keeps the events state of the block. */
            nb->events_enabled = old->events_enabled;
            clear_block(old);
            *old = *nb;
        } else {
            wmi_block_t *grown = realloc(p->blocks, (p->block_count + 1) * sizeof(*grown));
            if (!grown) {
                bk_log(BK_LOG_ERROR, "WMI: out of memory registering a block");
                continue;
            }
            p->blocks = grown;
            p->blocks[p->block_count++] = *nb;
        }
        memset(nb, 0, sizeof *nb); /* moved */
    }
}

/* Asks the provider for its registration (IRP_MN_REGINFO_EX, then the
 * older IRP_MN_REGINFO if it knows only that), growing the buffer to the
 * size it asks for. */
static void query_registration(wmi_provider_t *p, ULONG data_path)
{
    ULONG size = 4096;
    UCHAR minor = IRP_MN_REGINFO_EX;
    for (int attempt = 0; attempt < 4; attempt++) {
        UCHAR *buffer = calloc(1, size);
        if (!buffer)
            return;
        ULONG_PTR got = 0;
        NTSTATUS s = wmi_send(p, minor, (PVOID)(ULONG_PTR)data_path, buffer, size, &got, false);
        if ((s == STATUS_NOT_SUPPORTED || s == STATUS_INVALID_DEVICE_REQUEST) &&
            minor == IRP_MN_REGINFO_EX) {
            free(buffer);
            minor = IRP_MN_REGINFO;
            continue;
        }
        if (s == STATUS_BUFFER_TOO_SMALL) {
            ULONG need = 0;
            memcpy(&need, buffer, sizeof need);
            free(buffer);
            if (need <= size || need > (1u << 20)) {
                bk_log(BK_LOG_ERROR, "WMI: provider %p asks for a %u-byte registration buffer",
                       (void *)p->device, need);
                return;
            }
            size = need;
            continue;
        }
        if (s == STATUS_WMI_GUID_NOT_FOUND && !p->registered) {
            free(buffer); /* deregistered meanwhile */
            return;
        }
        reginfo_t r;
        if (!NT_SUCCESS(s)) {
            bk_log(BK_LOG_ERROR, "WMI: provider %p failed IRP_MN_REGINFO%s: 0x%08x",
                   (void *)p->device, minor == IRP_MN_REGINFO_EX ? "_EX" : "", (unsigned)s);
        } else if (!parse_reginfo(buffer, got && got < size ? (ULONG)got : size, &r)) {
            bk_log(BK_LOG_ERROR, "WMI: provider %p returned a malformed WMIREGINFO",
                   (void *)p->device);
            free_reginfo(&r);
        } else {
            wmi_lock();
            if (p->registered)
                apply_locked(p, data_path, &r);
            wmi_unlock();
            free_reginfo(&r);
        }
        free(buffer);
        return;
    }
}

/* After a registration: blocks someone listens to get their events on. */
static void enable_watched_events(wmi_provider_t *p)
{
    for (;;) {
        GUID guid;
        bool found = false;
        wmi_lock();
        for (size_t i = 0; i < p->block_count && !found; i++) {
            if (!p->blocks[i].events_enabled && wmi_event_watched_locked(&p->blocks[i].guid)) {
                guid = p->blocks[i].guid;
                found = true;
            }
        }
        bool live = p->registered;
        wmi_unlock();
        if (!found || !live)
            return;
        wmi_set_events(p, &guid, true, false);
    }
}

static void run_queue(ke_work_t *work)
{
    UNREFERENCED_PARAMETER(work);
    for (;;) {
        wmi_lock();
        reg_request_t *r = queue_head;
        if (!r) {
            queue_running = false;
            wmi_broadcast_locked();
            wmi_unlock();
            return;
        }
        queue_head = r->next;
        if (!queue_head)
            queue_tail = NULL;
        wmi_unlock();
        query_registration(r->provider, r->data_path);
        enable_watched_events(r->provider);
        wmi_provider_release(r->provider);
        free(r);
    }
}

static NTSTATUS queue_registration_locked(wmi_provider_t *p, ULONG data_path)
{
    reg_request_t *r = malloc(sizeof *r);
    if (!r)
        return STATUS_INSUFFICIENT_RESOURCES;
    r->next = NULL;
    r->provider = p;
    r->data_path = data_path;
    wmi_provider_ref_locked(p);
    if (queue_tail)
        queue_tail->next = r;
    else
        queue_head = r;
    queue_tail = r;
    if (!queue_running) {
        queue_running = true;
        queue_work.run = run_queue;
        ke_queue_work(&queue_work);
    }
    return STATUS_SUCCESS;
}

static char *driver_name(PDEVICE_OBJECT device)
{
    static __thread char name[128];
    name[0] = 0;
    PDRIVER_OBJECT drv = device->DriverObject;
    if (drv && drv->DriverName.Buffer)
        rtl_utf16_to_utf8(drv->DriverName.Buffer, drv->DriverName.Length / sizeof(WCHAR), name,
                          sizeof name);
    return name[0] ? name : "?";
}

static void deregister_locked(wmi_provider_t *p)
{
    p->registered = false;
    RemoveEntryList(&p->link);
    InitializeListHead(&p->link);
    if (sending == p) {
        /* docs: DEREGISTER blocks until the WMI IRPs sent to the device
         * complete, so calling it from their dispatch deadlocks Windows. */
        bk_log(BK_LOG_ERROR,
               "IoWMIRegistrationControl(DEREGISTER) called while handling a WMI "
               "IRP for the same device (%s): this deadlocks on Windows",
               driver_name(p->device));
    } else {
        while (p->irps_in_flight)
            wmi_wait_locked();
    }
}

NTSTATUS NTAPI IoWMIRegistrationControl(PDEVICE_OBJECT DeviceObject, ULONG Action)
{
    KE_ASSERT_IRQL_LE(PASSIVE_LEVEL);
    if (Action & WMIREG_FLAG_CALLBACK)
        return STATUS_NOT_SUPPORTED; /* WMI callbacks in place of a device: not offered */
    if (!DeviceObject)
        return STATUS_INVALID_PARAMETER;
    NTSTATUS status = STATUS_SUCCESS;
    wmi_lock();
    wmi_provider_t *p = wmi_find_provider_locked(DeviceObject);
    switch (Action & 0xFFFF) {
    case WMIREG_ACTION_REGISTER:
    case WMIREG_ACTION_REREGISTER:
        if (p && (Action & 0xFFFF) == WMIREG_ACTION_REGISTER)
            bk_log(BK_LOG_WARN, "WMI: device %p (%s) registered twice; treated as REREGISTER",
                   (void *)DeviceObject, driver_name(DeviceObject));
        if (!p) {
            p = calloc(1, sizeof *p);
            if (!p) {
                status = STATUS_INSUFFICIENT_RESOURCES;
                break;
            }
            ObReferenceObject(DeviceObject);
            p->device = DeviceObject;
            p->id = next_id++;
            p->refs = 1; /* the list's */
            p->registered = true;
            InsertTailList(&providers, &p->link);
        }
        p->blocked = false;
        status = queue_registration_locked(p, WMIREGISTER);
        break;
    case WMIREG_ACTION_UPDATE_GUIDS:
        status = p ? queue_registration_locked(p, WMIUPDATE) : STATUS_INVALID_PARAMETER;
        break;
    case WMIREG_ACTION_DEREGISTER:
        if (!p) {
            status = STATUS_INVALID_PARAMETER;
            break;
        }
        deregister_locked(p);
        wmi_unlock();
        wmi_provider_release(p);
        return STATUS_SUCCESS;
    case WMIREG_ACTION_BLOCK_IRPS:
        if (p)
            p->blocked = true;
        else
            status = STATUS_INVALID_PARAMETER;
        break;
    default:
        status = STATUS_INVALID_PARAMETER; /* docs: an invalid action */
        break;
    }
    wmi_unlock();
    return status;
}

void wmi_init(void)
{
    wmi_lock();
    next_id = 1;
    wmi_unlock();
}

void wmi_shutdown(void)
{
    /* Registrations still queued finish (or see their provider gone) first. */
    wmi_lock();
    while (queue_running)
        wmi_wait_locked();
    while (!IsListEmpty(&providers)) {
        wmi_provider_t *p = CONTAINING_RECORD(providers.Flink, wmi_provider_t, link);
        bk_log(BK_LOG_ERROR, "WMI: device %p (%s) never deregistered its WMI provider",
               (void *)p->device, driver_name(p->device));
        deregister_locked(p);
        wmi_unlock();
        wmi_provider_release(p);
        wmi_lock();
    }
    wmi_unlock();
    wmi_events_shutdown();
}

/* The device tree: devnodes, their parent/child links, reference counts and
 * PnP states. Tree operations (start, enumerate, remove) live in their own
 * files; this one only keeps the structure consistent under pnp_lock. */
#include "pnp_internal.h"

#include <stdio.h>
#include <stdlib.h>

pthread_mutex_t pnp_lock = PTHREAD_MUTEX_INITIALIZER;
static pnp_devnode_t root_node;

static const char *const state_names[] = {
    [PNP_STATE_INITIALIZED] = "initialized",
    [PNP_STATE_DRIVER_LOADED] = "driver loaded",
    [PNP_STATE_STARTED] = "started",
    [PNP_STATE_STOPPED] = "stopped",
    [PNP_STATE_SURPRISE_REMOVED] = "surprise removed",
    [PNP_STATE_REMOVED] = "removed",
    [PNP_STATE_DELETED] = "deleted",
};

const char *pnp_state_name(pnp_state_t state)
{
    return state <= PNP_STATE_DELETED ? state_names[state] : "?";
}

pnp_devnode_t *pnp_root(void)
{
    return &root_node;
}

/* The root devnode stands for the PnP manager itself (HTREE\ROOT\0 on
 * Windows); it has no PDO and is always started. */
static void init_root(void)
{
    memset(&root_node, 0, sizeof root_node);
    InitializeListHead(&root_node.children);
    InitializeListHead(&root_node.sibling);
    root_node.state = PNP_STATE_STARTED;
    root_node.refs = 1;
    pnp_copy(root_node.instance_path, sizeof root_node.instance_path, "HTREE\\ROOT\\0");
}

void pnp_set_state(pnp_devnode_t *dn, pnp_state_t state)
{
    pthread_mutex_lock(&pnp_lock);
    pnp_state_t old = dn->state;
    dn->state = state;
    pthread_mutex_unlock(&pnp_lock);
    bk_log(BK_LOG_DEBUG, "pnp: %s: %s -> %s", dn->instance_path, pnp_state_name(old),
           pnp_state_name(state));
}

pnp_devnode_t *pnp_devnode_create(pnp_devnode_t *parent, PDEVICE_OBJECT pdo)
{
    pnp_devnode_t *dn = calloc(1, sizeof(*dn));
    if (!dn)
        return NULL;
    InitializeListHead(&dn->children);
    dn->pdo = pdo;
    dn->state = PNP_STATE_INITIALIZED;
    dn->refs = 1; /* the tree's */
    dn->caps.DeviceState[PowerSystemWorking] = PowerDeviceD0;
    pthread_mutex_lock(&pnp_lock);
    dn->parent = parent;
    InsertTailList(&parent->children, &dn->sibling);
    pdo->DeviceObjectExtension->DeviceNode = dn;
    pthread_mutex_unlock(&pnp_lock);
    return dn;
}

void pnp_devnode_ref(pnp_devnode_t *dn)
{
    pthread_mutex_lock(&pnp_lock);
    dn->refs++;
    pthread_mutex_unlock(&pnp_lock);
}

void pnp_devnode_release(pnp_devnode_t *dn)
{
    if (dn == &root_node)
        return;
    pthread_mutex_lock(&pnp_lock);
    bool last = --dn->refs == 0;
    pthread_mutex_unlock(&pnp_lock);
    if (last)
        free(dn);
}

void pnp_devnode_delete(pnp_devnode_t *dn)
{
    PDEVICE_OBJECT pdo;
    pnp_interfaces_forget_device(dn);
    pthread_mutex_lock(&pnp_lock);
    if (dn->state == PNP_STATE_DELETED) {
        pthread_mutex_unlock(&pnp_lock);
        return;
    }
    dn->state = PNP_STATE_DELETED;
    RemoveEntryList(&dn->sibling);
    InitializeListHead(&dn->sibling);
    pdo = dn->pdo;
    dn->pdo = NULL;
    if (pdo && pdo->DeviceObjectExtension->DeviceNode == dn)
        pdo->DeviceObjectExtension->DeviceNode = NULL;
    pthread_mutex_unlock(&pnp_lock);
    bk_log(BK_LOG_DEBUG, "pnp: %s deleted", dn->instance_path);
    if (pdo)
        ObDereferenceObject(pdo);
    pnp_devnode_release(dn);
}

pnp_devnode_t *pnp_devnode_of(PDEVICE_OBJECT pdo)
{
    if (!pdo || !pdo->DeviceObjectExtension)
        return NULL;
    pthread_mutex_lock(&pnp_lock);
    pnp_devnode_t *dn = pdo->DeviceObjectExtension->DeviceNode;
    pthread_mutex_unlock(&pnp_lock);
    return dn;
}

pnp_devnode_t *pnp_devnode_get(PDEVICE_OBJECT pdo)
{
    if (!pdo || !pdo->DeviceObjectExtension)
        return NULL;
    pthread_mutex_lock(&pnp_lock);
    pnp_devnode_t *dn = pdo->DeviceObjectExtension->DeviceNode;
    if (dn)
        dn->refs++;
    pthread_mutex_unlock(&pnp_lock);
    return dn;
}

static pnp_devnode_t *find_below(pnp_devnode_t *dn, const char *path)
{
    for (PLIST_ENTRY e = dn->children.Flink; e != &dn->children; e = e->Flink) {
        pnp_devnode_t *c = CONTAINING_RECORD(e, pnp_devnode_t, sibling);
        if (pnp_strcasecmp(c->instance_path, path) == 0)
            return c;
        pnp_devnode_t *found = find_below(c, path);
        if (found)
            return found;
    }
    return NULL;
}

pnp_devnode_t *pnp_find_locked(const char *instance_path)
{
    return find_below(&root_node, instance_path);
}

static bool contains(const pnp_devnode_t *below, const pnp_devnode_t *dn)
{
    for (PLIST_ENTRY e = below->children.Flink; e != &below->children; e = e->Flink) {
        pnp_devnode_t *c = CONTAINING_RECORD(e, pnp_devnode_t, sibling);
        if (c == dn || contains(c, dn))
            return true;
    }
    return false;
}

bool pnp_in_tree_locked(const pnp_devnode_t *dn)
{
    return dn && contains(&root_node, dn);
}

struct collect {
    pnp_devnode_t **items;
    size_t count, cap;
};

static bool push(struct collect *c, pnp_devnode_t *dn)
{
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        pnp_devnode_t **items = realloc(c->items, cap * sizeof(*items));
        if (!items)
            return false;
        c->items = items;
        c->cap = cap;
    }
    dn->refs++;
    c->items[c->count++] = dn;
    return true;
}

static void collect_below(struct collect *c, pnp_devnode_t *dn)
{
    for (PLIST_ENTRY e = dn->children.Flink; e != &dn->children; e = e->Flink) {
        pnp_devnode_t *child = CONTAINING_RECORD(e, pnp_devnode_t, sibling);
        if (push(c, child))
            collect_below(c, child);
    }
}

size_t pnp_collect_subtree(pnp_devnode_t *dn, bool include_self, pnp_devnode_t ***out)
{
    struct collect c = {0};
    pthread_mutex_lock(&pnp_lock);
    if (include_self && dn != &root_node)
        push(&c, dn);
    collect_below(&c, dn);
    pthread_mutex_unlock(&pnp_lock);
    *out = c.items;
    return c.count;
}

void pnp_release_list(pnp_devnode_t **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pnp_devnode_release(list[i]);
    free(list);
}

/* ---- life cycle ---- */
/* An installed service's image (...\\Services\\<name>\\ImagePath, written by
 * the INF installer): how the loader finds a driver that is not built in. */
static bool service_image_path(const char *service, char *buf, size_t len)
{
    char path[256];
    reg_key_t *key;
    snprintf(path, sizeof path, "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\%s",
             service);
    if (!NT_SUCCESS(reg_open(path, false, &key)))
        return false;
    NTSTATUS s = reg_get_string(key, "ImagePath", buf, len);
    reg_close(key);
    return NT_SUCCESS(s) && buf[0] != 0;
}

void pnp_init(void)
{
    ldr_service_image_path = service_image_path;
    init_root();
    pnp_unload_init();
    pnp_action_init();
    pnp_notify_init();
    pnp_root_bus_init();
}

void pnp_shutdown(void)
{
    /* docs: everything goes, deepest first; drivers then unload. */
    pnp_op_begin();
    NTSTATUS status = pnp_remove_subtree(&root_node, PNP_REMOVE_FORCED, true);
    pnp_op_end();
    if (!NT_SUCCESS(status))
        bk_log(BK_LOG_WARN, "pnp: shutdown removal reported 0x%08x", (unsigned)status);
    ke_settle();
    pnp_retry_deferred_unloads();
    pnp_action_shutdown();
    pnp_interfaces_shutdown();
    pnp_notify_shutdown();
}

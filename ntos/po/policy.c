/* The DC power policy: low, reserve and critical battery levels, each a
 * charge and optionally a remaining time, with the action to take there;
 * the settings kept in the registry (Control\Power\DcPolicy); and the
 * state machine that moves the system between the levels as the battery
 * state changes. Windows' DC defaults: low 10 % doing nothing, reserve
 * 7 % notifying, critical 5 % hibernating. Each level's action fires once
 * per discharge; charge rising PO_REARM_MARGIN above a level (a charged
 * pack inserted) or AC coming back re-arms it. The critical action waits
 * critical_delay_s, and AC coming back in that time cancels it. Never on
 * AC. The host does not own the machine: an action is handed to the
 * embedder's handler (battd runs the command configured for it). */
#include "po_internal.h"
#include "../registry/registry.h"

#include <poclass.h>
#include <stdio.h>
#include <string.h>

#define PO_REARM_MARGIN 2u  /* percent above a level before it fires again */
#define PO_ACTION_LOG   64u /* actions remembered for bk_host_power_actions */
#define PO_MAX_MINUTES  1440u
#define PO_MAX_DELAY_S  3600u

static const WCHAR po_policy_key[] =
    L"\\Registry\\Machine\\SYSTEM\\CurrentControlSet\\Control\\Power\\DcPolicy";

static const char *const po_action_names[BK_PO_ACTION_COUNT] = {
    [BK_PO_ACTION_NONE] = "none",           [BK_PO_ACTION_SLEEP] = "sleep",
    [BK_PO_ACTION_HIBERNATE] = "hibernate", [BK_PO_ACTION_SHUTDOWN] = "shutdown",
    [BK_PO_ACTION_NOTIFY] = "notify",
};
static const char *const po_level_names[BK_PO_LEVEL_COUNT] = {"normal", "low", "reserve",
                                                              "critical"};

static const bk_dc_policy_t po_default_policy = {
    .percent = {[BK_PO_LEVEL_LOW] = 10, [BK_PO_LEVEL_RESERVE] = 7, [BK_PO_LEVEL_CRITICAL] = 5},
    .action = {[BK_PO_LEVEL_LOW] = BK_PO_ACTION_NONE,
               [BK_PO_LEVEL_RESERVE] = BK_PO_ACTION_NOTIFY,
               [BK_PO_LEVEL_CRITICAL] = BK_PO_ACTION_HIBERNATE},
    .critical_delay_s = 0,
};

/* One registry value per setting: the table is the schema. */
typedef struct po_setting {
    const WCHAR *value;
    const char *name; /* as messages and battctl name it */
    size_t offset;
    uint32_t max;
} po_setting_t;

#define PO_SETTING(v, n, field, mx)                                                                \
    {                                                                                              \
        L##v, n, offsetof(bk_dc_policy_t, field), mx                                               \
    }
static const po_setting_t po_settings[] = {
    PO_SETTING("LowPercent", "low_percent", percent[BK_PO_LEVEL_LOW], 100),
    PO_SETTING("ReservePercent", "reserve_percent", percent[BK_PO_LEVEL_RESERVE], 100),
    PO_SETTING("CriticalPercent", "critical_percent", percent[BK_PO_LEVEL_CRITICAL], 100),
    PO_SETTING("LowMinutes", "low_minutes", minutes[BK_PO_LEVEL_LOW], PO_MAX_MINUTES),
    PO_SETTING("ReserveMinutes", "reserve_minutes", minutes[BK_PO_LEVEL_RESERVE], PO_MAX_MINUTES),
    PO_SETTING("CriticalMinutes", "critical_minutes", minutes[BK_PO_LEVEL_CRITICAL],
               PO_MAX_MINUTES),
    PO_SETTING("LowAction", "low_action", action[BK_PO_LEVEL_LOW], BK_PO_ACTION_COUNT - 1),
    PO_SETTING("ReserveAction", "reserve_action", action[BK_PO_LEVEL_RESERVE],
               BK_PO_ACTION_COUNT - 1),
    PO_SETTING("CriticalAction", "critical_action", action[BK_PO_LEVEL_CRITICAL],
               BK_PO_ACTION_COUNT - 1),
    PO_SETTING("CriticalDelaySeconds", "critical_delay_s", critical_delay_s, PO_MAX_DELAY_S),
};
#define PO_SETTING_COUNT (sizeof po_settings / sizeof po_settings[0])

static uint32_t *po_field(bk_dc_policy_t *p, const po_setting_t *s)
{
    return (uint32_t *)((char *)p + s->offset);
}

static struct {
    pthread_mutex_t lock;
    bk_dc_policy_t policy;
    uint32_t level;
    bool fired[BK_PO_LEVEL_COUNT];
    bool critical_pending;
    bk_power_state_t last; /* what the delayed critical action acts on */
    KTIMER critical_timer;
    KDPC critical_dpc;
    WORK_QUEUE_ITEM critical_work;
    uint32_t actions_taken;
    bk_power_action_t log[PO_ACTION_LOG];
    size_t log_next;
    bk_power_action_fn handler;
    void *handler_context;
} P = {.lock = PTHREAD_MUTEX_INITIALIZER};

const char *bk_po_action_name(uint32_t action)
{
    return action < BK_PO_ACTION_COUNT ? po_action_names[action] : "?";
}

int bk_po_action_from_name(const char *name)
{
    for (int i = 0; name && i < BK_PO_ACTION_COUNT; i++)
        if (strcmp(name, po_action_names[i]) == 0)
            return i;
    return -1;
}

const char *bk_po_level_name(uint32_t level)
{
    return level < BK_PO_LEVEL_COUNT ? po_level_names[level] : "?";
}

bool po_policy_validate(const bk_dc_policy_t *p, char *why, size_t why_len)
{
    bk_dc_policy_t copy = *p;
    for (size_t i = 0; i < PO_SETTING_COUNT; i++) {
        uint32_t v = *po_field(&copy, &po_settings[i]);
        if (v > po_settings[i].max) {
            snprintf(why, why_len, "%s (%u) is out of range (0..%u)", po_settings[i].name, v,
                     po_settings[i].max);
            return false;
        }
    }
    /* Deeper levels come later in a discharge: lower charge, less time. */
    static const struct {
        uint32_t deeper, shallower;
    } order[] = {{BK_PO_LEVEL_CRITICAL, BK_PO_LEVEL_RESERVE},
                 {BK_PO_LEVEL_RESERVE, BK_PO_LEVEL_LOW},
                 {BK_PO_LEVEL_CRITICAL, BK_PO_LEVEL_LOW}};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        uint32_t d = order[i].deeper, s = order[i].shallower;
        if (p->percent[d] > p->percent[s]) {
            snprintf(why, why_len, "%s_percent (%u) must not be above %s_percent (%u)",
                     po_level_names[d], p->percent[d], po_level_names[s], p->percent[s]);
            return false;
        }
        if (p->minutes[d] && p->minutes[s] && p->minutes[d] > p->minutes[s]) {
            snprintf(why, why_len, "%s_minutes (%u) must not be above %s_minutes (%u)",
                     po_level_names[d], p->minutes[d], po_level_names[s], p->minutes[s]);
            return false;
        }
    }
    return true;
}

/* ---- the registry ---- */
/* PASSIVE_LEVEL. Opens the policy key, creating the path to it. */
static NTSTATUS po_open_policy_key(bool create, HANDLE *key)
{
    WCHAR path[sizeof po_policy_key / sizeof(WCHAR)];
    memcpy(path, po_policy_key, sizeof path);
    size_t len = sizeof path / sizeof(WCHAR) - 1;
    UNICODE_STRING name;
    OBJECT_ATTRIBUTES oa;
    if (!create) {
        RtlInitUnicodeString(&name, path);
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL,
                                   NULL);
        return ZwOpenKey(key, KEY_READ, &oa);
    }
    /* ZwCreateKey makes only the last key: walk down from \Registry\Machine. */
    NTSTATUS s = STATUS_SUCCESS;
    size_t skip = sizeof(L"\\Registry\\Machine") / sizeof(WCHAR) - 1;
    for (size_t i = skip + 1; i <= len && NT_SUCCESS(s); i++) {
        if (i < len && path[i] != L'\\')
            continue;
        WCHAR keep = path[i];
        path[i] = 0;
        RtlInitUnicodeString(&name, path);
        InitializeObjectAttributes(&oa, &name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL,
                                   NULL);
        HANDLE h;
        s = ZwCreateKey(&h, KEY_ALL_ACCESS, &oa, 0, NULL, REG_OPTION_NON_VOLATILE, NULL);
        path[i] = keep;
        if (!NT_SUCCESS(s))
            break;
        if (i == len)
            *key = h;
        else
            ZwClose(h);
    }
    return s;
}

/* PASSIVE_LEVEL. Settings missing from the registry keep their defaults;
 * an invalid stored set is refused whole, with the reason logged. */
static void po_policy_load(bk_dc_policy_t *p)
{
    HANDLE key;
    *p = po_default_policy;
    if (!NT_SUCCESS(po_open_policy_key(false, &key)))
        return;
    bk_dc_policy_t stored = po_default_policy;
    for (size_t i = 0; i < PO_SETTING_COUNT; i++) {
        UCHAR buffer[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + sizeof(ULONG)];
        PKEY_VALUE_PARTIAL_INFORMATION info = (PKEY_VALUE_PARTIAL_INFORMATION)buffer;
        UNICODE_STRING value;
        ULONG got;
        RtlInitUnicodeString(&value, po_settings[i].value);
        NTSTATUS s =
            ZwQueryValueKey(key, &value, KeyValuePartialInformation, info, sizeof buffer, &got);
        if (!NT_SUCCESS(s))
            continue;
        if (info->Type != REG_DWORD || info->DataLength != sizeof(ULONG)) {
            bk_log(BK_LOG_ERROR, "po: registry DcPolicy\\%s is not a REG_DWORD; using defaults",
                   po_settings[i].name);
            ZwClose(key);
            return;
        }
        memcpy(po_field(&stored, &po_settings[i]), info->Data, sizeof(ULONG));
    }
    ZwClose(key);
    char why[160];
    if (!po_policy_validate(&stored, why, sizeof why)) {
        bk_log(BK_LOG_ERROR, "po: the stored DC policy is refused: %s; using defaults", why);
        return;
    }
    *p = stored;
}

static NTSTATUS po_policy_save(const bk_dc_policy_t *p)
{
    HANDLE key;
    NTSTATUS s = po_open_policy_key(true, &key);
    if (!NT_SUCCESS(s))
        return s;
    bk_dc_policy_t copy = *p;
    for (size_t i = 0; i < PO_SETTING_COUNT && NT_SUCCESS(s); i++) {
        UNICODE_STRING value;
        ULONG data = *po_field(&copy, &po_settings[i]);
        RtlInitUnicodeString(&value, po_settings[i].value);
        s = ZwSetValueKey(key, &value, 0, REG_DWORD, &data, sizeof data);
    }
    ZwClose(key);
    return NT_SUCCESS(s) ? reg_flush() : s;
}

/* ---- levels and actions ---- */
uint32_t po_policy_level_of(const bk_dc_policy_t *p, const bk_power_state_t *s)
{
    if (!s->battery_present || s->ac_on_line)
        return BK_PO_LEVEL_NORMAL;
    if (s->composite_power_state & BATTERY_CRITICAL)
        return BK_PO_LEVEL_CRITICAL; /* the composite says the system is out */
    bool percent_known = s->battery_life_percent <= 100;
    bool time_known = s->estimated_time != BATTERY_UNKNOWN_TIME;
    for (uint32_t l = BK_PO_LEVEL_CRITICAL; l > BK_PO_LEVEL_NORMAL; l--) {
        if (percent_known && s->battery_life_percent <= p->percent[l])
            return l;
        if (time_known && p->minutes[l] && s->estimated_time <= p->minutes[l] * 60u)
            return l;
    }
    return BK_PO_LEVEL_NORMAL;
}

/* Caller holds P.lock. Records an action; fills *out for the handler. */
static void po_record_locked(uint32_t level, const bk_power_state_t *s, bk_power_action_t *out)
{
    *out = (bk_power_action_t){.level = level,
                               .action = P.policy.action[level],
                               .percent = s->battery_life_percent,
                               .remaining_s = s->estimated_time,
                               .time_ns = clk_now() * 100u,
                               .system_time = clk_system_base() + clk_now()};
    P.log[P.log_next++ % PO_ACTION_LOG] = *out;
    P.actions_taken++;
}

/* Without P.lock: tells the log and the embedder. */
static void po_carry_out(const bk_power_action_t *a)
{
    bk_power_action_fn fn;
    void *context;
    pthread_mutex_lock(&P.lock);
    fn = P.handler;
    context = P.handler_context;
    pthread_mutex_unlock(&P.lock);
    bk_log(BK_LOG_WARN, "po: battery %s (%u%% on battery): action %s", po_level_names[a->level],
           a->percent, bk_po_action_name(a->action));
    if (fn)
        fn(context, a);
}

static bool po_still_rearmed(const bk_dc_policy_t *p, uint32_t level, const bk_power_state_t *s)
{
    return s->battery_life_percent <= 100 &&
           s->battery_life_percent > p->percent[level] + PO_REARM_MARGIN &&
           po_policy_level_of(p, s) < level;
}

void po_policy_evaluate(const bk_power_state_t *s)
{
    bk_power_action_t fire;
    bool firing = false, cancelled = false;
    pthread_mutex_lock(&P.lock);
    P.last = *s;
    uint32_t level = po_policy_level_of(&P.policy, s);
    bool on_battery = s->battery_present && !s->ac_on_line;
    if (!on_battery) {
        /* A discharge ends: every level fires again in the next one. */
        memset(P.fired, 0, sizeof P.fired);
        if (P.critical_pending) {
            P.critical_pending = false;
            KeCancelTimer(&P.critical_timer);
            cancelled = true;
        }
    } else {
        for (uint32_t l = BK_PO_LEVEL_LOW; l < BK_PO_LEVEL_COUNT; l++)
            if (P.fired[l] && po_still_rearmed(&P.policy, l, s))
                P.fired[l] = false;
        /* Only the deepest level newly reached acts: a system unplugged at
         * 4 % hibernates, it does not first sleep at "low". */
        if (level > BK_PO_LEVEL_NORMAL && !P.fired[level]) {
            for (uint32_t l = BK_PO_LEVEL_LOW; l <= level; l++)
                P.fired[l] = true;
            if (level == BK_PO_LEVEL_CRITICAL && P.policy.critical_delay_s) {
                LARGE_INTEGER due = {.QuadPart = -10000000LL * P.policy.critical_delay_s};
                P.critical_pending = true;
                KeSetTimer(&P.critical_timer, due, &P.critical_dpc);
                bk_log(BK_LOG_WARN, "po: battery critical (%u%%): %s in %u s unless AC returns",
                       s->battery_life_percent,
                       bk_po_action_name(P.policy.action[BK_PO_LEVEL_CRITICAL]),
                       P.policy.critical_delay_s);
            } else {
                po_record_locked(level, s, &fire);
                firing = true;
            }
        }
    }
    uint32_t was = P.level;
    P.level = level;
    pthread_mutex_unlock(&P.lock);
    if (cancelled)
        bk_log(BK_LOG_WARN, "po: AC returned: the critical battery action is cancelled");
    if (level != was)
        bk_log(BK_LOG_INFO, "po: battery level %s -> %s (%u%%)", po_level_names[was],
               po_level_names[level], s->battery_life_percent);
    if (firing)
        po_carry_out(&fire);
}

static void po_critical_work(PVOID Context)
{
    UNREFERENCED_PARAMETER(Context);
    bk_power_action_t fire;
    bool firing = false;
    pthread_mutex_lock(&P.lock);
    if (P.critical_pending) {
        P.critical_pending = false;
        if (P.level == BK_PO_LEVEL_CRITICAL) {
            po_record_locked(BK_PO_LEVEL_CRITICAL, &P.last, &fire);
            firing = true;
        }
    }
    pthread_mutex_unlock(&P.lock);
    if (firing) {
        po_carry_out(&fire);
        po_state_changed(); /* actions_taken is part of the state */
    }
}

static void po_critical_dpc(PKDPC Dpc, PVOID Context, PVOID Arg1, PVOID Arg2)
{
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Arg1);
    UNREFERENCED_PARAMETER(Arg2);
    ExQueueWorkItem(&P.critical_work, DelayedWorkQueue);
}

uint32_t po_policy_level(void)
{
    pthread_mutex_lock(&P.lock);
    uint32_t l = P.level;
    pthread_mutex_unlock(&P.lock);
    return l;
}

uint32_t po_policy_actions_taken(void)
{
    pthread_mutex_lock(&P.lock);
    uint32_t n = P.actions_taken;
    pthread_mutex_unlock(&P.lock);
    return n;
}

void po_policy_init(void)
{
    bk_dc_policy_t p;
    po_policy_load(&p);
    pthread_mutex_lock(&P.lock);
    P.policy = p;
    P.level = BK_PO_LEVEL_NORMAL;
    memset(P.fired, 0, sizeof P.fired);
    P.critical_pending = false;
    P.actions_taken = 0;
    P.log_next = 0;
    P.handler = NULL;
    KeInitializeTimer(&P.critical_timer);
    KeInitializeDpc(&P.critical_dpc, po_critical_dpc, NULL);
    ExInitializeWorkItem(&P.critical_work, po_critical_work, NULL);
    pthread_mutex_unlock(&P.lock);
}

void po_policy_shutdown(void)
{
    pthread_mutex_lock(&P.lock);
    P.critical_pending = false;
    KeCancelTimer(&P.critical_timer);
    P.handler = NULL;
    pthread_mutex_unlock(&P.lock);
}

/* ---- the embedding API ---- */
void bk_host_get_dc_policy(bk_host_t *host, bk_dc_policy_t *out)
{
    (void)host;
    pthread_mutex_lock(&P.lock);
    *out = P.policy;
    pthread_mutex_unlock(&P.lock);
}

bk_status_t bk_host_set_dc_policy(bk_host_t *host, const bk_dc_policy_t *policy, char *why,
                                  size_t why_len)
{
    (void)host;
    char scratch[160];
    if (!why || !why_len) {
        why = scratch;
        why_len = sizeof scratch;
    }
    why[0] = 0;
    if (!policy || !po_policy_validate(policy, why, why_len))
        return STATUS_INVALID_PARAMETER;
    pthread_mutex_lock(&P.lock);
    P.policy = *policy;
    pthread_mutex_unlock(&P.lock);
    NTSTATUS s = po_policy_save(policy);
    if (!NT_SUCCESS(s))
        snprintf(why, why_len, "applied, but not saved to the registry (0x%08x)", (unsigned)s);
    po_state_changed(); /* the levels may have moved under the present charge */
    return s;
}

void bk_host_set_power_action_handler(bk_host_t *host, bk_power_action_fn fn, void *context)
{
    (void)host;
    pthread_mutex_lock(&P.lock);
    P.handler = fn;
    P.handler_context = context;
    pthread_mutex_unlock(&P.lock);
}

size_t bk_host_power_actions(bk_host_t *host, bk_power_action_t *out, size_t max)
{
    (void)host;
    pthread_mutex_lock(&P.lock);
    size_t have = P.log_next < PO_ACTION_LOG ? P.log_next : PO_ACTION_LOG;
    size_t n = have < max ? have : max;
    size_t first = P.log_next - n; /* the newest n, oldest first */
    for (size_t i = 0; i < n; i++)
        out[i] = P.log[(first + i) % PO_ACTION_LOG];
    pthread_mutex_unlock(&P.lock);
    return n;
}

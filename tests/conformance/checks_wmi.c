/* WMI (reference 5.1, 5.2): the standard battery data blocks battc answers
 * for the miniclass come back with the current tag and the same figures the
 * IOCTLs give, read at the same virtual instant. */
#include <stddef.h>
#include <string.h>

#include "cf_internal.h"

#define CF_WMI_BUFFER 1024

typedef struct wmi_view {
    NTSTATUS status;
    uint32_t returned;
    unsigned char data[CF_WMI_BUFFER];
} wmi_view_t;

struct wmi_query_job {
    cf_ctx_t *c;
    const GUID *guid;
    wmi_view_t *view;
};

static void wmi_on_helper(void *arg)
{
    struct wmi_query_job *j = arg;
    j->view->status = bk_wmi_query(j->c->bat->handle, j->guid, j->view->data, sizeof j->view->data,
                                   &j->view->returned);
}

/* On the helper: the query reaches the miniclass, which may block. */
static void wmi_query(cf_ctx_t *c, const GUID *guid, wmi_view_t *v)
{
    struct wmi_query_job j = {.c = c, .guid = guid, .view = v};
    memset(v, 0, sizeof(*v));
    v->status = STATUS_IO_TIMEOUT;
    cf_call(c, wmi_on_helper, &j);
}

static ULONG u32_at(const wmi_view_t *v, size_t offset)
{
    ULONG x = 0;
    if (offset + sizeof x <= v->returned)
        memcpy(&x, v->data + offset, sizeof x);
    return x;
}

/* Answered with at least `size` bytes and the current tag at offset 0? */
static bool block_ok(cf_ctx_t *c, const char *name, const wmi_view_t *v, size_t size)
{
    if (!NT_SUCCESS(v->status)) {
        cf_fail(c, name, "bk_wmi_query: %s", cf_status_name(v->status));
        return false;
    }
    if (v->returned < size) {
        cf_fail(c, name, "%u bytes, the block is %zu", v->returned, size);
        return false;
    }
    if (u32_at(v, 0) != c->bat->tag) {
        cf_fail(c, name, "Tag %u, the battery's tag is %u", (unsigned)u32_at(v, 0),
                (unsigned)c->bat->tag);
        return false;
    }
    return true;
}

static void check_status_block(cf_ctx_t *c)
{
    const char *name = "wmi_battery_status";
    BATTERY_STATUS st;
    BATTERY_WMI_STATUS w;
    wmi_view_t v;
    uint32_t got;
    cf_text_t t = {0};

    NTSTATUS s = cf_query_status(c, c->bat->tag, &st, &got);
    wmi_query(c, &BATTERY_STATUS_WMI_GUID, &v);
    if (!block_ok(c, name, &v, sizeof w))
        return;
    memcpy(&w, v.data, sizeof w);
    if (!NT_SUCCESS(s)) {
        cf_pass(c, name, "Tag %u (no IOCTL status to compare with: %s)", (unsigned)w.Tag,
                cf_status_name(s));
        return;
    }
    if (w.RemainingCapacity != st.Capacity)
        cf_note(&t, "RemainingCapacity %u, IOCTL Capacity %u", (unsigned)w.RemainingCapacity,
                (unsigned)st.Capacity);
    if (w.Voltage != st.Voltage)
        cf_note(&t, "Voltage %u, IOCTL %u", (unsigned)w.Voltage, (unsigned)st.Voltage);
    if (!w.PowerOnline != !(st.PowerState & BATTERY_POWER_ON_LINE) ||
        !w.Charging != !(st.PowerState & BATTERY_CHARGING) ||
        !w.Discharging != !(st.PowerState & BATTERY_DISCHARGING) ||
        !w.Critical != !(st.PowerState & BATTERY_CRITICAL))
        cf_note(&t, "flags online/charging/discharging/critical %u/%u/%u/%u, IOCTL PowerState 0x%x",
                w.PowerOnline, w.Charging, w.Discharging, w.Critical, (unsigned)st.PowerState);
    if (t.count)
        cf_fail(c, name, "%s", t.buf);
    else
        cf_pass(c, name, "Tag %u, RemainingCapacity %u, Voltage %u, flags match PowerState 0x%x",
                (unsigned)w.Tag, (unsigned)w.RemainingCapacity, (unsigned)w.Voltage,
                (unsigned)st.PowerState);
}

/* The 8-byte blocks: Tag, then one ULONG the IOCTLs also give (the level's
 * value, or a BATTERY_INFORMATION field). */
static void check_pair_block(cf_ctx_t *c, const char *name, const GUID *guid, const char *field,
                             bool have_expected, ULONG expected)
{
    wmi_view_t v;
    wmi_query(c, guid, &v);
    if (!block_ok(c, name, &v, 2 * sizeof(ULONG)))
        return;
    ULONG value = u32_at(&v, 4);
    if (have_expected && value != expected)
        cf_fail(c, name, "%s %u, the IOCTL gives %u", field, (unsigned)value, (unsigned)expected);
    else
        cf_pass(c, name, "Tag %u, %s %u", (unsigned)c->bat->tag, field, (unsigned)value);
}

/* A level's ULONG value read now (AtRate 0), if the battery answers it. */
static bool level_value(cf_ctx_t *c, ULONG level, ULONG *value, bool *unsupported)
{
    uint32_t got = 0;
    NTSTATUS s = cf_query_info(c, c->bat->tag, level, 0, value, sizeof *value, &got);
    *unsupported = s == STATUS_INVALID_DEVICE_REQUEST;
    return NT_SUCCESS(s) && got == sizeof *value;
}

/* A counted string of the static block: USHORT byte count, then text. */
static bool next_counted(const wmi_view_t *v, size_t *offset, const unsigned char **text,
                         USHORT *bytes)
{
    if (*offset + sizeof(USHORT) > v->returned)
        return false;
    memcpy(bytes, v->data + *offset, sizeof *bytes);
    *offset += sizeof(USHORT);
    if (*bytes % 2 || *offset + *bytes > v->returned)
        return false;
    *text = v->data + *offset;
    *offset += *bytes;
    return true;
}

/* Same text as the string level (both without trailing NULs)? */
static bool same_text(const unsigned char *a, size_t a_bytes, const cf_level_t *lv)
{
    size_t b_bytes = lv->returned;
    while (a_bytes >= 2 && a[a_bytes - 1] == 0 && a[a_bytes - 2] == 0)
        a_bytes -= 2;
    size_t n = 0;
    while (n + 1 < b_bytes && (lv->data[n] || lv->data[n + 1]))
        n += 2;
    return n == a_bytes && memcmp(a, lv->data, n) == 0;
}

static void check_static_block(cf_ctx_t *c)
{
    static const struct {
        ULONG level;
        const char *what;
    } strings[] = {{BatteryDeviceName, "device name"},
                   {BatteryManufactureName, "manufacture name"},
                   {BatterySerialNumber, "serial number"},
                   {BatteryUniqueID, "unique ID"}};
    const char *name = "wmi_battery_static_data";
    const size_t strings_at = offsetof(BATTERY_WMI_STATIC_DATA, Strings);
    BATTERY_WMI_STATIC_DATA w;
    const BATTERY_INFORMATION *bi = &c->bat->info;
    wmi_view_t v;
    cf_text_t t = {0};

    wmi_query(c, &BATTERY_STATIC_DATA_WMI_GUID, &v);
    if (!block_ok(c, name, &v, strings_at))
        return;
    memcpy(&w, v.data, strings_at);
    if (c->bat->have_info) {
        if (w.Capabilities != bi->Capabilities)
            cf_note(&t, "Capabilities 0x%x, IOCTL 0x%x", (unsigned)w.Capabilities,
                    (unsigned)bi->Capabilities);
        if (w.Technology != bi->Technology)
            cf_note(&t, "Technology %u, IOCTL %u", w.Technology, bi->Technology);
        if (memcmp(&w.Chemistry, bi->Chemistry, 4) != 0)
            cf_note(&t, "Chemistry differs from the IOCTL's");
        if (w.DesignedCapacity != bi->DesignedCapacity)
            cf_note(&t, "DesignedCapacity %u, IOCTL %u", (unsigned)w.DesignedCapacity,
                    (unsigned)bi->DesignedCapacity);
        if (w.DefaultAlert1 != bi->DefaultAlert1 || w.DefaultAlert2 != bi->DefaultAlert2)
            cf_note(&t, "DefaultAlert1/2 %u/%u, IOCTL %u/%u", (unsigned)w.DefaultAlert1,
                    (unsigned)w.DefaultAlert2, (unsigned)bi->DefaultAlert1,
                    (unsigned)bi->DefaultAlert2);
        if (w.CriticalBias != bi->CriticalBias)
            cf_note(&t, "CriticalBias %u, IOCTL %u", (unsigned)w.CriticalBias,
                    (unsigned)bi->CriticalBias);
    }
    /* docs (5.2): four counted strings follow. */
    size_t offset = strings_at;
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        const unsigned char *text;
        USHORT bytes;
        if (!next_counted(&v, &offset, &text, &bytes)) {
            cf_note(&t, "the %s string does not fit the %u bytes returned", strings[i].what,
                    v.returned);
            break;
        }
        const cf_level_t *lv = &c->bat->levels[strings[i].level];
        if (c->bat->have_levels && NT_SUCCESS(lv->status) && !same_text(text, bytes, lv))
            cf_note(&t, "the %s differs from the IOCTL's", strings[i].what);
    }
    if (t.count)
        cf_fail(c, name, "%s", t.buf);
    else
        cf_pass(c, name, "Tag %u, %u bytes, fields and strings match the IOCTLs", (unsigned)w.Tag,
                v.returned);
}

void cf_check_wmi(cf_ctx_t *c)
{
    static const char *const names[] = {
        "wmi_battery_status",      "wmi_battery_runtime",
        "wmi_battery_temperature", "wmi_battery_full_charged_capacity",
        "wmi_battery_cycle_count", "wmi_battery_static_data"};
    ULONG value = 0;
    bool unsupported = false, have;

    if (!cf_refresh_tag(c)) {
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            cf_skip(c, names[i], "no battery tag to compare with");
        return;
    }
    if (c->opt->composite) {
        /* The WMI battery classes have one instance per battery; the
         * composite is no battery device of its own (no PDO, no battery
         * interface), so its members answer them. Checked only if it
         * registered blocks after all. */
        wmi_view_t v;
        wmi_query(c, &BATTERY_STATUS_WMI_GUID, &v);
        if (v.status == STATUS_WMI_GUID_NOT_FOUND) {
            for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                cf_skip(c, names[i],
                        "the composite battery registers no WMI blocks (%s): each "
                        "battery's instance is its member's",
                        cf_status_name(v.status));
            return;
        }
    }
    if (cf_wants(c, names[0]))
        check_status_block(c);
    if (cf_wants(c, names[1])) {
        have = level_value(c, BatteryEstimatedTime, &value, &unsupported);
        check_pair_block(c, names[1], &BATTERY_RUNTIME_WMI_GUID, "EstimatedRuntime", have, value);
    }
    if (cf_wants(c, names[2])) {
        have = level_value(c, BatteryTemperature, &value, &unsupported);
        wmi_view_t v;
        if (unsupported) {
            /* No temperature to give: an error is as right as a value. */
            wmi_query(c, &BATTERY_TEMPERATURE_WMI_GUID, &v);
            if (NT_SUCCESS(v.status) && v.returned >= 4 && u32_at(&v, 0) != c->bat->tag)
                cf_fail(c, names[2], "Tag %u, the battery's tag is %u", (unsigned)u32_at(&v, 0),
                        (unsigned)c->bat->tag);
            else
                cf_pass(c, names[2], "BatteryTemperature not supported; the block: %s",
                        cf_status_name(v.status));
        } else {
            check_pair_block(c, names[2], &BATTERY_TEMPERATURE_WMI_GUID, "Temperature", have,
                             value);
        }
    }
    if (cf_wants(c, names[3]))
        check_pair_block(c, names[3], &BATTERY_FULL_CHARGED_CAPACITY_WMI_GUID,
                         "FullChargedCapacity", c->bat->have_info,
                         c->bat->info.FullChargedCapacity);
    if (cf_wants(c, names[4]))
        check_pair_block(c, names[4], &BATTERY_CYCLE_COUNT_WMI_GUID, "CycleCount",
                         c->bat->have_info, c->bat->info.CycleCount);
    if (cf_wants(c, names[5]))
        check_static_block(c);
}

/* Information-level checks (reference 1.3, 4.4): each level answers data of
 * its documented size and shape or STATUS_INVALID_DEVICE_REQUEST; strings
 * are NUL-terminated UTF-16; undefined levels and short buffers get their
 * documented statuses; static data does not change under one tag. */
#include <string.h>

#include "cf_internal.h"

typedef enum { SHAPE_FIXED, SHAPE_SCALE, SHAPE_TEXT } cf_shape_t;

static const struct level_spec {
    ULONG level;
    const char *check;
    cf_shape_t shape;
    ULONG size;    /* SHAPE_FIXED: the exact size */
    bool required; /* documented as always answered */
} level_specs[CF_LEVELS] = {
    {BatteryInformation, "query_information_battery_information", SHAPE_FIXED,
     sizeof(BATTERY_INFORMATION), true},
    {BatteryGranularityInformation, "query_information_granularity", SHAPE_SCALE, 0, false},
    {BatteryTemperature, "query_information_temperature", SHAPE_FIXED, sizeof(ULONG), false},
    {BatteryEstimatedTime, "query_information_estimated_time", SHAPE_FIXED, sizeof(ULONG), false},
    {BatteryDeviceName, "query_information_device_name", SHAPE_TEXT, 0, false},
    {BatteryManufactureDate, "query_information_manufacture_date", SHAPE_FIXED,
     sizeof(BATTERY_MANUFACTURE_DATE), false},
    {BatteryManufactureName, "query_information_manufacture_name", SHAPE_TEXT, 0, false},
    {BatteryUniqueID, "query_information_unique_id", SHAPE_TEXT, 0, false},
    {BatterySerialNumber, "query_information_serial_number", SHAPE_TEXT, 0, false},
};

/* docs (1.3, 4.4): NUL-terminated UTF-16, and the size returned is the
 * string's bytes including the NUL: a longer length hands the caller bytes
 * that are not the string (padding or worse). Returns false with the
 * problem in `t`; an ASCII rendering goes to `shown`. */
static bool check_text(const unsigned char *data, uint32_t returned, cf_text_t *t, char *shown,
                       size_t shown_len)
{
    uint32_t chars = returned / 2, nul = chars;
    if (returned < 2 || returned % 2) {
        cf_note(t, "%u bytes is not a UTF-16 string with its NUL", returned);
        return false;
    }
    for (uint32_t i = 0; i < chars; i++) {
        uint16_t ch;
        memcpy(&ch, data + 2 * i, 2);
        if (ch == 0) {
            nul = i;
            break;
        }
    }
    if (nul == chars) {
        cf_note(t, "no NUL within the %u bytes returned", returned);
        return false;
    }
    /* Printable rendering (ASCII only) and surrogate pairing. */
    size_t o = 0;
    for (uint32_t i = 0; i < nul; i++) {
        uint16_t ch, next = 0;
        memcpy(&ch, data + 2 * i, 2);
        if (i + 1 < nul)
            memcpy(&next, data + 2 * i + 2, 2);
        if (ch >= 0xD800 && ch <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF) {
            i++;
        } else if (ch >= 0xD800 && ch <= 0xDFFF) {
            cf_note(t, "unpaired UTF-16 surrogate 0x%04x at character %u", ch, i);
            return false;
        }
        if (o + 1 < shown_len)
            shown[o++] = ch >= 0x20 && ch < 0x7F ? (char)ch : '?';
    }
    shown[o] = 0;
    if (returned > 2 * (nul + 1)) {
        bool zeros = true;
        for (uint32_t b = 2 * (nul + 1); b < returned; b++)
            zeros &= data[b] == 0;
        cf_note(t, "\"%s\": %u bytes returned for a %u-byte string and its NUL (%s after it)",
                shown, returned, 2 * (nul + 1), zeros ? "zeros" : "other data");
        return false;
    }
    return true;
}

/* The size the level's data really has (for a string: up to its NUL), so
 * a short buffer can be made one byte shorter than that. */
static uint32_t data_size(const cf_level_t *lv, ULONG fixed_size, bool text)
{
    if (fixed_size)
        return fixed_size;
    if (text) {
        for (uint32_t i = 0; i + 1 < lv->returned; i += 2) {
            if (lv->data[i] == 0 && lv->data[i + 1] == 0)
                return i + 2;
        }
    }
    return lv->returned;
}

/* docs (1.3): 1 to 4 BATTERY_REPORTING_SCALE entries, Capacity rising. */
static bool check_scale(const unsigned char *data, uint32_t returned, cf_text_t *t)
{
    BATTERY_REPORTING_SCALE scale[CF_INFO_BUFFER / sizeof(BATTERY_REPORTING_SCALE)];
    uint32_t n = returned / sizeof(BATTERY_REPORTING_SCALE);
    if (returned % sizeof(BATTERY_REPORTING_SCALE) || n < 1 || n > 4) {
        cf_note(t, "%u bytes: not 1 to 4 whole 8-byte entries", returned);
        return false;
    }
    memcpy(scale, data, returned);
    for (uint32_t i = 1; i < n; i++) {
        if (scale[i].Capacity <= scale[i - 1].Capacity) {
            cf_note(t, "entry %u Capacity %u does not rise above entry %u's %u", i,
                    (unsigned)scale[i].Capacity, i - 1, (unsigned)scale[i - 1].Capacity);
            return false;
        }
    }
    cf_note(t, "%u entr%s, top Capacity %u", n, n == 1 ? "y" : "ies",
            (unsigned)scale[n - 1].Capacity);
    return true;
}

/* docs (2.3): Day 1-31, Month 1-12 (numbers, not ASCII). */
static bool check_date(const unsigned char *data, cf_text_t *t)
{
    BATTERY_MANUFACTURE_DATE d;
    memcpy(&d, data, sizeof d);
    if (d.Day < 1 || d.Day > 31 || d.Month < 1 || d.Month > 12) {
        cf_note(t, "day %u month %u year %u is not a date", d.Day, d.Month, d.Year);
        return false;
    }
    cf_note(t, "%04u-%02u-%02u", d.Year, d.Month, d.Day);
    return true;
}

static void check_level(cf_ctx_t *c, const struct level_spec *spec)
{
    cf_level_t *lv = &c->bat->levels[spec->level];
    cf_text_t t = {0};
    bool ok = true;
    char shown[80];

    memset(lv, 0, sizeof(*lv));
    lv->status =
        cf_query_info(c, c->bat->tag, spec->level, 0, lv->data, sizeof lv->data, &lv->returned);
    if (lv->status == STATUS_INVALID_DEVICE_REQUEST && !spec->required) {
        cf_pass(c, spec->check, "not supported (STATUS_INVALID_DEVICE_REQUEST)");
        return;
    }
    if (!NT_SUCCESS(lv->status)) {
        cf_fail(c, spec->check, "%s%s", cf_status_name(lv->status),
                spec->required ? " (every battery answers this level)" : "");
        return;
    }
    if (lv->returned > sizeof lv->data) {
        cf_fail(c, spec->check, "%u bytes returned into a %zu-byte buffer", lv->returned,
                sizeof lv->data);
        return;
    }
    switch (spec->shape) {
    case SHAPE_FIXED:
        if (lv->returned != spec->size) {
            cf_note(&t, "%u bytes returned, documented size %u", lv->returned,
                    (unsigned)spec->size);
            ok = false;
        } else if (spec->level == BatteryManufactureDate) {
            ok = check_date(lv->data, &t);
        } else if (spec->size == sizeof(ULONG)) {
            ULONG v;
            memcpy(&v, lv->data, sizeof v);
            cf_note(&t, "%u", (unsigned)v);
        } else {
            cf_note(&t, "%u bytes", lv->returned);
        }
        break;
    case SHAPE_SCALE:
        ok = check_scale(lv->data, lv->returned, &t);
        break;
    case SHAPE_TEXT:
        ok = check_text(lv->data, lv->returned, &t, shown, sizeof shown);
        if (ok)
            cf_note(&t, "\"%s\"", shown);
        break;
    }
    if (!ok)
        cf_fail(c, spec->check, "%s", t.buf);
    else
        cf_pass(c, spec->check, "%s", t.buf);
    if (spec->level == BatteryInformation && ok) {
        memcpy(&c->bat->info, lv->data, sizeof c->bat->info);
        c->bat->have_info = true;
    }
}

/* docs (4.3): a level that is not an enumerator -> STATUS_INVALID_PARAMETER. */
static void check_undefined_levels(cf_ctx_t *c)
{
    static const ULONG undefined[] = {BatterySerialNumber + 1, 1000};
    unsigned char out[CF_INFO_BUFFER];
    cf_text_t t = {0};
    uint32_t got;

    for (size_t i = 0; i < sizeof undefined / sizeof undefined[0]; i++) {
        NTSTATUS s = cf_query_info(c, c->bat->tag, undefined[i], 0, out, sizeof out, &got);
        if (s != STATUS_INVALID_PARAMETER)
            cf_note(&t, "level %u: %s", (unsigned)undefined[i], cf_status_name(s));
    }
    if (t.count)
        cf_fail(c, "query_information_undefined_level_invalid_parameter", "%s", t.buf);
    else
        cf_pass(c, "query_information_undefined_level_invalid_parameter",
                "levels 9 and 1000: STATUS_INVALID_PARAMETER");
}

/* docs (1.3, 1.6): an output too small for the data fails with
 * STATUS_BUFFER_TOO_SMALL and 0 bytes (a string may instead come back
 * partial with STATUS_BUFFER_OVERFLOW). */
static void check_short_buffers(cf_ctx_t *c)
{
    unsigned char out[CF_INFO_BUFFER];
    cf_text_t t = {0};
    unsigned tried = 0;

    for (ULONG level = 0; level < CF_LEVELS; level++) {
        const cf_level_t *lv = &c->bat->levels[level];
        const struct level_spec *spec = &level_specs[level];
        if (!NT_SUCCESS(lv->status) || lv->returned == 0 || lv->returned > sizeof lv->data)
            continue;
        /* One byte short of the data (as documented, not as returned), and
         * nothing at all. */
        uint32_t size =
            data_size(lv, spec->shape == SHAPE_FIXED ? spec->size : 0, spec->shape == SHAPE_TEXT);
        ULONG lengths[2] = {
            spec->shape == SHAPE_SCALE ? sizeof(BATTERY_REPORTING_SCALE) - 1 : size - 1, 0};
        for (int k = 0; k < 2; k++) {
            uint32_t got = 0;
            NTSTATUS s = cf_query_info(c, c->bat->tag, level, 0, out, lengths[k], &got);
            tried++;
            if (s == STATUS_BUFFER_TOO_SMALL && got == 0)
                continue;
            if (s == STATUS_BUFFER_OVERFLOW && spec->shape == SHAPE_TEXT && got <= lengths[k])
                continue;
            cf_note(&t, "%s into %u bytes: %s, %u bytes", cf_level_name(level),
                    (unsigned)lengths[k], cf_status_name(s), got);
        }
    }
    if (!tried)
        cf_skip(c, "query_information_short_buffer_too_small", "no level answered");
    else if (t.count)
        cf_fail(c, "query_information_short_buffer_too_small", "%s", t.buf);
    else
        cf_pass(c, "query_information_short_buffer_too_small",
                "%u short-buffer queries: STATUS_BUFFER_TOO_SMALL, 0 bytes", tried);
}

/* docs (1.2): the tag changes whenever normally-static data changes, so
 * under one tag the information and strings read the same every time. */
static void check_static_stable(cf_ctx_t *c)
{
    static const ULONG static_levels[] = {BatteryInformation,     BatteryGranularityInformation,
                                          BatteryDeviceName,      BatteryManufactureDate,
                                          BatteryManufactureName, BatteryUniqueID,
                                          BatterySerialNumber};
    const char *name = "static_information_stable_for_tag";
    unsigned char a[CF_INFO_BUFFER], b[CF_INFO_BUFFER];
    cf_text_t t = {0};
    ULONG tag_before = c->bat->tag, tag_after;

    for (size_t i = 0; i < sizeof static_levels / sizeof static_levels[0]; i++) {
        ULONG level = static_levels[i];
        uint32_t na = 0, nb = 0;
        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        NTSTATUS sa = cf_query_info(c, tag_before, level, 0, a, sizeof a, &na);
        NTSTATUS sb = cf_query_info(c, tag_before, level, 0, b, sizeof b, &nb);
        if (sa != sb || na != nb || (NT_SUCCESS(sa) && memcmp(a, b, na) != 0))
            cf_note(&t, "%s differs between two reads", cf_level_name(level));
    }
    cf_query_tag(c, 0, &tag_after);
    if (tag_after != tag_before)
        cf_skip(c, name, "the tag changed while reading (%u -> %u)", (unsigned)tag_before,
                (unsigned)tag_after);
    else if (t.count)
        cf_fail(c, name, "under tag %u: %s", (unsigned)tag_before, t.buf);
    else
        cf_pass(c, name, "two reads of every static level agree under tag %u",
                (unsigned)tag_before);
}

void cf_check_levels(cf_ctx_t *c)
{
    static const char *const names[] = {"query_information_undefined_level_invalid_parameter",
                                        "query_information_short_buffer_too_small",
                                        "static_information_stable_for_tag"};
    if (c->bat->tag == BATTERY_TAG_INVALID) {
        for (ULONG level = 0; level < CF_LEVELS; level++)
            cf_skip(c, level_specs[level].check, "no battery tag to ask with");
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            cf_skip(c, names[i], "no battery tag to ask with");
        return;
    }
    for (ULONG level = 0; level < CF_LEVELS; level++)
        check_level(c, &level_specs[level]);
    c->bat->have_levels = true;
    if (cf_wants(c, names[0]))
        check_undefined_levels(c);
    if (cf_wants(c, names[1]))
        check_short_buffers(c);
    if (cf_wants(c, names[2]))
        check_static_stable(c);
}

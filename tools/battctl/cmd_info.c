/* battctl info: what a battery is (BATTERY_INFORMATION and the other
 * information levels), in Wh, °C and words. */
#include "battctl.h"

#include <string.h>

static void capabilities_text(ULONG caps, char *buf, size_t n)
{
    static const struct {
        ULONG bit;
        const char *word;
    } bits[] = {
        {BATTERY_SYSTEM_BATTERY, "system battery"},
        {BATTERY_CAPACITY_RELATIVE, "relative capacity"},
        {BATTERY_IS_SHORT_TERM, "short term (UPS)"},
        {BATTERY_SET_CHARGE_SUPPORTED, "set charge"},
        {BATTERY_SET_DISCHARGE_SUPPORTED, "set discharge"},
        {BATTERY_SET_CHARGINGSOURCE_SUPPORTED, "set charging source"},
    };
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++)
        if ((caps & bits[i].bit) && used < n)
            used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "", bits[i].word);
    if (!used)
        snprintf(buf, n, "none");
}

static void print_text(const battery_t *b)
{
    const BATTERY_INFORMATION *bi = &b->info;
    bool rel = (bi->Capabilities & BATTERY_CAPACITY_RELATIVE) != 0;
    char chem[5], e1[32], e2[32], e3[32], caps[160];
    memcpy(chem, bi->Chemistry, 4);
    chem[4] = 0;
    printf("Battery %d: %s\n", b->index, b->path);
    printf("  Name:             %s\n", b->name[0] ? b->name : "(not supplied)");
    printf("  Manufacturer:     %s\n", b->manufacturer[0] ? b->manufacturer : "(not supplied)");
    printf("  Serial number:    %s\n", b->serial[0] ? b->serial : "(not supplied)");
    printf("  Unique ID:        %s\n", b->unique_id[0] ? b->unique_id : "(not supplied)");
    if (b->have_date)
        printf("  Manufactured:     %04u-%02u-%02u\n", b->date.Year, b->date.Month, b->date.Day);
    printf("  Chemistry:        %s (%s)\n", chem[0] ? chem : "?",
           bi->Technology ? "rechargeable" : "primary");
    fmt_energy(e1, sizeof e1, bi->DesignedCapacity, rel);
    printf("  Design capacity:  %s\n", e1);
    fmt_energy(e1, sizeof e1, bi->FullChargedCapacity, rel);
    if (bi->DesignedCapacity && bi->DesignedCapacity != BATTERY_UNKNOWN_CAPACITY &&
        bi->FullChargedCapacity != BATTERY_UNKNOWN_CAPACITY)
        printf("  Full charge:      %s (%.1f %% of design)\n", e1,
               100.0 * bi->FullChargedCapacity / bi->DesignedCapacity);
    else
        printf("  Full charge:      %s\n", e1);
    fmt_energy(e1, sizeof e1, bi->DefaultAlert1, rel);
    fmt_energy(e2, sizeof e2, bi->DefaultAlert2, rel);
    printf("  Alerts:           low %s, warning %s\n", e1, e2);
    fmt_energy(e3, sizeof e3, bi->CriticalBias, rel);
    printf("  Critical bias:    %s\n", e3);
    if (bi->CycleCount)
        printf("  Cycle count:      %lu\n", (unsigned long)bi->CycleCount);
    else
        printf("  Cycle count:      (not supplied)\n");
    for (int i = 0; i < b->scales; i++) {
        fmt_energy(e1, sizeof e1, b->scale[i].Granularity, rel);
        fmt_energy(e2, sizeof e2, b->scale[i].Capacity, rel);
        printf("  Granularity:      %s up to %s\n", e1, e2);
    }
    if (b->have_temperature) {
        fmt_temperature(e1, sizeof e1, b->temperature);
        printf("  Temperature:      %s\n", e1);
    }
    capabilities_text(bi->Capabilities, caps, sizeof caps);
    printf("  Capabilities:     %s\n", caps);
}

static void print_json(const battery_t *b)
{
    const BATTERY_INFORMATION *bi = &b->info;
    char chem[5];
    memcpy(chem, bi->Chemistry, 4);
    chem[4] = 0;
    printf("{\"index\":%d,\"path\":", b->index);
    json_string(stdout, b->path);
    printf(",\"tag\":%lu,\"name\":", (unsigned long)b->tag);
    json_string(stdout, b->name);
    printf(",\"manufacturer\":");
    json_string(stdout, b->manufacturer);
    printf(",\"serial\":");
    json_string(stdout, b->serial);
    printf(",\"unique_id\":");
    json_string(stdout, b->unique_id);
    if (b->have_date)
        printf(",\"manufacture_date\":\"%04u-%02u-%02u\"", b->date.Year, b->date.Month,
               b->date.Day);
    printf(",\"chemistry\":");
    json_string(stdout, chem);
    printf(",\"rechargeable\":%s,\"capabilities\":%lu,\"relative\":%s",
           bi->Technology ? "true" : "false", (unsigned long)bi->Capabilities,
           bi->Capabilities & BATTERY_CAPACITY_RELATIVE ? "true" : "false");
    printf(",\"design_capacity_mwh\":%lu,\"full_charged_capacity_mwh\":%lu"
           ",\"default_alert1_mwh\":%lu,\"default_alert2_mwh\":%lu,\"critical_bias_mwh\":%lu"
           ",\"cycle_count\":%lu",
           (unsigned long)bi->DesignedCapacity, (unsigned long)bi->FullChargedCapacity,
           (unsigned long)bi->DefaultAlert1, (unsigned long)bi->DefaultAlert2,
           (unsigned long)bi->CriticalBias, (unsigned long)bi->CycleCount);
    printf(",\"granularity\":[");
    for (int i = 0; i < b->scales; i++)
        printf("%s{\"granularity_mwh\":%lu,\"capacity_mwh\":%lu}", i ? "," : "",
               (unsigned long)b->scale[i].Granularity, (unsigned long)b->scale[i].Capacity);
    printf("]");
    if (b->have_temperature)
        printf(",\"temperature_c\":%.1f", (b->temperature - 2731.5) / 10.0);
    printf("}");
}

int cmd_info(int argc, char **argv)
{
    if (argc > 1)
        return usage_error("info takes at most one BATTERY");
    battery_t *b;
    size_t n, first, last;
    int rc = batteries_open(GENERIC_READ, 0, &b, &n);
    if (rc)
        return rc;
    rc = batteries_select(b, n, argc ? argv[0] : NULL, &first, &last);
    if (rc)
        goto out;
    size_t shown = 0;
    if (opt.json)
        printf("[");
    for (size_t i = first; i <= last; i++) {
        battery_query_tag(&b[i]);
        if (b[i].open_rc) {
            rc = b[i].open_rc;
            continue;
        }
        if (!b[i].tag) {
            battery_release(&b[i]);
            if (!opt.json)
                printf("Battery %d: %s\n  (no battery in this slot)\n", b[i].index, b[i].path);
            continue;
        }
        bool read = battery_read_info(&b[i]);
        if (!read)
            rc = report_error(b[i].path);
        battery_release(&b[i]); /* one handle at a time (battd's --max-handles) */
        if (!read)
            continue;
        if (opt.json) {
            printf("%s", shown ? "," : "");
            print_json(&b[i]);
        } else {
            if (shown)
                printf("\n");
            print_text(&b[i]);
        }
        shown++;
    }
    if (opt.json)
        printf("]\n");
    if (!rc && !shown)
        rc = EXIT_NO_BATTERY;
out:
    batteries_close(b, n);
    return rc;
}

/* battctl list: every battery slot with its index, tag and name. */
#include "battctl.h"

int cmd_list(int argc, char **argv)
{
    (void)argv;
    if (argc > 0)
        return usage_error("list takes no arguments");
    battery_t *b;
    size_t n;
    int rc = batteries_open(GENERIC_READ, 0, &b, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (battery_query_tag(&b[i]))
            battery_read_info(&b[i]);
        battery_release(&b[i]); /* one handle at a time (battd's --max-handles) */
        if (b[i].open_rc)
            rc = b[i].open_rc;
    }
    if (opt.json) {
        printf("[");
        for (size_t i = 0; i < n; i++) {
            printf("%s{\"index\":%d,\"path\":", i ? "," : "", b[i].index);
            json_string(stdout, b[i].path);
            printf(",\"present\":%s,\"tag\":%lu,\"name\":", b[i].tag ? "true" : "false",
                   (unsigned long)b[i].tag);
            json_string(stdout, b[i].name);
            printf(",\"manufacturer\":");
            json_string(stdout, b[i].manufacturer);
            printf("}");
        }
        printf("]\n");
    } else if (n) {
        printf("%-8s %-6s %-24s %s\n", "BATTERY", "TAG", "NAME", "DEVICE");
        for (size_t i = 0; i < n; i++) {
            char tag[16] = "-", name[300];
            if (b[i].tag)
                snprintf(tag, sizeof tag, "%lu", (unsigned long)b[i].tag);
            if (!b[i].tag)
                snprintf(name, sizeof name, "(empty slot)");
            else if (b[i].manufacturer[0])
                snprintf(name, sizeof name, "%s (%s)", b[i].name[0] ? b[i].name : "?",
                         b[i].manufacturer);
            else
                snprintf(name, sizeof name, "%s", b[i].name[0] ? b[i].name : "?");
            printf("%-8d %-6s %-24s %s\n", b[i].index, tag, name, b[i].path);
        }
    } else {
        printf("no battery\n");
    }
    batteries_close(b, n);
    return rc ? rc : n ? EXIT_OK : EXIT_NO_BATTERY;
}

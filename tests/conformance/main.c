/* battkit-conformance: runs the miniclass conformance suite against one
 * driver started on a fresh virtual-time host, or against the batteries of
 * a machine, and prints one line per check. The exit code is the number of
 * failures, or with --expect-fail, the number of differences from the
 * expected set of failures (0 = exactly those failed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

static void usage(FILE *out)
{
    fputs("usage: battkit-conformance (--driver NAME|PATH.so --hwid ID | --machine default|FILE)\n"
          "         [--composite] [--instance ID] [--only CHECK,...] [--no-controller] "
          "[--keep-device]\n"
          "         [--expect-fail CHECK,...] [--notify-bound-ms N] [--answer-bound-ms N]\n"
          "         [--driver-dir DIR] [--verbose] [--list]\n",
          out);
}

int main(int argc, char **argv)
{
    bk_conformance_options_t o = {.out = stdout};
    bk_conformance_report_t report = {0};
    const char *machine = NULL, *expected = NULL, *driver_dir = NULL;
    int expect = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--list")) {
            for (const char *const *n = bk_conformance_check_names(); *n; n++)
                puts(*n);
            puts("host_destroy_clean");
            return 0;
        } else if (!strcmp(a, "--no-controller")) {
            o.no_controller = 1;
        } else if (!strcmp(a, "--composite")) {
            o.composite = 1;
        } else if (!strcmp(a, "--keep-device")) {
            o.keep_device = 1;
        } else if (!strcmp(a, "--verbose")) {
            o.verbose = 1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!v) {
            usage(stderr);
            return 2;
        } else if (!strcmp(a, "--driver")) {
            o.driver = argv[++i];
        } else if (!strcmp(a, "--hwid")) {
            o.hwid = argv[++i];
        } else if (!strcmp(a, "--instance")) {
            o.instance = argv[++i];
        } else if (!strcmp(a, "--machine")) {
            machine = argv[++i];
        } else if (!strcmp(a, "--only")) {
            o.only = argv[++i];
        } else if (!strcmp(a, "--expect-fail")) {
            expected = argv[++i];
            expect = 1;
        } else if (!strcmp(a, "--notify-bound-ms")) {
            o.notify_bound_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(a, "--answer-bound-ms")) {
            o.answer_bound_ms = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(a, "--driver-dir")) {
            driver_dir = argv[++i];
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!!o.driver == !!machine || (o.driver && !o.hwid) || (o.composite && !machine)) {
        usage(stderr);
        return 2;
    }

    bk_host_t *host =
        bk_host_create(&(bk_host_options_t){.virtual_time = 1, .driver_dir = driver_dir});
    if (!host) {
        fprintf(stderr, "battkit-conformance: the host did not start\n");
        return 2;
    }
    if (machine) {
        bk_status_t s = bk_host_load_machine(host, strcmp(machine, "default") ? machine : NULL);
        if (s < 0) {
            fprintf(stderr, "battkit-conformance: machine %s: 0x%08x %s\n", machine, (unsigned)s,
                    bk_platform_last_error() ? bk_platform_last_error() : "");
            bk_host_destroy(host);
            return 2;
        }
        bk_host_settle(host);
    }

    int failures = bk_conformance_run(host, &o, &report);
    if (failures < 0) {
        fprintf(stderr, "battkit-conformance: the suite could not run\n");
        if (!report.wedged)
            bk_host_destroy(host);
        return 2;
    }
    if (machine && !report.wedged)
        bk_host_unload_machine(host); /* the counterpart of bk_host_load_machine */
    if (report.wedged) {
        /* A thread is still inside a driver: the host cannot be taken down. */
        bk_conformance_report_add(&report, stdout, "host_destroy_clean", BK_CONFORMANCE_SKIP,
                                  "a driver call never returned");
    } else if (bk_host_destroy(host) == 0) {
        bk_conformance_report_add(&report, stdout, "host_destroy_clean", BK_CONFORMANCE_PASS,
                                  "every device removed, every driver unloaded, no pool left");
    } else {
        bk_conformance_report_add(&report, stdout, "host_destroy_clean", BK_CONFORMANCE_FAIL, "%s",
                                  bk_host_last_report() ? bk_host_last_report() : "");
    }
    bk_conformance_print_summary(&report, stdout);
    int rc =
        expect ? bk_conformance_expect_failures(&report, expected, stdout) : (int)report.failed;
    int wedged = report.wedged;
    bk_conformance_report_free(&report);
    fflush(stdout);
    if (wedged)
        _Exit(rc > 125 ? 125 : rc);
    return rc > 125 ? 125 : rc;
}

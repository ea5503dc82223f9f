/* battctl report: the battery report from battd's history database (read
 * only, no battd needed), as HTML or --json, to stdout or --output FILE
 * (written beside it and renamed into place, so a failure leaves nothing). */
#include "battctl.h"

#include <battkit/state_dir.h>
#include <errno.h>
#include <report.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DAYS 30
#define MAX_DAYS     3650

static int write_report(const report_t *r, FILE *f)
{
    return opt.json ? report_write_json(f, r) : report_write_html(f, r);
}

static int write_file(const report_t *r, const char *path)
{
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid()) >= sizeof tmp)
        return usage_error("--output path too long");
    FILE *f = fopen(tmp, "w");
    if (!f) {
        fprintf(stderr, "battctl: report: %s: %s\n", path, strerror(errno));
        return EXIT_OTHER;
    }
    int rc = write_report(r, f);
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) == 0)
        return EXIT_OK;
    fprintf(stderr, "battctl: report: %s: %s\n", path, strerror(errno ? errno : EIO));
    unlink(tmp);
    return EXIT_OTHER;
}

int cmd_report(int argc, char **argv)
{
    const char *output = NULL, *history = NULL;
    unsigned long days = DEFAULT_DAYS;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--output") || !strcmp(a, "-o") || !strcmp(a, "--days") ||
            !strcmp(a, "--history")) {
            if (i + 1 == argc || !*argv[i + 1])
                return usage_error("%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--days")) {
                char *end;
                errno = 0;
                days = strtoul(v, &end, 10);
                if (errno || *end || end == v || days < 1 || days > MAX_DAYS)
                    return usage_error("--days '%s': a whole number of days, 1 to %d", v, MAX_DAYS);
            } else if (!strcmp(a, "--history")) {
                history = v;
            } else {
                output = v;
            }
        } else {
            return usage_error("report: unknown argument '%s'", a);
        }
    }
    char path[4096];
    if (!history) {
        if (bk_default_history_file(path, sizeof path) != 0) {
            fprintf(stderr, "battctl: report: the default history path is too long; use "
                            "--history\n");
            return EXIT_OTHER;
        }
        history = path;
    }
    char err[600];
    report_t *r = report_load(history, (unsigned)days, err, sizeof err);
    if (!r) {
        fprintf(stderr, "battctl: report: %s\n", err);
        return EXIT_OTHER;
    }
    int rc;
    if (output) {
        rc = write_file(r, output);
    } else {
        rc = write_report(r, stdout) == 0 && fflush(stdout) == 0 ? EXIT_OK : EXIT_OTHER;
        if (rc)
            fprintf(stderr, "battctl: report: writing stdout: %s\n", strerror(errno));
    }
    report_free(r);
    return rc;
}

/* install.c: `battinf install | uninstall | list`. With battd running they
 * are battd's privileged SETUP request (the new binding applies to the
 * running host at once); otherwise, or with --registry/--store/--offline,
 * battinf starts a host of its own without devices on the registry file
 * and driver store, does the work and writes the registry back. */
#include "daemon_client.h"
#include "setup_cli.h"

#include <battkit/host.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPORT_SIZE 60000

typedef struct cli {
    uint32_t op;
    const char *arg;
    const char *registry, *store, *socket;
    bool offline, trusted;
} cli_t;

static int parse(const char *cmd, int argc, char **argv, cli_t *c)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **value = NULL;
        if (!strcmp(a, "--registry"))
            value = &c->registry;
        else if (!strcmp(a, "--store"))
            value = &c->store;
        else if (!strcmp(a, "--socket"))
            value = &c->socket;
        else if (!strcmp(a, "--offline"))
            c->offline = true;
        else if (!strcmp(a, "--trusted") && c->op == BK_SETUP_OP_INSTALL)
            c->trusted = true;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "battinf %s: unknown option %s\n", cmd, a);
            return -1;
        } else if (c->arg || c->op == BK_SETUP_OP_LIST) {
            fprintf(stderr, "battinf %s: unexpected argument %s\n", cmd, a);
            return -1;
        } else {
            c->arg = a;
        }
        if (value) {
            if (++i == argc) {
                fprintf(stderr, "battinf %s: %s needs a value\n", cmd, a);
                return -1;
            }
            *value = argv[i];
        }
    }
    if (!c->arg && c->op != BK_SETUP_OP_LIST) {
        fprintf(stderr, "battinf %s: which %s?\n", cmd,
                c->op == BK_SETUP_OP_INSTALL ? "INF file" : "driver");
        return -1;
    }
    return 0;
}

static void print_list(bk_installed_driver_t *list, size_t n)
{
    if (n == 0) {
        puts("no driver packages installed");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const bk_installed_driver_t *d = &list[i];
        printf("%s\n  class     %s %s\n  provider  %s\n  version   %s %s\n  services  %s\n"
               "  ids       %s\n  store     %s%s%s\n  from      %s\n",
               d->inf, d->class_name, d->class_guid, d->provider, d->driver_date, d->driver_version,
               d->services, d->ids, d->store_dir,
               (d->flags & BK_SETUP_IN_PLACE) ? " (in place)" : "",
               (d->flags & BK_SETUP_TRUSTED) ? " (trusted)" : "", d->original_path);
    }
}

static bool make_parent(const char *file)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return true;
    *slash = 0;
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(dir, 0755) != 0 && errno != EEXIST)
                return false;
            *p = '/';
        }
    }
    return mkdir(dir, 0755) == 0 || errno == EEXIST;
}

static int offline(const cli_t *c, uint32_t flags, const char *arg)
{
    char registry[PATH_MAX], store[PATH_MAX];
    if (bk_setup_default_paths(registry, sizeof registry, store, sizeof store) != 0) {
        fprintf(stderr, "battinf: the default state directory path is too long\n");
        return 2;
    }
    if (c->registry)
        snprintf(registry, sizeof registry, "%s", c->registry);
    if (c->store) {
        snprintf(store, sizeof store, "%s", c->store);
    } else if (c->registry) {
        /* The store goes with the registry it belongs to. */
        const char *slash = strrchr(c->registry, '/');
        snprintf(store, sizeof store, "%.*sdriverstore", slash ? (int)(slash - c->registry + 1) : 0,
                 c->registry);
    }
    if (!make_parent(registry)) {
        fprintf(stderr, "battinf: cannot create the directory of %s: %s\n", registry,
                strerror(errno));
        return 2;
    }
    bk_host_t *h =
        bk_host_create(&(bk_host_options_t){.virtual_time = 1, .registry_file = registry});
    if (!h) {
        fprintf(stderr, "battinf: cannot start a host\n");
        return 2;
    }
    bk_host_set_driver_store(h, store);
    char *report = malloc(REPORT_SIZE);
    bk_status_t s = 0;
    if (!report) {
        bk_host_destroy(h);
        return 2;
    }
    report[0] = 0;
    if (c->op == BK_SETUP_OP_INSTALL) {
        s = bk_host_install_inf_ex(h, arg, flags, report, REPORT_SIZE);
    } else if (c->op == BK_SETUP_OP_UNINSTALL) {
        s = bk_host_uninstall_driver(h, arg, report, REPORT_SIZE);
    } else {
        bk_installed_driver_t *list;
        size_t n = bk_host_list_installed(h, &list);
        print_list(list, n);
        bk_host_free_installed(list, n);
    }
    fputs(report, s < 0 ? stderr : stdout);
    free(report);
    if (bk_host_destroy(h) != 0)
        fprintf(stderr, "battinf: %s\n", bk_host_last_report());
    return s < 0 ? 1 : 0;
}

int battinf_setup_main(const char *cmd, int argc, char **argv)
{
    cli_t c = {0};
    char abs[PATH_MAX];
    c.op = !strcmp(cmd, "install")     ? BK_SETUP_OP_INSTALL
           : !strcmp(cmd, "uninstall") ? BK_SETUP_OP_UNINSTALL
                                       : BK_SETUP_OP_LIST;
    if (parse(cmd, argc, argv, &c) != 0)
        return 2;
    uint32_t flags = c.trusted ? BK_SETUP_TRUSTED : 0;
    const char *arg = c.arg ? c.arg : "";
    if (c.op == BK_SETUP_OP_INSTALL) {
        /* battd reads the file itself: it needs the whole path. */
        if (!realpath(c.arg, abs)) {
            fprintf(stderr, "%s: %s\n", c.arg, strerror(errno));
            return 1;
        }
        arg = abs;
    }
    if (c.offline || c.registry || c.store)
        return offline(&c, flags, arg);

    char *report = malloc(REPORT_SIZE), err[512] = "";
    int32_t status = 0;
    if (!report)
        return 2;
    int rc = battinf_daemon_request(c.socket, c.op, flags, arg, &status, report, REPORT_SIZE, err,
                                    sizeof err);
    if (rc == BATTINF_DAEMON_ABSENT && !c.socket) {
        free(report);
        return offline(&c, flags, arg); /* no battd: the state on disk */
    }
    if (rc != BATTINF_DAEMON_OK) {
        fprintf(stderr, "battinf: %s\n", err);
        free(report);
        return 2;
    }
    fputs(report, status < 0 ? stderr : stdout);
    free(report);
    return status < 0 ? 1 : 0;
}

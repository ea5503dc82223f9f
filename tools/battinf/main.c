/* main.c: the battinf command line. `verify` checks a battery driver INF and
 * prints FILE:LINE: error|warning: message per problem; install, uninstall
 * and list drive the installer (install.c). */
#include "setup_cli.h"
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEARCH_DIRS 32

static void usage(FILE *out)
{
    fputs("usage: battinf verify [--locale LCID] [--arch ARCH] [-I DIR]... FILE.inf\n"
          "       battinf install FILE.inf [--trusted] [WHERE]\n"
          "       battinf uninstall NAME [WHERE]\n"
          "       battinf list [WHERE]\n"
          "WHERE: [--registry FILE] [--store DIR] [--offline] [--socket PATH]\n"
          "\n"
          "verify  checks a battery driver INF against the WDK's rules for INF files and\n"
          "        for battery drivers (Class=Battery and its GUID, DestinationDirs, models\n"
          "        with hardware IDs, a kernel-driver service with flag 0x2, files that\n"
          "        exist). Prints FILE:LINE: error|warning: message for each problem and\n"
          "        exits 1 if there is any error, 0 otherwise.\n"
          "  --locale LCID  use [Strings.LCID] (hex LANGID, e.g. 0407) for %strkey%\n"
          "  --arch ARCH    platform for decorated sections (default amd64)\n"
          "  -I DIR         also look in DIR for copied files (NAME.sys or NAME.so) and\n"
          "                 for INFs named by Include=\n"
          "\n"
          "install    verifies the INF (refused with FILE:LINE on any error), copies its\n"
          "           files to the driver store, writes its services and bindings to the\n"
          "           registry in one atomic step and binds present devices.\n"
          "uninstall  removes the devices using a driver (service or INF name), unloads\n"
          "           it and deletes what its install wrote.\n"
          "list       the installed driver packages.\n"
          "  With battd running these go to battd (privileged users only) and apply to\n"
          "  the running system at once. Otherwise, or with --registry, --store or\n"
          "  --offline, battinf works on the registry file and driver store itself\n"
          "  (default: $BATTKIT_STATE_DIR or ~/.local/state/battkit: registry and\n"
          "  driverstore/; --store defaults to driverstore/ beside --registry).\n"
          "  --trusted  rank the package as signed, like an inbox driver\n"
          "  --socket   battd's socket (default: $BATTKIT_SOCKET, then the usual path)\n",
          out);
}

static int verify_main(int argc, char **argv)
{
    battinf_options_t opt = {0};
    const char *dirs[MAX_SEARCH_DIRS + 1] = {0};
    size_t ndirs = 0;
    const char *file = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char **value = NULL;
        if (!strcmp(a, "--locale"))
            value = &opt.locale;
        else if (!strcmp(a, "--arch"))
            value = &opt.arch;
        else if (!strcmp(a, "-I")) {
            if (ndirs == MAX_SEARCH_DIRS) {
                fprintf(stderr, "battinf: too many -I directories\n");
                return 2;
            }
            value = &dirs[ndirs++];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "battinf: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (file) {
            fprintf(stderr, "battinf: verify takes one INF file\n");
            return 2;
        } else {
            file = a;
            continue;
        }
        if (++i == argc) {
            fprintf(stderr, "battinf: %s needs a value\n", a);
            return 2;
        }
        *value = argv[i];
    }
    if (!file) {
        usage(stderr);
        return 2;
    }
    opt.search_dirs = dirs;
    bk_diags_t diags = {0};
    size_t errors = battinf_verify_file(file, &opt, &diags);
    char line[8192];
    for (size_t i = 0; i < diags.count; i++) {
        bk_diag_format(&diags.items[i], line, sizeof(line));
        puts(line);
    }
    if (diags.dropped)
        printf("%s: %zu more problems not shown\n", file, diags.dropped);
    bk_diags_free(&diags);
    return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "verify"))
        return verify_main(argc - 2, argv + 2);
    if (!strcmp(cmd, "install") || !strcmp(cmd, "uninstall") || !strcmp(cmd, "list"))
        return battinf_setup_main(cmd, argc - 2, argv + 2);
    fprintf(stderr, "battinf: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}

/* battkit-sim's command line: run | --plan | --merge. Exit codes: 0 done,
 * 1 the run or merge failed, 2 bad usage. */
#include "sim.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: battkit-sim run --machine FILE [--scenario FILE] --out DIR [--id ID]\n"
            "                       [--step SECONDS] [--param NAME=VALUE]... [--format csv|jsonl]\n"
            "                       [--low PERCENT] [--critical PERCENT]\n"
            "       battkit-sim --plan MANIFEST --results DIR\n"
            "       battkit-sim --merge PREFIX DIR...\n"
            "\n"
            "run: one machine with one scenario on virtual time, no daemon; writes DIR/series.csv\n"
            "(or .jsonl) with a row per step and DIR/summary.json.\n"
            "--plan: prints one independent `battkit-sim run` command per line for every\n"
            "machine x scenario x parameter combination of the manifest.\n"
            "--merge: reads DIR/summary.json of each run, writes PREFIX.csv and PREFIX.html.\n"
            "\nParameters (applied after the scenario's time-0 events):\n%s",
            sim_param_help());
}

static int parse_number(const char *what, const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    if (end == s || *end) {
        fprintf(stderr, "battkit-sim: %s: \"%s\" is not a number\n", what, s);
        return -1;
    }
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    sim_run_options_t o = {
        .id = "", .step_ns = 60ull * 1000000000ull, .low_percent = 10, .critical_percent = 5};
    static const struct option longs[] = {
        {"machine", required_argument, 0, 'm'},
        {"scenario", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},
        {"id", required_argument, 0, 'i'},
        {"step", required_argument, 0, 't'},
        {"param", required_argument, 0, 'p'},
        {"format", required_argument, 0, 'f'},
        {"low", required_argument, 0, 'l'},
        {"critical", required_argument, 0, 'c'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    double v;
    for (int c; (c = getopt_long(argc, argv, "", longs, NULL)) != -1;) {
        switch (c) {
        case 'm':
            o.machine = optarg;
            break;
        case 's':
            o.scenario = optarg;
            break;
        case 'o':
            o.out_dir = optarg;
            break;
        case 'i':
            o.id = optarg;
            break;
        case 't':
            if (parse_number("--step", optarg, &v) < 0 || v <= 0)
                return 2;
            o.step_ns = (uint64_t)(v * 1e9);
            break;
        case 'f':
            if (strcmp(optarg, "csv") && strcmp(optarg, "jsonl")) {
                fprintf(stderr, "battkit-sim: --format: csv or jsonl, not \"%s\"\n", optarg);
                return 2;
            }
            o.jsonl = optarg[0] == 'j';
            break;
        case 'l':
            if (parse_number("--low", optarg, &o.low_percent) < 0)
                return 2;
            break;
        case 'c':
            if (parse_number("--critical", optarg, &o.critical_percent) < 0)
                return 2;
            break;
        case 'p': {
            char *eq = strchr(optarg, '=');
            if (!eq || (size_t)(eq - optarg) >= sizeof o.params[0].name) {
                fprintf(stderr, "battkit-sim: --param NAME=VALUE, not \"%s\"\n", optarg);
                return 2;
            }
            if (o.param_count == SIM_MAX_PARAMS) {
                fprintf(stderr, "battkit-sim: more than %d parameters\n", SIM_MAX_PARAMS);
                return 2;
            }
            sim_param_t *p = &o.params[o.param_count];
            memcpy(p->name, optarg, (size_t)(eq - optarg));
            p->name[eq - optarg] = 0;
            if (!sim_param_known(p->name)) {
                fprintf(stderr, "battkit-sim: unknown parameter \"%s\"; known:\n%s", p->name,
                        sim_param_help());
                return 2;
            }
            if (parse_number(p->name, eq + 1, &p->value) < 0)
                return 2;
            o.param_count++;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!o.machine || !o.out_dir || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (o.critical_percent > o.low_percent) {
        fprintf(stderr, "battkit-sim: --critical (%g) above --low (%g)\n", o.critical_percent,
                o.low_percent);
        return 2;
    }
    char err[1024];
    sim_summary_t s;
    if (sim_run(&o, &s, err, sizeof err) < 0) {
        fprintf(stderr, "battkit-sim: %s%s%s\n", o.id[0] ? o.id : "", o.id[0] ? ": " : "", err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char err[2048];
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return cmd_run(argc - 1, argv + 1);
    if (argc == 5 && !strcmp(argv[1], "--plan") && !strcmp(argv[3], "--results")) {
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
        if (n <= 0) {
            perror("battkit-sim: /proc/self/exe");
            return 1;
        }
        self[n] = 0;
        if (sim_plan(argv[2], argv[4], self, stdout, err, sizeof err) < 0) {
            fprintf(stderr, "battkit-sim: %s\n", err);
            return 2;
        }
        return fflush(stdout) == 0 ? 0 : 1;
    }
    if (argc >= 3 && !strcmp(argv[1], "--merge")) {
        if (sim_merge(argv[2], argv + 3, (size_t)(argc - 3), err, sizeof err) < 0) {
            fprintf(stderr, "battkit-sim: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    usage(stderr);
    return 2;
}

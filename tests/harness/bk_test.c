/* Runner for bk_test.h: registration, selection by name, failure report. */
#include "bk_test.h"

#include <stdarg.h>
#include <stdlib.h>

#define BK_MAX_TESTS 1024
static struct {
    const char *name;
    bk_test_fn fn;
} tests[BK_MAX_TESTS];
static int test_count;
static int current_failed;

void bk_test_register(const char *name, bk_test_fn fn)
{
    if (test_count == BK_MAX_TESTS) {
        fprintf(stderr, "bk_test: more than %d tests in one program\n", BK_MAX_TESTS);
        abort();
    }
    tests[test_count].name = name;
    tests[test_count].fn = fn;
    test_count++;
}

void bk_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    current_failed = 1;
}

int bk_test_failed(void)
{
    return current_failed;
}

/* Weak hooks a test program may define to set up and tear down per test. */
__attribute__((weak)) void bk_test_setup(void) {}
__attribute__((weak)) void bk_test_teardown(void) {}

int main(int argc, char **argv)
{
    int failed = 0, ran = 0;
    if (argc > 1 && strcmp(argv[1], "-l") == 0) {
        for (int i = 0; i < test_count; i++)
            printf("%s\n", tests[i].name);
        return 0;
    }
    for (int i = 0; i < test_count; i++) {
        if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
            continue;
        current_failed = 0;
        bk_test_setup();
        tests[i].fn();
        bk_test_teardown();
        ran++;
        printf("%s %s\n", current_failed ? "FAIL" : "ok  ", tests[i].name);
        failed += current_failed;
    }
    if (ran == 0) {
        fprintf(stderr, "no test matched\n");
        return 1;
    }
    printf("%d/%d passed\n", ran - failed, ran);
    return failed ? 1 : 0;
}

/* battkit's test harness: tests register themselves, each runs in order and
 * a failed CHECK reports file, line and the values; the exit code is the
 * number of failed tests. Run one test with `prog NAME`, list with `-l`. */
#ifndef BK_TEST_H
#define BK_TEST_H

#include <stdio.h>
#include <stdint.h>
#include <string.h>

typedef void (*bk_test_fn)(void);
void bk_test_register(const char *name, bk_test_fn fn);
void bk_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int bk_test_failed(void); /* nonzero once the running test has failed */

#define TEST(name)                                                                                 \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void name##_register(void)                                 \
    {                                                                                              \
        bk_test_register(#name, name);                                                             \
    }                                                                                              \
    static void name(void)

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            bk_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                                  \
    } while (0)

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            bk_test_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond);                                \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long bk_a_ = (long long)(a), bk_b_ = (long long)(b);                                  \
        if (bk_a_ != bk_b_)                                                                        \
            bk_test_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %lld (0x%llx) != %lld (0x%llx)",   \
                         #a, #b, bk_a_, (unsigned long long)bk_a_, bk_b_,                          \
                         (unsigned long long)bk_b_);                                               \
    } while (0)

/* NTSTATUS comparison that prints both codes in hex. */
#define CHECK_STATUS(actual, expected)                                                             \
    do {                                                                                           \
        uint32_t bk_s_ = (uint32_t)(actual), bk_e_ = (uint32_t)(expected);                         \
        if (bk_s_ != bk_e_)                                                                        \
            bk_test_fail(__FILE__, __LINE__, "%s = 0x%08x, expected %s = 0x%08x", #actual, bk_s_,  \
                         #expected, bk_e_);                                                        \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *bk_x_ = (a), *bk_y_ = (b);                                                     \
        if (!bk_x_ || !bk_y_ || strcmp(bk_x_, bk_y_) != 0)                                         \
            bk_test_fail(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a, #b,        \
                         bk_x_ ? bk_x_ : "(null)", bk_y_ ? bk_y_ : "(null)");                      \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                      \
    do {                                                                                           \
        double bk_a_ = (double)(a), bk_b_ = (double)(b), bk_t_ = (double)(tol);                    \
        if (!(bk_a_ - bk_b_ <= bk_t_ && bk_b_ - bk_a_ <= bk_t_))                                   \
            bk_test_fail(__FILE__, __LINE__, "CHECK_NEAR(%s, %s, %s): %g vs %g (tolerance %g)",    \
                         #a, #b, #tol, bk_a_, bk_b_, bk_t_);                                       \
    } while (0)

#endif

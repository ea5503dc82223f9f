/* Walks an abi_case table and reports each mismatch with its name. */
#include "abi_check.h"

#include "bk_test.h"

size_t abi_check_cases(const char *file, int line, const struct abi_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (cases[i].actual != cases[i].expected)
            bk_test_fail(file, line, "%s: %llu (0x%llx), expected %llu (0x%llx)", cases[i].what,
                         (unsigned long long)cases[i].actual, (unsigned long long)cases[i].actual,
                         (unsigned long long)cases[i].expected,
                         (unsigned long long)cases[i].expected);
    }
    return count;
}

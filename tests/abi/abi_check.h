/* Table-driven ABI checks shared by the tests/abi files. A layout list is
 * written once as an X-macro and expanded twice: into _Static_asserts (the
 * build fails) and into a table the test walks at run time, so a failure
 * names the struct and field. Build with -DABI_RUNTIME_ONLY to skip the
 * static half and see every mismatch in one run. */
#ifndef ABI_CHECK_H
#define ABI_CHECK_H

#include <stddef.h>
#include <stdint.h>

struct abi_case {
    const char *what;
    uint64_t actual;
    uint64_t expected;
};

/* Expanders for the runtime tables. */
#define ABI_SIZE(type, size)         {"sizeof(" #type ")", sizeof(type), (size)},
#define ABI_OFFSET(type, field, off) {#type "." #field, offsetof(type, field), (off)},
#define ABI_VALUE(name, value)       {#name, (uint64_t)(uint32_t)(name), (uint64_t)(uint32_t)(value)},
/* Types compare as 1 == 1: __builtin_types_compatible_p is the "actual". */
#define ABI_TYPE(name, type, expected_type)                                                        \
    {#name, (uint64_t)__builtin_types_compatible_p(type, expected_type), 1},

/* Expanders for the static half. */
#ifdef ABI_RUNTIME_ONLY
#define ABI_STATIC_SIZE(type, size)
#define ABI_STATIC_OFFSET(type, field, off)
#define ABI_STATIC_VALUE(name, value)
#define ABI_STATIC_TYPE(name, type, expected_type)
#else
#define ABI_STATIC_SIZE(type, size) _Static_assert(sizeof(type) == (size), "sizeof(" #type ")");
#define ABI_STATIC_OFFSET(type, field, off)                                                        \
    _Static_assert(offsetof(type, field) == (off), #type "." #field);
#define ABI_STATIC_VALUE(name, value)                                                              \
    _Static_assert((uint32_t)(name) == (uint32_t)(value), #name " == " #value);
#define ABI_STATIC_TYPE(name, type, expected_type)                                                 \
    _Static_assert(__builtin_types_compatible_p(type, expected_type), #name);
#endif

/* Reports every mismatching row by name; returns the number of rows
 * checked so a caller can also assert that the table is not empty. */
size_t abi_check_cases(const char *file, int line, const struct abi_case *cases, size_t count);
#define ABI_CHECK_TABLE(table)                                                                     \
    CHECK_EQ(abi_check_cases(__FILE__, __LINE__, (table), sizeof(table) / sizeof((table)[0])),     \
             sizeof(table) / sizeof((table)[0]))

#endif

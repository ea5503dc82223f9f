/* Pins acpiioct.h: IOCTL codes, signatures (value and bytes in memory),
 * argument types, the x64 layout of every buffer (section 8.8), and what
 * the argument macros compute when filling and walking an argument list.
 * The global-lock signatures and ENUM_CHILDREN flags are mingw-w64 values
 * (the DDI pages name them without numbers). */
#include <ntddk.h>
#include <acpiioct.h>

#include "abi_check.h"
#include "bk_test.h"

#define ACPI_VALUES(VALUE)                                                                         \
    VALUE(IOCTL_ACPI_ASYNC_EVAL_METHOD, 0x0032C000)                                                \
    VALUE(IOCTL_ACPI_EVAL_METHOD, 0x0032C004)                                                      \
    VALUE(IOCTL_ACPI_ACQUIRE_GLOBAL_LOCK, 0x0032C010)                                              \
    VALUE(IOCTL_ACPI_RELEASE_GLOBAL_LOCK, 0x0032C014)                                              \
    VALUE(IOCTL_ACPI_EVAL_METHOD_EX, 0x0032C018)                                                   \
    VALUE(IOCTL_ACPI_ASYNC_EVAL_METHOD_EX, 0x0032C01C)                                             \
    VALUE(IOCTL_ACPI_ENUM_CHILDREN, 0x0032C020)                                                    \
    VALUE(ACPI_EVAL_INPUT_BUFFER_SIGNATURE, 0x42696541)                                            \
    VALUE(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE, 0x49696541)                             \
    VALUE(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_SIGNATURE, 0x53696541)                              \
    VALUE(ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE, 0x43696541)                                    \
    VALUE(ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE, 0x426F6541)                                           \
    VALUE(ACPI_EVAL_INPUT_BUFFER_SIGNATURE_EX, 0x41696541)                                         \
    VALUE(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE_EX, 0x44696541)                          \
    VALUE(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_SIGNATURE_EX, 0x45696541)                           \
    VALUE(ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE_EX, 0x46696541)                                 \
    VALUE(ACPI_ENUM_CHILDREN_OUTPUT_BUFFER_SIGNATURE, 0x47696541)                                  \
    VALUE(ACPI_ENUM_CHILDREN_INPUT_BUFFER_SIGNATURE, 0x48696541)                                   \
    VALUE(ACPI_METHOD_ARGUMENT_INTEGER, 0)                                                         \
    VALUE(ACPI_METHOD_ARGUMENT_STRING, 1)                                                          \
    VALUE(ACPI_METHOD_ARGUMENT_BUFFER, 2)                                                          \
    VALUE(ACPI_METHOD_ARGUMENT_PACKAGE, 3)                                                         \
    VALUE(ACPI_METHOD_ARGUMENT_PACKAGE_EX, 4)                                                      \
    VALUE(ACPI_ACQUIRE_GLOBAL_LOCK_SIGNATURE, 0x4C676141)                                          \
    VALUE(ACPI_RELEASE_GLOBAL_LOCK_SIGNATURE, 0x4C677241)                                          \
    VALUE(ACPI_OBJECT_HAS_CHILDREN, 0x1)                                                           \
    VALUE(ENUM_CHILDREN_IMMEDIATE_ONLY, 0x1)                                                       \
    VALUE(ENUM_CHILDREN_MULTILEVEL, 0x2)                                                           \
    VALUE(ENUM_CHILDREN_NAME_IS_FILTER, 0x4)

#define ACPI_LAYOUT(SIZE, OFFSET)                                                                  \
    SIZE(ACPI_EVAL_INPUT_BUFFER, 8)                                                                \
    OFFSET(ACPI_EVAL_INPUT_BUFFER, Signature, 0)                                                   \
    OFFSET(ACPI_EVAL_INPUT_BUFFER, MethodName, 4)                                                  \
    OFFSET(ACPI_EVAL_INPUT_BUFFER, MethodNameAsUlong, 4)                                           \
    SIZE(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER, 12)                                                \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER, Signature, 0)                                    \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER, MethodName, 4)                                   \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER, IntegerArgument, 8)                              \
    SIZE(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING, 16)                                                 \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING, Signature, 0)                                     \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING, MethodName, 4)                                    \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING, StringLength, 8)                                  \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING, String, 12)                                       \
    SIZE(ACPI_METHOD_ARGUMENT, 8)                                                                  \
    OFFSET(ACPI_METHOD_ARGUMENT, Type, 0)                                                          \
    OFFSET(ACPI_METHOD_ARGUMENT, DataLength, 2)                                                    \
    OFFSET(ACPI_METHOD_ARGUMENT, Argument, 4)                                                      \
    OFFSET(ACPI_METHOD_ARGUMENT, Data, 4)                                                          \
    SIZE(ACPI_EVAL_INPUT_BUFFER_COMPLEX, 24)                                                       \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX, Signature, 0)                                           \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX, MethodName, 4)                                          \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX, Size, 8)                                                \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX, ArgumentCount, 12)                                      \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX, Argument, 16)                                           \
    SIZE(ACPI_EVAL_OUTPUT_BUFFER, 20)                                                              \
    OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Signature, 0)                                                  \
    OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Length, 4)                                                     \
    OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Count, 8)                                                      \
    OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Argument, 12)                                                  \
    SIZE(ACPI_EVAL_INPUT_BUFFER_EX, 260)                                                           \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_EX, Signature, 0)                                                \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_EX, MethodName, 4)                                               \
    SIZE(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_EX, 272)                                            \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_EX, MethodName, 4)                                \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_EX, IntegerArgument, 264)                         \
    SIZE(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_EX, 268)                                             \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_EX, StringLength, 260)                             \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_EX, String, 264)                                   \
    SIZE(ACPI_EVAL_INPUT_BUFFER_COMPLEX_EX, 276)                                                   \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX_EX, Size, 260)                                           \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX_EX, ArgumentCount, 264)                                  \
    OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX_EX, Argument, 268)                                       \
    SIZE(ACPI_MANIPULATE_GLOBAL_LOCK_BUFFER, 16)                                                   \
    OFFSET(ACPI_MANIPULATE_GLOBAL_LOCK_BUFFER, LockObject, 8)                                      \
    SIZE(ACPI_ENUM_CHILDREN_INPUT_BUFFER, 16)                                                      \
    OFFSET(ACPI_ENUM_CHILDREN_INPUT_BUFFER, Flags, 4)                                              \
    OFFSET(ACPI_ENUM_CHILDREN_INPUT_BUFFER, NameLength, 8)                                         \
    OFFSET(ACPI_ENUM_CHILDREN_INPUT_BUFFER, Name, 12)                                              \
    SIZE(ACPI_ENUM_CHILD, 12)                                                                      \
    OFFSET(ACPI_ENUM_CHILD, NameLength, 4)                                                         \
    OFFSET(ACPI_ENUM_CHILD, Name, 8)                                                               \
    SIZE(ACPI_ENUM_CHILDREN_OUTPUT_BUFFER, 20)                                                     \
    OFFSET(ACPI_ENUM_CHILDREN_OUTPUT_BUFFER, NumberOfChildren, 4)                                  \
    OFFSET(ACPI_ENUM_CHILDREN_OUTPUT_BUFFER, Children, 8)

ACPI_VALUES(ABI_STATIC_VALUE)
ACPI_LAYOUT(ABI_STATIC_SIZE, ABI_STATIC_OFFSET)

static const struct abi_case acpi_values[] = {ACPI_VALUES(ABI_VALUE)};
static const struct abi_case acpi_layout[] = {ACPI_LAYOUT(ABI_SIZE, ABI_OFFSET)};

TEST(acpi_ioctl_codes_signatures_and_argument_types_have_documented_values)
{
    ABI_CHECK_TABLE(acpi_values);
}

TEST(acpi_buffers_have_x64_layout)
{
    ABI_CHECK_TABLE(acpi_layout);
}

/* 'BieA' sits in memory as "AeiB"; method names are the four ASCII bytes,
 * so '_BST' as a ULONG is the reversed literal 'TSB_'. */
TEST(acpi_signatures_and_method_names_have_windows_byte_order)
{
    ACPI_EVAL_INPUT_BUFFER in = {.Signature = ACPI_EVAL_INPUT_BUFFER_SIGNATURE};
    memcpy(in.MethodName, "_BST", 4);
    CHECK(memcmp(&in.Signature, "AeiB", 4) == 0);
    CHECK_EQ(in.MethodNameAsUlong, 'TSB_');
    CHECK_EQ(in.MethodNameAsUlong, 0x5453425F);
    ULONG output = ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE;
    CHECK(memcmp(&output, "AeoB", 4) == 0);
}

TEST(acpi_argument_length_is_header_plus_at_least_a_ulong)
{
    CHECK_EQ(ACPI_METHOD_ARGUMENT_LENGTH(0), 8);
    CHECK_EQ(ACPI_METHOD_ARGUMENT_LENGTH(4), 8);
    CHECK_EQ(ACPI_METHOD_ARGUMENT_LENGTH(5), 9);
    CHECK_EQ(ACPI_METHOD_ARGUMENT_LENGTH(12), 16);
}

/* An integer, a string and a buffer packed back to back, then walked with
 * ACPI_METHOD_NEXT_ARGUMENT the way a _BIF/_BIX reader walks a package. */
TEST(acpi_set_argument_macros_fill_and_next_argument_walks_unaligned_list)
{
    union {
        UCHAR bytes[64];
        ULONG align;
    } list;
    memset(&list, 0xCC, sizeof(list));
    static const UCHAR blob[3] = {1, 2, 3};

    PACPI_METHOD_ARGUMENT arg = (PACPI_METHOD_ARGUMENT)list.bytes;
    ACPI_METHOD_SET_ARGUMENT_INTEGER(arg, 0x1234);
    arg = ACPI_METHOD_NEXT_ARGUMENT(arg);
    ACPI_METHOD_SET_ARGUMENT_STRING(arg, "LION");
    arg = ACPI_METHOD_NEXT_ARGUMENT(arg);
    ACPI_METHOD_SET_ARGUMENT_BUFFER(arg, blob, sizeof(blob));

    arg = (PACPI_METHOD_ARGUMENT)list.bytes;
    CHECK_EQ(arg->Type, ACPI_METHOD_ARGUMENT_INTEGER);
    CHECK_EQ(arg->DataLength, 4);
    CHECK_EQ(arg->Argument, 0x1234);
    arg = ACPI_METHOD_NEXT_ARGUMENT(arg);
    CHECK_EQ((PUCHAR)arg - list.bytes, 8);
    CHECK_EQ(arg->Type, ACPI_METHOD_ARGUMENT_STRING);
    CHECK_EQ(arg->DataLength, 5); /* counts the NUL */
    CHECK_STR((const char *)arg->Data, "LION");
    arg = ACPI_METHOD_NEXT_ARGUMENT(arg);
    CHECK_EQ((PUCHAR)arg - list.bytes, 8 + 9); /* not 4-byte aligned */
    CHECK_EQ(arg->Type, ACPI_METHOD_ARGUMENT_BUFFER);
    CHECK_EQ(arg->DataLength, 3);
    CHECK(memcmp(arg->Data, blob, sizeof(blob)) == 0);
    /* A 3-byte buffer still occupies a whole ULONG slot. */
    CHECK_EQ((PUCHAR)ACPI_METHOD_NEXT_ARGUMENT(arg) - list.bytes, 8 + 9 + 8);
}

/* The WDK marks these pointers UNALIGNED; here they point to 1-aligned
 * types, so reading an argument at an odd offset is defined. */
TEST(acpi_walk_pointers_are_unaligned)
{
    CHECK_EQ(__alignof__(*(PACPI_METHOD_ARGUMENT)NULL), 1);
    CHECK_EQ(__alignof__(*(PACPI_METHOD_ARGUMENT_V1)NULL), 1);
    CHECK_EQ(__alignof__(*(PACPI_EVAL_OUTPUT_BUFFER)NULL), 1);
    CHECK_EQ(__alignof__(*(PACPI_ENUM_CHILD)NULL), 1);
    CHECK_EQ(__alignof__(*(PACPI_ENUM_CHILDREN_OUTPUT_BUFFER)NULL), 1);
    CHECK_EQ(__alignof__(ACPI_METHOD_ARGUMENT), 4); /* the struct itself keeps its layout */
}

TEST(acpi_enum_child_next_skips_flags_length_and_name)
{
    union {
        UCHAR bytes[32];
        ULONG align;
    } children;
    memset(&children, 0, sizeof(children));
    PACPI_ENUM_CHILD child = (PACPI_ENUM_CHILD)children.bytes;
    child->Flags = ACPI_OBJECT_HAS_CHILDREN;
    child->NameLength = 5; /* "BAT0" and its NUL */
    CHECK_EQ(ACPI_ENUM_CHILD_LENGTH_FROM_CHILD(child), 13);
    CHECK_EQ((PUCHAR)ACPI_ENUM_CHILD_NEXT(child) - children.bytes, 13);
}

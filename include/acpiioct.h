/* Evaluating ACPI control methods from a driver: the IOCTL_ACPI_* codes
 * sent to the ACPI bus driver (a device's PDO), their input and output
 * buffers, and the macros that fill and walk method arguments. Layouts
 * are the _V1 (USHORT DataLength) forms, pinned by tests/abi. */
#ifndef BATTKIT_ACPIIOCT_H
#define BATTKIT_ACPIIOCT_H

#include <wdm.h>

/* Build with IoBuildDeviceIoControlRequest (InternalDeviceIoControl FALSE)
 * at IRQL < DISPATCH_LEVEL. EVAL_METHOD reaches only the device's own
 * methods; the _EX forms take a full path. */
#define IOCTL_ACPI_ASYNC_EVAL_METHOD                                                               \
    CTL_CODE(FILE_DEVICE_ACPI, 0, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_ACPI_EVAL_METHOD                                                                     \
    CTL_CODE(FILE_DEVICE_ACPI, 1, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_ACPI_ACQUIRE_GLOBAL_LOCK                                                             \
    CTL_CODE(FILE_DEVICE_ACPI, 4, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_ACPI_RELEASE_GLOBAL_LOCK                                                             \
    CTL_CODE(FILE_DEVICE_ACPI, 5, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_ACPI_EVAL_METHOD_EX                                                                  \
    CTL_CODE(FILE_DEVICE_ACPI, 6, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_ACPI_ASYNC_EVAL_METHOD_EX                                                            \
    CTL_CODE(FILE_DEVICE_ACPI, 7, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_ACPI_ENUM_CHILDREN                                                                   \
    CTL_CODE(FILE_DEVICE_ACPI, 8, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)

/* Signatures are multi-character constants: 'BieA' is 0x42696541 and sits
 * in memory as the bytes "AeiB". */
#define ACPI_EVAL_INPUT_BUFFER_SIGNATURE                   'BieA'
#define ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE    'IieA'
#define ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_SIGNATURE     'SieA'
#define ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE           'CieA'
#define ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE                  'BoeA'
#define ACPI_EVAL_INPUT_BUFFER_SIGNATURE_EX                'AieA'
#define ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE_EX 'DieA'
#define ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_SIGNATURE_EX  'EieA'
#define ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE_EX        'FieA'
#define ACPI_ENUM_CHILDREN_OUTPUT_BUFFER_SIGNATURE         'GieA'
#define ACPI_ENUM_CHILDREN_INPUT_BUFFER_SIGNATURE          'HieA'
#define ACPI_ACQUIRE_GLOBAL_LOCK_SIGNATURE                 'LgaA'
#define ACPI_RELEASE_GLOBAL_LOCK_SIGNATURE                 'LgrA'

/* The WDK marks the argument and child pointers UNALIGNED (empty here):
 * an under-aligned typedef gives GCC and Clang the same meaning, so
 * walking arguments at odd offsets is defined behaviour. */
#define BATTKIT_ACPI_UNALIGNED __attribute__((aligned(1)))

/* ACPI_METHOD_ARGUMENT.Type */
#define ACPI_METHOD_ARGUMENT_INTEGER    0x0 /* ULONG in Argument, DataLength 4 */
#define ACPI_METHOD_ARGUMENT_STRING     0x1 /* ASCII in Data; DataLength counts the NUL */
#define ACPI_METHOD_ARGUMENT_BUFFER     0x2 /* DataLength bytes in Data */
#define ACPI_METHOD_ARGUMENT_PACKAGE    0x3 /* nested arguments in Data */
#define ACPI_METHOD_ARGUMENT_PACKAGE_EX 0x4 /* nested, _EX evaluation */

/* ACPI_ENUM_CHILD.Flags and ACPI_ENUM_CHILDREN_INPUT_BUFFER.Flags */
#define ACPI_OBJECT_HAS_CHILDREN     0x1
#define ENUM_CHILDREN_IMMEDIATE_ONLY 0x1
#define ENUM_CHILDREN_MULTILEVEL     0x2
#define ENUM_CHILDREN_NAME_IS_FILTER 0x4

/* Method names are four ASCII bytes, e.g. "_BST"; as a ULONG constant
 * that is the reversed literal 'TSB_'. */
typedef struct _ACPI_EVAL_INPUT_BUFFER_V1 {
    ULONG Signature; /* ACPI_EVAL_INPUT_BUFFER_SIGNATURE */
    union {
        UCHAR MethodName[4];
        ULONG MethodNameAsUlong;
    };
} ACPI_EVAL_INPUT_BUFFER_V1, *PACPI_EVAL_INPUT_BUFFER_V1, ACPI_EVAL_INPUT_BUFFER,
    *PACPI_EVAL_INPUT_BUFFER;

typedef struct _ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_V1 {
    ULONG Signature; /* ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE */
    union {
        UCHAR MethodName[4];
        ULONG MethodNameAsUlong;
    };
    ULONG IntegerArgument;
} ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_V1, *PACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_V1,
    ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER, *PACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER;

/* Variable length: StringLength bytes of String. */
typedef struct _ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_V1 {
    ULONG Signature; /* ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_SIGNATURE */
    union {
        UCHAR MethodName[4];
        ULONG MethodNameAsUlong;
    };
    ULONG StringLength;
    UCHAR String[ANYSIZE_ARRAY];
} ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_V1, *PACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_V1,
    ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING, *PACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING;

/* One argument or returned element. Variable length: it occupies
 * ACPI_METHOD_ARGUMENT_LENGTH(DataLength) bytes, so an array of them is
 * regular only while no DataLength exceeds 4; hence unaligned pointers. */
typedef struct _ACPI_METHOD_ARGUMENT_V1 {
    USHORT Type;       /* ACPI_METHOD_ARGUMENT_* */
    USHORT DataLength; /* bytes in Data */
    union {
        ULONG Argument;
        UCHAR Data[ANYSIZE_ARRAY];
    };
} ACPI_METHOD_ARGUMENT_V1, ACPI_METHOD_ARGUMENT;
typedef ACPI_METHOD_ARGUMENT_V1 UNALIGNED BATTKIT_ACPI_UNALIGNED ACPI_METHOD_ARGUMENT_UNALIGNED;
typedef ACPI_METHOD_ARGUMENT_UNALIGNED *PACPI_METHOD_ARGUMENT_V1, *PACPI_METHOD_ARGUMENT;

/* Variable length: Size is the total bytes of the argument list. */
typedef struct _ACPI_EVAL_INPUT_BUFFER_COMPLEX_V1 {
    ULONG Signature; /* ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE */
    union {
        UCHAR MethodName[4];
        ULONG MethodNameAsUlong;
    };
    ULONG Size;
    ULONG ArgumentCount;
    ACPI_METHOD_ARGUMENT_V1 Argument[ANYSIZE_ARRAY];
} ACPI_EVAL_INPUT_BUFFER_COMPLEX_V1, *PACPI_EVAL_INPUT_BUFFER_COMPLEX_V1,
    ACPI_EVAL_INPUT_BUFFER_COMPLEX, *PACPI_EVAL_INPUT_BUFFER_COMPLEX;

/* What a method returned. A Package comes back as Count elements in
 * Argument[] in order. Length is the total bytes including the arguments:
 * when the buffer holds the header but not all arguments the request
 * fails with STATUS_BUFFER_OVERFLOW and Length says the size needed. */
typedef struct _ACPI_EVAL_OUTPUT_BUFFER_V1 {
    ULONG Signature; /* ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE */
    ULONG Length;
    ULONG Count;
    ACPI_METHOD_ARGUMENT_V1 Argument[ANYSIZE_ARRAY];
} ACPI_EVAL_OUTPUT_BUFFER_V1, ACPI_EVAL_OUTPUT_BUFFER;
typedef ACPI_EVAL_OUTPUT_BUFFER_V1 UNALIGNED BATTKIT_ACPI_UNALIGNED
    ACPI_EVAL_OUTPUT_BUFFER_UNALIGNED;
typedef ACPI_EVAL_OUTPUT_BUFFER_UNALIGNED *PACPI_EVAL_OUTPUT_BUFFER_V1, *PACPI_EVAL_OUTPUT_BUFFER;

typedef struct _ACPI_MANIPULATE_GLOBAL_LOCK_BUFFER {
    ULONG Signature; /* ACPI_ACQUIRE/RELEASE_GLOBAL_LOCK_SIGNATURE */
    PVOID LockObject;
} ACPI_MANIPULATE_GLOBAL_LOCK_BUFFER, *PACPI_MANIPULATE_GLOBAL_LOCK_BUFFER;

/* _EX forms: MethodName is a NUL-terminated ASCII path such as
 * "\\_SB.PCI0.BAT0._BST". */
typedef struct _ACPI_EVAL_INPUT_BUFFER_V1_EX {
    ULONG Signature; /* ACPI_EVAL_INPUT_BUFFER_SIGNATURE_EX */
    CHAR MethodName[256];
} ACPI_EVAL_INPUT_BUFFER_V1_EX, *PACPI_EVAL_INPUT_BUFFER_V1_EX, ACPI_EVAL_INPUT_BUFFER_EX,
    *PACPI_EVAL_INPUT_BUFFER_EX;

typedef struct _ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_V1_EX {
    ULONG Signature; /* ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE_EX */
    CHAR MethodName[256];
    ULONG64 IntegerArgument;
} ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_V1_EX, *PACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_V1_EX,
    ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_EX, *PACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_EX;

typedef struct _ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_V1_EX {
    ULONG Signature; /* ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_SIGNATURE_EX */
    CHAR MethodName[256];
    ULONG StringLength;
    UCHAR String[ANYSIZE_ARRAY];
} ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_V1_EX, *PACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_V1_EX,
    ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_EX, *PACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_EX;

typedef struct _ACPI_EVAL_INPUT_BUFFER_COMPLEX_V1_EX {
    ULONG Signature; /* ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE_EX */
    CHAR MethodName[256];
    ULONG Size;
    ULONG ArgumentCount;
    ACPI_METHOD_ARGUMENT_V1 Argument[ANYSIZE_ARRAY];
} ACPI_EVAL_INPUT_BUFFER_COMPLEX_V1_EX, *PACPI_EVAL_INPUT_BUFFER_COMPLEX_V1_EX,
    ACPI_EVAL_INPUT_BUFFER_COMPLEX_EX, *PACPI_EVAL_INPUT_BUFFER_COMPLEX_EX;

typedef struct _ACPI_ENUM_CHILDREN_INPUT_BUFFER {
    ULONG Signature; /* ACPI_ENUM_CHILDREN_INPUT_BUFFER_SIGNATURE */
    ULONG Flags;     /* ENUM_CHILDREN_* */
    ULONG NameLength;
    CHAR Name[ANYSIZE_ARRAY];
} ACPI_ENUM_CHILDREN_INPUT_BUFFER, *PACPI_ENUM_CHILDREN_INPUT_BUFFER;

/* Variable length: Flags, NameLength, then NameLength bytes of Name. */
typedef struct _ACPI_ENUM_CHILD {
    ULONG Flags; /* ACPI_OBJECT_HAS_CHILDREN */
    ULONG NameLength;
    CHAR Name[ANYSIZE_ARRAY];
} ACPI_ENUM_CHILD;
typedef ACPI_ENUM_CHILD UNALIGNED BATTKIT_ACPI_UNALIGNED ACPI_ENUM_CHILD_UNALIGNED;
typedef ACPI_ENUM_CHILD_UNALIGNED *PACPI_ENUM_CHILD;

typedef struct _ACPI_ENUM_CHILDREN_OUTPUT_BUFFER {
    ULONG Signature; /* ACPI_ENUM_CHILDREN_OUTPUT_BUFFER_SIGNATURE */
    ULONG NumberOfChildren;
    ACPI_ENUM_CHILD Children[ANYSIZE_ARRAY];
} ACPI_ENUM_CHILDREN_OUTPUT_BUFFER;
typedef ACPI_ENUM_CHILDREN_OUTPUT_BUFFER UNALIGNED BATTKIT_ACPI_UNALIGNED
    ACPI_ENUM_CHILDREN_OUTPUT_BUFFER_UNALIGNED;
typedef ACPI_ENUM_CHILDREN_OUTPUT_BUFFER_UNALIGNED *PACPI_ENUM_CHILDREN_OUTPUT_BUFFER;

/* Bytes one argument occupies: the 4-byte Type/DataLength head plus its
 * data, never less than a ULONG. */
#define ACPI_METHOD_ARGUMENT_LENGTH(DataLength)                                                    \
    ((ULONG)FIELD_OFFSET(ACPI_METHOD_ARGUMENT, Data) +                                             \
     max((ULONG)sizeof(ULONG), (ULONG)(DataLength)))
#define ACPI_METHOD_ARGUMENT_LENGTH_FROM_ARGUMENT(Argument)                                        \
    ACPI_METHOD_ARGUMENT_LENGTH(((PACPI_METHOD_ARGUMENT)(Argument))->DataLength)
#define ACPI_METHOD_NEXT_ARGUMENT(Argument)                                                        \
    ((PACPI_METHOD_ARGUMENT)((PUCHAR)(Argument) +                                                  \
                             ACPI_METHOD_ARGUMENT_LENGTH_FROM_ARGUMENT(Argument)))

/* Fill one argument in place; the caller makes room for the data. */
#define ACPI_METHOD_SET_ARGUMENT_INTEGER(MethodArgument, IntData)                                  \
    do {                                                                                           \
        (MethodArgument)->Type = ACPI_METHOD_ARGUMENT_INTEGER;                                     \
        (MethodArgument)->DataLength = sizeof(ULONG);                                              \
        (MethodArgument)->Argument = (ULONG)(IntData);                                             \
    } while (0)
#define ACPI_METHOD_SET_ARGUMENT_STRING(Argument, StrData)                                         \
    do {                                                                                           \
        (Argument)->Type = ACPI_METHOD_ARGUMENT_STRING;                                            \
        (Argument)->DataLength = (USHORT)(strlen((PCHAR)(StrData)) + sizeof(UCHAR));               \
        RtlCopyMemory(&(Argument)->Data[0], (PUCHAR)(StrData), (Argument)->DataLength);            \
    } while (0)
#define ACPI_METHOD_SET_ARGUMENT_BUFFER(Argument, BuffData, BuffLength)                            \
    do {                                                                                           \
        (Argument)->Type = ACPI_METHOD_ARGUMENT_BUFFER;                                            \
        (Argument)->DataLength = (USHORT)(BuffLength);                                             \
        RtlCopyMemory(&(Argument)->Data[0], (PUCHAR)(BuffData), (Argument)->DataLength);           \
    } while (0)

/* Walking ACPI_ENUM_CHILDREN_OUTPUT_BUFFER.Children. */
#define ACPI_ENUM_CHILD_LENGTH_FROM_CHILD(Child) ((2 * sizeof(ULONG)) + (Child)->NameLength)
#define ACPI_ENUM_CHILD_NEXT(Child)                                                                \
    ((PACPI_ENUM_CHILD)((PUCHAR)(Child) + ACPI_ENUM_CHILD_LENGTH_FROM_CHILD(Child)))

#endif /* BATTKIT_ACPIIOCT_H */

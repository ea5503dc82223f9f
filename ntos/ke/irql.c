/* IRQL bookkeeping: each thread carries its IRQL; routines assert the
 * maximum the WDK documents for them, as the checked build did. */
#include "ke_internal.h"

#include <stdio.h>
#include <stdlib.h>

static __thread KIRQL current_irql = PASSIVE_LEVEL;

KIRQL NTAPI KeGetCurrentIrql(void)
{
    return current_irql;
}

void ke_set_irql(KIRQL irql)
{
    current_irql = irql;
}

void NTAPI KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    if (NewIrql < current_irql) {
        fprintf(stderr, "IRQL_NOT_GREATER_OR_EQUAL: KeRaiseIrql(%u) at %u\n", NewIrql,
                current_irql);
        abort();
    }
    *OldIrql = current_irql;
    current_irql = NewIrql;
}

void NTAPI KeLowerIrql(KIRQL NewIrql)
{
    if (NewIrql > current_irql) {
        fprintf(stderr, "IRQL_NOT_LESS_OR_EQUAL: KeLowerIrql(%u) at %u\n", NewIrql, current_irql);
        abort();
    }
    current_irql = NewIrql;
}

KIRQL NTAPI KeRaiseIrqlToDpcLevel(void)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    return old;
}

void ke_assert_irql_le(KIRQL max, const char *routine)
{
    if (current_irql > max) {
        fprintf(stderr, "IRQL_NOT_LESS_OR_EQUAL: %s called at IRQL %u (maximum %u)\n", routine,
                current_irql, max);
        abort();
    }
}

void NTAPI RtlAssert(PVOID FailedAssertion, PVOID FileName, ULONG LineNumber, PSTR Message)
{
    fprintf(stderr, "ASSERTION FAILED: %s%s%s at %s:%u\n", (const char *)FailedAssertion,
            Message ? " - " : "", Message ? Message : "", (const char *)FileName, LineNumber);
    abort();
}

void NTAPI KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    fprintf(stderr, "*** BUGCHECK 0x%08X (%#lx, %#lx, %#lx, %#lx)\n", BugCheckCode,
            (unsigned long)P1, (unsigned long)P2, (unsigned long)P3, (unsigned long)P4);
    abort();
}

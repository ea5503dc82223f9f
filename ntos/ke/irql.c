/* IRQL bookkeeping: each thread carries its IRQL; routines assert the
 * maximum the WDK documents for them, as the checked build did. */
#include "ke_internal.h"

#include <stdio.h>
#include <stdlib.h>

__thread KIRQL ke_current_irql = PASSIVE_LEVEL;

KIRQL NTAPI KeGetCurrentIrql(void)
{
    return ke_current_irql;
}

void ke_set_irql(KIRQL irql)
{
    ke_current_irql = irql;
}

void NTAPI KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    if (NewIrql < ke_current_irql) {
        fprintf(stderr, "IRQL_NOT_GREATER_OR_EQUAL: KeRaiseIrql(%u) at %u\n", NewIrql,
                ke_current_irql);
        abort();
    }
    *OldIrql = ke_current_irql;
    ke_current_irql = NewIrql;
}

void NTAPI KeLowerIrql(KIRQL NewIrql)
{
    if (NewIrql > ke_current_irql) {
        fprintf(stderr, "IRQL_NOT_LESS_OR_EQUAL: KeLowerIrql(%u) at %u\n", NewIrql,
                ke_current_irql);
        abort();
    }
    ke_current_irql = NewIrql;
}

KIRQL NTAPI KeRaiseIrqlToDpcLevel(void)
{
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    return old;
}

void ke_irql_violation(KIRQL max, const char *routine)
{
    fprintf(stderr, "IRQL_NOT_LESS_OR_EQUAL: %s called at IRQL %u (maximum %u)\n", routine,
            ke_current_irql, max);
    abort();
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

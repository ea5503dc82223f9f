/* The current thread as drivers see it: KeGetCurrentThread and critical
 * regions. Each host thread has one KTHREAD, alive as long as the thread. */
#include "../private.h"

struct _KTHREAD {
    LONG critical_region_depth; /* KeEnterCriticalRegion calls not yet left */
};

static _Thread_local struct _KTHREAD current_thread;

/* Any IRQL. */
PKTHREAD NTAPI KeGetCurrentThread(void)
{
    return &current_thread;
}

/* <= APC_LEVEL. Critical regions nest; the host delivers no APCs, so the
 * count is all there is to keep. */
void NTAPI KeEnterCriticalRegion(void)
{
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    current_thread.critical_region_depth++;
}

void NTAPI KeLeaveCriticalRegion(void)
{
    KE_ASSERT_IRQL_LE(APC_LEVEL);
    /* Leaving a region never entered is a driver bug Windows also stops on. */
    if (current_thread.critical_region_depth <= 0)
        KeBugCheckEx(0x20 /* KERNEL_APC_PENDING_DURING_EXIT */, 0, 0, 0, 0);
    current_thread.critical_region_depth--;
}

LONG ke_critical_region_depth(void)
{
    return current_thread.critical_region_depth;
}

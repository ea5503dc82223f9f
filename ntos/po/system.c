/* The system power state: transitions sent as IRP_MN_SET_POWER
 * (SystemPowerState) to every started device stack, in the order the power
 * manager uses (leaves first when going to sleep, the root first when
 * waking), and the state the host is in. Device policy stays in drivers. */
#include "po_internal.h"

#include <battkit/host.h>
#include <stdlib.h>

static SYSTEM_POWER_STATE current_state = PowerSystemWorking;
static pthread_mutex_t transition_lock = PTHREAD_MUTEX_INITIALIZER;

/* The action a system IRP carries (Parameters.Power.ShutdownType). */
static const POWER_ACTION action_of_state[PowerSystemMaximum] = {
    [PowerSystemWorking] = PowerActionNone,        [PowerSystemSleeping1] = PowerActionSleep,
    [PowerSystemSleeping2] = PowerActionSleep,     [PowerSystemSleeping3] = PowerActionSleep,
    [PowerSystemHibernate] = PowerActionHibernate, [PowerSystemShutdown] = PowerActionShutdown,
};

struct po_wait {
    KEVENT done;
    NTSTATUS status;
};

static void system_irp_done(PIRP irp, void *context)
{
    struct po_wait *w = context;
    w->status = irp->IoStatus.Status;
    KeSetEvent(&w->done, IO_NO_INCREMENT, FALSE);
}

/* PASSIVE_LEVEL. Sends one system SET_POWER to the top of pdo's stack and
 * waits; drivers typically pend it while they request a device IRP. */
static NTSTATUS send_system_set_power(PDEVICE_OBJECT pdo, SYSTEM_POWER_STATE state)
{
    struct po_wait w;
    PDEVICE_OBJECT top = IoGetAttachedDeviceReference(pdo);
    KeInitializeEvent(&w.done, NotificationEvent, FALSE);
    PIRP irp = io_build_host_irp(top, IRP_MJ_POWER, IRP_MN_SET_POWER, system_irp_done, &w);
    if (!irp) {
        ObDereferenceObject(top);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    irp->RequestorMode = KernelMode;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->Parameters.Power.Type = SystemPowerState;
    next->Parameters.Power.State.SystemState = state;
    next->Parameters.Power.ShutdownType = action_of_state[state];
    PoCallDriver(top, irp);
    KeWaitForSingleObject(&w.done, Executive, KernelMode, FALSE, NULL);
    ObDereferenceObject(top);
    return w.status;
}

bk_status_t bk_host_set_system_power(bk_host_t *host, int system_state)
{
    (void)host;
    PDEVICE_OBJECT *pdos;
    NTSTATUS result = STATUS_SUCCESS;
    if (system_state < PowerSystemWorking || system_state > PowerSystemShutdown)
        return STATUS_INVALID_PARAMETER;
    SYSTEM_POWER_STATE target = (SYSTEM_POWER_STATE)system_state;
    pthread_mutex_lock(&transition_lock);
    /* Deeper states have larger values: going there is going to sleep. */
    bool sleeping = target > current_state;
    size_t n = pnp_started_pdos(&pdos);
    for (size_t k = 0; k < n; k++) {
        /* pdos are parents first: walk backwards to reach leaves first. */
        PDEVICE_OBJECT pdo = pdos[sleeping ? n - 1 - k : k];
        NTSTATUS status = send_system_set_power(pdo, target);
        if (!NT_SUCCESS(status)) {
            /* docs: drivers must not fail a system set-power IRP. */
            bk_log(BK_LOG_WARN, "po: a device stack failed IRP_MN_SET_POWER(S%d): 0x%08x",
                   (int)target - 1, (unsigned)status);
            if (NT_SUCCESS(result))
                result = status;
        }
    }
    for (size_t k = 0; k < n; k++)
        ObDereferenceObject(pdos[k]);
    free(pdos);
    current_state = target;
    pthread_mutex_unlock(&transition_lock);
    bk_log(BK_LOG_INFO, "po: system power state is now %d", (int)target);
    return result;
}

int bk_host_system_power(bk_host_t *host)
{
    (void)host;
    pthread_mutex_lock(&transition_lock);
    int s = (int)current_state;
    pthread_mutex_unlock(&transition_lock);
    return s;
}

void po_init(void)
{
    pthread_mutex_lock(&transition_lock);
    current_state = PowerSystemWorking;
    pthread_mutex_unlock(&transition_lock);
    po_policy_init();
    po_battery_init();
}

void po_shutdown(void)
{
    /* Records of devices the PnP manager removed are gone already; what is
     * left belongs to device objects created outside PnP. */
    po_battery_shutdown();
    po_policy_shutdown();
    po_forget_all();
}

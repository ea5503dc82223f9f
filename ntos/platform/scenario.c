/* Scenario files on the host clock: bk_model parses and sequences the
 * events; each comes due on a host timer (KTIMER -> DPC -> worker) and is
 * applied through the same changes as the control API, so removal,
 * insertion, AC and faults raise the Notify values a firmware would. */
#include "platform_internal.h"

#include <stdio.h>

/* Applies one event (plat.lock held). Returns 1: handled here. */
static int apply_event(void *ctx, const bk_event_t *ev)
{
    (void)ctx;
    size_t device;
    plat_battery_t *b = ev->battery[0] ? plat_find_battery_locked(ev->battery, &device) : NULL;
    plat_advance_all_locked();
    switch (ev->kind) {
    case BK_EVENT_LOAD:
        if (b) {
            b->own_load = true;
            b->load = ev->load;
            plat_apply_inputs_locked();
        } else {
            plat_set_system_load_locked(&ev->load);
        }
        break;
    case BK_EVENT_AC:
        plat_set_ac_locked(NULL, ev->on);
        break;
    case BK_EVENT_INSERT:
    case BK_EVENT_REMOVE:
        plat_set_present_locked(ev->battery, ev->kind == BK_EVENT_INSERT);
        break;
    case BK_EVENT_FAULT:
        plat_set_faults_locked(ev->battery, plat_platform_faults(ev->fault), ev->on);
        break;
    case BK_EVENT_CAPACITY_DROP:
        bk_pack_drop_capacity(b->pack, ev->value);
        break;
    case BK_EVENT_AMBIENT:
        plat.ambient_c = ev->value;
        for (size_t i = 0; i < plat.nbat; i++)
            bk_pack_set_ambient_c(plat.bat[i].pack, ev->value);
        break;
    case BK_EVENT_SET_SOC:
        bk_pack_set_soc(b->pack, ev->value);
        plat_queue_event_locked(device, BATTKIT_NOTIFY_STATUS);
        break;
    case BK_EVENT_SET_TEMPERATURE:
        bk_pack_set_temperature_c(b->pack, ev->value);
        break;
    }
    plat_apply_inputs_locked();
    for (size_t i = 0; i < plat.nbat; i++)
        plat_detect_locked(i);
    return 1;
}

/* Arms the timer for the next event, or for the end ("until"). */
static void arm_locked(void)
{
    uint64_t next = bk_scenario_next_event_time(plat.scenario);
    uint64_t end = bk_scenario_end_time(plat.scenario);
    uint64_t at = next < end ? next : end;
    uint64_t now = plat_now_ns();
    LONGLONG delta = at > now ? (LONGLONG)((at - now + 99) / 100) : 1;
    LARGE_INTEGER due = {.QuadPart = -delta}; /* relative, 100 ns units */
    KeSetTimer(&plat.scenario_timer, due, &plat.scenario_dpc);
}

void plat_scenario_stop_locked(void)
{
    if (!plat.scenario)
        return;
    KeCancelTimer(&plat.scenario_timer);
    bk_scenario_free(plat.scenario);
    plat.scenario = NULL;
}

/* PASSIVE_LEVEL, host worker. */
static void scenario_work(ke_work_t *w)
{
    (void)w;
    __atomic_store_n(&plat.scenario_queued, false, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&plat.lock);
    if (!plat.loaded || !plat.scenario) {
        pthread_mutex_unlock(&plat.lock);
        return;
    }
    uint64_t now = plat_now_ns();
    if (bk_scenario_apply_until(plat.scenario, now, apply_event, NULL) < 0) {
        plat_set_error("%s", bk_scenario_error(plat.scenario));
        plat_scenario_stop_locked();
    } else if (bk_scenario_next_event_time(plat.scenario) == UINT64_MAX &&
               now >= bk_scenario_end_time(plat.scenario)) {
        bk_log(BK_LOG_INFO, "platform: scenario finished");
        plat_scenario_stop_locked();
    } else {
        arm_locked();
    }
    plat_rearm_tick_locked();
    plat_kick_delivery_locked();
    pthread_mutex_unlock(&plat.lock);
}

static void scenario_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    UNREFERENCED_PARAMETER(dpc);
    UNREFERENCED_PARAMETER(context);
    UNREFERENCED_PARAMETER(arg1);
    UNREFERENCED_PARAMETER(arg2);
    if (!__atomic_exchange_n(&plat.scenario_queued, true, __ATOMIC_SEQ_CST))
        ke_queue_work(&plat.scenario_work);
}

void plat_scenario_init(void)
{
    plat.scenario_work.run = scenario_work;
    KeInitializeTimerEx(&plat.scenario_timer, NotificationTimer);
    KeInitializeDpc(&plat.scenario_dpc, scenario_dpc, NULL);
}

bk_status_t bk_platform_run_scenario(bk_host_t *host, const char *scenario_file)
{
    (void)host;
    char err[256];
    bk_scenario_t *sc;
    plat_ensure_init();
    if (!scenario_file)
        return STATUS_INVALID_PARAMETER;
    if (bk_scenario_load(scenario_file, &sc, err, sizeof err) != 0) {
        plat_set_error("%s", err);
        return STATUS_INVALID_PARAMETER;
    }
    pthread_mutex_lock(&plat.lock);
    if (!plat.loaded) {
        pthread_mutex_unlock(&plat.lock);
        bk_scenario_free(sc);
        return STATUS_DEVICE_NOT_READY;
    }
    /* Every battery the script names must exist in this machine. */
    for (size_t i = 0; i < bk_scenario_event_count(sc); i++) {
        const bk_event_t *ev = bk_scenario_event(sc, i);
        if (ev->battery[0] && !plat_find_battery_locked(ev->battery, NULL)) {
            pthread_mutex_unlock(&plat.lock);
            plat_set_error("%s:%u: no battery named \"%s\" in machine %s", scenario_file, ev->line,
                           ev->battery, plat.file);
            bk_scenario_free(sc);
            return STATUS_INVALID_PARAMETER;
        }
    }
    plat_scenario_stop_locked();
    plat_advance_all_locked();
    plat.scenario = sc;
    bk_scenario_set_origin_ns(sc, plat_now_ns());
    /* Events at time 0 apply now, before the caller moves the clock. */
    if (bk_scenario_apply_until(sc, plat_now_ns(), apply_event, NULL) < 0) {
        plat_set_error("%s", bk_scenario_error(sc));
        plat_scenario_stop_locked();
        pthread_mutex_unlock(&plat.lock);
        return STATUS_INVALID_PARAMETER;
    }
    arm_locked();
    plat_rearm_tick_locked();
    plat_kick_delivery_locked();
    pthread_mutex_unlock(&plat.lock);
    return STATUS_SUCCESS;
}

int bk_platform_scenario_running(bk_host_t *host)
{
    (void)host;
    plat_ensure_init();
    pthread_mutex_lock(&plat.lock);
    int running = plat.scenario != NULL;
    pthread_mutex_unlock(&plat.lock);
    return running;
}

void bk_platform_stop_scenario(bk_host_t *host)
{
    (void)host;
    plat_ensure_init();
    pthread_mutex_lock(&plat.lock);
    plat_scenario_stop_locked();
    pthread_mutex_unlock(&plat.lock);
}

/* State shared by the simulated machine's files (ntos/platform): the
 * batteries (one bk_pack each) and AC adapters, the platform device that
 * hands drivers BATTKIT_PLATFORM_INTERFACE, its listeners and event queue,
 * and the timers that move the physics. Not visible outside ntos/platform. */
#ifndef NTOS_PLATFORM_INTERNAL_H
#define NTOS_PLATFORM_INTERNAL_H

#include "../private.h"

#include <battkit/host.h>
#include <battkit/platform.h>
#include <model.h>
#include <inf.h>

#define PLAT_NAME_MAX 32
/* The physics/event tick, host time: as often as 1 s when something the
 * firmware notifies on is near (a trip point, the critical level, empty,
 * full, a load step), at most 60 s apart otherwise. */
#define PLAT_TICK_MIN_NS 1000000000ull
#define PLAT_TICK_MAX_NS 60000000000ull

typedef struct plat_battery {
    char name[PLAT_NAME_MAX];
    int line; /* in the machine file, for messages */
    BATTKIT_DEVICE_BUS bus;
    ULONG uid;
    bk_pack_t *pack;
    bool present;
    UCHAR firmware;   /* BATTKIT_FIRMWARE_* */
    ULONG power_unit; /* 0 mWh/mW, 1 mAh/mA (what the ACPI bus reports) */
    unsigned faults;  /* BATTKIT_FAULT_* in force */
    /* Formatted once, when the battery is built (plat_format_identity), in
     * the sizes of BATTKIT_BATTERY_READING: a read copies them as they are. */
    char oem[32], model[32], serial[32], type[16];
    USHORT year;
    UCHAR month, day;
    ULONG granularity1, granularity2; /* mWh */
    /* A scenario's "load BAT0 15W" gives one battery its own load; the
     * others share the system load. */
    bool own_load;
    bk_load_t load;
    /* What the pack was last given, so a profile is not restarted when
     * nothing changed (bk_pack_set_load starts the load anew). */
    bk_load_t given;
    uint64_t given_at_ns; /* when the pack got it: a profile's offset */
    bool given_ac;
    ULONG trip_mwh;  /* _BTP, 0 = none */
    bool trip_below; /* side of the trip point at the last look */
    /* The firmware's view at the last tick: differences raise Notify. */
    struct {
        bool valid;
        ULONG state; /* BATTKIT_BST_* */
        bool depleted;
        ULONG design, full, cycles;
    } last;
} plat_battery_t;

typedef struct plat_ac {
    char name[PLAT_NAME_MAX];
    int line;
    ULONG uid;
    bool online;
    bool notify; /* Notify(0x80) on a _PSR change; a firmware may not */
} plat_ac_t;

/* The platform's device table: batteries first, then AC adapters. */
typedef struct plat_device {
    BATTKIT_DEVICE_KIND kind;
    size_t index; /* into bat[] or ac[] */
} plat_device_t;

/* One BATTKIT_PLATFORM_INTERFACE instance handed to a driver. */
typedef struct plat_client {
    LIST_ENTRY link;
    LONG refs;                                 /* InterfaceReference/Dereference */
    PBATTKIT_PLATFORM_EVENT_CALLBACK callback; /* NULL: not listening */
    PVOID callback_context;
    int busy;              /* callbacks running now */
    pthread_t busy_thread; /* the thread of the one running (for re-entry) */
} plat_client_t;

typedef struct plat_event {
    ULONG device;
    ULONG value; /* BATTKIT_NOTIFY_* */
} plat_event_t;

typedef struct plat {
    pthread_mutex_t lock; /* everything below; never held across a callback */
    pthread_cond_t idle;  /* a client's callbacks finished */
    bool loaded;
    char file[256];
    size_t nbat, nac, ndev;
    plat_battery_t *bat;
    plat_ac_t *ac;
    plat_device_t *dev;
    bk_load_t system_load;
    double ambient_c;

    /* \Device\BattkitPlatform and its driver object (host-internal). */
    PDEVICE_OBJECT device;
    LIST_ENTRY clients;

    /* Notify queue, delivered by a worker at PASSIVE_LEVEL. */
    plat_event_t *events;
    size_t nevents, events_cap;
    bool deliver_queued;
    bool delivering;
    ke_work_t deliver_work;

    /* The tick: a one-shot KTIMER -> DPC -> worker, re-armed each time. */
    KTIMER tick_timer;
    uint64_t tick_due_ns; /* host time it is set for; 0 = not set */
    KDPC tick_dpc;
    bool tick_queued;
    ke_work_t tick_work;

    /* A running scenario: its next event is a host timer. */
    bk_scenario_t *scenario;
    KTIMER scenario_timer;
    KDPC scenario_dpc;
    bool scenario_queued;
    ke_work_t scenario_work;
    char scenario_error[256];

    /* Root devices the machine added, removed again on unload. */
    /* Root devices the machine added, by instance path: a test may remove
     * one itself, so the pointer would not outlive it. */
    char **roots;
    size_t nroots;

    /* What drivers asked of the firmware (bk_platform_counters), and how
     * often identity text was formatted. Relaxed atomics: counted with or
     * without the lock. */
    uint64_t battery_reads, ac_reads, identity_formats;
} plat_t;

extern plat_t plat;

/* ---- machine.c: loading and unloading (plat_init/plat_shutdown: private.h) ---- */
/* Lazily initialises the platform the first time a machine is loaded. */
void plat_ensure_init(void);

/* ---- physics.c: the model behind the firmware (plat.lock held) ---- */
uint64_t plat_now_ns(void);
void plat_advance_all_locked(void);
/* Hands every pack its share of the system load and the AC state. */
void plat_apply_inputs_locked(void);
bool plat_ac_online_locked(void);
/* The firmware's view of a battery (faults applied). */
void plat_read_battery_locked(plat_battery_t *b, PBATTKIT_BATTERY_READING out);
ULONG plat_bst_state(const bk_reading_t *r);
/* Formats one identity string (model, serial, chemistry, OEM) for a
 * battery being built; counted in plat.identity_formats. */
void plat_format_identity(char *dst, size_t len, const char *src);
/* Compares with the last look and queues Notify for what changed. */
void plat_detect_locked(size_t device);
/* How long until the next look is needed (PLAT_TICK_MIN_NS..MAX_NS). */
uint64_t plat_next_look_ns_locked(void);
plat_battery_t *plat_find_battery_locked(const char *name, size_t *device);
plat_ac_t *plat_find_ac_locked(const char *name, size_t *device);
unsigned plat_model_faults(unsigned battkit_faults);
unsigned plat_platform_faults(unsigned model_faults);

/* ---- events.c: notifications and the tick ---- */
void plat_queue_event_locked(size_t device, ULONG value);
/* Makes sure a worker delivers what is queued (callable with the lock). */
void plat_kick_delivery_locked(void);
void plat_events_init(void);
void plat_events_start(void);
/* After a change: brings the next tick forward if it is now needed sooner. */
void plat_rearm_tick_locked(void);
void plat_events_stop(void);
void plat_events_drop_all_locked(void);

/* ---- device.c: \Device\BattkitPlatform and the interface ---- */
NTSTATUS plat_device_create(void);
void plat_device_delete(void);
void plat_device_init(void);
size_t plat_client_count_locked(void);

/* ---- scenario.c ---- */
void plat_scenario_stop_locked(void);
void plat_scenario_init(void);

/* ---- bridges.c: the hardware key of PSBATT\Bus (nut NULL) or of a
 * battery's NUTBATT\UPS device, from the machine description ---- */
NTSTATUS plat_bridge_params(const bk_machine_t *m, const bk_machine_battery_t *nut);
/* A machine named without a path ("host") -> data/machines/host.ini. */
const char *plat_machine_path(const char *arg, char *buf, size_t len);

/* ---- control.c: shared by the host API and the scenario runner ---- */
NTSTATUS plat_set_ac_locked(const char *name, bool online);
NTSTATUS plat_set_present_locked(const char *name, bool present);
NTSTATUS plat_set_faults_locked(const char *name, unsigned faults, bool on);
void plat_set_system_load_locked(const bk_load_t *load);
void plat_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void plat_keep_error(const char *text); /* without logging it again */

#endif

/* battkit's embedding API: how tests, the daemon and outside programs start
 * and drive the host. One host per process (it is the kernel). Every call is
 * made from a thread that is not running driver code (not a DPC or work item).
 *
 *   bk_host_t *h = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
 *   bk_host_install_shipped_drivers(h);          // the build's INFs, as Windows' inbox ones
 *   bk_host_add_root_device(h, "SIMBATT\\Battery", NULL, "BAT0", NULL, NULL); // bound by INF
 *   char **paths; size_t n = bk_host_list_interfaces(h, &GUID_DEVICE_BATTERY, &paths);
 *   bk_handle_t *bat; bk_host_open(h, paths[0], BK_ACCESS_READ, &bat);
 *   ULONG tag, wait = 0, got;
 *   bk_ioctl(bat, IOCTL_BATTERY_QUERY_TAG, &wait, 4, &tag, 4, &got);
 *   bk_host_advance(h, 3600ull * 1000000000);   // one virtual hour
 *   bk_close(bat); bk_host_free_list(paths, n); bk_host_destroy(h);
 */
#ifndef BATTKIT_HOST_H
#define BATTKIT_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <guiddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t bk_status_t; /* an NTSTATUS */
typedef struct bk_host bk_host_t;
typedef struct bk_handle bk_handle_t;
typedef struct bk_request bk_request_t;
typedef struct bk_device bk_device_t;

typedef struct bk_host_options {
    int virtual_time;           /* nonzero: time moves only by bk_host_advance */
    uint64_t start_system_time; /* 100 ns since 1601; 0 = now */
    const char *driver_dir;     /* NULL: $BATTKIT_DRIVER_DIR, build dir, install dir */
    const char *registry_file;  /* NULL: registry lives in memory only */
} bk_host_options_t;

bk_host_t *bk_host_create(const bk_host_options_t *options);
/* Removes every device, unloads every driver, checks the pool. Returns 0
 * when clean; otherwise nonzero, with the leaks (by driver and tag) logged
 * and available from bk_host_last_report(). */
int bk_host_destroy(bk_host_t *host);
const char *bk_host_last_report(void);

/* ---- time ---- */
uint64_t bk_host_now_ns(bk_host_t *host); /* interrupt time in ns */
int bk_host_is_virtual(bk_host_t *host);
/* Virtual time: moves the clock forward by ns, firing timers in order and
 * letting every DPC and work item run to completion at each step. */
void bk_host_advance(bk_host_t *host, uint64_t ns);
/* Waits until no DPC or work item is queued or running. */
void bk_host_settle(bk_host_t *host);
/* Interrupt time (ns, as bk_host_now_ns) at which the earliest armed timer
 * falls due; UINT64_MAX when none is armed. What a driver of virtual time
 * sleeps until when nothing else happens. */
uint64_t bk_host_next_timer_ns(bk_host_t *host);

/* ---- drivers and devices (PnP manager) ---- */
bk_status_t bk_host_load_driver(bk_host_t *host, const char *service, const char *so_path);
bk_status_t bk_host_unload_driver(bk_host_t *host, const char *service);
/* A root-enumerated device: the PnP manager creates its PDO with this
 * hardware ID, calls the driver's AddDevice and sends IRP_MN_START_DEVICE.
 * service NULL: the driver is chosen from the installed INFs by hardware ID
 * (ranked as Windows ranks them); a service name forces that driver; so_path
 * names an out-of-tree driver's shared object. */
bk_status_t bk_host_add_root_device(bk_host_t *host, const char *hardware_id, const char *service,
                                    const char *instance, const char *so_path,
                                    bk_device_t **device);
/* surprise = 1: IRP_MN_SURPRISE_REMOVAL then REMOVE; 0: QUERY_REMOVE then REMOVE. */
bk_status_t bk_host_remove_device(bk_host_t *host, bk_device_t *device, int surprise);
bk_device_t *bk_host_find_device(bk_host_t *host, const char *instance_path);

/* ---- device interfaces ---- */
/* Returns the number of enabled interfaces of the class, with a malloc'd
 * array of malloc'd UTF-8 symbolic link names; free with bk_host_free_list. */
size_t bk_host_list_interfaces(bk_host_t *host, const GUID *interface_class, char ***paths);
void bk_host_free_list(char **paths, size_t count);
typedef void (*bk_interface_event_fn)(void *context, const GUID *interface_class, const char *path,
                                      int arrived);
/* Calls fn for every interface arrival/removal (host side, not a driver). */
void *bk_host_watch_interfaces(bk_host_t *host, bk_interface_event_fn fn, void *context);
void bk_host_unwatch_interfaces(bk_host_t *host, void *watch);

/* ---- handles and I/O (what CreateFile/DeviceIoControl become) ---- */
#define BK_ACCESS_READ  0x0001u /* FILE_READ_DATA */
#define BK_ACCESS_WRITE 0x0002u /* FILE_WRITE_DATA */
bk_status_t bk_host_open(bk_host_t *host, const char *path, uint32_t access, bk_handle_t **handle);
/* Cancels the handle's pending requests (IRP_MJ_CLEANUP), then closes it. */
void bk_close(bk_handle_t *handle);

/* Synchronous DeviceIoControl. When the request pends it waits for it: on
 * real time as long as it takes, on virtual time by advancing the clock to
 * the next due timer until it completes, for at most one simulated week
 * (then the request is cancelled: STATUS_CANCELLED). */
bk_status_t bk_ioctl(bk_handle_t *handle, uint32_t code, const void *in, uint32_t in_len, void *out,
                     uint32_t out_len, uint32_t *returned);

/* Asynchronous form: the callback runs once, on completion or cancel, from
 * whatever thread completes the IRP; out must stay valid until then. */
typedef void (*bk_complete_fn)(void *context, bk_status_t status, uint32_t returned);
bk_status_t bk_ioctl_async(bk_handle_t *handle, uint32_t code, const void *in, uint32_t in_len,
                           void *out, uint32_t out_len, bk_complete_fn done, void *context,
                           bk_request_t **request);
/* IoCancelIrp on the request; harmless if it already completed. */
void bk_request_cancel(bk_request_t *request);
/* Status of a request: STATUS_PENDING until it completes. */
bk_status_t bk_request_status(bk_request_t *request, uint32_t *returned);
/* Waits for completion: real time up to timeout_ns; virtual time by
 * advancing the clock at most timeout_ns. Returns the final status, or
 * STATUS_PENDING if it did not complete within the bound. */
bk_status_t bk_request_wait(bk_request_t *request, uint64_t timeout_ns);
/* Forgets a completed request (or a pending one: it is cancelled first). */
void bk_request_free(bk_request_t *request);

/* ---- WMI (what the WMI service would ask a provider) ---- */
/* Queries one WMI data block of the device behind `handle` by GUID, into
 * `buffer` as the raw instance data (not a WNODE). */
bk_status_t bk_wmi_query(bk_handle_t *handle, const GUID *guid, void *buffer, uint32_t length,
                         uint32_t *returned);

/* ---- pool ---- */
typedef struct bk_pool_stats {
    uint64_t allocations, frees, bytes_outstanding, blocks_outstanding;
} bk_pool_stats_t;
void bk_host_pool_stats(bk_pool_stats_t *stats);
/* Completions whose Information claimed more than the caller's output
 * buffer (a driver bug: the I/O manager clamps it and logs a warning);
 * tests and fuzz targets check that it stays 0. */
uint64_t bk_host_io_clamped_count(void);
/* IoCallDriver calls since the host process started, every hop of every
 * IRP down a stack counted once (tests count what an operation sends). */
uint64_t bk_host_io_call_count(void);

/* ---- wmi/registry additions ---- */
/* Registry: writes the registry to options.registry_file now, atomically
 * (a crash leaves the old file or the new one). It is also written when the
 * host is destroyed. STATUS_SUCCESS when the registry lives in memory only. */
bk_status_t bk_registry_flush(void);

/* WMI events, as a WMI event consumer sees them. The first watch of an
 * event block sends IRP_MN_ENABLE_EVENTS to every provider of it (also to
 * providers registering later); the last unwatch sends DISABLE_EVENTS.
 * Only watched events are delivered: fn runs on a host worker at
 * PASSIVE_LEVEL with the event's data and the instance's static name
 * ("ACPI\PNP0C0A\1_0"; NULL when the provider has none). After
 * bk_wmi_unwatch_events returns, fn is not running and not called again
 * (it may also be called from inside fn). */
typedef void (*bk_wmi_event_fn)(void *context, const GUID *guid, const char *instance_name,
                                const void *data, uint32_t size);
void *bk_wmi_watch_events(const GUID *guid, bk_wmi_event_fn fn, void *context);
void bk_wmi_unwatch_events(void *watch);
/* The static instance names WMI generated for a block over every provider
 * (PDO-based "<instance path>_<n>", base name + n, or the provider's
 * list). Returns the count; free with bk_host_free_list. */
size_t bk_wmi_list_instances(const GUID *guid, char ***names);

/* ---- platform additions ---- */
/* The simulated machine (ntos/platform): batteries driven by the battery
 * model, AC adapters, and the devices that sit on them. Names are the
 * machine file's ("BAT0", "ADP1"). Every change raises the ACPI Notify a
 * firmware would (to drivers, on a worker, never on the caller's stack). */

/* Loads a machine description (NULL: the embedded default laptop): one
 * model pack per battery, the AC adapters, \Device\BattkitPlatform, the
 * shipped driver INFs installed (acpi.inf, cmbatt.inf, simbatt.inf bind the
 * devices below by hardware ID), the root device ACPI_HAL\PNP0C08 when something sits on
 * ACPI, "SIMBATT\Battery" root devices (instance = battery name) for
 * batteries on simbatt, and the file's own root devices. A bad file is
 * refused with "FILE:LINE: reason" logged and in bk_platform_last_error(),
 * STATUS_INVALID_PARAMETER, and nothing kept. One machine at a time. */
bk_status_t bk_host_load_machine(bk_host_t *host, const char *machine_file);
/* Removes the machine's root devices, then the platform device and packs.
 * bk_host_destroy does this too. */
void bk_host_unload_machine(bk_host_t *host);
const char *bk_platform_last_error(void);

/* Faults (the values of platform.h's BATTKIT_FAULT_*). */
#define BK_PLATFORM_FAULT_NO_ANSWER 0x01u /* methods fail: STATUS_IO_TIMEOUT */
#define BK_PLATFORM_FAULT_STUCK     0x02u /* readings frozen */
#define BK_PLATFORM_FAULT_SENSOR    0x04u /* rate, voltage, temperature unknown */
#define BK_PLATFORM_FAULT_CRITICAL  0x08u /* critical bit forced on */
#define BK_PLATFORM_FAULT_WRONG_TAG 0x10u /* simbatt answers with a stale tag */

/* Control. adapter NULL = every AC adapter. */
bk_status_t bk_platform_set_ac(bk_host_t *host, const char *adapter, int online);
/* System load, shared by the present batteries while on battery. */
bk_status_t bk_platform_set_load_w(bk_host_t *host, double watts);
typedef struct bk_platform_segment {
    uint64_t duration_ns;
    double watts;
} bk_platform_segment_t;
bk_status_t bk_platform_set_load_profile(bk_host_t *host, const bk_platform_segment_t *segments,
                                         size_t count, int repeat);
/* Hot insertion/removal: _STA bit 4, Notify 0x01 then 0x81 then 0x80. */
bk_status_t bk_platform_set_present(bk_host_t *host, const char *battery, int present);
bk_status_t bk_platform_set_faults(bk_host_t *host, const char *battery, uint32_t faults, int on);
bk_status_t bk_platform_drop_capacity(bk_host_t *host, const char *battery, double percent);
bk_status_t bk_platform_set_soc(bk_host_t *host, const char *battery, double percent);
bk_status_t bk_platform_set_temperature(bk_host_t *host, const char *battery, double celsius);
bk_status_t bk_platform_set_ambient(bk_host_t *host, double celsius);
bk_status_t bk_platform_age(bk_host_t *host, const char *battery, double cycles, double days);
/* Firmware shape: bif_only = an older firmware with _BIF and no _BIX;
 * mah = Power Unit 1 (capacities in mAh, rates in mA). Raises 0x81. */
bk_status_t bk_platform_set_firmware(bk_host_t *host, const char *battery, int bif_only, int mah);

/* Scenario files (docs/model.md): each event is applied at its time by a
 * host timer, relative to now. Refused with "FILE:LINE: reason". */
bk_status_t bk_platform_run_scenario(bk_host_t *host, const char *scenario_file);
int bk_platform_scenario_running(bk_host_t *host);
void bk_platform_stop_scenario(bk_host_t *host);

/* The model's own values (physics, not the gauge; faults do not apply). */
typedef struct bk_platform_reading {
    char name[32];
    int kind;    /* 1 battery, 2 AC adapter (BATTKIT_DEVICE_KIND) */
    int bus;     /* 1 acpi, 2 simbatt, 3 nut (BATTKIT_DEVICE_BUS) */
    int present; /* battery inserted; adapter online */
    double soc_percent;
    double remaining_mwh, full_charge_mwh, design_mwh;
    double power_w; /* + charging, - discharging */
    double voltage_v, current_a, temperature_c;
    uint32_t cycle_count;
    int charging, discharging, critical, depleted;
    const char *charger; /* "off", "cc", "cv", "full", "inhibited" */
    uint32_t faults;     /* BK_PLATFORM_FAULT_* */
    uint32_t trip_mwh;   /* _BTP armed by the driver, 0 = none */
} bk_platform_reading_t;
bk_status_t bk_platform_read(bk_host_t *host, const char *name, bk_platform_reading_t *out);
/* Every device (batteries, then adapters); returns the count, fills up to max. */
size_t bk_platform_snapshot(bk_host_t *host, bk_platform_reading_t *out, size_t max);
/* The model's own integral: seconds until the battery's remaining capacity
 * falls to level_mwh under a constant load_w on battery (bk_model's
 * predictor on the live pack). Negative when there is no such battery. */
double bk_platform_predict_seconds(bk_host_t *host, const char *battery, double load_w,
                                   double level_mwh);
/* What the drivers asked of the firmware since the host process started,
 * and what answering cost (tests count what one request does). */
typedef struct bk_platform_counters {
    uint64_t battery_reads;    /* ReadBattery: each _BST, _BIX, _BIF, _STA */
    uint64_t ac_reads;         /* ReadAcAdapter: each _PSR */
    uint64_t identity_formats; /* model, serial, chemistry, OEM strings formatted */
    uint64_t model_integrals;  /* the battery model's OCV curve integrals */
} bk_platform_counters_t;
void bk_platform_counters(bk_host_t *host, bk_platform_counters_t *out);

/* ---- pnp/power additions ---- */
/* Binds a hardware or compatible ID to a driver for bus-reported devices:
 * writes Control\battkit\Bindings\<ID with '\' as '#'> (Service, and
 * ImagePath when so_path names an out-of-tree driver), the key the INF
 * installer writes too. A device's IDs are ranked together, as Windows ranks
 * them (docs/setup.md); a binding made by hand ranks best. */
bk_status_t bk_host_bind(bk_host_t *host, const char *hardware_id, const char *service,
                         const char *so_path);

/* A device's place in the tree, for tests and tools. The pointer from
 * bk_host_add_root_device/bk_host_find_device is valid until the device is
 * removed. A root device's instance path is ROOT\<first part of its
 * hardware ID>\<instance or NNNN>; a bus-reported one is
 * <device ID>\<instance ID> as its bus driver answers IRP_MN_QUERY_ID. */
typedef enum bk_device_state {
    BK_DEVICE_INITIALIZED = 0, /* reported; no driver (yet) */
    BK_DEVICE_DRIVER_LOADED,   /* AddDevice done, not started */
    BK_DEVICE_STARTED,
    BK_DEVICE_STOPPED,
    BK_DEVICE_SURPRISE_REMOVED,
    BK_DEVICE_REMOVED, /* failed start or failed state: stays until its bus forgets it */
    BK_DEVICE_DELETED,
} bk_device_state_t;
const char *bk_device_instance_path(bk_device_t *device);
void *bk_device_pdo(bk_device_t *device); /* the PDEVICE_OBJECT of the device */
bk_device_state_t bk_device_state(bk_device_t *device);
/* The by-tag pool report of the last driver the PnP manager unloaded with
 * pool still allocated ("" if none); removal then returned a failure. */
const char *bk_host_last_unload_report(bk_host_t *host);

/* System power: sends IRP_MN_SET_POWER (SystemPowerState) to the top of
 * every started device stack, children before parents when going to sleep
 * and parents first when waking, one at a time, and records the state.
 * system_state is a SYSTEM_POWER_STATE (1 = working ... 6 = shut down).
 * Returns the first failure a driver reported, after reaching every device. */
bk_status_t bk_host_set_system_power(bk_host_t *host, int system_state);
int bk_host_system_power(bk_host_t *host);

/* ---- the power manager's system battery state and DC policy (ntos/po) ----
 * The power manager opens \Device\CompositeBattery when the composite
 * battery starts and keeps the system's battery state current by waits on
 * it (docs/compbatt.md). Without a composite the system has no battery. */
typedef struct bk_power_state {
    /* SYSTEM_BATTERY_STATE (CallNtPowerInformation(SystemBatteryState)) */
    uint8_t ac_on_line, battery_present, charging, discharging;
    uint32_t max_capacity;       /* mWh (or relative units): full charge */
    uint32_t remaining_capacity; /* same unit */
    int32_t rate;                /* mW, < 0 discharging; BATTERY_UNKNOWN_RATE as INT32_MIN */
    uint32_t estimated_time;     /* seconds to empty, 0xFFFFFFFF unknown */
    uint32_t default_alert1, default_alert2;
    /* SYSTEM_POWER_STATUS (GetSystemPowerStatus) */
    uint8_t ac_line_status, battery_flag, battery_life_percent, system_status_flag;
    uint32_t battery_life_time, battery_full_life_time;
    /* battkit's additions */
    uint32_t composite_tag;         /* 0 when no battery */
    uint32_t capabilities;          /* the composite's BATTERY_INFORMATION.Capabilities */
    uint32_t composite_power_state; /* BATTERY_STATUS.PowerState of the composite */
    uint32_t policy_level;          /* BK_PO_LEVEL_* the system is in */
    uint32_t actions_taken;         /* DC policy actions fired since the host started */
    uint64_t generation;            /* grows on every change of the above */
    uint64_t updated_ns;            /* host interrupt time of the last change */
} bk_power_state_t;

/* The state now (the composite is read at once, so this matches it). */
bk_status_t bk_host_power_state(bk_host_t *host, bk_power_state_t *out);
/* Called (on a host worker thread, not under a lock) after every change
 * of the power manager's state; keep it short. */
typedef void (*bk_power_change_fn)(void *context, const bk_power_state_t *state);
void *bk_host_watch_power(bk_host_t *host, bk_power_change_fn fn, void *context);
/* Returns after any call of fn in progress has finished. */
void bk_host_unwatch_power(bk_host_t *host, void *watch);

/* DC power policy: three levels, each a charge (percent) and optionally a
 * remaining time (minutes, 0 = not used; the level is reached at whichever
 * comes first), with an action. The critical action waits
 * critical_delay_s; AC coming back in that time cancels it. */
enum bk_po_action {
    BK_PO_ACTION_NONE = 0,
    BK_PO_ACTION_SLEEP = 1,
    BK_PO_ACTION_HIBERNATE = 2,
    BK_PO_ACTION_SHUTDOWN = 3,
    BK_PO_ACTION_NOTIFY = 4,
    BK_PO_ACTION_COUNT
};
enum bk_po_level {
    BK_PO_LEVEL_NORMAL = 0,
    BK_PO_LEVEL_LOW = 1,
    BK_PO_LEVEL_RESERVE = 2,
    BK_PO_LEVEL_CRITICAL = 3,
    BK_PO_LEVEL_COUNT
};
typedef struct bk_dc_policy {
    uint32_t percent[BK_PO_LEVEL_COUNT]; /* [LOW], [RESERVE], [CRITICAL]; [NORMAL] unused */
    uint32_t minutes[BK_PO_LEVEL_COUNT];
    uint32_t action[BK_PO_LEVEL_COUNT];
    uint32_t critical_delay_s;
} bk_dc_policy_t;
void bk_host_get_dc_policy(bk_host_t *host, bk_dc_policy_t *out);
/* Validates (STATUS_INVALID_PARAMETER with a message naming the setting
 * in why), applies and persists in the host registry. */
bk_status_t bk_host_set_dc_policy(bk_host_t *host, const bk_dc_policy_t *policy, char *why,
                                  size_t why_len);
const char *bk_po_action_name(uint32_t action); /* "none", "sleep", ...; "?" */
int bk_po_action_from_name(const char *name);   /* -1 if unknown */
const char *bk_po_level_name(uint32_t level);   /* "normal", "low", "reserve", "critical" */

/* A DC policy action being carried out. The host does not own the
 * machine: the handler (battd runs a configured command) does it. */
typedef struct bk_power_action {
    uint32_t level, action, percent;
    uint32_t remaining_s; /* the estimate then, 0xFFFFFFFF unknown */
    uint64_t time_ns;     /* host interrupt time */
    uint64_t system_time; /* 100 ns since 1601 (the host clock) */
} bk_power_action_t;
typedef void (*bk_power_action_fn)(void *context, const bk_power_action_t *action);
void bk_host_set_power_action_handler(bk_host_t *host, bk_power_action_fn fn, void *context);
/* The last actions (oldest first), up to max; returns how many were copied. */
size_t bk_host_power_actions(bk_host_t *host, bk_power_action_t *out, size_t max);

/* ---- setup additions ---- */
/* Installing drivers from their INF files (ntos/setup; docs/setup.md), the
 * way Windows installs a driver package: the INF is verified (the battery
 * rules for Class=Battery, the generic rules for any other), the files its
 * CopyFiles name are copied into the driver store (a NAME.sys is satisfied
 * by NAME.so beside the INF), the services are written under
 * Services\<name>, one binding per models hardware and compatible ID under
 * Control\battkit\Bindings (the best-ranked package wins each ID: see
 * docs/setup.md), the package is recorded under Control\battkit\
 * DriverStore\<inf>, the registry is written to its file in one atomic
 * step, and present devices are re-evaluated (a device without a driver
 * that now matches is started; one whose best driver changed is restarted
 * with the new one). Every call is made from a thread that is not running
 * driver code; installs are serialized. */

#define BK_SETUP_TRUSTED   0x0001u /* ranked as signed (signature score 0x00) */
#define BK_SETUP_IN_PLACE  0x0002u /* files used where they are: nothing copied to the store */
#define BK_SETUP_NO_REBIND 0x0004u /* store and registry only; devices are not re-evaluated */

/* Report text: one line per step or problem ("FILE:LINE: error: ..." for a
 * refused INF); report may be NULL, it is truncated to len. */
bk_status_t bk_host_install_inf(bk_host_t *host, const char *inf_path, char *report, size_t len);
bk_status_t bk_host_install_inf_ex(bk_host_t *host, const char *inf_path, uint32_t flags,
                                   char *report, size_t len);
/* name: a function driver's service name or an installed INF's name
 * ("simbatt" or "simbatt.inf"). Devices using it are removed (QUERY_REMOVE,
 * REMOVE_DEVICE; a veto fails the call with STATUS_DEVICE_BUSY and nothing
 * changed), the driver is unloaded, its keys and store directory deleted;
 * the devices are then re-evaluated against the drivers that remain. */
bk_status_t bk_host_uninstall_driver(bk_host_t *host, const char *name, char *report, size_t len);

typedef struct bk_installed_driver {
    char *inf;           /* its name in the store ("simbatt.inf") */
    char *original_path; /* where it was installed from */
    char *store_dir;     /* the package directory (the INF's own when in place) */
    char *class_name;    /* [Version] Class, ClassGuid, Provider */
    char *class_guid;
    char *provider;
    char *driver_date;    /* DriverVer: mm/dd/yyyy */
    char *driver_version; /* DriverVer: w.x.y.z ("" if none) */
    char *services;       /* comma-separated, function drivers first */
    char *ids;            /* comma-separated hardware and compatible IDs it binds */
    uint32_t flags;       /* BK_SETUP_TRUSTED | BK_SETUP_IN_PLACE as installed */
} bk_installed_driver_t;
/* The installed packages in name order; free with bk_host_free_installed. */
size_t bk_host_list_installed(bk_host_t *host, bk_installed_driver_t **list);
void bk_host_free_installed(bk_installed_driver_t *list, size_t count);

/* Installs every *.inf in the driver directory (where the build puts each
 * driver's INF beside its .so), in place and trusted, as Windows' inbox
 * drivers are; then re-evaluates present devices once. Idempotent: a
 * second call changes nothing. Returns the first failure (each is logged)
 * after trying every INF. */
bk_status_t bk_host_install_shipped_drivers(bk_host_t *host);

/* The driver store directory (packages go to DIR/<inf name>_<hash>/).
 * NULL: the default, bk_setup_default_paths' store. */
bk_status_t bk_host_set_driver_store(bk_host_t *host, const char *dir);
const char *bk_host_driver_store(bk_host_t *host);
/* Where battd and `battinf` keep their state unless told otherwise: the
 * state directory is $BATTKIT_STATE_DIR, else /var/lib/battkit for root,
 * else $XDG_STATE_HOME/battkit, else $HOME/.local/state/battkit; the
 * registry file is STATE/registry and the store STATE/driverstore. Either
 * buffer may be NULL. 0, or -1 when a path does not fit. */
int bk_setup_default_paths(char *registry_file, size_t registry_len, char *store_dir,
                           size_t store_len);

/* battd's privileged SETUP request, served by the daemon's own host:
 * op 1 install (arg: absolute INF path, flags BK_SETUP_*), 2 uninstall
 * (arg: name), 3 list (arg ignored; the report lists the packages). The
 * registry is flushed before it returns, and the bindings apply to the
 * running host at once: no restart. */
#define BK_SETUP_OP_INSTALL   1u
#define BK_SETUP_OP_UNINSTALL 2u
#define BK_SETUP_OP_LIST      3u
bk_status_t setup_install_for_daemon(bk_host_t *host, uint32_t op, const char *arg, uint32_t flags,
                                     char *report, size_t len);

/* Test hook: called at each step of an install; a nonzero return makes the
 * install fail there (STATUS_UNSUCCESSFUL) with everything undone, as if
 * the step had failed. At BK_SETUP_AT_COMMITTED the registry file is
 * already written: the return value is ignored there. Tests that kill the
 * process use the same points. fn NULL removes the hook. */
enum bk_setup_point {
    BK_SETUP_AT_FILES_STAGED = 1,          /* files copied to a temp dir in the store */
    BK_SETUP_AT_FILES_PLACED = 2,          /* temp dir renamed into place; registry untouched */
    BK_SETUP_AT_REGISTRY_STAGED = 3,       /* every registry change computed, none applied */
    BK_SETUP_AT_REGISTRY_HALF_APPLIED = 4, /* half applied in memory, file not written */
    BK_SETUP_AT_COMMITTED = 5,             /* registry file written; old files not yet removed */
};
typedef int (*bk_setup_fault_fn)(void *context, int point);
void bk_setup_set_fault_hook(bk_setup_fault_fn fn, void *context);

#ifdef __cplusplus
}
#endif
#endif

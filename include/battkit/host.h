/* battkit's embedding API: how tests, the daemon and outside programs start
 * and drive the host. One host per process (it is the kernel). Every call is
 * made from a thread that is not running driver code (not a DPC or work item).
 *
 *   bk_host_t *h = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
 *   bk_host_add_root_device(h, "SIMBATT\\Battery", "simbatt", "BAT0", NULL);
 *   char **paths; size_t n = bk_host_list_interfaces(&GUID_DEVICE_BATTERY, &paths);
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
    int virtual_time;            /* nonzero: time moves only by bk_host_advance */
    uint64_t start_system_time;  /* 100 ns since 1601; 0 = now */
    const char *driver_dir;      /* NULL: $BATTKIT_DRIVER_DIR, build dir, install dir */
    const char *registry_file;   /* NULL: registry lives in memory only */
} bk_host_options_t;

bk_host_t *bk_host_create(const bk_host_options_t *options);
/* Removes every device, unloads every driver, checks the pool. Returns 0
 * when clean; otherwise nonzero, with the leaks (by driver and tag) logged
 * and available from bk_host_last_report(). */
int bk_host_destroy(bk_host_t *host);
const char *bk_host_last_report(void);

/* ---- time ---- */
uint64_t bk_host_now_ns(bk_host_t *host);   /* interrupt time in ns */
int bk_host_is_virtual(bk_host_t *host);
/* Virtual time: moves the clock forward by ns, firing timers in order and
 * letting every DPC and work item run to completion at each step. */
void bk_host_advance(bk_host_t *host, uint64_t ns);
/* Waits until no DPC or work item is queued or running. */
void bk_host_settle(bk_host_t *host);

/* ---- drivers and devices (PnP manager) ---- */
bk_status_t bk_host_load_driver(bk_host_t *host, const char *service, const char *so_path);
bk_status_t bk_host_unload_driver(bk_host_t *host, const char *service);
/* A root-enumerated device: the PnP manager creates its PDO with this
 * hardware ID, calls the service's AddDevice and sends IRP_MN_START_DEVICE.
 * so_path names an out-of-tree driver (NULL: the installed/built-in one). */
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
typedef void (*bk_interface_event_fn)(void *context, const GUID *interface_class,
                                      const char *path, int arrived);
/* Calls fn for every interface arrival/removal (host side, not a driver). */
void *bk_host_watch_interfaces(bk_host_t *host, bk_interface_event_fn fn, void *context);
void bk_host_unwatch_interfaces(bk_host_t *host, void *watch);

/* ---- handles and I/O (what CreateFile/DeviceIoControl become) ---- */
#define BK_ACCESS_READ 0x0001u  /* FILE_READ_DATA */
#define BK_ACCESS_WRITE 0x0002u /* FILE_WRITE_DATA */
bk_status_t bk_host_open(bk_host_t *host, const char *path, uint32_t access, bk_handle_t **handle);
/* Cancels the handle's pending requests (IRP_MJ_CLEANUP), then closes it. */
void bk_close(bk_handle_t *handle);

/* Synchronous DeviceIoControl. When the request pends it waits for it: on
 * real time as long as it takes, on virtual time by advancing the clock to
 * the next due timer until it completes (a bounded simulation). */
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

/* ---- wmi/registry additions ---- */
/* Registry: writes the registry to options.registry_file now, atomically
 * (a crash leaves the old file or the new one). It is also written when the
 * host is destroyed. STATUS_SUCCESS when the registry lives in memory only. */
bk_status_t bk_registry_flush(void);

/* ---- pnp/power additions ---- */
/* Binds a hardware or compatible ID to a driver for bus-reported devices:
 * writes Control\battkit\Bindings\<ID with '\' as '#'> (Service, and
 * ImagePath when so_path names an out-of-tree driver), the key the INF
 * installer writes too. Hardware IDs are matched before compatible IDs. */
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

#ifdef __cplusplus
}
#endif
#endif

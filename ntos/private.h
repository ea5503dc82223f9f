/* Host-private declarations shared by the ntos managers. Never included by
 * drivers: everything a driver may call is in include/ under WDK names. */
#ifndef NTOS_PRIVATE_H
#define NTOS_PRIVATE_H

#include <wdm.h>
#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>
#include <stdarg.h>

/* ---- clock (clock.c): the one time source, real or virtual ------------ */
typedef enum { CLK_REAL = 0, CLK_VIRTUAL = 1 } clk_mode_t;
void clk_init(clk_mode_t mode, uint64_t system_time_at_start);
clk_mode_t clk_mode(void);
uint64_t clk_now(void);               /* interrupt time, 100 ns units since start */
uint64_t clk_system_base(void);       /* system time (100 ns since 1601) at interrupt time 0 */
void clk_set_virtual_now(uint64_t t); /* ke only: moves virtual time forward */
uint64_t clk_realtime_deadline_ns(uint64_t interrupt_time); /* CLOCK_MONOTONIC ns for a due time */

/* ---- ke: dispatcher, IRQL, DPCs, work, timers ------------------------- */
typedef struct ke_work {
    LIST_ENTRY link;
    void (*run)(struct ke_work *work);
} ke_work_t;

void ke_init(void);
void ke_shutdown(void);
void ke_lock(void); /* the dispatcher lock: dispatcher objects, queues, timers */
void ke_unlock(void);
/* How often the dispatcher lock was taken so far (tests: paths that must
 * not take it). */
uint64_t ke_lock_count(void);
/* Queues work for a PASSIVE_LEVEL worker thread. */
void ke_queue_work(ke_work_t *work);
/* Blocks until no DPC or work item is queued or running (blocked waits aside). */
void ke_settle(void);
/* Virtual time only: moves the clock forward to `target`, firing each timer
 * and timing out each wait at its own due time, settling after every step. */
void ke_advance_to(uint64_t target);
uint64_t ke_next_due(void); /* earliest timer or wait deadline (100 ns), UINT64_MAX if none */
void ke_set_irql(KIRQL irql);
LONG ke_critical_region_depth(void); /* the calling thread's (ke/thread.c) */
/* The calling thread's IRQL (ke/irql.c). Initial-exec TLS and hidden: a
 * plain load, where the default model costs a __tls_get_addr call on every
 * raise, lower and assert of the hot paths. */
extern __thread KIRQL ke_current_irql
    __attribute__((tls_model("initial-exec"), visibility("hidden")));
/* Stops the host: `routine` was called above the IRQL it allows. */
__attribute__((noreturn, cold)) void ke_irql_violation(KIRQL max, const char *routine);
static inline void ke_assert_irql_le(KIRQL max, const char *routine)
{
    if (__builtin_expect(ke_current_irql > max, 0))
        ke_irql_violation(max, routine);
}
#define KE_ASSERT_IRQL_LE(max) ke_assert_irql_le((max), __func__)
/* Satisfies waiters of an object that just became signalled. ke_lock held. */
void ke_signal_object_locked(DISPATCHER_HEADER *header);
void ke_timer_fire_expired_locked(uint64_t now);
/* Real time: the interrupt time the DPC thread sleeps to: when the first
 * group of timers whose [due, due + TolerableDelay] windows overlap is all
 * due (no timer fires later than its tolerance allows). */
uint64_t ke_timer_group_wake_locked(void);
/* Tests: how often the DPC thread was signalled to look again, and the
 * interrupt time it sleeps to (UINT64_MAX: until signalled; 0: awake). */
uint64_t ke_dpc_thread_signals(void);
uint64_t ke_dpc_thread_sleep_until(void);

/* ---- ex: pool with owner and tag accounting ---------------------------- */
typedef struct ex_pool_stats {
    uint64_t allocations, frees, bytes_outstanding, blocks_outstanding;
} ex_pool_stats_t;
/* Owner: the loaded module (driver) whose code asked, or NULL for the host. */
void *ex_alloc(POOL_TYPE type, SIZE_T size, ULONG tag, bool zero, const void *caller);
void ex_free(void *p, ULONG tag, bool check_tag);
/* Attributes a block to the module holding `caller` (a framework object
 * the host made on a driver's behalf, such as its device object). */
void ex_set_owner(void *p, const void *caller);
void ex_pool_stats(ex_pool_stats_t *stats);
/* How often the pool lock was taken (tests count the work a path does). */
uint64_t ex_pool_lock_rounds(void);
/* Calls fn for each outstanding block owned by `owner` (NULL: every block).
 * Returns the number of blocks. */
size_t ex_pool_walk(const void *owner, void (*fn)(ULONG tag, SIZE_T size, void *ctx), void *ctx);
/* Formats "tag 'Bat1': 3 blocks, 120 bytes; ..." for the leaks of `owner`. */
size_t ex_pool_leak_report(const void *owner, char *buf, size_t len);

/* ---- ldr: which module owns a code address ---------------------------- */
const void *ldr_owner_of(const void *code_address); /* NULL = host */
/* How often ldr_owner_of had to search the module table (not its cache). */
uint64_t ldr_owner_scans(void);

/* ---- ob / io ----------------------------------------------------------- */
#define IO_TYPE_DEVICE 3
#define IO_TYPE_DRIVER 4
#define IO_TYPE_FILE   5
#define IO_TYPE_IRP    6

typedef struct _DEVOBJ_EXTENSION {
    PDEVICE_OBJECT DeviceObject;
    PDEVICE_OBJECT AttachedTo;      /* the device below in the stack */
    struct pnp_devnode *DeviceNode; /* set on PDOs */
    bool DeletePending;
    UNICODE_STRING Name;
    LIST_ENTRY NamedLink;
} DEVOBJ_EXTENSION;

/* IRP flags owned by the host. */
#define BK_IRP_IO_BUILT   0x40000000u /* IoBuildDeviceIoControlRequest: host frees it */
#define BK_IRP_HOST_OWNED 0x20000000u /* submitted by the host: finish callback frees it */
#define BK_IRP_COMPLETED  0x10000000u

/* Host-originated request: the finish callback runs once the IRP completes
 * all the way up; the IRP and its system buffer are freed after it returns. */
typedef void (*io_finish_fn)(PIRP irp, void *context);
PIRP io_build_host_ioctl(PDEVICE_OBJECT target, PFILE_OBJECT file, ULONG code, const void *in,
                         ULONG in_len, void *out, ULONG out_len, io_finish_fn finish,
                         void *context);
PIRP io_build_host_irp(PDEVICE_OBJECT target, UCHAR major, UCHAR minor, io_finish_fn finish,
                       void *context);
NTSTATUS io_check_ioctl_access(PFILE_OBJECT file, ULONG code);
/* Sends IRP_MJ_CREATE / _CLEANUP / _CLOSE for a file object and waits. */
NTSTATUS io_send_file_irp(PDEVICE_OBJECT device, PFILE_OBJECT file, UCHAR major);
#define FO_CLEANUP_COMPLETE 0x00004000
#define FO_OPENED           0x00100000 /* IRP_MJ_CREATE succeeded: CLEANUP/CLOSE are owed */
/* A driver object made by the host itself (NULL name: set by the caller);
 * every major function starts as io_invalid_device_request. */
void io_init_driver_object(PDRIVER_OBJECT driver, PDRIVER_EXTENSION extension, PCWSTR name);
NTSTATUS io_invalid_device_request(PDEVICE_OBJECT DeviceObject, PIRP Irp);
void io_init(void);
void io_shutdown(void);

/* An object type of the handle table (ob/handle.c): how a handle's object
 * gains and drops a reference, and what closing its handle does. has_body:
 * ObReferenceObjectByHandle may hand the object to a driver (which drops it
 * with ObDereferenceObject). */
struct _OBJECT_TYPE {
    const char *name;
    bool has_body;
    void (*reference)(void *object);
    void (*dereference)(void *object);
    void (*close_handle)(void *object);
};
HANDLE ob_insert_handle(POBJECT_TYPE type, void *object, ACCESS_MASK granted); /* NULL: full */
/* The object behind a handle, referenced; `type` NULL takes any type. */
NTSTATUS ob_reference_handle(HANDLE handle, POBJECT_TYPE type, void **object, ACCESS_MASK *granted,
                             POBJECT_TYPE *actual);
/* Closes every handle of a type still open (host shutdown); how many. */
size_t ob_close_handles_of_type(POBJECT_TYPE type);
void ob_handles_reset_hint(void);
/* Symbolic links (ob/symlink.c): the device name a link names, resolved
 * through links to links; returns false if `name` is not a link. */
bool ob_resolve_symbolic_link(PCUNICODE_STRING name, UNICODE_STRING *target, WCHAR *buf,
                              size_t buf_chars);
void ob_symbolic_links_shutdown(void);
/* Callback objects (ob/callback.c). */
void ob_callbacks_shutdown(void);
#define IO_TYPE_CALLBACK 0x20 /* the Type field of a callback object */
void ob_callback_reference(PVOID object);
void ob_callback_dereference(PVOID object);

PDEVICE_OBJECT ob_lookup_named_device(PCUNICODE_STRING name); /* referenced */
/* Opens a device by name or link: IRP_MJ_CREATE to the top of its stack. */
NTSTATUS io_open_device_by_name(PCUNICODE_STRING name, ACCESS_MASK access, PFILE_OBJECT *file);
size_t io_close_file_handles(void); /* host shutdown: how many were left open */
PFILE_OBJECT ob_create_file(PDEVICE_OBJECT device, ACCESS_MASK access);
PDEVICE_OBJECT ob_lower_device(PDEVICE_OBJECT device);
size_t ob_live_devices(void);

/* ---- pnp / po / wmi / registry (their own folders) -------------------- */
void pnp_init(void);
void pnp_shutdown(void); /* removes every device, deepest first */
/* The top of the device stack behind an enabled device interface (a
 * symbolic link, UTF-8), referenced; NULL if no such enabled interface. */
PDEVICE_OBJECT pnp_reference_interface_target(const char *path);
/* The PDO's device instance path (UTF-8); 0 and "" if not a known PDO. */
size_t pnp_instance_path(PDEVICE_OBJECT pdo, char *buf, size_t len);
/* The PDOs of every started device, parents before children, each
 * referenced; free() the array after dereferencing them. */
size_t pnp_started_pdos(PDEVICE_OBJECT **pdos);
void po_init(void);
void po_shutdown(void);
/* Forgets the power states PoSetPowerState recorded for a stack's devices. */
void po_forget_pdo(PDEVICE_OBJECT pdo);
/* What PoSetPowerState last recorded for a device (D0 / working if never). */
DEVICE_POWER_STATE po_device_power_state(PDEVICE_OBJECT device);
SYSTEM_POWER_STATE po_system_power_state_of(PDEVICE_OBJECT device);
/* How many times PoStartNextPowerIrp was called (tests). */
ULONG po_start_next_count(void);
/* The PnP manager tells the power manager when a device has started and
 * before one is removed: the composite battery is opened and let go then. */
void po_device_started(PDEVICE_OBJECT pdo);
void po_device_removing(PDEVICE_OBJECT pdo);
void wmi_init(void);
void wmi_shutdown(void);
/* The device a host handle talks to (the top of its stack, referenced by
 * the handle); defined in host.c, used by the WMI host API. */
struct bk_handle;
PDEVICE_OBJECT bk_handle_device(struct bk_handle *handle);
void reg_init(const char *persist_file);
void reg_shutdown(void);

/* ---- pnp: re-evaluating bindings for the installer (pnp/rebind.c) ----- */
/* Removes the stack of every device whose function driver is `service`
 * (QUERY_REMOVE then REMOVE_DEVICE, children first; the devnode stays,
 * without a driver, since its bus still reports it). STATUS_SUCCESS, or the
 * veto's status with the vetoing device's instance path in `vetoed` (the
 * devices removed before it stay removed: pnp_rebind restarts them). */
NTSTATUS pnp_unbind_service(const char *service, char *vetoed, size_t len);
/* Re-evaluates every device in the tree against the Bindings key: a device
 * without a driver that now has a binding is started with it; a running
 * device whose best binding names another service, or (for a service in
 * `changed`) another image path, is removed and started again with it. A
 * veto leaves the device as it is. Returns how many devices were started. */
size_t pnp_rebind(const char *const *changed, size_t nchanged);

/* ---- setup: the INF installer (setup/) -------------------------------- */
/* Copies the per-device registry values of the package a device was bound
 * by (its DDInstall AddReg to Enum\<instance>\Driver, its .HW AddReg to
 * Enum\<instance>\Device Parameters): the binding is the best-ranked of
 * the device's IDs (hardware IDs, then compatible IDs; UTF-8 MULTI_SZ)
 * whose Bindings entry names `service`, as pnp_find_binding ranks them.
 * Copied once per package installed on the device (the Driver key records
 * InfPath, InfSection, DriverDate, DriverVersion, MatchingDeviceId).
 * Nothing happens for a binding made by hand (bk_host_bind). PASSIVE_LEVEL. */
void setup_apply_device_keys(const char *instance_path, const char *hardware_ids,
                             const char *compatible_ids, const char *service);
/* The Windows rank (docs: 0xSSGGTHHH, lower is better) of a Bindings entry
 * whose Rank value is `rank` (0 for a binding made by hand) when it matched
 * the device's hardware ID (device_compat false) or compatible ID at
 * position pos: for the PnP manager to rank across a device's IDs. */
ULONG setup_binding_score(ULONG rank, bool device_compat, unsigned pos);

/* ---- platform (ntos/platform): the simulated machine ----------------- */
/* bk_host_create calls plat_init after pnp_init; bk_host_destroy calls
 * plat_shutdown after pnp_shutdown and ke_settle (the bus drivers have let
 * the platform go), before io/ke shut down. Until then the platform
 * initialises itself on first use and bk_host_unload_machine tears it down. */
void plat_init(void);
void plat_shutdown(void);

/* ---- rtl: small helpers the host itself uses -------------------------- */
size_t rtl_wcslen(const WCHAR *s);
/* UTF-16 <-> UTF-8 for logs and the wire; returns bytes/chars written. */
size_t rtl_utf16_to_utf8(const WCHAR *src, size_t src_chars, char *dst, size_t dst_len);
size_t rtl_utf8_to_utf16(const char *src, WCHAR *dst, size_t dst_chars);
/* DbgPrint's Windows printf (rtl/format.c) into out (always terminated,
 * truncated to size); returns the bytes written. */
size_t rtl_vformat(char *out, size_t size, const char *fmt, va_list ap);

void bk_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define BK_LOG_ERROR 0
#define BK_LOG_WARN  1
#define BK_LOG_INFO  2
#define BK_LOG_DEBUG 3
void bk_set_log_level(int level);

#endif

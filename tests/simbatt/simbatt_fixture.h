/* The simbatt tests' fixture: a virtual-time host with one simbatt battery
 * (root device SIMBATT\Battery), handles on its battery interface (read and
 * write) and on its control interface (read-write and read-only), and
 * short helpers for the battery and control IOCTLs. */
#ifndef SIMBATT_FIXTURE_H
#define SIMBATT_FIXTURE_H

#include <ntddk.h>
#include <batclass.h>
#include <battkit/host.h>
#include <battkit/simbatt.h>

#include "bk_test.h"

#define SB_MS     1000000ull /* ns */
#define SB_SECOND (1000 * SB_MS)

typedef struct sb {
    bk_host_t *host;
    bk_device_t *device;
    bk_handle_t *battery; /* GUID_DEVICE_BATTERY, read + write */
    bk_handle_t *control; /* GUID_DEVINTERFACE_BATTKIT_SIMBATT, read + write */
    bk_handle_t *reader;  /* the control interface, read only */
    int machine_loaded;
    int own_device;       /* added by sb_add_device, not by the platform */
    const char *instance; /* instance path */
    char instance_buffer[64];
} sb_t;

typedef struct sb_options {
    const char *registry_file;   /* NULL: in memory */
    int persist;                 /* PersistState = 1, as simbatt.inf installs it; 0: the
                                    fixture turns it off and restarts the device first */
    const char *machine_text;    /* non-NULL: load this machine first (platform) */
    const char *machine_battery; /* with machine_text: use the SIMBATT\Battery device the
                                    platform added for this battery instead of adding one */
    int no_device;               /* only the host (and machine) */
} sb_options_t;

/* In a TEST: starts with the options (NULL for the defaults) or returns. */
#define SB_START(sb, options)                                                                      \
    do {                                                                                           \
        if (sb_start(&(sb), (options)) != 0) {                                                     \
            sb_stop(&(sb));                                                                        \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* Starts the host and the battery. Returns 0, or -1 after failing the test. */
int sb_start(sb_t *sb, const sb_options_t *options);
/* Closes the handles and destroys the host; a pool leak fails the test. */
void sb_stop(sb_t *sb);
/* Adds (and opens) the battery device "SIMBATT\Battery" instance SIM0. */
int sb_add_device(sb_t *sb);
/* Closes the handles and removes the device (orderly or surprise). */
bk_status_t sb_remove_device(sb_t *sb, int surprise);
/* Opens the handles on the device added by the platform or sb_add_device. */
int sb_open_handles(sb_t *sb);
void sb_close_handles(sb_t *sb);

void sb_advance_ms(sb_t *sb, uint64_t ms);

/* The device's hardware key (Enum\<instance>\Device Parameters). */
void sb_set_persist(sb_t *sb, const char *instance_path, ULONG value);
/* Writes raw bytes as SavedState (for corrupt-blob tests). */
void sb_write_saved_state(const char *instance_path, ULONG type, const void *data, ULONG size);

/* Control IOCTLs on the read-write control handle; settles afterwards so
 * the notifications they raise are served. */
bk_status_t sb_ctl(sb_t *sb, uint32_t code, const void *in, uint32_t in_len);
SIMBATT_STATE sb_state(sb_t *sb);
void sb_set_status(sb_t *sb, ULONG power_state, ULONG capacity, ULONG voltage, LONG rate);
bk_status_t sb_set_string(sb_t *sb, ULONG level, const WCHAR *text);
bk_status_t sb_set_faults(sb_t *sb, ULONG faults, ULONG drop_percent);

/* Battery IOCTLs on the battery handle. */
bk_status_t sb_query_tag(sb_t *sb, ULONG timeout_ms, ULONG *tag);
ULONG sb_tag(sb_t *sb); /* fails the test when there is none */
bk_status_t sb_query_status(sb_t *sb, ULONG tag, BATTERY_STATUS *out);
bk_status_t sb_query_info(sb_t *sb, ULONG tag, ULONG level, LONG at_rate, void *out, ULONG out_len,
                          uint32_t *returned);
bk_status_t sb_set_info(sb_t *sb, ULONG tag, ULONG level, const void *payload, ULONG payload_len);
/* Asynchronous status wait; out must live until it completes. */
bk_request_t *sb_wait_status(sb_t *sb, ULONG tag, ULONG timeout_ms, ULONG power_state, ULONG low,
                             ULONG high, BATTERY_STATUS *out);
bk_request_t *sb_wait_tag(sb_t *sb, ULONG timeout_ms, ULONG *tag);

/* The miniclass context (device extension) and a BatteryMini* routine of
 * the loaded simbatt.so, for contract checks below battc. */
void *sb_context(sb_t *sb);
void *sb_driver_symbol(const char *name);

/* UTF-16 helpers: the length of a NUL-terminated WCHAR string; ASCII out. */
size_t sb_wlen(const WCHAR *s);
const char *sb_narrow(const WCHAR *s); /* static buffer */

#endif /* SIMBATT_FIXTURE_H */

/* fuzz_ioctl.c: battery IOCTL input buffers through battc into cmbatt and
 * simbatt under libFuzzer. One host, booted once (virtual time), runs a
 * machine with an ACPI battery (cmbatt) and a simulated one (simbatt); the
 * input is a list of requests, each choosing the driver and handle access,
 * the code (every battery IOCTL, simbatt's and ACPI's own, or any code),
 * the input and output sizes (0..65535) and the input bytes. Invariants
 * beyond "no crash, no leak": the status is one documented for that code,
 * Information never exceeds the output size (and is 0 on an error), a
 * pending request ends when cancelled, the I/O manager never had to clamp
 * a driver's Information, and the pool does not grow from input to input.
 *
 * Request layout (little-endian), repeated until the input runs out:
 *   u8  how    bits 0-1 handle (0 cmbatt rw, 1 simbatt rw, 2 cmbatt
 *              read-only, 3 simbatt read-only); bit 2: write the battery's
 *              current tag into the input's first ULONG; bit 3: wait
 *              (virtual time) for a pending request before cancelling it;
 *              bits 4-7: 2^(n-1) ms of virtual time before the request
 *   u8  code   index into `codes` below; past its end, a raw u32 follows
 *   u16 in_len, u16 out_len, then min(in_len, rest) input bytes (the
 *   remainder of the input buffer is zero) */
#include <initguid.h>
#include <ntddk.h>
#include <batclass.h>
#include <acpiioct.h>
#include <battkit/host.h>
#include <battkit/simbatt.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The machine: both drivers on their own batteries, no composite battery
 * (nothing but the fuzzer sends them requests). */
static const char machine_text[] = "[machine]\n"
                                   "name = fuzz-ioctl\n"
                                   "time = virtual\n"
                                   "composite_battery = no\n"
                                   "[battery.BAT0]\n"
                                   "bus = acpi\n"
                                   "design_capacity_mwh = 50000\n"
                                   "design_voltage_mv = 11400\n"
                                   "cells = 3\n"
                                   "initial_soc_percent = 60\n"
                                   "manufacturer = battkit\n"
                                   "model = FUZZACPI\n"
                                   "serial = A1\n"
                                   "manufacture_date = 2024-01-15\n"
                                   "[battery.BAT1]\n"
                                   "bus = simbatt\n"
                                   "design_capacity_mwh = 30000\n"
                                   "design_voltage_mv = 11100\n"
                                   "cells = 3\n"
                                   "initial_soc_percent = 40\n"
                                   "manufacturer = battkit\n"
                                   "model = FUZZSIM\n"
                                   "serial = S1\n"
                                   "[ac.ADP1]\n"
                                   "bus = acpi\n"
                                   "online = yes\n"
                                   "[load]\n"
                                   "constant_power_mw = 10000\n";

/* Which statuses a caller may see, per kind of code (docs: battery-
 * interface.md 1.6 and the per-callback tables; simbatt.h and the head of
 * drivers/simbatt/control.c for simbatt's own codes; acpiioct.h's docs
 * for ACPI's, and "no such method" as the ACPI driver answers it). */
enum {
    ANY_BATTERY = 1u << 0,
    INFO = 1u << 1,
    SET = 1u << 2,
    SIMBATT = 1u << 3,
    ACPI = 1u << 4, /* passed down cmbatt's stack to the ACPI bus driver */
    OTHER = 1u << 5
};

static const struct {
    NTSTATUS status;
    unsigned kinds; /* the kinds of code that may answer it */
} documented[] = {
    {STATUS_SUCCESS, ANY_BATTERY | INFO | SET | SIMBATT | ACPI | OTHER},
    {STATUS_NO_SUCH_DEVICE, ANY_BATTERY | INFO | SET | SIMBATT | ACPI},
    {STATUS_INVALID_PARAMETER, ANY_BATTERY | INFO | SET | SIMBATT | ACPI | OTHER},
    {STATUS_BUFFER_TOO_SMALL, ANY_BATTERY | INFO | SIMBATT | ACPI | OTHER},
    {STATUS_CANCELLED, ANY_BATTERY | INFO | SET | SIMBATT | ACPI | OTHER},
    {STATUS_ACCESS_DENIED, ANY_BATTERY | INFO | SET | SIMBATT | ACPI | OTHER},
    {STATUS_INVALID_DEVICE_REQUEST, INFO | SIMBATT | ACPI | OTHER},
    {STATUS_BUFFER_OVERFLOW, INFO | ACPI},
    {STATUS_NOT_SUPPORTED, SET | SIMBATT | ACPI | OTHER},
    {STATUS_UNSUCCESSFUL, SET},
    {STATUS_INVALID_DEVICE_STATE, SIMBATT},
    {STATUS_NOT_FOUND, SIMBATT},
    {STATUS_OBJECT_NAME_NOT_FOUND, SIMBATT | ACPI}, /* ACPI: no such method or child */
    {STATUS_INVALID_BUFFER_SIZE, SIMBATT},          /* control.c: an input of the wrong size */
    {STATUS_DEVICE_NOT_READY, SIMBATT | ACPI},      /* not started */
};

static const struct {
    ULONG code;
    unsigned kind;
    int tag_at; /* byte offset of a BatteryTag in the input, -1 none */
} codes[] = {
    {IOCTL_BATTERY_QUERY_TAG, ANY_BATTERY, -1},
    {IOCTL_BATTERY_QUERY_INFORMATION, INFO, 0},
    {IOCTL_BATTERY_QUERY_STATUS, ANY_BATTERY, 0},
    {IOCTL_BATTERY_SET_INFORMATION, SET, 0},
    {IOCTL_BATTERY_CHARGING_SOURCE_CHANGE, OTHER, -1},
    {IOCTL_SIMBATT_SET_STATUS, SIMBATT, -1},
    {IOCTL_SIMBATT_SET_INFORMATION, SIMBATT, -1},
    {IOCTL_SIMBATT_SET_STRING, SIMBATT, -1},
    {IOCTL_SIMBATT_SET_MANUFACTURE_DATE, SIMBATT, -1},
    {IOCTL_SIMBATT_SET_GRANULARITY, SIMBATT, -1},
    {IOCTL_SIMBATT_SET_TEMPERATURE, SIMBATT, -1},
    {IOCTL_SIMBATT_SET_ESTIMATED_TIME, SIMBATT, -1},
    {IOCTL_SIMBATT_INSERT_BATTERY, SIMBATT, -1},
    {IOCTL_SIMBATT_REMOVE_BATTERY, SIMBATT, -1},
    {IOCTL_SIMBATT_SET_FAULTS, SIMBATT, -1},
    {IOCTL_SIMBATT_GET_STATE, SIMBATT, -1},
    {IOCTL_SIMBATT_ATTACH_MODEL, SIMBATT, -1},
    {IOCTL_SIMBATT_DETACH_MODEL, SIMBATT, -1},
    {IOCTL_ACPI_EVAL_METHOD, ACPI, -1},
    {IOCTL_ACPI_EVAL_METHOD_EX, ACPI, -1},
    {IOCTL_ACPI_ENUM_CHILDREN, ACPI, -1},
};

#define N_CODES     (sizeof codes / sizeof codes[0])
#define RAW_CODE    0xFF                    /* a code byte past the table: a raw u32 follows */
#define MAX_PENDING (60ull * 1000000000ull) /* virtual wait before a cancel */
/* Pool blocks a run may hold beyond the boot's (waiters, strings, model
 * state); a per-request leak passes it within a few inputs. */
#define POOL_SLACK 256

static bk_host_t *host;
static bk_handle_t *handles[4];
static uint64_t pool_baseline;
static uint64_t clamps_baseline;
static bool trace; /* BK_FUZZ_TRACE=1: one line per request on stderr */

static void die(const char *what)
{
    fprintf(stderr, "fuzz_ioctl: %s\n", what);
    abort();
}

static char *path_with(char **paths, size_t n, const char *part)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(paths[i], part))
            return paths[i];
    return NULL;
}

static void boot(void)
{
    char file[] = "/tmp/fuzz_ioctl_XXXXXX";
    int fd = mkstemp(file);
    if (fd < 0 ||
        write(fd, machine_text, sizeof machine_text - 1) != (ssize_t)(sizeof machine_text - 1))
        die("cannot write the machine file");
    close(fd);
    host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!host || bk_host_load_machine(host, file) != STATUS_SUCCESS)
        die("cannot boot the machine");
    unlink(file);
    bk_host_settle(host);
    char **paths;
    size_t n = bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &paths);
    const char *acpi = path_with(paths, n, "PNP0C0A"), *sim = path_with(paths, n, "SIMBATT");
    if (!acpi || !sim)
        die("the machine has no cmbatt or no simbatt battery");
    const char *which[4] = {acpi, sim, acpi, sim};
    for (int i = 0; i < 4; i++) {
        uint32_t access = i < 2 ? BK_ACCESS_READ | BK_ACCESS_WRITE : BK_ACCESS_READ;
        if (bk_host_open(host, which[i], access, &handles[i]) != STATUS_SUCCESS)
            die("cannot open a battery");
    }
    bk_host_free_list(paths, n);
    bk_pool_stats_t ps;
    bk_host_pool_stats(&ps);
    pool_baseline = ps.blocks_outstanding;
    clamps_baseline = bk_host_io_clamped_count();
    trace = getenv("BK_FUZZ_TRACE") != NULL;
}

static bool documented_for(NTSTATUS s, unsigned kind)
{
    for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++)
        if (documented[i].status == s)
            return (documented[i].kinds & kind) != 0;
    return false;
}

static ULONG current_tag(bk_handle_t *h)
{
    ULONG wait = 0, tag = 0;
    uint32_t got;
    if (bk_ioctl(h, IOCTL_BATTERY_QUERY_TAG, &wait, sizeof wait, &tag, sizeof tag, &got) !=
        STATUS_SUCCESS)
        return 0;
    return tag;
}

/* One request; returns the bytes of input it used. */
static size_t run_request(const uint8_t *p, size_t n)
{
    if (n < 6)
        return n;
    uint8_t how = p[0], sel = p[1];
    size_t used = 6;
    ULONG code;
    unsigned kind;
    int tag_at;
    if (sel < N_CODES) {
        code = codes[sel].code;
        kind = codes[sel].kind;
        tag_at = codes[sel].tag_at;
    } else {
        if (n < used + 4)
            return n;
        memcpy(&code, p + used, 4);
        used += 4;
        kind = OTHER;
        tag_at = -1;
        for (size_t i = 0; i < N_CODES; i++)
            if (codes[i].code == code)
                kind = codes[i].kind, tag_at = codes[i].tag_at;
    }
    uint16_t in_len, out_len;
    memcpy(&in_len, p + 2, 2);
    memcpy(&out_len, p + 4, 2);
    size_t take = n - used < in_len ? n - used : in_len;

    bk_handle_t *h = handles[how & 3];
    if (how >> 4)
        bk_host_advance(host, (1ull << ((how >> 4) - 1)) * 1000000ull);
    /* Exactly sized buffers: ASan sees any byte past either. */
    uint8_t *in = malloc(in_len ? in_len : 1), *out = malloc(out_len ? out_len : 1);
    if (!in || !out)
        die("out of memory");
    memset(in, 0, in_len);
    memcpy(in, p + used, take);
    memset(out, 0xA5, out_len);
    if ((how & 4) && tag_at >= 0 && in_len >= tag_at + sizeof(ULONG)) {
        ULONG tag = current_tag(h);
        memcpy(in + tag_at, &tag, sizeof tag);
    }

    bk_request_t *r = NULL;
    NTSTATUS s = bk_ioctl_async(h, code, in_len ? in : NULL, in_len, out_len ? out : NULL, out_len,
                                NULL, NULL, &r);
    uint32_t returned = 0;
    if (r) {
        if (how & 8)
            bk_request_wait(r, MAX_PENDING);
        bk_request_cancel(r);
        bk_host_settle(host);
        s = bk_request_status(r, &returned);
        if (s == STATUS_PENDING) {
            fprintf(stderr, "fuzz_ioctl: code 0x%08x still pending after its cancel\n",
                    (unsigned)code);
            abort();
        }
        bk_request_free(r);
    }
    if (trace)
        fprintf(stderr, "handle %d code 0x%08x in %u out %u -> 0x%08x, %u bytes\n", how & 3,
                (unsigned)code, in_len, out_len, (unsigned)s, returned);
    if (!documented_for(s, kind)) {
        fprintf(stderr, "fuzz_ioctl: code 0x%08x (in %u, out %u) answered 0x%08x, not documented\n",
                (unsigned)code, in_len, out_len, (unsigned)s);
        abort();
    }
    if (returned > out_len || (NT_ERROR(s) && returned)) {
        fprintf(stderr, "fuzz_ioctl: code 0x%08x status 0x%08x returned %u bytes, output %u\n",
                (unsigned)code, (unsigned)s, returned, out_len);
        abort();
    }
    if (bk_host_io_clamped_count() != clamps_baseline) {
        fprintf(stderr, "fuzz_ioctl: code 0x%08x: a driver set Information above the output\n",
                (unsigned)code);
        abort();
    }
    free(in);
    free(out);
    return used + take;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!host)
        boot();
    for (size_t off = 0; off < size;)
        off += run_request(data + off, size - off);
    bk_host_settle(host);
    bk_pool_stats_t ps;
    bk_host_pool_stats(&ps);
    if (ps.blocks_outstanding > pool_baseline + POOL_SLACK) {
        fprintf(stderr, "fuzz_ioctl: pool grew from %llu to %llu blocks\n",
                (unsigned long long)pool_baseline, (unsigned long long)ps.blocks_outstanding);
        abort();
    }
    return 0;
}

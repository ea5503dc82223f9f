/* bench_battc: the in-process cost of one IOCTL_BATTERY_QUERY_STATUS
 * (Timeout 0) through IoCallDriver -> miniclass DispatchDeviceControl ->
 * BatteryClassIoctl -> BatteryMiniQueryStatus and back, beside a direct
 * call of the same callback. Medians of RUNS runs of CALLS calls each.
 *
 *   BENCH ioctl_query_status_ns          IoBuildDeviceIoControlRequest + IoCallDriver
 *   BENCH direct_query_status_ns         the miniclass callback called directly
 *   BENCH ioctl_reused_irp_query_status_ns  one IRP reused (no allocation per call)
 *   BENCH bk_ioctl_query_status_ns       the embedding API (bk_ioctl on a handle)
 *   BENCH compbatt_query_status_ns       the same IOCTL to \Device\CompositeBattery over
 *                                        that battery (what the power manager asks)
 *   BENCH kmdf_query_status_ns           the same IOCTL as ioctl_query_status_ns to the KMDF
 *                                        miniclass (drivers/kmdfbatt): the framework's
 *                                        dispatch and preprocess callback before battc
 */
#include <initguid.h>
#include <ntddk.h>
#include <batclass.h>
#include <battkit/host.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "bench_util.h"
#include "testmini_ioctl.h"

#define RUNS       31
#define CALLS      100000
#define CALLS_SLOW 20000 /* bk_ioctl: ten times slower, fewer calls */

typedef struct bench {
    bk_handle_t *handle;
    PDEVICE_OBJECT fdo;
    BCLASS_QUERY_STATUS query_status;
    PVOID context;
    ULONG tag;
    PIRP irp; /* the reused one */
    PDEVICE_OBJECT composite;
    ULONG composite_tag;
    PDEVICE_OBJECT kmdf; /* the top of kmdfbatt's stack */
    ULONG kmdf_tag;
    KEVENT done;
} bench_t;

typedef struct variant {
    int (*one)(bench_t *);
    int calls;
    double runs[RUNS]; /* ns per call */
} variant_t;

/* Runs every variant once per round, so a load change on the machine
 * touches all of them alike and the ratios stay meaningful. */
static int measure(bench_t *b, variant_t *v, int count)
{
    for (int r = 0; r < RUNS; r++) {
        for (int k = 0; k < count; k++) {
            uint64_t t0 = bench_now_ns();
            for (int i = 0; i < v[k].calls; i++)
                if (v[k].one(b) != 0)
                    return -1;
            v[k].runs[r] = (double)(bench_now_ns() - t0) / v[k].calls;
        }
    }
    return 0;
}

static int direct_call(bench_t *b)
{
    BATTERY_STATUS s;
    return b->query_status(b->context, b->tag, &s) == STATUS_SUCCESS ? 0 : 1;
}

/* What an in-kernel client (the composite battery) does per query. */
static int query_status(PDEVICE_OBJECT fdo, ULONG tag)
{
    BATTERY_WAIT_STATUS w = {tag, 0, BATTERY_POWER_ON_LINE, 0, 0xFFFFFFFF};
    BATTERY_STATUS s;
    IO_STATUS_BLOCK iosb;
    KEVENT event;
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_BATTERY_QUERY_STATUS, fdo, &w, sizeof(w), &s,
                                             sizeof(s), FALSE, &event, &iosb);
    if (!irp)
        return 1;
    if (IoCallDriver(fdo, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    return iosb.Status == STATUS_SUCCESS && iosb.Information == sizeof(s) ? 0 : 1;
}

static int ioctl_call(bench_t *b)
{
    return query_status(b->fdo, b->tag);
}

static int compbatt_call(bench_t *b)
{
    return query_status(b->composite, b->composite_tag);
}

static int kmdf_call(bench_t *b)
{
    return query_status(b->kmdf, b->kmdf_tag);
}

/* A kmdfbatt battery added as a root device; its stack's top and tag. */
static int open_kmdf(bk_host_t *host, bench_t *b)
{
    bk_device_t *device;
    ULONG zero = 0;
    IO_STATUS_BLOCK iosb;
    KEVENT event;

    if (bk_host_add_root_device(host, "KMDFBATT\\Battery", "kmdfbatt", "KB0", KMDFBATT_SO,
                                &device) != STATUS_SUCCESS)
        return -1;
    bk_host_settle(host);
    b->kmdf = IoGetAttachedDeviceReference(bk_device_pdo(device));
    ObDereferenceObject(b->kmdf); /* the device outlives the measurement */
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_BATTERY_QUERY_TAG, b->kmdf, &zero, 4,
                                             &b->kmdf_tag, 4, FALSE, &event, &iosb);
    if (!irp)
        return -1;
    if (IoCallDriver(b->kmdf, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    return iosb.Status == STATUS_SUCCESS ? 0 : -1;
}

/* The composite over the test battery: its device and tag. */
static int open_composite(bk_host_t *host, bench_t *b)
{
    static const WCHAR name[] = L"\\Device\\CompositeBattery";
    UNICODE_STRING u = {sizeof(name) - sizeof(WCHAR), sizeof(name), (PWCH)name};
    PFILE_OBJECT file;
    ULONG zero = 0;
    IO_STATUS_BLOCK iosb;
    KEVENT event;

    if (bk_host_add_root_device(host, "COMPOSITE_BATTERY", "compbatt", "0", COMPBATT_SO, NULL) !=
        STATUS_SUCCESS)
        return -1;
    bk_host_settle(host);
    if (IoGetDeviceObjectPointer(&u, FILE_READ_DATA, &file, &b->composite) != STATUS_SUCCESS)
        return -1;
    ObDereferenceObject(file);
    KeInitializeEvent(&event, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(IOCTL_BATTERY_QUERY_TAG, b->composite, &zero, 4,
                                             &b->composite_tag, 4, FALSE, &event, &iosb);
    if (!irp)
        return -1;
    if (IoCallDriver(b->composite, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&event, Executive, KernelMode, FALSE, NULL);
    return iosb.Status == STATUS_SUCCESS ? 0 : -1;
}

static NTSTATUS reused_done(PDEVICE_OBJECT DeviceObject, PIRP Irp, PVOID Context)
{
    (void)DeviceObject;
    (void)Irp;
    KeSetEvent((PKEVENT)Context, IO_NO_INCREMENT, FALSE);
    return STATUS_MORE_PROCESSING_REQUIRED; /* the IRP stays the sender's */
}

/* The same query on one IRP allocated once, as a driver polling a
 * battery would keep one. */
static int reused_call(bench_t *b)
{
    union {
        BATTERY_WAIT_STATUS in;
        BATTERY_STATUS out;
    } buffer;
    buffer.in = (BATTERY_WAIT_STATUS){b->tag, 0, BATTERY_POWER_ON_LINE, 0, 0xFFFFFFFF};
    PIRP irp = b->irp;
    IoReuseIrp(irp, STATUS_SUCCESS);
    irp->AssociatedIrp.SystemBuffer = &buffer;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_DEVICE_CONTROL;
    next->Parameters.DeviceIoControl.IoControlCode = IOCTL_BATTERY_QUERY_STATUS;
    next->Parameters.DeviceIoControl.InputBufferLength = sizeof(BATTERY_WAIT_STATUS);
    next->Parameters.DeviceIoControl.OutputBufferLength = sizeof(BATTERY_STATUS);
    IoSetCompletionRoutine(irp, reused_done, &b->done, TRUE, TRUE, TRUE);
    KeClearEvent(&b->done);
    if (IoCallDriver(b->fdo, irp) == STATUS_PENDING)
        KeWaitForSingleObject(&b->done, Executive, KernelMode, FALSE, NULL);
    return irp->IoStatus.Status == STATUS_SUCCESS && irp->IoStatus.Information == 16 ? 0 : 1;
}

static int bk_ioctl_call(bench_t *b)
{
    BATTERY_WAIT_STATUS w = {b->tag, 0, BATTERY_POWER_ON_LINE, 0, 0xFFFFFFFF};
    BATTERY_STATUS s;
    uint32_t got = 0;
    return bk_ioctl(b->handle, IOCTL_BATTERY_QUERY_STATUS, &w, sizeof(w), &s, sizeof(s), &got) ==
                       STATUS_SUCCESS &&
                   got == sizeof(s)
               ? 0
               : 1;
}

int main(void)
{
    bench_t b;
    char **paths = NULL;
    memset(&b, 0, sizeof(b));
    bk_host_t *host = bk_host_create(&(bk_host_options_t){.virtual_time = 1});
    if (!host)
        return 1;
    bk_status_t s =
        bk_host_add_root_device(host, TESTMINI_HWID, "battc_testmini", NULL, TESTMINI_SO, NULL);
    size_t n =
        s == STATUS_SUCCESS ? bk_host_list_interfaces(host, &GUID_DEVICE_BATTERY, &paths) : 0;
    if (n != 1 || bk_host_open(host, paths[0], BK_ACCESS_READ, &b.handle) != STATUS_SUCCESS) {
        fprintf(stderr, "bench_battc: no test battery (0x%08x, %zu interfaces)\n", (unsigned)s, n);
        return 1;
    }
    bk_host_free_list(paths, n);
    /* The driver is loaded: find its hooks in the copy the host mapped. */
    void *so = dlopen(TESTMINI_SO, RTLD_NOW | RTLD_NOLOAD);
    NTSTATUS(*hooks_fn)
    (TESTMINI_BENCH_HOOKS *) =
        so ? (NTSTATUS(*)(TESTMINI_BENCH_HOOKS *))dlsym(so, TESTMINI_BENCH_HOOKS_EXPORT) : NULL;
    TESTMINI_BENCH_HOOKS hooks;
    if (!hooks_fn || hooks_fn(&hooks) != STATUS_SUCCESS) {
        fprintf(stderr, "bench_battc: %s not found in %s\n", TESTMINI_BENCH_HOOKS_EXPORT,
                TESTMINI_SO);
        return 1;
    }
    b.fdo = hooks.Fdo;
    b.query_status = (BCLASS_QUERY_STATUS)hooks.QueryStatus;
    b.context = hooks.Context;
    b.tag = hooks.Tag;
    b.irp = IoAllocateIrp(b.fdo->StackSize, FALSE);
    KeInitializeEvent(&b.done, NotificationEvent, FALSE);
    if (open_composite(host, &b) != 0) {
        fprintf(stderr, "bench_battc: no composite battery over the test battery\n");
        return 1;
    }

    variant_t v[] = {
        {ioctl_call, CALLS, {0}},         {direct_call, CALLS, {0}},   {reused_call, CALLS, {0}},
        {bk_ioctl_call, CALLS_SLOW, {0}}, {compbatt_call, CALLS, {0}},
    };
    int failed = measure(&b, v, 5);
    /* The KMDF battery joins after the composite was measured over the
     * test battery alone; it is measured in rounds with the WDM path. */
    variant_t k[] = {
        {ioctl_call, CALLS, {0}},
        {kmdf_call, CALLS, {0}},
    };
    if (!failed && open_kmdf(host, &b) != 0) {
        fprintf(stderr, "bench_battc: no kmdfbatt battery\n");
        failed = 1;
    }
    if (!failed)
        failed = measure(&b, k, 2);
    IoFreeIrp(b.irp);
    dlclose(so);
    bk_close(b.handle);
    int leaks = bk_host_destroy(host);
    if (failed || leaks) {
        fprintf(stderr, "bench_battc: a query failed or the host leaked\n");
        return 1;
    }
    printf("BENCH ioctl_query_status_ns %.1f\n", bench_quantile(v[0].runs, RUNS, 0.5));
    printf("BENCH direct_query_status_ns %.1f\n", bench_quantile(v[1].runs, RUNS, 0.5));
    printf("BENCH ioctl_reused_irp_query_status_ns %.1f\n", bench_quantile(v[2].runs, RUNS, 0.5));
    printf("BENCH bk_ioctl_query_status_ns %.1f\n", bench_quantile(v[3].runs, RUNS, 0.5));
    printf("BENCH compbatt_query_status_ns %.1f\n", bench_quantile(v[4].runs, RUNS, 0.5));
    printf("BENCH kmdf_query_status_ns %.1f\n", bench_quantile(k[1].runs, RUNS, 0.5));
    printf("BENCH kmdf_over_wdm_ratio %.2f\n",
           bench_quantile(k[1].runs, RUNS, 0.5) / bench_quantile(k[0].runs, RUNS, 0.5));
    return 0;
}

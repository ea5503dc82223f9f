/* The event log and knobs every PnP test driver exports to the tests. The
 * log lives in the driver's data, which the tests keep mapped (they dlopen
 * the driver first), so it outlives DriverUnload. */
#include "pnptest.h"

#include <ntstrsafe.h>

#define LOG_BYTES 16384

static KSPIN_LOCK log_lock;
static char log_text[LOG_BYTES];
static size_t log_used;
long pnptest_knobs[8];

/* Any IRQL <= DISPATCH_LEVEL (completion routines log too). */
void pnptest_event(const char *label, const char *event)
{
    KIRQL irql;
    KeAcquireSpinLock(&log_lock, &irql);
    size_t a = strlen(label), b = strlen(event);
    if (log_used + a + b + 3 < LOG_BYTES) {
        memcpy(log_text + log_used, label, a);
        log_text[log_used + a] = ' ';
        memcpy(log_text + log_used + a + 1, event, b);
        log_used += a + b + 1;
        log_text[log_used++] = '\n';
        log_text[log_used] = 0;
    }
    KeReleaseSpinLock(&log_lock, irql);
}

void pnptest_event_value(const char *label, const char *event, unsigned long value)
{
    char text[96];
    RtlStringCbPrintfA(text, sizeof text, "%s=%08lx", event, value);
    pnptest_event(label, text);
}

PNPTEST_EXPORT const char *pnptest_log(void)
{
    return log_text;
}

PNPTEST_EXPORT void pnptest_reset(void)
{
    KIRQL irql;
    KeAcquireSpinLock(&log_lock, &irql);
    log_used = 0;
    log_text[0] = 0;
    for (size_t i = 0; i < sizeof pnptest_knobs / sizeof pnptest_knobs[0]; i++)
        if (i != PNPTEST_DEVICES && i != PNPTEST_LOADED)
            pnptest_knobs[i] = 0;
    KeReleaseSpinLock(&log_lock, irql);
}

PNPTEST_EXPORT void pnptest_set(int knob, long value)
{
    pnptest_knobs[knob & 7] = value;
}

PNPTEST_EXPORT long pnptest_get(int knob)
{
    return pnptest_knobs[knob & 7];
}

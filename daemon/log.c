/* battd's log: one line per event on stderr, "battd[pid] level: text",
 * filtered by --log-level. The host logs on its own (BATTKIT_LOG). Also
 * names the NTSTATUS values battd reports, so a refusal reads as one. */
#include "battd.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int level = DLOG_INFO;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const names[] = {"error", "warn", "info", "debug"};

void dlog_set_level(int l)
{
    level = l;
}

int dlog_level(void)
{
    return level;
}

int dlog_parse_level(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

const char *dlog_level_name(int l)
{
    return l >= 0 && l < 4 ? names[l] : "?";
}

void dlog(int l, const char *fmt, ...)
{
    if (l > level)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    localtime_r(&ts.tv_sec, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&lock);
    fprintf(stderr, "%s.%03ld battd[%d] %s: ", stamp, ts.tv_nsec / 1000000, (int)getpid(),
            names[l]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    pthread_mutex_unlock(&lock);
    va_end(ap);
}

static const struct {
    uint32_t value;
    const char *name;
} status_names[] = {
    {0x00000000u, "STATUS_SUCCESS"},
    {0x00000103u, "STATUS_PENDING"},
    {0x80000005u, "STATUS_BUFFER_OVERFLOW"},
    {0xC0000001u, "STATUS_UNSUCCESSFUL"},
    {0xC0000008u, "STATUS_INVALID_HANDLE"},
    {0xC000000Du, "STATUS_INVALID_PARAMETER"},
    {0xC000000Eu, "STATUS_NO_SUCH_DEVICE"},
    {0xC0000010u, "STATUS_INVALID_DEVICE_REQUEST"},
    {0xC0000022u, "STATUS_ACCESS_DENIED"},
    {0xC0000023u, "STATUS_BUFFER_TOO_SMALL"},
    {0xC0000034u, "STATUS_OBJECT_NAME_NOT_FOUND"},
    {0xC0000059u, "STATUS_REVISION_MISMATCH"},
    {0xC000009Au, "STATUS_INSUFFICIENT_RESOURCES"},
    {0xC00000B5u, "STATUS_IO_TIMEOUT"},
    {0xC00000BBu, "STATUS_NOT_SUPPORTED"},
    {0xC0000120u, "STATUS_CANCELLED"},
    {0xC0000225u, "STATUS_NOT_FOUND"},
};

const char *dlog_status_name(int32_t status)
{
    static _Thread_local char buf[16];
    for (size_t i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
        if (status_names[i].value == (uint32_t)status)
            return status_names[i].name;
    snprintf(buf, sizeof buf, "0x%08x", (uint32_t)status);
    return buf;
}

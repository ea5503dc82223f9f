/* Debug output: DbgPrint from drivers and the host's own leveled log. Both
 * go to stderr with a level prefix; BATTKIT_LOG=error|warn|info|debug. */
#include "../private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int log_level = -1;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

static int current_level(void)
{
    if (log_level < 0) {
        const char *env = getenv("BATTKIT_LOG");
        log_level = BK_LOG_WARN;
        for (int i = 0; env && i < 4; i++)
            if (strcmp(env, level_names[i]) == 0)
                log_level = i;
    }
    return log_level;
}

void bk_set_log_level(int level)
{
    log_level = level;
}

static void vlog(int level, const char *prefix, const char *fmt, va_list ap)
{
    if (level > current_level())
        return;
    pthread_mutex_lock(&log_lock);
    fprintf(stderr, "battkit %s: %s", level_names[level], prefix);
    vfprintf(stderr, fmt, ap);
    size_t n = strlen(fmt);
    if (n == 0 || fmt[n - 1] != '\n')
        fputc('\n', stderr);
    pthread_mutex_unlock(&log_lock);
}

void bk_log(int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, "", fmt, ap);
    va_end(ap);
}

ULONG __cdecl DbgPrint(PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    vlog(BK_LOG_DEBUG, "driver: ", Format, ap);
    va_end(ap);
    return STATUS_SUCCESS;
}

ULONG __cdecl DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    UNREFERENCED_PARAMETER(ComponentId);
    va_list ap;
    va_start(ap, Format);
    vlog(Level == DPFLTR_ERROR_LEVEL ? BK_LOG_ERROR : BK_LOG_DEBUG, "driver: ", Format, ap);
    va_end(ap);
    return STATUS_SUCCESS;
}

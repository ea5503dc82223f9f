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

/* Driver output: formatted with Windows conventions (rtl/format.c); docs:
 * at most 512 bytes of one call are shown. */
static void driver_print(int level, const char *fmt, va_list ap)
{
    if (level > current_level())
        return;
    char text[512];
    size_t n = rtl_vformat(text, sizeof text, fmt, ap);
    if (n && text[n - 1] == '\n')
        text[n - 1] = '\0'; /* bk_log ends the line */
    bk_log(level, "driver: %s", text);
}

/* DPFLTR levels 0..3 as the host's error..debug; a level above 31 is a
 * mask (docs), shown at debug. */
static int driver_level(ULONG Level)
{
    return Level == DPFLTR_ERROR_LEVEL     ? BK_LOG_ERROR
           : Level == DPFLTR_WARNING_LEVEL ? BK_LOG_WARN
                                           : BK_LOG_DEBUG;
}

ULONG __cdecl DbgPrint(PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    driver_print(BK_LOG_DEBUG, Format, ap);
    va_end(ap);
    return STATUS_SUCCESS;
}

ULONG __cdecl DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    UNREFERENCED_PARAMETER(ComponentId);
    va_list ap;
    va_start(ap, Format);
    driver_print(driver_level(Level), Format, ap);
    va_end(ap);
    return STATUS_SUCCESS;
}

ULONG NTAPI vDbgPrintEx(ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist)
{
    UNREFERENCED_PARAMETER(ComponentId);
    driver_print(driver_level(Level), Format, arglist);
    return STATUS_SUCCESS;
}

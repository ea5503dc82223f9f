/* Time queries over the host clock (100 ns units), and calendar conversion. */
#include "ke_internal.h"

#include <time.h>

void NTAPI KeQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    CurrentTime->QuadPart = (LONGLONG)(clk_system_base() + clk_now());
}

void NTAPI KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime)
{
    KeQuerySystemTime(CurrentTime);
}

ULONGLONG NTAPI KeQueryInterruptTime(void)
{
    return clk_now();
}

ULONGLONG NTAPI KeQueryInterruptTimePrecise(PULONGLONG QpcTimeStamp)
{
    ULONGLONG now = clk_now();
    if (QpcTimeStamp)
        *QpcTimeStamp = now;
    return now;
}

/* One tick is 15.625 ms, the usual Windows clock interval. */
#define TIME_INCREMENT 156250

void NTAPI KeQueryTickCount(PLARGE_INTEGER TickCount)
{
    TickCount->QuadPart = (LONGLONG)(clk_now() / TIME_INCREMENT);
}

ULONG NTAPI KeQueryTimeIncrement(void)
{
    return TIME_INCREMENT;
}

LARGE_INTEGER NTAPI KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LARGE_INTEGER counter;
    if (PerformanceFrequency)
        PerformanceFrequency->QuadPart = 10000000; /* 100 ns resolution */
    counter.QuadPart = (LONGLONG)clk_now();
    return counter;
}

#define EPOCH_DIFF_100NS 116444736000000000ll

void NTAPI RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields)
{
    LONGLONG t = Time->QuadPart - EPOCH_DIFF_100NS;
    time_t secs = (time_t)(t / 10000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    TimeFields->Year = (SHORT)(tm.tm_year + 1900);
    TimeFields->Month = (SHORT)(tm.tm_mon + 1);
    TimeFields->Day = (SHORT)tm.tm_mday;
    TimeFields->Hour = (SHORT)tm.tm_hour;
    TimeFields->Minute = (SHORT)tm.tm_min;
    TimeFields->Second = (SHORT)tm.tm_sec;
    TimeFields->Milliseconds = (SHORT)((t % 10000000) / 10000);
    TimeFields->Weekday = (SHORT)tm.tm_wday;
}

BOOLEAN NTAPI RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time)
{
    struct tm tm = {0};
    tm.tm_year = TimeFields->Year - 1900;
    tm.tm_mon = TimeFields->Month - 1;
    tm.tm_mday = TimeFields->Day;
    tm.tm_hour = TimeFields->Hour;
    tm.tm_min = TimeFields->Minute;
    tm.tm_sec = TimeFields->Second;
    if (TimeFields->Month < 1 || TimeFields->Month > 12 || TimeFields->Day < 1 ||
        TimeFields->Day > 31)
        return FALSE;
    time_t secs = timegm(&tm);
    Time->QuadPart =
        (LONGLONG)secs * 10000000 + TimeFields->Milliseconds * 10000ll + EPOCH_DIFF_100NS;
    return TRUE;
}

/* Numbers as people read them: mWh -> Wh, mW -> W, mV -> V, tenths of a
 * kelvin -> °C, seconds -> h:mm; power states in words; and the small
 * JSON writer battctl's --json output uses. */
#include "battctl.h"

#include <string.h>

void fmt_energy(char *buf, size_t n, ULONG mwh, bool relative)
{
    if (mwh == BATTERY_UNKNOWN_CAPACITY)
        snprintf(buf, n, "unknown");
    else if (relative)
        snprintf(buf, n, "%lu (relative)", (unsigned long)mwh);
    else
        snprintf(buf, n, "%.2f Wh", mwh / 1000.0);
}

void fmt_power(char *buf, size_t n, LONG mw, bool relative)
{
    if ((ULONG)mw == BATTERY_UNKNOWN_RATE)
        snprintf(buf, n, "unknown");
    else if (relative)
        snprintf(buf, n, "%+ld per hour (relative)", (long)mw);
    else
        snprintf(buf, n, "%+.2f W", mw / 1000.0);
}

void fmt_voltage(char *buf, size_t n, ULONG mv)
{
    if (mv == BATTERY_UNKNOWN_VOLTAGE)
        snprintf(buf, n, "unknown");
    else
        snprintf(buf, n, "%.2f V", mv / 1000.0);
}

void fmt_temperature(char *buf, size_t n, ULONG dk)
{
    snprintf(buf, n,
             "%.1f \xC2\xB0"
             "C",
             (dk - 2731.5) / 10.0);
}

void fmt_duration(char *buf, size_t n, ULONG s)
{
    if (s == BATTERY_UNKNOWN_TIME)
        snprintf(buf, n, "unknown");
    else
        snprintf(buf, n, "%lu:%02lu", (unsigned long)(s / 3600), (unsigned long)(s / 60 % 60));
}

static const struct {
    ULONG bit;
    const char *word, *json;
} state_bits[] = {
    {BATTERY_CHARGING, "charging", "charging"},
    {BATTERY_DISCHARGING, "discharging", "discharging"},
    {BATTERY_POWER_ON_LINE, "on AC", "power_on_line"},
    {BATTERY_CRITICAL, "critical", "critical"},
};

void fmt_power_state(char *buf, size_t n, ULONG state)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof state_bits / sizeof state_bits[0]; i++)
        if (state & state_bits[i].bit)
            used += (size_t)snprintf(buf + used, used < n ? n - used : 0, "%s%s", used ? ", " : "",
                                     state_bits[i].word);
    if (!used)
        snprintf(buf, n, "idle, on battery"); /* neither charging nor discharging nor AC */
    else if (!(state & BATTERY_POWER_ON_LINE) && used < n)
        snprintf(buf + used, n - used, ", on battery");
}

/* Through the Win32 conversion the client library provides: one UTF-16
 * decoder for the whole client side. */
void wide_to_utf8(const WCHAR *w, size_t max_chars, char *out, size_t n)
{
    size_t len = 0;
    if (n == 0)
        return;
    out[0] = 0;
    while (len < max_chars && w[len])
        len++;
    if (len == 0)
        return;
    int got = WideCharToMultiByte(CP_UTF8, 0, w, (int)len, out, (int)(n - 1), NULL, NULL);
    if (got <= 0) {
        snprintf(out, n, "%s",
                 GetLastError() == ERROR_INSUFFICIENT_BUFFER ? "(too long)" : "(not valid UTF-16)");
        return;
    }
    out[got] = 0;
}

void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void json_power_state(FILE *f, ULONG state)
{
    fputc('[', f);
    bool first = true;
    for (size_t i = 0; i < sizeof state_bits / sizeof state_bits[0]; i++)
        if (state & state_bits[i].bit) {
            fprintf(f, "%s\"%s\"", first ? "" : ",", state_bits[i].json);
            first = false;
        }
    fputc(']', f);
}

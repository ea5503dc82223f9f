/* nutbatt's side of the wire: one connection to upsd through NUT's own
 * client library (libupsclient), the credentials, and the reads, stored by
 * a table of the variables nutbatt reads. A full read is one LIST VAR
 * (every variable in one round trip); a refresh between full reads asks
 * only for the variables that change (pipelined GET VARs, one round trip).
 * upsd sends an answer a line at a time and the library reads 64 bytes at
 * a time, so a worker sleeps about once a line: a UPS lists dozens of
 * variables, and five GETs are a fraction of the wake-ups. Nothing else
 * here knows NUT's protocol. Linux-only: libupsclient and libc. */
#include "nutbatt.h"

#include <ntstrsafe.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/types.h>
#include <upsclient.h>

#define NUTBATT_CONNECT_TIMEOUT_S 3    /* upsd on another host may not answer */
#define NUTBATT_MAX_VARIABLES     2048 /* a list longer than this is no UPS's */

/* Which variable feeds which slot. Where two names feed one slot, the
 * first in this table that upsd lists wins (device.* is NUT's newer name). */
typedef struct _NUTBATT_VARIABLE {
    const char *Name;
    BOOLEAN IsNumber;
    BOOLEAN Changes; /* asked for on every refresh; the rest is static */
    int Slot;        /* NUTBATT_NUMBER or NUTBATT_STRING */
} NUTBATT_VARIABLE;

static const NUTBATT_VARIABLE NutBattVariables[] = {
    {"battery.charge", TRUE, TRUE, NutCharge},
    {"battery.charge.low", TRUE, FALSE, NutChargeLow},
    {"battery.charge.warning", TRUE, FALSE, NutChargeWarning},
    {"battery.runtime", TRUE, TRUE, NutRuntime},
    {"battery.voltage", TRUE, TRUE, NutVoltage},
    {"battery.voltage.nominal", TRUE, FALSE, NutVoltageNominal},
    {"battery.capacity", TRUE, FALSE, NutCapacity},
    {"battery.temperature", TRUE, TRUE, NutTemperature},
    {"ups.status", FALSE, TRUE, NutStatus},
    {"device.mfr", FALSE, FALSE, NutManufacturer},
    {"ups.mfr", FALSE, FALSE, NutManufacturer},
    {"device.model", FALSE, FALSE, NutModel},
    {"ups.model", FALSE, FALSE, NutModel},
    {"device.serial", FALSE, FALSE, NutSerial},
    {"ups.serial", FALSE, FALSE, NutSerial},
    {"battery.type", FALSE, FALSE, NutChemistry},
    {"battery.mfr.date", FALSE, FALSE, NutDate},
    {"battery.date", FALSE, FALSE, NutDate},
};

BOOLEAN NutBattParseMilli(const CHAR *Text, LONGLONG *Milli)
{
    const CHAR *p = Text;
    BOOLEAN negative = FALSE, digits = FALSE;
    LONGLONG whole = 0, fraction = 0;
    int places = 0;
    while (*p == ' ')
        p++;
    if (*p == '-' || *p == '+')
        negative = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++, digits = TRUE) {
        if (whole > 1000000000000LL)
            return FALSE; /* no UPS figure is this large */
        whole = whole * 10 + (*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits = TRUE)
            if (places < 3) {
                fraction = fraction * 10 + (*p - '0');
                places++;
            }
    }
    while (*p == ' ')
        p++;
    if (!digits || *p)
        return FALSE;
    for (; places < 3; places++)
        fraction *= 10;
    *Milli = (whole * 1000 + fraction) * (negative ? -1 : 1);
    return TRUE;
}

static VOID NutBattStore(PNUTBATT_READING Reading, const NUTBATT_VARIABLE *V, const CHAR *Value)
{
    if (V->IsNumber) {
        LONGLONG milli;
        if (!NUT_HAS(Reading, V->Slot) && NutBattParseMilli(Value, &milli)) {
            Reading->Number[V->Slot] = milli;
            Reading->HaveNumber |= 1u << V->Slot;
        }
    } else if (*Value && !NUT_HASS(Reading, V->Slot)) {
        RtlStringCbCopyA(Reading->String[V->Slot], NUTBATT_TEXT_MAX, Value);
        Reading->HaveString |= 1u << V->Slot;
    }
}

VOID NutBattTakeVariable(PNUTBATT_READING Reading, const CHAR *Name, const CHAR *Value)
{
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(NutBattVariables); i++)
        if (strcmp(NutBattVariables[i].Name, Name) == 0) {
            NutBattStore(Reading, &NutBattVariables[i], Value);
            return;
        }
}

/* Known's static variables, none of the changing ones: what a refresh
 * between full reads starts from. */
static VOID NutBattKeepStatic(PNUTBATT_READING Reading, const NUTBATT_READING *Known)
{
    *Reading = *Known;
    for (SIZE_T i = 0; i < RTL_NUMBER_OF(NutBattVariables); i++) {
        const NUTBATT_VARIABLE *v = &NutBattVariables[i];
        if (!v->Changes)
            continue;
        if (v->IsNumber)
            Reading->HaveNumber &= ~(1u << v->Slot);
        else
            Reading->HaveString &= ~(1u << v->Slot);
    }
}

/* Splits one answer line in place into its words: upsd quotes a value with
 * "..." and \-escapes '"' and '\\' in it. The number of words, at most Max. */
static SIZE_T NutBattSplitAnswer(CHAR *Line, CHAR **Words, SIZE_T Max)
{
    SIZE_T n = 0;
    CHAR *in = Line;
    while (n < Max) {
        while (*in == ' ')
            in++;
        if (!*in || *in == '\n' || *in == '\r')
            break;
        CHAR *out = in;
        Words[n++] = out;
        BOOLEAN quoted = *in == '"';
        if (quoted)
            in++;
        while (*in && *in != '\n' && *in != '\r' && (quoted ? *in != '"' : *in != ' ')) {
            if (quoted && *in == '\\' && in[1])
                in++;
            *out++ = *in++;
        }
        if (quoted && *in == '"')
            in++;
        BOOLEAN more = *in == ' ';
        if (more)
            in++;
        *out = 0; /* at or behind what was just passed: nothing unread is lost */
        if (!more)
            break;
    }
    return n;
}

/* upsd quotes an argument with "..." and \-escapes; so do we. */
static BOOLEAN NutBattQuote(const CHAR *Text, CHAR *Out, SIZE_T Size)
{
    SIZE_T n = 0;
    if (Size < 3)
        return FALSE;
    Out[n++] = '"';
    for (; *Text; Text++) {
        if (n + 4 > Size)
            return FALSE;
        if (*Text == '"' || *Text == '\\')
            Out[n++] = '\\';
        Out[n++] = *Text;
    }
    Out[n++] = '"';
    Out[n] = 0;
    return TRUE;
}

/* One command whose answer must be OK (USERNAME, PASSWORD). */
static BOOLEAN NutBattCommand(UPSCONN_t *Ups, const CHAR *Verb, const CHAR *Argument, CHAR *Error,
                              SIZE_T ErrorSize)
{
    CHAR quoted[2 * NUTBATT_TEXT_MAX + 4], line[3 * NUTBATT_TEXT_MAX], answer[UPSCLI_NETBUF_LEN];
    if (!NutBattQuote(Argument, quoted, sizeof quoted))
        return FALSE;
    int n = snprintf(line, sizeof line, "%s %s\n", Verb, quoted);
    if (upscli_sendline(Ups, line, (size_t)n) < 0 ||
        upscli_readline(Ups, answer, sizeof answer) < 0) {
        snprintf(Error, ErrorSize, "%s: %s", Verb, upscli_strerror(Ups));
        return FALSE;
    }
    if (strncmp(answer, "OK", 2) != 0) {
        snprintf(Error, ErrorSize, "%s refused: %.60s", Verb, answer);
        return FALSE;
    }
    return TRUE;
}

/* libupsclient writes with plain write(): a write to an upsd that went away
 * raises SIGPIPE, which would end the whole host. The signal is blocked in
 * this thread around the library's calls and a pending one taken, so the
 * write fails with EPIPE instead; the process's own handling is left as it
 * was. */
typedef struct _NUTBATT_SIGPIPE {
    sigset_t Old;
    BOOLEAN WasPending;
} NUTBATT_SIGPIPE;

static VOID NutBattBlockSigpipe(NUTBATT_SIGPIPE *Saved)
{
    sigset_t pipe_only, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    Saved->WasPending = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_only, &Saved->Old);
}

static VOID NutBattUnblockSigpipe(const NUTBATT_SIGPIPE *Saved)
{
    sigset_t pipe_only, pending;
    struct timespec now = {0, 0};
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    if (!Saved->WasPending && sigismember(&pending, SIGPIPE) == 1)
        sigtimedwait(&pipe_only, NULL, &now); /* ours: taken, not delivered */
    pthread_sigmask(SIG_SETMASK, &Saved->Old, NULL);
}

static VOID NutBattClose(PVOID *Connection)
{
    UPSCONN_t *ups = *Connection;
    if (!ups)
        return;
    upscli_disconnect(ups);
    ExFreePoolWithTag(ups, NUTBATT_TAG);
    *Connection = NULL;
}

VOID NutBattDisconnect(PVOID *Connection)
{
    NUTBATT_SIGPIPE saved;
    NutBattBlockSigpipe(&saved);
    NutBattClose(Connection);
    NutBattUnblockSigpipe(&saved);
}

static UPSCONN_t *NutBattConnect(const NUTBATT_CONFIG *Config, CHAR *Error, SIZE_T ErrorSize)
{
    struct timeval bound = {.tv_sec = NUTBATT_CONNECT_TIMEOUT_S};
    UPSCONN_t *ups = ExAllocatePoolWithTag(NonPagedPool, sizeof *ups, NUTBATT_TAG);
    if (!ups) {
        snprintf(Error, ErrorSize, "out of memory");
        return NULL;
    }
    RtlZeroMemory(ups, sizeof *ups);
    /* Plain TCP (flags 0): upsd's STARTTLS needs certificates set up for
     * the whole process, which a driver does not own. */
    if (upscli_tryconnect(ups, Config->Host, Config->Port, 0, &bound) < 0) {
        snprintf(Error, ErrorSize, "connect %s:%u: %s", Config->Host, (unsigned)Config->Port,
                 upscli_strerror(ups));
        goto fail;
    }
    if (Config->User[0] && !NutBattCommand(ups, "USERNAME", Config->User, Error, ErrorSize))
        goto fail_disconnect;
    if (Config->Password[0] && !NutBattCommand(ups, "PASSWORD", Config->Password, Error, ErrorSize))
        goto fail_disconnect;
    return ups;

fail_disconnect:
    upscli_disconnect(ups);
fail:
    ExFreePoolWithTag(ups, NUTBATT_TAG);
    return NULL;
}

/* A full read: one LIST VAR, every variable the UPS has. */
static BOOLEAN NutBattListAll(const NUTBATT_CONFIG *Config, UPSCONN_t *Ups,
                              PNUTBATT_READING Reading, CHAR *Error, SIZE_T ErrorSize)
{
    const char *query[2] = {"VAR", Config->UpsName};
    size_t count;
    char **answer;
    int more;
    ULONG seen = 0;

    RtlZeroMemory(Reading, sizeof(*Reading));
    if (upscli_list_start(Ups, 2, query) < 0)
        goto fail;
    while ((more = upscli_list_next(Ups, 2, query, &count, &answer)) == 1) {
        /* VAR <upsname> <variable> <value> */
        if (count >= 4 && strcmp(answer[1], Config->UpsName) == 0)
            NutBattTakeVariable(Reading, answer[2], answer[3]);
        if (++seen > NUTBATT_MAX_VARIABLES) {
            snprintf(Error, ErrorSize, "upsd listed more than %u variables", NUTBATT_MAX_VARIABLES);
            return FALSE;
        }
    }
    if (more == 0)
        return TRUE;
fail:
    snprintf(Error, ErrorSize, "LIST VAR %s: %s", Config->UpsName, upscli_strerror(Ups));
    return FALSE;
}

/* A refresh between full reads: the changing variables' GET VARs in one
 * write, their answers in the same order. ERR VAR-NOT-SUPPORTED is a
 * variable this UPS lacks; any other ERR (its data stale, its driver gone,
 * the UPS unknown) fails the read, as it fails a LIST VAR. */
static BOOLEAN NutBattGetChanging(const NUTBATT_CONFIG *Config, UPSCONN_t *Ups,
                                  PNUTBATT_READING Reading, CHAR *Error, SIZE_T ErrorSize)
{
    /* Sized by the whole table: no count of its changing entries to keep. A
     * line is at most "GET VAR " + a name (63) + " " + a variable + "\n". */
    const NUTBATT_VARIABLE *asked[RTL_NUMBER_OF(NutBattVariables)];
    CHAR request[RTL_NUMBER_OF(NutBattVariables) * 128], line[UPSCLI_NETBUF_LEN], *word[4];
    SIZE_T length = 0, count = 0;

    for (SIZE_T i = 0; i < RTL_NUMBER_OF(NutBattVariables); i++) {
        const NUTBATT_VARIABLE *v = &NutBattVariables[i];
        if (!v->Changes)
            continue;
        asked[count++] = v;
        length += (SIZE_T)snprintf(request + length, sizeof request - length, "GET VAR %s %s\n",
                                   Config->UpsName, v->Name);
    }
    if (upscli_sendline(Ups, request, length) < 0) {
        snprintf(Error, ErrorSize, "GET VAR %s: %s", Config->UpsName, upscli_strerror(Ups));
        return FALSE;
    }
    for (SIZE_T k = 0; k < count; k++) {
        if (upscli_readline(Ups, line, sizeof line) < 0) {
            snprintf(Error, ErrorSize, "GET VAR %s: %s", Config->UpsName, upscli_strerror(Ups));
            return FALSE;
        }
        SIZE_T words = NutBattSplitAnswer(line, word, RTL_NUMBER_OF(word));
        if (words == 4 && strcmp(word[0], "VAR") == 0 && strcmp(word[1], Config->UpsName) == 0 &&
            strcmp(word[2], asked[k]->Name) == 0) {
            NutBattStore(Reading, asked[k], word[3]);
            continue;
        }
        if (words >= 2 && strcmp(word[0], "ERR") == 0) {
            if (strcmp(word[1], "VAR-NOT-SUPPORTED") == 0)
                continue;
            snprintf(Error, ErrorSize, "GET VAR %s %s: %.40s", Config->UpsName, asked[k]->Name,
                     word[1]);
            return FALSE;
        }
        snprintf(Error, ErrorSize, "GET VAR %s %s: an answer that is not its VAR", Config->UpsName,
                 asked[k]->Name);
        return FALSE; /* the rest of the answers are unread: the caller disconnects */
    }
    return TRUE;
}

static BOOLEAN NutBattFetchBlocked(const NUTBATT_CONFIG *Config, PVOID *Connection,
                                   const NUTBATT_READING *Known, PNUTBATT_READING Reading,
                                   CHAR *Error, SIZE_T ErrorSize)
{
    /* A new connection may be another UPS (upsd restarted): read it all. */
    BOOLEAN full = !Known || !*Connection;
    if (!*Connection)
        *Connection = NutBattConnect(Config, Error, ErrorSize);
    UPSCONN_t *ups = *Connection;
    if (!ups) {
        RtlZeroMemory(Reading, sizeof(*Reading));
        return FALSE;
    }
    if (full) {
        if (!NutBattListAll(Config, ups, Reading, Error, ErrorSize))
            goto fail;
    } else {
        NutBattKeepStatic(Reading, Known);
        if (!NutBattGetChanging(Config, ups, Reading, Error, ErrorSize))
            goto fail;
    }
    if (!NUT_HASS(Reading, NutStatus)) {
        /* Every driver sets ups.status; without it there is no UPS state. */
        snprintf(Error, ErrorSize, "%s lists no ups.status", Config->UpsName);
        goto fail;
    }
    if (strcmp(Reading->String[NutStatus], "WAIT") == 0) {
        /* upsd's placeholder until the UPS's driver has said anything. */
        snprintf(Error, ErrorSize, "%s: its driver has not reported yet", Config->UpsName);
        goto fail;
    }
    return TRUE;

fail:
    NutBattClose(Connection);
    return FALSE;
}

BOOLEAN NutBattFetch(const NUTBATT_CONFIG *Config, PVOID *Connection, const NUTBATT_READING *Known,
                     PNUTBATT_READING Reading, CHAR *Error, SIZE_T ErrorSize)
{
    NUTBATT_SIGPIPE saved;
    NutBattBlockSigpipe(&saved);
    BOOLEAN ok = NutBattFetchBlocked(Config, Connection, Known, Reading, Error, ErrorSize);
    NutBattUnblockSigpipe(&saved);
    return ok;
}

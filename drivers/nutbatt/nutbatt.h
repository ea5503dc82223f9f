/* nutbatt: a UPS served by a Network UPS Tools upsd, as a battery miniclass
 * on battc (the FDO on NUTBATT\UPS), private declarations. A refresh on the
 * host's clock reads the UPS's variables over TCP (libupsclient) into a
 * cache; every battc call answers from that cache. Linux-only (LINUX_ONLY):
 * upsd.c calls NUT's client library and libc. */
#ifndef NUTBATT_H
#define NUTBATT_H

#include "../common/bridge.h"

#define NUTBATT_TAG 'tBuN' /* "NuBt" in a pool dump */

/* Defaults when the hardware key does not say (docs/nutbatt.md). */
#define NUTBATT_DEFAULT_POLL_MS 5000
#define NUTBATT_MIN_POLL_MS     100
#define NUTBATT_DEFAULT_PORT            3493 /* upsd's registered port */
/* Every this many refreshes, and on every new contact, a full read: the
 * static variables (ratings, names, dates) too. Between them a refresh
 * asks for the changing ones only (upsd.c), so a new battery behind the
 * same upsd and UPS driver is seen within this many polls (a minute at the
 * default poll). */
#define NUTBATT_FULL_READ_EVERY 12

#define NUTBATT_TEXT_MAX 64  /* one string variable or parameter, with its NUL */
#define NUTBATT_UPS_MAX  256 /* "upsname@host[:port]", with its NUL */

/* Number variables, kept in thousandths of NUT's unit (upsd.c's table says
 * which variable feeds which): "27.2" V is 27200, i.e. mV. */
typedef enum _NUTBATT_NUMBER {
    NutCharge,         /* battery.charge, % */
    NutChargeLow,      /* battery.charge.low, %: the UPS raises LB here */
    NutChargeWarning,  /* battery.charge.warning, % */
    NutRuntime,        /* battery.runtime, s */
    NutVoltage,        /* battery.voltage, V */
    NutVoltageNominal, /* battery.voltage.nominal, V */
    NutCapacity,       /* battery.capacity, Ah */
    NutTemperature,    /* battery.temperature, degC */
    NutNumberCount
} NUTBATT_NUMBER;

typedef enum _NUTBATT_STRING {
    NutStatus,       /* ups.status: space-separated flags */
    NutManufacturer, /* device.mfr, else ups.mfr */
    NutModel,        /* device.model, else ups.model */
    NutSerial,       /* device.serial, else ups.serial */
    NutChemistry,    /* battery.type */
    NutDate,         /* battery.mfr.date, else battery.date */
    NutStringCount
} NUTBATT_STRING;

/* ups.status flags (map.c parses them by table). */
#define NUT_FLAG_OL      0x0001u /* on line power */
#define NUT_FLAG_OB      0x0002u /* on battery */
#define NUT_FLAG_LB      0x0004u /* low battery */
#define NUT_FLAG_CHRG    0x0008u
#define NUT_FLAG_DISCHRG 0x0010u
#define NUT_FLAG_RB      0x0020u /* replace battery */
#define NUT_FLAG_FSD     0x0040u /* forced shutdown set by the primary upsmon */
#define NUT_FLAG_OFF     0x0080u /* output off */
#define NUT_FLAG_BYPASS  0x0100u
#define NUT_FLAG_CAL     0x0200u /* runtime calibration */
#define NUT_FLAG_OVER    0x0400u /* overloaded */

/* One read of the UPS: what upsd listed. A variable upsd did not list (or
 * one that does not parse) has its bit clear. */
typedef struct _NUTBATT_READING {
    ULONG HaveNumber; /* 1 << NUTBATT_NUMBER */
    ULONG HaveString; /* 1 << NUTBATT_STRING */
    LONGLONG Number[NutNumberCount];
    CHAR String[NutStringCount][NUTBATT_TEXT_MAX];
} NUTBATT_READING, *PNUTBATT_READING;

#define NUT_HAS(r, n)  (((r)->HaveNumber >> (n)) & 1u)
#define NUT_HASS(r, n) (((r)->HaveString >> (n)) & 1u)

/* What the machine description says (the hardware key, config.c). */
typedef struct _NUTBATT_CONFIG {
    CHAR Ups[NUTBATT_UPS_MAX]; /* as given */
    CHAR UpsName[NUTBATT_TEXT_MAX];
    CHAR Host[NUTBATT_UPS_MAX];
    USHORT Port;
    CHAR User[NUTBATT_TEXT_MAX];
    CHAR Password[NUTBATT_TEXT_MAX];
    ULONG PollMs;
    ULONG DesignCapacityMwh; /* 0: unknown */
    ULONG DesignVoltageMv;
    CHAR Manufacturer[NUTBATT_TEXT_MAX];
    CHAR Model[NUTBATT_TEXT_MAX];
    CHAR Serial[NUTBATT_TEXT_MAX];
    CHAR Chemistry[8];
} NUTBATT_CONFIG, *PNUTBATT_CONFIG;

/* The battery FDO's extension. */
typedef struct _NUTBATT_DEVICE {
    BRIDGE_BATTERY Fdo; /* its RemoveLock is held by a queued refresh as well;
                         * NotifyArmed/Notify under Lock */
    NUTBATT_CONFIG Config;
    BOOLEAN Started;

    /* Lock guards the cache, the tag, the notify window and the flags
     * below. Readers copy out under it. */
    KSPIN_LOCK Lock;
    NUTBATT_READING Reading;
    BOOLEAN Contact;     /* the last refresh reached upsd and the UPS */
    ULONG Tag;           /* BATTERY_TAG_INVALID while out of contact */
    BATTERY_STATUS Last; /* what battc was last told of */
    BOOLEAN Stopping;    /* no new refresh is queued */
    BOOLEAN RefreshQueued;
    BOOLEAN TimerSet;
    ULONG Refreshes; /* done (tests and the log) */

    /* The connection: touched only by the refresh, one at a time. */
    PVOID Connection; /* upsd.c's, NULL while disconnected */
    CHAR LastError[128];

    PIO_WORKITEM RefreshWork;
    KTIMER PollTimer;
    KDPC PollDpc;
} NUTBATT_DEVICE, *PNUTBATT_DEVICE;

#define NUTBATT_OF(Battery) BRIDGE_EXTENSION(Battery, NUTBATT_DEVICE, Fdo)

/* config.c (PASSIVE_LEVEL): the hardware key into Config; FALSE (with a
 * message logged) when Ups is missing or malformed. */
BOOLEAN NutBattReadConfig(PDEVICE_OBJECT Pdo, PNUTBATT_CONFIG Config);
/* "ups@host[:port]" -> name, host, port; FALSE when malformed. */
BOOLEAN NutBattSplitUps(const CHAR *Ups, CHAR *Name, SIZE_T NameSize, CHAR *Host, SIZE_T HostSize,
                        USHORT *Port);

/* upsd.c (PASSIVE_LEVEL; libupsclient). One round trip; connects (and
 * sends the credentials) first when *Connection is NULL. Known NULL, or a
 * new connection: a full read (LIST VAR). Otherwise Reading is Known's
 * static variables with the changing ones read anew (GET VARs). On failure
 * the connection is closed, *Connection NULL, Error says why. */
BOOLEAN NutBattFetch(const NUTBATT_CONFIG *Config, PVOID *Connection, const NUTBATT_READING *Known,
                     PNUTBATT_READING Reading, CHAR *Error, SIZE_T ErrorSize);
VOID NutBattDisconnect(PVOID *Connection);
/* Stores one variable upsd listed into Reading (by the variable table). */
VOID NutBattTakeVariable(PNUTBATT_READING Reading, const CHAR *Name, const CHAR *Value);
/* "27.2" -> 27200; FALSE when not a decimal number. */
BOOLEAN NutBattParseMilli(const CHAR *Text, LONGLONG *Milli);

/* map.c: NUT's variables -> battc's units (pure functions of one reading
 * and the configuration). */
ULONG NutBattStatusFlags(const NUTBATT_READING *Reading);
VOID NutBattMapInformation(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                           PBATTERY_INFORMATION Information);
VOID NutBattMapStatus(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                      PBATTERY_STATUS Status);
ULONG NutBattMapEstimatedTime(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                              LONG AtRate);
BOOLEAN NutBattMapTemperature(const NUTBATT_READING *Reading, PULONG Temperature);
BOOLEAN NutBattMapGranularity(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                              PBATTERY_REPORTING_SCALE Scale);
BOOLEAN NutBattMapDate(const NUTBATT_READING *Reading, PBATTERY_MANUFACTURE_DATE Date);
/* The level's text (ASCII); FALSE if none. */
BOOLEAN NutBattMapString(const NUTBATT_READING *Reading, const NUTBATT_CONFIG *Config,
                         BATTERY_QUERY_INFORMATION_LEVEL Level, CHAR *Text, SIZE_T Size);
/* TRUE when the data the docs call static differs (a new tag). */
BOOLEAN NutBattStaticDiffers(const NUTBATT_READING *A, const NUTBATT_READING *B,
                             const NUTBATT_CONFIG *Config);

/* refresh.c */
NTSTATUS NutBattRefreshStart(PNUTBATT_DEVICE Device); /* PASSIVE: first read, then the timer */
VOID NutBattRefreshStop(PNUTBATT_DEVICE Device);      /* PASSIVE: no refresh queued after */

/* miniclass.c */
NTSTATUS NutBattBatteryStart(PNUTBATT_DEVICE Device);

#endif /* NUTBATT_H */

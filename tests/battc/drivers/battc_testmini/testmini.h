/* battc_testmini: a WDM battery miniclass whose battery is whatever the
 * test says (private IOCTLs), and which counts and checks every call battc
 * makes into it. This header is its device extension and routine list. */
#ifndef TESTMINI_H
#define TESTMINI_H

#include <ntddk.h>
#include <batclass.h>
#include <wmistr.h>
#include <wmilib.h>
#include "testmini_ioctl.h"

#define TESTMINI_TAG 'iMsT'

typedef enum _TESTMINI_VARIANT {
    TestMiniFull,     /* BATTERY_MINIPORT_INFO_V1_1 with every callback */
    TestMiniV10,      /* BATTERY_MINIPORT_INFO (MinorVersion 0) */
    TestMiniV12,      /* BATTERY_MINIPORT_INFO_V1_2 */
    TestMiniNoSet,    /* SetInformation NULL */
    TestMiniNoNotify, /* SetStatusNotify and DisableStatusNotify NULL */
} TESTMINI_VARIANT;

typedef struct _TESTMINI_EXTENSION {
    PDEVICE_OBJECT Fdo;
    PDEVICE_OBJECT Pdo;
    PDEVICE_OBJECT Lower;
    TESTMINI_VARIANT Variant;
    PVOID ClassHandle; /* NULL before init and after BatteryClassUnload */
    IO_REMOVE_LOCK RemoveLock;
    BOOLEAN WmiRegistered;
    WMILIB_CONTEXT WmiLib;
    WMIGUIDREGINFO WmiGuids[1];

    /* The battery as scripted; guarded by Lock. */
    KSPIN_LOCK Lock;
    BOOLEAN Present;
    ULONG Tag;     /* docs: new on every insertion; 0 without a battery */
    ULONG LastTag; /* the tag counter */
    BATTERY_STATUS Status;
    BATTERY_INFORMATION Info;
    BATTERY_NOTIFY Notify;
    ULONG CriticalBias;
    TESTMINI_CONFIG Config;
    TESTMINI_COUNTERS Counters;

    /* Checks on battc's behaviour. */
    LONG volatile Active;          /* callbacks running now */
    PUCHAR volatile NotifierFrame; /* a local of the thread inside BatteryClassStatusNotify */
} TESTMINI_EXTENSION, *PTESTMINI_EXTENSION;

/* driver.c */
extern UNICODE_STRING TestMiniRegistryPath;
DRIVER_INITIALIZE DriverEntry;

/* mini.c: the BatteryMini* routines and the miniport info they go in. */
void TestMiniFillInfo(PTESTMINI_EXTENSION Ext, PBATTERY_MINIPORT_INFO_V1_2 Info);
BCLASS_QUERY_STATUS_CALLBACK TestMiniQueryStatus;
void TestMiniInitBattery(PTESTMINI_EXTENSION Ext);
/* Calls BatteryClassStatusNotify, recording this thread's stack so a
 * callback run on it can be caught. At DISPATCH_LEVEL if Raise. */
void TestMiniNotify(PTESTMINI_EXTENSION Ext, BOOLEAN Raise);

/* bench.c */
extern PTESTMINI_EXTENSION TestMiniLastDevice;
DECLSPEC_EXPORT NTSTATUS TestMiniBenchHooks(TESTMINI_BENCH_HOOKS *Hooks);

/* control.c: the private IOCTLs. Returns STATUS_NOT_SUPPORTED for others. */
NTSTATUS TestMiniControl(PTESTMINI_EXTENSION Ext, PIRP Irp);

/* wmi.c */
void TestMiniWmiInit(PTESTMINI_EXTENSION Ext);
DRIVER_DISPATCH TestMiniSystemControl;

#endif /* TESTMINI_H */

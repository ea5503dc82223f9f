/* wdf.h: the Kernel-Mode Driver Framework (KMDF) subset that battery
 * miniclass drivers use, under the WDK's header names, written from the KMDF
 * reference (windows-driver-docs-ddi wdf* pages). battkit's host implements
 * every routine declared here in ntos/wdf/; a Wdf routine this subset lacks
 * is not declared, so a driver calling it fails to build, and the link
 * (--no-undefined) names it. See docs/kmdf.md for what is and is not here. */
#ifndef BATTKIT_WDF_H
#define BATTKIT_WDF_H

#include <ntddk.h>

/* The KMDF version the headers describe; an INF's KmdfLibraryVersion may
 * name this or any older 1.x. */
#define KMDF_VERSION_MAJOR 1
#define KMDF_VERSION_MINOR 15

#include <wdftypes.h>
#include <wdfcore.h>
#include <wdfobject.h>
#include <wdfsync.h>
#include <wdfmemory.h>
#include <wdfdriver.h>
#include <wdfresource.h>
#include <wdfdevice.h>
#include <wdffdo.h>
#include <wdfio.h>
#include <wdfrequest.h>
#include <wdfregistry.h>
#include <wdftimer.h>
#include <wdfworkitem.h>

#endif

/* The WDM interface battery drivers are written against, under the WDK's
 * own names. battkit's host (ntos/) implements every routine declared here;
 * a routine it lacks fails at link time, never at run time. */
#ifndef BATTKIT_WDM_H
#define BATTKIT_WDM_H

#include <ntdef.h>
#include <ntstatus.h>
#include <wdk/rtl.h>
#include <wdk/ke.h>
#include <wdk/ex.h>
#include <wdk/types.h>
#include <wdk/io.h>
#include <wdk/ob.h>
#include <wdk/pnp.h>

#endif

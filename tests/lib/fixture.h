/* Shared set-up for the client-library tests: an embedded host on virtual
 * time with a machine loaded, the library pointed at it, and helpers that
 * do the documented open/tag steps. */
#ifndef TESTS_LIB_FIXTURE_H
#define TESTS_LIB_FIXTURE_H

#include "bk_test.h"

#include <windows.h>
#include <setupapi.h>
#include <devguid.h>
#include <batclass.h>
#include <battkit/client.h>
#include <battkit/host.h>
#include <ntstatus.h>

/* NULL machine: the built-in laptop (BAT0 on ACPI, ADP1 online). */
bk_host_t *fixture_start(const char *machine);
/* Detaches the library, unloads the machine; CHECKs a clean destroy. */
void fixture_stop(bk_host_t *host);
/* The first battery's device path (Win32 form) into path; FALSE if none. */
BOOL fixture_first_path(char *path, size_t size);
/* Opens the first battery; INVALID_HANDLE_VALUE on failure. */
HANDLE fixture_open(DWORD access, DWORD flags);
/* QUERY_TAG with no wait; 0 on failure. */
ULONG fixture_tag(HANDLE h);
/* QUERY_STATUS with Timeout 0. */
BOOL fixture_status(HANDLE h, ULONG tag, BATTERY_STATUS *out);
/* Path of a machine file in tests/lib/ (compiled-in source dir). */
const char *fixture_machine(const char *name);

#endif

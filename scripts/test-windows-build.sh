#!/usr/bin/env bash
# CI check for the Windows build: every driver in drivers/ builds as a .sys
# and passes the import check, and a driver that calls a battkit host routine
# (something no Windows kernel exports) fails to link, naming the routine.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: test-windows-build.sh OUT_DIR}
bash "$top/scripts/build-windows.sh" "$out/images"
echo "ok   every driver in drivers/ builds as a Windows .sys with allowed imports only"

tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/hostcall"
cat >"$tree/hostcall/driver.c" <<'C'
#include <ntddk.h>
void ke_settle(void); /* a battkit host routine, not a Windows export */
DRIVER_INITIALIZE DriverEntry;
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    ke_settle();
    return STATUS_SUCCESS;
}
C
if DRIVERS_DIR="$tree" bash "$top/scripts/build-windows.sh" "$out/negative" >"$out/negative.log" 2>&1; then
  echo "FAIL: a driver calling a host-only routine built for Windows" >&2; exit 1
fi
grep -q "ke_settle" "$out/negative.log" || { echo "FAIL: the link error does not name the routine" >&2; cat "$out/negative.log" >&2; exit 1; }
echo "ok   a host-only call in a driver fails the Windows link, naming it"

#!/usr/bin/env bash
# A third-party WDM driver (wdm_api_driver.c) builds out of tree with
# battkit-driver-cc, with and without -Werror (WDK formats such as %lx with
# a ULONG are not warnings), loads, runs its calls with checked results, and
# its DbgPrint output has Windows formatting (%wZ, %ws, 'l' as 32 bits).
set -euo pipefail
bin_dir=$1; src_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src_dir/wdm_api_driver.c" "$work/"
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$bin_dir/battkit-driver-cc" -o wdmapi.so wdm_api_driver.c --no-battc 2>build.log ||
  { cat build.log >&2; fail "third-party WDM driver does not build"; }
echo "ok   third_party_wdm_driver_builds_with_battkit_driver_cc"
"$bin_dir/battkit-driver-cc" -Werror -o wdmapi-werror.so wdm_api_driver.c --no-battc 2>werror.log ||
  { cat werror.log >&2; fail "WDK-style driver has warnings under -Werror"; }
echo "ok   wdk_format_strings_are_not_warnings_under_werror"
BATTKIT_LOG=debug WDM_API_DRIVER_SO="$work/wdmapi.so" "$bin_dir/test_wdm_api" 2>run.log ||
  { cat run.log >&2; fail "test_wdm_api"; }
grep -qF 'wdmapi: name=\Device\WdmApiTarget ws=Wide lx=deadbeef LX=DEADBEEF ld=-7 I64u=1099511627776' run.log ||
  { grep wdmapi run.log >&2; fail "DbgPrint formatted %wZ/%ws/%lx/%I64u wrong"; }
grep -qF 'wdmapi: vDbgPrintEx 3735928559 Wide' run.log ||
  { grep wdmapi run.log >&2; fail "vDbgPrintEx output wrong"; }
grep -q 'wdmapi: DriverEntry \\Registry\\Machine\\System\\CurrentControlSet\\Services\\wdmapi' run.log ||
  { grep wdmapi run.log >&2; fail "DbgPrint %wZ of RegistryPath wrong"; }
echo "ok   dbgprint_formats_wZ_ws_and_32_bit_l"

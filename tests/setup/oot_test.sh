#!/usr/bin/env bash
# A battery miniclass built outside the tree with battkit-driver-cc (the
# conformance suite's badmini sources, as "ootbatt"), with its own INF:
# `battinf verify` accepts it, `battinf install` puts it in a driver store and
# a registry file, test_setup_oot binds it to a root device by hardware ID
# and runs the conformance suite, and `battinf uninstall` leaves the
# registry file and the store as they were before the install.
set -euo pipefail
bin_dir=$1; src_dir=$2; test_prog=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/pkg" "$work/state/driverstore"
cp "$src_dir"/*.c "$src_dir"/*.h "$work/src/"
"$bin_dir/battkit-driver-cc" -o "$work/pkg/ootbatt.so" "$work/src"/*.c

cat > "$work/pkg/ootbatt.inf" <<'INF'
; ootbatt.inf - a battery miniclass built outside the battkit tree
[Version]
Signature   = "$WINDOWS NT$"
Class       = Battery
ClassGuid   = {72631e54-78a4-11d0-bcf7-00aa00b7b32a}
Provider    = %Vendor%
DriverVer   = 05/01/2025,1.0.0.0

[DestinationDirs]
DefaultDestDir = 12

[SourceDisksNames]
1 = %Disk%

[SourceDisksFiles]
ootbatt.sys = 1

[Manufacturer]
%Vendor% = Vendor,NTamd64

[Vendor.NTamd64]
%OotBatt.DeviceDesc% = OotBatt_Inst, BADMINI\Good

[OotBatt_Inst.NT]
CopyFiles = @ootbatt.sys

[OotBatt_Inst.NT.Services]
AddService = ootbatt, 0x00000002, OotBatt_Service

[OotBatt_Service]
DisplayName    = %OotBatt.SvcDesc%
ServiceType    = 1 ; SERVICE_KERNEL_DRIVER
StartType      = 3 ; SERVICE_DEMAND_START
ErrorControl   = 1 ; SERVICE_ERROR_NORMAL
ServiceBinary  = %12%\ootbatt.sys

[Strings]
Vendor             = "An outside vendor"
Disk               = "ootbatt disk"
OotBatt.DeviceDesc = "Out-of-tree battery"
OotBatt.SvcDesc    = "Out-of-tree battery miniclass driver"
INF

battinf="$bin_dir/battinf"
where=(--registry "$work/state/registry" --store "$work/state/driverstore")
"$battinf" verify "$work/pkg/ootbatt.inf"
"$battinf" list "${where[@]}" >/dev/null # the registry file as it is before
cp "$work/state/registry" "$work/registry.before"
(cd "$work/state/driverstore" && find . | sort) > "$work/store.before"

"$battinf" install "$work/pkg/ootbatt.inf" "${where[@]}"
"$battinf" list "${where[@]}" | grep -q '^ootbatt.inf$'
echo "ok   battinf_installs_an_out_of_tree_package"
"$battinf" uninstall ootbatt "${where[@]}"
cmp "$work/registry.before" "$work/state/registry"
(cd "$work/state/driverstore" && find . | sort) | diff "$work/store.before" -
echo "ok   battinf_uninstall_restores_registry_and_store"

# Installed again, used by a device (whose Enum key then stays, as on
# Windows), uninstalled: the package and its keys are gone.
"$battinf" install "$work/pkg/ootbatt.inf" "${where[@]}" >/dev/null
OOT_STATE="$work/state" "$test_prog"
"$battinf" uninstall ootbatt "${where[@]}"
"$battinf" list "${where[@]}" | grep -q '^no driver packages installed$'
(cd "$work/state/driverstore" && find . | sort) | diff "$work/store.before" -
# Everything outside Enum (device history) must be free of the package.
awk '/^\[/ { enum = index($0, "\\CurrentControlSet\\Enum") > 0 } !enum' \
  "$work/state/registry" > "$work/outside-enum"
if grep -q -e ootbatt -e 'BADMINI#Good' "$work/outside-enum"; then
  echo "FAIL: keys of the package are left:" >&2; grep -n ootbatt "$work/outside-enum" >&2; exit 1
fi
echo "ok   an_uninstalled_package_leaves_only_the_device_history"
cp "$work/state/registry" "$work/registry.before"

# A broken INF: refused with file:line, nothing written.
sed 's/^ServiceType    = 1.*/ServiceType    = 2/' "$work/pkg/ootbatt.inf" > "$work/pkg/bad.inf"
if "$battinf" install "$work/pkg/bad.inf" "${where[@]}" 2>"$work/bad.log"; then
  echo "FAIL: a battery INF with a file system driver service was installed" >&2; exit 1
fi
grep -q "bad.inf:32: error: ServiceType 2 is not 1" "$work/bad.log" ||
  { echo "FAIL: no file:line report:" >&2; cat "$work/bad.log" >&2; exit 1; }
cmp "$work/registry.before" "$work/state/registry"
echo "ok   battinf_refuses_a_bad_inf_with_file_and_line"

#!/bin/sh
# Builds simbatt's sources as a Windows kernel driver (simbatt.sys) with the
# mingw-w64 DDK headers and import libraries, and checks that it imports
# nothing but ntoskrnl.exe, battc.sys and WMILIB.SYS - i.e. only documented
# WDM routines and the battery class driver.
# usage: mingw_sys.sh CC DLLTOOL OBJDUMP INCLUDE_DIR SOURCE...
set -eu
cc=$1 dlltool=$2 objdump=$3 include=$4
shift 4
ddk=$(dirname "$(command -v "$cc")")/../x86_64-w64-mingw32/include/ddk
[ -d "$ddk" ] || ddk=/usr/x86_64-w64-mingw32/include/ddk
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# battc.sys has no import library in mingw-w64: make one from its exports.
cat >"$out/battc.def" <<EOF
LIBRARY battc.sys
EXPORTS
BatteryClassInitializeDevice
BatteryClassUnload
BatteryClassIoctl
BatteryClassStatusNotify
BatteryClassSystemControl
BatteryClassQueryWmiDataBlock
EOF
"$dlltool" -d "$out/battc.def" -l "$out/libbattc.a"

# mingw-w64's DDK headers first; battkit's include/ only for battkit/*.h.
"$cc" -std=gnu17 -O2 -Wall -Wextra -Werror -Wno-multichar -idirafter "$ddk" \
    -idirafter "$include" -shared -nostdlib -Wl,--subsystem,native \
    -Wl,--entry,DriverEntry -o "$out/simbatt.sys" "$@" -L"$out" -lbattc -lntoskrnl \
    -lwmilib -lhal

dlls=$("$objdump" -p "$out/simbatt.sys" | sed -n 's/^[[:space:]]*DLL Name: //p' | sort -u)
echo "simbatt.sys imports from:" $dlls
for dll in $dlls; do
    case $dll in
    ntoskrnl.exe | battc.sys | WMILIB.SYS) ;;
    *)
        echo "unexpected import library $dll" >&2
        exit 1
        ;;
    esac
done

#!/usr/bin/env bash
# Builds every kernel driver in drivers/ as a Windows x64 kernel-mode image
# (<out>/<driver>.sys) with the mingw-w64 cross compiler and its DDK headers,
# WITHOUT battkit's include/ (only the drivers' own battkit/*.h interface
# headers are visible), then checks each image (scripts/check-sys-imports.sh).
# A driver folder with a LINUX_ONLY file (a Linux bridge) is skipped, and so
# is one with a NEEDS_WDK file (a KMDF driver: mingw-w64 has no wdf.h and no
# framework library; the WDK builds it).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-build-windows}
# DRIVERS_DIR lets the self-test point the build at a tree with a bad driver.
drivers_dir=${DRIVERS_DIR:-$top/drivers}
mkdir -p "$out/inc"
out=$(cd "$out" && pwd)
cc=x86_64-w64-mingw32-gcc
dlltool=x86_64-w64-mingw32-dlltool
ddk=/usr/x86_64-w64-mingw32/include/ddk
command -v $cc >/dev/null || { echo "make windows: $cc missing (scripts/bootstrap.sh installs it)" >&2; exit 1; }

# The drivers' own interface headers, and nothing else of include/.
rm -rf "$out/inc/battkit"
cp -r "$top/include/battkit" "$out/inc/battkit"
rm -f "$out/inc/battkit/host.h"  # the host's API is not a driver header

cflags=(-std=gnu17 -O2 -Wall -Wextra -Werror -Wno-multichar -Wno-unknown-pragmas
        -D_AMD64_ -DNTDDI_VERSION=0x0A000000 -D_WIN32_WINNT=0x0A00
        -fno-builtin -ffreestanding -fno-stack-protector -mno-stack-arg-probe
        -I"$out/inc" -idirafter "$ddk")
ldflags=(-shared -nostdlib -Wl,--subsystem,native -Wl,--image-base,0x140000000
         -Wl,--dynamicbase -Wl,--nxcompat -Wl,--file-alignment,0x200
         -Wl,--section-alignment,0x1000 -Wl,--stack,0x40000 -Wl,--entry,DriverEntry)
libs=(-lntoskrnl -lhal -lwmilib -lgcc)

build_one() { # name [import libs...]
  local name=$1; shift
  local dir="$drivers_dir/$name" objs=() src
  mkdir -p "$out/obj/$name"
  for src in "$dir"/*.c; do
    local obj="$out/obj/$name/$(basename "${src%.c}").o"
    $cc "${cflags[@]}" ${EXTRA_CFLAGS:-} -c "$src" -o "$obj"
    objs+=("$obj")
  done
  local extra=()
  [ -f "$dir/$name.def" ] && extra+=("$dir/$name.def")
  $cc "${ldflags[@]}" -o "$out/$name.sys" "${objs[@]}" "${extra[@]}" "$@" "${libs[@]}"
  echo "built $out/$name.sys"
}

drivers=()
for d in "$drivers_dir"/*/; do
  name=$(basename "$d")
  [ -f "$d/LINUX_ONLY" ] && { echo "skip $name (Linux-only bridge)"; continue; }
  [ -f "$d/NEEDS_WDK" ] && { echo "skip $name (KMDF: needs the WDK)"; continue; }
  ls "$d"/*.c >/dev/null 2>&1 || continue
  drivers+=("$name")
done

# battc first: it is the export driver the miniclasses import (battc.lib from battc.def).
if [[ " ${drivers[*]} " == *" battc "* ]]; then
  build_one battc
  $dlltool --def "$drivers_dir/battc/battc.def" --dllname battc.sys --output-lib "$out/libbattc.a"
fi
for name in "${drivers[@]}"; do
  [ "$name" = battc ] && continue
  if grep -q 'IMPORTS battc' "$drivers_dir/$name/CMakeLists.txt" 2>/dev/null; then
    build_one "$name" "$out/libbattc.a"
  else
    build_one "$name"
  fi
done
images=()
for name in "${drivers[@]}"; do images+=("$out/$name.sys"); done
bash "$top/scripts/check-sys-imports.sh" "${images[@]}"

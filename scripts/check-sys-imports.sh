#!/usr/bin/env bash
# Checks that each image is a PE32+ native-subsystem driver whose imports come
# only from ntoskrnl.exe, HAL.dll, WMILIB.SYS and battc.sys, and lists every
# imported routine. Exit status: the number of images that fail.
set -uo pipefail
objdump=x86_64-w64-mingw32-objdump
allowed='^(ntoskrnl\.exe|hal\.dll|wmilib\.sys|battc\.sys)$'
failures=0
for img in "$@"; do
  name=$(basename "$img")
  hdr=$($objdump -p "$img")
  problems=()
  grep -q '^Magic[[:space:]]*020b' <<<"$hdr" || problems+=("not PE32+ (Magic is not 020b)")
  grep -Eq '^Subsystem[[:space:]]*0+1[[:space:]]' <<<"$hdr" || problems+=("subsystem is not native (1)")
  dlls=$(awk '/DLL Name:/ {print $3}' <<<"$hdr")
  for dll in $dlls; do
    lower=$(tr 'A-Z' 'a-z' <<<"$dll")
    [[ $lower =~ $allowed ]] || problems+=("imports from $dll")
  done
  echo "$name imports:"
  awk '/DLL Name:/ {dll=$3; next} dll && NF>=3 && $1 ~ /^[0-9a-f]+$/ && $2 ~ /^[0-9]+$/ {print "  " dll "!" $3} /^$/ {dll=""}' <<<"$hdr" | sort -u
  if [ ${#problems[@]} -gt 0 ]; then
    for p in "${problems[@]}"; do echo "FAIL $name: $p"; done
    failures=$((failures + 1))
  else
    echo "ok   $name: PE32+, native subsystem, imports only from allowed modules"
  fi
done
exit $failures

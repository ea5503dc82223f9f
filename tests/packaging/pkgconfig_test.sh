#!/usr/bin/env bash
# An application built against an installed battkit with nothing but
# `pkg-config --cflags --libs battkit-client`: installs the build tree into
# a temporary prefix, compiles examples/battery_status.c (a program written
# the Windows way) out of tree, and runs it against the installed battd.
# Usage: pkgconfig_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/battkit-pkgconfig.XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { echo "FAIL: cmake --install:"; cat "$work/install.log"; exit 1; }
for page in man1/battctl.1 man8/battd.8 man8/battinf.8 man1/battkit-conformance.1 \
            man1/battkit-driver-cc.1 man1/battkit-sim.1 man5/battkit-machine.5; do
  [ -f "$prefix/share/man/$page" ] || { echo "FAIL: make install does not install $page"; exit 1; }
done
echo "ok   install_puts_every_man_page_in_its_section"
pc=$(find "$prefix" -name battkit-client.pc -path '*/pkgconfig/*' | head -n1)
[ -n "$pc" ] || { echo "FAIL: no battkit-client.pc installed"; exit 1; }
export PKG_CONFIG_PATH="$(dirname "$pc")"
flags=$(pkg-config --cflags --libs battkit-client)
echo "pkg-config --cflags --libs battkit-client: $flags"
# Nothing of the source or build tree may leak into an installed .pc.
if grep -qF -e "$src" -e "$build" <<<"$flags"; then
  echo "FAIL: the flags name the source or build tree"; exit 1
fi
cp "$src/examples/battery_status.c" "$work/"
cd "$work"
# shellcheck disable=SC2086 # word splitting of the flags is the point
cc -std=c17 -Wall -Wextra -Werror -o battery_status battery_status.c $flags ||
  { echo "FAIL: the example does not build with the pkg-config flags"; exit 1; }
echo "ok   win32_program_builds_with_pkg_config_battkit_client"
libdir=$(pkg-config --variable=libdir battkit-client)
LD_LIBRARY_PATH="$libdir" bash "$src/examples/run_example.sh" "$prefix/sbin/battd" \
  "$work/battery_status" || { echo "FAIL: the program built from the .pc does not talk to the installed battd"; exit 1; }
echo "ok   program_built_from_pkg_config_talks_to_installed_battd"

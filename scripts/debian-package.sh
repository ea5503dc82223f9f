#!/usr/bin/env bash
# Builds the Debian packages from a clean copy of the tree
# (dpkg-buildpackage -us -uc -b), runs lintian on them (an error fails),
# installs them (dpkg -i; sudo when not root) and checks that what they installed
# works: battd --version, and a Win32-style program built with
# `pkg-config battkit-client` talks to the installed battd.
#   scripts/debian-package.sh [--no-install] [OUTDIR]     (default: build-deb/)
set -euo pipefail
install=1
[ "${1:-}" = "--no-install" ] && { install=0; shift; }
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$top/build-deb}" && cd "${1:-$top/build-deb}" && pwd)
work=$(mktemp -d)
battd_pid=
cleanup() {
    [ -n "$battd_pid" ] && kill "$battd_pid" 2>/dev/null && wait "$battd_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The committed tree only: no build folders or local files in the package.
git -C "$top" archive --format=tar --prefix=battkit/ HEAD | tar -x -C "$work"
(cd "$work/battkit" && DEB_BUILD_OPTIONS="nocheck ${DEB_BUILD_OPTIONS:-}" \
    dpkg-buildpackage -us -uc -b -j"$(nproc)" >"$out/dpkg-buildpackage.log" 2>&1) || {
    tail -40 "$out/dpkg-buildpackage.log" >&2
    echo "debian-package: dpkg-buildpackage failed (log: $out/dpkg-buildpackage.log)" >&2
    exit 1
}
rm -f "$out"/*.deb
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
echo "debian-package: built $(cd "$out" && ls *.deb | tr '\n' ' ')"

# lintian: errors fail; warnings are printed for the next person to see.
lintian --fail-on error --tag-display-limit 0 "$out"/*.changes | tee "$out/lintian.txt"
echo "debian-package: lintian: no errors ($(grep -c '^W:' "$out/lintian.txt" || true) warnings)"

[ "$install" = 1 ] || exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo dpkg -i "$out"/*.deb >"$out/dpkg-i.log" 2>&1 || { cat "$out/dpkg-i.log" >&2; exit 1; }
/usr/sbin/battd --version
getent group battkit >/dev/null || { echo "debian-package: no battkit group" >&2; exit 1; }

# The installed battd on the installed default machine, and a program built
# only from the installed package's pkg-config flags.
sock="$work/battd.sock"
/usr/sbin/battd -f --virtual=0 --socket "$sock" --registry "$work/registry" \
    --no-history >"$work/battd.log" 2>&1 &
battd_pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
[ -S "$sock" ] || { cat "$work/battd.log" >&2; echo "debian-package: battd did not start" >&2; exit 1; }
cc -o "$work/battery_status" "$top/examples/battery_status.c" $(pkg-config --cflags --libs battkit-client)
BATTKIT_SOCKET="$sock" "$work/battery_status" | tee "$work/status.txt"
grep -q . "$work/status.txt"
echo "debian-package: installed packages work"

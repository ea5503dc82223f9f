#!/usr/bin/env bash
# Installs the Debian packages battkit needs. Idempotent; silent when all is present.
set -euo pipefail
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev valgrind
      gcc-mingw-w64-x86-64 mingw-w64-x86-64-dev binutils-mingw-w64-x86-64
      libsqlite3-dev sqlite3 nut-server nut-client libupsclient-dev)
pkgs+=(ninja-build)  # fuzz/run.sh configures build-fuzz/ with Ninja
pkgs+=(python3)  # battkit-sim plan checks (tests/sim)
pkgs+=(dpkg-dev debhelper lintian adduser)  # Debian packages (scripts/debian-package.sh, issue 16)
pkgs+=(libmicrohttpd-dev chromium chromium-driver prometheus)  # dashboard and /metrics (issues 13, 17)
pkgs+=(libsystemd-dev dbus dbus-bin upower nodejs)  # UPower D-Bus service and its tests, the browser test driver (issues 16, 13)
pkgs+=(qemu-system-x86 busybox-static acpica-tools)  # psbatt on a real kernel's power_supply class (tests/psbatt/kernel, issue 12)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's nodejs has no npm (NodeSource's does): install Debian's npm only
# when there is none, so a NodeSource node keeps its own.
if ! command -v npm >/dev/null; then
  echo "bootstrap: installing npm" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# The browser test's driver (tests/browser: playwright-core from the npm
# registry, pinned by the committed package-lock.json). npm ci only when
# node_modules is missing or was installed from another lock file.
browser=$(cd "$(dirname "$0")/../tests/browser" && pwd)
if ! cmp -s "$browser/package-lock.json" "$browser/node_modules/.battkit-lock" 2>/dev/null; then
  echo "bootstrap: npm ci in tests/browser" >&2
  (cd "$browser" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$browser/package-lock.json" "$browser/node_modules/.battkit-lock"
fi

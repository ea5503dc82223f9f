#!/usr/bin/env bash
# battd --machine host against a real Linux kernel's power_supply class: boots
# Debian's kernel under qemu (TCG) with an initramfs holding busybox, the
# built battd, battctl and drivers, and tests/psbatt/kernel/init, which puts a
# Smart Battery in /sys/class/power_supply (sbs-battery on an i2c-stub chip),
# then compares battctl's answers with the guest kernel's own sysfs values.
# Usage: run.sh BUILD_DIR SOURCE_DIR. Fails (never skips) when qemu, busybox
# or the kernel package cannot be had. docs/psbatt.md.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
here=$src/tests/psbatt/kernel
die() {
    echo "FAIL $*" >&2
    exit 1
}
command -v iasl >/dev/null || die "iasl missing: run scripts/bootstrap.sh (acpica-tools)"
command -v qemu-system-x86_64 >/dev/null ||
    die "qemu-system-x86_64 missing: run scripts/bootstrap.sh (qemu-system-x86)"
busybox=$(command -v busybox) && ! ldd "$busybox" >/dev/null 2>&1 || # static
    die "no static busybox: run scripts/bootstrap.sh (busybox-static)"

# The kernel: Debian's linux-image-amd64 dependency, fetched with apt-get
# download (not installed) and unpacked once into BUILD_DIR/kernel/VERSION.
version=$(apt-cache depends linux-image-amd64 2>/dev/null |
    sed -n 's/^ *Depends: linux-image-\(.*\)$/\1/p' | head -n 1)
[ -n "$version" ] || die "apt-cache knows no linux-image-amd64 (apt-get update?)"
kdir=$build/kernel/$version
if [ ! -f "$kdir/ok" ]; then
    rm -rf "$kdir" && mkdir -p "$kdir"
    (cd "$kdir" && apt-get download -q "linux-image-$version" >/dev/null 2>&1) ||
        die "apt-get download linux-image-$version failed (network? apt-get update?)"
    dpkg-deb -x "$kdir"/linux-image-*.deb "$kdir/root"
    rm -f "$kdir"/linux-image-*.deb
    touch "$kdir/ok"
fi
vmlinuz=$kdir/root/boot/vmlinuz-$version
moddir=$kdir/root/lib/modules/$version/kernel/drivers
mods=("$moddir/i2c/i2c-stub.ko" "$moddir/i2c/i2c-dev.ko" "$moddir/power/supply/sbs-battery.ko"
    "$moddir/acpi/ac.ko")
for f in "$vmlinuz" "${mods[@]}"; do [ -f "$f" ] || die "$f not in linux-image-$version"; done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,modules,etc,proc,sys,dev,tmp,scratch}
cp "$busybox" "$root/bin/busybox"
cp "$here/init" "$root/init"
cp "${mods[@]}" "$root/modules/"
iasl -p "$work/ac" "$here/ac.asl" >"$work/iasl.log" 2>&1 || { cat "$work/iasl.log"; die "iasl ac.asl"; }
# battd finds its drivers and data/machines at the absolute paths it was built
# with: the guest has them at the same paths, with every library ldd names.
machine=$src/data/machines/host.ini
printf "machine=%s\nPATH=/bin:%s\n" "$machine" "$build/bin" >"$root/etc/battkit-guest.conf"
files=("$build/bin/battd" "$build/bin/battctl" "$build"/lib/drivers/* "$src"/data/machines/*.ini)
libs=$(for f in "$build/bin/battd" "$build/bin/battctl" "$build"/lib/drivers/*.so; do
    ldd "$f" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'
done | sort -u)
for f in "${files[@]}" $libs; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
done
(cd "$root" && find . | "$busybox" cpio -o -H newc 2>/dev/null) >"$work/initrd.cpio"

log=${BK_GUEST_LOG:-$work/serial.log}
start=$(date +%s)
rc=0
timeout 180 qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot -nodefaults \
    -serial stdio -kernel "$vmlinuz" -initrd "$work/initrd.cpio" -acpitable file="$work/ac.aml" \
    -append "console=ttyS0 panic=-1 quiet memmap=4K\$0x1ff00000" </dev/null >"$log" 2>&1 || rc=$?
[ $rc = 0 ] || { cat "$log"; die "qemu failed or timed out after 180 s (rc $rc)"; }
echo "kernel_guest: linux $version booted and checked in $(($(date +%s) - start)) s"
# The console's escape sequences can share a line with a marker.
tr -d '\r' <"$log" | sed 's/.*BKGUEST /BKGUEST /' >"$work/log"
grep -q '^BKGUEST done' "$work/log" || { cat "$work/log"; die "the guest did not finish"; }

# Every check below compares battctl with what the guest kernel reported.
section() { sed -n "/^BKGUEST status $1 begin/,/^BKGUEST status $1 end/p" "$work/log"; }
field() { sed -n "/^BKGUEST sysfs $1 /s/.* $2=\([^ ]*\).*/\1/p" "$work/log"; }
ok=1
check() { # what, status section, expected battctl line (regex)
    if section "$2" | grep -Eq "$3"; then
        echo "ok   $1"
    else
        echo "FAIL $1: no line matching '$3' in status $2:"
        section "$2"
        ok=0
    fi
}
checks() { # sysfs snapshot, status section
    local name cap status state wh volts ac
    name=$(field "$1" name)
    cap=$(field "$1" capacity)
    status=$(field "$1" status)
    [ -n "$cap" ] && [ -n "$status" ] || die "no sysfs values $1 in the log"
    state=$(echo "$status" | tr 'A-Z' 'a-z')
    ac="on battery"
    [ "$(field "$1" ac_online)" = 1 ] && ac="on AC"
    wh=$(awk -v e="$(field "$1" energy_now)" 'BEGIN {printf "%.2f", e / 1e6}')
    volts=$(awk -v v="$(field "$1" voltage_now)" 'BEGIN {printf "%.2f", v / 1e6}')
    check "status $2: the kernel's supply $name is battery 0" "$2" "^Battery 0: .*PSBATT.*$name"
    check "status $2: $status, $ac ($(field "$1" ac) online=$(field "$1" ac_online))" "$2" "State: +$state, $ac"
    check "status $2: $cap % ($wh Wh)" "$2" "Charge: +$cap % \\($wh Wh\\)"
    check "status $2: $volts V" "$2" "Voltage: +$volts V"
}
checks 1 1 # battd --machine host as shipped
checks 2 2 # after the registers changed and a uevent
[ "$(field 1 status)" != "$(field 2 status)" ] || die "the change did not change the battery's status"
[ "$(field 1 ac_online)" != "$(field 2 ac_online)" ] || die "the change did not change the AC's online"
checks 2 3 # battd with a one-hour poll starts on the same values
body() { section "$1" | sed '1d;$d'; }
if [ "$(body 3)" = "$(body 4)" ]; then
    echo "ok   status 4: no rescan before the uevent"
else
    echo "FAIL status 4 differs from status 3 before any uevent"
    ok=0
fi
checks 5 5 # after the AC's uevent: the netlink path alone
[ "$(field 2 ac_online)" != "$(field 5 ac_online)" ] && [ "$(field 2 capacity)" != "$(field 5 capacity)" ] &&
    [ "$(field 5 status)" = Discharging ] || die "the second change is not AC on line while discharging"
echo "--- what battctl status printed in the guest"
sed -n '/^BKGUEST sysfs 1/,/^BKGUEST battd log begin/p' "$work/log" | grep -v '^BKGUEST battd log'
[ $ok = 1 ] || { sed -n '/^BKGUEST battd log begin/,/^BKGUEST battd log end/p' "$work/log"; exit 1; }

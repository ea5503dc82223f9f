#!/usr/bin/env bash
# The man pages: each renders with groff (-ww: every warning) and with
# man -l without a warning, and every option a program's --help lists is
# in its page; every key of the machine description table
# (ntos/inf/machine_keys.c) is in battkit-machine(5).
# Usage: manpages_test.sh BIN_DIR SOURCE_DIR
set -uo pipefail
bin=$1 src=$2
docs="$src/docs"
fail=0
check() { # NAME STATUS
  if [ "$2" -eq 0 ]; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi
}
pages=(battctl.1 battd.8 battinf.8 battkit-conformance.1 battkit-driver-cc.1 battkit-machine.5 battkit-sim.1)
for p in "${pages[@]}"; do
  warn=$(groff -man -ww -z -Tutf8 "$docs/$p" 2>&1)
  [ -z "$warn" ] || echo "$warn"
  check "man_page_${p}_renders_without_groff_warnings" $([ -z "$warn" ]; echo $?)
  out=$(LC_ALL=C MANWIDTH=80 man --warnings=all -l "$docs/$p" 2>"${TMPDIR:-/tmp}/man.$$.err")
  err=$(cat "${TMPDIR:-/tmp}/man.$$.err"); rm -f "${TMPDIR:-/tmp}/man.$$.err"
  [ -z "$err" ] || echo "$err"
  check "man_page_${p}_renders_with_man_l" $([ -z "$err" ] && [ -n "$out" ]; echo $?)
done

# The options in a program's --help, each looked for in the rendered page.
options_in_help() { grep -oE -- '(^|[][ ,(|])--?[A-Za-z][A-Za-z0-9-]*' | sed -E 's/^[][ ,(|]//' | sort -u; }
check_options() { # PAGE HELP_TEXT
  local page=$1 help=$2 text missing=""
  text=$(LC_ALL=C MANWIDTH=200 man -l "$docs/$page" 2>/dev/null | col -b)
  while read -r opt; do
    [ -n "$opt" ] || continue
    grep -qE -- "(^|[^A-Za-z0-9-])${opt}([^A-Za-z0-9-]|$)" <<<"$text" || missing="$missing $opt"
  done < <(options_in_help <<<"$help")
  [ -z "$missing" ] || echo "  $page lacks:$missing"
  check "man_page_${page}_lists_every_help_option" $([ -z "$missing" ]; echo $?)
}
check_options battd.8 "$("$bin/battd" --help)"
check_options battctl.1 "$("$bin/battctl" --help)"
check_options battinf.8 "$("$bin/battinf" --help)"
check_options battkit-conformance.1 "$("$bin/battkit-conformance" --help)"
check_options battkit-driver-cc.1 "$("$bin/battkit-driver-cc" --help 2>&1)"
check_options battkit-sim.1 "$("$bin/battkit-sim" --help)"

# battkit-machine(5) names every key and section of the machine table.
text=$(LC_ALL=C MANWIDTH=200 man -l "$docs/battkit-machine.5" 2>/dev/null | col -b)
missing=""
while read -r key; do
  grep -qw -- "$key" <<<"$text" || missing="$missing $key"
done < <(grep -oE '\{MS_[A-Z]+, "[a-z_]+"' "$src/ntos/inf/machine_keys.c" | sed -E 's/.*"(.*)"/\1/' | sort -u)
for s in '[machine]' '[load]' '[battery.NAME]' '[ac.NAME]' '[device.NAME]'; do
  grep -qF -- "$s" <<<"$text" || missing="$missing $s"
done
[ -z "$missing" ] || echo "  battkit-machine.5 lacks:$missing"
check man_page_battkit_machine_5_lists_every_machine_key $([ -z "$missing" ]; echo $?)
exit $fail

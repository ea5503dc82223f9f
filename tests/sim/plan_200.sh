#!/usr/bin/env bash
# A plan of 200 runs (4 machines x 50 scenario/parameter points) expanded by
# battkit-sim --plan, run with xargs -P 2, merged; the merged table must match
# the single runs, and five runs repeated on their own must agree (same_run.py).
set -euo pipefail
bin=$1 src=$(cd "$(dirname "$0")" && pwd)
sim=$bin/battkit-sim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$sim" --plan "$src/plan-200.manifest" --results "$tmp/results" >"$tmp/plan.txt"
[ "$(wc -l <"$tmp/plan.txt")" -eq 200 ] || { echo "plan has $(wc -l <"$tmp/plan.txt") runs, expected 200"; exit 1; }
mkdir -p "$tmp/results"
start=$(date +%s%N)
xargs -P 2 -I{} sh -c {} <"$tmp/plan.txt"
echo "plan_200: 200 runs with xargs -P 2 in $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$sim" --merge "$tmp/merged" "$tmp"/results/*
python3 "$src/check_merge.py" "$tmp/merged" "$tmp/results" 200

# The same command again, alone, into another folder: the same summary.
mkdir -p "$tmp/again"
for n in 1 57 113 150 200; do
  cmd=$(sed -n "${n}p" "$tmp/plan.txt")
  id=$(sed -E "s/.* --id '([^']+)'.*/\1/" <<<"$cmd")
  sh -c "${cmd% --out *} --out '$tmp/again/$id'" 2>&1
  python3 "$src/same_run.py" "$tmp/results/$id" "$tmp/again/$id" || { echo "run $id differs when repeated"; exit 1; }
done
echo "plan_200: repeated runs agree"

#!/usr/bin/env bash
# Compares guardmin builds over the benchmark corpus, interleaved, and prints the median wall
# and CPU seconds of each: how the levers in bench/README.md ("What was tried") were decided.
#
#   bench/levers.sh BINARY...              e.g. target/release/guardmin target/dist/guardmin
#   LEVERS_ROUNDS=5 LEVERS_ARGS="-j1" bench/levers.sh A B
#
# Needs the corpus bench/run.sh copies into target/bench/corpus. Run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: bench/levers.sh BINARY..." >&2; exit 2; }
corpus=target/bench/corpus
[ -d "$corpus" ] || { echo "levers: $corpus is missing; run bench/run.sh once first" >&2; exit 2; }
rounds=${LEVERS_ROUNDS:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for b in "$@"; do "$b" minify "$corpus/moment.js" -o "$out/warm.js" -q --no-cache; done
for r in $(seq "$rounds"); do
  for b in "$@"; do
    rm -rf "$out/o"
    # shellcheck disable=SC2086
    /usr/bin/time -f "%e %U %S" -o "$out/t" "$b" minify "$corpus" --out-dir "$out/o" -q --no-cache ${LEVERS_ARGS:-}
    echo "$b $(cat "$out/t") $(cat /proc/loadavg | cut -d' ' -f1)" >> "$out/runs"
  done
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "binary | median wall s | median CPU s (user+sys) | load before each round"
for b in "$@"; do
  runs=$(awk -v b="$b" '$1 == b' "$out/runs")
  wall=$(echo "$runs" | awk '{ print $2 }' | median)
  cpu=$(echo "$runs" | awk '{ print $3 + $4 }' | median)
  loads=$(echo "$runs" | awk '{ printf "%s ", $5 }')
  echo "$b | $wall | $cpu | $loads"
done

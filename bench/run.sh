#!/usr/bin/env bash
# The benchmark of issue 4, in one command:
#
#   bench/run.sh                      3 rounds of every tool, writes bench/results/latest.{md,json}
#   BENCH_ROUNDS=5 bench/run.sh       more rounds
#   BENCH_TOOLS=guardmin,swc BENCH_ROUNDS=1 bench/run.sh    a quick look at a few tools
#
# 1. installs the pinned peers and corpus (scripts/install-npm.sh -> target/npm, ignored),
# 2. installs GNU time if it is missing (apt-get, as root or with sudo),
# 3. builds guardmin and the parse-only baseline with the `dist` profile (release + fat LTO,
#    one codegen unit: what `cargo install --profile dist` ships),
# 4. runs bench/bench.mjs (see its header for the other BENCH_* settings).
#
# Timings only mean something when nothing else runs on the machine: check `uptime` first.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null || { echo "bench: Node.js 20+ is needed" >&2; exit 2; }
command -v cargo >/dev/null || { echo "bench: cargo (Rust stable) is needed" >&2; exit 2; }

scripts/install-npm.sh

if [ ! -x "${BENCH_TIME:-/usr/bin/time}" ]; then
  echo "bench: installing GNU time (for CPU time and peak RSS)" >&2
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "bench: /usr/bin/time is missing and this is not root; install the 'time' package" >&2; exit 2
  fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq time >/dev/null
fi

cargo build --profile dist
cargo build --profile dist --example parse_baseline --example engine_floor

exec node bench/bench.mjs

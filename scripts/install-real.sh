#!/usr/bin/env bash
# Installs the pinned published packages of the real-packages table (tests/real) into
# target/real, which git ignores. Idempotent: does nothing when target/real already matches
# scripts/real/package-lock.json.
#
#   scripts/install-real.sh           install from the lock file
#   scripts/install-real.sh --update  after editing scripts/real/package.json: re-resolve and
#                                     write the new lock file back to scripts/real/
#
# Two majors of tfjs live side by side through npm aliases (tfjs-core-3, tfjs-backend-wasm-3),
# so their peer ranges conflict on paper: --legacy-peer-deps. No lifecycle scripts run
# (--ignore-scripts): every package is used as published.
#
# The harness also needs the peer minifiers (scripts/install-npm.sh -> target/npm) and
# playwright-core (scripts/install-e2e.sh -> target/e2e-deps); scripts/test-real.sh runs all three.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/scripts/real"
dst="$root/target/real"
flags=(--no-audit --no-fund --loglevel=error --legacy-peer-deps --ignore-scripts)
mkdir -p "$dst"
command -v npm >/dev/null || { echo "install-real: npm not found; install Node.js 20+ first" >&2; exit 1; }

if [ "${1:-}" = "--update" ]; then
  cp "$src/package.json" "$dst/package.json"
  rm -f "$dst/package-lock.json"
  (cd "$dst" && npm install "${flags[@]}")
  cp "$dst/package-lock.json" "$src/package-lock.json"
  sha256sum "$src/package-lock.json" | cut -d' ' -f1 > "$dst/.installed"
  exit 0
fi

want=$(sha256sum "$src/package-lock.json" | cut -d' ' -f1)
if [ -f "$dst/.installed" ] && [ "$(cat "$dst/.installed")" = "$want" ] && [ -d "$dst/node_modules" ]; then
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dst/"
(cd "$dst" && npm ci "${flags[@]}")
echo "$want" > "$dst/.installed"

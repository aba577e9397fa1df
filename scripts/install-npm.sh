#!/usr/bin/env bash
# Installs the pinned npm packages the tests and the benchmark use (peer minifiers, the
# corpus bundles, tfjs) into target/npm, which git ignores. Idempotent: does nothing when
# target/npm already matches scripts/npm/package-lock.json.
#
#   scripts/install-npm.sh           install from the lock file
#   scripts/install-npm.sh --update  after editing scripts/npm/package.json: re-resolve and
#                                    write the new lock file back to scripts/npm/
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/scripts/npm"
dst="$root/target/npm"
mkdir -p "$dst"
command -v npm >/dev/null || { echo "install-npm: npm not found; install Node.js 20+ first" >&2; exit 1; }

if [ "${1:-}" = "--update" ]; then
  cp "$src/package.json" "$dst/package.json"
  (cd "$dst" && npm install --no-audit --no-fund --loglevel=error)
  cp "$dst/package-lock.json" "$src/package-lock.json"
  sha256sum "$src/package-lock.json" | cut -d' ' -f1 > "$dst/.installed"
  exit 0
fi

want=$(sha256sum "$src/package-lock.json" | cut -d' ' -f1)
if [ -f "$dst/.installed" ] && [ "$(cat "$dst/.installed")" = "$want" ] && [ -d "$dst/node_modules" ]; then
  exit 0
fi
cp "$src/package.json" "$src/package-lock.json" "$dst/"
# `npm install` with the committed lock installs the locked versions. Not `npm ci`: with
# this machine's `omit-lockfile-registry-resolved` setting, npm writes lock entries for
# other platforms' optional binaries (@swc/core-darwin-*, ...) without versions, and
# `npm ci` rejects such a lock as out of sync.
(cd "$dst" && npm install --no-audit --no-fund --loglevel=error)
# Keep the committed lock as the reference: npm may rewrite the copy.
cp "$src/package-lock.json" "$dst/package-lock.json"
echo "$want" > "$dst/.installed"

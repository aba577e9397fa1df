#!/usr/bin/env bash
# Installs the pinned npm packages the plugin tests (npm/test, tests/bundlers) build against:
# vite 7 and 8, webpack 5, Rspack, Rollup 4, Rolldown, esbuild, tfjs, a source-map reader
# (@jridgewell/trace-mapping) and typescript (whose parser the source-map test uses), into
# target/plugin-deps, which git ignores. guardmin's own npm package (npm/) is linked into it, not copied, so the tests always
# use the working tree. Idempotent: does nothing when target/plugin-deps already matches
# npm/test/deps/package-lock.json.
#
#   scripts/install-plugin-deps.sh           install from the lock file
#   scripts/install-plugin-deps.sh --update  after editing npm/test/deps/package.json:
#                                            re-resolve and write the lock file back
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/npm/test/deps"
dst="$root/target/plugin-deps"
mkdir -p "$dst"
command -v npm >/dev/null || { echo "install-plugin-deps: npm not found; install Node.js 20.19+ (npm 11 for vite 8) first" >&2; exit 1; }

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
# this machine's `omit-lockfile-registry-resolved` setting, npm writes lock entries for other
# platforms' optional binaries (@rollup/rollup-darwin-*, ...) without versions, and `npm ci`
# rejects such a lock as out of sync (as in scripts/install-npm.sh).
(cd "$dst" && npm install --no-audit --no-fund --loglevel=error)
# Keep the committed lock as the reference: npm may rewrite the copy.
cp "$src/package-lock.json" "$dst/package-lock.json"
echo "$want" > "$dst/.installed"

#!/usr/bin/env bash
# Installs what the browser end-to-end tests (tests/e2e) need, and nothing when it is all
# already there:
#   - Debian's chromium (/usr/bin/chromium) and nginx-light (/usr/sbin/nginx), with apt-get
#     (as root; `apt-get update` runs once, only when one of them is missing). No browser is
#     ever downloaded from anywhere else.
#   - the pinned npm packages of tests/e2e/package-lock.json (playwright-core, tfjs, terser,
#     @swc/core, oxc-minify)
#     into target/e2e-deps, which git ignores (npm ci, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
#
#   scripts/install-e2e.sh           install (idempotent)
#   scripts/install-e2e.sh --update  after editing tests/e2e/package.json: re-resolve and
#                                    write the new lock file back to tests/e2e/
#
# Then: node --test tests/e2e/    (needs target/release/guardmin: cargo build --release)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/tests/e2e"
dst="$root/target/e2e-deps"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# --- system packages -------------------------------------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ "${#missing[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null || {
    echo "install-e2e: ${missing[*]} missing and no apt-get (Debian/Ubuntu needed)" >&2; exit 1; }
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-e2e: run as root to apt-get install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "install-e2e: installing ${missing[*]} (Debian packages)" >&2
  # Keep the nginx package from starting a system-wide server on port 80: the tests start
  # their own. Only when no policy-rc.d is there already; removed again afterwards.
  policy=/usr/sbin/policy-rc.d
  made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    made_policy=1
  fi
  cleanup() { if [ -n "$made_policy" ]; then "${sudo[@]}" rm -f "$policy"; fi; }
  trap cleanup EXIT
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  cleanup; made_policy=
  [ -x /usr/bin/chromium ] && [ -x /usr/sbin/nginx ] || {
    echo "install-e2e: apt-get ran but /usr/bin/chromium or /usr/sbin/nginx is still missing" >&2; exit 1; }
fi

# --- npm packages ----------------------------------------------------------------------
command -v npm >/dev/null || { echo "install-e2e: npm not found; install Node.js 20+ first" >&2; exit 1; }
mkdir -p "$dst"
if [ "${1:-}" = "--update" ]; then
  cp "$src/package.json" "$dst/package.json"
  rm -f "$dst/package-lock.json"
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
# npm 11 leaves the other platforms' optional native bindings (@oxc-minify/binding-*) out of
# the lock it writes, and `npm ci` then refuses the lock; every version in package.json is
# exact, so `npm install` installs the same packages.
(cd "$dst" && { npm ci --no-audit --no-fund --loglevel=error 2>/dev/null \
  || npm install --no-audit --no-fund --loglevel=error; })
echo "$want" > "$dst/.installed"

#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this):
#   1. installs the pinned npm packages the tests compare against (target/npm, ignored),
#   2. checks formatting and lints,
#   3. builds guardmin and runs every test (unit, CLI, rules, fixtures in node, the real
#      tfjs package and the peer minifiers' outputs),
#   4. runs the plugin tests against real vite@7, vite@8, webpack@5 and esbuild, and the
#      bundler-output tests (tests/bundlers: Vite 7/8, webpack 5, Rspack, Rollup 4, Rolldown
#      and esbuild builds; their source maps and error locations),
#   5. runs the browser proof: threaded tfjs WASM in Debian's Chromium behind a real nginx
#      (scripts/install-e2e.sh installs chromium and nginx-light with apt when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null || { echo "test.sh: Node.js 20+ is needed (the tests run fixtures and peer minifiers in node)" >&2; exit 1; }
scripts/install-npm.sh
scripts/install-e2e.sh          # chromium + nginx: the headers tests and the browser proof
scripts/install-plugin-deps.sh  # vite@7, vite@8, webpack@5 for the plugin tests
cargo fmt --all -- --check
cargo clippy --release --all-targets -- -D warnings
cargo test --release
node --test npm/test/*.test.mjs
node --test tests/bundlers/     # six bundlers' builds of one app: truth, scan, maps, errors
node --test tests/e2e/

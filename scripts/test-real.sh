#!/usr/bin/env bash
# The real-packages table (tests/real, issues 13 and 14): installs what it needs and runs it.
#   - scripts/install-e2e.sh   Debian chromium + nginx-light, playwright-core (target/e2e-deps)
#   - scripts/install-npm.sh   the pinned peer minifiers (target/npm)
#   - scripts/install-real.sh  the pinned real packages (target/real)
# then `cargo test --release --test real -- --include-ignored` (the test is #[ignore]d until
# scan engine 2 lands; this script runs it anyway). The table is written to
# target/real/table.md, the details to target/real/summary.json.
#
#   scripts/test-real.sh                 everything
#   scripts/test-real.sh --harness ARGS  only the harness, with its filters, against
#                                        target/release/guardmin (or GUARDMIN_BIN), e.g.
#                                        scripts/test-real.sh --harness --package greenlet
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-e2e.sh
scripts/install-npm.sh
scripts/install-real.sh
if [ "${1:-}" = "--harness" ]; then
  shift
  [ -n "${GUARDMIN_BIN:-}" ] || [ -x target/release/guardmin ] || cargo build --release
  exec node tests/real/run.mjs "$@"
fi
exec cargo test --release --test real -- --include-ignored --nocapture

#!/usr/bin/env node
'use strict';
// `guardmin` from npm: runs the native guardmin binary that fits this machine (from the
// @guardmin/<platform> package npm installed with this one, or GUARDMIN_BINARY; the lookup is
// lib/binary.cjs, which the plugins use too) with the same arguments, standard streams and
// exit status.

const { spawnSync } = require('node:child_process');
const { resolveBinary, howToGet, LAUNCHER_ENV } = require('../lib/binary.cjs');

let binary;
try {
  binary = resolveBinary();
} catch (e) {
  process.stderr.write(`${e.message.trimEnd()}\n`);
  process.exit(2);
}

const r = spawnSync(binary, process.argv.slice(2), {
  stdio: 'inherit',
  env: { ...process.env, [LAUNCHER_ENV]: '1' },
});
if (r.error) {
  process.stderr.write(`guardmin: cannot run ${binary}: ${r.error.message}.\n${howToGet()}\n`);
  process.exit(2);
}
if (r.signal) {
  // Die of the same signal, so that whoever started us sees it.
  process.kill(process.pid, r.signal);
}
process.exit(r.status ?? 1);

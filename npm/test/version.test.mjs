// One version everywhere: the crate (Cargo.toml), the `guardmin` npm package, each
// @guardmin/<platform> package (npm/platforms) and guardmin's pins of them. Also that the
// platform packages are the seven the launcher knows, with npm fields that select them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REPO, PKG } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { platformKey, binaryFile } = require('../lib/binary.cjs');

const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
const CARGO_VERSION = fs.readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8').match(/^\[package\][^[]*?^version = "([^"]+)"$/m)[1];
const MAIN = read(path.join(PKG, 'package.json'));
const KEYS = ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'linux-arm64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc'];
const PLATFORMS = path.join(PKG, 'platforms');

test("the npm package's version is the crate's", () => {
  assert.match(CARGO_VERSION, /^\d+\.\d+\.\d+/);
  assert.equal(MAIN.version, CARGO_VERSION);
});

test('guardmin pins each platform package, optionally, at exactly that version', () => {
  const pins = MAIN.optionalDependencies;
  assert.deepEqual(Object.keys(pins).sort(), KEYS.map((k) => `@guardmin/${k}`).sort());
  for (const [name, pin] of Object.entries(pins)) assert.equal(pin, CARGO_VERSION, name);
  assert.equal(MAIN.dependencies, undefined, 'no other runtime dependencies');
});

test('each platform package has that version, its npm os/cpu/libc select it, and it ships the binary', () => {
  assert.deepEqual(fs.readdirSync(PLATFORMS).sort(), [...KEYS].sort());
  for (const key of KEYS) {
    const p = read(path.join(PLATFORMS, key, 'package.json'));
    assert.equal(p.name, `@guardmin/${key}`);
    assert.equal(p.version, CARGO_VERSION, key);
    assert.equal(p.os.length, 1, key);
    assert.equal(p.cpu.length, 1, key);
    assert.equal(p.os[0] === 'linux', Array.isArray(p.libc) && p.libc.length === 1, `${key}: libc only on Linux`);
    assert.equal(platformKey(p.os[0], p.cpu[0], p.libc?.[0] ?? null), key, 'the launcher looks for this package under this name');
    assert.deepEqual(p.files, [binaryFile(key)]);
    assert.equal(p.bin, undefined, `${key}: only guardmin has the command`);
  }
});

test('the plugin-test lock records the same package (npm/test/deps)', () => {
  const lock = read(path.join(PKG, 'test/deps/package-lock.json'));
  const linked = lock.packages['../../npm'];
  assert.equal(linked.version, CARGO_VERSION);
  assert.deepEqual(linked.optionalDependencies, MAIN.optionalDependencies);
  assert.deepEqual(linked.bin, MAIN.bin);
});

test('the guardmin command is packed and runs under node', () => {
  assert.deepEqual(MAIN.bin, { guardmin: 'bin/guardmin.cjs' });
  assert.ok(MAIN.files.includes('bin/'));
  const launcher = path.join(PKG, MAIN.bin.guardmin);
  assert.match(fs.readFileSync(launcher, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  fs.accessSync(launcher, fs.constants.X_OK);
});

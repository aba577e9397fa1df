// The shared pieces of the guardmin npm package: finding the binary, option flags, the
// `guardmin batch` client, the package's entry points and its TypeScript types.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { checkSetup, GUARDMIN, REPO_GUARDMIN, DEPS, PKG, run } from './helpers.mjs';

// Self-reference: the package's own "exports", as a user's import would see them.
import guardminVite, { guardmin as namedVite } from 'guardmin/vite';
import GuardminPluginEsm, { GuardminPlugin as NamedPlugin } from 'guardmin/webpack';
import guardminEsbuild, { guardmin as namedEsbuild } from 'guardmin/esbuild';
import * as pkg from 'guardmin';

const require = createRequire(import.meta.url);
const { resolveBinary, BatchClient, GuardminError, normalizeOptions, batchArgs, classify } = require('../lib/client.cjs');

before(checkSetup);

const made = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardmin-npm-'));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
const executable = (file, body = '#!/bin/sh\nexit 0\n') => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body, { mode: 0o755 });
  return file;
};
const noStack = (err) => assert.doesNotMatch(err.stack, /^\s+at\s/m, 'no stack trace');

describe('finding the binary', () => {
  test('the binary option comes first, then GUARDMIN_BINARY', () => {
    const dir = tmp();
    const a = executable(path.join(dir, 'a/guardmin'));
    const b = executable(path.join(dir, 'b/guardmin'));
    assert.equal(resolveBinary({ binary: a, env: { GUARDMIN_BINARY: b } }), a);
    assert.equal(resolveBinary({ env: { GUARDMIN_BINARY: b } }), b);
  });

  test('then ../target/release and ../target/debug next to the package, then PATH', () => {
    const repo = tmp();
    const packageDir = path.join(repo, 'npm');
    fs.mkdirSync(packageDir);
    const onPath = executable(path.join(repo, 'bin/guardmin'));
    const env = { PATH: path.dirname(onPath) };
    assert.equal(resolveBinary({ env, packageDir }), onPath);
    const debug = executable(path.join(repo, 'target/debug/guardmin'));
    assert.equal(resolveBinary({ env, packageDir }), debug);
    const release = executable(path.join(repo, 'target/release/guardmin'));
    assert.equal(resolveBinary({ env, packageDir }), release);
  });

  test("the real package finds the repository's target/release/guardmin", (t) => {
    if (!fs.existsSync(REPO_GUARDMIN)) return t.skip('no target/release/guardmin');
    assert.equal(resolveBinary({ env: {} }), REPO_GUARDMIN);
  });

  test('a file that is not executable does not count', () => {
    const repo = tmp();
    fs.mkdirSync(path.join(repo, 'target/release'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'target/release/guardmin'), '', { mode: 0o644 });
    assert.throws(() => resolveBinary({ env: { PATH: '' }, packageDir: path.join(repo, 'npm') }), GuardminError);
  });

  test('none anywhere (PATH stripped): a clear error that says how to get one, without a stack trace', () => {
    const repo = tmp();
    const err = (() => {
      try {
        resolveBinary({ env: { PATH: path.join(repo, 'empty') }, packageDir: path.join(repo, 'npm') });
      } catch (e) {
        return e;
      }
      assert.fail('no error');
    })();
    assert.ok(err instanceof GuardminError);
    assert.match(err.message, /cannot find the guardmin binary/);
    assert.match(err.message, new RegExp(`${path.join(repo, 'target/release/guardmin').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    assert.match(err.message, /cargo build --release/);
    assert.match(err.message, /cargo install --path \./);
    assert.match(err.message, /GUARDMIN_BINARY/);
    noStack(err);
  });

  test('an explicit path that does not exist is an error, not a fall-through', () => {
    for (const opts of [{ binary: '/no/such/guardmin' }, { env: { GUARDMIN_BINARY: '/no/such/guardmin' } }]) {
      assert.throws(() => resolveBinary(opts), (e) => {
        assert.match(e.message, /\/no\/such\/guardmin, which is not an executable file/);
        noStack(e);
        return true;
      });
    }
  });
});

describe('options', () => {
  test('optimizer options become the CLI flags of the same names', () => {
    const o = normalizeOptions({
      compress: false, mangle: false, comments: 'none', ecma: 2020, toplevel: true, keepFnames: true,
      keepClassnames: true, passes: 2, define: { DEBUG: 'false', 'process.env.NODE_ENV': '"production"', N: 3 }, threads: 1,
    }, 'vite');
    assert.deepEqual(batchArgs(o), [
      '--no-compress', '--no-mangle', '--comments', 'none', '--ecma', '2020', '--toplevel', '--keep-fnames',
      '--keep-classnames', '--passes', '2', '--define', 'DEBUG=false', '--define', 'process.env.NODE_ENV="production"',
      '--define', 'N=3', '--threads', '1',
    ]);
    assert.deepEqual(batchArgs(normalizeOptions({ define: ['A=1'] }, 'vite')), ['--define', 'A=1']);
    assert.deepEqual(batchArgs(normalizeOptions({}, 'vite')), []);
  });

  test('issue 17 options: target, drop, pureFuncs and the new comment modes', () => {
    const o = normalizeOptions({ comments: 'linked', target: ['chrome 80', 'safari 14'], drop: 'console', pureFuncs: ['console.log', 'debug'] }, 'webpack');
    assert.deepEqual(batchArgs(o), [
      '--comments', 'linked', '--target', 'chrome 80, safari 14', '--drop', 'console', '--pure-funcs', 'console.log,debug',
    ]);
    for (const c of ['eof', 'external']) assert.deepEqual(batchArgs(normalizeOptions({ comments: c }, 'vite')), ['--comments', c]);
    assert.throws(() => normalizeOptions({ drop: [1] }, 'vite'), /`drop` takes a string or an array of strings/);
    assert.throws(() => normalizeOptions({ nameCache: 'names.json' }, 'vite'), /guardmin minify --name-cache FILE/);
  });

  test('unknown options, comment modes and rules are refused', () => {
    assert.throws(() => normalizeOptions({ minifier: 'x' }, 'vite'), /unknown vite plugin option `minifier`/);
    assert.throws(() => normalizeOptions({ comments: 'some' }, 'webpack'), /`comments` must be/);
    assert.throws(() => normalizeOptions({ ignoreRules: ['Guard Lost'] }, 'webpack'), /takes rule names such as serialized-closure/);
  });

  test('ignoreRules drops findings; denyWarnings makes warnings errors', () => {
    const findings = [
      { rule: 'guard-lost', severity: 'error' },
      { rule: 'serialized-closure', severity: 'error' },
      { rule: 'undeclared-void-compare', severity: 'warning' },
      { rule: 'threaded-wasm', severity: 'info' },
    ];
    const a = classify(findings, normalizeOptions({ ignoreRules: ['guard-lost'] }, 'vite'));
    assert.deepEqual(a.errors.map((f) => f.rule), ['serialized-closure']);
    assert.deepEqual(a.warnings.map((f) => f.rule), ['undeclared-void-compare']);
    assert.deepEqual(a.infos.map((f) => f.rule), ['threaded-wasm']);
    const b = classify(findings, normalizeOptions({ denyWarnings: true }, 'vite'));
    assert.deepEqual(b.errors.map((f) => f.rule), ['guard-lost', 'serialized-closure', 'undeclared-void-compare']);
  });
});

describe('the guardmin batch client', () => {
  test('answers each request by id, in parallel, and closes cleanly', async () => {
    const client = new BatchClient(GUARDMIN, ['--threads', '2']);
    const broken = 'var f = (function(){ var s = document.title; return function(){ if (void 0 !== s && s) self.x = s } })();\nnew Worker(URL.createObjectURL(new Blob(["(" + f.toString() + ")()"])));\n';
    const [a, b, c, d] = await Promise.all([
      client.request({ name: 'a.js', code: 'var answer = 40 + 2;\nconsole.log(answer);\n' }),
      client.request({ name: 'b.js', code: 'let let = 1;' }),
      client.request({ name: 'c.js', code: broken, mode: 'scan' }),
      client.request({ name: 'd.js', code: 'if (typeof window !== "undefined") console.log(window.name);' }),
    ]);
    assert.equal(a.name, 'a.js');
    assert.equal(a.error, null);
    assert.match(a.code, /console\.log\(42\)|answer=42/);
    assert.equal(JSON.parse(a.map).version, 3);
    assert.equal(b.error.kind, 'syntax');
    assert.equal(b.error.line, 1);
    assert.equal(b.error.column, 5);
    assert.deepEqual(c.findings.map((f) => [f.rule, f.line]), [['serialized-closure', 1]]);
    assert.match(d.code, /"u">typeof window/);
    await client.close();
    assert.notEqual(client.child.exitCode, null, 'the process has exited');
    await assert.rejects(client.request({ name: 'e.js', code: '1' }), /request after close/);
  });

  test('a process that dies fails every pending request with what it said', async () => {
    const dir = tmp();
    const dies = executable(path.join(dir, 'guardmin'), '#!/bin/sh\nread line\necho "guardmin: something broke" >&2\nexit 3\n');
    const client = new BatchClient(dies);
    const results = await Promise.allSettled([
      client.request({ name: 'a.js', code: '1' }),
      client.request({ name: 'b.js', code: '2' }),
    ]);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      assert.ok(r.reason instanceof GuardminError);
      assert.match(r.reason.message, /exited with code 3 with 2 request\(s\) unanswered; it said:\nguardmin: something broke/);
      noStack(r.reason);
    }
    await assert.rejects(client.request({ name: 'c.js', code: '3' }), /exited with code 3/);
  });

  test('a binary that cannot be started is reported with how to get one', async () => {
    const client = new BatchClient(path.join(tmp(), 'missing-guardmin'));
    await assert.rejects(client.request({ name: 'a.js', code: '1' }), (e) => {
      assert.match(e.message, /cannot run .*missing-guardmin: spawn .* ENOENT/);
      assert.match(e.message, /cargo build --release/);
      return true;
    });
  });

  test('an idle client does not keep Node running', async () => {
    const script = `const { BatchClient } = require(${JSON.stringify(path.join(PKG, 'lib/client.cjs'))});
const c = new BatchClient(${JSON.stringify(GUARDMIN)});
c.request({ name: 'a.js', code: 'var a = 1;' }).then((r) => console.log('answered', r.error === null));
`;
    const t0 = Date.now();
    const r = await run(process.execPath, ['-e', script], { timeout: 20_000 });
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /answered true/);
    assert.ok(Date.now() - t0 < 15_000);
  });
});

describe('the package', () => {
  test('ESM and CommonJS entry points give the same plugins', () => {
    const viteCjs = require('guardmin/vite');
    const webpackCjs = require('guardmin/webpack');
    assert.equal(typeof guardminVite, 'function');
    assert.equal(guardminVite, namedVite);
    assert.equal(guardminVite, viteCjs);
    assert.equal(viteCjs.guardmin, viteCjs);
    assert.equal(GuardminPluginEsm, NamedPlugin);
    assert.equal(GuardminPluginEsm, webpackCjs);
    assert.equal(webpackCjs.GuardminPlugin, webpackCjs);
    assert.equal(pkg.GuardminPlugin, webpackCjs);
    assert.equal(pkg.guardmin, viteCjs);
    assert.equal(typeof pkg.resolveBinary, 'function');
    const plugin = guardminVite();
    assert.equal(plugin.name, 'guardmin');
    assert.equal(plugin.apply, 'build');
    assert.equal(plugin.enforce, 'post');
    assert.equal(new GuardminPluginEsm({ exclude: /x/ }).options.exclude.source, 'x');
    const esbuildCjs = require('guardmin/esbuild');
    assert.equal(guardminEsbuild, namedEsbuild);
    assert.equal(guardminEsbuild, esbuildCjs);
    assert.equal(pkg.esbuild, esbuildCjs);
    const e = guardminEsbuild();
    assert.equal(e.name, 'guardmin');
    assert.equal(typeof e.setup, 'function');
    assert.throws(() => guardminEsbuild({ nope: 1 }), /unknown esbuild plugin option `nope`/);
  });

  test('the published files are the library, its types and the README, not the tests', async () => {
    const r = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PKG });
    assert.equal(r.code, 0, r.output);
    const files = JSON.parse(r.stdout)[0].files.map((f) => f.path).sort();
    for (const want of ['bin/guardmin.cjs', 'lib/binary.cjs', 'lib/error.cjs', 'lib/client.cjs', 'lib/sourcemap.cjs', 'lib/repair.cjs', 'lib/vite.cjs', 'lib/webpack.cjs', 'lib/esbuild.cjs', 'lib/index.cjs',
      'vite.mjs', 'webpack.mjs', 'esbuild.mjs', 'index.mjs', 'vite.d.mts', 'vite.d.cts', 'webpack.d.mts', 'webpack.d.cts', 'esbuild.d.mts', 'esbuild.d.cts',
      'index.d.mts', 'index.d.cts', 'types.d.cts', 'README.md', 'package.json']) {
      assert.ok(files.includes(want), `${want} is not packed: ${files.join(', ')}`);
    }
    assert.deepEqual(files.filter((f) => f.startsWith('test/') || f.startsWith('platforms/')), []);
  });

  test('the TypeScript declarations check against the real vite and webpack types', async () => {
    const dir = path.join(DEPS, 'typecheck');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.cpSync(path.join(PKG, 'test/types'), dir, { recursive: true });
    const r = await run(process.execPath, [path.join(DEPS, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir });
    assert.equal(r.code, 0, r.output);
  });
});

// The binary lookup shared by the `guardmin` command (bin/guardmin.cjs) and the plugins
// (lib/binary.cjs): the @guardmin/<platform> packages npm installs, and the launcher itself.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { GUARDMIN, PKG, run, buildEnv } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { resolveBinary, platformCandidates, platformKey, LAUNCHER_ENV } = require('../lib/binary.cjs');
const { GuardminError } = require('../lib/error.cjs');
const client = require('../lib/client.cjs');

const made = [];
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardmin-binary-'));
  made.push(dir);
  return dir;
};
const executable = (file, body = '#!/bin/sh\nexit 0\n', mode = 0o755) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, body, { mode });
  return file;
};
const writeJson = (file, value) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value));
};
const LINUX = { platform: 'linux', arch: 'x64', libc: 'glibc' };
const PINS = Object.fromEntries(
  ['linux-x64-gnu', 'linux-x64-musl', 'darwin-arm64', 'win32-x64-msvc'].map((k) => [`@guardmin/${k}`, '1.2.3']),
);

/** An app's node_modules with guardmin 1.2.3 and the given platform packages installed. */
function installed(keys, { version = '1.2.3', mode } = {}) {
  const root = tmp();
  const packageDir = path.join(root, 'node_modules/guardmin');
  writeJson(path.join(packageDir, 'package.json'), { name: 'guardmin', version: '1.2.3', optionalDependencies: PINS });
  const bins = {};
  for (const key of keys) {
    const dir = path.join(root, 'node_modules/@guardmin', key);
    writeJson(path.join(dir, 'package.json'), { name: `@guardmin/${key}`, version });
    bins[key] = executable(path.join(dir, key.startsWith('win32') ? 'guardmin.exe' : 'guardmin'), undefined, mode);
  }
  return { root, packageDir, bins, env: { PATH: path.join(root, 'empty') } };
}

describe('the platform packages', () => {
  test('npm os/cpu/libc name the package; the exact one first, then what also runs here', () => {
    assert.equal(platformKey('linux', 'arm64', 'glibc'), 'linux-arm64-gnu');
    assert.equal(platformKey('linux', 'x64', 'musl'), 'linux-x64-musl');
    assert.equal(platformKey('darwin', 'arm64'), 'darwin-arm64');
    assert.equal(platformKey('win32', 'x64'), 'win32-x64-msvc');
    assert.deepEqual(platformCandidates(LINUX), ['linux-x64-gnu', 'linux-x64-musl']);
    assert.deepEqual(platformCandidates({ platform: 'linux', arch: 'arm64', libc: 'musl' }), ['linux-arm64-musl']);
    assert.deepEqual(platformCandidates({ platform: 'darwin', arch: 'x64', libc: null }), ['darwin-x64']);
    assert.deepEqual(platformCandidates({ platform: 'win32', arch: 'arm64', libc: null }), ['win32-arm64-msvc', 'win32-x64-msvc']);
  });

  test("the installed platform package's binary comes after the option and GUARDMIN_BINARY, before the repository build and PATH", () => {
    const { root, packageDir, bins } = installed(['linux-x64-gnu']);
    const repoBuild = executable(path.join(packageDir, '../target/release/guardmin'));
    const onPath = executable(path.join(root, 'bin/guardmin'));
    const opts = { packageDir, ...LINUX, env: { PATH: path.dirname(onPath) } };
    assert.equal(resolveBinary(opts), bins['linux-x64-gnu']);
    assert.equal(resolveBinary({ ...opts, env: { ...opts.env, GUARDMIN_BINARY: onPath } }), onPath);
    assert.equal(resolveBinary({ ...opts, binary: onPath }), onPath);
    // Another machine's package is not taken: the repository build is next.
    assert.equal(resolveBinary({ ...opts, platform: 'darwin', arch: 'arm64', libc: null }), repoBuild);
  });

  test('glibc Linux falls back to the (static) musl build; musl Linux never takes the glibc one', () => {
    const { packageDir, bins, env } = installed(['linux-x64-musl']);
    assert.equal(resolveBinary({ packageDir, ...LINUX, env }), bins['linux-x64-musl']);
    const gnu = installed(['linux-x64-gnu']);
    assert.throws(() => resolveBinary({ packageDir: gnu.packageDir, ...LINUX, libc: 'musl', env }), /cannot find the guardmin binary for linux x64 \(musl\)/);
  });

  test('a platform package of another version is an error that says to reinstall', () => {
    const { packageDir, env } = installed(['linux-x64-gnu'], { version: '1.2.2' });
    assert.throws(() => resolveBinary({ packageDir, ...LINUX, env }), (e) => {
      assert.ok(e instanceof GuardminError);
      assert.match(e.message, /@guardmin\/linux-x64-gnu 1\.2\.2, but guardmin is 1\.2\.3/);
      assert.match(e.message, /npm install guardmin@1\.2\.3/);
      return true;
    });
  });

  test('a binary that lost its mode bits is made executable', () => {
    const { packageDir, bins, env } = installed(['linux-x64-gnu'], { mode: 0o644 });
    assert.equal(resolveBinary({ packageDir, ...LINUX, env }), bins['linux-x64-gnu']);
    fs.accessSync(bins['linux-x64-gnu'], fs.constants.X_OK);
  });

  test('none installed: the message names the optional dependency to install, and the Rust way', () => {
    const { packageDir, env } = installed([]);
    assert.throws(() => resolveBinary({ packageDir, ...LINUX, env }), (e) => {
      assert.match(e.message, /cannot find the guardmin binary for linux x64 \(glibc\)/);
      assert.match(e.message, /optional dependency @guardmin\/linux-x64-gnu@1\.2\.3/);
      assert.match(e.message, /--omit=optional/);
      assert.match(e.message, /npm install @guardmin\/linux-x64-gnu@1\.2\.3/);
      assert.match(e.message, /cargo install --path \./);
      assert.match(e.message, /GUARDMIN_BINARY=/);
      assert.doesNotMatch(e.stack, /^\s+at\s/m);
      return true;
    });
  });

  test('a platform with no prebuilt binary: the message lists the ones there are', () => {
    const { packageDir, env } = installed([]);
    assert.throws(
      () => resolveBinary({ packageDir, platform: 'freebsd', arch: 'x64', libc: null, env }),
      /publishes no binary for freebsd x64 \(prebuilt: linux-x64-gnu, linux-x64-musl, darwin-arm64, win32-x64-msvc\)[^]*cargo install/,
    );
  });

  test("PATH: an npm launcher is not a binary, and a launcher's child does not search PATH", () => {
    const { root, packageDir } = installed([]);
    const launcher = executable(path.join(root, 'node_modules/guardmin/bin/guardmin.cjs'));
    const binDir = path.join(root, 'node_modules/.bin');
    fs.mkdirSync(binDir);
    fs.symlinkSync(launcher, path.join(binDir, 'guardmin'));
    assert.throws(() => resolveBinary({ packageDir, ...LINUX, env: { PATH: binDir } }), /cannot find/);
    const real = executable(path.join(root, 'cargo-bin/guardmin'));
    const PATH = [binDir, path.dirname(real)].join(path.delimiter);
    assert.equal(resolveBinary({ packageDir, ...LINUX, env: { PATH } }), real);
    assert.throws(() => resolveBinary({ packageDir, ...LINUX, env: { PATH, [LAUNCHER_ENV]: '1' } }), /cannot find/);
  });

  test('the plugins use this same lookup', () => {
    assert.equal(client.resolveBinary, resolveBinary);
    assert.equal(client.GuardminError, GuardminError);
    // No second lookup in the plugin sources.
    for (const f of ['client.cjs', 'vite.cjs', 'webpack.cjs', 'index.cjs']) {
      const src = fs.readFileSync(path.join(PKG, 'lib', f), 'utf8');
      // (a build folder `target/release`, `'target', 'release'`, not the `target` option)
      assert.doesNotMatch(src, /GUARDMIN_BINARY|target['"]?\s*[,/]\s*['"]?(release|debug)|@guardmin\//, `${f} looks for the binary itself`);
    }
  });
});

describe('the guardmin command (bin/guardmin.cjs)', () => {
  const LAUNCHER = path.join(PKG, 'bin/guardmin.cjs');
  const env = buildEnv({ GUARDMIN_BINARY: GUARDMIN });

  test('runs the binary with the same arguments, stdin, stdout and exit status', async () => {
    const v = await run(LAUNCHER, ['--version'], { env });
    assert.equal(v.code, 0, v.output);
    assert.match(v.stdout, /^guardmin \d+\.\d+\.\d+/);

    const dir = tmp();
    const src = path.join(dir, 'in.js');
    fs.writeFileSync(src, 'function add(first, second) { return first + second; }\nconsole.log(add(1, 2));\n');
    const min = await run('sh', ['-c', `"${LAUNCHER}" minify - < "${src}"`], { env });
    assert.equal(min.code, 0, min.output);
    assert.ok(min.stdout.length > 0 && min.stdout.length < 60, min.stdout);

    const broken = path.join(dir, 'broken.js');
    fs.writeFileSync(
      broken,
      'var F=(()=>{var e=typeof document<"u"?document.currentScript.src:void 0;return function(t){return void 0!==e&&e&&(t.d=e),t}})();new Worker(URL.createObjectURL(new Blob(["var F = "+F.toString()])));\n',
    );
    const scan = await run(LAUNCHER, ['scan', broken], { env });
    assert.equal(scan.code, 1, scan.output);
    const usage = await run(LAUNCHER, ['minify', '--no-such-flag'], { env });
    assert.equal(usage.code, 2, usage.output);
    assert.match(usage.stderr, /--no-such-flag/);
  });

  test('a binary killed by a signal: the launcher dies of the same signal', async () => {
    const dir = tmp();
    const selfKill = executable(path.join(dir, 'guardmin'), '#!/bin/sh\nkill -TERM $$\n');
    const r = await run(LAUNCHER, ['--version'], { env: { ...env, GUARDMIN_BINARY: selfKill } });
    assert.equal(r.signal, 'SIGTERM', r.output);
  });

  test('no binary: exit 2 and the message on stderr, no stack trace', async () => {
    const r = await run(LAUNCHER, ['--version'], { env: { ...env, GUARDMIN_BINARY: '/no/such/guardmin' } });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /GUARDMIN_BINARY is set to \/no\/such\/guardmin, which is not an executable file/);
    assert.doesNotMatch(r.stderr, /^\s+at\s/m);
  });
});

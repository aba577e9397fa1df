// `npm install guardmin` without Rust: scripts/npm/pack.sh packs `guardmin` and this machine's
// `@guardmin/<platform>` package; a fresh app, whose PATH has node and the system's tools but
// no cargo or rustc, installs the two tarballs (offline), then `npx guardmin --version`,
// `npx guardmin minify`, `npx guardmin scan` and a Vite 8 build with guardmin/vite work,
// all on the binary from the platform package.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { checkSetup, run, REPO, DEPS, GUARDMIN, jsFiles } from './helpers.mjs';

const require = createRequire(import.meta.url);
const { platformCandidates, binaryFile } = require('../lib/binary.cjs');

const VERSION = fs.readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8').match(/^version = "(.*)"$/m)[1];
const HOST = platformCandidates()[0];
const VITE8 = path.join(DEPS, 'node_modules/vite8/bin/vite.js');

// An Emscripten-style factory whose source text a worker receives: inside the worker
// `_scriptDir` is undeclared, so only the `typeof` guard keeps it from throwing.
const FACTORY = `const Factory = (() => {
  var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;
  return function (Module) {
    Module = Module || {};
    if (typeof _scriptDir !== 'undefined' && _scriptDir) Module.scriptDirectory = _scriptDir;
    return Module;
  };
})();
export function startWorker() {
  const text = 'var Factory = ' + Factory.toString() + ';Factory({});';
  return typeof Worker !== 'undefined' ? new Worker(URL.createObjectURL(new Blob([text]))) : text;
}
`;
// The same factory as a minifier that knows `_scriptDir` is declared leaves it.
const BROKEN = `var Factory=(()=>{var e=typeof document<"u"&&document.currentScript?document.currentScript.src:void 0;return function(t){return t=t||{},void 0!==e&&e&&(t.scriptDirectory=e),t}})();
new Worker(URL.createObjectURL(new Blob(["var Factory = "+Factory.toString()])));
`;
// The guard, kept: `"u">typeof x&&x` (or `typeof x<"u"&&x`, `typeof x!="undefined"&&x`).
const KEPT_GUARD = /typeof (\w+)(?:<"u"|!=+"undefined")&&\1\b|"u">typeof (\w+)&&\2\b/;

let work;
let tarballs;
let app;
let env;

const sh = (cmd, opts = {}) => run('sh', ['-c', cmd], { cwd: app, env, ...opts });
const npx = (args, opts) => run('npx', ['guardmin', ...args], { cwd: app, env, ...opts });

before(async () => {
  checkSetup();
  assert.ok(fs.existsSync(VITE8), `${VITE8} is missing: run scripts/install-plugin-deps.sh`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'guardmin-pack-'));
  // Only node's folder and the system's: no ~/.cargo/bin, no guardmin anywhere.
  const PATH = [...new Set([path.dirname(process.execPath), '/usr/bin', '/bin'])].join(path.delimiter);
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  env = {
    PATH,
    HOME: home,
    npm_config_cache: path.join(work, 'npm-cache'),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    NO_COLOR: '1',
  };
});

after(() => {
  // GUARDMIN_TEST_KEEP=1 leaves the tarballs and the app for a look.
  if (work && process.env.GUARDMIN_TEST_KEEP) console.error(`kept ${work}`);
  else if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('npm install guardmin, without Rust', () => {
  test('scripts/npm/pack.sh packs guardmin and the platform package of this machine', async () => {
    const out = path.join(work, 'pack');
    const r = await run(path.join(REPO, 'scripts/npm/pack.sh'), ['--binary', GUARDMIN, '--out', out], { cwd: REPO, env: process.env });
    assert.equal(r.code, 0, r.output);
    tarballs = r.stdout.trim().split('\n');
    assert.deepEqual(tarballs.map((t) => path.basename(t)).sort(), [`guardmin-${HOST}-${VERSION}.tgz`, `guardmin-${VERSION}.tgz`].sort());
    for (const t of tarballs) assert.ok(fs.statSync(t).isFile(), t);
    // Nothing but the tarballs is left in the output folder.
    assert.deepEqual(fs.readdirSync(out).sort(), tarballs.map((t) => path.basename(t)).sort());
  });

  test('the fresh app has no Rust toolchain and no guardmin on PATH', async () => {
    assert.ok(tarballs, 'pack.sh ran');
    app = path.join(work, 'app');
    fs.mkdirSync(path.join(app, 'src'), { recursive: true });
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }, null, 2));
    for (const cmd of ['cargo', 'rustc', 'rustup', 'guardmin']) {
      const r = await sh(`command -v ${cmd}`);
      assert.notEqual(r.code, 0, `${cmd} is on the test's PATH ${env.PATH}: ${r.stdout}`);
    }
    const r = await sh('command -v node && command -v npm && command -v npx');
    assert.equal(r.code, 0, r.output);
  });

  test('npm install of the tarballs (offline) installs guardmin and only the platform package that fits', async () => {
    assert.ok(app, 'the app exists');
    const r = await run('npm', ['install', ...tarballs], { cwd: app, env });
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(fs.readdirSync(path.join(app, 'node_modules/@guardmin')), [HOST]);
    const bin = path.join(app, 'node_modules/@guardmin', HOST, binaryFile(HOST));
    fs.accessSync(bin, fs.constants.X_OK);
    // The package's lookup (which the plugins use) lands on that binary.
    const which = await run('node', ['--input-type=module', '-e', "import { resolveBinary } from 'guardmin'; console.log(resolveBinary())"], { cwd: app, env });
    assert.equal(which.code, 0, which.output);
    assert.equal(which.stdout.trim(), fs.realpathSync(bin));
  });

  test('npx guardmin --version prints the crate version', async () => {
    const r = await npx(['--version']);
    assert.equal(r.code, 0, r.output);
    assert.equal(r.stdout.trim(), `guardmin ${VERSION}`);
  });

  test('npx guardmin minify minifies and keeps the guard; npx guardmin scan passes it and flags a broken one', async () => {
    fs.writeFileSync(path.join(app, 'factory.js'), FACTORY);
    const m = await npx(['minify', 'factory.js', '-o', 'factory.min.js']);
    assert.equal(m.code, 0, m.output);
    const min = fs.readFileSync(path.join(app, 'factory.min.js'), 'utf8');
    assert.ok(min.length < FACTORY.length * 0.8, `not minified:\n${min}`);
    assert.match(min, KEPT_GUARD, `the typeof guard is gone:\n${min}`);

    const clean = await npx(['scan', 'factory.min.js']);
    assert.equal(clean.code, 0, clean.output);

    fs.writeFileSync(path.join(app, 'broken.js'), BROKEN);
    const bad = await npx(['scan', '--format', 'json', 'broken.js']);
    assert.equal(bad.code, 1, bad.output);
    const findings = JSON.parse(bad.stdout).findings.filter((f) => f.severity === 'error');
    assert.ok(findings.length > 0, bad.stdout);
    assert.ok(findings.every((f) => f.file.endsWith('broken.js')), bad.stdout);
  });

  test('a Vite 8 build with guardmin/vite minifies with the installed binary and passes its scan', async () => {
    fs.writeFileSync(path.join(app, 'src/factory.js'), FACTORY);
    fs.writeFileSync(path.join(app, 'src/main.js'), "import { startWorker } from './factory.js';\nconsole.log('guardmin-probe-pack', startWorker());\n");
    fs.writeFileSync(path.join(app, 'index.html'), '<!doctype html>\n<script type="module" src="/src/main.js"></script>\n');
    fs.writeFileSync(
      path.join(app, 'vite.config.mjs'),
      "import guardmin from 'guardmin/vite';\nexport default { logLevel: 'warn', build: { sourcemap: true }, plugins: [guardmin()] };\n",
    );
    // Vite 8 as installed for the plugin tests (target/plugin-deps); `guardmin/vite` resolves
    // from the app, to the tarball's copy.
    const r = await run('node', [VITE8, 'build', '--config', 'vite.config.mjs'], { cwd: app, env });
    assert.equal(r.code, 0, r.output);
    const dist = path.join(app, 'dist');
    const files = jsFiles(dist);
    assert.equal(files.length, 1, files.join(', '));
    const code = fs.readFileSync(files[0], 'utf8');
    assert.match(code, /"guardmin-probe-pack"/);
    assert.match(code, KEPT_GUARD, `the typeof guard is gone:\n${code}`);
    assert.ok(fs.existsSync(`${files[0]}.map`), 'the source map is written');
    const scan = await npx(['scan', 'dist']);
    assert.equal(scan.code, 0, scan.output);
  });

  test('without the platform package: a clear message and exit 2; GUARDMIN_BINARY points at another binary', async () => {
    const pkg = path.join(app, 'node_modules/@guardmin', HOST);
    const aside = path.join(work, 'aside');
    fs.renameSync(pkg, aside);
    try {
      const r = await npx(['--version']);
      assert.equal(r.code, 2, r.output);
      assert.match(r.stderr, new RegExp(`cannot find the guardmin binary for ${process.platform} ${process.arch}`));
      assert.match(r.stderr, new RegExp(`optional dependency @guardmin/${HOST}@${VERSION.replace(/\./g, '\\.')}`));
      assert.match(r.stderr, /--omit=optional/);
      assert.match(r.stderr, /cargo install --path \./);
      assert.match(r.stderr, /GUARDMIN_BINARY/);
      assert.doesNotMatch(r.stderr, /^\s+at\s/m, 'no stack trace');

      const other = await npx(['--version'], { env: { ...env, GUARDMIN_BINARY: path.join(aside, binaryFile(HOST)) } });
      assert.equal(other.code, 0, other.output);
      assert.equal(other.stdout.trim(), `guardmin ${VERSION}`);
    } finally {
      fs.renameSync(aside, pkg);
    }
  });
});

'use strict';
// Finding the guardmin binary: the one lookup that the `guardmin` command (bin/guardmin.cjs)
// and the Vite and webpack plugins share.
//
// npm gets the binary the way esbuild and Biome ship theirs: `guardmin` has an optional
// dependency on one package per platform (@guardmin/linux-x64-gnu, @guardmin/darwin-arm64,
// ...) whose `os`, `cpu` and `libc` fields let npm install only the one that fits. Each holds
// the release binary at its root: `guardmin`, or `guardmin.exe` on Windows.

const fs = require('node:fs');
const path = require('node:path');
const { GuardminError } = require('./error.cjs');

/** The package's own folder (npm/ in the guardmin repository). */
const PACKAGE_DIR = path.resolve(__dirname, '..');
const SCOPE = '@guardmin/';
const EXE = process.platform === 'win32' ? '.exe' : '';
/**
 * Set in the environment of the binary the `guardmin` command starts. A launcher that finds it
 * set was started by a launcher (a package manager's shim on PATH), so it skips PATH.
 */
const LAUNCHER_ENV = 'GUARDMIN_NPM_LAUNCHER';

function readPackage(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    return {};
  }
}

/** The platform packages `guardmin` lists in optionalDependencies: key -> pinned version. */
function platformPackages(packageDir = PACKAGE_DIR) {
  const deps = readPackage(packageDir).optionalDependencies || {};
  return Object.fromEntries(
    Object.entries(deps)
      .filter(([name]) => name.startsWith(SCOPE))
      .map(([name, version]) => [name.slice(SCOPE.length), version]),
  );
}

/** 'glibc' or 'musl' on Linux (as npm's `libc` field names them), null elsewhere. */
function detectLibc(platform = process.platform) {
  if (platform !== 'linux') return null;
  try {
    const ldd = fs.readFileSync('/usr/bin/ldd', 'latin1');
    if (ldd.includes('musl')) return 'musl';
    if (/GNU C Library|glibc/i.test(ldd)) return 'glibc';
  } catch {
    // no ldd script: ask Node, which reports the glibc it runs on
  }
  try {
    return process.report.getReport().header.glibcVersionRuntime ? 'glibc' : 'musl';
  } catch {
    return 'glibc';
  }
}

/** The package key for npm's os, cpu and libc values: ('linux', 'x64', 'glibc') -> 'linux-x64-gnu'. */
function platformKey(os, cpu, libc) {
  if (os === 'linux') return `linux-${cpu}-${libc === 'musl' ? 'musl' : 'gnu'}`;
  if (os === 'win32') return `win32-${cpu}-msvc`;
  return `${os}-${cpu}`;
}

/**
 * The platform packages whose binary can run here, best first: the exact one, then on glibc
 * Linux the musl build (statically linked, so it runs there too) and on Windows arm64 the x64
 * build (emulated).
 */
function platformCandidates({ platform = process.platform, arch = process.arch, libc = detectLibc(platform) } = {}) {
  const keys = [platformKey(platform, arch, libc)];
  if (platform === 'linux' && libc !== 'musl') keys.push(platformKey(platform, arch, 'musl'));
  if (platform === 'win32' && arch === 'arm64') keys.push(platformKey(platform, 'x64'));
  return keys;
}

/** The binary's file name inside the package for `key`. */
const binaryFile = (key) => (key.startsWith('win32-') ? 'guardmin.exe' : 'guardmin');

function isExecutableFile(p) {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The `guardmin` command of an npm package (its bin script, or a symlink to it). */
function isLauncher(p) {
  try {
    return path.basename(fs.realpathSync(p)) === 'guardmin.cjs';
  } catch {
    return false;
  }
}

function onPath(env) {
  const dirs = (env.PATH || env.Path || '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const p = path.join(dir, 'guardmin' + EXE);
    if (isExecutableFile(p) && !isLauncher(p)) return p;
  }
  return null;
}

/** The installed package `@guardmin/<key>` that `packageDir` resolves: its folder and version. */
function findPlatformPackage(key, packageDir) {
  let manifest;
  try {
    manifest = require.resolve(`${SCOPE}${key}/package.json`, { paths: [packageDir] });
  } catch {
    return null;
  }
  const dir = path.dirname(manifest);
  return { dir, version: readPackage(dir).version, file: path.join(dir, binaryFile(key)) };
}

/**
 * Finds the guardmin binary, in this order:
 *   1. the `binary` option, 2. the GUARDMIN_BINARY variable,
 *   3. the platform package npm installed beside this one (@guardmin/<platform>),
 *   4. the repository's cargo target directory next to this package (release, then debug),
 *   5. `guardmin` on PATH (not an npm launcher).
 * An explicit option or variable that names no executable is an error, not a fall-through;
 * so is a platform package whose version is not this package's. Throws a GuardminError that
 * says what to do. `platform`, `arch` and `libc` default to this machine's.
 */
function resolveBinary({ binary, env = process.env, packageDir = PACKAGE_DIR, platform, arch, libc } = {}) {
  if (binary != null && binary !== '') {
    const p = path.resolve(String(binary));
    if (isExecutableFile(p)) return p;
    throw new GuardminError(`guardmin: the \`binary\` option names ${p}, which is not an executable file.\n` + howToGet());
  }
  if (env.GUARDMIN_BINARY) {
    const p = path.resolve(env.GUARDMIN_BINARY);
    if (isExecutableFile(p)) return p;
    throw new GuardminError(`guardmin: GUARDMIN_BINARY is set to ${p}, which is not an executable file.\n` + howToGet());
  }
  const host = { platform: platform ?? process.platform, arch: arch ?? process.arch };
  host.libc = libc === undefined ? detectLibc(host.platform) : libc;
  const keys = platformCandidates(host);
  const version = readPackage(packageDir).version;
  const tried = [];
  for (const key of keys) {
    const found = findPlatformPackage(key, packageDir);
    tried.push(found ? found.file : `${SCOPE}${key}`);
    if (!found) continue;
    if (version && found.version !== version) {
      throw new GuardminError(
        `guardmin: ${found.dir} is ${SCOPE}${key} ${found.version}, but guardmin is ${version}; ` +
          'the two are released together. Reinstall guardmin so that npm installs the matching ' +
          `binary package (\`npm install guardmin@${version}\`), or set GUARDMIN_BINARY.`,
      );
    }
    if (isExecutableFile(found.file)) return found.file;
    // Some installers drop the mode bits of files that are not `bin` entries.
    try {
      fs.chmodSync(found.file, 0o755);
      if (isExecutableFile(found.file)) return found.file;
    } catch {
      // read-only install: fall through to the other places
    }
  }
  for (const profile of ['release', 'debug']) {
    const p = path.join(packageDir, '..', 'target', profile, 'guardmin' + EXE);
    tried.push(p);
    if (isExecutableFile(p)) return p;
  }
  if (!env[LAUNCHER_ENV]) {
    const found = onPath(env);
    if (found) return found;
  }
  throw new GuardminError(notFound(host, keys, platformPackages(packageDir), tried));
}

function notFound(host, keys, known, tried) {
  const where = `${host.platform} ${host.arch}${host.libc ? ` (${host.libc})` : ''}`;
  let s =
    `guardmin: cannot find the guardmin binary for ${where}. Looked for the \`binary\` option, ` +
    `the GUARDMIN_BINARY variable, ${tried.join(', ')} and \`guardmin\` on PATH.\n`;
  const fits = keys.filter((k) => k in known);
  if (fits.length) {
    const name = `${SCOPE}${fits[0]}@${known[fits[0]]}`;
    s +=
      `npm installs the binary as the optional dependency ${name}. It is missing when optional ` +
      'dependencies were left out (`--omit=optional`, `--no-optional`), or when the lock file was ' +
      'written on another platform. Reinstall with them (`npm install`; if the lock file lacks ' +
      `it, delete node_modules and package-lock.json first), or add it: \`npm install ${name}\`.\n`;
  } else {
    const list = Object.keys(known).join(', ') || 'none listed';
    s += `guardmin publishes no binary for ${where} (prebuilt: ${list}).\n`;
  }
  return s + 'Or: ' + howToGet();
}

function howToGet() {
  return (
    'Build it from the guardmin repository with `cargo build --release` (giving ' +
    'target/release/guardmin) or install it with `cargo install --path .` (which puts it on ' +
    'PATH), then either rely on PATH, set GUARDMIN_BINARY=/path/to/guardmin, or pass ' +
    "`{ binary: '/path/to/guardmin' }` to the plugin."
  );
}

module.exports = {
  resolveBinary,
  howToGet,
  platformKey,
  platformCandidates,
  platformPackages,
  detectLibc,
  binaryFile,
  isExecutableFile,
  PACKAGE_DIR,
  SCOPE,
  LAUNCHER_ENV,
};

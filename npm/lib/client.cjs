'use strict';
// The part both plugins share: turning plugin options into `guardmin batch` flags, and one
// long-lived `guardmin batch` child per build that answers JSON-line requests, matched to
// their promises by id. The binary is found by binary.cjs, as the `guardmin` command finds it.

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const { GuardminError } = require('./error.cjs');
const { resolveBinary, howToGet, PACKAGE_DIR } = require('./binary.cjs');
const { addIdentifierNames } = require('./sourcemap.cjs');
const { repairFiles } = require('./repair.cjs');

// Rules known when this was written; guardmin may have more (`guardmin scan --help`).
const RULES = ['serialized-closure', 'emscripten-script-dir', 'undeclared-void-compare', 'guard-lost'];

const OPTION_NAMES = new Set([
  // guardmin optimizer flags (same names as the CLI, camelCased)
  'compress', 'mangle', 'comments', 'ecma', 'target', 'drop', 'pureFuncs', 'toplevel',
  'keepFnames', 'keepClassnames', 'passes', 'define', 'threads',
  // plugin behaviour
  'binary', 'sourceMap', 'ignoreRules', 'denyWarnings', 'minify', 'scan',
  // webpack only
  'test', 'include', 'exclude',
  // vite only
  'worker',
]);

/** Checks plugin options and returns a normalized copy. */
function normalizeOptions(options = {}, which) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new GuardminError(`guardmin: ${which} plugin options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (key === 'nameCache') {
      throw new GuardminError(
        `guardmin: \`nameCache\` is not a ${which} plugin option: the plugin minifies chunks in parallel, in the order they finish, so cached names would depend on timing; run \`guardmin minify --name-cache FILE\` over the build's output instead`,
      );
    }
    if (!OPTION_NAMES.has(key)) {
      throw new GuardminError(
        `guardmin: unknown ${which} plugin option \`${key}\` (known: ${[...OPTION_NAMES].join(', ')})`,
      );
    }
  }
  const o = { ...options };
  const COMMENTS = ['license', 'all', 'none', 'eof', 'external', 'linked'];
  if (o.comments != null && !COMMENTS.includes(o.comments)) {
    throw new GuardminError(`guardmin: \`comments\` must be one of ${COMMENTS.map((c) => `'${c}'`).join(', ')}, not ${JSON.stringify(o.comments)}`);
  }
  for (const key of ['drop', 'pureFuncs']) {
    if (o[key] == null) continue;
    const list = Array.isArray(o[key]) ? o[key] : [o[key]];
    if (!list.every((v) => typeof v === 'string')) {
      throw new GuardminError(`guardmin: \`${key}\` takes a string or an array of strings, e.g. ${key === 'drop' ? "['console', 'debugger']" : "['console.log', 'debug']"}`);
    }
    o[key] = list;
  }
  if (o.target != null && typeof o.target !== 'string' && !Array.isArray(o.target)) {
    throw new GuardminError("guardmin: `target` takes an edition ('es2017', 'esnext') or a browserslist query (a string or an array of strings)");
  }
  const ignore = o.ignoreRules == null ? [] : Array.isArray(o.ignoreRules) ? o.ignoreRules : [o.ignoreRules];
  for (const r of ignore) {
    if (typeof r !== 'string' || !/^[a-z][a-z0-9-]*$/.test(r)) {
      throw new GuardminError(`guardmin: \`ignoreRules\` takes rule names such as ${RULES.join(', ')}; not ${JSON.stringify(r)}`);
    }
  }
  o.ignoreRules = ignore;
  if (o.minify != null && typeof o.minify !== 'boolean' && o.minify !== 'repair') {
    throw new GuardminError(`guardmin: \`minify\` must be true, false or 'repair', not ${JSON.stringify(o.minify)}`);
  }
  if (o.minify === 'repair' && which === 'esbuild') {
    throw new GuardminError(
      "guardmin: esbuild plugin: `minify: 'repair'` is for Vite and webpack, whose minifiers break typeof guards; " +
        "esbuild's keeps them: pass `minify: false` to keep esbuild's minifier and only scan",
    );
  }
  return o;
}

/** The `guardmin batch` flags for the optimizer options. */
function batchArgs(o) {
  const args = [];
  if (o.compress === false) args.push('--no-compress');
  if (o.mangle === false) args.push('--no-mangle');
  if (o.comments != null) args.push('--comments', o.comments);
  if (o.ecma != null) args.push('--ecma', String(o.ecma));
  if (o.target != null) args.push('--target', Array.isArray(o.target) ? o.target.join(', ') : o.target);
  if (o.drop != null && o.drop.length) args.push('--drop', o.drop.join(','));
  if (o.pureFuncs != null && o.pureFuncs.length) args.push('--pure-funcs', o.pureFuncs.join(','));
  if (o.toplevel) args.push('--toplevel');
  if (o.keepFnames) args.push('--keep-fnames');
  if (o.keepClassnames) args.push('--keep-classnames');
  if (o.passes != null) args.push('--passes', String(o.passes));
  if (o.define != null) {
    const defs = Array.isArray(o.define)
      ? o.define.map(String)
      : Object.entries(o.define).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    for (const d of defs) args.push('--define', d);
  }
  if (o.threads != null) args.push('--threads', String(o.threads));
  return args;
}

/**
 * One `guardmin batch` process. Started on the first request; requests carry increasing
 * ids and their answers, which come in completion order, settle the matching promise. While
 * no request is pending the child does not keep Node's event loop alive, so a build tool that
 * forgets to close it still exits (the child then sees end of input and exits too).
 */
class BatchClient {
  constructor(binary, args = []) {
    this.binary = binary;
    this.args = args;
    this.child = null;
    this.pending = new Map();
    this.nextId = 1;
    this.stderr = '';
    this.failure = null;
    this.closing = false;
    this.exited = null;
  }

  _start() {
    const child = spawn(this.binary, ['batch', ...this.args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', resolve));
    let buf = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) this._answer(line);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    // A write after the child died fails with EPIPE; the 'close' handler reports why.
    child.stdin.on('error', () => {});
    child.on('error', (err) => {
      this._fail(
        new GuardminError(`guardmin: cannot run ${this.binary}: ${err.message}.\n${howToGet()}`),
      );
    });
    child.on('close', (code, signal) => {
      if (this.closing && this.pending.size === 0) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = this.stderr.trim();
      this._fail(
        new GuardminError(
          `guardmin: the guardmin batch process (${this.binary}) ${how} with ` +
            `${this.pending.size} request(s) unanswered` +
            (tail ? `; it said:\n${tail}` : '') +
            (code === 2 && /batch/.test(tail) ? '\nThis guardmin may be too old to have `guardmin batch`; rebuild it.' : ''),
        ),
      );
    });
    this._ref(false);
  }

  _ref(on) {
    const c = this.child;
    if (!c) return;
    for (const h of [c, c.stdin, c.stdout, c.stderr]) {
      if (h && typeof h.ref === 'function') (on ? h.ref() : h.unref());
    }
  }

  _answer(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      this._fail(new GuardminError(`guardmin: unreadable answer from guardmin batch: ${line.slice(0, 200)}`));
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) {
      // An answer without a known id is a request guardmin could not read at all.
      const why = msg.error ? msg.error.message : 'unexpected answer';
      this._fail(new GuardminError(`guardmin: guardmin batch rejected a request: ${why}`));
      return;
    }
    this.pending.delete(msg.id);
    if (this.pending.size === 0) this._ref(false);
    p.resolve(msg);
  }

  _fail(err) {
    if (!this.failure) this.failure = err;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(this.failure);
    if (this.child && this.child.exitCode === null && !this.child.killed) this.child.kill();
  }

  /**
   * Sends one request ({ name, code, map, mode }) and resolves with guardmin's answer
   * ({ code, map, findings, error }). Rejects only when the process fails.
   */
  request(req) {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new GuardminError('guardmin: request after close'));
    if (!this.child) this._start();
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this._ref(true);
      const msg = { id, name: req.name, code: req.code, map: req.map ?? null, mode: req.mode || 'minify' };
      if (req.module === true) msg.module = true;
      const line = JSON.stringify(msg);
      this.child.stdin.write(line + '\n');
    });
  }

  /** Ends the process: closes its input and waits for it (kills it after `timeoutMs`). */
  async close(timeoutMs = 10000) {
    this.closing = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // Held until it exits, so whoever awaits this is not left behind by an idle event loop.
    this._ref(true);
    child.stdin.end();
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => {
        child.kill();
        resolve();
      }, timeoutMs);
      timer.unref();
    });
    await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
  }
}

/**
 * What one build shares: the binary (resolved once), one BatchClient while any user holds
 * it, and the scan answers already seen (by content), so an asset scanned in a worker build
 * is not scanned again in its parent.
 */
class Session {
  constructor(options) {
    this.options = options;
    this.binary = null;
    this.client = null;
    this.users = 0;
    this.scanned = new Map();
    // Info notes (threaded-wasm) already shown in this build: each rule once per build.
    this.notesShown = new Set();
  }

  /** Whether an info note of `rule` is the first of this build (then it is shown). */
  firstNote(rule) {
    if (this.notesShown.has(rule)) return false;
    this.notesShown.add(rule);
    return true;
  }

  /** Resolves the binary (throws GuardminError when there is none). */
  ensureBinary() {
    if (!this.binary) this.binary = resolveBinary({ binary: this.options.binary });
    return this.binary;
  }

  acquire() {
    this.ensureBinary();
    this.users++;
  }

  async release() {
    if (this.users > 0) this.users--;
    if (this.users === 0) await this.close();
  }

  _client() {
    if (!this.client) this.client = new BatchClient(this.ensureBinary(), batchArgs(this.options));
    return this.client;
  }

  /** `module`: true for an ES module chunk (top-level names mangled), else decided from the code. */
  async minify(name, code, map, module) {
    if (typeof code === 'string' && !code.isWellFormed()) {
      return { code: null, map: null, findings: [], error: { kind: 'input', message: 'the code contains unpaired UTF-16 surrogates, which guardmin cannot read', line: null, column: null } };
    }
    const req = { name, code, map, mode: 'minify' };
    if (module === true) req.module = true;
    const res = await this._client().request(req);
    // swc names the identifiers it renames; the ones kept as they are (properties, globals)
    // get their names here, so that maps carry names wherever terser's do.
    if (res.map && typeof res.code === 'string') res.map = addIdentifierNames(res.map, res.code);
    return res;
  }

  async scan(name, code, map) {
    const key = crypto.createHash('sha256').update(code).digest('base64');
    const seen = this.scanned.get(key);
    if (seen) return { ...(await seen), cached: true };
    const p = typeof code === 'string' && !code.isWellFormed()
      ? Promise.resolve({ findings: [], error: null })
      : this._client().request({ name, code, map, mode: 'scan' });
    this.scanned.set(key, p);
    try {
      return await p;
    } catch (e) {
      this.scanned.delete(key);
      throw e;
    }
  }

  /**
   * `guardmin fix` on [{ name, code, map }] (one process for all): see repair.cjs. Code
   * guardmin cannot read as UTF-8 (unpaired surrogates) is left alone, as the scan leaves it.
   */
  async repair(files) {
    const readable = files.filter((f) => typeof f.code !== 'string' || f.code.isWellFormed());
    const results = await repairFiles(this.ensureBinary(), readable, { threads: this.options.threads });
    const byFile = new Map(readable.map((f, i) => [f, results[i]]));
    return files.map(
      (f) => byFile.get(f) || { status: 'unchanged', code: f.code, map: f.map || null, repairs: [], notRepairable: [], error: null },
    );
  }

  async close() {
    const c = this.client;
    this.client = null;
    this.scanned.clear();
    if (c) await c.close();
  }
}

/**
 * The findings that count under the options: ignored rules dropped, split by severity.
 * Errors fail the build (warnings too with denyWarnings); infos never do.
 */
function classify(findings, options) {
  const ignore = new Set(options.ignoreRules || []);
  const errors = [];
  const warnings = [];
  const infos = [];
  for (const f of findings || []) {
    if (ignore.has(f.rule)) continue;
    if (f.severity === 'error' || (f.severity === 'warning' && options.denyWarnings)) errors.push(f);
    else if (f.severity === 'warning') warnings.push(f);
    else infos.push(f);
  }
  return { errors, warnings, infos };
}

/** The line that says how to turn an info note off (plugins show each rule once per build). */
function infoNote(file, f) {
  return `${describeFinding(file, f)}\n  (shown once per build; ignoreRules: ['${f.rule}'] turns it off)`;
}

function describeFinding(file, f) {
  let s = `${file}:${f.line}:${f.column}: ${f.severity} ${f.rule}: ${f.message}`;
  if (f.original && f.original.file) {
    s += `\n  original source: ${f.original.file}:${f.original.line}:${f.original.column}`;
    if (f.original.name) s += ` (${f.original.name})`;
  }
  if (f.help) s += `\n  help: ${f.help}`;
  return s;
}

/** `file:line:column: guardmin could not minify it (note): syntax error: ...` */
function describeError(file, e, what, note) {
  const where = e.line != null ? `${file}:${e.line}:${e.column}` : file;
  const kind = e.message.startsWith(e.kind) ? '' : `${e.kind}: `;
  return `${where}: guardmin could not ${what} it${note ? ` (${note})` : ''}: ${kind}${e.message}`;
}

/** A short code frame around a 1-based line and column, cut to a window on long lines. */
function codeFrame(code, line, column, width = 100) {
  if (typeof code !== 'string' || !line) return '';
  const lines = code.split('\n');
  const text = lines[line - 1];
  if (text == null) return '';
  const col = Math.max(1, column || 1);
  const start = Math.max(0, col - 1 - Math.floor(width / 2));
  const end = Math.min(text.length, start + width);
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const gutter = `${line} | `;
  const caret = ' '.repeat(gutter.length - 2) + '| ' + ' '.repeat(prefix.length + col - 1 - start) + '^';
  return `${gutter}${prefix}${text.slice(start, end)}${suffix}\n${caret}`;
}

module.exports = {
  GuardminError,
  BatchClient,
  Session,
  resolveBinary,
  normalizeOptions,
  batchArgs,
  classify,
  describeFinding,
  infoNote,
  describeError,
  codeFrame,
  RULES,
  PACKAGE_DIR,
};

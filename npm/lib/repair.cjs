'use strict';
// `minify: 'repair'`: the bundler's own minifier stays, and `guardmin fix` repairs what it
// broke. One `guardmin fix --in-place --format json` process repairs every file of a build
// step in parallel: each file is written to a private temporary folder with its source map
// beside it (named by a `sourceMappingURL` comment appended to the code, which is taken off
// again), and read back when guardmin repaired it. guardmin splices only the broken reads and
// moves the map's mappings with them, so the map stays exact and nothing else changes.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { GuardminError } = require('./error.cjs');

// A file with no map still gets one (empty), so that guardmin never follows a
// sourceMappingURL comment of the code to a map file that is not in the temporary folder.
const EMPTY_MAP = '{"version":3,"sources":[],"names":[],"mappings":""}';

/** The extension guardmin decides the parse mode from (.mjs modules, .cjs scripts). */
function extensionOf(name) {
  const m = /\.([cm]?js)(?:[?#].*)?$/i.exec(name || '');
  return m ? `.${m[1].toLowerCase()}` : '.js';
}

/** Runs `binary args`; resolves with { code, stdout, stderr }. */
function runFix(binary, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', (e) => reject(new GuardminError(`guardmin: cannot run ${binary}: ${e.message}`)));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Repairs `files` ([{ name, code, map }], `map` a JSON string or null) with one
 * `guardmin fix` process. Resolves with one result per file, in order:
 *
 * - `status`: 'unchanged', 'repaired', 'not-repairable' (nothing was changed) or 'failed';
 * - `code`, `map`: the repaired code and its updated map (JSON text; null when the file had
 *   none), or the input's when nothing changed;
 * - `repairs`: [{ rule, line, column, before, after }], what was (or could have been) repaired;
 * - `notRepairable`: [{ rule, line, column, message, reason }], why the file was left as it was;
 * - `error`: { kind, message, line, column } when guardmin could not read the file.
 *
 * Lines and columns are 1-based places in the input code (columns in characters). Rejects
 * only when guardmin itself fails (cannot start, usage error, unreadable report).
 */
async function repairFiles(binary, files, { threads } = {}) {
  if (!files.length) return [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guardmin-repair-'));
  try {
    const entries = files.map((f, i) => {
      const base = `f${i}${extensionOf(f.name)}`;
      const suffix = `\n//# sourceMappingURL=${base}.map\n`;
      fs.writeFileSync(path.join(dir, base), f.code + suffix);
      fs.writeFileSync(path.join(dir, `${base}.map`), f.map || EMPTY_MAP);
      return { base, suffix };
    });
    const args = ['fix', dir, '--in-place', '--format', 'json', '--quiet'];
    if (threads != null) args.push('--threads', String(threads));
    const r = await runFix(binary, args);
    let report;
    try {
      report = JSON.parse(r.stdout);
    } catch {
      const how = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.code}`;
      throw new GuardminError(
        `guardmin: \`guardmin fix\` (${binary}) ${how} without a report` +
          (r.stderr.trim() ? `; it said:\n${r.stderr.trim()}` : '') +
          (r.code === 2 && /fix/.test(r.stderr) ? '\nThis guardmin may be too old to have `guardmin fix`; rebuild it.' : ''),
      );
    }
    const byBase = new Map((report.files || []).map((f) => [path.basename(f.file), f]));
    return files.map((f, i) => {
      const { base, suffix } = entries[i];
      const rep = byBase.get(base);
      const result = {
        status: rep ? rep.status : 'failed',
        code: f.code,
        map: f.map || null,
        repairs: (rep && rep.repairs) || [],
        notRepairable: (rep && rep.not_repairable) || [],
        error: null,
      };
      if (!rep) {
        result.error = { kind: 'internal', message: '`guardmin fix` did not report this file', line: null, column: null };
      } else if (rep.error) {
        result.status = 'failed';
        result.error = { kind: '', message: rep.error.message, line: rep.error.line ?? null, column: rep.error.column ?? null };
      } else if (rep.status === 'repaired') {
        const code = fs.readFileSync(path.join(dir, base), 'utf8');
        if (!code.endsWith(suffix)) {
          throw new GuardminError(`guardmin: \`guardmin fix\` changed the end of ${f.name}, which it must not touch`);
        }
        result.code = code.slice(0, code.length - suffix.length);
        result.map = f.map ? fs.readFileSync(path.join(dir, `${base}.map`), 'utf8') : null;
      }
      return result;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const INLINE_MAP = /(\/\/[#@] sourceMappingURL=)data:application\/json[^,\s]*,[A-Za-z0-9+/=%]*(\s*)$/;

/** `code` whose trailing inline (data: URL) source map, if it has one, is `map` instead. */
function replaceInlineMap(code, map) {
  if (!map || !INLINE_MAP.test(code)) return code;
  const url = `data:application/json;charset=utf-8;base64,${Buffer.from(map).toString('base64')}`;
  return code.replace(INLINE_MAP, (_, start, end) => `${start}${url}${end}`);
}

/** The file name a `sourceMappingURL` comment at the end of `code` names (not a data: URL), or null. */
function mapFileOf(code) {
  const m = /\/\/[#@] sourceMappingURL=([^\s'"]+)\s*$/.exec(code.slice(-2000));
  if (!m || /^[a-z][a-z0-9+.-]*:/i.test(m[1])) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1];
  }
}

/**
 * A scan's findings of a file as they stand after `repairs` (guardmin fix's, on the same code):
 * the errors are gone (fix leaves none), and a finding after a repaired read on its line moves
 * by what the repairs before it added. Columns count characters, as guardmin's do.
 */
function afterRepairs(findings, repairs) {
  const chars = (s) => [...s].length;
  return findings
    .filter((f) => f.severity !== 'error')
    .map((f) => {
      const moved = repairs
        .filter((p) => p.line === f.line && p.column < f.column)
        .reduce((n, p) => n + chars(p.after) - chars(p.before), 0);
      return moved ? { ...f, column: f.column + moved } : f;
    });
}

/** `a.js:3:7: error serialized-closure: <message>\n  not repairable: <reason>` */
function describeUnrepairable(file, u) {
  return `${file}:${u.line}:${u.column}: error ${u.rule}: ${u.message}\n  guardmin fix cannot repair it: ${u.reason}`;
}

/** The note for a file that fix left as it was although it could repair some of its reads. */
function leftAsItWas(result) {
  const n = result.repairs.length;
  return n ? `\n  (the file was left as it was: ${n} other read${n === 1 ? '' : 's'} could be repaired)` : '';
}

/** `repaired 2 reads in assets/index-abc.js: void 0!==e -> typeof e<"u" (1:798), ...` */
function describeRepairs(file, repairs) {
  const list = repairs.map((p) => `\`${p.before}\` -> \`${p.after}\` (${p.line}:${p.column})`).join(', ');
  return `repaired ${repairs.length} read${repairs.length === 1 ? '' : 's'} in ${file}: ${list}`;
}

module.exports = { repairFiles, replaceInlineMap, mapFileOf, afterRepairs, describeUnrepairable, describeRepairs, leftAsItWas, extensionOf };

#!/usr/bin/env node
// run: the serialized-closure corpus, checked against the runtime truth.
//
//   node tests/serialized/run.mjs [--case NAME]... [--minifier NAME]... [--json]
//                                 [--jobs N] [--keep-going]
//
// For every case in tests/serialized/cases/ (a browser script that starts workers, or runs
// text with eval / new Function / setTimeout, from function source text) and every minifier
// below, it writes the output to target/serialized/out/MINIFIER/CASE.js, then:
// - truth: runs the output in tests/serialized/sim.mjs (a page's main realm plus a fresh
//   realm for every worker; each case in a child process with a wall-clock timeout) and
//   records "runs" or "throws" (with the messages) and what the page observed (messages
//   posted back, console.info);
// - scan: runs `guardmin scan --format json` over all outputs and records whether each has an
//   error-severity finding of the rules serialized-closure, emscripten-script-dir or
//   guard-lost;
// - agreement: a miss is an output that throws while the scan is clean, a false alarm one
//   that runs while the scan reports an error;
// - guardmin parity (issue 14): every guardmin output must behave exactly as its original
//   (same verdict, same observed results);
// - corpus sanity: each case's original must match the `// expect: runs|throws` line of its
//   header (a case that runs must also have observed something);
// - fix (issue 15): `guardmin fix --out-dir target/serialized/fixed` over every output (one
//   call, JSON report); every repaired output is run again in the simulation and scanned.
//   An output that ran must come back byte for byte ("unchanged"); one that threw must be
//   repaired or reported not repairable (and then not written); a repaired output must run,
//   behave as its original where the original runs (same observed results), and scan clean.
//   Problems are listed under `fixProblems`; `fix` maps case -> minifier -> status.
//
// Prints a table (cases x minifiers: R = runs, T = throws; "ok" or "MISS" / "FALSE" for the
// scan), writes it as markdown to target/serialized/table.md, lists every disagreement with
// the scan's output, and exits 1 when there is a disagreement, a parity failure, a corpus
// error or a minifier failure, 0 otherwise, 2 on usage or setup errors. `--json` prints one
// JSON summary instead of the text report (the markdown is still written).
//
// Environment: GUARDMIN_BIN (default target/release/guardmin); the peer minifiers come from
// target/npm (scripts/install-npm.sh).

import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const casesDir = path.join(here, 'cases');
const outRoot = path.join(root, 'target/serialized');
const outDir = path.join(outRoot, 'out');
const fixedDir = path.join(outRoot, 'fixed');
const guardminBin = process.env.GUARDMIN_BIN || path.join(root, 'target/release/guardmin');
const npmRequire = createRequire(path.join(root, 'target/npm/package.json'));
const ERROR_RULES = new Set(['serialized-closure', 'emscripten-script-dir', 'guard-lost']);
const CASE_TIMEOUT_MS = 120000;

function usage(msg) {
  process.stderr.write(
    `run.mjs: ${msg}\nusage: node tests/serialized/run.mjs [--case NAME]... [--minifier NAME]... [--json] [--jobs N]\n`,
  );
  process.exit(2);
}

const opts = { cases: [], minifiers: [], json: false, jobs: Math.max(1, Math.min(2, os.availableParallelism?.() || 2)) };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--case') opts.cases.push(...val().split(','));
    else if (a === '--minifier') opts.minifiers.push(...val().split(','));
    else if (a === '--json') opts.json = true;
    else if (a === '--jobs') opts.jobs = Math.max(1, Number(val()) | 0);
    else usage(`unknown argument ${a}`);
  }
}

function need(pkg, version) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(npmRequire.resolve(`${pkg}/package.json`), 'utf8'));
  } catch {
    usage(`${pkg} is not installed in target/npm: run scripts/install-npm.sh`);
  }
  if (manifest.version !== version) usage(`target/npm has ${pkg} ${manifest.version}, not the pinned ${version}: run scripts/install-npm.sh`);
  return npmRequire(pkg);
}

// ---------------------------------------------------------------------------------------
// Minifiers: name -> async (code, file) => output code.

const MINIFIERS = [
  ['original', async (code) => code],
  ['terser', async (code) => (await need('terser', '5.51.2').minify(code, { compress: {}, mangle: true })).code],
  [
    'terser-typeofs-false',
    async (code) => (await need('terser', '5.51.2').minify(code, { compress: { typeofs: false }, mangle: true })).code,
  ],
  ['swc', async (code) => need('@swc/core', '1.16.22').minifySync(code, { compress: true, mangle: true, module: false }).code],
  [
    'oxc',
    async (code, file) => {
      const r = need('oxc-minify', '0.157.0').minifySync(path.basename(file), code, { module: false, compress: true, mangle: true });
      if (r.errors && r.errors.length) throw new Error(r.errors.map((e) => e.message).join('; '));
      return r.code;
    },
  ],
  ['esbuild', async (code) => need('esbuild', '0.28.2').transformSync(code, { loader: 'js', minify: true }).code],
  [
    'esbuild-keepnames',
    async (code) => need('esbuild', '0.28.2').transformSync(code, { loader: 'js', minify: true, keepNames: true }).code,
  ],
  [
    'guardmin',
    async (code, file, out) => {
      const r = spawnSync(guardminBin, ['minify', file, '-o', out, '--no-cache', '-q'], { encoding: 'utf8' });
      if (r.error) throw new Error(`could not run ${guardminBin}: ${r.error.message}`);
      if (r.status !== 0) throw new Error(`guardmin minify exited ${r.status}: ${(r.stderr || '').trim()}`);
      return fs.readFileSync(out, 'utf8');
    },
  ],
];

// ---------------------------------------------------------------------------------------

function listCases() {
  const all = fs
    .readdirSync(casesDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .sort();
  for (const c of opts.cases) if (!all.includes(c)) usage(`no case ${c} in ${path.relative(root, casesDir)}`);
  return opts.cases.length ? all.filter((c) => opts.cases.includes(c)) : all;
}

function expectation(code) {
  const m = /^\/\/ expect: (runs|throws)\s*$/m.exec(code);
  return m ? m[1] : null;
}

function runChild(args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function pool(items, jobs, fn) {
  const out = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(jobs, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

function cell(r) {
  if (r.minifyError) return 'ERR';
  const v = r.truth.verdict === 'runs' ? 'R' : 'T';
  if (!r.scan) return v;
  return `${v} ${r.agree ? 'ok' : r.truth.verdict === 'throws' ? 'MISS' : 'FALSE'}`;
}

// What is wrong with `guardmin fix` on one output `r` (its original `orig`), or null.
function fixProblem(r, orig, byFile) {
  const f = r.fix;
  const written = fs.existsSync(f.file);
  if (r.truth.verdict === 'runs') {
    if (f.status !== 'unchanged') return `the output runs, but fix says ${f.status}${f.error ? ': ' + f.error.message : ''}`;
    if (!written) return 'unchanged, but not written to --out-dir';
    if (!fs.readFileSync(f.file).equals(fs.readFileSync(r.file))) return 'the output runs, but fix changed its bytes';
    return null;
  }
  if (f.status === 'not-repairable') {
    if (!f.notRepairable || f.notRepairable.length === 0) return 'not repairable, but no finding says why';
    if (written) return 'not repairable, but written';
    return null;
  }
  if (f.status !== 'repaired') return `the output throws, but fix says ${f.status}${f.error ? ': ' + f.error.message : ''}`;
  if (!written) return 'repaired, but not written';
  if (!f.truth) return 'repaired, but not run';
  if (f.truth.verdict !== 'runs') return `repaired, but still throws: ${f.truth.errors.map((e) => `${e.realm}: ${e.message}`).join('; ')}`;
  if (orig && !orig.minifyError && orig.truth.verdict === 'runs' && JSON.stringify(f.truth.results) !== JSON.stringify(orig.truth.results))
    return `repaired and runs, but observes ${JSON.stringify(f.truth.results)} where the original observes ${JSON.stringify(orig.truth.results)}`;
  const findings = byFile.get(path.resolve(f.file)) || [];
  if (findings.some((x) => x.severity === 'error' && ERROR_RULES.has(x.rule))) return `repaired, but guardmin scan still reports ${JSON.stringify(findings)}`;
  return null;
}

async function main() {
  if (!fs.existsSync(guardminBin)) usage(`${guardminBin} not found: cargo build --release, or set GUARDMIN_BIN`);
  const cases = listCases();
  const minifiers = opts.minifiers.length ? MINIFIERS.filter(([n]) => opts.minifiers.includes(n)) : MINIFIERS;
  for (const m of opts.minifiers) if (!MINIFIERS.some(([n]) => n === m)) usage(`no minifier ${m} (${MINIFIERS.map(([n]) => n).join(', ')})`);
  // Parity needs the original next to guardmin.
  const runNames = new Set(minifiers.map(([n]) => n));
  if (runNames.has('guardmin')) runNames.add('original');
  const active = MINIFIERS.filter(([n]) => runNames.has(n));

  fs.rmSync(outDir, { recursive: true, force: true });
  const rows = [];
  for (const c of cases) {
    const src = path.join(casesDir, c + '.js');
    const code = fs.readFileSync(src, 'utf8');
    const row = { case: c, expect: expectation(code), outputs: {} };
    for (const [name, fn] of active) {
      const out = path.join(outDir, name, c + '.js');
      fs.mkdirSync(path.dirname(out), { recursive: true });
      const r = { file: out };
      try {
        const text = await fn(code, src, out);
        fs.writeFileSync(out, text);
      } catch (e) {
        r.minifyError = String(e && e.message ? e.message : e);
        fs.rmSync(out, { force: true });
      }
      row.outputs[name] = r;
    }
    rows.push(row);
  }

  // Fix (issue 15): every output, one call; the repaired ones are run and scanned with the rest.
  fs.rmSync(fixedDir, { recursive: true, force: true });
  const fixReport = new Map();
  {
    const f = spawnSync(guardminBin, ['fix', '--format', 'json', '--script', '-j', String(opts.jobs), '--out-dir', fixedDir, outDir], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (f.error) usage(`could not run ${guardminBin} fix: ${f.error.message}`);
    let doc;
    try {
      doc = JSON.parse(f.stdout);
    } catch {
      usage(`guardmin fix exited ${f.status} without a JSON report:\n${f.stdout}\n${f.stderr}`);
    }
    if (f.status === 2) usage(`guardmin fix exited 2:\n${f.stderr}`);
    for (const file of doc.files) fixReport.set(path.resolve(file.file), file);
  }
  for (const row of rows) {
    for (const [name, r] of Object.entries(row.outputs)) {
      if (r.minifyError) continue;
      const rep = fixReport.get(path.resolve(r.file));
      r.fix = rep ? { status: rep.status, repairs: rep.repairs, notRepairable: rep.not_repairable, error: rep.error } : { status: 'missing' };
      r.fix.file = path.join(fixedDir, name, row.case + '.js');
    }
  }

  // Truth: one child per case, all its outputs, under the case name (so that the page script
  // URL, which a worker may load, is the same for every minifier); repaired outputs too.
  await pool(rows, opts.jobs, async (row) => {
    const items = Object.entries(row.outputs)
      .filter(([, r]) => !r.minifyError)
      .flatMap(([n, r]) => (r.fix && r.fix.status === 'repaired' ? [[n, r], [n, r.fix]] : [[n, r]]));
    if (!items.length) return;
    const res = await runChild([path.join(here, 'sim.mjs'), '--name', row.case + '.js', ...items.map(([, r]) => r.file)], CASE_TIMEOUT_MS);
    const lines = res.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    items.forEach(([, r], i) => {
      const line = lines[i];
      r.truth = line
        ? { verdict: line.verdict, errors: line.errors, results: line.results, stats: line.stats }
        : {
            verdict: 'throws',
            errors: [{ realm: 'sim', message: res.signal ? `sim: killed after ${CASE_TIMEOUT_MS} ms (${res.signal})` : `sim: exited ${res.code}: ${res.stderr.trim().slice(-2000)}` }],
            results: [],
            stats: {},
          };
    });
  });

  // Scan: every output in one call; findings grouped by file.
  const scanned = rows.flatMap((row) =>
    Object.values(row.outputs)
      .filter((r) => !r.minifyError)
      .flatMap((r) => (r.fix && r.fix.status === 'repaired' ? [r.file, r.fix.file] : [r.file])),
  );
  const byFile = new Map(scanned.map((f) => [path.resolve(f), []]));
  if (scanned.length) {
    const s = spawnSync(guardminBin, ['scan', '--format', 'json', '--script', '-j', String(opts.jobs), ...scanned], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    if (s.error) usage(`could not run ${guardminBin} scan: ${s.error.message}`);
    let doc;
    try {
      doc = JSON.parse(s.stdout);
    } catch {
      usage(`guardmin scan exited ${s.status} without a JSON report:\n${s.stdout}\n${s.stderr}`);
    }
    if (s.status === 2) usage(`guardmin scan exited 2:\n${s.stderr}`);
    for (const f of doc.findings) {
      const k = path.resolve(f.file);
      if (!byFile.has(k)) usage(`guardmin scan reported a file it was not given: ${f.file}`);
      byFile.get(k).push(f);
    }
  }

  const disagreements = [];
  const parity = [];
  const corpus = [];
  const minifyErrors = [];
  const fixProblems = [];
  for (const row of rows) {
    for (const [name, r] of Object.entries(row.outputs)) {
      if (r.minifyError) {
        // guardmin refusing to write is reported with the parity checks below.
        if (name !== 'guardmin') minifyErrors.push({ case: row.case, minifier: name, error: r.minifyError });
        continue;
      }
      const findings = byFile.get(path.resolve(r.file)) || [];
      r.findings = findings.map(({ rule, severity, line, column, message }) => ({ rule, severity, line, column, message }));
      r.scan = findings.some((f) => f.severity === 'error' && ERROR_RULES.has(f.rule)) ? 'error' : 'clean';
      r.agree = (r.truth.verdict === 'throws') === (r.scan === 'error');
      if (!r.agree && runNames.has(name) && minifiers.some(([n]) => n === name)) {
        disagreements.push({
          case: row.case,
          minifier: name,
          kind: r.truth.verdict === 'throws' ? 'miss' : 'false-alarm',
          truth: r.truth.verdict,
          errors: r.truth.errors,
          findings: r.findings,
          file: path.relative(root, r.file),
        });
      }
    }
    const orig = row.outputs.original;
    if (orig && !orig.minifyError) {
      if (!row.expect) corpus.push({ case: row.case, problem: 'no "// expect: runs|throws" line in its header' });
      else if (row.expect !== orig.truth.verdict)
        corpus.push({ case: row.case, problem: `expected to ${row.expect === 'runs' ? 'run' : 'throw'}, but it ${orig.truth.verdict}`, errors: orig.truth.errors });
      else if (row.expect === 'runs' && orig.truth.results.length === 0)
        corpus.push({ case: row.case, problem: 'runs but observed nothing (no message posted back, no console.info)' });
    }
    const gm = row.outputs.guardmin;
    if (gm && orig && !orig.minifyError) {
      // An input that already throws is refused out loud (issue 14): that is its parity.
      const refusedBroken = gm.minifyError && orig.truth.verdict === 'throws' && /the input is already broken/.test(gm.minifyError);
      if (refusedBroken) { /* correct: the broken input is named, nothing is written */ }
      else if (gm.minifyError) parity.push({ case: row.case, problem: `guardmin minify failed: ${gm.minifyError}` });
      else if (gm.truth.verdict !== orig.truth.verdict)
        parity.push({ case: row.case, problem: `original ${orig.truth.verdict}, guardmin output ${gm.truth.verdict}`, errors: gm.truth.errors });
      else if (JSON.stringify(gm.truth.results) !== JSON.stringify(orig.truth.results))
        parity.push({ case: row.case, problem: 'observed results differ', original: orig.truth.results, guardmin: gm.truth.results });
    }
    for (const [name, r] of Object.entries(row.outputs)) {
      if (r.minifyError) continue;
      const problem = fixProblem(r, orig, byFile);
      if (problem) fixProblems.push({ case: row.case, minifier: name, status: r.fix.status, problem, file: path.relative(root, r.file) });
    }
  }

  // Table.
  const cols = active.map(([n]) => n).filter((n) => minifiers.some(([m]) => m === n) || n === 'original');
  const md = [];
  md.push('# Serialized closures: runtime truth vs `guardmin scan`', '');
  md.push('R = runs, T = throws (in the page or a worker realm); then `ok` when scan agrees, `MISS` when it throws and scan is clean, `FALSE` when it runs and scan reports an error; ERR = the minifier failed.', '');
  md.push(`| case | ${cols.join(' | ')} |`);
  md.push(`| --- | ${cols.map(() => '---').join(' | ')} |`);
  for (const row of rows) md.push(`| ${row.case} | ${cols.map((n) => cell(row.outputs[n])).join(' | ')} |`);
  md.push('');
  const total = rows.reduce((n, row) => n + cols.filter((c) => row.outputs[c] && !row.outputs[c].minifyError).length, 0);
  md.push(`${rows.length} cases, ${total} outputs; ${disagreements.length} disagreements (${disagreements.filter((d) => d.kind === 'miss').length} misses, ${disagreements.filter((d) => d.kind === 'false-alarm').length} false alarms); guardmin parity failures: ${parity.length}; corpus errors: ${corpus.length}; minifier failures: ${minifyErrors.length}.`, '');
  if (disagreements.length) {
    md.push('## Disagreements', '');
    for (const d of disagreements) {
      md.push(`- **${d.case}** / ${d.minifier}: ${d.kind} (${d.truth}${d.errors.length ? ': ' + d.errors.map((e) => `${e.realm}: ${e.message}`).join('; ') : ''}); scan: ${d.findings.length ? d.findings.map((f) => `${f.severity} ${f.rule} ${f.line}:${f.column}`).join(', ') : 'no findings'} (\`${d.file}\`)`);
    }
    md.push('');
  }
  if (parity.length) {
    md.push('## guardmin output does not behave as the original (issue 14)', '');
    for (const p of parity) md.push(`- **${p.case}**: ${p.problem}${p.errors ? ': ' + p.errors.map((e) => `${e.realm}: ${e.message}`).join('; ') : ''}`);
    md.push('');
  }
  if (corpus.length) {
    md.push('## Corpus errors', '');
    for (const c of corpus) md.push(`- **${c.case}**: ${c.problem}${c.errors ? ': ' + c.errors.map((e) => `${e.realm}: ${e.message}`).join('; ') : ''}`);
    md.push('');
  }
  if (minifyErrors.length) {
    md.push('## Minifier failures', '');
    for (const m of minifyErrors) md.push(`- **${m.case}** / ${m.minifier}: ${m.error}`);
    md.push('');
  }
  md.push('## guardmin fix on every output (issue 15)', '');
  md.push('`=` ran, and fix left it byte for byte; `R` threw, fix repaired it and it runs (and behaves as the original where that runs); `NR` threw, fix reports it not repairable and writes nothing; `!` a problem (listed below).', '');
  md.push(`| case | ${cols.join(' | ')} |`);
  md.push(`| --- | ${cols.map(() => '---').join(' | ')} |`);
  const fixCell = (row, n) => {
    const r = row.outputs[n];
    if (!r || r.minifyError) return 'ERR';
    if (fixProblems.some((p) => p.case === row.case && p.minifier === n)) return '!';
    return { unchanged: '=', repaired: 'R', 'not-repairable': 'NR' }[r.fix.status] || '!';
  };
  for (const row of rows) md.push(`| ${row.case} | ${cols.map((n) => fixCell(row, n)).join(' | ')} |`);
  md.push('');
  const fixCount = (st) => rows.reduce((k, row) => k + cols.filter((n) => row.outputs[n] && !row.outputs[n].minifyError && row.outputs[n].fix.status === st).length, 0);
  md.push(`fix: ${fixCount('unchanged')} unchanged, ${fixCount('repaired')} repaired, ${fixCount('not-repairable')} not repairable; problems: ${fixProblems.length}.`, '');
  if (fixProblems.length) {
    md.push('### fix problems', '');
    for (const p of fixProblems) md.push(`- **${p.case}** / ${p.minifier}: ${p.status}: ${p.problem} (\`${p.file}\`)`);
    md.push('');
  }
  fs.mkdirSync(outRoot, { recursive: true });
  fs.writeFileSync(path.join(outRoot, 'table.md'), md.join('\n'));

  const failed = disagreements.length + parity.length + corpus.length + minifyErrors.length + fixProblems.length > 0;
  if (opts.json) {
    const summary = {
      cases: rows.length,
      outputs: total,
      minifiers: cols,
      disagreements,
      parity,
      corpus,
      minifyErrors,
      fixProblems,
      fix: Object.fromEntries(
        rows.map((row) => [
          row.case,
          Object.fromEntries(
            cols
              .filter((n) => row.outputs[n] && !row.outputs[n].minifyError)
              .map((n) => {
                const r = row.outputs[n];
                return [n, { before: r.truth.verdict, status: r.fix.status, after: r.fix.truth ? r.fix.truth.verdict : null, repairs: (r.fix.repairs || []).length, notRepairable: (r.fix.notRepairable || []).map((u) => u.reason) }];
              }),
          ),
        ]),
      ),
      table: Object.fromEntries(
        rows.map((row) => [
          row.case,
          Object.fromEntries(
            cols.map((n) => {
              const r = row.outputs[n];
              if (!r || r.minifyError) return [n, { error: r ? r.minifyError : 'not run' }];
              return [n, { truth: r.truth.verdict, scan: r.scan, agree: r.agree, errors: r.truth.errors.map((e) => `${e.realm}: ${e.message}`), results: r.truth.results.length }];
            }),
          ),
        ]),
      ),
      ok: !failed,
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
  } else {
    const w = Math.max(4, ...rows.map((r) => r.case.length));
    const cw = cols.map((c) => Math.max(c.length, 8));
    const line = (a, cells) => a.padEnd(w) + '  ' + cells.map((x, i) => String(x).padEnd(cw[i])).join(' ');
    const out = [line('case', cols), ...rows.map((row) => line(row.case, cols.map((n) => cell(row.outputs[n]))))];
    out.push('', md.slice(md.findIndex((l) => /^\d+ cases/.test(l))).join('\n'));
    for (const d of disagreements) {
      out.push(`--- ${d.case} / ${d.minifier} (${d.file}): scan output:`);
      out.push(d.findings.length ? JSON.stringify(d.findings, null, 2) : '(no findings)');
    }
    out.push(`table: ${path.relative(root, path.join(outRoot, 'table.md'))}`);
    process.stdout.write(out.join('\n') + '\n');
  }
  // Not process.exit(): it would cut off stdout when it is a pipe.
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`run.mjs: ${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});

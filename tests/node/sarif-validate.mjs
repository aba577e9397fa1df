#!/usr/bin/env node
// sarif-validate: checks a SARIF file against the official SARIF 2.1.0 JSON schema, plus the
// few things GitHub code scanning needs beyond the schema.
//
//   node tests/node/sarif-validate.mjs FILE
//
// The schema is `sarif-2.1.0-rtm.5.json` (the OASIS SARIF 2.1.0 schema, JSON Schema draft-04)
// as shipped by the pinned npm package `@microsoft/jest-sarif`; the validator is the pinned
// `ajv` with `ajv-draft-04` and `ajv-formats`. All of them are installed by
// `scripts/install-npm.sh` into target/npm/node_modules. Nothing is fetched.
//
// Exits 0 and prints "FILE: valid SARIF 2.1.0" when the file passes, 1 with one line per
// error otherwise, 2 when the packages are missing or the file cannot be read.

import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modules = join(root, 'target', 'npm', 'node_modules');
const SCHEMA = '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json';

function die(msg) {
  console.error(`sarif-validate: ${msg}`);
  process.exit(2);
}

const file = process.argv[2];
if (!file) die('usage: node tests/node/sarif-validate.mjs FILE');
if (!existsSync(join(modules, 'ajv-draft-04')) || !existsSync(join(modules, SCHEMA))) {
  die(`${modules} lacks ajv-draft-04 or ${SCHEMA}: run scripts/install-npm.sh first`);
}

const require = createRequire(join(modules, 'noop.js'));
const Ajv04 = require('ajv-draft-04');
const addFormats = require('ajv-formats');
const schema = require(SCHEMA);

let log;
try {
  log = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  die(`${file}: ${e.message}`);
}

// `unicodeRegExp: false`: the schema's `language` pattern
// (`^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$`) has a stray `]` that is an error under the
// `u` flag but a literal `]` without it, which is what JSON Schema (ECMA 262 regex) means.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
let validate;
try {
  validate = ajv.compile(schema);
} catch (e) {
  die(`cannot compile ${SCHEMA}: ${e.message}`);
}

const errors = [];
if (!validate(log)) {
  for (const e of validate.errors) {
    errors.push(`schema: ${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
  }
}

// What GitHub code scanning needs beyond the schema (checked only on a schema-valid log).
if (errors.length === 0) {
  (log.runs || []).forEach((run, r) => {
    const rules = (run.tool.driver.rules || []);
    const ids = rules.map((x) => x.id);
    if (!run.tool.driver.name) errors.push(`github: /runs/${r}/tool/driver/name missing`);
    (run.results || []).forEach((res, i) => {
      const at = `/runs/${r}/results/${i}`;
      if (!res.message || typeof res.message.text !== 'string') errors.push(`github: ${at}/message/text missing`);
      if (typeof res.ruleId !== 'string') errors.push(`github: ${at}/ruleId missing`);
      else if (!ids.includes(res.ruleId)) errors.push(`github: ${at}/ruleId ${res.ruleId} has no rule in tool.driver.rules`);
      if (res.ruleIndex !== undefined && ids[res.ruleIndex] !== res.ruleId) {
        errors.push(`github: ${at}/ruleIndex ${res.ruleIndex} does not point at ${res.ruleId}`);
      }
      const loc = res.locations && res.locations[0] && res.locations[0].physicalLocation;
      if (!loc || !loc.artifactLocation || typeof loc.artifactLocation.uri !== 'string') {
        errors.push(`github: ${at}/locations/0/physicalLocation/artifactLocation/uri missing`);
      } else if (loc.artifactLocation.uri.includes('\\')) {
        errors.push(`github: ${at} uri has a backslash: ${loc.artifactLocation.uri}`);
      }
      if (!loc || !loc.region || !(loc.region.startLine >= 1)) errors.push(`github: ${at} region.startLine missing`);
      const fp = res.partialFingerprints && res.partialFingerprints.primaryLocationLineHash;
      if (fp !== undefined && !/^[0-9a-f]{16}:[1-9][0-9]*$/.test(fp)) {
        errors.push(`github: ${at}/partialFingerprints/primaryLocationLineHash malformed: ${fp}`);
      }
    });
  });
}

if (errors.length) {
  for (const e of errors) console.log(`${file}: ${e}`);
  process.exit(1);
}
console.log(`${file}: valid SARIF 2.1.0`);

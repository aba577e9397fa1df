'use strict';
// guardmin's npm package: `guardmin/vite`, `guardmin/webpack`, `guardmin/esbuild`, and the shared pieces
// (binary lookup and the `guardmin batch` client) for other build tools.

const client = require('./client.cjs');
const guardmin = require('./vite.cjs');
const GuardminPlugin = require('./webpack.cjs');
const esbuild = require('./esbuild.cjs');

module.exports = {
  guardmin,
  vite: guardmin,
  GuardminPlugin,
  esbuild,
  resolveBinary: client.resolveBinary,
  BatchClient: client.BatchClient,
  GuardminError: client.GuardminError,
  RULES: client.RULES,
};

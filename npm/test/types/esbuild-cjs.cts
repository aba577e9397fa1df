import guardmin = require('guardmin/esbuild');
import type { BuildOptions } from 'esbuild';
const options: guardmin.Options = { minify: false, denyWarnings: true };
const config: BuildOptions = { plugins: [guardmin(options), guardmin.guardmin(), guardmin.default()] };
export = config;

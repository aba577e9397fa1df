import guardmin, { guardmin as named, type GuardminOptions } from 'guardmin/esbuild';
import type { BuildOptions, Plugin } from 'esbuild';
const options: GuardminOptions = { comments: 'none', ignoreRules: ['guard-lost'], sourceMap: true };
const p: Plugin = guardmin(options);
const config: BuildOptions = { bundle: true, plugins: [p, named()] };
export default config;

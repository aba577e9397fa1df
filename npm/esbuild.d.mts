import type { Plugin } from 'esbuild';
import type { GuardminOptions } from './types.cjs';

export type { GuardminOptions, GuardminRule } from './types.cjs';

/** guardmin for esbuild: `plugins: [guardmin()]`; it minifies, scans and writes the output files in onEnd. */
export declare function guardmin(options?: GuardminOptions): Plugin;
export default guardmin;

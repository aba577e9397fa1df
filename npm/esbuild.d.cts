import type { Plugin } from 'esbuild';
import type { GuardminOptions } from './types.cjs';

/** guardmin for esbuild: `plugins: [guardmin()]`; it minifies, scans and writes the output files in onEnd. */
declare function guardmin(options?: GuardminOptions): Plugin;
declare namespace guardmin {
  export type Options = GuardminOptions;
  export { guardmin, guardmin as default };
}
export = guardmin;

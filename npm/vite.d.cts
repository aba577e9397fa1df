import type { Plugin } from 'vite';
import type { GuardminViteOptions } from './types.cjs';

/** guardmin for Vite 7 and 8: `plugins: [guardmin()]`. */
declare function guardmin(options?: GuardminViteOptions): Plugin;
declare namespace guardmin {
  export type Options = GuardminViteOptions;
  export { guardmin, guardmin as default };
}
export = guardmin;

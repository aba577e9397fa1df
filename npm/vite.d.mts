import type { Plugin } from 'vite';
import type { GuardminViteOptions } from './types.cjs';

export type { GuardminViteOptions, GuardminOptions, GuardminRule } from './types.cjs';

/** guardmin for Vite 7 and 8: `plugins: [guardmin()]`. */
export declare function guardmin(options?: GuardminViteOptions): Plugin;
export default guardmin;

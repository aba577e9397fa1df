import type { Plugin } from 'vite';
import type {
  GuardminViteOptions,
  GuardminRule,
  GuardminBatchAnswer,
  GuardminBatchRequest,
} from './types.cjs';
import { GuardminPlugin } from './webpack.mjs';
import { guardmin as esbuild } from './esbuild.mjs';

export type {
  GuardminOptions,
  GuardminViteOptions,
  GuardminWebpackOptions,
  GuardminRule,
  GuardminFinding,
  GuardminBatchAnswer,
  GuardminBatchRequest,
} from './types.cjs';
export { GuardminPlugin, esbuild };

/** guardmin for Vite (the same as `guardmin/vite`). */
export declare function guardmin(options?: GuardminViteOptions): Plugin;
export declare const vite: typeof guardmin;
/** Finds the guardmin binary (option, GUARDMIN_BINARY, the @guardmin/<platform> package, ../target next to the package, PATH) or throws a GuardminError saying how to get one. */
export declare function resolveBinary(options?: { binary?: string; env?: Record<string, string | undefined>; packageDir?: string; platform?: string; arch?: string; libc?: 'glibc' | 'musl' | null }): string;
/** One `guardmin batch` process: `request()` sends a file, `close()` ends the process. */
export declare class BatchClient {
  constructor(binary: string, args?: string[]);
  request(req: GuardminBatchRequest): Promise<GuardminBatchAnswer>;
  close(timeoutMs?: number): Promise<void>;
}
export declare class GuardminError extends Error {}
export declare const RULES: readonly GuardminRule[];

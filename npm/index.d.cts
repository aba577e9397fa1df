import type { Plugin } from 'vite';
import GuardminWebpackPlugin = require('./webpack.cjs');
import guardminEsbuild = require('./esbuild.cjs');

declare namespace guardminPackage {
  export type GuardminOptions = import('./types.cjs').GuardminOptions;
  export type GuardminViteOptions = import('./types.cjs').GuardminViteOptions;
  export type GuardminWebpackOptions = import('./types.cjs').GuardminWebpackOptions;
  export type GuardminRule = import('./types.cjs').GuardminRule;
  export type GuardminFinding = import('./types.cjs').GuardminFinding;
  export type GuardminBatchAnswer = import('./types.cjs').GuardminBatchAnswer;
  export type GuardminBatchRequest = import('./types.cjs').GuardminBatchRequest;
  /** guardmin for Vite (the same as `guardmin/vite`). */
  export function guardmin(options?: GuardminViteOptions): Plugin;
  export const vite: typeof guardmin;
  /** guardmin for webpack (the same as `guardmin/webpack`). */
  export const GuardminPlugin: typeof GuardminWebpackPlugin;
  /** guardmin for esbuild (the same as `guardmin/esbuild`). */
  export const esbuild: typeof guardminEsbuild;
  /** Finds the guardmin binary (option, GUARDMIN_BINARY, the @guardmin/<platform> package, ../target next to the package, PATH) or throws a GuardminError saying how to get one. */
  export function resolveBinary(options?: { binary?: string; env?: Record<string, string | undefined>; packageDir?: string; platform?: string; arch?: string; libc?: 'glibc' | 'musl' | null }): string;
  /** One `guardmin batch` process: `request()` sends a file, `close()` ends the process. */
  export class BatchClient {
    constructor(binary: string, args?: string[]);
    request(req: GuardminBatchRequest): Promise<GuardminBatchAnswer>;
    close(timeoutMs?: number): Promise<void>;
  }
  export class GuardminError extends Error {}
  export const RULES: readonly GuardminRule[];
}
export = guardminPackage;

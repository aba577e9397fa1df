import type { Compiler } from 'webpack';
import type { GuardminWebpackOptions } from './types.cjs';

/** guardmin for webpack 5: `optimization: { minimizer: [new GuardminPlugin()] }`. */
declare class GuardminPlugin {
  constructor(options?: GuardminWebpackOptions);
  readonly options: GuardminWebpackOptions;
  apply(compiler: Compiler): void;
}
declare namespace GuardminPlugin {
  export type Options = GuardminWebpackOptions;
  export { GuardminPlugin, GuardminPlugin as default };
}
export = GuardminPlugin;

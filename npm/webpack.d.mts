import type { Compiler } from 'webpack';
import type { GuardminWebpackOptions } from './types.cjs';

export type { GuardminWebpackOptions, GuardminOptions, GuardminRule, GuardminAssetCondition } from './types.cjs';

/** guardmin for webpack 5: `optimization: { minimizer: [new GuardminPlugin()] }`. */
export declare class GuardminPlugin {
  constructor(options?: GuardminWebpackOptions);
  readonly options: GuardminWebpackOptions;
  apply(compiler: Compiler): void;
}
export default GuardminPlugin;

import GuardminPlugin, { GuardminPlugin as Named, type GuardminWebpackOptions } from 'guardmin/webpack';
import type { Configuration } from 'webpack';
const o: GuardminWebpackOptions = { include: 'main', minify: false };
export const config: Configuration = { optimization: { minimizer: ['...', new GuardminPlugin(o), new Named()] } };

import GuardminPlugin = require('guardmin/webpack');
import type { Configuration } from 'webpack';
const { GuardminPlugin: Named } = GuardminPlugin;
const options: GuardminPlugin.Options = { test: /\.js$/, exclude: [/vendor/], mangle: false, sourceMap: true };
const config: Configuration = {
  optimization: { minimizer: [new GuardminPlugin(options), new Named(), '...', new GuardminPlugin({ minify: 'repair' })] },
};
export = config;

import guardmin, { guardmin as named, type GuardminViteOptions } from 'guardmin/vite';
import type { Plugin, UserConfig } from 'vite';
const options: GuardminViteOptions = { comments: 'license', ignoreRules: ['undeclared-void-compare'], define: { DEBUG: 'false' }, worker: true };
const p: Plugin = guardmin(options);
const config: UserConfig = { plugins: [p, named(), guardmin({ minify: 'repair', sourceMap: true })] };
export default config;

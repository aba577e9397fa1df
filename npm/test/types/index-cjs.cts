import pkg = require('guardmin');
export const bin: string = pkg.resolveBinary({ env: {} });
export const plugin = new pkg.GuardminPlugin({ ignoreRules: ['guard-lost'] });
export const esbuildPlugin = pkg.esbuild({ comments: 'license' });

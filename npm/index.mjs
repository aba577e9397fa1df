// ESM entry: the implementation is the CommonJS in lib/ (one copy of the client whichever way
// the package is loaded).
import lib from './lib/index.cjs';

export const { guardmin, vite, GuardminPlugin, esbuild, resolveBinary, BatchClient, GuardminError, RULES } = lib;

import guardmin = require('guardmin/vite');
import type { Plugin } from 'vite';
export const plugins: Plugin[] = [guardmin(), guardmin.guardmin({ mangle: false }), guardmin.default()];

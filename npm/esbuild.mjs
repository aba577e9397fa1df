// guardmin/esbuild (ESM). The implementation is lib/esbuild.cjs.
import guardmin from './lib/esbuild.cjs';

export { guardmin };
export default guardmin;

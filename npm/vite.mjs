// guardmin/vite (ESM). The implementation is lib/vite.cjs.
import guardmin from './lib/vite.cjs';

export { guardmin };
export default guardmin;

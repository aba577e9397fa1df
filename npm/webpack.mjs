// guardmin/webpack (ESM). The implementation is lib/webpack.cjs.
import GuardminPlugin from './lib/webpack.cjs';

export { GuardminPlugin };
export default GuardminPlugin;

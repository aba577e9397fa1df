import Module from '../nm/manifold-3d/manifold.js';

try {
  const wasm = await Module();
  wasm.setup();
  const { Manifold } = wasm;
  const cube = Manifold.cube([2, 2, 2], true);
  const hole = Manifold.cube([1, 1, 1], true);
  const diff = cube.subtract(hole);
  const result = [cube.volume(), Math.round(cube.surfaceArea()), Math.abs(diff.volume() - 7) < 1e-9];
  cube.delete(); hole.delete(); diff.delete();
  postMessage({ result });
} catch (e) {
  postMessage({ error: String(e && e.stack || e) });
}

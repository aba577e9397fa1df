// @jsquash/avif picks its threaded encoder (avif_enc_mt.js, Emscripten pthreads, ES6 module)
// when wasm-feature-detect says threads work; its pthread workers are
// new Worker(new URL('avif_enc_mt.worker.js', import.meta.url)), which import the glue by URL.
import encode from '../nm/@jsquash/avif/encode.js';

realReport(async () => {
  const w = 32, h = 32;
  const px = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) { px[4 * i] = (i * 7) & 255; px[4 * i + 1] = (i * 3) & 255; px[4 * i + 2] = 128; px[4 * i + 3] = 255; }
  const buf = await encode(new ImageData(px, w, h), { speed: 10, quality: 50 });
  const bytes = new Uint8Array(buf);
  const brand = String.fromCharCode(...bytes.slice(4, 12));
  return { result: brand, expected: 'ftypavif', bytes: bytes.length, isolated: self.crossOriginIsolated };
}, 60000);

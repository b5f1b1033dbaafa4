import { rng } from '../src/random/rng.js';
import type { SyntheticData } from '../src/config/types.js';
import { rowArray } from '../src/data/rows.js';

/** The generator before issue 17 (one stream, Box–Muller on pure-rand's xoroshiro128+), kept only so that `npm run bench` compares against it. Generated rows: x ~ N(0, 1) per feature, y = relu(w·x + b) + noise·N(0, 1). */
export function syntheticRowsBefore(spec: SyntheticData, seed: number): { x: Float64Array; y: Float64Array; rows: number } {
  const d = spec.weights.length;
  const n = spec.samples;
  const r = rng(spec.seed ?? seed, 'synthetic');
  const x = rowArray(n * d);
  const y = rowArray(n);
  for (let i = 0; i < n; i++) {
    let z = spec.bias;
    for (let j = 0; j < d; j++) {
      const v = r.normal();
      x[i * d + j] = v;
      z += spec.weights[j] * v;
    }
    y[i] = Math.max(0, z) + (spec.noise > 0 ? spec.noise * r.normal() : 0);
  }
  return { x, y, rows: n };
}

import { describe, expect, it } from 'vitest';
import { syntheticRows } from '../../src/data/synthetic.js';

describe('synthetic rows', () => {
  const spec = { samples: 50_000, weights: [1, -2, 0.5, 3, 1, 0, 0.25], bias: 0.2, noise: 0.1 };
  const d = spec.weights.length;

  it('follow the seed: another seed gives other rows, and spec.seed wins over the run seed', () => {
    const a = syntheticRows(spec, 1);
    expect(syntheticRows(spec, 2).x[0]).not.toBe(a.x[0]);
    expect(Array.from(syntheticRows({ ...spec, seed: 1 }, 99).x.subarray(0, 50))).toEqual(Array.from(a.x.subarray(0, 50)));
  });

  it('have standard normal features and y = relu(w·x + b) + noise', () => {
    const { x, y, rows } = syntheticRows({ ...spec, noise: 0 }, 7);
    let sum = 0;
    let squares = 0;
    let beyond2 = 0;
    let beyond35 = 0;
    for (const v of x) {
      sum += v;
      squares += v * v;
      if (Math.abs(v) > 2) beyond2++;
      if (Math.abs(v) > 3.5) beyond35++;
    }
    const m = x.length;
    expect(Math.abs(sum / m)).toBeLessThan(5 / Math.sqrt(m));
    expect(Math.abs(squares / m - 1)).toBeLessThan(0.01);
    expect(Math.abs(beyond2 / m - 0.0455)).toBeLessThan(0.002); // P(|Z| > 2)
    expect(beyond35).toBeGreaterThan(0); // the tail is reached (P(|Z| > 3.5) ≈ 4.7e-4)
    for (const i of [0, 1, rows - 1]) {
      let z = spec.bias;
      for (let j = 0; j < d; j++) z += spec.weights[j] * x[i * d + j];
      expect(y[i]).toBe(Math.max(0, z));
    }
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { rowArray } from '../../src/data/rows.js';
import { generatedKernel, UNROLL_LIMIT } from '../../src/neuron/kernel.js';
import { ParallelKernel } from '../../src/neuron/parallel.js';
import { fusedPass, passSums } from '../../src/neuron/pass.js';
import { rng } from '../../src/random/rng.js';

function problem(n: number, d: number, seed: number) {
  const r = rng(seed, 'synthetic');
  const x = rowArray(n * d);
  const y = rowArray(n);
  for (let k = 0; k < x.length; k++) x[k] = r.normal();
  for (let i = 0; i < n; i++) y[i] = r.normal() + 0.5;
  const w = Float64Array.from({ length: d }, () => 0.3 * r.normal());
  return { x, y, w, b: 0.2 };
}

describe('generated kernel', () => {
  for (const d of [1, 3, 16, UNROLL_LIMIT, UNROLL_LIMIT + 1, 100]) {
    it(`is bit-identical to the reference pass for d = ${d}`, () => {
      const { x, y, w, b } = problem(3000, d, d);
      const reference = passSums(d);
      const generated = passSums(d);
      fusedPass(x, y, d, 17, 2900, w, b, reference);
      generatedKernel(d)(x, y, d, 17, 2900, w, b, generated);
      expect(Array.from(generated)).toEqual(Array.from(reference));
    });
  }
});

describe('parallel kernel', () => {
  const pools: ParallelKernel[] = [];
  afterAll(() => pools.forEach((p) => p.close()));

  for (const [d, threads] of [
    [16, 2],
    [5, 3],
    [70, 2],
  ]) {
    it(`agrees with the reference to 1e-12 and is deterministic (d = ${d}, ${threads} threads)`, () => {
      const n = 20_000;
      const { x, y, w, b } = problem(n, d, 40 + d);
      const pool = new ParallelKernel(x, y, d, threads);
      pools.push(pool);
      const reference = passSums(d);
      fusedPass(x, y, d, 3, n, w, b, reference);
      const first = passSums(d);
      const second = passSums(d);
      pool.pass(x, y, d, 3, n, w, b, first);
      pool.pass(x, y, d, 3, n, w, b, second);
      expect(Array.from(second)).toEqual(Array.from(first));
      for (let k = 0; k < reference.length; k++) {
        expect(Math.abs(first[k] - reference[k])).toBeLessThanOrEqual(1e-12 * Math.abs(reference[k]));
      }
    });
  }

  it('uses one thread for rows it was not built on', () => {
    const a = problem(500, 4, 1);
    const other = problem(500, 4, 2);
    const pool = new ParallelKernel(a.x, a.y, 4, 2);
    pools.push(pool);
    const expected = passSums(4);
    const got = passSums(4);
    fusedPass(other.x, other.y, 4, 0, 500, other.w, 0.1, expected);
    pool.pass(other.x, other.y, 4, 0, 500, other.w, 0.1, got);
    expect(Array.from(got)).toEqual(Array.from(expected));
  });
});

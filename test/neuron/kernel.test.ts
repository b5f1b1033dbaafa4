import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { rowArray } from '../../src/data/rows.js';
import { generatedKernel, UNROLL_LIMIT } from '../../src/neuron/kernel.js';
import { ParallelKernel } from '../../src/neuron/parallel.js';
import { fusedPass, passSums } from '../../src/neuron/pass.js';
import { rng } from '../../src/random/rng.js';
// @ts-expect-error: a build script in plain JavaScript, without type declarations
import { assembleKernel, moduleSource } from '../../scripts/build-wasm.mjs';

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

describe('SIMD and threaded kernels', () => {
  const pools: ParallelKernel[] = [];
  afterAll(() => pools.forEach((p) => p.close()));

  for (const simd of [true, false]) {
    for (const [d, threads] of [
      [16, 1],
      [16, 2],
      [5, 3],
      [1, 2],
      [70, 2],
    ]) {
      it(`${simd ? 'SIMD' : 'JavaScript'}, d = ${d}, ${threads} thread(s): agrees with the reference to 1e-12 and is deterministic`, () => {
        const n = 20_000;
        const { x, y, w, b } = problem(n, d, 40 + d);
        const pool = new ParallelKernel(x, y, d, threads, simd);
        pools.push(pool);
        expect(pool.mode).toBe(simd ? 'simd' : 'js');
        expect(pool.threads).toBe(threads);
        const reference = passSums(d);
        fusedPass(x, y, d, 3, n, w, b, reference);
        const first = passSums(d);
        const second = passSums(d);
        pool.pass(x, y, d, 3, n, w, b, first);
        pool.pass(x, y, d, 3, n, w, b, second);
        expect(Array.from(second)).toEqual(Array.from(first));
        expect(first[1]).toBe(reference[1]); // the active count is exact
        for (let k = 0; k < reference.length; k++) {
          expect(Math.abs(first[k] - reference[k])).toBeLessThanOrEqual(1e-12 * Math.abs(reference[k]));
        }
      });
    }
  }

  it('treats z = 0 as inactive, like the reference', () => {
    const x = rowArray(8);
    const y = rowArray(2);
    x.set([1, 1, 1, 1, 2, 2, 2, 2]);
    y.set([3, 4]);
    const pool = new ParallelKernel(x, y, 4, 1, true);
    pools.push(pool);
    const sums = passSums(4);
    pool.pass(x, y, 4, 0, 2, Float64Array.from([0.25, 0.25, 0.25, 0.25]), -1, sums); // z = 0 and z = 1
    expect(Array.from(sums)).toEqual([9 + (1 - 4) ** 2, 1, -3, -6, -6, -6, -6]);
  });

  it('runs the generated pass on one thread for rows outside the arena', () => {
    const a = problem(500, 4, 1);
    const arena = problem(500, 4, 2);
    const other = { x: Float64Array.from(arena.x), y: Float64Array.from(arena.y), w: arena.w };
    const pool = new ParallelKernel(a.x, a.y, 4, 2);
    pools.push(pool);
    const expected = passSums(4);
    const got = passSums(4);
    fusedPass(other.x, other.y, 4, 0, 500, other.w, 0.1, expected);
    pool.pass(other.x, other.y, 4, 0, 500, other.w, 0.1, got);
    expect(Array.from(got)).toEqual(Array.from(expected));
  });

  it('runs the WebAssembly assembled from kernel.wat as committed', async () => {
    const committed = readFileSync(new URL('../../src/neuron/kernel-wasm.ts', import.meta.url), 'utf8');
    expect(committed).toBe(moduleSource(await assembleKernel()));
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { rowArray } from '../../src/data/rows.js';
import { arenaArray } from '../../src/memory/arena.js';
import { ActiveSums } from '../../src/neuron/active-sums.js';
import { ParallelKernel } from '../../src/neuron/parallel.js';
import { ACTIVE, DW, passSums } from '../../src/neuron/pass.js';
import { BlockedRefresh, BUCKETS, countBuckets, placeRows, refreshSides, STRIDE, testPlaces } from '../../src/neuron/screen-rows.js';
import { zSimd } from '../../src/neuron/z-order.js';
import { rng } from '../../src/random/rng.js';

// The screened engine's WebAssembly (kernel.wat `refresh`, `place`, `test`) against the plain
// JavaScript of src/neuron/screen-rows.ts, which stays the reference (and the path for rows
// outside the arena or without SIMD).

const pools: ParallelKernel[] = [];
afterAll(() => pools.forEach((p) => p.close()));

/** Rows in the arena; some rows of zeros (z = b exactly) and some repeated, so sides tie and cancel. */
function problem(n: number, d: number, seed: number) {
  const r = rng(seed, 'synthetic');
  const x = rowArray(n * d);
  const y = rowArray(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = i % 97 === 0 ? 0 : r.normal() * (1 + (j % 3));
    y[i] = r.normal() + 0.5;
  }
  const w = Float64Array.from({ length: d }, () => 0.3 * r.normal());
  return { x, y, w, r };
}

interface Refreshed {
  G: Float64Array;
  errG: number;
  side: Uint8Array;
  keys: Float32Array;
  out: Float64Array;
  nxMax: number;
}

/** The JavaScript refresh (the reference), at θ0 building G, then at θ1 updating it. */
function reference(x: Float64Array, y: Float64Array, n: number, d: number, steps: [Float64Array, number][]): Refreshed[] {
  const sums = new ActiveSums(d, y, n);
  const side = new Uint8Array(n);
  const keys = new Float32Array(n);
  return steps.map(([w, b], k) => {
    const out = passSums(d);
    const nxMax = refreshSides(x, y, n, d, w, b, zSimd, side, keys, sums, k === 0, new Float64Array(d), out);
    return { G: sums.G.slice(), errG: sums.errG, side: side.slice(), keys: keys.slice(), out, nxMax };
  });
}

function blocked(pool: ParallelKernel, x: Float64Array, y: Float64Array, n: number, d: number, steps: [Float64Array, number][]): Refreshed[] {
  const refresh = new BlockedRefresh(pool, n, d);
  const sums = new ActiveSums(d, y, n);
  const side = arenaArray(Uint8Array, n);
  const keys = arenaArray(Float32Array, n);
  return steps.map(([w, b], k) => {
    const out = passSums(d);
    const nxMax = refresh.run(x, y, w, b, side, keys, sums, k === 0, out);
    expect(nxMax).not.toBe(false);
    return { G: sums.G.slice(), errG: sums.errG, side: side.slice(), keys: keys.slice(), out, nxMax: nxMax as number };
  });
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]));
  return m;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

describe('the WebAssembly refresh', () => {
  for (const [n, d] of [
    [50_000, 16],
    [30_001, 7],
    [9_000, 4],
    [5_000, 5],
  ]) {
    it(`n = ${n}, d = ${d}: G, the pass's sums, sides and t keys agree with the JavaScript refresh; any thread count gives the same bits`, () => {
      const { x, y, w, r } = problem(n, d, n + d);
      const w1 = w.map((v) => v + 0.05 * r.normal());
      const steps: [Float64Array, number][] = [
        [w, 0.1],
        [w1, 0.05],
      ];
      const expected = reference(x, y, n, d, steps);
      const byThreads = [1, 2, 3].map((threads) => {
        const pool = new ParallelKernel(x, y, d, threads, true);
        pools.push(pool);
        expect(pool.mode).toBe('simd');
        return blocked(pool, x, y, n, d, steps);
      });
      for (const [k, e] of expected.entries()) {
        const a = byThreads[0][k];
        // Sides in the pass's order of z: exactly those of the reference.
        expect(Array.from(a.side)).toEqual(Array.from(e.side));
        expect(a.out[ACTIVE]).toBe(e.out[ACTIVE]);
        // G (built at θ0, then updated by the rows that changed side at θ1) and the sums to 1e-12.
        expect(maxDiff(a.G, e.G)).toBeLessThanOrEqual(1e-12 * maxAbs(e.G));
        expect(Math.abs(a.errG - e.errG)).toBeLessThanOrEqual(1e-12 * e.errG);
        for (let q = 0; q < DW + d; q++) {
          if (q !== ACTIVE) expect(Math.abs(a.out[q] - e.out[q]), `sum ${q}`).toBeLessThanOrEqual(1e-12 * (Math.abs(e.out[0]) + 1));
        }
        expect(Math.abs(a.nxMax - e.nxMax)).toBeLessThanOrEqual(1e-14 * e.nxMax);
        // t keys: ‖x̃‖² added in another order, so at most one float32 step apart.
        let keysApart = 0;
        for (let i = 0; i < n; i++) if (Math.abs(a.keys[i] - e.keys[i]) > 2 ** -22 * e.keys[i]) keysApart++;
        expect(keysApart).toBe(0);
        if (k === 1) expect(a.errG).toBeGreaterThan(0); // some rows changed side
        for (const other of byThreads.slice(1)) {
          const o = other[k];
          expect(Array.from(o.G)).toEqual(Array.from(a.G));
          expect(Array.from(o.out)).toEqual(Array.from(a.out));
          expect(Array.from(o.keys)).toEqual(Array.from(a.keys));
          expect(Array.from(o.side)).toEqual(Array.from(a.side));
          expect(o.nxMax).toBe(a.nxMax);
          expect(o.errG).toBe(a.errG);
        }
      }
    });
  }
});

describe('the WebAssembly placement and fine test', () => {
  for (const [n, d, threads] of [
    [40_000, 16, 2],
    [20_001, 7, 3],
    [10_000, 6, 1],
  ]) {
    it(`n = ${n}, d = ${d}, ${threads} thread(s): the same places as placeRows, bounds within float32 rounding; the same queue as testPlaces`, () => {
      const { x, y, w, r } = problem(n, d, 7 * n + d);
      const b = 0.1;
      const pool = new ParallelKernel(x, y, d, threads, true);
      pools.push(pool);
      const refresh = new BlockedRefresh(pool, n, d);
      const sums = new ActiveSums(d, y, n);
      const side = arenaArray(Uint8Array, n);
      const keys = arenaArray(Float32Array, n);
      refresh.run(x, y, w, b, side, keys, sums, true, passSums(d));
      const keyBits = new Uint32Array(keys.buffer, keys.byteOffset, n);
      // About half the rows kept, as the engine keeps them.
      const ends = new Int32Array(BUCKETS);
      refresh.countBuckets(keyBits, ends);
      const counted = new Int32Array(BUCKETS);
      countBuckets(keyBits, 0, n, counted);
      expect(Array.from(ends)).toEqual(Array.from(counted));
      let cap = -1;
      let places = 0;
      while (places + ends[cap + 1] <= n / 2) places += ends[++cap];
      const first = new Int32Array(cap + 1);
      for (let k = 1; k <= cap; k++) first[k] = first[k - 1] + ends[k - 1];
      const size = d + 1;
      const basis = rowArray(3 * size);
      for (let k = 0; k < basis.length; k++) basis[k] = r.normal() / Math.sqrt(size);
      const order = arenaArray(Uint32Array, places);
      const bounds = arenaArray(Float32Array, places * STRIDE);
      const member = arenaArray(Uint8Array, places);
      expect(refresh.place(x, y, w, b, keys, cap, first, order, bounds, member, side, basis)).toBe(true);
      const jsOrder = new Uint32Array(places);
      const jsBounds = new Float32Array(places * STRIDE);
      const jsMember = new Uint8Array(places);
      placeRows(x, n, d, w, b, zSimd, keyBits, cap, first.slice(), jsOrder, jsBounds, jsMember, side, basis);
      expect(places).toBeGreaterThan(n / 4);
      expect(Array.from(order)).toEqual(Array.from(jsOrder));
      expect(Array.from(member)).toEqual(Array.from(jsMember));
      let zApart = 0;
      let boundsApart = 0;
      for (let k = 0; k < places; k++) {
        const i = order[k];
        let nx = 1;
        for (let j = 0; j < d; j++) nx += x[i * d + j] ** 2;
        const o = k * STRIDE;
        if (bounds[o] !== jsBounds[o]) zApart++; // z in the pass's order, then float32
        for (let q = 1; q < STRIDE; q++) if (Math.abs(bounds[o + q] - jsBounds[o + q]) > 1e-6 * Math.sqrt(nx)) boundsApart++;
      }
      expect(zApart).toBe(0);
      expect(boundsApart).toBe(0);
      // The fine test: the same queue, for a drift that makes candidates, flips and certain rows.
      const pending = arenaArray(Int32Array, places);
      const jsPending = new Int32Array(places);
      for (const [a1, a2, a3, beta] of [
        [0.01, -0.02, 0.03, 0.01],
        [0.5, 0.3, -0.4, 0.001],
        [0, 0, 0, 0],
      ]) {
        const queued = refresh.testPlaces(bounds, member, pending, 3, places, a1, a2, a3, beta, 1e-9);
        const jsQueued = testPlaces(bounds, member, jsPending, 3, places, a1, a2, a3, beta, 1e-9);
        expect(queued).toBe(jsQueued);
        expect(Array.from(pending.subarray(0, queued))).toEqual(Array.from(jsPending.subarray(0, jsQueued)));
      }
    });
  }
});

describe('arrays outside the arena', () => {
  it('are not handed to the WebAssembly (it addresses the arena by byte offset): the engine refreshes in JavaScript instead', () => {
    const { x, y } = problem(100, 4, 1);
    const pool = new ParallelKernel(x, y, 4, 1, true);
    pools.push(pool);
    const refresh = new BlockedRefresh(pool, 100, 4);
    expect(refresh.holds(arenaArray(Float32Array, 8), arenaArray(Uint8Array, 8))).toBe(true);
    // What rowArray hands out once the arena is full: a plain shared buffer.
    expect(refresh.holds(arenaArray(Float32Array, 8), new Uint8Array(new SharedArrayBuffer(8)))).toBe(false);
    // Rows outside the arena: the pool declines, and nothing was written.
    const plainX = new Float64Array(new SharedArrayBuffer(400 * 8));
    const plainY = new Float64Array(new SharedArrayBuffer(100 * 8));
    const side = arenaArray(Uint8Array, 100);
    expect(refresh.run(plainX, plainY, new Float64Array(4), 0.5, side, arenaArray(Float32Array, 100), new ActiveSums(4, plainY, 100), true, passSums(4))).toBe(
      false,
    );
    expect(side.every((v) => v === 0)).toBe(true);
  });
});

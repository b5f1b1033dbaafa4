import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations
import { assemble, moduleSource, WASM_MODULES } from '../../scripts/build-wasm.mjs';
import type { Rows } from '../../src/data/dataset.js';
import { rowArray } from '../../src/data/rows.js';
import { type Batch, bucketsFor, HELPER_MIN_CELLS, MAX_BUCKETS, ShuffledBatches, TwoLevelPermutation } from '../../src/random/permutation.js';
import { ScatterThread } from '../../src/random/moves.js';
import { generator } from '../../src/random/rng.js';

/** The index of a permutation of 0..n−1 among all n! (Lehmer code), to count how often each comes. */
function rank(order: Uint32Array): number {
  let r = 0;
  for (let k = 0; k < order.length; k++) {
    let smaller = 0;
    for (let q = k + 1; q < order.length; q++) if (order[q] < order[k]) smaller++;
    r = r * (order.length - k) + smaller;
  }
  return r;
}

/** Pearson's chi-square of observed counts against equal expected counts. */
function chiSquare(counts: number[]): number {
  const expected = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

function isPermutation(order: Uint32Array, n: number): boolean {
  const seen = new Uint8Array(n);
  for (const i of order) {
    if (i >= n || seen[i]) return false;
    seen[i] = 1;
  }
  return order.length === n;
}

/** Rows whose every value names its row and column, so a moved row shows where it came from. */
function labelledRows(n: number, d: number, inArena: boolean): Rows {
  const x = inArena ? rowArray(n * d) : new Float64Array(n * d);
  const y = inArena ? rowArray(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = -1 - i;
    for (let j = 0; j < d; j++) x[i * d + j] = i + j / (d + 1);
  }
  return { x, y, n };
}

describe('the two-level permutation', () => {
  // p = 1e-6 critical values of chi-square: a fair permutation fails with probability 1e-6 for a
  // seed, while a biased one (a Fisher–Yates drawing j from the whole range, buckets kept in row
  // order) is far above them at these sample sizes.
  const CRITICAL = { 23: 70.55, 119: 207.2 } as const;

  for (const [n, m] of [
    [4, 1],
    [4, 2],
    [4, 3],
    [4, MAX_BUCKETS],
    [5, 2],
    [5, 7],
  ] as const) {
    it(`is uniform over all ${n}! orders of ${n} rows in ${m} bucket(s)`, () => {
      const permutations = n === 4 ? 24 : 120;
      const counts = new Array<number>(permutations).fill(0);
      const p = new TwoLevelPermutation(n, m);
      const gen = xoroshiro128plus(1000 * n + m);
      for (let s = 0; s < permutations * 400; s++) counts[rank(p.draw(gen).order())]++;
      expect(counts.every((c) => c > 0)).toBe(true);
      expect(chiSquare(counts)).toBeLessThan(CRITICAL[(permutations - 1) as 23 | 119]);
    });
  }

  it('puts each row in a uniformly chosen bucket', () => {
    const m = 8;
    const p = new TwoLevelPermutation(80_000, m).draw(xoroshiro128plus(3));
    const counts = Array.from({ length: m }, (_, b) => p.starts[b + 1] - p.starts[b]);
    expect(chiSquare(counts)).toBeLessThan(40.52); // 7 degrees of freedom, p = 1e-6
    expect(p.starts[m]).toBe(80_000);
  });

  it('gives every row exactly once, for any n and number of buckets (n < m and n = 1 too)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: MAX_BUCKETS }), fc.integer(), (n, m, seed) => {
        const p = new TwoLevelPermutation(n, m).draw(xoroshiro128plus(seed));
        expect(isPermutation(p.order(), n)).toBe(true);
        for (let b = 0; b < m; b++) {
          const count = p.starts[b + 1] - p.starts[b];
          expect(isPermutation(p.within.slice(p.starts[b], p.starts[b + 1]), count)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('is a function of the generator state: the same seed gives the same order', () => {
    const a = new TwoLevelPermutation(5000, 17).draw(generator(7, 'shuffle')).order();
    const b = new TwoLevelPermutation(5000, 17).draw(generator(7, 'shuffle')).order();
    const c = new TwoLevelPermutation(5000, 17).draw(generator(8, 'shuffle')).order();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('rejects a bucket count outside 1..256', () => {
    expect(() => new TwoLevelPermutation(10, 0)).toThrow(RangeError);
    expect(() => new TwoLevelPermutation(10, MAX_BUCKETS + 1)).toThrow(RangeError);
  });

  it('uses one bucket for small row sets and at most 256, each about 256 KiB of rows', () => {
    expect(bucketsFor(1, 3)).toBe(1);
    expect(bucketsFor(1000, 16)).toBe(1);
    expect(bucketsFor(100_000, 16)).toBe(Math.ceil((100_000 * 17 * 8) / 262_144));
    expect(bucketsFor(1_000_000, 16)).toBe(MAX_BUCKETS);
  });
});

describe('shuffled batches: the rows moved by the permutation', () => {
  /** The epoch's batches, concatenated, with each batch's length. */
  function collect(batches: Iterable<Batch>, d: number): { x: number[]; y: number[]; sizes: number[] } {
    const out = { x: [] as number[], y: [] as number[], sizes: [] as number[] };
    for (const { x, y, start, end } of batches) {
      out.x.push(...x.subarray(start * d, end * d));
      out.y.push(...y.subarray(start, end));
      out.sizes.push(end - start);
    }
    return out;
  }

  for (const inArena of [true, false]) {
    it(`hand out x[order[k]] and y[order[k]] in batches of the size asked (${inArena ? 'rows in the arena: WebAssembly' : 'rows outside it: JavaScript'})`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2500 }),
          fc.integer({ min: 1, max: 64 }),
          fc.constantFrom(1, 2, 3, 5, 16),
          fc.integer({ min: 1, max: 700 }),
          fc.integer(),
          (n, m, d, size, seed) => {
            const from = labelledRows(n, d, inArena);
            const got = collect(new ShuffledBatches(from, d, xoroshiro128plus(seed), { buckets: m }).epoch(size), d);
            const order = new TwoLevelPermutation(n, m).draw(xoroshiro128plus(seed)).order();
            const sizes = Array.from({ length: Math.ceil(n / size) }, (_, k) => Math.min(size, n - k * size));
            expect(got.sizes).toEqual(sizes);
            expect(got.y).toEqual(Array.from(order, (i) => from.y[i]));
            expect(got.x).toEqual(Array.from(order).flatMap((i) => Array.from(from.x.subarray(i * d, (i + 1) * d))));
          },
        ),
        { numRuns: inArena ? 40 : 25 },
      );
    });
  }

  it('give each epoch a new order of the same rows, drawn from one stream', () => {
    const n = 3000;
    const d = 4;
    const from = labelledRows(n, d, true);
    const shuffled = new ShuffledBatches(from, d, generator(11, 'shuffle'));
    const reference = new TwoLevelPermutation(n, bucketsFor(n, d));
    const gen = generator(11, 'shuffle');
    let previous: number[] = [];
    for (let e = 0; e < 3; e++) {
      const got = collect(shuffled.epoch(128), d).y.map((v) => -1 - v);
      expect(got).toEqual(Array.from(reference.draw(gen).order()));
      expect(got).not.toEqual(previous);
      previous = got;
    }
  });

  it('with a helper thread give the same epochs, also after an epoch left half read', () => {
    const d = 16;
    const n = Math.ceil(HELPER_MIN_CELLS / (d + 1)) + 1001;
    const from = labelledRows(n, d, true);
    const helped = new ShuffledBatches(from, d, generator(3, 'shuffle'), { helper: true });
    const alone = new ShuffledBatches(from, d, generator(3, 'shuffle'));
    expect([helped.helped, alone.helped]).toEqual([true, false]);
    const reference = new TwoLevelPermutation(n, bucketsFor(n, d));
    const gen = generator(3, 'shuffle');
    for (let e = 0; e < 4; e++) {
      const order = reference.draw(gen).order();
      for (const shuffled of [helped, alone]) {
        let k = 0;
        let wrong = 0;
        for (const { x, y, start, end } of shuffled.epoch(5000)) {
          for (let r = start; r < end; r++, k++) {
            if (y[r] !== from.y[order[k]]) wrong++;
            for (let j = 0; j < d; j++) if (x[r * d + j] !== from.x[order[k] * d + j]) wrong++;
          }
          if (e === 1 && k >= 10_000) break; // a run that stops mid-epoch (divergence) leaves the rest unread
        }
        expect(wrong).toBe(0);
        expect(k).toBe(e === 1 ? 10_000 : n);
      }
    }
    helped.close();
  });

  it("report a helper's failed scatter instead of waiting for it forever", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    const helper = ScatterThread.start(memory)!;
    expect(helper).not.toBeNull();
    const page = 65536;
    helper.scatter(0, 0, 16, 1000, 0, 0, 4 * page, 4 * page); // writes past the memory's end: a trap
    expect(helper.wait()).toBe(false);
    helper.scatter(0, 64, 1, 1, 128, 192, 256, 320); // one row of one feature, all in bounds
    expect(helper.wait()).toBe(true);
    helper.close();
  });

  it('use no helper for rows outside the arena or too few of them', () => {
    const d = 16;
    const few = new ShuffledBatches(labelledRows(1000, d, true), d, generator(3, 'shuffle'), { helper: true });
    const outside = new ShuffledBatches(labelledRows(Math.ceil(HELPER_MIN_CELLS / (d + 1)), d, false), d, generator(3, 'shuffle'), { helper: true });
    expect([few.helped, outside.helped]).toEqual([false, false]);
  });

  it('runs the WebAssembly assembled from permute.wat as committed', async () => {
    const spec = (WASM_MODULES as { wat: string; out: string; name: string }[]).find((m) => m.wat.endsWith('permute.wat'))!;
    const committed = readFileSync(new URL(`../../${spec.out}`, import.meta.url), 'utf8');
    expect(committed).toBe(moduleSource(await assemble(spec.wat), spec));
  });
});

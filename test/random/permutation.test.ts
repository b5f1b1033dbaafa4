import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a build script in plain JavaScript, without type declarations
import { assemble, moduleSource, WASM_MODULES } from '../../scripts/build-wasm.mjs';
import type { Rows } from '../../src/data/dataset.js';
import { rowArray } from '../../src/data/rows.js';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import {
  below,
  type Batch,
  bucketsFor,
  EXACT_RANGE,
  HELPER_MIN_CELLS,
  MAX_BUCKETS,
  ShuffledBatches,
  TwoLevelPermutation,
} from '../../src/random/permutation.js';
import { arenaArray } from '../../src/memory/arena.js';
import { MoveThread, type MoveJob, wasmMoves } from '../../src/random/moves.js';
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
    [4, 4],
    [4, MAX_BUCKETS],
    [5, 2],
    [5, 8],
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
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 12 }), fc.integer(), (n, bits, seed) => {
        const m = 2 ** bits;
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
    const a = new TwoLevelPermutation(5000, 16).draw(generator(7, 'shuffle')).order();
    const b = new TwoLevelPermutation(5000, 16).draw(generator(7, 'shuffle')).order();
    const c = new TwoLevelPermutation(5000, 16).draw(generator(8, 'shuffle')).order();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('draws the same in WebAssembly as in JavaScript, from the same state to the same state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.integer({ min: 0, max: 12 }), fc.integer(), (n, bits, seed) => {
        const gen = xoroshiro128plus(seed);
        const reference = new TwoLevelPermutation(n, 2 ** bits).draw(gen);
        const state = arenaArray(Int32Array, 4);
        state.set(xoroshiro128plus(seed).getState());
        const p = new TwoLevelPermutation(n, 2 ** bits);
        const moves = wasmMoves(p.memory(state)!);
        expect(moves).not.toBeNull();
        p.drawFrom(state, moves);
        expect(Array.from(p.bucketOf)).toEqual(Array.from(reference.bucketOf));
        expect(Array.from(p.starts)).toEqual(Array.from(reference.starts));
        expect(Array.from(p.within)).toEqual(Array.from(reference.within));
        expect(Array.from(state)).toEqual(gen.getState());
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a bucket count that is not a power of two in 1..4096', () => {
    expect(() => new TwoLevelPermutation(10, 0)).toThrow(RangeError);
    expect(() => new TwoLevelPermutation(10, 3)).toThrow(RangeError);
    expect(() => new TwoLevelPermutation(10, 2 * MAX_BUCKETS)).toThrow(RangeError);
  });

  it('uses one bucket for small row sets and at most 4096, each at most about 256 KiB of rows, a power of two', () => {
    expect(MAX_BUCKETS).toBe(4096);
    expect(bucketsFor(1, 3)).toBe(1);
    expect(bucketsFor(1000, 16)).toBe(1);
    // 100,000 × 17 doubles are 51.9 buckets of 256 KiB: the next power of two
    expect(bucketsFor(100_000, 16)).toBe(64);
    expect(bucketsFor(1_000_000, 16)).toBe(1024);
    expect(bucketsFor(100_000_000, 16)).toBe(MAX_BUCKETS);
  });

  it("takes each row's bucket from the generator's high 28 bits, log2(m) bits a row", () => {
    // Scripted outputs: 0x12345678 gives the 4-bit digits 1..7 (its low nibble unused), then 0x9abcdef0 gives 9..f.
    const words = [0x12345678, 0x9abcdef0 | 0];
    const scripted = { next: () => words.shift() ?? 0 };
    const p = new TwoLevelPermutation(14, 16).draw(scripted as unknown as RandomGenerator);
    expect(Array.from(p.bucketOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15]);
    // 256 buckets: three rows a draw
    const three = [0xfe01c2a0 | 0];
    const q = new TwoLevelPermutation(3, 256).draw({ next: () => three.shift() ?? 0 } as unknown as RandomGenerator);
    expect(Array.from(q.bucketOf)).toEqual([0xfe, 0x01, 0xc2]);
    // 4096 buckets: two rows a draw, 12 bits each
    const two = [0xfe01c2a0 | 0, 0x12345678];
    const r = new TwoLevelPermutation(3, MAX_BUCKETS).draw({ next: () => two.shift() ?? 0 } as unknown as RandomGenerator);
    expect(Array.from(r.bucketOf)).toEqual([0xfe0, 0x1c2, 0x123]);
  });
});

describe('below(r): a uniform integer in [0, r) from 32-bit outputs', () => {
  const TWO_32 = 2n ** 32n;
  /** below() fed the output v (then an output it always accepts): its value and how many outputs it took. */
  function fed(v: bigint, r: number): { value: number; outputs: number } {
    const words = [Number(BigInt.asIntN(32, v)), -1]; // -1 is 2^32 − 1: v·r's low part 2^32 − r ≥ 2^32 mod r
    let outputs = 0;
    const next = (): number => {
      if (outputs++ === words.length) throw new Error(`below(${r}) rejected an output it must accept`);
      return words[outputs - 1];
    };
    const value = below({ next }, r);
    return { value, outputs };
  }

  for (const r of [1, 2, 3, 5, 7, 1000, 6007, 1_048_573, EXACT_RANGE - 1, EXACT_RANGE, EXACT_RANGE + 1, 3 * 2 ** 30 + 7, 2 ** 32 - 1, 2 ** 32]) {
    it(`gives each j in [0, ${r}) to exactly ⌊2^32/r⌋ outputs and rejects the rest (checked at every boundary against exact integers)`, () => {
      const R = BigInt(r);
      const t = TWO_32 % R; // the outputs rejected, one per over-represented j
      // v·r / 2^32 grows with v, so the outputs giving j and kept form one interval: v·r ∈ [j·2^32 + t, (j+1)·2^32).
      const first = (j: bigint) => (j * TWO_32 + t + R - 1n) / R;
      const last = (j: bigint) => ((j + 1n) * TWO_32 + R - 1n) / R - 1n;
      const expected = (v: bigint) => ((v * R) % TWO_32 >= t ? { value: Number((v * R) / TWO_32), outputs: 1 } : null);
      const js = r <= 1000 ? [...Array(r).keys()] : [0, 1, 2, Math.floor(r / 2), r - 2, r - 1];
      for (const jn of js) {
        const j = BigInt(jn);
        expect(last(j) - first(j) + 1n).toBe(TWO_32 / R);
        for (const v of [first(j) - 1n, first(j), last(j), last(j) + 1n]) {
          if (v < 0n || v >= TWO_32) continue;
          const want = expected(v);
          const got = fed(v, r);
          if (want) expect(got).toEqual(want);
          else expect(got.outputs).toBe(2); // rejected: drew again
        }
      }
    });
  }

  it('is uniform on a small range (chi-square, p = 1e-6)', () => {
    const gen = xoroshiro128plus(42);
    const counts = new Array<number>(6).fill(0);
    for (let s = 0; s < 60_000; s++) counts[below(gen, 6)]++;
    expect(chiSquare(counts)).toBeLessThan(33.11); // 5 degrees of freedom
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
          fc.integer({ min: 0, max: 6 }).map((bits) => 2 ** bits),
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

  it("report what of a helper's job failed (then left to the caller) instead of waiting for it forever", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
    const helper = MoveThread.start(memory)!;
    expect(helper).not.toBeNull();
    const page = 65536;
    const state = new Int32Array(memory.buffer, 0, 4);
    state.set([1, 2, 3, 4]);
    // one row of one feature, all in bounds: x at 64, y at 72, its bucket (0) at 128, starts at 192, cursor at 200, to 256
    const scatter = [64, 72, 1, 1, 128, 192, 1, 200, 256] as MoveJob['scatter'];
    helper.run({ scatter: [64, 72, 16, 1000, 128, 192, 1, 200, 4 * page] }); // writes past the memory's end: a trap
    expect(helper.wait()).toBe('scatter');
    helper.run({ draw: [0, 1000, 8, 4 * page, 320, 400], scatter }); // a draw that traps leaves the state as it was
    expect(helper.wait()).toBe('draw');
    expect(Array.from(state)).toEqual([1, 2, 3, 4]);
    helper.run({ draw: [0, 3, 1, 300, 320, 400], scatter });
    expect(helper.wait()).toBe('done');
    expect(Array.from(state)).not.toEqual([1, 2, 3, 4]);
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

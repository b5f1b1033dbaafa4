/**
 * The hot loops of the screened engine (src/neuron/screened.ts), each a plain function of typed
 * arrays and numbers: V8 optimises such a loop on its own, while inside the engine's methods the
 * rare paths (rank-1 updates, refreshes) made it deoptimise and run several times slower. Written
 * by hand for the same reason as the pass: these loops are the engine's whole cost.
 *
 * Per row, a refresh at θ_s keeps, for the rows nearest the kink in C–S units t_i = |z_s,i|/‖x̃_i‖,
 * sorted by t (bucketed by the float32 bits of t), in float32:
 *   [z_s,i, c_i,1, c_i,2, c_i,3, ρ⊥_i]   with c = U x̃_i and ρ⊥_i ≥ ‖x̃_i − Uᵀ c_i‖.
 */
import { arenaArray, arenaOf, rowArray } from '../memory/arena.js';
import { ActiveSums } from './active-sums.js';
import { JobWord, type ParallelKernel, type WasmTest } from './parallel.js';
import { ACTIVE, DB, DW, SSE, type PassSums } from './pass.js';

/** Float32 values per kept row: z, K = 3 coordinates, ρ⊥. */
export const STRIDE = 5;
/** Relative slack for float32 storage (2^-24) and the few roundings around it. */
export const F32_SLACK = 2 ** -20;
/** Buckets of t: the top 16 bits of a non-negative float32 (sign 0, exponent, 7 mantissa bits). */
export const BUCKETS = 1 << 15;

export type ZOf = (x: Float64Array, row: number, d: number, w: Float64Array, b: number) => number;

/**
 * Pass 1 of a refresh, over all rows: z_i in the inner kernel's order, the exact sums of the fused
 * pass (into `out`, zeroed here), each row's side (rank-1 updates of G where it changed, or G from
 * scratch when `build`), and t_i rounded down into `keys`. Returns max ‖x̃_i‖².
 */
export function refreshSides(
  x: Float64Array,
  y: Float64Array,
  n: number,
  d: number,
  w: Float64Array,
  b: number,
  zOf: ZOf,
  side: Uint8Array,
  keys: Float32Array,
  sums: ActiveSums,
  build: boolean,
  dw: Float64Array,
  out: PassSums,
): number {
  dw.fill(0);
  let sse = 0;
  let active = 0;
  let db = 0;
  let nxMax = 1;
  const down = 1 - F32_SLACK;
  for (let i = 0, row = 0; i < n; i++, row += d) {
    const z = zOf(x, row, d, w, b); // z_i = w·x_i + b
    let nx = 1;
    for (let j = 0; j < d; j++) nx += x[row + j] * x[row + j];
    if (nx > nxMax) nxMax = nx;
    keys[i] = (Math.abs(z) / Math.sqrt(nx)) * down; // ≤ t_i after float32 rounding
    const a = z > 0 ? 1 : 0;
    if (build) {
      if (a === 1) sums.addToG(x, row, 1);
    } else if (a !== side[i]) {
      sums.addToG(x, row, a === 1 ? 1 : -1);
      sums.errG += nx;
    }
    side[i] = a;
    const yi = y[i];
    if (a === 1) {
      const r = z - yi; // z_i − y_i on an active row
      sse += r * r;
      active++;
      db += r;
      for (let j = 0; j < d; j++) dw[j] += r * x[row + j];
    } else {
      sse += yi * yi; // a_i = 0
    }
  }
  out.fill(0);
  out[SSE] = sse;
  out[ACTIVE] = active;
  out[DB] = db;
  for (let j = 0; j < d; j++) out[DW + j] = dw[j];
  return nxMax;
}

/** Blocks of a refresh: at most this many, so their parts of G stay small next to the rows. */
const REFRESH_BLOCKS = 64;
/** And at least this many rows each, so a block's bookkeeping is small next to its rows. */
const REFRESH_BLOCK_ROWS = 4096;
/** Up to this many features the refresh runs in WebAssembly (a block's part of G has d² doubles). */
export const WASM_REFRESH_MAX_FEATURES = 64;

/**
 * Pass 1 of a refresh in kernel.wat's `refresh`, on the threads of a SIMD ParallelKernel: what
 * `refreshSides` computes, with z in the SIMD pass's order. The rows are cut into fixed blocks
 * (their number depends on n only); each block's sums and part of G start from zero, and the
 * parts are added in block order here: the result is the same for any thread count. `side` and
 * `keys` must live in the arena (`arenaBytes`), like the rows.
 */
export class BlockedRefresh {
  private readonly blockRows: number;
  private readonly blocks: number;
  /** Doubles per row of a part's square (d rounded up to even), and the layout of a part. */
  private readonly stride: number;
  private readonly outAt: number;
  private readonly gAt: number;
  private readonly gramAt: number;
  private readonly partDoubles: number;
  private readonly parts: Float64Array;
  /** Per thread of the pool: the bucket counts of its range of rows, then its next places. */
  private readonly next: Int32Array;

  constructor(
    private readonly pool: ParallelKernel,
    private readonly n: number,
    private readonly d: number,
  ) {
    this.blockRows = Math.max(REFRESH_BLOCK_ROWS, Math.ceil(n / REFRESH_BLOCKS));
    this.blocks = Math.max(1, Math.ceil(n / this.blockRows));
    const even = (k: number): number => k + (k & 1);
    this.stride = even(d);
    this.outAt = 0; // [sse, active, db, dw_0..dw_{d−1}, max nx, errG, Σ sign]
    this.gAt = even(DW + d + 3);
    this.gramAt = this.gAt + even(d);
    this.partDoubles = this.gramAt + even(d * this.stride + d);
    this.parts = rowArray(this.blocks * this.partDoubles);
    this.next = arenaArray(Int32Array, pool.jobThreads * BUCKETS);
  }

  /**
   * Whether `views` (and this refresh's own arrays) live in the pool's arena, where the WebAssembly
   * reads and writes by byte offset: a full arena hands out plain shared buffers instead.
   */
  holds(...views: ArrayBufferView[]): boolean {
    return this.pool.memory !== null && arenaOf(...views, this.parts, this.next) === this.pool.memory;
  }

  /** `testPlaces` in kernel.wat's `test` (the same operations: the same queue); the arrays live in the arena. */
  readonly testPlaces: typeof testPlaces = (bounds, member, pending, start, end, a1, a2, a3, beta, slack) =>
    (this.pool.test as WasmTest)(bounds.byteOffset, member.byteOffset, pending.byteOffset, start, end, a1, a2, a3, beta, slack);

  /** ends[bucket] = the number of rows in each t bucket, counted per thread range for `place`. */
  countBuckets(keyBits: Uint32Array, ends: Int32Array): void {
    const threads = this.pool.jobThreads;
    const { n, next } = this;
    next.fill(0);
    for (let t = 0; t < threads; t++) {
      countBuckets(keyBits, Math.floor((n * t) / threads), Math.floor((n * (t + 1)) / threads), next.subarray(t * BUCKETS, (t + 1) * BUCKETS));
    }
    ends.fill(0);
    for (let t = 0; t < threads; t++) for (let k = 0; k < BUCKETS; k++) ends[k] += next[t * BUCKETS + k];
  }

  /**
   * `placeRows` in kernel.wat's `place` on the pool's threads (after `countBuckets`): each thread's
   * rows of a bucket go after the earlier threads' ones, so every row gets the place that one pass
   * in row order gives it. `first[k]` is bucket k's first place. False when the pool cannot.
   */
  place(
    x: Float64Array,
    y: Float64Array,
    w: Float64Array,
    b: number,
    keys: Float32Array,
    cap: number,
    first: Int32Array,
    order: Uint32Array,
    bounds: Float32Array,
    member: Uint8Array,
    side: Uint8Array,
    basis: Float64Array,
  ): boolean {
    const threads = this.pool.jobThreads;
    const next = this.next;
    for (let k = 0; k <= cap; k++) {
      let place = first[k];
      for (let t = 0; t < threads; t++) {
        const count = next[t * BUCKETS + k];
        next[t * BUCKETS + k] = place;
        place += count;
      }
    }
    return this.pool.place(x, y, w, b, (job) => {
      job[JobWord.KEYS] = keys.byteOffset;
      job[JobWord.SIDE] = side.byteOffset;
      job[JobWord.N] = this.n;
      job[JobWord.CAP] = cap;
      job[JobWord.NEXT] = next.byteOffset;
      job[JobWord.NEXT_BYTES] = BUCKETS * 4;
      job[JobWord.ORDER] = order.byteOffset;
      job[JobWord.BOUNDS] = bounds.byteOffset;
      job[JobWord.MEMBER] = member.byteOffset;
      job[JobWord.BASIS] = basis.byteOffset;
    });
  }

  /** Runs the refresh; false when the pool cannot (not SIMD, or rows outside its arena). Returns max ‖x̃_i‖² otherwise. */
  run(
    x: Float64Array,
    y: Float64Array,
    w: Float64Array,
    b: number,
    side: Uint8Array,
    keys: Float32Array,
    sums: ActiveSums,
    build: boolean,
    out: PassSums,
  ): number | false {
    const { d, parts, partDoubles, stride } = this;
    const ran = this.pool.refresh(x, y, w, b, (job) => {
      job[JobWord.SIDE] = side.byteOffset;
      job[JobWord.KEYS] = keys.byteOffset;
      job[JobWord.BUILD] = build ? 1 : 0;
      job[JobWord.PARTS] = parts.byteOffset;
      job[JobWord.PART_BYTES] = partDoubles * 8;
      job[JobWord.BLOCK_ROWS] = this.blockRows;
      job[JobWord.BLOCKS] = this.blocks;
      job[JobWord.N] = this.n;
      job[JobWord.OUT_AT] = this.outAt * 8;
      job[JobWord.G_AT] = this.gAt * 8;
      job[JobWord.GRAM_AT] = this.gramAt * 8;
    });
    if (!ran) return false;
    out.fill(0);
    const G = sums.G; // cleared by the caller when `build`
    let nxMax = 1;
    for (let k = 0; k < this.blocks; k++) {
      const o = k * partDoubles + this.outAt;
      for (let q = 0; q < DW + d; q++) out[q] += parts[o + q];
      nxMax = Math.max(nxMax, parts[o + DW + d]);
      sums.errG += parts[o + DW + d + 1];
      // The part's square (upper triangle), its bias column, then the count: G's layout.
      const g = k * partDoubles + this.gramAt;
      let p = 0;
      for (let j = 0; j < d; j++) {
        for (let c = j; c < d; c++) G[p++] += parts[g + j * stride + c];
        G[p++] += parts[g + d * stride + j];
      }
      G[p] += parts[o + DW + d + 2];
    }
    return nxMax;
  }
}

/** Zeroed arrays in the arena (16-byte aligned), where the WebAssembly refresh and placement write. */
/** counts[bucket] += 1 for each row of [from, to), bucket = the top 16 bits of its t key. */
export function countBuckets(keyBits: Uint32Array, from: number, to: number, counts: Int32Array): void {
  for (let i = from; i < to; i++) counts[keyBits[i] >>> 16]++;
}

/**
 * Pass 2 of a refresh: rows whose t bucket is at most `cap` go to their place in t order (`next`
 * holds each bucket's next free place), with their side and their bounds for directions u1..u3
 * (bias last).
 */
export function placeRows(
  x: Float64Array,
  n: number,
  d: number,
  w: Float64Array,
  b: number,
  zOf: ZOf,
  keyBits: Uint32Array,
  cap: number,
  next: Int32Array,
  order: Uint32Array,
  bounds: Float32Array,
  member: Uint8Array,
  side: Uint8Array,
  basis: Float64Array,
): void {
  const size = d + 1;
  // r² = nx − Σc² in floating point: this much of nx covers its rounding and U's.
  const rSlack = (d + 16) * 4 * 2 ** -53;
  const up = 1 + F32_SLACK;
  for (let i = 0, row = 0; i < n; i++, row += d) {
    const bucket = keyBits[i] >>> 16;
    if (bucket > cap) continue;
    const pos = next[bucket]++;
    order[pos] = i;
    member[pos] = side[i];
    let nx = 1;
    let c1 = basis[d];
    let c2 = basis[size + d];
    let c3 = basis[2 * size + d];
    for (let j = 0; j < d; j++) {
      const v = x[row + j];
      nx += v * v;
      c1 += basis[j] * v;
      c2 += basis[size + j] * v;
      c3 += basis[2 * size + j] * v;
    }
    const r2 = nx - c1 * c1 - c2 * c2 - c3 * c3;
    const o = pos * STRIDE;
    bounds[o] = zOf(x, row, d, w, b);
    bounds[o + 1] = c1;
    bounds[o + 2] = c2;
    bounds[o + 3] = c3;
    bounds[o + 4] = Math.sqrt((r2 > 0 ? r2 : 0) + rSlack * nx) * up; // still ≥ ρ⊥ after float32 rounding
  }
}

/**
 * The fine test over kept places start..end: queues the places that need work, candidates as
 * −1 − k (|z_s + a·c| within ‖e‖ρ⊥ + slack: z recomputed) and places whose certified side
 * differs from their recorded side (`member`, in place order so the loop reads memory in order)
 * as k. Returns the queue length.
 */
export function testPlaces(
  bounds: Float32Array,
  member: Uint8Array,
  pending: Int32Array,
  start: number,
  end: number,
  a1: number,
  a2: number,
  a3: number,
  beta: number,
  slack: number,
): number {
  const shrink = 1 - F32_SLACK;
  let queued = 0;
  for (let k = start, o = start * STRIDE; k < end; k++, o += STRIDE) {
    const v = bounds[o] + a1 * bounds[o + 1] + a2 * bounds[o + 2] + a3 * bounds[o + 3]; // z_s + a·c
    if (Math.abs(v) * shrink <= beta * bounds[o + 4] + slack) pending[queued++] = -1 - k;
    else if ((v > 0 ? 1 : 0) !== member[k]) pending[queued++] = k; // certified: |z − (z_s + a·c)| ≤ ‖e‖ρ⊥ < |z_s + a·c|
  }
  return queued;
}

const warmed = new Set<string>();

/**
 * A refresh runs a handful of times per run, each a single long call: V8 would run the first ones
 * unoptimised (measured 3–5× slower at 1e6 × 16). A few calls on a few thousand rows first let it
 * optimise these loops, and the rank-1 updates, on the real types, as kernel.ts does for the pass.
 */
export function warmUpScreening(d: number, zOf: ZOf, javascript: boolean): void {
  // Without `javascript` (the WebAssembly refresh, placement and test run) only the rank-1 updates.
  const key = `${d}:${zOf.name}:${javascript}`;
  if (warmed.has(key)) return;
  warmed.add(key);
  const n = 4096;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let k = 0; k < x.length; k++) x[k] = ((k * 7919) % 13) / 13 - 0.5;
  for (let i = 0; i < n; i++) y[i] = (i % 5) / 5;
  const w = new Float64Array(d).fill(0.1);
  const side = new Uint8Array(n);
  const keys = new Float32Array(n);
  const keyBits = new Uint32Array(keys.buffer);
  const sums = new ActiveSums(d, y, n);
  const dw = new Float64Array(d);
  const out = new Float64Array(DW + d);
  const order = new Uint32Array(n);
  const bounds = new Float32Array(n * STRIDE);
  const member = new Uint8Array(n);
  const pending = new Int32Array(n);
  const basis = new Float64Array(3 * (d + 1)).fill(0.2);
  for (let r = 0; r < 12; r++) {
    const b = r % 2 === 0 ? 0.05 : -0.05;
    if (javascript) {
      refreshSides(x, y, n, d, w, b, zOf, side, keys, sums, r === 0, dw, out);
      placeRows(x, n, d, w, b, zOf, keyBits, BUCKETS - 1, new Int32Array(BUCKETS), order, bounds, member, side, basis);
      testPlaces(bounds, member, pending, 0, n, 0.01, 0.01, 0.01, 0.01, 0);
    }
    sums.reset(w, b, out);
    for (let i = 0; i < 64; i++) sums.flip(x, i * d, y[i], side[i] === 1 ? -1 : 1);
    sums.evaluate(w, b);
  }
}

import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import type { Rows } from '../data/dataset.js';
import { arenaArray, arenaOf, rowArray } from '../memory/arena.js';
import { MoveThread, wasmMoves, type MoveJob, type Moves } from './moves.js';

/**
 * A uniformly random permutation of rows, made so that moving the rows is cache friendly: the
 * two-level method of Rao and Sandelius, as P. Sanders uses it for memory hierarchies ("Random
 * permutations on distributed, external and hierarchical memory", IPL 67, 1998).
 *
 *   1. each row draws a bucket, uniform among m, independently;
 *   2. each bucket's rows, kept in row order, are permuted by a uniform Fisher–Yates shuffle;
 *   3. the permutation is the buckets' contents one after the other.
 *
 * Every permutation is equally likely: given the bucket sizes c_1..c_m, a permutation fixes which
 * rows went to which bucket (probability m^−n) and the order inside each (Π 1/c_b!), and neither
 * depends on the permutation. Moving rows by it takes two cache-friendly steps instead of n random
 * reads from main memory (which are TLB and cache-miss bound): a scatter that reads the rows in
 * order and writes m sequential streams, then a shuffle of each bucket, small enough for the cache.
 *
 * The draws (TwoLevelPermutation.draw) are a pure function of the generator's state; the indices
 * (`order()`, for tests and references) and the moved rows (ShuffledBatches) are two applications
 * of the same draws.
 */

/**
 * A bucket's index is 16 bits; the count is a power of two, so that a draw's bits split into bucket
 * indices. More buckets make each smaller for the gather (on the training thread) and the scatter
 * (on the helper, when there is one) write more streams: 1,024 buckets at 1e6 × 16 (about 130 KiB each)
 * were ~6% faster per epoch than 256 (about 520 KiB, over the L2 cache with a batch beside them).
 */
export const MAX_BUCKETS = 4096;
/**
 * At most about this many bytes of rows per bucket (between half and all of it), so that a bucket
 * being shuffled and the batch it is gathered into stay in the L2 cache; up to MAX_BUCKETS buckets,
 * i.e. 1 GiB of rows. Beyond, buckets grow and are served from the last-level cache instead: still
 * sequential reads, but a slower gather.
 */
const BUCKET_BYTES = 256 * 1024;
/** The generator's output bits a draw uses for bucket indices: its high 28 (xoroshiro128+'s lowest bits are its weakest). */
const BUCKET_BITS_PER_DRAW = 28;
const TWO_32 = 2 ** 32;
/** Up to this range, a 32-bit output times the range stays below 2^53: one exact product in a double. */
export const EXACT_RANGE = 2 ** 21;

/**
 * A uniform integer in [0, r), r ≤ 2^32, from one 32-bit output of `gen` (or a few, rarely):
 * Lemire's multiply with rejection ("Fast random integer generation in an interval", TOMACS 2019).
 * v·r / 2^32 for v uniform in [0, 2^32) lands on each j in [0, r) either ⌊2^32/r⌋ or ⌈2^32/r⌉
 * times; the v whose low part v·r mod 2^32 is below 2^32 mod r are exactly one surplus v per
 * over-represented j, and rejecting them leaves ⌊2^32/r⌋ each: exactly uniform. Hand-written
 * rather than pure-rand's uniformInt, which is exact too but costs ~35 ns a call in a loop of a
 * million draws per epoch; and permute.wat's draw makes the same draws with 64-bit integers.
 */
export function below(gen: { next(): number }, r: number): number {
  for (;;) {
    const v = gen.next() >>> 0;
    let j: number;
    let low: number;
    if (r <= EXACT_RANGE) {
      const scaled = v * r; // < 2^53: exact
      j = Math.floor(scaled / TWO_32);
      low = scaled - j * TWO_32;
    } else {
      // v·r up to 2^64: from v's two 16-bit halves, each product below 2^48
      const high = (v >>> 16) * r;
      const lowHalf = (v & 0xffff) * r;
      const carry = Math.floor(lowHalf / 65536);
      const mid = high + carry; // v·r / 2^16, rounded down: < 2^49
      j = Math.floor(mid / 65536);
      low = (mid - j * 65536) * 65536 + (lowHalf - carry * 65536);
    }
    // low ≥ r implies low ≥ 2^32 mod r: the (slow) remainder is needed only when low < r, rarely.
    // `| 0` keeps a j below 2^31 an int32, for the caller's fast integer remainder.
    if (low >= r || low >= TWO_32 % r) return j < 2 ** 31 ? j | 0 : j;
  }
}

/** How many buckets `n` rows of `d` features are split into: a power of two, 1 for small sets, at most MAX_BUCKETS. */
export function bucketsFor(n: number, d: number): number {
  const wanted = Math.ceil((n * (d + 1) * 8) / BUCKET_BYTES);
  return Math.min(MAX_BUCKETS, 2 ** Math.ceil(Math.log2(Math.max(1, wanted))));
}

/** Is `m` a bucket count TwoLevelPermutation takes: a power of two in 1..MAX_BUCKETS? */
function isBucketCount(m: number): boolean {
  return Number.isInteger(m) && m >= 1 && m <= MAX_BUCKETS && (m & (m - 1)) === 0;
}

/** The draws of one two-level permutation of `n` rows into `m` buckets; draw() makes a fresh one. */
export class TwoLevelPermutation {
  /** The bucket of each row, in row order. */
  readonly bucketOf: Uint16Array;
  /** Bucket b holds positions starts[b] .. starts[b + 1) of the permutation. */
  readonly starts: Uint32Array;
  /**
   * For position k of bucket b: the rank, among bucket b's rows in row order, of the row placed at
   * k (so within[starts[b] .. starts[b + 1]) is a permutation of 0 .. c_b − 1).
   */
  readonly within: Uint32Array;

  constructor(
    readonly n: number,
    readonly m: number,
  ) {
    if (!isBucketCount(m)) throw new RangeError(`buckets must be a power of two in 1..${MAX_BUCKETS}, got ${m}`);
    this.bucketOf = arenaArray(Uint16Array, n);
    this.starts = arenaArray(Uint32Array, m + 1);
    this.within = arenaArray(Uint32Array, n);
  }

  /** Draws a new permutation from `gen` (advancing it): the same generator state gives the same permutation. */
  draw(gen: RandomGenerator): this {
    const { n, m, bucketOf, starts, within } = this;
    starts.fill(0);
    // Step 1: buckets uniform in [0, m), m = 2^bits: the output's high bits, `bits` at a time, are
    // independent uniform bucket indices (no range mapping at all).
    const bits = Math.log2(m);
    if (bits === 0) bucketOf.fill(0);
    const perDraw = bits === 0 ? n : Math.floor(BUCKET_BITS_PER_DRAW / bits);
    for (let i = 0; i < n && bits > 0;) {
      let v = gen.next();
      for (const end = Math.min(n, i + perDraw); i < end; i++) {
        const bucket = v >>> (32 - bits);
        v <<= bits;
        bucketOf[i] = bucket;
        starts[bucket + 1]++;
      }
    }
    if (bits === 0) starts[1] = n;
    for (let b = 0; b < m; b++) starts[b + 1] += starts[b];
    // Step 2: a Fisher–Yates shuffle of each bucket's ranks, two steps per draw where the two
    // ranges' product is an exact range: u uniform in [0, (k+1)·k) gives j = u mod (k+1) uniform in
    // [0, k] and, independent of it, ⌊u/(k+1)⌋ uniform in [0, k−1], the next step's j.
    for (let b = 0; b < m; b++) {
      const lo = starts[b];
      const count = starts[b + 1] - lo;
      for (let k = 0; k < count; k++) within[lo + k] = k;
      for (let k = count - 1; k > 0;) {
        const paired = k > 1 && (k + 1) * k <= EXACT_RANGE;
        let u = paired ? below(gen, (k + 1) * k) : below(gen, k + 1);
        for (const last = paired ? k - 2 : k - 1; k > last; k--) {
          const j = u % (k + 1);
          u = (u / (k + 1)) | 0;
          const t = within[lo + k];
          within[lo + k] = within[lo + j];
          within[lo + j] = t;
        }
      }
    }
    return this;
  }

  /**
   * The same draws as `draw`, from the xoroshiro128+ state in `state` (as pure-rand's getState()
   * lists it), advanced in place: in WebAssembly when `moves` run over the arrays' memory (the
   * generator's state stays in registers there: ~4× faster), else by `draw` on a generator made
   * from the state.
   */
  drawFrom(state: Int32Array, moves: Moves | null): this {
    if (moves) moves.draw(...this.drawArgs(state));
    else {
      const gen = xoroshiro128plusFromState(Array.from(state));
      this.draw(gen);
      state.set(gen.getState());
    }
    return this;
  }

  /** drawFrom's arguments for permute.wat's draw (on this thread or a helper's). */
  drawArgs(state: Int32Array): Parameters<Moves['draw']> {
    return [state.byteOffset, this.n, Math.log2(this.m), this.bucketOf.byteOffset, this.starts.byteOffset, this.within.byteOffset];
  }

  /** The arena memory this permutation's arrays and `state` are in, for drawFrom's moves; null when outside it. */
  memory(state: Int32Array): WebAssembly.Memory | null {
    return arenaOf(state, this.bucketOf, this.starts, this.within);
  }

  /** The permutation as indices: order[k] is the row at position k. */
  order(): Uint32Array {
    const { n, m, bucketOf, starts, within } = this;
    const members = new Uint32Array(n); // each bucket's rows in row order
    const cursor = starts.slice(0, m);
    for (let i = 0; i < n; i++) members[cursor[bucketOf[i]]++] = i;
    const order = new Uint32Array(n);
    for (let b = 0; b < m; b++) {
      for (let k = starts[b]; k < starts[b + 1]; k++) order[k] = members[starts[b] + within[k]];
    }
    return order;
  }

  /** The most rows in one bucket. */
  largestBucket(): number {
    let largest = 0;
    for (let b = 0; b < this.m; b++) largest = Math.max(largest, this.starts[b + 1] - this.starts[b]);
    return largest;
  }
}

/** Rows in the arena, reallocated larger (with slack: the arena never frees) when asked for more. */
class RowBuffer {
  x = rowArray(0);
  y = rowArray(0);

  fit(rows: number, d: number): void {
    this.x = roomFor(this.x, rows, d);
    this.y = roomFor(this.y, rows, 1);
  }
}

/** `rows` rows of `width` doubles in the arena: `array` when it has the room, else a new one with slack (the arena never frees). */
function roomFor(array: Float64Array, rows: number, width: number): Float64Array {
  return array.length >= rows * width ? array : rowArray((Math.ceil(rows * 1.25) + 16) * width);
}

/** One mini-batch: rows start .. end of x and y (row-major, d features). */
export interface Batch {
  x: Float64Array;
  y: Float64Array;
  start: number;
  end: number;
}

/** An epoch's permutation, and the rows scattered to its buckets (each bucket's rows in row order). */
interface Scattered {
  p: TwoLevelPermutation;
  /** Rows of d + 1 doubles, x then y (permute.wat: one write stream per bucket). */
  buckets: Float64Array;
  /** Per bucket, its next free row in `buckets`, for the WebAssembly scatter. */
  cursor: Uint32Array;
}

/** Below this many cells (rows × (features + 1)) a helper thread is not worth starting for the moves. */
export const HELPER_MIN_CELLS = 1 << 21;

export interface ShuffleOptions {
  /** How many buckets (default: bucketsFor). */
  buckets?: number;
  /** May a second thread move the next epoch's rows while this epoch trains? Used for rows in the arena, at least HELPER_MIN_CELLS of them. */
  helper?: boolean;
}

/**
 * Shuffled mini-batches: each epoch, all rows in a fresh uniformly random order, batch after batch,
 * each batch contiguous so that the kernel (SIMD where it pays) reads it in place.
 *
 * The rows are scattered to their buckets in a buffer of their own (one extra copy of the rows,
 * each row's x and y together); then bucket after bucket is copied aside (a sequential read, into
 * the cache: gathering straight from main memory measured ~2× slower per epoch) and gathered in its
 * shuffled order into a staging buffer of one batch, which the kernel reads while it is still in
 * the cache. In the arena the draws and moves run in WebAssembly (permute.wat); elsewhere the same
 * steps in JavaScript.
 *
 * With a helper thread, the next epoch's permutation is drawn and its rows scattered on the helper,
 * into a second buffer (a second copy of the rows), while this epoch's batches train; the draws
 * come from the same stream in the same sequence, so the epochs are those of one thread.
 */
export class ShuffledBatches {
  /** This epoch's, then (with a helper) the next one's. */
  private readonly scattered: Scattered[];
  private readonly helper: MoveThread | null;
  /** Has the helper been given the next epoch's draws and scatter? */
  private ahead = false;
  /** One bucket, copied aside (rows of d + 1 doubles). */
  private aside = rowArray(0);
  /** The batch being gathered. */
  private readonly staging = new RowBuffer();
  /** The shuffle stream's xoroshiro128+ state, in the arena where permute.wat draws from it. */
  private readonly state = arenaArray(Int32Array, 4);

  /** `gen`: a xoroshiro128plus generator (src/random/rng.ts's streams); its state is copied, and `gen` itself stays where it is. */
  constructor(
    private readonly from: Rows,
    private readonly d: number,
    gen: RandomGenerator,
    options: ShuffleOptions = {},
  ) {
    this.state.set(gen.getState());
    const m = options.buckets ?? bucketsFor(from.n, d);
    const slot = (): Scattered => ({
      p: new TwoLevelPermutation(from.n, m),
      buckets: rowArray(from.n * (d + 1)),
      cursor: arenaArray(Uint32Array, MAX_BUCKETS),
    });
    this.scattered = [slot()];
    // The memory the helper draws and scatters in: all of a slot's arrays, the rows and the state.
    const arena = (s: Scattered) => {
      const memory = arenaOf(from.x, from.y, s.buckets, s.cursor);
      return memory && s.p.memory(this.state) === memory ? memory : null;
    };
    const memory = options.helper && from.n * (d + 1) >= HELPER_MIN_CELLS ? arena(this.scattered[0]) : null;
    let helper = memory && MoveThread.start(memory);
    if (helper) {
      this.scattered.push(slot());
      if (arena(this.scattered[1]) !== memory) {
        helper.close();
        helper = null;
        this.scattered.pop();
      }
    }
    this.helper = helper;
  }

  /** Does a helper thread move the next epoch's rows? (Tests and the bench.) */
  get helped(): boolean {
    return this.helper !== null;
  }

  /** Stops the helper thread, if there is one. */
  close(): void {
    this.helper?.close();
  }

  /** The next permutation of the shuffle stream, in WebAssembly where it can run. */
  private draw(p: TwoLevelPermutation): TwoLevelPermutation {
    const memory = p.memory(this.state);
    return p.drawFrom(this.state, memory && wasmMoves(memory));
  }

  /** Step 1 of the move, as permute.wat's scatter takes it: each row of `from` to the next free row of its bucket. */
  private scatterArgs(s: Scattered): MoveJob['scatter'] {
    const { from, d } = this;
    const { n, m, bucketOf, starts } = s.p;
    return [from.x.byteOffset, from.y.byteOffset, d, n, bucketOf.byteOffset, starts.byteOffset, m, s.cursor.byteOffset, s.buckets.byteOffset];
  }

  /** Step 1 of the move on this thread. */
  private scatter(s: Scattered, wasm: Moves | null): void {
    const { from, d } = this;
    const { n, m, bucketOf, starts } = s.p;
    const { buckets, cursor } = s;
    if (wasm) wasm.scatter(...this.scatterArgs(s));
    else {
      cursor.set(starts.subarray(0, m));
      for (let i = 0; i < n; i++) {
        const t = cursor[bucketOf[i]]++;
        for (let j = 0; j < d; j++) buckets[t * (d + 1) + j] = from.x[i * d + j];
        buckets[t * (d + 1) + d] = from.y[i];
      }
    }
  }

  /**
   * The epoch's batches of `size` rows (the last may be shorter), in a newly drawn order: rows
   * order[0 .. size), order[size .. 2·size), ... A batch is valid until the next is asked for.
   */
  *epoch(size: number): Generator<Batch> {
    const { from, staging, d, helper } = this;
    let left: 'draw' | 'scatter' | 'done' = 'draw'; // what of this epoch's draws and scatter is left to do here
    if (this.ahead) {
      left = helper!.wait(); // the helper's draws and scatter, unless one of them failed
      this.scattered.reverse();
    }
    const current = this.scattered[0];
    if (left === 'draw') this.draw(current.p);
    const { m, starts, within } = current.p;
    const largest = current.p.largestBucket();
    const aside = (this.aside = roomFor(this.aside, largest, d + 1));
    staging.fit(size, d);
    const memory = arenaOf(from.x, from.y, current.buckets, aside, staging.x, staging.y, current.p.bucketOf, within, current.cursor);
    const wasm = memory && wasmMoves(memory);
    if (left !== 'done') this.scatter(current, wasm);
    if (helper) {
      // The next epoch's permutation is drawn and its rows move on the helper while this epoch's
      // batches train: its draws come after this epoch's in the stream, as without a helper.
      const next = this.scattered[1];
      helper.run({ draw: next.p.drawArgs(this.state), scatter: this.scatterArgs(next) });
    }
    this.ahead = helper !== null;
    const { buckets } = current;

    // Step 2: each bucket in its shuffled order, gathered into the staging rows a batch at a time
    // (staging holds one batch, so that it and the bucket aside stay in the cache together).
    let filled = 0;
    for (let b = 0; b < m; b++) {
      const lo = starts[b];
      const count = starts[b + 1] - lo;
      aside.set(buckets.subarray(lo * (d + 1), (lo + count) * (d + 1)));
      for (let k = 0; k < count;) {
        const take = Math.min(count - k, size - filled);
        if (wasm)
          wasm.gather(aside.byteOffset, d, within.byteOffset + 4 * (lo + k), take, staging.x.byteOffset + 8 * filled * d, staging.y.byteOffset + 8 * filled);
        else {
          for (let q = 0; q < take; q++) {
            const r = within[lo + k + q];
            for (let j = 0; j < d; j++) staging.x[(filled + q) * d + j] = aside[r * (d + 1) + j];
            staging.y[filled + q] = aside[r * (d + 1) + d];
          }
        }
        filled += take;
        k += take;
        if (filled === size) {
          yield { x: staging.x, y: staging.y, start: 0, end: size };
          filled = 0;
        }
      }
    }
    if (filled > 0) yield { x: staging.x, y: staging.y, start: 0, end: filled };
  }
}

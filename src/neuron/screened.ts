/**
 * The screened engine: a full-batch epoch that reads only the rows that can change side.
 *
 * While the active set A is fixed, the loss and the gradient are a quadratic form in θ = [w, b]
 * (src/neuron/active-sums.ts). A row's side can only change when |z_i| is within reach of the
 * parameters' drift δ = θ − θ_s since a refresh at θ_s. Two bounds, the second much tighter:
 *
 *  1. Cauchy–Schwarz: |z_i(θ) − z_s,i| ≤ ‖δ‖ ‖x̃_i‖. Rows are kept sorted by t_i = |z_s,i|/‖x̃_i‖
 *     (bucketed by the float32 bits of t), so those with t_i > max‖δ‖ are never looked at.
 *  2. Along K = 3 directions U that the next steps mostly follow (the last step s, G s and G² s:
 *     gradient descent on a quadratic moves in that Krylov space; without G, the last K steps):
 *     z_i(θ) = z_s,i + a·c_i + e·x̃_i with a = U δ, c_i = U x̃_i, e = δ − Uᵀa, and
 *     |e·x̃_i| ≤ ‖e‖ ρ⊥_i. The rows inside bound 1 keep [z_s, c, ρ⊥] in float32, in t order.
 *
 * A row whose |z_s,i + a·c_i| exceeds ‖e‖ρ⊥_i (plus rounding slack) has a certain side; the others,
 * the candidates, get z recomputed exactly, in the inner kernel's order. A row that changes side
 * is a rank-1 update of the sums. That is the pattern of Elkan's k-means and of safe screening.
 *
 * Refreshes: a screening refresh (an exact pass over all rows that also rebuilds the bounds) when
 * the rows looked at since the last one cost more than a refresh, or the drift leaves the kept
 * rows; when refreshes come closer than MIN_GAP epochs, exact passes for a while instead (doubling).
 * An exact pass of the inner kernel when the quadratic form has lost more than KAPPA_MAX times its
 * rounding, so loss and gradient keep their relative accuracy at any size of the loss, and when the
 * loss rose (an overshooting step amplifies rounding differences: such epochs are the pass's, bit
 * for bit). G is rebuilt from the rows when its rank-1 updates add up to G_BUDGET times its trace.
 *
 * With a SIMD pool (`options.pool`, rows and the engine's arrays in its arena) a refresh, its
 * placement of the kept rows and the fine test run in kernel.wat, the first two on the pool's
 * threads (src/neuron/screen-rows.ts, BlockedRefresh: the same bits for any thread count).
 *
 * `auto` uses passes below AUTO_MIN_ROWS rows, for a run with fewer than AUTO_MIN_REMAINING epochs
 * left, and while more than AUTO_SAMPLE_FLIPS of a fixed sample of rows change side per epoch.
 *
 * Memory per row: 4 bytes of t and 1 byte of side, plus 25 bytes (bounds, place, side) for each
 * kept row, at most half of them: at most 17.5 bytes per row (the rows themselves take 8·(d + 1)),
 * allocated at the first screened epoch.
 */
import type { Rows } from '../data/dataset.js';
import { arenaArray, rowArray } from '../memory/arena.js';
import { ActiveSums } from './active-sums.js';
import type { Kernel } from './kernel.js';
import { ACTIVE, DB, DW, passSums, SSE, type PassSums } from './pass.js';
import type { ParallelKernel } from './parallel.js';
import {
  BlockedRefresh,
  BUCKETS,
  countBuckets,
  F32_SLACK,
  placeRows,
  refreshSides,
  STRIDE,
  testPlaces,
  WASM_REFRESH_MAX_FEATURES,
  warmUpScreening,
  type ZOf,
} from './screen-rows.js';
import { zFunction, type ZOrder } from './z-order.js';

export type Engine = 'auto' | 'pass' | 'screened';

/** Directions U. */
const K = 3;
/** Refresh when the form's rounding bound exceeds this many units of roundoff of its value (8 bits). */
export const KAPPA_MAX = 256;
/** Rebuild G when its rank-1 updates since the last build add up to this many times its trace. */
export const G_BUDGET = 1024;
/** At most this fraction of the rows keeps bounds (those nearest the kink). */
const KEPT = 1 / 2;
/**
 * Costs in passes of the inner kernel, measured at 1e6 × 16 against the 2-thread SIMD pass: a
 * screening refresh (~12 passes in single-threaded JavaScript; ~3 with the WebAssembly refresh and
 * placement on the pool's threads, ~4 when it builds G: 12 is kept, as lower values measured no
 * faster over 1,000 epochs), a kept row looked at by the fine test (per row, ~0.3 of a pass's row),
 * a row recomputed or updated (random access to its features and a rank-1 update, ~30 pass rows).
 */
const REFRESH_COST = 12;
const TEST_COST = 0.3;
const ROW_COST = 30;
/** `auto`: below this many rows a pass costs microseconds and the bookkeeping does not pay. */
export const AUTO_MIN_ROWS = 1 << 15;
/** `auto`: rows sampled to see how many change side per epoch, and the largest fraction that may. */
const SAMPLE = 4096;
/** In runs of this many consecutive rows: a few cache misses per run instead of one per row. */
const SAMPLE_RUN = 64;
const SAMPLE_RUNS = SAMPLE / SAMPLE_RUN;
/** Epochs between samples: a sample costs ~2% of an epoch at 1e6 × 16, a quarter of that in all. */
const SAMPLE_EVERY = 4;
const AUTO_SAMPLE_FLIPS = 1 / 500;
/** `auto`: steps seen before the first screened epoch (the directions U come from them). */
const AUTO_MIN_STEPS = 3;
/** `auto`: not worth building the sums for fewer epochs than this. */
const AUTO_MIN_REMAINING = 64;
/** Refreshes closer than this many epochs (about REFRESH_COST) do not pay: passes for a while. */
const MIN_GAP = 12;
/** The first such while, in epochs; it doubles each time, and resets after a refresh that lasted. */
const BACKOFF = 8;
/** Rows per block of the fine test (its queue has this length). */
const BLOCK = 4096;
const ROUNDING_SLACK = 2 ** -40;
/** |z| below this is stored in float32 with its relative precision. */
const F32_RANGE = 1e30;

export interface ScreenedStats {
  /** Calls over the training rows. */
  epochs: number;
  /** Epochs computed by the inner kernel: `auto` before screening pays, and exact refreshes. */
  passes: number;
  /** Screening refreshes (exact sums and new bounds). */
  screens: number;
  /** Of those, the ones that ran in WebAssembly on the pool's threads. */
  wasmScreens: number;
  /** Rows looked at by the fine test. */
  tested: number;
  /** Rows whose z was recomputed outside a refresh. */
  candidates: number;
  /** Rows that changed side outside a refresh (rank-1 updates). */
  flips: number;
  /** Exact passes whose active count disagreed with the tracked set (a bug if ever non-zero). */
  mismatches: number;
}

export interface EngineOptions {
  /** The order in which the inner kernel adds w·x + b (`simd` for ParallelKernel's SIMD mode). */
  order?: ZOrder;
  /** Maximum epochs of the run, so `auto` does not build its sums for a run about to end. */
  epochs?: number;
  /**
   * The SIMD pool the inner kernel runs on (then `order` is `simd`): refreshes run in its
   * WebAssembly on its threads (`BlockedRefresh`) when the rows live in its arena.
   */
  pool?: ParallelKernel;
}

export class ScreenedEngine {
  readonly stats: ScreenedStats = { epochs: 0, passes: 0, screens: 0, wasmScreens: 0, tested: 0, candidates: 0, flips: 0, mismatches: 0 };
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly n: number;
  private readonly d: number;
  private readonly size: number;
  private readonly z: ZOf;
  private sums: ActiveSums | null = null;
  private gBuilt = false;
  /** Per row: t_i rounded down (float32; its bits give the bucket), and the side z_i > 0. */
  private keys: Float32Array | null = null;
  private side: Uint8Array | null = null;
  /** Kept rows in t order: row index and [z_s, c1, c2, c3, ρ⊥]. */
  private order: Uint32Array | null = null;
  private bounds: Float32Array | null = null;
  /** The side of each kept row, in place order (the row-order `side` is current for the others). */
  private member: Uint8Array | null = null;
  /** Kept places that the scans have looked at since the refresh. */
  private looked = 0;
  /** ends[k]: places of the kept rows with t bucket ≤ k; `cap` is the last kept bucket. */
  private readonly ends = new Int32Array(BUCKETS);
  private cap = -1;
  /** Rows outside the kept ones have t ≥ this. */
  private tCap = 0;
  /** Largest C–S drift since the refresh: the kept places [0, ends[bucket]) are the ones looked at. */
  private reach = 0;
  private readonly basis: Float64Array;
  private readonly thetaS: Float64Array;
  private rhoMax = 0;
  /** The last four θ seen, newest first; `seen` counts them. */
  private readonly history: Float64Array;
  private seen = 0;
  /** The side of every row is that of history[0] (no scan needed when θ did not move). */
  private current = false;
  /** Work since the last refresh, in passes over all rows. */
  private spent = 0;
  /** The loss sum of the last epoch over the training rows. */
  private lastLoss = Infinity;
  private needScreen = true;
  private lastScreen = 0;
  private resumeAt = 0;
  private backoff = BACKOFF;
  private readonly scratch: PassSums;
  private readonly dw: Float64Array;
  private readonly pending: Int32Array;
  private readonly sample = new Uint8Array(SAMPLE);
  /** The WebAssembly refresh, when the pool can run it. */
  private blocked: BlockedRefresh | null;

  constructor(
    rows: Rows,
    d: number,
    private readonly inner: Kernel,
    private readonly mode: 'auto' | 'screened',
    private readonly options: EngineOptions = {},
  ) {
    this.x = rows.x;
    this.y = rows.y;
    this.n = rows.n;
    this.d = d;
    this.size = d + 1;
    this.z = zFunction(options.order ?? 'sequential');
    const pool = options.pool;
    this.blocked = pool && pool.mode === 'simd' && options.order === 'simd' && d <= WASM_REFRESH_MAX_FEATURES ? new BlockedRefresh(pool, this.n, d) : null;
    this.basis = this.blocked ? rowArray(K * this.size) : new Float64Array(K * this.size);
    this.pending = this.blocked ? arenaArray(Int32Array, BLOCK) : new Int32Array(BLOCK);
    this.thetaS = new Float64Array(this.size);
    this.history = new Float64Array(4 * this.size);
    this.scratch = passSums(d);
    this.dw = new Float64Array(d);
  }

  /** A Kernel: over its own training rows, the sums the fused pass would give; anything else goes to the inner kernel. */
  readonly kernel: Kernel = (x, y, d, start, end, w, b, out) => {
    if (x !== this.x || y !== this.y || d !== this.d || start !== 0 || end !== this.n) {
      this.inner(x, y, d, start, end, w, b, out);
      return;
    }
    this.stats.epochs++;
    const moved = this.remember(w, b);
    if (!moved.finite || this.usePass()) {
      this.current = false;
      this.exactPass(w, b, out);
      return;
    }
    let due = this.needScreen || this.sums === null;
    if (!due && (moved.changed || !this.current)) due = !this.scan(w, b);
    if (due) {
      if (this.refreshNow()) {
        this.screen(w, b, out);
      } else {
        this.current = false; // the sides were not brought to this θ
        this.exactPass(w, b, out);
      }
      return;
    }
    this.current = true;
    const sums = this.sums as ActiveSums;
    const ev = sums.evaluate(w, b);
    // An exact pass also when the loss went up: a step that overshoots (oscillation, divergence)
    // amplifies any difference in rounding, so such epochs are the pass engine's, bit for bit.
    if (ev.kappaLoss > KAPPA_MAX || ev.kappaGrad > KAPPA_MAX || !(ev.sse <= this.lastLoss)) {
      this.exactPass(w, b, out);
    } else {
      out[SSE] += ev.sse;
      out[ACTIVE] += sums.nA;
      out[DB] += sums.grad[d];
      for (let j = 0; j < d; j++) out[DW + j] += sums.grad[j];
      this.lastLoss = ev.sse;
    }
    if (this.spent >= REFRESH_COST) this.needScreen = true;
  };

  /** G = Σ_A x̃x̃ᵀ (upper triangle, bias last) at the last θ, or null when the last epoch was a plain pass. */
  activeGram(): Float64Array | null {
    return this.gBuilt && this.sums && this.current ? this.sums.G : null;
  }

  private usePass(): boolean {
    if (this.mode === 'screened') return false;
    if (this.n < AUTO_MIN_ROWS) return true;
    if (this.sums !== null) return false;
    // Not yet started: not for a run about to end (the first refresh builds G; checked first, so
    // such a run costs what passes cost), and wait while many rows change side each epoch (each
    // costs a rank-1 update), measured on a fixed sample.
    if (this.options.epochs !== undefined && this.options.epochs - this.stats.epochs < AUTO_MIN_REMAINING) return true;
    // The sample every SAMPLE_EVERY epochs: the net change of sides over that many epochs (a row that
    // flips and flips back in between counts as none), against SAMPLE_EVERY times the per-epoch limit.
    if (this.stats.epochs % SAMPLE_EVERY !== 0) return true;
    const sampleFlips = this.sampleSides();
    return this.seen <= AUTO_MIN_STEPS || sampleFlips > AUTO_SAMPLE_FLIPS * SAMPLE * SAMPLE_EVERY;
  }

  /** Sides of SAMPLE rows (SAMPLE_RUNS evenly spaced runs of consecutive rows, read in order) at history[0]; returns how many changed since the last call. */
  private sampleSides(): number {
    const { n, d, x, history } = this;
    const w = history.subarray(0, d);
    const b = history[d];
    let changed = 0;
    for (let k = 0; k < SAMPLE; k++) {
      const run = Math.floor(k / SAMPLE_RUN);
      const i = Math.min(n - 1, Math.floor((run * n) / SAMPLE_RUNS) + (k % SAMPLE_RUN));
      const now = this.z(x, i * d, d, w, b) > 0 ? 1 : 0;
      if (now !== this.sample[k]) changed++;
      this.sample[k] = now;
    }
    return changed;
  }

  /**
   * A refresh is due (or the drift left the kept rows): true when it should run now, false when
   * it comes too soon after the last one and exact passes are cheaper for a while (backing off).
   */
  private refreshNow(): boolean {
    this.needScreen = true;
    if (this.sums === null || this.stats.epochs >= this.resumeAt) {
      if (this.stats.epochs - this.lastScreen >= MIN_GAP || this.sums === null) return true;
      this.resumeAt = this.stats.epochs + this.backoff;
      this.backoff *= 2;
    }
    return false;
  }

  /** Pushes θ into the history; says whether it is finite and whether it differs from the last θ. */
  private remember(w: Float64Array, b: number): { finite: boolean; changed: boolean } {
    const { size, d, history } = this;
    let finite = Number.isFinite(b);
    let changed = this.seen === 0 || history[d] !== b;
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(w[j])) finite = false;
      if (history[j] !== w[j]) changed = true;
    }
    if (!finite) {
      this.seen = 0;
      this.needScreen = true;
      return { finite, changed };
    }
    if (changed) {
      history.copyWithin(size, 0, 3 * size);
      history.set(w.subarray(0, d), 0);
      history[d] = b;
      this.seen = Math.min(4, this.seen + 1);
    }
    return { finite, changed };
  }

  /** One pass of the inner kernel; when the sides are current, it also re-centres the sums exactly. */
  private exactPass(w: Float64Array, b: number, out: PassSums): void {
    this.stats.passes++;
    const s = this.scratch;
    s.fill(0);
    this.inner(this.x, this.y, this.d, 0, this.n, w, b, s);
    for (let k = 0; k < s.length; k++) out[k] += s[k];
    this.lastLoss = s[SSE];
    if (this.sums && this.current) {
      if (s[ACTIVE] !== this.sums.nA) {
        this.stats.mismatches++;
        this.gBuilt = false;
        this.needScreen = true;
      }
      this.sums.reset(w, b, s);
    }
  }

  /** U: the last step, then G s and G² s once G is known, then older steps; orthonormalised. */
  private chooseBasis(): void {
    const { size, history, basis } = this;
    const steps: Float64Array[] = [];
    for (let q = 0; q + 1 < this.seen; q++) {
      const s = new Float64Array(size);
      for (let j = 0; j < size; j++) s[j] = history[q * size + j] - history[(q + 1) * size + j];
      steps.push(s);
    }
    const proposals: Float64Array[] = [];
    if (steps.length > 0) {
      proposals.push(steps[0]);
      if (this.gBuilt && this.sums) {
        const gs = gramTimes(this.sums.G, size, steps[0]);
        proposals.push(gs, gramTimes(this.sums.G, size, gs));
      }
      proposals.push(...steps.slice(1));
    }
    basis.fill(0);
    let k = 0;
    for (const v of proposals) {
      if (k === K) break;
      const before = Math.sqrt(dot(v, v));
      if (!(before > 0) || !Number.isFinite(before)) continue;
      // Gram–Schmidt, twice: the bounds assume U orthonormal up to rounding.
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < k; q++) {
          const u = basis.subarray(q * size, (q + 1) * size);
          const c = dot(u, v);
          for (let j = 0; j < size; j++) v[j] -= c * u[j];
        }
      }
      const after = Math.sqrt(dot(v, v));
      if (!(after > 1e-6 * before)) continue;
      for (let j = 0; j < size; j++) basis[k * size + j] = v[j] / after;
      k++;
    }
  }

  /**
   * The screening refresh: an exact pass over all rows (this epoch's result, each row's side, G
   * updated or built, t_i), then the rows nearest the kink placed in t order with their bounds.
   */
  private screen(w: Float64Array, b: number, out: PassSums): void {
    const { n, d, size, x, y } = this;
    this.stats.screens++;
    if (this.stats.epochs - this.lastScreen >= 4 * MIN_GAP) this.backoff = BACKOFF;
    warmUpScreening(d, this.z, this.blocked === null);
    this.chooseBasis();
    this.sums ??= new ActiveSums(d, y, n);
    // In the arena when the WebAssembly refresh and placement write them.
    const arena = this.blocked !== null;
    this.keys ??= arena ? arenaArray(Float32Array, n) : new Float32Array(n);
    this.side ??= arena ? arenaArray(Uint8Array, n) : new Uint8Array(n);
    const keep = Math.ceil(n * KEPT);
    this.order ??= arena ? arenaArray(Uint32Array, keep) : new Uint32Array(keep);
    this.bounds ??= arena ? arenaArray(Float32Array, keep * STRIDE) : new Float32Array(keep * STRIDE);
    this.member ??= arena ? arenaArray(Uint8Array, keep) : new Uint8Array(keep);
    const { sums, keys, side, ends, order, member } = this;
    if (this.blocked && !this.blocked.holds(keys, side, order, member, this.bounds, this.pending, this.basis)) this.blocked = null;
    // The kept rows' sides live in place order between refreshes: bring them back to row order.
    restoreSides(side, order, member, this.looked);
    this.looked = 0;
    const build = !this.gBuilt || sums.errG > G_BUDGET * trace(sums.G, size);
    if (build) sums.clearG();
    const s = this.scratch;
    let nxMax = this.blocked?.run(x, y, w, b, side, keys, sums, build, s) ?? false;
    if (nxMax === false) nxMax = refreshSides(x, y, n, d, w, b, this.z, side, keys, sums, build, this.dw, s);
    else this.stats.wasmScreens++;
    sums.reset(w, b, s);
    for (let k = 0; k < s.length; k++) out[k] += s[k];
    this.lastLoss = s[SSE];
    this.gBuilt = true;

    // Buckets of t: keep the lowest ones that fit in `keep` places.
    const keyBits = new Uint32Array(keys.buffer, keys.byteOffset, n);
    if (this.blocked) {
      this.blocked.countBuckets(keyBits, ends);
    } else {
      ends.fill(0);
      countBuckets(keyBits, 0, n, ends);
    }
    let places = 0;
    let cap = -1;
    while (cap + 1 < BUCKETS && places + ends[cap + 1] <= keep) {
      cap++;
      places += ends[cap];
      ends[cap] = places; // now the end of bucket cap's places
    }
    const next = new Int32Array(cap + 1);
    for (let k = 0; k <= cap; k++) next[k] = k === 0 ? 0 : ends[k - 1];
    if (!this.blocked?.place(x, y, w, b, keys, cap, next, order, this.bounds, member, side, this.basis)) {
      placeRows(x, n, d, w, b, this.z, keyBits, cap, next, order, this.bounds, member, side, this.basis);
    }
    this.cap = cap;
    this.tCap = cap + 1 < BUCKETS ? bucketFloor(cap + 1) : Infinity;
    this.reach = 0;
    this.thetaS.set(w.subarray(0, d));
    this.thetaS[d] = b;
    this.rhoMax = Math.sqrt(nxMax) * (1 + ROUNDING_SLACK);
    this.spent = 0;
    this.needScreen = false;
    this.current = true;
    this.lastScreen = this.stats.epochs;
  }

  /**
   * Brings every row's side from the last θ to this one: rows beyond the C–S reach keep their
   * side; the kept rows within it are certified by the fine bound or recomputed. Returns false
   * when the reach leaves the kept rows (a refresh is needed).
   */
  private scan(w: Float64Array, b: number): boolean {
    const { d, size, x, y, basis, thetaS, rhoMax } = this;
    const order = this.order as Uint32Array;
    const bounds = this.bounds as Float32Array;
    const member = this.member as Uint8Array;
    const sums = this.sums as ActiveSums;
    // δ = θ − θ_s; a = U δ; e = δ − Uᵀ a
    const e = new Float64Array(size);
    for (let j = 0; j < d; j++) e[j] = w[j] - thetaS[j];
    e[d] = b - thetaS[d];
    const deltaNorm = Math.sqrt(dot(e, e));
    const thetaNorm = Math.sqrt(b * b + dot(w.subarray(0, d), w.subarray(0, d)));
    // z's rounding, here and in the kernel: (d+2)u (|b| + Σ|w_j x_j|) ≤ (d+2)u ‖θ‖ ‖x̃‖, generously.
    const zSlack = ROUNDING_SLACK * (d + 4) * (thetaNorm + Math.sqrt(dot(thetaS, thetaS)));
    // C–S in t units: a row with t_i > reach has |z_s,i| > ‖δ‖‖x̃_i‖ + rounding: its side is that at θ_s.
    const reach = Math.max(this.reach, deltaNorm * (1 + ROUNDING_SLACK) + zSlack);
    // Beyond the kept rows, or z beyond float32's range (a diverging run): no certificate.
    if (!(reach < this.tCap) || !((thetaNorm + deltaNorm) * rhoMax < F32_RANGE)) return false;
    this.reach = reach;
    const bucket = bucketOf(reach);
    const end = bucket > this.cap ? this.ends[this.cap] : this.ends[bucket];
    const a = [0, 0, 0];
    for (let q = 0; q < K; q++) a[q] = dot(basis.subarray(q * size, (q + 1) * size), e);
    for (let q = 0; q < K; q++) for (let j = 0; j < size; j++) e[j] -= a[q] * basis[q * size + j];
    let eta = 0;
    for (let q = 0; q < K; q++) eta = Math.max(eta, Math.abs(dot(basis.subarray(q * size, (q + 1) * size), e)));
    const aNorm = Math.abs(a[0]) + Math.abs(a[1]) + Math.abs(a[2]);
    const beta = Math.sqrt(dot(e, e)) * (1 + ROUNDING_SLACK) + ROUNDING_SLACK * (deltaNorm + aNorm);
    // Slack for float32 storage of z_s and c, U's rounding (η) and z's rounding.
    const slack = (2 * F32_SLACK * aNorm + 2 * eta + zSlack + ROUNDING_SLACK * (aNorm + beta)) * rhoMax;
    const [a1, a2, a3] = a;
    const zOf = this.z;
    const pending = this.pending;
    const blocked = this.blocked;
    let candidates = 0;
    let flips = 0;
    for (let start = 0; start < end; start += BLOCK) {
      const stop = Math.min(end, start + BLOCK);
      const queued = blocked
        ? blocked.testPlaces(bounds, member, pending, start, stop, a1, a2, a3, beta, slack)
        : testPlaces(bounds, member, pending, start, stop, a1, a2, a3, beta, slack);
      for (let q = 0; q < queued; q++) {
        let k = pending[q];
        let now: number;
        if (k < 0) {
          k = -1 - k;
          candidates++;
          now = zOf(x, order[k] * d, d, w, b) > 0 ? 1 : 0;
          if (now === member[k]) continue;
        } else {
          now = 1 - member[k];
        }
        member[k] = now;
        const i = order[k];
        sums.flip(x, i * d, y[i], now === 1 ? 1 : -1);
        flips++;
      }
    }
    if (end > this.looked) this.looked = end;
    this.stats.tested += end;
    this.stats.candidates += candidates;
    this.stats.flips += flips;
    this.spent += (end * TEST_COST + (candidates + flips) * ROW_COST) / this.n;
    return true;
  }
}

/** The kept rows' sides, kept in place order between refreshes, back to row order. */
function restoreSides(side: Uint8Array, order: Uint32Array, member: Uint8Array, looked: number): void {
  for (let k = 0; k < looked; k++) side[order[k]] = member[k];
}

const floatBits = new Float32Array(1);
const wordBits = new Uint32Array(floatBits.buffer);

/** The t bucket holding `t` rounded up, so that every row with t_i ≤ t is in a bucket ≤ it. */
function bucketOf(t: number): number {
  floatBits[0] = t * (1 + F32_SLACK);
  return wordBits[0] >>> 16;
}

/** The smallest float32 in bucket k. */
function bucketFloor(k: number): number {
  wordBits[0] = k << 16;
  return floatBits[0];
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

function trace(G: Float64Array, size: number): number {
  let t = 0;
  for (let j = 0, p = 0; j < size; p += size - j, j++) t += G[p];
  return t;
}

/** G v for G stored as its upper triangle. */
function gramTimes(G: Float64Array, size: number, v: Float64Array): Float64Array {
  const out = new Float64Array(size);
  let p = 0;
  for (let j = 0; j < size; j++) {
    out[j] += G[p++] * v[j];
    for (let k = j + 1; k < size; k++) {
      out[j] += G[p] * v[k];
      out[k] += G[p++] * v[j];
    }
  }
  return out;
}

/**
 * The kernel for a run's `engine`: `pass` is the inner kernel itself; `screened` and `auto` wrap it
 * (`auto` uses passes until screening pays). Mini-batches never reach it: the trainer uses the
 * kernel only for full batches and validation rows, which go to the inner kernel.
 */
export function engineKernel(
  engine: Engine,
  rows: Rows,
  d: number,
  inner: Kernel,
  options: EngineOptions = {},
): { kernel: Kernel; screened: ScreenedEngine | null } {
  if (engine === 'pass') return { kernel: inner, screened: null };
  const screened = new ScreenedEngine(rows, d, inner, engine, options);
  return { kernel: screened.kernel, screened };
}

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
import { ActiveSums } from './active-sums.js';
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
export function warmUpScreening(d: number, zOf: ZOf): void {
  const key = `${d}:${zOf.name}`;
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
    refreshSides(x, y, n, d, w, b, zOf, side, keys, sums, r === 0, dw, out);
    sums.reset(w, b, out);
    placeRows(x, n, d, w, b, zOf, keyBits, BUCKETS - 1, new Int32Array(BUCKETS), order, bounds, member, side, basis);
    testPlaces(bounds, member, pending, 0, n, 0.01, 0.01, 0.01, 0.01, 0);
    for (let i = 0; i < 64; i++) sums.flip(x, i * d, y[i], side[i] === 1 ? -1 : 1);
    sums.evaluate(w, b);
  }
}

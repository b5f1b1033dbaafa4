/**
 * The curvature of the seed's loss around the current parameters (DESIGN.md, "Curvature"). Pure
 * math, no I/O. While the active set A = {i : z_i > 0} stays as it is, C is quadratic in θ = (w, b):
 *
 *   H = (2/N) Σ_{i∈A} x̃_i x̃_iᵀ  (x̃ = [x, 1]),  plus 2·l2 on the weights' diagonal
 *
 * and plain gradient descent θ ← θ − η∇C is stable for η < 2/λmax(H), fastest at η = 2/(λmax + λmin).
 */
import { norm } from './norm.js';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { ACTIVE, fusedPass, gradientFromSums, passSums, SSE } from './pass.js';

/** Rows of one split (as src/data's Rows): features row-major (n × d), targets. */
export interface RowSet {
  x: Float64Array;
  y: Float64Array;
  n: number;
}

/** The neuron's parameters, as plain numbers. */
export interface Parameters {
  w: ArrayLike<number>;
  b: number;
}

/** A row is near the kink when |z| ≤ KINK_TOLERANCE·(1 + |b| + ‖w‖·max‖x‖): z = 0 up to rounding. */
export const KINK_TOLERANCE = 1e-9;

/** z_i = w·x_i + b for row i. */
export function zOf(x: Float64Array, d: number, i: number, w: ArrayLike<number>, b: number): number {
  let z = b;
  for (let j = 0; j < d; j++) z += w[j] * x[i * d + j];
  return z;
}

/** max_i ‖x_i‖ over the rows: the scale of z's rounding error. */
export function maxRowNorm(x: Float64Array, d: number, n: number): number {
  let max = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j] * x[i * d + j];
    if (s > max) max = s;
  }
  return Math.sqrt(max);
}

/** The |z| at or below which a row counts as `near_kink` (DESIGN.md). */
export function kinkReach(params: Parameters, rowNorm: number): number {
  return KINK_TOLERANCE * (1 + Math.abs(params.b) + norm(params.w) * rowNorm);
}

/**
 * A fixed, uniform, seeded sample of k of the n rows, without replacement: the first k of a seeded
 * random permutation, in that order. So every prefix of it is a uniform sample too, and a smaller
 * sample with the same seed is a prefix of a larger one.
 */
export function sampleRows(n: number, k: number, seed: number): Uint32Array {
  const count = Math.min(n, Math.max(0, Math.floor(k)));
  const rows = new Uint32Array(count);
  if (count === n) return rows.map((_, i) => i);
  // Fisher–Yates over a virtual 0..n−1, storing only the swapped slots: O(k) time and memory.
  const gen = xoroshiro128plus(Math.imul(seed | 0, 0x9e3779b1) ^ 0x5a17c0de);
  const swapped = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const j = uniformInt(gen, i, n - 1);
    rows[i] = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
  }
  return rows;
}

/**
 * H = (2/N) Σ_{i∈A} x̃_i x̃_iᵀ (+ 2·l2 on the weights' diagonal) over the first n rows, as a row-major
 * (d+1)×(d+1) matrix with the bias last. On a uniform sample of rows it is an unbiased estimate of
 * the full H.
 */
export function hessian(x: Float64Array, d: number, n: number, params: Parameters, l2 = 0): Float64Array {
  const m = d + 1;
  const h = new Float64Array(m * m);
  const { w, b } = params;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    if (zOf(x, d, i, w, b) <= 0) continue; //     only active rows: relu'(z) = 0 elsewhere
    for (let j = 0; j < d; j++) {
      const xj = x[row + j];
      for (let l = j; l < d; l++) h[j * m + l] += xj * x[row + l]; // x_j x_l
      h[j * m + d] += xj; //                                              x_j · 1
    }
    h[d * m + d] += 1; //                                                 1 · 1
  }
  const scale = n > 0 ? 2 / n : 0;
  for (let j = 0; j < m; j++) {
    for (let l = j; l < m; l++) {
      const v = scale * h[j * m + l] + (j === l && j < d ? 2 * l2 : 0);
      h[j * m + l] = v;
      h[l * m + j] = v;
    }
  }
  return h;
}

/**
 * Eigenvalues of a symmetric m×m matrix (row-major), ascending, by cyclic Jacobi rotations.
 * Jacobi rather than a tridiagonal QR: on a positive semi-definite matrix it finds the small
 * eigenvalues to high relative accuracy (Demmel & Veselić, 1992), and λmin sets the condition number.
 */
export function symmetricEigenvalues(matrix: ArrayLike<number>, m: number): Float64Array {
  const a = Float64Array.from(matrix);
  const at = (r: number, c: number): number => r * m + c;
  for (let sweep = 0; sweep < 64; sweep++) {
    let rotated = false;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = a[at(p, q)];
        const app = a[at(p, p)];
        const aqq = a[at(q, q)];
        // Negligible beside the diagonal it couples: rotating would not change the eigenvalues.
        if (Math.abs(apq) <= Number.EPSILON * Math.sqrt(Math.abs(app * aqq)) || apq === 0) continue;
        rotated = true;
        // The rotation angle that zeroes a_pq: tan φ = t, the smaller root of t² + 2θt − 1 = 0.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.abs(theta) > 1e150 ? 1 / (2 * theta) : (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = a[at(k, p)];
          const akq = a[at(k, q)];
          a[at(k, p)] = c * akp - s * akq;
          a[at(k, q)] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = a[at(p, k)];
          const aqk = a[at(q, k)];
          a[at(p, k)] = c * apk - s * aqk;
          a[at(q, k)] = s * apk + c * aqk;
        }
        a[at(p, q)] = 0;
        a[at(q, p)] = 0;
      }
    }
    if (!rotated) break;
  }
  const eigenvalues = new Float64Array(m);
  for (let j = 0; j < m; j++) eigenvalues[j] = a[at(j, j)];
  return eigenvalues.sort();
}

/** What H says about the learning rate. Null where the quantity does not exist (no curvature). */
export interface StepSize {
  lambdaMax: number;
  lambdaMin: number;
  /** λmax/λmin; null when λmin is 0 (up to rounding): some direction has no curvature. */
  condition: number | null;
  /** 2/λmax; null when λmax = 0 (no active row and no l2: every rate is "stable"). */
  lrLimit: number | null;
  /** 2/(λmax + λmin); null when λmax = 0. */
  lrFastest: number | null;
}

/**
 * λmax, λmin and the rates they allow. H is positive semi-definite, so an eigenvalue within
 * m·ε·λmax of 0 (the rounding error of H's entries, m = d + 1) is 0: it is reported as 0 and the
 * condition number is null.
 */
export function stepSize(h: Float64Array, m: number): StepSize {
  const eigenvalues = symmetricEigenvalues(h, m);
  const lambdaMax = Math.max(0, eigenvalues[m - 1]);
  const raw = eigenvalues[0];
  const lambdaMin = Math.abs(raw) <= m * Number.EPSILON * lambdaMax || lambdaMax === 0 ? 0 : raw;
  return {
    lambdaMax,
    lambdaMin,
    condition: lambdaMin > 0 ? lambdaMax / lambdaMin : null,
    lrLimit: lambdaMax > 0 ? 2 / lambdaMax : null,
    lrFastest: lambdaMax > 0 ? 2 / (lambdaMax + lambdaMin) : null,
  };
}

/** The loss, active count and the seed's gradient (plus 2·l2·w), from the fused pass. */
export interface GradientState {
  loss: number;
  active: number;
  gradient: { weights: number[]; bias: number };
}

/**
 * One fused pass over the rows: the reference in src/neuron/pass.ts, or a bit-identical fast twin
 * (src/neuron/kernel.ts) where speed matters.
 */
export function gradientState(set: RowSet, d: number, params: Parameters, l2 = 0, pass: typeof fusedPass = fusedPass): GradientState {
  const w = Float64Array.from(params.w);
  const sums = passSums(d);
  pass(set.x, set.y, d, 0, set.n, w, params.b, sums);
  const dw = new Float64Array(d);
  const db = set.n > 0 ? gradientFromSums(sums, set.n, dw) : 0;
  for (let j = 0; j < d; j++) dw[j] += 2 * l2 * w[j]; // ∂(l2·‖w‖²)/∂w = 2·l2·w (DESIGN.md, `l2`)
  return { loss: set.n > 0 ? sums[SSE] / set.n : NaN, active: sums[ACTIVE], gradient: { weights: Array.from(dw), bias: db } };
}

/** Everything `inspect --json` prints, over all training rows (exact). */
export interface Inspection extends GradientState, StepSize {
  nearKink: number;
  /** Rows whose side of the kink differs between `before` and now; 0 without `before`. */
  flips: number;
}

/**
 * The neuron's state at `params`, exactly, over every row: loss, active count, gradient, curvature,
 * rows at the kink, and rows that changed side since `before` (the parameters entering the last epoch).
 */
export function inspectNeuron(set: RowSet, d: number, params: Parameters, options: { l2?: number; before?: Parameters | null } = {}): Inspection {
  const l2 = options.l2 ?? 0;
  const state = gradientState(set, d, params, l2);
  const curvature = stepSize(hessian(set.x, d, set.n, params, l2), d + 1);
  const reach = kinkReach(params, maxRowNorm(set.x, d, set.n));
  const before = options.before ?? null;
  let nearKink = 0;
  let flips = 0;
  for (let i = 0; i < set.n; i++) {
    const z = zOf(set.x, d, i, params.w, params.b);
    if (Math.abs(z) <= reach) nearKink++;
    if (before && z > 0 !== zOf(set.x, d, i, before.w, before.b) > 0) flips++;
  }
  return { ...state, ...curvature, nearKink, flips };
}

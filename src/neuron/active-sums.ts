/**
 * The sums of the active set A that a full-batch epoch needs, kept about a reference point θ_a
 * (θ = [w, b], x̃ = [x, 1], r_a,i = x̃_i·θ_a − y_i):
 *
 *   G = Σ_A x̃ x̃ᵀ      h = Σ_A r_a,i x̃_i      Q = Σ_A r_a,i² + Σ_{not A} y_i²      n_A
 *
 * While A is fixed, with δ = θ − θ_a (DESIGN.md, "The math"; the same sums in a different order):
 *
 *   SSE(θ) = Σ_A (r_a,i + δ·x̃_i)² + Σ_{not A} y_i² = Q + 2 δ·h + δᵀ G δ
 *   Σ_A (z_i − y_i) x̃_i = h + G δ            (the pass's gradient sums: ∂C/∂θ = (2/N)·this)
 *
 * Centred on θ_a rather than on 0, the quadratic form cancels only against the loss at θ_a, not
 * against Σ y²: an exact pass at θ_a (`reset`) gives Q and h, and `evaluate` says how many digits
 * the form lost since, so the engine takes a new exact pass before it loses too many.
 *
 * A row that changes side is one rank-1 update (`flip`). Every update's size is added to an error
 * budget (E_Q, E_h, E_G) that enters the same estimate, so accumulated rounding is bounded too.
 */
import { DB, DW, SSE, ACTIVE, type PassSums } from './pass.js';

export interface Evaluation {
  sse: number;
  /** How many times larger the rounding error bound is than u·|value|: loss and gradient. */
  kappaLoss: number;
  kappaGrad: number;
}

export class ActiveSums {
  /** d + 1: the bias is the last coordinate of θ and x̃. */
  readonly size: number;
  /** Upper triangle of G, row by row. */
  readonly G: Float64Array;
  readonly h: Float64Array;
  Q = 0;
  nA = 0;
  readonly thetaA: Float64Array;
  /** Total size of the rank-1 updates since the last exact value (the error budget). */
  errQ = 0;
  errH = 0;
  errG = 0;
  /** Σ y² over all rows, added in row order: the pass's SSE when no row is active. */
  private readonly ySquares: number;
  /** Scratch: δ, G δ, |G||δ|, the gradient sums. */
  private readonly delta: Float64Array;
  private readonly gDelta: Float64Array;
  private readonly gAbs: Float64Array;
  readonly grad: Float64Array;

  constructor(d: number, y: Float64Array, n: number) {
    this.size = d + 1;
    this.G = new Float64Array((this.size * (this.size + 1)) / 2);
    this.h = new Float64Array(this.size);
    this.thetaA = new Float64Array(this.size);
    this.delta = new Float64Array(this.size);
    this.gDelta = new Float64Array(this.size);
    this.gAbs = new Float64Array(this.size);
    this.grad = new Float64Array(this.size);
    let s = 0;
    for (let i = 0; i < n; i++) s += y[i] * y[i];
    this.ySquares = s;
  }

  /** Q and h from an exact pass at θ (pass layout), which also gives n_A. */
  reset(w: Float64Array, b: number, sums: PassSums): void {
    const d = this.size - 1;
    this.thetaA.set(w.subarray(0, d));
    this.thetaA[d] = b;
    this.Q = sums[SSE];
    for (let j = 0; j < d; j++) this.h[j] = sums[DW + j];
    this.h[d] = sums[DB];
    this.nA = sums[ACTIVE];
    this.errQ = 0;
    this.errH = 0;
  }

  /** G from scratch: call `addToG` for every active row after this. */
  clearG(): void {
    this.G.fill(0);
    this.errG = 0;
  }

  /**
   * Row x (at `row` in x, target yi) joins A (`sign` = 1) or leaves it (−1). Hand-written: the
   * rank-1 update is the per-flip cost of the engine, (d+1)(d+2)/2 multiply-adds on the triangle.
   */
  flip(x: Float64Array, row: number, yi: number, sign: 1 | -1): void {
    const size = this.size;
    const d = size - 1;
    const t = this.thetaA;
    let ra = t[d];
    let norm2 = 1;
    for (let j = 0; j < d; j++) {
      const v = x[row + j];
      ra += t[j] * v;
      norm2 += v * v;
    }
    ra -= yi; // r_a,i = x̃_i·θ_a − y_i
    this.Q += sign * (ra * ra - yi * yi);
    this.errQ += ra * ra + yi * yi;
    const s = sign * ra;
    for (let j = 0; j < d; j++) this.h[j] += s * x[row + j];
    this.h[d] += s;
    this.errH += Math.abs(ra) * Math.sqrt(norm2);
    this.addToG(x, row, sign);
    this.errG += norm2;
    this.nA += sign;
    if (this.nA === 0) {
      // Nothing is active: every sum over A is exactly zero, and the loss is Σ y² exactly as a pass adds it.
      this.G.fill(0);
      this.h.fill(0);
      this.Q = this.ySquares;
      this.errQ = this.errH = this.errG = 0;
    }
  }

  /** G += sign·x̃x̃ᵀ on the upper triangle. */
  addToG(x: Float64Array, row: number, sign: 1 | -1): void {
    const size = this.size;
    const d = size - 1;
    const G = this.G;
    let p = 0;
    for (let j = 0; j < d; j++) {
      const xj = sign * x[row + j];
      for (let k = j; k < d; k++) G[p++] += xj * x[row + k];
      G[p++] += xj; // the bias column: x̃_d = 1
    }
    G[p] += sign;
  }

  /**
   * The loss sum and gradient sums at θ (gradient in `grad`, bias last) and their condition: the
   * error bound over u·|value|. O(d²).
   */
  evaluate(w: Float64Array, b: number): Evaluation {
    const size = this.size;
    const d = size - 1;
    const { delta, gDelta, gAbs, G, h } = this;
    for (let j = 0; j < d; j++) delta[j] = w[j] - this.thetaA[j];
    delta[d] = b - this.thetaA[d];
    gDelta.fill(0);
    gAbs.fill(0);
    let p = 0;
    for (let j = 0; j < size; j++) {
      const gjj = G[p++];
      gDelta[j] += gjj * delta[j];
      gAbs[j] += Math.abs(gjj * delta[j]);
      for (let k = j + 1; k < size; k++) {
        const g = G[p++];
        gDelta[j] += g * delta[k];
        gDelta[k] += g * delta[j];
        gAbs[j] += Math.abs(g * delta[k]);
        gAbs[k] += Math.abs(g * delta[j]);
      }
    }
    let linear = 0;
    let linearAbs = 0;
    let quadratic = 0;
    let quadraticAbs = 0;
    let delta2 = 0;
    let gradBound2 = 0;
    let grad2 = 0;
    for (let j = 0; j < size; j++) {
      linear += delta[j] * h[j];
      linearAbs += Math.abs(delta[j] * h[j]);
      quadratic += delta[j] * gDelta[j];
      quadraticAbs += Math.abs(delta[j]) * gAbs[j];
      delta2 += delta[j] * delta[j];
      const g = h[j] + gDelta[j]; // Σ_A (z_i − y_i) x̃_i = h + G δ
      this.grad[j] = g;
      grad2 += g * g;
      const bound = Math.abs(h[j]) + gAbs[j];
      gradBound2 += bound * bound;
    }
    const sse = this.Q + 2 * linear + quadratic; // Q + 2 δ·h + δᵀ G δ
    const lossBound = Math.abs(this.Q) + this.errQ + 2 * linearAbs + quadraticAbs + this.errG * delta2;
    const gradBound = Math.sqrt(gradBound2) + this.errH + this.errG * Math.sqrt(delta2);
    return { sse, kappaLoss: condition(lossBound, sse), kappaGrad: condition(gradBound, Math.sqrt(grad2)) };
  }
}

/** bound/|value|; 1 when both are zero (an exact zero, e.g. no active row). */
function condition(bound: number, value: number): number {
  if (bound === 0) return 1;
  return value > 0 ? bound / value : Infinity;
}

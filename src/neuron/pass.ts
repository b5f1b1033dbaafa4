/**
 * The math of one ReLU neuron with mean squared error, as derived in Parr & Howard, "The Matrix
 * Calculus You Need For Deep Learning" (DESIGN.md, "The math"). Pure functions, no I/O.
 *
 *   z_i = w·x_i + b      a_i = max(0, z_i)      C = (1/N) Σ (y_i − a_i)²
 *   ∂C/∂w = (2/N) Σ_{i: z_i > 0} (z_i − y_i) x_iᵀ      ∂C/∂b = (2/N) Σ_{i: z_i > 0} (z_i − y_i)
 *
 * Written by hand: this loop is the whole cost of training, and it must make one fused pass.
 */

/**
 * Sums of one pass, before dividing by N, so passes over parts of the rows (mini-batches, worker
 * ranges) add up exactly: layout [Σ(y−a)², active count, Σ(z−y) over active rows, Σ(z−y)x_j ...].
 */
export type PassSums = Float64Array;

export const SSE = 0;
export const ACTIVE = 1;
export const DB = 2;
export const DW = 3;

export function passSums(d: number): PassSums {
  return new Float64Array(DW + d);
}

/**
 * One fused forward + gradient pass over rows order[start..end) of row-major x (rows start..end
 * when `order` is null); adds into `out`. Mini-batches pass their shuffled order.
 */
export function fusedPassOrdered(
  x: Float64Array,
  y: Float64Array,
  d: number,
  order: Uint32Array | null,
  start: number,
  end: number,
  w: Float64Array,
  b: number,
  out: PassSums,
): void {
  let sse = 0;
  let active = 0;
  let db = 0;
  for (let k = start; k < end; k++) {
    const i = order === null ? k : order[k];
    const row = i * d;
    let z = b; //                                z_i = w·x_i + b
    for (let j = 0; j < d; j++) z += w[j] * x[row + j];
    if (z > 0) {
      const r = z - y[i]; //                     a_i = z_i, and relu'(z_i) = 1 for z_i > 0
      sse += r * r; //                           (y_i − a_i)²
      active++;
      db += r; //                                Σ (z_i − y_i)          → ∂C/∂b
      for (let j = 0; j < d; j++) out[DW + j] += r * x[row + j]; // Σ (z_i − y_i) x_i → ∂C/∂w
    } else {
      sse += y[i] * y[i]; //                     a_i = 0 and relu'(z_i) = 0 for z_i ≤ 0
    }
  }
  out[SSE] += sse;
  out[ACTIVE] += active;
  out[DB] += db;
}

/** The fused pass over the contiguous rows [start, end): the reference every faster kernel must match. */
export function fusedPass(x: Float64Array, y: Float64Array, d: number, start: number, end: number, w: Float64Array, b: number, out: PassSums): void {
  fusedPassOrdered(x, y, d, null, start, end, w, b, out);
}

/** Loss and active count only (no gradient), for validation rows and the final loss. */
export function lossPass(x: Float64Array, y: Float64Array, d: number, n: number, w: Float64Array, b: number): { loss: number; active: number } {
  let sse = 0;
  let active = 0;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    let z = b;
    for (let j = 0; j < d; j++) z += w[j] * x[row + j];
    const a = z > 0 ? z : 0; //                  a_i = max(0, z_i)
    if (z > 0) active++;
    const r = y[i] - a;
    sse += r * r;
  }
  return { loss: sse / n, active };
}

/**
 * Turns sums over `n` rows into the gradient (2/n)·Σ and the loss (1/n)·Σ; `dw` receives ∂C/∂w.
 * Returns ∂C/∂b.
 */
export function gradientFromSums(sums: PassSums, n: number, dw: Float64Array): number {
  const scale = 2 / n;
  for (let j = 0; j < dw.length; j++) dw[j] = scale * sums[DW + j];
  return scale * sums[DB];
}

import { fusedPass, gradientFromSums, lossPass, passSums } from './pass.js';

/** The fused pass under test; injectable so a test can prove a wrong gradient is caught. */
export type GradientPass = typeof fusedPass;

export interface GradcheckRow {
  parameter: string;
  analytic: number;
  numeric: number;
  relativeError: number;
}

export interface GradcheckResult {
  loss: number;
  active: number;
  rows: GradcheckRow[];
  /** Rows whose z is within one finite-difference step of the kink at 0: there C is not smooth. */
  nearKink: number;
}

/** Relative step of the central differences: h = STEP·max(1, |θ|). */
export const STEP = 1e-6;
/** Gradients smaller than this share of the loss are compared absolutely (rounding dominates them). */
export const FLOOR = 1e-6;
/** A worst relative error below this passes. */
export const TOLERANCE = 1e-5;

/**
 * Compares the full-batch analytic gradient (∂C/∂w, ∂C/∂b from one fused pass) with central
 * differences (C(θ + h) − C(θ − h)) / 2h of the loss, one parameter at a time.
 */
export function gradcheck(
  x: Float64Array,
  y: Float64Array,
  d: number,
  n: number,
  w: Float64Array,
  b: number,
  names: readonly string[],
  pass: GradientPass = fusedPass,
): GradcheckResult {
  const sums = passSums(d);
  pass(x, y, d, 0, n, w, b, sums);
  const dw = new Float64Array(d);
  const db = gradientFromSums(sums, n, dw);
  const loss = lossPass(x, y, d, n, w, b);
  const floor = FLOOR * Math.max(1, loss.loss);
  const relative = (a: number, num: number): number => Math.abs(a - num) / Math.max(Math.abs(a), Math.abs(num), floor);

  const rows: GradcheckRow[] = [];
  const shifted = Float64Array.from(w);
  const h = Array.from(w, (wj) => STEP * Math.max(1, Math.abs(wj)));
  for (let j = 0; j < d; j++) {
    shifted[j] = w[j] + h[j];
    const up = lossPass(x, y, d, n, shifted, b).loss;
    shifted[j] = w[j] - h[j];
    const down = lossPass(x, y, d, n, shifted, b).loss;
    shifted[j] = w[j];
    const numeric = (up - down) / (2 * h[j]);
    rows.push({ parameter: `w[${names[j] ?? j}]`, analytic: dw[j], numeric, relativeError: relative(dw[j], numeric) });
  }
  const hb = STEP * Math.max(1, Math.abs(b));
  const numericB = (lossPass(x, y, d, n, w, b + hb).loss - lossPass(x, y, d, n, w, b - hb).loss) / (2 * hb);
  rows.push({ parameter: 'b', analytic: db, numeric: numericB, relativeError: relative(db, numericB) });

  let nearKink = 0;
  for (let i = 0; i < n; i++) {
    let z = b;
    let reach = hb;
    for (let j = 0; j < d; j++) {
      z += w[j] * x[i * d + j];
      reach = Math.max(reach, h[j] * Math.abs(x[i * d + j]));
    }
    if (Math.abs(z) <= reach) nearKink++;
  }
  return { loss: loss.loss, active: loss.active, rows, nearKink };
}

/**
 * The neuron page's data, computed from plain inputs (rows, parameters, the previous sides), so the
 * page can be drawn from any source: the live run, a test, a script. Pure; no Ink here.
 */
import {
  gradientState,
  hessian,
  kinkReach,
  maxRowNorm,
  sampleRows,
  stepSize,
  zOf,
  type Parameters,
  type RowSet,
  type StepSize,
} from '../../neuron/curvature.js';

/** Rows in the fit's scatter and the kink's histogram: a fixed, seeded sample. */
export const FIT_ROWS = 2000;

/**
 * Work per figure and frame, in multiply-adds (about 3–5 ms in JavaScript, 5% of a 10 Hz frame
 * interval): beyond it, a figure comes from a fixed uniform sample of rows, labelled "≈ from k rows".
 */
export const FRAME_BUDGET = 2 ** 22;

export interface NeuronPageInput {
  rows: RowSet;
  d: number;
  features: readonly string[];
  weights: ArrayLike<number>;
  bias: number;
  /**
   * The `sides` of this function's result at the parameters entering the last epoch (same rows,
   * seed and budget; `sidesAt` computes them), or null when unknown: then flips are null.
   */
  previousSides: Uint8Array | null;
  l2?: number;
  /** Seeds the samples; the config's seed keeps them fixed for a run. */
  seed?: number;
  budget?: number;
  /** max‖x_i‖ over the rows; constant for a dataset, so a caller may compute it once. */
  maxRowNorm?: number;
}

export interface NeuronPageData {
  /** Training rows. */
  n: number;
  d: number;
  features: readonly string[];
  weights: number[];
  bias: number;
  /** Rows that loss, active, gradient, near-kink, flips and dead share are counted on: n, or a sample's size. */
  counted: number;
  loss: number;
  /** Active rows among the counted ones. */
  active: number;
  deadShare: number;
  nearKink: number;
  /** Counted rows that changed side since `previousSides`; null without them. */
  flips: number | null;
  gradient: { weights: number[]; bias: number };
  /** λmax, λmin and the rates they allow, from `rows` rows (n when exact). */
  curvature: StepSize & { rows: number };
  /** Sides of the counted rows, to pass back as `previousSides`. */
  sides: Uint8Array;
  /** The fit's and histogram's sample (≤ FIT_ROWS rows): z, target, and the feature when d = 1. */
  sample: { z: Float64Array; target: Float64Array; feature: Float64Array | null };
}

/** The rows a figure costing `perRow` multiply-adds a row is computed on: null for all of them. */
function rowsWithin(n: number, perRow: number, budget: number, seed: number): Uint32Array | null {
  return n * perRow <= budget ? null : sampleRows(n, Math.max(FIT_ROWS, Math.floor(budget / perRow)), seed);
}

/** The rows counted for loss, gradient, kink and flips (null: all of them). */
export function countedRows(n: number, d: number, budget = FRAME_BUDGET, seed = 0): Uint32Array | null {
  return rowsWithin(n, d + 1, budget, seed);
}

/** Sides of the counted rows at other parameters: the `previousSides` for the parameters entering an epoch. */
export function sidesAt(input: Pick<NeuronPageInput, 'rows' | 'd' | 'budget' | 'seed'>, params: Parameters): Uint8Array {
  const { rows, d } = input;
  const counted = countedRows(rows.n, d, input.budget, input.seed);
  const count = counted ? counted.length : rows.n;
  const out = new Uint8Array(count);
  for (let k = 0; k < count; k++) out[k] = zOf(rows.x, d, counted ? counted[k] : k, params.w, params.b) > 0 ? 1 : 0;
  return out;
}

export function neuronPageData(input: NeuronPageInput): NeuronPageData {
  const { rows, d } = input;
  const { n } = rows;
  const budget = input.budget ?? FRAME_BUDGET;
  const seed = input.seed ?? 0;
  const l2 = input.l2 ?? 0;
  const params: Parameters = { w: Float64Array.from(input.weights), b: input.bias };

  const counted = countedRows(n, d, budget, seed);
  const count = counted ? counted.length : n;
  const state = gradientState(rows, d, params, counted, l2);
  const reach = kinkReach(params, input.maxRowNorm ?? maxRowNorm(rows.x, d, n, counted));
  const previous = input.previousSides !== null && input.previousSides.length === count ? input.previousSides : null;
  const sides = new Uint8Array(count);
  let nearKink = 0;
  let flips = 0;
  for (let k = 0; k < count; k++) {
    const z = zOf(rows.x, d, counted ? counted[k] : k, params.w, params.b);
    sides[k] = z > 0 ? 1 : 0;
    if (Math.abs(z) <= reach) nearKink++;
    if (previous && previous[k] !== sides[k]) flips++;
  }

  // H costs (d+1)(d+2)/2 multiply-adds an active row.
  const hessianRows = rowsWithin(n, ((d + 1) * (d + 2)) / 2, budget, seed);
  const curvature = stepSize(hessian(rows.x, d, n, params, hessianRows, l2), d + 1);

  const fit = sampleRows(n, FIT_ROWS, seed);
  const z = new Float64Array(fit.length);
  const target = new Float64Array(fit.length);
  const feature = d === 1 ? new Float64Array(fit.length) : null;
  for (let k = 0; k < fit.length; k++) {
    z[k] = zOf(rows.x, d, fit[k], params.w, params.b);
    target[k] = rows.y[fit[k]];
    if (feature) feature[k] = rows.x[fit[k]];
  }

  return {
    n,
    d,
    features: input.features,
    weights: Array.from(params.w),
    bias: params.b,
    counted: count,
    loss: state.loss,
    active: state.active,
    deadShare: count > 0 ? 1 - state.active / count : 1,
    nearKink,
    flips: previous ? flips : null,
    gradient: state.gradient,
    curvature: { ...curvature, rows: hessianRows ? hessianRows.length : n },
    sides,
    sample: { z, target, feature },
  };
}

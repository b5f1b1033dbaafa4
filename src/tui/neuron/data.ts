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
import { generatedKernel } from '../../neuron/kernel.js';

/** Rows in the fit's scatter and the kink's histogram: a fixed, seeded sample. */
export const FIT_ROWS = 2000;

/**
 * Work per figure and frame, in multiply-adds (a millisecond or two in JavaScript): beyond it, a
 * figure comes from a fixed uniform sample of rows, labelled "≈ from k rows". The frame's cost is
 * measured in scripts/bench.mjs ("neuron page").
 */
export const FRAME_BUDGET = 2 ** 20;

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
  /** max‖x_i‖ over all rows (constant for a dataset); computed once per rows array when absent. */
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

/**
 * The sample, gathered once into contiguous rows in its random order, so that each frame reads it
 * as fast as the first rows of the data (scattered rows cost a cache miss each), and any prefix of
 * it is a uniform sample. Kept per rows array: a cache, not state, for the result is the same.
 */
const gatheredSamples = new WeakMap<Float64Array, Map<string, RowSet>>();
const rowNorms = new WeakMap<Float64Array, number>();

function gathered(rows: RowSet, d: number, k: number, seed: number): RowSet {
  let byKey = gatheredSamples.get(rows.x);
  if (!byKey) gatheredSamples.set(rows.x, (byKey = new Map()));
  const key = `${rows.n}:${k}:${seed}`;
  let set = byKey.get(key);
  if (!set) {
    const order = sampleRows(rows.n, k, seed);
    set = { x: new Float64Array(order.length * d), y: new Float64Array(order.length), n: order.length };
    for (let s = 0; s < order.length; s++) {
      set.x.set(rows.x.subarray(order[s] * d, order[s] * d + d), s * d);
      set.y[s] = rows.y[order[s]];
    }
    byKey.set(key, set);
  }
  return set;
}

/** The first `n` rows of a row set. */
const prefix = (set: RowSet, n: number): RowSet => ({ x: set.x, y: set.y, n: Math.min(n, set.n) });

interface Plan {
  /** Rows of loss, gradient, kink and flips: all rows, or a prefix of the sample. */
  counted: RowSet;
  /** Rows of H. */
  curvature: RowSet;
  /** Rows of the fit and the histogram. */
  fit: RowSet;
}

/** Which rows each figure uses: all when n·(cost a row) is within the budget, else a sample's prefix. */
function plan(rows: RowSet, d: number, budget: number, seed: number): Plan {
  const { n } = rows;
  const zCost = d + 1; //                 z, and the gradient sums of an active row
  const hCost = ((d + 1) * (d + 2)) / 2; // H's upper triangle for an active row
  const size = (cost: number): number => (n * cost <= budget ? n : Math.max(FIT_ROWS, Math.floor(budget / cost)));
  const sample = gathered(rows, d, Math.min(n, Math.max(FIT_ROWS, size(zCost) < n ? size(zCost) : 0, size(hCost) < n ? size(hCost) : 0)), seed);
  const pick = (k: number): RowSet => (k >= n ? rows : prefix(sample, k));
  return { counted: pick(size(zCost)), curvature: pick(size(hCost)), fit: prefix(sample, FIT_ROWS) };
}

/** z > 0 for each counted row (1: active), in the order the page counts them. */
function sidesOf(set: RowSet, d: number, params: Parameters): Uint8Array {
  const out = new Uint8Array(set.n);
  for (let i = 0; i < set.n; i++) out[i] = zOf(set.x, d, i, params.w, params.b) > 0 ? 1 : 0;
  return out;
}

/** Sides of the counted rows at other parameters: the `previousSides` for the parameters entering an epoch. */
export function sidesAt(input: Pick<NeuronPageInput, 'rows' | 'd' | 'budget' | 'seed'>, params: Parameters): Uint8Array {
  return sidesOf(plan(input.rows, input.d, input.budget ?? FRAME_BUDGET, input.seed ?? 0).counted, input.d, params);
}

export function neuronPageData(input: NeuronPageInput): NeuronPageData {
  const { rows, d } = input;
  const { n } = rows;
  const l2 = input.l2 ?? 0;
  const params: Parameters = { w: Float64Array.from(input.weights), b: input.bias };
  const { counted, curvature, fit } = plan(rows, d, input.budget ?? FRAME_BUDGET, input.seed ?? 0);

  const state = gradientState(counted, d, params, l2, generatedKernel(d));
  let rowNorm = input.maxRowNorm ?? rowNorms.get(rows.x);
  if (rowNorm === undefined) rowNorms.set(rows.x, (rowNorm = maxRowNorm(rows.x, d, n)));
  const reach = kinkReach(params, rowNorm);
  const previous = input.previousSides !== null && input.previousSides.length === counted.n ? input.previousSides : null;
  const sides = new Uint8Array(counted.n);
  let nearKink = 0;
  let flips = 0;
  for (let i = 0; i < counted.n; i++) {
    const z = zOf(counted.x, d, i, params.w, params.b);
    sides[i] = z > 0 ? 1 : 0; //  as sidesOf
    if (Math.abs(z) <= reach) nearKink++;
    if (previous && previous[i] !== sides[i]) flips++;
  }

  const z = new Float64Array(fit.n);
  for (let i = 0; i < fit.n; i++) z[i] = zOf(fit.x, d, i, params.w, params.b);

  return {
    n,
    d,
    features: input.features,
    weights: Array.from(params.w),
    bias: params.b,
    counted: counted.n,
    loss: state.loss,
    active: state.active,
    deadShare: counted.n > 0 ? 1 - state.active / counted.n : 1,
    nearKink,
    flips: previous ? flips : null,
    gradient: state.gradient,
    curvature: { ...stepSize(hessian(curvature.x, d, curvature.n, params, l2), d + 1), rows: curvature.n },
    sides,
    sample: { z, target: fit.y.slice(0, fit.n), feature: d === 1 ? fit.x.slice(0, fit.n) : null },
  };
}

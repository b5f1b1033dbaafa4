import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadDataset, type Dataset, type Rows } from '../../src/data/dataset.js';
import { hessian, inspectNeuron, sampleRows, stepSize, symmetricEigenvalues, type Parameters } from '../../src/neuron/curvature.js';
import { Trainer } from '../../src/train/trainer.js';
import { config, dataset, randomRows, ROOT, rows } from '../helpers.js';

// ---- An independent reference, written from the definitions in DESIGN.md ("Curvature") ----

function z(set: Rows, d: number, i: number, p: Parameters): number {
  let s = p.b;
  for (let j = 0; j < d; j++) s += p.w[j] * set.x[i * d + j];
  return s;
}

/** H as a plain nested array: (2/N) Σ over active rows of x̃ x̃ᵀ, x̃ = [x, 1], plus 2·l2 on the weights. */
function referenceHessian(set: Rows, d: number, p: Parameters, l2 = 0): number[][] {
  const m = d + 1;
  const h = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < set.n; i++) {
    if (!(z(set, d, i, p) > 0)) continue;
    const xt = [...Array.from(set.x.subarray(i * d, i * d + d)), 1];
    for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) h[r][c] += (2 / set.n) * xt[r] * xt[c];
  }
  for (let j = 0; j < d; j++) h[j][j] += 2 * l2;
  return h;
}

/** Eigenvalues of h below σ, by Sylvester's law of inertia: the negative pivots of LDLᵀ(h − σI). */
function countBelow(h: number[][], sigma: number): number {
  const m = h.length;
  const a = h.map((row, r) => row.map((v, c) => v - (r === c ? sigma : 0)));
  let negative = 0;
  for (let k = 0; k < m; k++) {
    const pivot = a[k][k] === 0 ? -1e-300 : a[k][k];
    if (pivot < 0) negative++;
    for (let r = k + 1; r < m; r++) {
      const f = a[r][k] / pivot;
      for (let c = k + 1; c < m; c++) a[r][c] -= f * a[k][c];
    }
  }
  return negative;
}

/** The k-th smallest eigenvalue (k = 1..m) by bisection on the inertia count. */
function eigenvalueByBisection(h: number[][], k: number): number {
  const radius = Math.max(...h.map((row) => row.reduce((s, v) => s + Math.abs(v), 0))); // Gershgorin
  let lo = -radius - 1;
  let hi = radius + 1;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (countBelow(h, mid) >= k) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

function referenceGradient(set: Rows, d: number, p: Parameters): number[] {
  const g = new Array<number>(d + 1).fill(0);
  for (let i = 0; i < set.n; i++) {
    const zi = z(set, d, i, p);
    if (!(zi > 0)) continue;
    for (let j = 0; j < d; j++) g[j] += (2 / set.n) * (zi - set.y[i]) * set.x[i * d + j];
    g[d] += (2 / set.n) * (zi - set.y[i]);
  }
  return g;
}

function referenceNearKink(set: Rows, d: number, p: Parameters): number {
  let maxNorm = 0;
  for (let i = 0; i < set.n; i++) maxNorm = Math.max(maxNorm, Math.hypot(...set.x.subarray(i * d, i * d + d)));
  const reach = 1e-9 * (1 + Math.abs(p.b) + Math.hypot(...Array.from(p.w)) * maxNorm);
  let count = 0;
  for (let i = 0; i < set.n; i++) if (Math.abs(z(set, d, i, p)) <= reach) count++;
  return count;
}

function referenceFlips(set: Rows, d: number, before: Parameters, after: Parameters): number {
  let count = 0;
  for (let i = 0; i < set.n; i++) if (z(set, d, i, before) > 0 !== z(set, d, i, after) > 0) count++;
  return count;
}

function fromConfig(file: string): { data: Dataset; trainer: () => Trainer } {
  const loaded = loadConfig(join(ROOT, file));
  const data = loadDataset(loaded);
  let t = 0;
  return { data, trainer: () => new Trainer(loaded.config, data, { clock: () => t++ }) };
}

const oneFeature = (): { data: Dataset; trainer: () => Trainer } => {
  const train = randomRows(300, 1, 11, (x) => Math.max(0, 1.5 * x[0] - 0.2) + 0.1 * Math.sin(40 * x[0]));
  const data = dataset(train, 1);
  let t = 0;
  return { data, trainer: () => new Trainer(config({ learning_rate: 0.1, epochs: 100, seed: 3 }), data, { clock: () => t++ }) };
};

const DATASETS: [string, () => { data: Dataset; trainer: () => Trainer }][] = [
  ['configs/linear.yaml (500 × 3)', () => fromConfig('configs/linear.yaml')],
  ['configs/early-stopping.yaml (houses, standardized, 20% held out)', () => fromConfig('configs/early-stopping.yaml')],
  ['configs/synthetic.yaml (2000 × 4, a zero true weight)', () => fromConfig('configs/synthetic.yaml')],
  ['configs/minibatch.yaml (mini-batches of 32)', () => fromConfig('configs/minibatch.yaml')],
  ['one feature (closed form)', oneFeature],
];

describe('symmetricEigenvalues', () => {
  it('matches the closed form of a 2×2 matrix', () => {
    for (const [a, b, c] of [
      [2, 1, 3],
      [1e-8, 0, 5],
      [4, 2, 1],
      [1, 1e-12, 1],
    ]) {
      const mean = (a + c) / 2;
      const r = Math.hypot((a - c) / 2, b);
      const [low, high] = symmetricEigenvalues([a, b, b, c], 2);
      expect(low).toBeCloseTo(mean - r, 12);
      expect(high).toBeCloseTo(mean + r, 12);
    }
  });

  it('finds the eigenvalues of a matrix built from known ones (QΛQᵀ with a Householder Q)', () => {
    const lambda = [1e-6, 0.5, 2, 2, 7, 30];
    const m = lambda.length;
    const v = [0.3, -1.2, 0.7, 0.1, 2.2, -0.4];
    const vv = v.reduce((s, x) => s + x * x, 0);
    const q = (r: number, c: number): number => (r === c ? 1 : 0) - (2 * v[r] * v[c]) / vv;
    const a: number[] = [];
    for (let r = 0; r < m; r++) for (let c = 0; c < m; c++) a.push(lambda.reduce((s, l, k) => s + q(r, k) * l * q(c, k), 0));
    const found = symmetricEigenvalues(a, m);
    lambda.forEach((l, k) => expect(Math.abs(found[k] - l)).toBeLessThan(1e-13 * 30));
  });
});

describe('inspectNeuron against an independent eigen-decomposition', () => {
  for (const [name, make] of DATASETS) {
    for (const epoch of [0, 50]) {
      it(`${name}, epoch ${epoch}: λmin, λmax, limits, gradient, near_kink, flips`, () => {
        const { data, trainer: newTrainer } = make();
        const trainer = newTrainer();
        let before: Parameters | null = null;
        while (trainer.epoch < epoch) {
          before = { w: Float64Array.from(trainer.w), b: trainer.b };
          trainer.runEpoch();
        }
        expect(trainer.epoch).toBe(epoch);
        const set = data.train;
        const d = data.d;
        const p: Parameters = { w: Float64Array.from(trainer.w), b: trainer.b };
        const state = inspectNeuron(set, d, p, { before });

        const h = referenceHessian(set, d, p);
        const m = d + 1;
        const lambdaMin = m === 2 ? (h[0][0] + h[1][1]) / 2 - Math.hypot((h[0][0] - h[1][1]) / 2, h[0][1]) : eigenvalueByBisection(h, 1);
        const lambdaMax = m === 2 ? (h[0][0] + h[1][1]) / 2 + Math.hypot((h[0][0] - h[1][1]) / 2, h[0][1]) : eigenvalueByBisection(h, m);
        expect(lambdaMin).toBeGreaterThan(0);
        expect(state.lambdaMax).toBeCloseTo(lambdaMax, 10);
        expect(Math.abs(state.lambdaMin - lambdaMin) / lambdaMin).toBeLessThan(1e-9);
        expect(state.condition).toBeCloseTo(lambdaMax / lambdaMin, 6);
        expect(state.lrLimit).toBeCloseTo(2 / lambdaMax, 10);
        expect(state.lrFastest).toBeCloseTo(2 / (lambdaMax + lambdaMin), 10);

        const g = referenceGradient(set, d, p);
        state.gradient.weights.forEach((gj, j) => expect(gj).toBeCloseTo(g[j], 10));
        expect(state.gradient.bias).toBeCloseTo(g[d], 10);
        expect(state.nearKink).toBe(referenceNearKink(set, d, p));
        expect(state.flips).toBe(before ? referenceFlips(set, d, before, p) : 0);
      });
    }
  }

  it('counts rows exactly at the kink and just off it', () => {
    // w = (1, −1), b = 0: z = x1 − x2 is exactly 0 when x1 = x2, 1e-12 off it is within reach, 1e-6 is not.
    const set = rows(
      [
        [0.5, 0.5],
        [3, 3],
        [2, 2 - 1e-12],
        [1, 1 + 1e-6],
        [1, 0],
        [0, 1],
      ],
      [1, 1, 1, 1, 1, 1],
    );
    const p = { w: [1, -1], b: 0 };
    const state = inspectNeuron(set, 2, p);
    expect(state.nearKink).toBe(3);
    expect(state.nearKink).toBe(referenceNearKink(set, 2, p));
    expect(state.active).toBe(2); // 2 − (2 − 1e-12) > 0 and 1 − 0 > 0; z = 0 is inactive
  });

  it('counts rows that changed side in an epoch of a large learning rate', () => {
    const { data, trainer: newTrainer } = fromConfig('configs/diverging.yaml');
    const trainer = newTrainer();
    for (let e = 0; e < 3; e++) trainer.runEpoch();
    const before = { w: Float64Array.from(trainer.w), b: trainer.b };
    trainer.runEpoch();
    const p = { w: trainer.w, b: trainer.b };
    const state = inspectNeuron(data.train, data.d, p, { before });
    expect(state.flips).toBeGreaterThan(10);
    expect(state.flips).toBe(referenceFlips(data.train, data.d, before, p));
  });

  it("adds 2·l2 to the weights' diagonal and 2·l2·w to the weights' gradient", () => {
    const { data } = fromConfig('configs/linear.yaml');
    const p = { w: [0.3, -0.2, 0.1], b: 1 };
    const plain = inspectNeuron(data.train, 3, p);
    const l2 = 0.25;
    const ridge = inspectNeuron(data.train, 3, p, { l2 });
    ridge.gradient.weights.forEach((g, j) => expect(g).toBeCloseTo(plain.gradient.weights[j] + 2 * l2 * p.w[j], 12));
    expect(ridge.gradient.bias).toBe(plain.gradient.bias);
    const h = referenceHessian(data.train, 3, p, l2);
    expect(ridge.lambdaMax).toBeCloseTo(eigenvalueByBisection(h, 4), 10);
    expect(ridge.lambdaMin).toBeCloseTo(eigenvalueByBisection(h, 1), 10);
  });

  it('has no curvature, no limit and no condition when no row is active', () => {
    const { data } = fromConfig('configs/dead.yaml');
    const state = inspectNeuron(data.train, 3, { w: [0, 0, 0], b: -1 });
    expect(state).toMatchObject({ active: 0, lambdaMax: 0, lambdaMin: 0, condition: null, lrLimit: null, lrFastest: null });
    expect(state.gradient).toEqual({ weights: [0, 0, 0], bias: 0 });
  });

  it('reports λmin = 0 and no condition when H is singular (a feature that is always 0)', () => {
    const train = randomRows(200, 2, 5, (x) => 2 + x[0]);
    for (let i = 0; i < train.n; i++) train.x[i * 2 + 1] = 0;
    const state = inspectNeuron(train, 2, { w: [1, 0.5], b: 2 });
    expect(state.lambdaMin).toBe(0);
    expect(state.condition).toBeNull();
    expect(state.lrLimit).toBeCloseTo(2 / eigenvalueByBisection(referenceHessian(train, 2, { w: [1, 0.5], b: 2 }), 3), 10);
  });
});

describe('the stability limit 2/λmax is real', () => {
  // Every row active with targets far above the kink: C is exactly quadratic around the optimum
  // θ* = (w*, b*), which is known, and the error along H's top eigenvector is multiplied by
  // 1 − ηλmax per step. b* is large so that the rows stay active while that error grows a thousandfold.
  const wStar = [0.8, -0.5];
  const bStar = 1e4;
  const train = randomRows(400, 2, 21, (x) => wStar[0] * x[0] + wStar[1] * x[1] + bStar);
  const data = dataset(train, 2);
  const start = { weights: [wStar[0] + 0.01, wStar[1] - 0.02], bias: bStar + 0.015 };
  const limit = inspectNeuron(train, 2, { w: start.weights, b: start.bias }).lrLimit as number;

  function run(rate: number, epochs: number): { distance: number[]; loss: number[]; allActive: boolean } {
    let t = 0;
    const trainer = new Trainer(config({ learning_rate: rate, epochs, init: start }), data, { clock: () => t++ });
    const distance: number[] = [];
    const loss: number[] = [];
    let allActive = true;
    while (trainer.status === null) {
      const event = trainer.runEpoch();
      if (event.active_ratio < 1) allActive = false;
      loss.push(event.loss);
      distance.push(Math.hypot(trainer.w[0] - wStar[0], trainer.w[1] - wStar[1], trainer.b - bStar));
    }
    return { distance, loss, allActive };
  }

  it('just below the limit (0.98 × 2/λmax) converges to the optimum', () => {
    const below = run(0.98 * limit, 600);
    expect(below.allActive).toBe(true);
    expect(below.distance[below.distance.length - 1]).toBeLessThan(1e-6);
  });

  it('just above the limit (1.02 × 2/λmax) diverges: the loss grows without bound while every row is active', () => {
    const above = run(1.02 * limit, 250);
    expect(above.allActive).toBe(true);
    // 240 steps at |1 − 1.02·2| = 1.04 multiply the top-eigenvector error by about 1.2e4.
    expect(above.distance[249]).toBeGreaterThan(1e3 * above.distance[9]);
    expect(above.loss[249]).toBeGreaterThan(1e6 * above.loss[9]);
    for (let e = 50; e < 250; e++) expect(above.loss[e]).toBeGreaterThan(above.loss[e - 1]);
  });

  it('holds with a sample-based estimate too (the same fixed active set)', () => {
    const sample = sampleRows(train.n, 200, 1);
    const x = new Float64Array(200 * 2);
    sample.forEach((i, k) => x.set(train.x.subarray(i * 2, i * 2 + 2), k * 2));
    const h = hessian(x, 2, 200, { w: start.weights, b: start.bias });
    const estimate = stepSize(h, 3).lrLimit as number;
    expect(Math.abs(estimate - limit) / limit).toBeLessThan(0.2);
  });
});

describe('sampleRows', () => {
  it('is a fixed set of distinct rows, and a smaller sample is the start of a larger one', () => {
    const big = sampleRows(1_000_000, 5000, 7);
    const small = sampleRows(1_000_000, 2000, 7);
    expect(Array.from(sampleRows(1_000_000, 5000, 7))).toEqual(Array.from(big));
    expect(new Set(big).size).toBe(5000);
    expect(Math.max(...big)).toBeLessThan(1_000_000);
    expect(Array.from(small)).toEqual(Array.from(big.subarray(0, 2000)));
    expect(Array.from(sampleRows(1_000_000, 5000, 8))).not.toEqual(Array.from(big));
    expect(Array.from(sampleRows(10, 50, 7)).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('is uniform: each tenth of the rows gets about a tenth of the sample', () => {
    const sample = sampleRows(100_000, 20_000, 3);
    const tenths = new Array<number>(10).fill(0);
    for (const i of sample) tenths[Math.floor(i / 10_000)]++;
    // 2000 expected per tenth; the standard deviation is about 42.
    for (const count of tenths) expect(Math.abs(count - 2000)).toBeLessThan(200);
  });
});

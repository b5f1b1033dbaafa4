import { describe, expect, it } from 'vitest';
import type { OptimizerConfig, RunConfig, ScheduleConfig } from '../../src/config/types.js';
import type { Rows } from '../../src/data/dataset.js';
import type { EpochEvent } from '../../src/train/events.js';
import { Trainer } from '../../src/train/trainer.js';
import { config, dataset, randomRows, rows } from '../helpers.js';

/**
 * Every optimizer and schedule against a reference written here from DESIGN.md's formulas
 * ("Optimizers and schedules", "The math"), with plain arrays and nothing from src/neuron or
 * src/train: per-epoch loss and learning rate, and the final parameters, to 1e-12 relative.
 */

interface Setup {
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  batch: 'full' | number;
  l2: number;
  lr: number;
  epochs: number;
  w0: number[];
  b0: number;
}

interface Trace {
  losses: number[];
  rates: number[];
  w: number[];
  b: number;
}

/** The seed's gradient and summed squared error over rows [start, end) at (w, b). */
function batchGradient(data: Rows, d: number, start: number, end: number, w: number[], b: number) {
  let sse = 0;
  const gw = new Array<number>(d).fill(0);
  let gb = 0;
  for (let i = start; i < end; i++) {
    const xi = Array.from(data.x.subarray(i * d, i * d + d));
    const z = xi.reduce((s, v, j) => s + w[j] * v, b); // z = w·x + b
    const a = Math.max(0, z);
    sse += (data.y[i] - a) ** 2;
    if (z > 0) {
      for (let j = 0; j < d; j++) gw[j] += (z - data.y[i]) * xi[j];
      gb += z - data.y[i];
    }
  }
  const rows = end - start;
  return { sse, gw: gw.map((g) => (2 / rows) * g), gb: (2 / rows) * gb };
}

function reference(data: Rows, d: number, s: Setup): Trace {
  let w = [...s.w0];
  let b = s.b0;
  const theta = (): number[] => [...w, b];
  const k = d + 1;
  let v = new Array<number>(k).fill(0);
  let m = new Array<number>(k).fill(0);
  let sq = new Array<number>(k).fill(0);
  let t = 0;
  let plateauRate = s.lr;
  let best = Infinity;
  let bad = 0;
  const losses: number[] = [];
  const rates: number[] = [];
  const size = s.batch === 'full' ? data.n : s.batch;
  for (let e = 1; e <= s.epochs; e++) {
    const sch = s.schedule;
    let eta =
      sch.type === 'constant'
        ? s.lr
        : sch.type === 'step'
          ? s.lr * Math.pow(sch.factor, Math.floor((e - 1) / sch.every))
          : sch.type === 'exponential'
            ? s.lr * Math.pow(sch.factor, e - 1)
            : sch.type === 'cosine'
              ? sch.min + ((s.lr - sch.min) * (1 + Math.cos((Math.PI * (e - 1)) / s.epochs))) / 2
              : plateauRate;
    if (sch.warmup_epochs > 0 && e <= sch.warmup_epochs) eta *= e / sch.warmup_epochs;
    rates.push(eta);
    let sse = 0;
    for (let start = 0; start < data.n; start += size) {
      const g = batchGradient(data, d, start, Math.min(data.n, start + size), w, b);
      sse += g.sse;
      const grad = [...g.gw.map((gj, j) => gj + 2 * s.l2 * w[j]), g.gb];
      const p = theta();
      const o = s.optimizer;
      t++;
      let next: number[];
      if (o.type === 'sgd') next = p.map((pj, j) => pj - eta * grad[j]);
      else if (o.type === 'momentum') {
        v = v.map((vj, j) => o.momentum * vj + grad[j]);
        next = p.map((pj, j) => pj - eta * (o.nesterov ? grad[j] + o.momentum * v[j] : v[j]));
      } else {
        m = m.map((mj, j) => o.beta1 * mj + (1 - o.beta1) * grad[j]);
        sq = sq.map((sj, j) => o.beta2 * sj + (1 - o.beta2) * grad[j] * grad[j]);
        next = p.map((pj, j) => {
          const mHat = m[j] / (1 - Math.pow(o.beta1, t));
          const sHat = sq[j] / (1 - Math.pow(o.beta2, t));
          return pj - (eta * mHat) / (Math.sqrt(sHat) + o.epsilon);
        });
      }
      w = next.slice(0, d);
      b = next[d];
    }
    const loss = sse / data.n;
    losses.push(loss);
    if (sch.type === 'plateau') {
      if (loss < best) {
        best = loss;
        bad = 0;
      } else bad++;
      if (bad > sch.patience) {
        const cut = Math.max(plateauRate * sch.factor, sch.min);
        if (plateauRate - cut > 1e-8) plateauRate = cut;
        bad = 0;
      }
    }
  }
  return { losses, rates, w, b };
}

function train(data: Rows, d: number, s: Setup): { events: EpochEvent[]; w: number[]; b: number } {
  const c: RunConfig = config({
    learning_rate: s.lr,
    epochs: s.epochs,
    batch_size: s.batch,
    shuffle: false,
    init: { weights: s.w0, bias: s.b0 },
    optimizer: s.optimizer,
    schedule: s.schedule,
    l2: s.l2,
  });
  let t = 0;
  const trainer = new Trainer(c, dataset(data, d), { clock: () => t++ });
  const events: EpochEvent[] = [];
  while (trainer.status === null) events.push(trainer.runEpoch());
  return { events, w: Array.from(trainer.w), b: trainer.b };
}

function expectClose(actual: number, expected: number, what: string): void {
  const scale = Math.max(Math.abs(actual), Math.abs(expected));
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-12 * scale);
}

const DATASETS: { name: string; data: Rows; d: number; w0: number[]; b0: number; lr: number }[] = [
  {
    // Some targets are 0 (the relu's flat side): rows leave and join the active set during training.
    name: 'random 3 features, partly inactive',
    data: randomRows(60, 3, 11, (x) => Math.max(0, 0.8 * x[0] - 1.2 * x[1] + 0.3 * x[2] + 0.2) + 0.05 * Math.sin(9 * x[0])),
    d: 3,
    w0: [0.3, -0.2, 0.1],
    b0: 0.5,
    lr: 0.05,
  },
  {
    // Features on different scales, all rows active.
    name: 'two features on different scales',
    data: rows(
      [
        [1, 10],
        [2, 14],
        [3, 9],
        [4, 20],
        [5, 16],
        [6, 11],
        [7, 25],
      ],
      [3.1, 4.9, 4.2, 8.8, 7.9, 7.1, 11.6],
    ),
    d: 2,
    w0: [0.1, 0.1],
    b0: 0.2,
    lr: 0.002,
  },
];

const OPTIMIZERS: OptimizerConfig[] = [
  { type: 'sgd' },
  { type: 'momentum', momentum: 0.9, nesterov: false },
  { type: 'momentum', momentum: 0.8, nesterov: true },
  { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
];

const SCHEDULES: ScheduleConfig[] = [
  { type: 'constant', warmup_epochs: 0 },
  { type: 'step', every: 7, factor: 0.5, warmup_epochs: 0 },
  { type: 'exponential', factor: 0.95, warmup_epochs: 0 },
  { type: 'cosine', min: 0.0001, warmup_epochs: 0 },
  { type: 'plateau', factor: 0.5, patience: 2, min: 0.0002, warmup_epochs: 0 },
  { type: 'constant', warmup_epochs: 5 },
  { type: 'cosine', min: 0, warmup_epochs: 4 },
];

function compare(data: Rows, d: number, s: Setup): Trace {
  const expected = reference(data, d, s);
  const actual = train(data, d, s);
  expect(actual.events).toHaveLength(s.epochs);
  actual.events.forEach((e, i) => {
    expectClose(e.loss, expected.losses[i], `loss of epoch ${i + 1}`);
    expectClose(e.learning_rate, expected.rates[i], `rate of epoch ${i + 1}`);
  });
  actual.w.forEach((wj, j) => expectClose(wj, expected.w[j], `w${j + 1}`));
  expectClose(actual.b, expected.b, 'b');
  return expected;
}

describe.each(DATASETS)('on $name', ({ data, d, w0, b0, lr }) => {
  const size = Math.ceil(data.n / 3) - 1; // batches of unequal sizes: the last one is shorter
  for (const optimizer of OPTIMIZERS) {
    const label = `${optimizer.type}${'nesterov' in optimizer && optimizer.nesterov ? ' (nesterov)' : ''}`;
    for (const batch of ['full', size] as const) {
      it(`${label}, ${batch === 'full' ? 'full batch' : `mini-batches of ${batch}`}: losses and parameters match the formulas`, () => {
        compare(data, d, { optimizer, schedule: SCHEDULES[0], batch, l2: 0, lr, epochs: 40, w0, b0 });
      });
    }
    it(`${label} with l2 = 0.01: the gradient gains 2·l2·w`, () => {
      compare(data, d, { optimizer, schedule: SCHEDULES[0], batch: 'full', l2: 0.01, lr, epochs: 25, w0, b0 });
    });
  }
  for (const schedule of SCHEDULES) {
    const label = `${schedule.type}${schedule.warmup_epochs ? ` with ${schedule.warmup_epochs} warm-up epochs` : ''}`;
    it(`schedule ${label}: each epoch's rate and loss match the formulas (sgd and adam)`, () => {
      compare(data, d, { optimizer: OPTIMIZERS[0], schedule, batch: 'full', l2: 0, lr, epochs: 30, w0, b0 });
      const adam = compare(data, d, { optimizer: OPTIMIZERS[3], schedule, batch: size, l2: 0, lr: 20 * lr, epochs: 30, w0, b0 });
      // The schedule really changed the rate (adam's larger steps reach plateau's stalls too).
      const changes = schedule.type !== 'constant' || schedule.warmup_epochs > 0;
      expect(new Set(adam.rates).size > 1).toBe(changes);
    });
  }
});

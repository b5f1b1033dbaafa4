import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { OptimizerConfig, RunConfig } from '../../src/config/types.js';
import { rowArray } from '../../src/data/rows.js';
import { norm } from '../../src/neuron/norm.js';
import { ParallelKernel } from '../../src/neuron/parallel.js';
import { fusedPass, lossPass } from '../../src/neuron/pass.js';
import type { EpochEvent } from '../../src/train/events.js';
import { runTraining } from '../../src/train/run.js';
import { Trainer, type TrainerOptions } from '../../src/train/trainer.js';
import { config, dataset, randomRows, rows } from '../helpers.js';

const clock = (): (() => number) => {
  let t = 0;
  return () => t++;
};

const ADAM: OptimizerConfig = { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
const MOMENTUM: OptimizerConfig = { type: 'momentum', momentum: 0.9, nesterov: false };

async function events(trainer: Trainer): Promise<{ events: EpochEvent[]; end: Awaited<ReturnType<typeof runTraining>> }> {
  const list: EpochEvent[] = [];
  const end = await runTraining(trainer, { clock: clock(), onEpoch: (e) => list.push(e) });
  return { events: list, end };
}

describe('restore_best', () => {
  it('ends with the parameters at which the best validation loss was measured (after that epoch)', async () => {
    const all = randomRows(120, 2, 4, (x) => 1 + x[0] - 0.5 * x[1]);
    const train = { x: all.x.subarray(0, 200), y: all.y.subarray(0, 100), n: 100 };
    const validation = { x: all.x.subarray(200), y: all.y.subarray(100), n: 20 };
    // Adam at a high rate overshoots, so the best epoch is not the last.
    const c = config({
      learning_rate: 0.5,
      epochs: 60,
      optimizer: ADAM,
      init: { weights: [0, 0], bias: 0.5 },
      early_stopping: { patience: 1000, min_delta: 0, restore_best: true },
    });
    const trainer = new Trainer(c, dataset(train, 2, validation), { clock: clock() });
    const params: { w: number[]; b: number }[] = [];
    const list: EpochEvent[] = [];
    while (trainer.status === null) {
      list.push(trainer.runEpoch());
      params.push({ w: Array.from(trainer.w), b: trainer.b });
    }
    const end = trainer.endEvent();
    const best = list.reduce((a, e) => ((e.val_loss as number) < (a.val_loss as number) ? e : a));
    expect(best.epoch).toBeLessThan(60);
    expect(end.best_epoch).toBe(best.epoch);
    expect(end.weights).toEqual(params[best.epoch - 1].w);
    expect(end.bias).toBe(params[best.epoch - 1].b);
    expect(end.val_loss).toBe(best.val_loss);
    expect(end.loss).toBe(lossPass(train.x, train.y, 2, 100, Float64Array.from(end.weights), end.bias).loss);
  });

  it('full batch without validation: the parameters entering the best epoch, where its loss was measured', async () => {
    const train = randomRows(50, 1, 5, (x) => 2 + x[0]);
    const c = config({
      learning_rate: 0.9,
      epochs: 40,
      optimizer: MOMENTUM,
      init: { weights: [0], bias: 1 },
      early_stopping: { patience: 1000, min_delta: 0, restore_best: true },
    });
    const trainer = new Trainer(c, dataset(train, 1), { clock: clock() });
    const entering: { w: number[]; b: number }[] = [];
    const list: EpochEvent[] = [];
    while (trainer.status === null) {
      entering.push({ w: Array.from(trainer.w), b: trainer.b });
      list.push(trainer.runEpoch());
    }
    const end = trainer.endEvent();
    const best = list.reduce((a, e) => (e.loss < a.loss ? e : a));
    expect(best.epoch).toBeLessThan(40); // momentum at this rate oscillates: the best is inside
    expect(end.weights).toEqual(entering[best.epoch - 1].w);
    expect(end.bias).toBe(entering[best.epoch - 1].b);
    expect(end.loss).toBe(best.loss);
    expect(end.best_loss).toBe(best.loss);
  });

  it('is off by default: the last parameters', async () => {
    const train = randomRows(50, 1, 5, (x) => 2 + x[0]);
    const c = config({
      learning_rate: 0.9,
      epochs: 40,
      optimizer: MOMENTUM,
      init: { weights: [0], bias: 1 },
      early_stopping: { patience: 1000, min_delta: 0 },
    });
    const trainer = new Trainer(c, dataset(train, 1), { clock: clock() });
    await events(trainer);
    const last = { w: Array.from(trainer.w), b: trainer.b };
    const end = trainer.endEvent();
    expect(end.weights).toEqual(last.w);
    expect(end.best_epoch).not.toBe(40);
  });
});

describe('stop_when', () => {
  const train = randomRows(80, 2, 6, (x) => 3 + x[0] + 0.5 * x[1]);
  const base: Partial<RunConfig> = { learning_rate: 0.1, epochs: 500, init: { weights: [0, 0], bias: 1 } };

  it('loss_below: status converged at the first epoch whose loss is below the bound', async () => {
    const free = await events(new Trainer(config(base), dataset(train, 2), { clock: clock() }));
    const first = free.events.find((e) => e.loss < 0.01) as EpochEvent;
    expect(first).toBeDefined();
    const { events: list, end } = await events(new Trainer(config({ ...base, stop_when: { loss_below: 0.01 } }), dataset(train, 2), { clock: clock() }));
    expect(end.status).toBe('converged');
    expect(end.epochs).toBe(first.epoch);
    expect(list.at(-1)?.loss).toBeLessThan(0.01);
    expect(list.slice(0, -1).every((e) => e.loss >= 0.01)).toBe(true);
  });

  it('grad_norm_below: the first epoch whose gradient norm is below the bound', async () => {
    const free = await events(new Trainer(config(base), dataset(train, 2), { clock: clock() }));
    const first = free.events.find((e) => e.grad_norm < 1e-3) as EpochEvent;
    const { end } = await events(new Trainer(config({ ...base, stop_when: { grad_norm_below: 1e-3 } }), dataset(train, 2), { clock: clock() }));
    expect(end.status).toBe('converged');
    expect(end.epochs).toBe(first.epoch);
  });
});

describe('divergence: one rule for full batch and mini-batches', () => {
  for (const batch of ['full', 7] as const) {
    for (const optimizer of [{ type: 'sgd' } as const, ADAM]) {
      it(`${optimizer.type}, batch ${batch}: the end parameters and loss are finite`, async () => {
        // Huge feature values and a huge rate: the gradient overflows to ±Infinity within a few steps.
        const train = randomRows(40, 2, 7, (x) => 1e150 * x[0]);
        for (let k = 0; k < train.x.length; k++) train.x[k] *= 1e150;
        const c = config({ learning_rate: 1e10, epochs: 500, batch_size: batch, shuffle: false, optimizer, init: { weights: [0.1, 0.1], bias: 1 } });
        const { events: list, end } = await events(new Trainer(c, dataset(train, 2), { clock: clock() }));
        expect(end.status).toBe('diverged');
        expect(end.epochs).toBeLessThan(500);
        expect(end.weights.every(Number.isFinite)).toBe(true);
        expect(Number.isFinite(end.bias)).toBe(true);
        expect(Number.isFinite(end.loss)).toBe(true);
        expect(list.every((e) => Number.isFinite(e.weight_norm) && Number.isFinite(e.bias))).toBe(true);
      });
    }
  }
});

describe('norms', () => {
  it('match a scaled reference for |w| up to 1e300, never null for finite weights', () => {
    const magnitude = fc.double({ min: -1e300, max: 1e300, noNaN: true });
    fc.assert(
      fc.property(fc.array(magnitude, { minLength: 1, maxLength: 20 }), magnitude, (w, extra) => {
        const actual = norm(Float64Array.from(w), extra);
        // The reference: every entry divided by the largest magnitude (exact powers of two apart).
        const largest = Math.max(...w.map(Math.abs), Math.abs(extra));
        const expected = largest === 0 ? 0 : largest * Math.sqrt([...w, extra].reduce((s, v) => s + (v / largest) ** 2, 0));
        expect(Number.isFinite(actual)).toBe(true);
        expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-14 * expected);
      }),
      { numRuns: 500 },
    );
  });

  it('keep tiny weights from underflowing to a zero norm', () => {
    expect(norm(Float64Array.of(3e-200, 4e-200))).toBeCloseTo(5e-200, 214);
    expect(norm(Float64Array.of(3e200, 4e200))).toBeCloseTo(5e200, -186);
    expect(norm(Float64Array.of(1, Number.NaN))).toBeNaN();
    expect(norm(Float64Array.of(1, Infinity))).toBe(Infinity);
  });

  it('weight_norm and grad_norm stay finite for finite weights past 1.3e154 (configs/diverging.yaml once gave null)', () => {
    // Tiny features and huge weights: z = w·x + b stays near 1, so the loss is finite too.
    const train = rows(
      [
        [1e-200, 2e-200],
        [3e-200, 1e-200],
      ],
      [1, 2],
    );
    const trainer = new Trainer(config({ learning_rate: 1e-3, init: { weights: [3e200, 4e200], bias: 0 } }), dataset(train, 2), { clock: clock() });
    const event = trainer.runEpoch();
    expect(Number.isFinite(event.loss)).toBe(true);
    expect(Math.abs(event.weight_norm / Math.hypot(trainer.w[0], trainer.w[1]) - 1)).toBeLessThan(1e-15);
    expect(Number.isFinite(event.grad_norm)).toBe(true);
  });
});

describe('r2 and val_r2', () => {
  it('are 1 − SSE/SST over the rows of loss and val_loss', async () => {
    const all = randomRows(50, 1, 8, (x) => 2 + x[0]);
    const train = { x: all.x.subarray(0, 40), y: all.y.subarray(0, 40), n: 40 };
    const validation = { x: all.x.subarray(40), y: all.y.subarray(40), n: 10 };
    const sst = (y: Float64Array): number => {
      const mean = y.reduce((s, v) => s + v, 0) / y.length;
      return y.reduce((s, v) => s + (v - mean) ** 2, 0);
    };
    for (const batch of ['full', 16] as const) {
      const c = config({ learning_rate: 0.1, epochs: 5, batch_size: batch, shuffle: false, init: { weights: [0], bias: 1 } });
      const { events: list } = await events(new Trainer(c, dataset(train, 1, validation), { clock: clock() }));
      for (const e of list) {
        expect(e.r2).toBeCloseTo(1 - (e.loss * 40) / sst(train.y), 12);
        expect(e.val_r2).toBeCloseTo(1 - ((e.val_loss as number) * 10) / sst(validation.y), 12);
      }
      expect(list.at(-1)?.r2).toBeGreaterThan(list[0].r2 as number);
    }
  });

  it('are null when the targets are constant', () => {
    const trainer = new Trainer(config({ init: { weights: [1], bias: 0 } }), dataset(rows([[1], [2]], [3, 3]), 1), { clock: clock() });
    expect(trainer.runEpoch().r2).toBeNull();
  });
});

describe('learning rate', () => {
  it('learningRateFactor multiplies the scheduled rate from the next epoch on', () => {
    const c = config({ learning_rate: 0.1, schedule: { type: 'exponential', factor: 0.5, warmup_epochs: 0 }, init: { weights: [0], bias: 1 } });
    const trainer = new Trainer(c, dataset(rows([[1], [2]], [2, 3]), 1), { clock: clock() });
    expect(trainer.runEpoch().learning_rate).toBe(0.1);
    trainer.learningRateFactor = 4;
    expect(trainer.learningRate).toBe(0.1 * 0.5 * 4);
    expect(trainer.runEpoch().learning_rate).toBe(0.1 * 0.5 * 4);
    expect(trainer.runEpoch().learning_rate).toBe(0.1 * 0.25 * 4);
  });
});

describe('dead', () => {
  it('momentum keeps moving a neuron with no active row until its velocity is spent', async () => {
    const train = rows([[1], [2]], [1, 2]);
    const sgd = await events(new Trainer(config({ epochs: 50, init: { weights: [-1], bias: 0 } }), dataset(train, 1), { clock: clock() }));
    expect(sgd.end.status).toBe('dead');
    expect(sgd.end.epochs).toBe(1);
    // One active step sets a velocity; the next epochs have no active row but still move.
    const c = config({ learning_rate: 0.5, epochs: 50, optimizer: MOMENTUM, init: { weights: [0.5], bias: 0 } });
    const trainer = new Trainer(c, dataset(rows([[1], [2]], [-5, -5]), 1), { clock: clock() });
    const { events: list } = await events(trainer);
    const inactive = list.filter((e) => e.active_ratio === 0);
    expect(inactive.length).toBeGreaterThan(1);
    expect(list.at(-1)?.epoch).toBe(50); // never "dead" while the velocity still moves it
  });
});

describe('every kernel', () => {
  const pools: ParallelKernel[] = [];
  afterAll(() => pools.forEach((p) => p.close()));

  it('adam gives the same epochs with the reference pass, SIMD and threads (to 1e-12)', async () => {
    const n = 3000;
    const d = 6;
    const source = randomRows(n, d, 9, (x) => Math.max(0, 1 + x[0] - x[1] + 0.5 * x[5]));
    const x = rowArray(n * d);
    const y = rowArray(n);
    x.set(source.x);
    y.set(source.y);
    const c = config({ learning_rate: 0.05, epochs: 30, optimizer: ADAM, init: { weights: [0.1, 0, 0, 0, 0, 0], bias: 0.5 } });
    const run = async (kernel?: TrainerOptions['kernel']): Promise<EpochEvent[]> =>
      (await events(new Trainer(c, dataset({ x, y, n }, d), { clock: clock(), kernel }))).events;
    const expected = await run(fusedPass);
    for (const [threads, simd] of [
      [1, true],
      [2, false],
    ] as const) {
      const pool = new ParallelKernel(x, y, d, threads, simd);
      pools.push(pool);
      const actual = await run(pool.pass);
      actual.forEach((e, i) => {
        expect(Math.abs(e.loss - expected[i].loss)).toBeLessThanOrEqual(1e-12 * expected[i].loss);
        expect(Math.abs(e.weight_norm - expected[i].weight_norm)).toBeLessThanOrEqual(1e-12 * expected[i].weight_norm);
      });
    }
  });
});

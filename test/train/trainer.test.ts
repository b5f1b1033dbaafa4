import { describe, expect, it } from 'vitest';
import { lossPass } from '../../src/neuron/pass.js';
import { TrainingControl } from '../../src/train/control.js';
import type { EpochEvent } from '../../src/train/events.js';
import { runTraining } from '../../src/train/run.js';
import { Trainer } from '../../src/train/trainer.js';
import { config, dataset, randomRows, rows } from '../helpers.js';

/** A clock that only moves when told: elapsed_ms is then exact. */
function fakeClock(): () => number {
  let t = 0;
  return () => (t += 1);
}

/** Solves the normal equations [X 1]ᵀ[X 1] θ = [X 1]ᵀ y by Gaussian elimination with pivoting. */
function leastSquares(x: Float64Array, y: Float64Array, d: number, n: number): number[] {
  const m = d + 1;
  const a = Array.from({ length: m }, () => new Array<number>(m + 1).fill(0));
  for (let i = 0; i < n; i++) {
    const row = [...x.subarray(i * d, i * d + d), 1];
    for (let p = 0; p < m; p++) {
      for (let q = 0; q < m; q++) a[p][q] += row[p] * row[q];
      a[p][m] += row[p] * y[i];
    }
  }
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r][c]) > Math.abs(a[pivot][c])) pivot = r;
    [a[c], a[pivot]] = [a[pivot], a[c]];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= m; k++) a[r][k] -= f * a[c][k];
    }
  }
  return a.map((row, i) => row[m] / row[i]);
}

describe('Trainer', () => {
  it('converges to the least-squares solution when every row stays active', async () => {
    const d = 3;
    // Targets far above zero keep z_i > 0 for every row, so the neuron is linear and MSE is convex.
    const train = randomRows(200, d, 5, (x) => 10 + 1.5 * x[0] - 2 * x[1] + 0.5 * x[2] + 0.3 * Math.sin(7 * x[0]));
    const solution = leastSquares(train.x, train.y, d, train.n);
    const trainer = new Trainer(config({ learning_rate: 0.2, epochs: 3000, init: { weights: [0, 0, 0], bias: 5 } }), dataset(train, d), { clock: fakeClock() });
    const end = await runTraining(trainer, { clock: fakeClock() });
    expect(end.status).toBe('completed');
    for (let j = 0; j < d; j++) expect(Math.abs(end.weights[j] - solution[j])).toBeLessThan(1e-6);
    expect(Math.abs(end.bias - solution[d])).toBeLessThan(1e-6);
  });

  it('reports the loss at the parameters entering each full-batch epoch', () => {
    const train = rows([[1], [2]], [2, 4]);
    const trainer = new Trainer(config({ learning_rate: 0.1, init: { weights: [1], bias: 0 } }), dataset(train, 1), { clock: fakeClock() });
    const first = trainer.runEpoch();
    expect(first.loss).toBeCloseTo(((2 - 1) ** 2 + (4 - 2) ** 2) / 2, 15);
    // ∂C/∂w = (2/2)·((1−2)·1 + (2−4)·2) = −5, ∂C/∂b = (2/2)·(−1 − 2) = −3
    expect(trainer.w[0]).toBeCloseTo(1 + 0.1 * 5, 15);
    expect(trainer.b).toBeCloseTo(0.3, 15);
    expect(first.grad_norm).toBeCloseTo(Math.hypot(5, 3), 14);
    expect(first.weight_norm).toBeCloseTo(1.5, 15);
    expect(first.active_ratio).toBe(1);
  });

  it('stops with status dead when no training row is active', async () => {
    const train = rows([[1], [2]], [1, 2]);
    const trainer = new Trainer(config({ init: { weights: [-1], bias: 0 } }), dataset(train, 1), { clock: fakeClock() });
    const events: EpochEvent[] = [];
    const end = await runTraining(trainer, { clock: fakeClock(), onEpoch: (e) => events.push(e) });
    expect(end.status).toBe('dead');
    expect(events).toHaveLength(1);
    expect(events[0].active_ratio).toBe(0);
    expect(end.weights).toEqual([-1]);
  });

  it('stops with status diverged and keeps the last finite parameters', async () => {
    const train = randomRows(50, 2, 1, (x) => 3 + x[0]);
    const trainer = new Trainer(config({ learning_rate: 1e6, epochs: 500, init: { weights: [0.1, 0.1], bias: 1 } }), dataset(train, 2), {
      clock: fakeClock(),
    });
    const end = await runTraining(trainer, { clock: fakeClock() });
    expect(end.status).toBe('diverged');
    expect(end.epochs).toBeLessThan(500);
    expect(end.weights.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(end.bias)).toBe(true);
  });

  it('early-stops on the validation loss after `patience` epochs without improvement', async () => {
    const all = randomRows(100, 1, 2, (x) => 2 + x[0]);
    const train = { x: all.x.subarray(0, 80), y: all.y.subarray(0, 80), n: 80 };
    const validation = { x: all.x.subarray(80), y: all.y.subarray(80), n: 20 };
    const trainer = new Trainer(
      config({ learning_rate: 0.3, epochs: 10_000, early_stopping: { patience: 5, min_delta: 1e-4 }, init: { weights: [0], bias: 1 } }),
      dataset(train, 1, validation),
      { clock: fakeClock() },
    );
    const events: EpochEvent[] = [];
    const end = await runTraining(trainer, { clock: fakeClock(), onEpoch: (e) => events.push(e) });
    expect(end.status).toBe('early_stopped');
    expect(end.epochs).toBeLessThan(10_000);
    expect(events.every((e) => e.val_loss !== null)).toBe(true);
    // The best validation loss is the minimum of the reported ones, at the epoch reported.
    const best = events.reduce((a, e) => ((e.val_loss as number) < (a.val_loss as number) ? e : a));
    expect(end.best_loss).toBe(best.val_loss);
    expect(end.best_epoch).toBe(best.epoch);
    // The last improvement by more than min_delta was `patience` epochs before the end.
    const anchor = events[events.length - 6].val_loss as number;
    for (const e of events.slice(-5)) expect(e.val_loss as number).toBeGreaterThan(anchor - 1e-4);
  });

  it('mini-batches take one step per batch and report the row-weighted epoch loss', () => {
    const train = rows([[1], [2], [3], [4], [5]], [2, 4, 6, 8, 10]);
    const trainer = new Trainer(config({ batch_size: 2, shuffle: false, learning_rate: 0.01, init: { weights: [1], bias: 0 } }), dataset(train, 1), {
      clock: fakeClock(),
    });
    const event = trainer.runEpoch();
    // Batch [1,2]: loss at w=1; then w moves before batch [3,4], and again before [5].
    let w = 1;
    let b = 0;
    let sse = 0;
    for (const batch of [[1, 2], [3, 4], [5]]) {
      let gw = 0;
      let gb = 0;
      for (const xi of batch) {
        const r = w * xi + b - 2 * xi; // every z here is positive
        sse += r * r;
        gw += r * xi;
        gb += r;
      }
      w -= 0.01 * (2 / batch.length) * gw;
      b -= 0.01 * (2 / batch.length) * gb;
    }
    expect(event.loss).toBeCloseTo(sse / 5, 14);
    expect(trainer.w[0]).toBeCloseTo(w, 14);
    expect(trainer.b).toBeCloseTo(b, 14);
  });

  it('emits every log_every epochs and always the last', async () => {
    const train = randomRows(20, 1, 3, (x) => 1 + x[0]);
    const trainer = new Trainer(config({ epochs: 23, log_every: 5, init: { weights: [0.5], bias: 1 } }), dataset(train, 1), { clock: fakeClock() });
    const epochs: number[] = [];
    await runTraining(trainer, { clock: fakeClock(), onEpoch: (e) => epochs.push(e.epoch) });
    expect(epochs).toEqual([5, 10, 15, 20, 23]);
  });

  it('ends with status interrupted when aborted, and writes the last epoch', async () => {
    const train = randomRows(20, 1, 3, (x) => 1 + x[0]);
    const trainer = new Trainer(config({ epochs: 1_000_000, log_every: 1000, init: { weights: [0.5], bias: 1 } }), dataset(train, 1), {
      clock: fakeClock(),
    });
    const abort = new AbortController();
    const epochs: number[] = [];
    const end = await runTraining(trainer, {
      clock: fakeClock(),
      signal: abort.signal,
      onEveryEpoch: (e) => e.epoch === 1234 && abort.abort(),
      onEpoch: (e) => epochs.push(e.epoch),
    });
    expect(end.status).toBe('interrupted');
    expect(end.epochs).toBe(1234);
    expect(epochs).toEqual([1000, 1234]);
  });

  it('pauses, single-steps and resumes through the control', async () => {
    const train = randomRows(20, 1, 3, (x) => 1 + x[0]);
    const trainer = new Trainer(config({ epochs: 50, init: { weights: [0.5], bias: 1 } }), dataset(train, 1), { clock: fakeClock() });
    const control = new TrainingControl();
    control.toggle();
    const done = runTraining(trainer, { clock: fakeClock(), control });
    await new Promise((r) => setTimeout(r, 20));
    expect(trainer.epoch).toBe(0);
    control.step();
    await new Promise((r) => setTimeout(r, 20));
    expect(trainer.epoch).toBe(1);
    control.toggle();
    const end = await done;
    expect(end.epochs).toBe(50);
  });

  it('uses a learning rate changed mid-run and reports it', () => {
    const train = rows([[1]], [2]);
    let factor = 1; // the dashboard's `+` doubles it through the run's control
    const trainer = new Trainer(config({ learning_rate: 0.1, init: { weights: [0], bias: 0.5 } }), dataset(train, 1), {
      clock: fakeClock(),
      rateFactor: () => factor,
    });
    expect(trainer.runEpoch().learning_rate).toBe(0.1);
    factor = 2;
    const [w, b] = [trainer.w[0], trainer.b];
    const event = trainer.runEpoch();
    expect(event.learning_rate).toBe(0.2);
    const z = w * 1 + b; // one row, x = 1, y = 2: ∂C/∂b = 2(z − 2), ∂C/∂w = 2(z − 2)·1
    expect(trainer.b).toBeCloseTo(b - 0.2 * 2 * (z - 2), 14);
    expect(trainer.w[0]).toBeCloseTo(w - 0.2 * 2 * (z - 2), 14);
  });

  it('revives a random init that is dead at birth, but keeps an exact one', () => {
    const train = rows([[100], [200]], [1, 2]);
    const random = new Trainer(config({ init: { distribution: 'normal', scale: 0, bias: -5 } }), dataset(train, 1), { clock: fakeClock() });
    expect(random.revived).toBe(true);
    expect(random.b).toBeGreaterThan(0);
    const exact = new Trainer(config({ init: { weights: [0], bias: -5 } }), dataset(train, 1), { clock: fakeClock() });
    expect(exact.revived).toBe(false);
    expect(exact.b).toBe(-5);
  });
});

describe('runTraining idle hook', () => {
  it('calls onIdle when a pause makes training wait', async () => {
    const train = randomRows(20, 1, 3, (x) => 1 + x[0]);
    const trainer = new Trainer(config({ epochs: 5, init: { weights: [0.5], bias: 1 } }), dataset(train, 1), { clock: fakeClock() });
    const control = new TrainingControl();
    control.toggle();
    let idle = 0;
    const done = runTraining(trainer, { clock: fakeClock(), control, onIdle: () => idle++ });
    await new Promise((r) => setTimeout(r, 20));
    expect(idle).toBe(1);
    control.toggle();
    await done;
    expect(idle).toBe(1);
  });
});

describe('validation metrics', () => {
  it("are the loss and active ratio on the held-out rows after the epoch's update, exactly as lossPass computes them", () => {
    const all = randomRows(100, 3, 8, (x) => Math.max(0, 1 + x[0] - x[2]));
    const train = { x: all.x.subarray(0, 240), y: all.y.subarray(0, 80), n: 80 };
    const validation = { x: all.x.subarray(240), y: all.y.subarray(80), n: 20 };
    const trainer = new Trainer(config({ init: { weights: [0.2, -0.1, 0.1], bias: 0.1 } }), dataset(train, 3, validation), { clock: fakeClock() });
    for (let k = 0; k < 3; k++) {
      const event = trainer.runEpoch();
      const expected = lossPass(validation.x, validation.y, 3, 20, trainer.w, trainer.b);
      expect(event.val_loss).toBe(expected.loss);
      expect(event.val_active_ratio).toBe(expected.active / 20);
    }
  });
});

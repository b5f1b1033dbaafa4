import { afterAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/types.js';
import type { Rows } from '../../src/data/dataset.js';
import { rowArray } from '../../src/data/rows.js';
import { chooseKernel, type ChosenKernel } from '../../src/neuron/choose.js';
import { PARALLEL_MIN_CELLS } from '../../src/neuron/parallel.js';
import { bucketsFor, HELPER_MIN_CELLS, TwoLevelPermutation } from '../../src/random/permutation.js';
import { generator, rng } from '../../src/random/rng.js';
import type { EpochEvent } from '../../src/train/events.js';
import { Trainer } from '../../src/train/trainer.js';
import { config, dataset } from '../helpers.js';

// Shuffled mini-batches against a reference written here from DESIGN.md's formulas: each epoch a
// permutation drawn from the seed's 'shuffle' stream (the two-level permutation as indices), then
// for each batch of rows x[order[k]] the loss and gradient by plain loops, and an SGD step.

const kernels: ChosenKernel[] = [];
afterAll(() => kernels.forEach((k) => k.close()));

/** Rows x ~ N(0,1), y = relu-ish target with noise; in the arena (where the SIMD kernel reads) or not. */
function makeRows(n: number, d: number, seed: number, inArena: boolean): Rows {
  const r = rng(seed, 'synthetic');
  const x = inArena ? rowArray(n * d) : new Float64Array(n * d);
  const y = inArena ? rowArray(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let t = 0.5;
    for (let j = 0; j < d; j++) {
      x[i * d + j] = r.normal();
      t += Math.cos(j) * x[i * d + j];
    }
    y[i] = Math.max(0, t) + 0.1 * r.normal();
  }
  return { x, y, n };
}

interface Reference {
  loss: number;
  val_loss: number | null;
  w: Float64Array;
  b: number;
}

/** Mean squared error of relu(w·x + b) over `rows`, by the formula. */
function meanLoss(rows: Rows, d: number, w: Float64Array, b: number): number {
  let sse = 0;
  for (let i = 0; i < rows.n; i++) {
    let z = b;
    for (let j = 0; j < d; j++) z += w[j] * rows.x[i * d + j];
    sse += (rows.y[i] - Math.max(0, z)) ** 2;
  }
  return sse / rows.n;
}

function referenceEpochs(train: Rows, validation: Rows | null, d: number, c: RunConfig, epochs: number): Reference[] {
  const init = c.init as { weights: number[]; bias: number };
  const w = Float64Array.from(init.weights);
  let b = init.bias;
  const size = c.batch_size as number;
  const n = train.n;
  const permutation = new TwoLevelPermutation(n, bucketsFor(n, d));
  const gen = generator(c.seed, 'shuffle');
  const out: Reference[] = [];
  for (let e = 0; e < epochs; e++) {
    const order = c.shuffle ? permutation.draw(gen).order() : Uint32Array.from({ length: n }, (_, i) => i);
    let sse = 0;
    for (let start = 0; start < n; start += size) {
      const end = Math.min(n, start + size);
      const dw = new Float64Array(d);
      let db = 0;
      for (let k = start; k < end; k++) {
        const i = order[k];
        let z = b; // z_i = w·x_i + b
        for (let j = 0; j < d; j++) z += w[j] * train.x[i * d + j];
        if (z > 0) {
          const r = z - train.y[i];
          sse += r * r;
          db += r; // Σ_{z_i > 0} (z_i − y_i)
          for (let j = 0; j < d; j++) dw[j] += r * train.x[i * d + j]; // Σ_{z_i > 0} (z_i − y_i) x_i
        } else {
          sse += train.y[i] * train.y[i];
        }
      }
      for (let j = 0; j < d; j++) w[j] -= c.learning_rate * (2 / (end - start)) * dw[j]; // ∂C/∂w = (2/N) Σ ...
      b -= c.learning_rate * (2 / (end - start)) * db;
    }
    out.push({ loss: sse / n, val_loss: validation ? meanLoss(validation, d, w, b) : null, w: Float64Array.from(w), b });
  }
  return out;
}

function expectRelative(got: number, expected: number, scale = Math.abs(expected)): void {
  expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-12 * scale);
}

function runEpochs(trainer: Trainer, epochs: number): { event: EpochEvent; w: Float64Array; b: number }[] {
  return Array.from({ length: epochs }, () => {
    const event = trainer.runEpoch();
    return { event: { ...event, elapsed_ms: 0 }, w: Float64Array.from(trainer.w), b: trainer.b };
  });
}

function split(all: Rows, d: number, held: number): { train: Rows; validation: Rows } {
  const kept = all.n - held;
  return {
    train: { x: all.x.subarray(0, kept * d), y: all.y.subarray(0, kept), n: kept },
    validation: { x: all.x.subarray(kept * d), y: all.y.subarray(kept), n: held },
  };
}

describe('shuffled mini-batches agree with the formulas over x[order[k]]', () => {
  const epochs = 4;
  for (const d of [3, 16]) {
    for (const withValidation of [false, true]) {
      for (const inArena of [true, false]) {
        const label = `${d} features (${d >= 4 ? 'SIMD' : 'JavaScript'} pass), ${withValidation ? '20% validation' : 'no validation'}, rows ${inArena ? 'in the arena' : 'outside it'}`;
        it(label, () => {
          const all = makeRows(20_001, d, d + (withValidation ? 1 : 0), inArena);
          const { train, validation } = withValidation ? split(all, d, 4000) : { train: all, validation: null };
          const data = dataset(train, d, validation);
          const c = config({
            batch_size: 256,
            seed: 3,
            learning_rate: 0.01,
            init: { weights: Array.from({ length: d }, (_, j) => 0.1 * Math.sin(j + 1)), bias: 0.2 },
          });
          const chosen = inArena ? chooseKernel(data, { batchSize: 256, threads: 2, engine: 'pass' }) : null;
          if (chosen) kernels.push(chosen);
          const got = runEpochs(new Trainer(c, data, { clock: () => 0, kernel: chosen?.pass }), epochs);
          if (chosen) expect(chosen.latest()?.simd ?? false).toBe(d >= 4);
          const reference = referenceEpochs(train, validation, d, c, epochs);
          for (let e = 0; e < epochs; e++) {
            const scale = Math.max(...reference[e].w.map(Math.abs), Math.abs(reference[e].b));
            expectRelative(got[e].event.loss, reference[e].loss);
            if (validation) expectRelative(got[e].event.val_loss!, reference[e].val_loss!);
            else expect(got[e].event.val_loss).toBeNull();
            for (let j = 0; j < d; j++) expectRelative(got[e].w[j], reference[e].w[j], scale);
            expectRelative(got[e].b, reference[e].b, scale);
          }
        });
      }
    }
  }

  it('without shuffle: batches in row order, read where the rows are', () => {
    const d = 16;
    const train = makeRows(5000, d, 21, true);
    const data = dataset(train, d);
    const c = config({ batch_size: 300, shuffle: false, learning_rate: 0.01, init: { weights: new Array<number>(d).fill(0.05), bias: 0.3 } });
    const chosen = chooseKernel(data, { batchSize: 300, threads: 2, engine: 'pass' });
    kernels.push(chosen);
    const got = runEpochs(new Trainer(c, data, { clock: () => 0, kernel: chosen.pass }), 3);
    const reference = referenceEpochs(train, null, d, c, 3);
    for (let e = 0; e < 3; e++) {
      expectRelative(got[e].event.loss, reference[e].loss);
      for (let j = 0; j < d; j++) expectRelative(got[e].w[j], reference[e].w[j], 0.3);
    }
  });
});

describe('mini-batches without shuffle', () => {
  it('read in place, give bit for bit what a copy of each batch in its own buffer gave (the path before)', () => {
    const d = 16;
    const train = makeRows(6000, d, 8, true);
    const data = dataset(train, d);
    const chosen = chooseKernel(data, { batchSize: 700, threads: 2, engine: 'pass' });
    kernels.push(chosen);
    const batch = { x: rowArray(700 * d), y: rowArray(700) };
    // The same kernel, handed each batch copied to the start of a buffer of its own.
    const copying: typeof chosen.pass = (x, y, dd, start, end, w, b, out) => {
      batch.x.set(x.subarray(start * dd, end * dd));
      batch.y.set(y.subarray(start, end));
      chosen.pass(batch.x, batch.y, dd, 0, end - start, w, b, out);
    };
    const c = config({ batch_size: 700, shuffle: false, learning_rate: 0.01, init: { weights: new Array<number>(d).fill(0.05), bias: 0.3 } });
    const inPlace = runEpochs(new Trainer(c, data, { clock: () => 0, kernel: chosen.pass }), 3);
    expect(chosen.latest()).toEqual({ simd: true, threads: 1 });
    expect(runEpochs(new Trainer(c, data, { clock: () => 0, kernel: copying }), 3)).toEqual(inPlace);
  });
});

describe('shuffled mini-batches are deterministic', () => {
  const d = 16;
  const train = makeRows(9000, d, 5, true);
  const data = dataset(train, d);
  const run = (seed: number, threads: number) => {
    const chosen = chooseKernel(data, { batchSize: 512, threads, engine: 'pass' });
    kernels.push(chosen);
    const c = config({ batch_size: 512, seed, learning_rate: 0.02, init: { weights: new Array<number>(d).fill(0.1), bias: 0.1 } });
    return runEpochs(new Trainer(c, data, { clock: () => 0, kernel: chosen.pass }), 3).map((r) => ({ ...r.event, w: Array.from(r.w) }));
  };

  it('the same seed gives the same epochs, another seed other ones', () => {
    const a = run(1, 2);
    expect(run(1, 2)).toEqual(a);
    expect(run(2, 2)).not.toEqual(a);
  });

  it('the same epochs whatever the thread count', () => {
    expect(run(4, 1)).toEqual(run(4, 2));
  });

  it('with --threads 2 the next epoch moves on a helper thread, and the epochs are those of one thread', () => {
    const n = Math.ceil(HELPER_MIN_CELLS / (d + 1)) + 100;
    const many = dataset(makeRows(n, d, 7, true), d);
    const c = config({ batch_size: 1024, seed: 3, learning_rate: 0.02, init: { weights: new Array<number>(d).fill(0.1), bias: 0.1 } });
    const trainerOn = (threads: number, batchSize = 1024) => {
      const chosen = chooseKernel(many, { batchSize, threads, engine: 'pass' });
      kernels.push(chosen);
      return new Trainer({ ...c, batch_size: batchSize }, many, { clock: () => 0, kernel: chosen.pass, threads });
    };
    const helped = trainerOn(2);
    const alone = trainerOn(1);
    // Batches long enough for the kernel's threads leave the helper out: --threads bounds both.
    const long = trainerOn(2, PARALLEL_MIN_CELLS / d);
    expect([helped.shuffleHelped, alone.shuffleHelped, long.shuffleHelped]).toEqual([true, false, false]);
    expect(runEpochs(helped, 3)).toEqual(runEpochs(alone, 3));
    [helped, alone, long].forEach((t) => t.close());
  });

  it('batches long enough for threads agree with one thread to 1e-12 (same order, sums split by thread)', () => {
    const size = PARALLEL_MIN_CELLS / d; // the first batch runs on two threads, the last (shorter) one on one
    const big = dataset(makeRows(size + 3000, d, 6, true), d);
    const c = config({ batch_size: size, seed: 9, learning_rate: 0.05, init: { weights: new Array<number>(d).fill(0.1), bias: 0.1 } });
    const epochsOn = (threads: number) => {
      const chosen = chooseKernel(big, { batchSize: size, threads, engine: 'pass' });
      kernels.push(chosen);
      expect(chosen.mode).toBe(threads > 1 ? 'threads' : 'simd');
      return runEpochs(new Trainer(c, big, { clock: () => 0, kernel: chosen.pass }), 2);
    };
    const one = epochsOn(1);
    const two = epochsOn(2);
    for (let e = 0; e < 2; e++) {
      expectRelative(two[e].event.loss, one[e].event.loss);
      expect(two[e].event.active_ratio).toBe(one[e].event.active_ratio);
      for (let j = 0; j < d; j++) expectRelative(two[e].w[j], one[e].w[j], 0.1);
    }
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { readCsvHeader, readCsvNumbers } from '../../src/data/csv.js';
import type { Rows } from '../../src/data/dataset.js';
import { rowArray } from '../../src/data/rows.js';
import { syntheticRows } from '../../src/data/synthetic.js';
import { arenaOf } from '../../src/memory/arena.js';
import { chooseKernel, type ChosenKernel } from '../../src/neuron/choose.js';
import { PARALLEL_MIN_CELLS } from '../../src/neuron/parallel.js';
import { fusedPass, fusedPassOrdered, gradientFromSums, passSums } from '../../src/neuron/pass.js';
import { bucketsFor, TwoLevelPermutation } from '../../src/random/permutation.js';
import { generator, rng } from '../../src/random/rng.js';
import { Trainer } from '../../src/train/trainer.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigText } from '../../src/config/load.js';
import { loadDataset } from '../../src/data/dataset.js';
import { config, dataset } from '../helpers.js';

// Every path a run takes reaches the SIMD pass (and threads where a pass is long enough), and
// agrees with the reference fused pass to 1e-12 relative.

const kernels: ChosenKernel[] = [];
afterAll(() => kernels.forEach((k) => k.close()));

function choose(train: Rows, d: number, batchSize: 'full' | number, threads: number, validation: Rows | null = null): ChosenKernel {
  const chosen = chooseKernel({ train, validation, d }, { batchSize, threads, engine: 'pass' });
  kernels.push(chosen);
  return chosen;
}

function arenaRows(n: number, d: number, seed: number): Rows {
  const r = rng(seed, 'synthetic');
  const x = rowArray(n * d);
  const y = rowArray(n);
  for (let k = 0; k < x.length; k++) x[k] = r.normal();
  for (let i = 0; i < n; i++) y[i] = r.normal() + 0.3;
  return { x, y, n };
}

function expectClose(got: Float64Array, reference: Float64Array): void {
  expect(got[1]).toBe(reference[1]); // the active count is exact
  for (let k = 0; k < reference.length; k++) expect(Math.abs(got[k] - reference[k])).toBeLessThanOrEqual(1e-12 * Math.abs(reference[k]));
}

function agreesWithReference(pass: ChosenKernel['pass'], rows: Rows, d: number): void {
  const w = Float64Array.from({ length: d }, (_, j) => 0.2 * Math.sin(j + 1));
  const reference = passSums(d);
  const got = passSums(d);
  fusedPass(rows.x, rows.y, d, 0, rows.n, w, 0.1, reference);
  pass(rows.x, rows.y, d, 0, rows.n, w, 0.1, got);
  expectClose(got, reference);
}

describe('rows from a CSV file', () => {
  it('live in the arena (the trimmed rows are a view the arena recognises) and run the SIMD pass', () => {
    const d = 6;
    const lines = ['a,b,c,d,e,f,y'];
    for (let i = 0; i < 3000; i++) lines.push(Array.from({ length: d + 1 }, (_, j) => (Math.sin(i * 7 + j) * 2).toFixed(6)).join(','));
    lines.push('', ''); // blank lines: capacity exceeds rows, so the rows are a subarray
    const bytes = new TextEncoder().encode(lines.join('\n'));
    const numbers = readCsvNumbers(bytes, readCsvHeader(bytes, 't.csv'), { features: [0, 1, 2, 3, 4, 5], target: 6, missing: 'error' }, 't.csv');
    const train = { x: numbers.x, y: numbers.y, n: numbers.rows };
    expect(arenaOf(train.x, train.y)).not.toBeNull();
    const chosen = choose(train, d, 'full', 1);
    agreesWithReference(chosen.pass, train, d);
    expect(chosen.latest()).toEqual({ simd: true, threads: 1 });
  });
});

describe('a run on a CSV file', () => {
  it('trains on the SIMD pass without a split, and validates on it with one (the path `run` takes)', () => {
    const folder = mkdtempSync(join(tmpdir(), 'paths-'));
    try {
      const lines = ['a,b,c,d,y'];
      for (let i = 0; i < 500; i++) lines.push(Array.from({ length: 5 }, (_, j) => Math.cos(i * 3 + j).toFixed(5)).join(','));
      writeFileSync(join(folder, 'rows.csv'), `${lines.join('\n')}\n\n`);
      for (const split of [0, 0.2]) {
        const loaded = loadConfigText(join(folder, 'run.yaml'), `data: {path: rows.csv, validation_split: ${split}}\nlearning_rate: 0.1\nepochs: 1\n`);
        const data = loadDataset(loaded, folder, { threads: 1 });
        const chosen = choose(data.train, data.d, 'full', 1, data.validation);
        agreesWithReference(chosen.pass, data.train, data.d);
        expect(chosen.latest()).toEqual({ simd: true, threads: 1 });
        if (data.validation) {
          agreesWithReference(chosen.pass, data.validation, data.d);
          expect(chosen.latest()).toEqual({ simd: true, threads: 1 });
        }
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('synthetic rows', () => {
  it('run the SIMD pass', () => {
    const { x, y, rows } = syntheticRows({ samples: 2000, weights: [1, -2, 0.5, 3, 1], bias: 0.2, noise: 0.1 }, 3);
    const train = { x, y, n: rows };
    const chosen = choose(train, 5, 'full', 1);
    agreesWithReference(chosen.pass, train, 5);
    expect(chosen.latest()).toEqual({ simd: true, threads: 1 });
  });
});

describe('validation rows', () => {
  const d = 16;
  const cells = PARALLEL_MIN_CELLS;
  it('run the SIMD pass on threads when they are long enough, like the training rows', () => {
    const train = arenaRows(Math.ceil(cells / d) * 2, d, 1);
    const validation = arenaRows(Math.ceil(cells / d) + 5, d, 2);
    const chosen = choose(train, d, 'full', 2, validation);
    agreesWithReference(chosen.pass, validation, d);
    expect(chosen.latest()).toEqual({ simd: true, threads: 2 });
  });

  it('run the SIMD pass on one thread when they are short', () => {
    const train = arenaRows(Math.ceil(cells / d) * 2, d, 3);
    const validation = arenaRows(500, d, 4);
    const chosen = choose(train, d, 'full', 2, validation);
    agreesWithReference(chosen.pass, validation, d);
    expect(chosen.latest()).toEqual({ simd: true, threads: 1 });
  });
});

describe('mini-batches', () => {
  const d = 5;
  const n = 1003;
  const size = 100;

  /** One epoch of shuffled mini-batch SGD computed independently: the reference ordered pass over the shuffled order. */
  function referenceEpoch(train: Rows, w0: Float64Array, b0: number, lr: number, seed: number): { w: Float64Array; b: number; loss: number } {
    const order = new TwoLevelPermutation(n, bucketsFor(n, d)).draw(generator(seed, 'shuffle')).order();
    const w = Float64Array.from(w0);
    let b = b0;
    let sse = 0;
    const dw = new Float64Array(d);
    for (let start = 0; start < n; start += size) {
      const end = Math.min(n, start + size);
      const sums = passSums(d);
      fusedPassOrdered(train.x, train.y, d, order, start, end, w, b, sums);
      sse += sums[0];
      const db = gradientFromSums(sums, end - start, dw);
      for (let j = 0; j < d; j++) w[j] -= lr * dw[j];
      b -= lr * db;
    }
    return { w, b, loss: sse / n };
  }

  const train = arenaRows(n, d, 9);
  const init = { weights: [0.3, -0.2, 0.1, 0.4, -0.1], bias: 0.2 };
  const run = (kernel?: ChosenKernel['pass']) => {
    const trainer = new Trainer(config({ batch_size: size, seed: 5, learning_rate: 0.05, init }), dataset(train, d), { clock: () => 0, kernel });
    const event = trainer.runEpoch();
    return { w: Float64Array.from(trainer.w), b: trainer.b, loss: event.loss };
  };
  const reference = referenceEpoch(train, Float64Array.from(init.weights), init.bias, 0.05, 5);

  it('gathered into a buffer, the plain kernel gives the reference ordered pass bit for bit', () => {
    const plain = run();
    expect(Array.from(plain.w)).toEqual(Array.from(reference.w));
    expect(plain.b).toBe(reference.b);
    expect(plain.loss).toBe(reference.loss);
  });

  it('run the SIMD pass on their buffer and agree with the reference to 1e-12', () => {
    const chosen = choose(train, d, size, 2);
    const fast = run(chosen.pass);
    expect(chosen.latest()).toEqual({ simd: true, threads: 1 });
    for (let j = 0; j < d; j++) expect(Math.abs(fast.w[j] - reference.w[j])).toBeLessThanOrEqual(1e-12 * Math.abs(reference.w[j]));
    expect(Math.abs(fast.b - reference.b)).toBeLessThanOrEqual(1e-12 * Math.abs(reference.b));
    expect(Math.abs(fast.loss - reference.loss)).toBeLessThanOrEqual(1e-12 * reference.loss);
    expect(run(chosen.pass)).toEqual(fast); // deterministic
  });
});

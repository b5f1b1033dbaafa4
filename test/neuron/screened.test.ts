import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunConfig } from '../../src/config/types.js';
import { loadConfig, parseOverride } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';
import { loadDataset, type Dataset } from '../../src/data/dataset.js';
import { rowArray } from '../../src/data/rows.js';
import { generatedKernel, type Kernel } from '../../src/neuron/kernel.js';
import { ParallelKernel } from '../../src/neuron/parallel.js';
import { ACTIVE, DB, DW, fusedPass, passSums, SSE } from '../../src/neuron/pass.js';
import { AUTO_MIN_ROWS, engineKernel, G_BUDGET, type ScreenedEngine } from '../../src/neuron/screened.js';
import { zSequential, zSimd } from '../../src/neuron/z-order.js';
import { rng } from '../../src/random/rng.js';
import type { EpochEvent } from '../../src/train/events.js';
import { Trainer } from '../../src/train/trainer.js';
import { config, dataset, ROOT, rows } from '../helpers.js';

const clock = (): number => 0;

function relative(a: number, b: number): number {
  if (a === b) return 0; // also both ±Infinity
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
}

const U = 2 ** -53;

/** Mean z² at θ and mean ‖x̃‖² over some rows: the scale of a pass's rounding. */
function scales(r: { x: Float64Array; n: number }, d: number, w: Float64Array, b: number): { z2: number; x2: number } {
  let z2 = 0;
  let x2 = 0;
  for (let i = 0; i < r.n; i++) {
    const z = zSequential(r.x, i * d, d, w, b);
    z2 += z * z;
    x2 += 1;
    for (let j = 0; j < d; j++) x2 += r.x[i * d + j] ** 2;
  }
  return { z2: z2 / Math.max(1, r.n), x2: x2 / Math.max(1, r.n) };
}

function distance(w1: Float64Array, b1: number, w2: Float64Array, b2: number): number {
  let s = (b1 - b2) ** 2;
  for (let j = 0; j < w1.length; j++) s += (w1[j] - w2[j]) ** 2;
  return Math.sqrt(s);
}

/** What the comparisons allowed beyond 1e-9 relative (see `agree`), for the test's own checks. */
interface Slack {
  comparisons: number;
  beyondRelative: number;
}

/**
 * |a − e| ≤ 1e-9·|e| + what any two passes may differ by: their own rounding of z, which each
 * residual z_i − y_i carries (the loss then has no digits below a few u·√(C·mean z²), the gradient
 * none below u·√(mean z²·mean ‖x̃‖²)), and the effect of parameters that differ by dθ after rounding
 * (the gradient changes by up to λmax·dθ, λmax ≤ 2·mean‖x̃‖²).
 */
function agree(slack: Slack, a: number, e: number, extra: number, what: string): void {
  slack.comparisons++;
  const error = a === e ? 0 : Math.abs(a - e);
  if (error > 1e-9 * Math.abs(e)) slack.beyondRelative++;
  expect(error, `${what}: ${a} vs ${e}`).toBeLessThanOrEqual(1e-9 * Math.abs(e) + extra);
}

/**
 * Trains two Trainers side by side, the default pass and the screened engine, and checks every
 * epoch: the active count exactly, loss, grad_norm, parameters and validation to 1e-9 relative
 * (beyond the rounding that any two passes differ by, see `agree`).
 */
function sideBySide(runConfig: RunConfig, data: Dataset, inner: Kernel = generatedKernel(data.d)): { engine: ScreenedEngine; epochs: number; slack: Slack } {
  const pass = new Trainer(runConfig, data, { clock });
  const { kernel, screened } = engineKernel('screened', data.train, data.d, inner);
  const engine = screened as ScreenedEngine;
  const trainer = new Trainer(runConfig, data, { clock, kernel });
  const slack: Slack = { comparisons: 0, beyondRelative: 0 };
  const d = data.d;
  while (pass.status === null) {
    const before = scales(data.train, d, pass.w, pass.b);
    const dBefore = distance(trainer.w, trainer.b, pass.w, pass.b);
    const expected = pass.runEpoch();
    const actual = trainer.runEpoch();
    const at = `epoch ${expected.epoch}`;
    expect(actual.active_ratio, at).toBe(expected.active_ratio);
    expect(actual.val_active_ratio, at).toBe(expected.val_active_ratio);
    expect(trainer.status, at).toBe(pass.status);
    if (!Number.isFinite(expected.loss)) {
      expect(actual.loss, at).toBe(expected.loss);
      continue;
    }
    const loss = Math.abs(expected.loss);
    const lambda = 2 * before.x2;
    const zRounding = 64 * U * Math.sqrt(loss * before.z2);
    agree(slack, actual.loss, expected.loss, zRounding + expected.grad_norm * dBefore + lambda * dBefore ** 2, `${at} loss`);
    agree(slack, actual.grad_norm, expected.grad_norm, 64 * U * Math.sqrt(before.z2 * before.x2) + lambda * dBefore, `${at} grad_norm`);
    for (let j = 0; j < d; j++) expect(relative(trainer.w[j], pass.w[j]), `${at} w${j}`).toBeLessThanOrEqual(1e-9);
    expect(relative(trainer.b, pass.b), `${at} b`).toBeLessThanOrEqual(1e-9);
    if (data.validation && expected.val_loss !== null && actual.val_loss !== null) {
      const after = scales(data.validation, d, pass.w, pass.b);
      const dAfter = distance(trainer.w, trainer.b, pass.w, pass.b);
      const v = Math.abs(expected.val_loss);
      const valGrad = 2 * Math.sqrt(v * after.x2);
      agree(slack, actual.val_loss, expected.val_loss, 64 * U * Math.sqrt(v * after.z2) + valGrad * dAfter + 2 * after.x2 * dAfter ** 2, `${at} val_loss`);
    }
  }
  expect(engine.stats.mismatches).toBe(0);
  return { engine, epochs: pass.epoch, slack };
}

describe('screened engine: the same run as the pass engine', () => {
  const configs = readdirSync(join(ROOT, 'configs')).filter((f) => f.endsWith('.yaml'));

  for (const file of configs) {
    it(`configs/${file}: every epoch agrees`, () => {
      const loaded = loadConfig(join(ROOT, 'configs', file));
      const data = loadDataset(loaded, ROOT);
      const { engine, epochs } = sideBySide(loaded.config, data);
      if (loaded.config.batch_size === 'full' && epochs > 3 && !file.startsWith('diverging')) {
        // The engine did its own epochs, not only passes (a diverging run is all exact passes: its loss rises).
        expect(engine.stats.passes + engine.stats.screens).toBeLessThan(epochs);
      }
    });
  }

  it('random problems (property): every epoch agrees', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.integer({ min: 1, max: 300 }),
          d: fc.integer({ min: 1, max: 6 }),
          seed: fc.integer({ min: 0, max: 1 << 30 }),
          noise: fc.constantFrom(0.01, 0.1, 1),
          learningRate: fc.constantFrom(0.01, 0.05, 0.1, 0.2),
          bias: fc.double({ min: -1, max: 1, noNaN: true }),
          scale: fc.constantFrom(0.1, 1),
        }),
        ({ n, d, seed, noise, learningRate, bias, scale }) => {
          const r = rng(seed, 'synthetic');
          const truth = Array.from({ length: d }, () => r.normal());
          const x = new Float64Array(n * d).map(() => r.normal());
          const y = new Float64Array(n).map((_, i) => {
            let z = bias;
            for (let j = 0; j < d; j++) z += truth[j] * x[i * d + j];
            return Math.max(0, z) + noise * r.normal();
          });
          const runConfig = config({ learning_rate: learningRate, epochs: 80, seed, init: { distribution: 'normal', scale, bias: 0.1 } });
          sideBySide(runConfig, dataset({ x, y, n }, d));
        },
      ),
      { numRuns: 60, seed: 18 },
    );
  });

  it('rows exactly at the kink (z = 0) count as inactive, at the start and after a step', () => {
    // Rows (t, t) sit at z = 0 under w = [1, −1], b = 0; the others are ordinary rows.
    const r = rng(5, 'synthetic');
    const base: number[][] = [];
    const targets: number[] = [];
    for (let i = 0; i < 60; i++) {
      const row = [r.normal(), r.normal()];
      base.push(row);
      targets.push(Math.max(0, 0.8 * row[0] - 0.4 * row[1] + 0.1) + 0.05 * r.normal());
    }
    for (let i = 0; i < 10; i++) {
      base.push([i / 4, i / 4]);
      targets.push(0.5);
    }
    const runConfig = config({ learning_rate: 0.1, epochs: 2, init: { weights: [1, -1], bias: 0 } });
    // Where the pass engine goes in one epoch, θ₂: then add rows that are inactive at θ₁ (so θ₂ does
    // not move) and lie exactly on z = 0 at θ₂, in the kernel's arithmetic.
    const probe = new Trainer(runConfig, dataset(rows(base, targets), 2), { clock });
    probe.runEpoch();
    const w2 = Float64Array.from(probe.w);
    const b2 = probe.b;
    let added = 0;
    for (let k = -300; k <= 300 && added < 8; k++) {
      const x0 = k / 64;
      const c = b2 + w2[0] * x0; // z = (b + w0 x0) + w1 x1, in the kernel's order
      const guess = -c / w2[1];
      for (let step = -3, x1 = nextDown(nextDown(nextDown(guess))); step <= 3; step++, x1 = nextUp(x1)) {
        const row = Float64Array.from([x0, x1]);
        const atStart = zSequential(row, 0, 2, Float64Array.from([1, -1]), 0);
        if (zSequential(row, 0, 2, w2, b2) === 0 && atStart <= 0) {
          base.push([x0, x1]);
          targets.push(0.25);
          added++;
          break;
        }
      }
    }
    expect(added).toBeGreaterThan(0);
    const data = dataset(rows(base, targets), 2);
    sideBySide({ ...runConfig, epochs: 60 }, data);
    // Independently: at θ₂ the added rows are exactly at the kink, and the screened trainer counts them out.
    const trainer = new Trainer(runConfig, data, { clock, kernel: engineKernel('screened', data.train, 2, generatedKernel(2)).kernel });
    trainer.runEpoch();
    const second = trainer.runEpoch();
    let active = 0;
    for (let i = 0; i < data.train.n; i++) if (zSequential(data.train.x, i * 2, 2, w2, b2) > 0) active++;
    expect(second.active_ratio).toBe(active / data.train.n);
  });

  it('a problem whose active set keeps changing', () => {
    // Started far from the truth: the kink sweeps across the rows as θ turns, rows change side in most epochs.
    const r = rng(9, 'synthetic');
    const n = 400;
    const x = new Float64Array(n * 3).map(() => r.normal());
    const y = new Float64Array(n).map((_, i) => Math.max(0, x[i * 3] + x[i * 3 + 1] - 0.5 * x[i * 3 + 2]) + 0.1 * r.normal());
    const runConfig = config({ learning_rate: 0.05, epochs: 300, init: { weights: [-1, -0.8, 0.5], bias: 1.5 } });
    const data = dataset({ x, y, n }, 3);
    const { engine, epochs } = sideBySide(runConfig, data);
    expect(epochs).toBe(300);
    // Independently of the engine: in how many epochs did the active set change?
    const trainer = new Trainer(runConfig, data, { clock });
    let changed = 0;
    let before = new Uint8Array(n);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const now = new Uint8Array(n).map((_, i) => (zSequential(x, i * 3, 3, trainer.w, trainer.b) > 0 ? 1 : 0));
      if (epoch > 0 && now.some((v, i) => v !== before[i])) changed++;
      before = now;
      trainer.runEpoch();
    }
    expect(changed).toBeGreaterThan(epochs / 3);
    expect(engine.stats.flips).toBeGreaterThan(50); // rank-1 updates, besides the refreshes
  });
});

describe('screened engine: refreshes', () => {
  it('keeps its sums within the tested bound over 1e5 epochs (the refresh rules)', () => {
    const r = rng(3, 'synthetic');
    const n = 24;
    const d = 2;
    const x = new Float64Array(n * d).map(() => r.normal());
    const y = new Float64Array(n).map(() => r.normal());
    const { kernel, screened } = engineKernel('screened', { x, y, n }, d, generatedKernel(d));
    const engine = screened as ScreenedEngine;
    // Cycles of 100 epochs that glide from a far point into a fixed θ* (the loss mostly falls, so
    // the engine keeps its own epochs) and jump out again in a new direction: the path sweeps the
    // kink across the rows over and over, and the sums take many rank-1 updates.
    const star = [0.8, -0.6, 0.1];
    const w = new Float64Array(d);
    let b = 0;
    const mine = passSums(d);
    const exact = passSums(d);
    let worstLoss = 0;
    let worstGrad = 0;
    let worstGram = 0;
    for (let epoch = 1; epoch <= 100_000; epoch++) {
      const cycle = Math.floor(epoch / 100);
      const t = (1 - (epoch % 100) / 100) ** 2;
      const angle = cycle * 0.7;
      w[0] = star[0] + t * Math.cos(angle);
      w[1] = star[1] + t * Math.sin(angle);
      b = star[2] + 0.5 * t * Math.sin(angle * 1.7);
      mine.fill(0);
      exact.fill(0);
      kernel(x, y, d, 0, n, w, b, mine);
      fusedPass(x, y, d, 0, n, w, b, exact);
      expect(mine[ACTIVE]).toBe(exact[ACTIVE]);
      worstLoss = Math.max(worstLoss, relative(mine[SSE], exact[SSE]));
      const gradError = Math.hypot(mine[DB] - exact[DB], ...Array.from({ length: d }, (_, j) => mine[DW + j] - exact[DW + j]));
      const gradSize = Math.hypot(exact[DB], ...Array.from({ length: d }, (_, j) => exact[DW + j]));
      if (gradSize > 0) worstGrad = Math.max(worstGrad, gradError / gradSize);
      if (epoch % 997 === 0) worstGram = Math.max(worstGram, gramDrift(engine, x, y, n, d, w, b));
    }
    expect(worstLoss).toBeLessThanOrEqual(1e-11);
    expect(worstGrad).toBeLessThanOrEqual(1e-11);
    // G_BUDGET bounds G's rounding to about G_BUDGET·u·trace(G); tested with room for the rows' own sums.
    expect(worstGram).toBeLessThanOrEqual(4 * G_BUDGET * 2 ** -53);
    // Thousands of rank-1 updates outside the refreshes, and thousands of refreshes.
    expect(engine.stats.flips).toBeGreaterThan(5_000);
    expect(engine.stats.screens).toBeGreaterThan(1_000);
  });

  it('a loss tiny next to Σy² still comes out with relative accuracy (re-centred sums and exact passes)', () => {
    // A noise-free problem: the loss falls by many orders of magnitude.
    const r = rng(11, 'synthetic');
    const n = 500;
    const x = new Float64Array(n * 2).map(() => r.normal());
    const y = new Float64Array(n).map((_, i) => Math.max(0, 3 * x[i * 2] + 2 * x[i * 2 + 1] + 5));
    const runConfig = config({ learning_rate: 0.2, epochs: 120, init: { weights: [2.5, 2.5], bias: 4.5 } });
    const pass = new Trainer(runConfig, dataset({ x, y, n }, 2), { clock });
    const { kernel } = engineKernel('screened', { x, y, n }, 2, generatedKernel(2));
    const trainer = new Trainer(runConfig, dataset({ x, y, n }, 2), { clock, kernel });
    let smallest = Infinity;
    let naive = 0;
    const slack: Slack = { comparisons: 0, beyondRelative: 0 };
    let ySquares = 0;
    for (let i = 0; i < n; i++) ySquares += y[i] * y[i];
    while (pass.status === null) {
      const { z2 } = scales({ x, n }, 2, pass.w, pass.b);
      const e = pass.runEpoch();
      const a = trainer.runEpoch();
      const allowed = 64 * U * Math.sqrt(e.loss * z2);
      agree(slack, a.loss, e.loss, allowed, `epoch ${e.epoch} loss`);
      if (e.loss < smallest) {
        smallest = e.loss;
        // A form about θ = 0, Σy² − 2θ·Σyx̃ + θᵀGθ, has an error of about u·Σy²/N: far more than allowed here.
        naive = (U * ySquares) / n / (1e-9 * e.loss + allowed);
      }
    }
    expect(smallest).toBeLessThan(1e-12 * (ySquares / n));
    expect(naive).toBeGreaterThan(100);
  });
});

describe('the engine key', () => {
  it('defaults to auto, takes pass or screened, and names the choices otherwise', () => {
    const file = join(ROOT, 'configs', 'linear.yaml');
    expect(loadConfig(file).config.engine).toBe('auto');
    expect(loadConfig(file, [parseOverride('engine=pass')]).config.engine).toBe('pass');
    expect(loadConfig(file, [parseOverride('engine=screened')]).config.engine).toBe('screened');
    expect(() => loadConfig(file, [parseOverride('engine=fast')])).toThrow(InputError);
    expect(() => loadConfig(file, [parseOverride('engine=fast')])).toThrow(/`auto`, `pass`, `screened`/);
  });
});

describe('engineKernel', () => {
  const pools: ParallelKernel[] = [];
  afterAll(() => pools.forEach((p) => p.close()));

  it('`pass` is the inner kernel itself', () => {
    const inner = generatedKernel(2);
    expect(engineKernel('pass', rows([[1, 2]], [1]), 2, inner).kernel).toBe(inner);
  });

  it('hands validation rows and sub-ranges to the inner kernel', () => {
    const train = rows(
      [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      [1, 2, 3],
    );
    const other = rows([[2, 2]], [1]);
    const calls: number[] = [];
    const inner: Kernel = (x, y, d, start, end, w, b, out) => {
      calls.push(end - start);
      fusedPass(x, y, d, start, end, w, b, out);
    };
    const { kernel } = engineKernel('screened', train, 2, inner);
    const w = Float64Array.from([0.5, 0.5]);
    for (const [x, y, start, end] of [
      [other.x, other.y, 0, 1],
      [train.x, train.y, 1, 3],
    ] as const) {
      const mine = passSums(2);
      const reference = passSums(2);
      kernel(x, y, 2, start, end, w, 0.1, mine);
      fusedPass(x, y, 2, start, end, w, 0.1, reference);
      expect(Array.from(mine)).toEqual(Array.from(reference));
    }
    expect(calls).toEqual([1, 2]);
  });

  it('`auto` uses passes below AUTO_MIN_ROWS rows', () => {
    const train = rows([[1], [2], [-1]], [1, 2, 0]);
    const { kernel, screened } = engineKernel('auto', train, 1, generatedKernel(1));
    const w = Float64Array.from([0.5]);
    const out = passSums(1);
    for (let epoch = 0; epoch < 20; epoch++) kernel(train.x, train.y, 1, 0, 3, w.fill(0.5 + epoch / 100), 0.1, out);
    expect(train.n).toBeLessThan(AUTO_MIN_ROWS);
    expect(screened?.stats.passes).toBe(20);
    expect(screened?.stats.screens).toBe(0);
  });

  it('`auto` screens a large full batch once it has seen its first steps', () => {
    const n = AUTO_MIN_ROWS;
    const r = rng(2, 'synthetic');
    const x = new Float64Array(n * 2).map(() => r.normal());
    const y = new Float64Array(n).map((_, i) => Math.max(0, x[i * 2] + 0.5 * x[i * 2 + 1]) + 0.1 * r.normal());
    const runConfig = config({ learning_rate: 0.1, epochs: 200 });
    const pass = new Trainer(runConfig, dataset({ x, y, n }, 2), { clock });
    const { kernel, screened } = engineKernel('auto', { x, y, n }, 2, generatedKernel(2), { epochs: 200 });
    const trainer = new Trainer(runConfig, dataset({ x, y, n }, 2), { clock, kernel });
    while (pass.status === null) {
      const e = pass.runEpoch();
      const a = trainer.runEpoch();
      expect(a.active_ratio).toBe(e.active_ratio);
      expect(relative(a.loss, e.loss)).toBeLessThanOrEqual(1e-9);
    }
    const stats = screened?.stats;
    expect(stats?.screens).toBeGreaterThan(0);
    expect((stats?.passes ?? 0) + (stats?.screens ?? 0)).toBeLessThan(100);
  });

  for (const threads of [1, 2]) {
    it(`with the SIMD kernel inside (${threads} thread(s)), decides z > 0 in its order and refreshes in its WebAssembly: the same runs`, () => {
      const n = 20_000;
      const d = 7;
      const r = rng(4, 'synthetic');
      const x = rowArray(n * d);
      const y = rowArray(n);
      for (let k = 0; k < x.length; k++) x[k] = r.normal();
      for (let i = 0; i < n; i++) y[i] = Math.max(0, x[i * d] - x[i * d + 3] + 0.2) + 0.1 * r.normal();
      const pool = new ParallelKernel(x, y, d, threads, true);
      pools.push(pool);
      expect(pool.mode).toBe('simd');
      const data = dataset({ x, y, n }, d);
      const runConfig = config({ learning_rate: 0.1, epochs: 150 });
      const pass = new Trainer(runConfig, data, { clock, kernel: pool.pass });
      const { kernel, screened } = engineKernel('screened', data.train, d, pool.pass, { order: 'simd', pool });
      const trainer = new Trainer(runConfig, data, { clock, kernel });
      while (pass.status === null) {
        const e = pass.runEpoch();
        const a = trainer.runEpoch();
        expect(a.active_ratio).toBe(e.active_ratio);
        expect(relative(a.loss, e.loss)).toBeLessThanOrEqual(1e-9);
        expect(relative(a.grad_norm, e.grad_norm)).toBeLessThanOrEqual(1e-9);
        for (let j = 0; j < d; j++) expect(relative(trainer.w[j], pass.w[j])).toBeLessThanOrEqual(1e-9);
      }
      const stats = (screened as ScreenedEngine).stats;
      expect(stats.mismatches).toBe(0);
      // Its refreshes ran in WebAssembly, and it did epochs of its own between them.
      expect(stats.wasmScreens).toBe(stats.screens);
      expect(stats.screens).toBeGreaterThan(0);
      expect(stats.passes + stats.screens).toBeLessThan(100);
    });
  }
});

describe('z in the kernels’ order', () => {
  it('zSimd is bit-identical to the WebAssembly pass, zSequential to fusedPass', () => {
    const pools: ParallelKernel[] = [];
    try {
      for (const d of [1, 2, 3, 4, 5, 6, 7, 16, 17]) {
        const r = rng(d, 'synthetic');
        const x = rowArray(d);
        const y = rowArray(1);
        const pool = new ParallelKernel(x, y, d, 1, true);
        pools.push(pool);
        const w = new Float64Array(d);
        for (let trial = 0; trial < 200; trial++) {
          for (let j = 0; j < d; j++) {
            x[j] = r.normal() * 10 ** r.int(-3, 3);
            w[j] = r.normal();
          }
          // A bias that makes z > 0, so the pass's Σ(z − y) with y = 0 is z itself.
          let size = 0;
          for (let j = 0; j < d; j++) size += Math.abs(w[j] * x[j]);
          const b = size + 1 + r.uniform();
          const simd = passSums(d);
          pool.pass(x, y, d, 0, 1, w, b, simd);
          const reference = passSums(d);
          fusedPass(x, y, d, 0, 1, w, b, reference);
          expect(zSimd(x, 0, d, w, b)).toBe(simd[DB]);
          expect(zSequential(x, 0, d, w, b)).toBe(reference[DB]);
        }
      }
    } finally {
      pools.forEach((p) => p.close());
    }
  });
});

/** max |G − G_exact| over trace(G_exact), for G over the active rows at θ. */
function gramDrift(engine: ScreenedEngine, x: Float64Array, y: Float64Array, n: number, d: number, w: Float64Array, b: number): number {
  const tracked = engine.activeGram();
  if (tracked === null) return 0;
  const size = d + 1;
  const exact = new Float64Array(tracked.length);
  for (let i = 0; i < n; i++) {
    if (!(zSequential(x, i * d, d, w, b) > 0)) continue;
    const xt = [...x.subarray(i * d, i * d + d), 1];
    let p = 0;
    for (let j = 0; j < size; j++) for (let k = j; k < size; k++) exact[p++] += xt[j] * xt[k];
  }
  let trace = 0;
  for (let j = 0, p = 0; j < size; p += size - j, j++) trace += exact[p];
  let worst = 0;
  for (let p = 0; p < exact.length; p++) worst = Math.max(worst, Math.abs(tracked[p] - exact[p]));
  void y;
  return trace > 0 ? worst / trace : worst;
}

function nextUp(v: number): number {
  const buffer = new DataView(new ArrayBuffer(8));
  buffer.setFloat64(0, v);
  const bits = buffer.getBigUint64(0);
  buffer.setBigUint64(0, v >= 0 ? bits + 1n : bits - 1n);
  return buffer.getFloat64(0);
}

function nextDown(v: number): number {
  return -nextUp(-v);
}

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../src/config/types.js';
import type { Dataset, Rows } from '../src/data/dataset.js';
import { rng } from '../src/random/rng.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export function rows(x: number[][], y: number[]): Rows {
  return { x: Float64Array.from(x.flat()), y: Float64Array.from(y), n: y.length };
}

export function dataset(train: Rows, d: number, validation: Rows | null = null): Dataset {
  return {
    source: 'test',
    features: Array.from({ length: d }, (_, j) => `x${j + 1}`),
    target: 'y',
    d,
    train,
    validation,
    skipped: 0,
    standardization: null,
  };
}

/** Random rows x ~ N(0, 1) with y from a given function of x. */
export function randomRows(n: number, d: number, seed: number, target: (x: Float64Array) => number): Rows {
  const r = rng(seed, 'synthetic');
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = r.normal();
    y[i] = target(x.subarray(i * d, i * d + d));
  }
  return { x, y, n };
}

export function config(overrides: Partial<RunConfig> = {}): RunConfig {
  return {
    name: 'test',
    data: { validation_split: 0, standardize: false, missing: 'error', synthetic: { samples: 10, weights: [1], bias: 0, noise: 0 } },
    learning_rate: 0.1,
    epochs: 10,
    batch_size: 'full',
    shuffle: true,
    seed: 0,
    init: { distribution: 'normal', scale: 0.1, bias: 0.1 },
    log_every: 1,
    ...overrides,
  };
}

/** Runs the built CLI; no terminal, like CI. */
export function cli(args: string[], options: { cwd?: string; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    timeout: 60_000,
  });
}

/** Parses JSON lines, failing loudly on a line that is not JSON. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

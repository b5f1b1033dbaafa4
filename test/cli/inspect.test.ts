import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { loadDataset } from '../../src/data/dataset.js';
import { cli, jsonLines, ROOT } from '../helpers.js';

const FIELDS = ['epoch', 'loss', 'active', 'gradient', 'lambda_max', 'lambda_min', 'condition', 'lr_limit', 'lr_fastest', 'near_kink', 'flips'];

interface Inspected {
  epoch: number;
  loss: number;
  active: number;
  gradient: { weights: number[]; bias: number };
  lambda_max: number;
  lambda_min: number;
  condition: number | null;
  lr_limit: number | null;
  lr_fastest: number | null;
  near_kink: number;
  flips: number;
}

function inspectJson(args: string[]): { value: Inspected; stderr: string } {
  const result = cli(['inspect', ...args, '--json']);
  expect(result.status, result.stderr).toBe(0);
  const lines = jsonLines(result.stdout);
  expect(lines.length).toBe(1);
  return { value: lines[0] as unknown as Inspected, stderr: result.stderr };
}

describe('inspect', () => {
  it('prints a table of the state at epoch 0 by default', () => {
    const result = cli(['inspect', 'configs/linear.yaml']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^inspect configs\/linear\.yaml: epoch 0 of 300, 500 training rows × 3 features\n/);
    for (const label of ['loss', 'active', 'near the kink', 'changed side', 'λmax', 'λmin', 'condition', 'limit 2/λmax', 'fastest', 'learning rate']) {
      expect(result.stdout).toMatch(new RegExp(`\\n  ${label.replace(/[/()]/g, '\\$&')} +\\S`));
    }
    expect(result.stdout).toContain('w[x1]');
    expect(result.stdout).toContain('0 (no epoch yet)');
    expect(result.stdout).toContain('learning rate   0.05  (');
  });

  it('--json prints one object with the fields DESIGN.md names, in that order', () => {
    const { value, stderr } = inspectJson(['configs/linear.yaml']);
    expect(Object.keys(value)).toEqual(FIELDS);
    expect(Object.keys(value.gradient)).toEqual(['weights', 'bias']);
    expect(value.gradient.weights.length).toBe(3);
    expect(value.epoch).toBe(0);
    expect(value.flips).toBe(0);
    expect(stderr).toBe('');
  });

  it("--at 50 trains the config's own 50 epochs: the loss is the run's, the gradient the seed's formula there", () => {
    const { value } = inspectJson(['configs/linear.yaml', '--at', '50']);
    const run = jsonLines(cli(['run', 'configs/linear.yaml', '--json', '--set', 'epochs=50']).stdout);
    const end = run[run.length - 1] as { loss: number; weights: number[]; bias: number };
    expect(value.epoch).toBe(50);
    expect(value.loss).toBe(end.loss);

    const { train, d } = loadDataset(loadConfig(join(ROOT, 'configs/linear.yaml')));
    const g = new Array<number>(d + 1).fill(0);
    let active = 0;
    for (let i = 0; i < train.n; i++) {
      const z = end.weights.reduce((s, w, j) => s + w * train.x[i * d + j], end.bias);
      if (!(z > 0)) continue;
      active++;
      end.weights.forEach((_, j) => (g[j] += (2 / train.n) * (z - train.y[i]) * train.x[i * d + j]));
      g[d] += (2 / train.n) * (z - train.y[i]);
    }
    expect(value.active).toBe(active);
    value.gradient.weights.forEach((gj, j) => expect(gj).toBeCloseTo(g[j], 12));
    expect(value.gradient.bias).toBeCloseTo(g[d], 12);
    expect(value.lr_limit).toBeCloseTo(2 / value.lambda_max, 12);
    expect(value.lr_fastest).toBeCloseTo(2 / (value.lambda_max + value.lambda_min), 12);
    expect(value.condition).toBeCloseTo(value.lambda_max / value.lambda_min, 9);
    expect(value.lambda_min).toBeGreaterThan(0);
    expect(value.lambda_min).toBeLessThanOrEqual(value.lambda_max);
  });

  it('says where training stopped before EPOCH and inspects there', () => {
    const { value, stderr } = inspectJson(['configs/dead.yaml', '--at', '10']);
    expect(value.epoch).toBe(1);
    expect(value).toMatchObject({ active: 0, lambda_max: 0, lambda_min: 0, condition: null, lr_limit: null, lr_fastest: null });
    expect(stderr).toBe('training stopped (dead) at epoch 1, before epoch 10; this is the state where it stopped\n');
    const table = cli(['inspect', 'configs/dead.yaml', '--at', '10']);
    expect(table.stdout).toContain('training stopped (dead) at epoch 1');
    expect(table.stdout).toContain('no row is active');
  });

  it('counts rows that changed side in the last epoch', () => {
    const { value } = inspectJson(['configs/diverging.yaml', '--at', '4']);
    expect(value.flips).toBeGreaterThan(0);
  });

  it('accepts --set like run', () => {
    const { value } = inspectJson(['configs/linear.yaml', '--at', '1', '--set', 'learning_rate=0.01']);
    const { value: other } = inspectJson(['configs/linear.yaml', '--at', '1']);
    expect(value.loss).not.toBe(other.loss);
  });

  for (const [name, args, message] of [
    ['a missing config', ['nope.yaml'], /^nope\.yaml: cannot read the config: no such file/],
    ['--at that is not a whole number', ['configs/linear.yaml', '--at', 'ten'], /--at <epoch>.*'ten' is invalid\. expected a whole number of epochs ≥ 0/],
    ['--at below 0', ['configs/linear.yaml', '--at', '-1'], /expected a whole number of epochs ≥ 0/],
    [
      "--at past the config's epochs",
      ['configs/linear.yaml', '--at', '301'],
      /^--at 301: the config trains at most 300 epochs; use --at 300 or less, or --set epochs=301\n$/,
    ],
    ['a bad --set', ['configs/linear.yaml', '--set', 'learning_rate=-1'], /learning_rate/],
  ] as const) {
    it(`exits 2 with one clear message for ${name}`, () => {
      for (const json of [[], ['--json']]) {
        const result = cli(['inspect', ...args, ...json]);
        expect(result.status).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at |ENOENT|ERR_/);
      }
    });
  }
});

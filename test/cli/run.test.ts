import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines, ROOT } from '../helpers.js';

/** What each example config is for: its status and exit code. */
const EXPECTED: Record<string, { status: string; code: number }> = {
  'linear.yaml': { status: 'completed', code: 0 },
  'synthetic.yaml': { status: 'completed', code: 0 },
  'early-stopping.yaml': { status: 'early_stopped', code: 0 },
  'minibatch.yaml': { status: 'completed', code: 0 },
  'adam-cosine.yaml': { status: 'completed', code: 0 },
  'diverging.yaml': { status: 'diverged', code: 1 },
  'dead.yaml': { status: 'dead', code: 1 },
};

const EPOCH_FIELDS = [
  'type',
  'epoch',
  'loss',
  'val_loss',
  'active_ratio',
  'val_active_ratio',
  'weight_norm',
  'bias',
  'grad_norm',
  'learning_rate',
  'r2',
  'val_r2',
  'elapsed_ms',
];
const END_FIELDS = ['type', 'status', 'epochs', 'weights', 'bias', 'loss', 'val_loss', 'best_epoch', 'best_loss', 'elapsed_ms'];

const withoutElapsed = (text: string): string => text.replace(/"elapsed_ms":[0-9.e+-]+/g, '"elapsed_ms":0');

describe('neuron-tui run --json on every example config', () => {
  const configs = readdirSync(join(ROOT, 'configs')).filter((f) => f.endsWith('.yaml'));

  it('covers every example config', () => {
    expect(configs.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const file of configs) {
    it(`${file}: one start, epochs, one end, with the contract's fields`, () => {
      const result = cli(['run', `configs/${file}`, '--json']);
      const expected = EXPECTED[file];
      expect(result.status, result.stderr).toBe(expected.code);
      const lines = jsonLines(result.stdout);
      expect(lines[0].type).toBe('start');
      expect(Object.keys(lines[0])[0]).toBe('type');
      expect(lines.filter((l) => l.type === 'start')).toHaveLength(1);
      const end = lines[lines.length - 1];
      expect(lines.filter((l) => l.type === 'end')).toHaveLength(1);
      expect(Object.keys(end)).toEqual(END_FIELDS);
      expect(end.status).toBe(expected.status);
      const epochs = lines.slice(1, -1);
      expect(epochs.length).toBeGreaterThan(0);
      epochs.forEach((e, i) => {
        expect(Object.keys(e)).toEqual(EPOCH_FIELDS);
        expect(e.epoch).toBe(i + 1);
      });
      expect(end.epochs).toBe(epochs.length);
      const start = lines[0] as { config: Record<string, unknown>; dataset: Record<string, unknown> };
      expect(start.config).toMatchObject({
        learning_rate: expect.any(Number),
        epochs: expect.any(Number),
        batch_size: expect.anything(),
        seed: expect.any(Number),
      });
      expect(start.dataset).toMatchObject({
        train: expect.any(Number),
        validation: expect.any(Number),
        features: expect.any(Array),
        target: expect.any(String),
      });
      // Human words go to stderr; stdout is only JSON.
      if (expected.code !== 0) expect(result.stderr.length).toBeGreaterThan(0);
    });
  }

  it('linear.yaml trains to a clearly lower loss', () => {
    const lines = jsonLines(cli(['run', 'configs/linear.yaml', '--json']).stdout);
    const first = lines[1].loss as number;
    const end = lines[lines.length - 1].loss as number;
    expect(end).toBeLessThan(first / 10);
  });

  it('the same config and seed give identical lines apart from elapsed_ms', () => {
    for (const file of ['minibatch.yaml', 'early-stopping.yaml']) {
      const a = cli(['run', `configs/${file}`, '--json']).stdout;
      const b = cli(['run', `configs/${file}`, '--json']).stdout;
      expect(a.length).toBeGreaterThan(0);
      expect(withoutElapsed(a)).toBe(withoutElapsed(b));
    }
  });

  it('a different seed gives different lines', () => {
    const a = cli(['run', 'configs/minibatch.yaml', '--json']).stdout;
    const b = cli(['run', 'configs/minibatch.yaml', '--json', '--set', 'seed=8']).stdout;
    expect(withoutElapsed(a)).not.toBe(withoutElapsed(b));
  });

  it('--out writes the same lines as --json, and --save-weights the final parameters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-'));
    const out = join(dir, 'run.jsonl');
    const weights = join(dir, 'w.json');
    const result = cli(['run', 'configs/linear.yaml', '--json', '--out', out, '--save-weights', weights]);
    expect(result.status).toBe(0);
    expect(withoutElapsed(readFileSync(out, 'utf8'))).toBe(withoutElapsed(result.stdout));
    const end = jsonLines(result.stdout).pop() as { weights: number[]; bias: number };
    const saved = JSON.parse(readFileSync(weights, 'utf8'));
    expect(saved).toEqual({ weights: end.weights, bias: end.bias, features: ['x1', 'x2', 'x3'], target: 'y' });
  });

  it('log_every thins the epoch lines but keeps the last', () => {
    const lines = jsonLines(cli(['run', 'configs/linear.yaml', '--json', '--set', 'log_every=7']).stdout);
    const epochs = lines.filter((l) => l.type === 'epoch').map((l) => l.epoch as number);
    expect(epochs.slice(0, 3)).toEqual([7, 14, 21]);
    expect(epochs[epochs.length - 1]).toBe(300);
  });

  it('without a terminal and without --json prints plain progress lines and a summary', () => {
    const result = cli(['run', 'configs/linear.yaml']);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toMatch(/\u001b\[/); // no cursor movement or colour
    const lines = result.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('epoch')).length).toBeLessThanOrEqual(21);
    expect(lines.some((l) => l.startsWith('epoch 300/300'))).toBe(true);
    expect(result.stdout).toMatch(/completed after 300 epochs/);
  });

  it('a config error exits 2 with file:line:col, no stack trace and no output file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-'));
    const out = join(dir, 'run.jsonl');
    const result = cli(['run', 'configs/linear.yaml', '--json', '--out', out, '--set', 'learning_rate=fast']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('--set learning_rate=fast: `learning_rate` must be a number > 0, got "fast"\n');
    expect(existsSync(out)).toBe(false);
  });

  it('--assert-loss exits 1 when the final loss is above the limit, 0 when below', () => {
    expect(cli(['run', 'configs/linear.yaml', '--json', '--assert-loss', '1']).status).toBe(0);
    const failed = cli(['run', 'configs/linear.yaml', '--json', '--assert-loss', '0.001']);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^--assert-loss 0\.001: the final loss is 0\.15\d+, above the limit\n$/);
  });

  it('--pace is for the dashboard: with --json or without a terminal it is a usage error (exit 2, nothing run)', () => {
    const json = cli(['run', 'configs/linear.yaml', '--json', '--pace', '20']);
    expect(json.status).toBe(2);
    expect(json.stdout).toBe('');
    expect(json.stderr).toBe('--pace 20: the pace is for watching the dashboard; with --json the run always goes at full speed. Remove --pace\n');
    const piped = cli(['run', 'configs/linear.yaml', '--pace', 'max']);
    expect(piped.status).toBe(2);
    expect(piped.stderr).toContain('when stdout is not a terminal the run always goes at full speed');
    const bad = cli(['run', 'configs/linear.yaml', '--pace', 'fast']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('expected epochs per second (a number > 0, e.g. 50) or max.');
  });
});

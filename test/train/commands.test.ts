import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stableLearningRate } from '../../src/commands/init.js';
import { cli, jsonLines, ROOT } from '../helpers.js';

const temp = (): string => mkdtempSync(join(tmpdir(), 'neuron-tui-options-'));
const end = (stdout: string): Record<string, unknown> => jsonLines(stdout).pop() as Record<string, unknown>;
const epochs = (stdout: string): Record<string, unknown>[] => jsonLines(stdout).filter((l) => l.type === 'epoch');

describe('predict', () => {
  it('reproduces the training loss on the training CSV exactly, with its standardization', () => {
    const dir = temp();
    const weights = join(dir, 'w.json');
    const run = cli(['run', 'configs/linear.yaml', '--json', '--set', 'data.standardize=true', '--set', 'epochs=40', '--save-weights', weights]);
    expect(run.status).toBe(0);
    const loss = end(run.stdout).loss as number;
    const result = cli(['predict', weights, 'datasets/linear.csv']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`500 rows, loss ${loss} (mean squared error)`);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('x1,x2,x3,y,prediction');
    expect(lines).toHaveLength(501);
    // The first row by hand: a = max(0, w·(x − μ)/σ + b).
    const saved = JSON.parse(readFileSync(weights, 'utf8'));
    const [x1, x2, x3, y, prediction] = lines[1].split(',').map(Number);
    const z = [x1, x2, x3].reduce((s, v, j) => s + saved.weights[j] * ((v - saved.standardization.mean[j]) / saved.standardization.std[j]), saved.bias);
    expect(prediction).toBeCloseTo(Math.max(0, z), 12);
    expect(y).toBe(Number(readFileSync(join(ROOT, 'datasets/linear.csv'), 'utf8').split('\n')[1].split(',')[3]));
  });

  it('writes JSON lines to --out, works without the target column, and says which feature column is missing', () => {
    const dir = temp();
    const weights = join(dir, 'w.json');
    cli(['run', 'configs/linear.yaml', '--json', '--set', 'epochs=5', '--save-weights', weights]);
    writeFileSync(join(dir, 'new.csv'), 'x3,x2,x1\n1,2,3\n0,0,0\n');
    const out = join(dir, 'p.jsonl');
    const result = cli(['predict', weights, join(dir, 'new.csv'), '--json', '--out', out]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(''); // no target column: no loss to report
    const rows = jsonLines(readFileSync(out, 'utf8'));
    const saved = JSON.parse(readFileSync(weights, 'utf8'));
    expect(Object.keys(rows[0])).toEqual(['x1', 'x2', 'x3', 'prediction']);
    expect(rows[0].prediction).toBe(Math.max(0, saved.bias + saved.weights[0] * 3 + saved.weights[1] * 2 + saved.weights[2] * 1));
    expect(rows[1].prediction).toBe(Math.max(0, saved.bias));

    writeFileSync(join(dir, 'short.csv'), 'x1,x3\n1,2\n');
    const missing = cli(['predict', weights, join(dir, 'short.csv')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`${join(dir, 'short.csv')}:1: the weights need the column "x2", missing here; its columns are "x1", "x3"\n`);
    const notWeights = cli(['predict', join(dir, 'short.csv'), join(dir, 'short.csv')]);
    expect(notWeights.status).toBe(2);
    expect(notWeights.stderr).toMatch(/is not JSON; expected a file written by `run --save-weights`/);
  });
});

describe('predict on many rows', () => {
  it('writes every row, in chunks, the same to stdout and to --out', () => {
    const dir = temp();
    const weights = join(dir, 'w.json');
    writeFileSync(weights, JSON.stringify({ features: ['x1', 'x2', 'x3'], target: 'y', weights: [0.5, -0.25, 2], bias: 0.125 }));
    const rows = 60_000; // about 3 MB of output: several chunks
    const lines = ['x1,x2,x3,y'];
    for (let i = 0; i < rows; i++) lines.push(`${i % 97},${(i * 7) % 13},${(i % 5) / 4},${i % 3}`);
    writeFileSync(join(dir, 'big.csv'), `${lines.join('\n')}\n`);
    const printed = cli(['predict', weights, join(dir, 'big.csv')]);
    expect(printed.status, printed.stderr).toBe(0);
    const out = join(dir, 'p.csv');
    expect(cli(['predict', weights, join(dir, 'big.csv'), '--out', out]).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
    const written = printed.stdout.split('\n');
    expect(written).toHaveLength(rows + 2); // header, rows, and the empty string after the last newline
    for (const i of [0, 20_000, rows - 1]) {
      const [x1, x2, x3] = [i % 97, (i * 7) % 13, (i % 5) / 4];
      expect(written[i + 1]).toBe(`${x1},${x2},${x3},${i % 3},${Math.max(0, 0.125 + 0.5 * x1 - 0.25 * x2 + 2 * x3)}`);
    }
  });
});

describe('run --init-from', () => {
  for (const [label, sets] of [
    ['full batch', []],
    ['mini-batches without shuffle', ['--set', 'batch_size=64', '--set', 'shuffle=false']],
  ] as const) {
    it(`sgd, ${label}: k epochs, then m more from the saved weights, equal k + m epochs in one run, bit for bit`, () => {
      const dir = temp();
      const first = join(dir, 'k.json');
      const k = cli(['run', 'configs/linear.yaml', '--json', ...sets, '--set', 'epochs=30', '--save-weights', first]);
      const m = cli(['run', 'configs/linear.yaml', '--json', ...sets, '--set', 'epochs=20', '--init-from', first, '--save-weights', join(dir, 'm.json')]);
      const whole = cli(['run', 'configs/linear.yaml', '--json', ...sets, '--set', 'epochs=50', '--save-weights', join(dir, 'all.json')]);
      expect([k.status, m.status, whole.status]).toEqual([0, 0, 0]);
      expect(readFileSync(join(dir, 'm.json'), 'utf8')).toBe(readFileSync(join(dir, 'all.json'), 'utf8'));
      const continued = epochs(m.stdout).map((e) => e.loss);
      expect(continued).toEqual(
        epochs(whole.stdout)
          .slice(30)
          .map((e) => e.loss),
      );
      expect((jsonLines(m.stdout)[0].config as { init: unknown }).init).toEqual({ from: first });
    });
  }

  it('continues across standardizations: a raw-feature model starts a standardized run at the same predictions', () => {
    const dir = temp();
    const raw = join(dir, 'raw.json');
    cli(['run', 'configs/linear.yaml', '--json', '--set', 'epochs=50', '--save-weights', raw]);
    const rawLoss = end(cli(['run', 'configs/linear.yaml', '--json', '--set', 'epochs=1', '--set', 'learning_rate=1e-300', '--init-from', raw]).stdout)
      .loss as number;
    const standardized = end(
      cli(['run', 'configs/linear.yaml', '--json', '--set', 'epochs=1', '--set', 'learning_rate=1e-300', '--set', 'data.standardize=true', '--init-from', raw])
        .stdout,
    ).loss as number;
    expect(Math.abs(standardized - rawLoss)).toBeLessThan(1e-12 * rawLoss);
  });

  it('refuses weights whose features do not match by name, at the flag or the config key', () => {
    const dir = temp();
    const weights = join(dir, 'w.json');
    writeFileSync(weights, JSON.stringify({ weights: [1, 2], bias: 0, features: ['x1', 'q'], target: 'y' }));
    const flag = cli(['run', 'configs/linear.yaml', '--init-from', weights]);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toBe(
      `--init-from ${weights}: the weights in ${weights} were trained on x1, q; the data's features "x2", "x3" are not in it, and its feature "q" is not in the data. Features must match by name\n`,
    );
    const config = join(dir, 'c.yaml');
    writeFileSync(config, `data: ${join(ROOT, 'datasets/linear.csv')}\nlearning_rate: 0.1\nepochs: 3\ninit:\n  from: w.json\n`);
    // validate refuses exactly what run refuses, the weights file included
    for (const command of ['validate', 'run']) {
      const result = cli([command, config]);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^${config}:5:9: the weights in w.json were trained on x1, q;`));
    }
  });
});

describe('init --data', () => {
  it('writes a config for the CSV that validates and trains as written', () => {
    const dir = temp();
    const result = cli(['init', 'houses.yaml', '--data', join(ROOT, 'datasets/houses.csv')], { cwd: dir });
    expect(result.status, result.stderr).toBe(0);
    const text = readFileSync(join(dir, 'houses.yaml'), 'utf8');
    expect(text).toMatch(/^ {2}target: "price_k" +#/m);
    expect(text).toMatch(/^ {2}features: \["area_m2", "rooms", "age_years"\] #/m);
    expect(text).toMatch(/^ {2}standardize: true +#/m);
    expect(text).toMatch(/^learning_rate: 0\.1 +#/m);
    expect(cli(['validate', 'houses.yaml'], { cwd: dir }).status).toBe(0);
    const run = cli(['run', 'houses.yaml', '--json'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    const lines = epochs(run.stdout);
    expect(lines.at(-1)?.loss as number).toBeLessThan((lines[0].loss as number) / 10);
  });

  it('refuses a CSV that would not train, with its location', () => {
    const dir = temp();
    writeFileSync(join(dir, 'bad.csv'), 'a,b\n1,2\n3,x\n');
    const result = cli(['init', 'bad.yaml', '--data', 'bad.csv'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^bad\.csv:3:3: column "b"/);
  });

  it('picks a rate below 1/(d + 1), the stability bound for standardized features', () => {
    for (const d of [1, 2, 3, 9, 50, 1000]) {
      const rate = stableLearningRate(d);
      expect(rate).toBeLessThan(1 / (d + 1));
      expect(rate).toBeGreaterThan(0.1 / (d + 1));
    }
  });
});

describe('dead-neuron advice', () => {
  it('suggests standardizing only when the features are not standardized', () => {
    const raw = cli(['run', 'configs/dead.yaml']);
    expect(raw.status).toBe(1);
    expect(raw.stderr).toContain('set `data.standardize: true`');
    const standardized = cli(['run', 'configs/dead.yaml', '--set', 'data.standardize=true']);
    expect(standardized.status).toBe(1);
    expect(standardized.stderr).toContain('The neuron is dead');
    expect(standardized.stderr).not.toContain('standardize');
  });
});

describe('a mini-batch divergence', () => {
  it('ends with finite numbers in the end event and the --save-weights file', () => {
    const dir = temp();
    const weights = join(dir, 'w.json');
    const run = cli([
      'run',
      'configs/diverging.yaml',
      '--json',
      '--set',
      'batch_size=16',
      '--set',
      'learning_rate=100',
      '--set',
      'init.bias=50',
      '--save-weights',
      weights,
    ]);
    expect(run.status).toBe(1);
    const last = end(run.stdout);
    expect(last.status).toBe('diverged');
    const saved = JSON.parse(readFileSync(weights, 'utf8'));
    for (const value of [...(last.weights as number[]), last.bias, last.loss, ...saved.weights, saved.bias]) expect(Number.isFinite(value)).toBe(true);
  });
});

describe('what a run reads is read and protected the same way by every command', () => {
  const saved = (): { dir: string; weights: string; config: string } => {
    const dir = temp();
    const weights = join(dir, 'w.json');
    expect(cli(['run', 'configs/linear.yaml', '--json', '--set', 'epochs=5', '--save-weights', weights]).status).toBe(0);
    const config = join(dir, 'c.yaml');
    writeFileSync(config, `data: ${join(ROOT, 'datasets/linear.csv')}\nlearning_rate: 0.05\nepochs: 10\ninit:\n  from: w.json\n`);
    return { dir, weights, config };
  };

  it('inspect and gradcheck start from init.from like run', () => {
    const { config } = saved();
    const runEnd = end(cli(['run', config, '--json', '--set', 'epochs=3']).stdout);
    const inspected = cli(['inspect', config, '--at', '3', '--json']);
    expect(inspected.status, inspected.stderr).toBe(0);
    expect(JSON.parse(inspected.stdout).loss).toBe(runEnd.loss);
    expect(cli(['gradcheck', config]).status).toBe(0);
  });

  it('never writes --out or --save-weights onto the init.from weights file', () => {
    const { weights, config } = saved();
    const before = readFileSync(weights, 'utf8');
    for (const flag of ['--out', '--save-weights']) {
      const result = cli(['run', config, '--json', flag, weights]);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^${flag} ${weights}: is the same file as the weights file .* \\(init\\.from\\), which it would overwrite`));
    }
    expect(readFileSync(weights, 'utf8')).toBe(before);
  });

  it('validate and a sweep refuse a missing init.from file before anything trains', () => {
    const { dir, config } = saved();
    for (const args of [
      ['validate', config, '--set', 'init.from=nope.json'],
      ['sweep', config, '--set', 'init.from=nope.json', '--set', 'seed=1,2', '--out-dir', join(dir, 'sw')],
    ]) {
      const result = cli(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/cannot read the weights file .*nope\.json: no such file or folder/);
    }
  });

  it('predict refuses a stdout that is its data file, and a weights file naming a column twice', () => {
    const { dir, weights } = saved();
    const data = join(dir, 'd.csv');
    writeFileSync(data, readFileSync(join(ROOT, 'datasets/linear.csv')));
    const before = readFileSync(data, 'utf8');
    expect(cli(['predict', weights, data]).status).toBe(0); // stdout is a pipe here: nothing to protect
    const shell = spawnSync('bash', ['-c', `node ${join(ROOT, 'dist/cli.js')} predict ${weights} ${data} >> ${data}`], { encoding: 'utf8' });
    expect(shell.status).toBe(2);
    expect(shell.stderr).toMatch(/the standard output: is the same file as the data file/);
    expect(readFileSync(data, 'utf8')).toBe(before);
    const twice = JSON.parse(readFileSync(weights, 'utf8'));
    twice.features = ['x1', 'x1', 'x3'];
    writeFileSync(weights, JSON.stringify(twice));
    const refused = cli(['predict', weights, data]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/`features` names a column twice/);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, CLI, ROOT } from '../helpers.js';

const CONFIGS = join(ROOT, 'test/fixtures/configs');
const CSVS = join(ROOT, 'test/fixtures/csv');

/** Exit code and exact messages; the snapshot file holds what each fixture must print. */
function outcome(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = cli(args);
  // Resolved paths name the checkout's folder: the snapshots say <root> instead.
  const relative = (text: string): string => text.split(ROOT).join('<root>/');
  return { code: result.status, stdout: relative(result.stdout), stderr: relative(result.stderr) };
}

describe('broken configs: located errors, exit 2, no stack trace', () => {
  const files = readdirSync(CONFIGS)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

  it('has at least 30 of them', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of files) {
    it(file, () => {
      const result = outcome(['validate', `test/fixtures/configs/${file}`]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^test\/fixtures\/configs\/[\w-]+\.yaml:\d+:\d+: /);
      expect(result.stderr).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/); // no stack trace
      expect(result.stderr).toMatchSnapshot();
    });
  }

  it('run refuses them the same way, before writing anything', () => {
    const result = outcome(['run', 'test/fixtures/configs/many-errors.yaml', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(outcome(['validate', 'test/fixtures/configs/many-errors.yaml']).stderr);
  });
});

describe('CSV files: bad ones located by line and column, good ones load', () => {
  const files = readdirSync(CSVS)
    .filter((f) => f.endsWith('.csv'))
    .sort();

  it('has at least 12 of them', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  for (const file of files) {
    it(file, () => {
      const result = outcome(['validate', 'test/fixtures/csv/config.yaml', '--set', `data=${file}`]);
      if (file.startsWith('good-')) {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(result.stdout).toBe('test/fixtures/csv/config.yaml: ok (2 rows × 2 features)\n');
      } else {
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(new RegExp(`^(test/fixtures/csv/${file}:\\d+(:\\d+)?|--set data=${file}): `));
        expect(result.stderr).toMatchSnapshot();
      }
    });
  }

  it('data.missing: skip drops and counts the bad rows', () => {
    const result = outcome(['run', 'test/fixtures/csv/config.yaml', '--json', '--set', 'data=bad-blank-cell.csv', '--set', 'data.missing=skip']);
    expect(result.code).toBe(0);
    const start = JSON.parse(result.stdout.split('\n')[0]);
    expect(start.dataset).toMatchObject({ train: 1, skipped: 1 });
  });
});

describe('bad flags', () => {
  it.each([
    [['run'], /missing required argument 'config'/],
    [['run', 'configs/linear.yaml', '--threads', 'many'], /--threads <n>.*expected a whole number ≥ 1/],
    [['run', 'configs/linear.yaml', '--assert-loss', 'low'], /--assert-loss <x>.*expected a number/],
    [['run', 'configs/linear.yaml', '--bogus'], /unknown option '--bogus'/],
    [['trian', 'configs/linear.yaml'], /unknown command 'trian'/],
    [['run', 'configs/linear.yaml', '--set', 'learning_rate'], /^--set learning_rate: expected KEY=VALUE/],
    [
      ['run', 'configs/linear.yaml', '--out', '/no/such/folder/run.jsonl'],
      /^--out \/no\/such\/folder\/run\.jsonl: cannot write the file: the folder \/no\/such\/folder does not exist/,
    ],
    [['run', 'no-such.yaml'], /^no-such\.yaml: cannot read the config: no such file/],
  ])('%j exits 2 with one clear message', (args, message) => {
    const result = outcome(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a config over 1 MiB, and one that is not a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-'));
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(1024 * 1024)}\ndata: a.csv\nlearning_rate: 0.1\nepochs: 1\n`);
    const result = outcome(['validate', big]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${big}: the config is ${1024 * 1024 + 44} bytes; configs over 1 MiB are refused\n`);
    // Devices and pipes have no size: they are read up to the same limit, and NUL bytes stop it at once.
    const device = outcome(['validate', '/dev/zero']);
    expect(device.code).toBe(2);
    expect(device.stderr).toBe('/dev/zero: the config is binary data, not text (a NUL byte at offset 0); save it as UTF-8\n');
  });
});

describe('inputs read or refused by name (issues 12 and 13)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-inputs-'));
  const write = (name: string, text: string | Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const csv = write('const.csv', 'x1,c,y\n1,0.1,3\n2,0.1,5\n3,0.1,7\n');

  it('a config from a pipe is read (with the size limit); one in UTF-16 is refused naming the encoding', () => {
    const config = write('pipe.yaml', `data: ${csv}\nlearning_rate: 0.1\nepochs: 5\n`);
    const piped = spawnSync('bash', ['-c', `node ${CLI} validate <(cat ${config})`], { encoding: 'utf8' });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(/^\/dev\/fd\/\d+: ok \(3 rows × 2 features\)\n$/);
    const utf16 = write('utf16.yaml', Buffer.from(`\uFEFFdata: ${csv}\nlearning_rate: 0.1\nepochs: 5\n`, 'utf16le'));
    expect(outcome(['validate', utf16])).toMatchObject({
      code: 2,
      stderr: `${utf16}: the config is UTF-16 (little-endian) text, by its byte order mark; save it as UTF-8\n`,
    });
  });

  it('data from /dev/zero is refused at once, not read until memory runs out', () => {
    const result = outcome(['validate', 'test/fixtures/csv/config.yaml', '--set', 'data=/dev/zero']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      '--set data=/dev/zero: cannot read the data file /dev/zero: it is binary data, not text (a NUL byte at offset 0); save it as UTF-8 (or ASCII) CSV\n',
    );
  });

  it('synthetic rows that would not fit in memory are refused before allocating, naming the size', () => {
    const result = outcome(['validate', 'configs/synthetic.yaml', '--set', 'data.synthetic.samples=1000000000000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^--set data\.synthetic\.samples=1000000000000: 1000000000000 rows of 4 features need 36\.4 TiB|^--set data\.synthetic\.samples=1000000000000: 1000000000000 rows of 4 features need [\d.]+ [GT]iB of memory, more than half of this machine's [\d.]+ GiB; use fewer samples\n$/,
    );
  });

  it('a --set list index far past the end is refused at once; __proto__ is refused', () => {
    const big = outcome(['validate', 'configs/linear.yaml', '--set', 'init.weights=[1, 2, 3]', '--set', 'init.weights.100000000=1']);
    expect(big).toMatchObject({
      code: 2,
      stderr: '--set init.weights.100000000=1: `100000000` is more than one past the end of `init.weights` (3 items); use an index from 0 to 3\n',
    });
    const proto = outcome(['run', 'configs/linear.yaml', '--json', '--set', '__proto__.batch_size=1']);
    expect(proto).toMatchObject({ code: 2, stdout: '' });
    expect(proto.stderr).toMatch(/^--set __proto__\.batch_size=1: `__proto__` is not a config key/);
  });

  it('standardize: a constant column is exactly centred, and values near ±1e308 give finite statistics', () => {
    const config = write('const.yaml', `data: {path: ${csv}, standardize: true}\nlearning_rate: 0.1\nepochs: 5\n`);
    const weights = join(dir, 'w.json');
    expect(outcome(['run', config, '--json', '--save-weights', weights]).code).toBe(0);
    const saved = JSON.parse(readFileSync(weights, 'utf8')) as { standardization: { mean: number[]; std: number[] } };
    expect(saved.standardization).toEqual({ mean: [2, 0.1], std: [Math.sqrt(2 / 3), 1] });
    const huge = write('huge.csv', 'x,y\n1e308,1\n-1e308,0\n1.7e308,1\n');
    const hugeConfig = write('huge.yaml', `data: {path: ${huge}, standardize: true}\nlearning_rate: 0.01\nepochs: 2\n`);
    const run = outcome(['run', hugeConfig, '--json', '--save-weights', weights]);
    expect(run.stderr).toBe('');
    const stats = (JSON.parse(readFileSync(weights, 'utf8')) as { standardization: { mean: number[]; std: number[] } }).standardization;
    // The reference in units of 1e308, where nothing overflows.
    const units = [1, -1, 1.7];
    const mean = (1 + -1 + 1.7) / 3;
    const std = Math.sqrt(units.reduce((s, v) => s + (v - mean) ** 2, 0) / 3);
    expect(stats.mean[0] / (mean * 1e308)).toBeCloseTo(1, 12);
    expect(stats.std[0] / (std * 1e308)).toBeCloseTo(1, 12);
  });

  it('gradcheck with a zero init is inconclusive and exits 1', () => {
    const config = write('zero.yaml', `data: ${csv}\nlearning_rate: 0.1\nepochs: 5\ninit: {weights: [0, 0], bias: 0}\n`);
    const result = outcome(['gradcheck', config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/no point away from the kink to count.*: INCONCLUSIVE/);
    expect(result.stdout).not.toContain('PASS');
  });
});

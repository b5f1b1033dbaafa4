import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT } from '../helpers.js';

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
  const files = readdirSync(CONFIGS).filter((f) => f.endsWith('.yaml')).sort();

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
  const files = readdirSync(CSVS).filter((f) => f.endsWith('.csv')).sort();

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
    [['run', 'configs/linear.yaml', '--out', '/no/such/folder/run.jsonl'], /^--out \/no\/such\/folder\/run\.jsonl: cannot write the file: the folder \/no\/such\/folder does not exist/],
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
    const device = outcome(['validate', '/dev/zero']);
    expect(device.code).toBe(2);
    expect(device.stderr).toBe('/dev/zero: is not a regular file; give the path of a YAML config file\n');
  });
});

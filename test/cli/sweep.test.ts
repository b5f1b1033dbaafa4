import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, jsonLines } from '../helpers.js';

const withoutTime = (lines: Record<string, unknown>[]): Record<string, unknown>[] => lines.map(({ elapsed_ms: _, ...rest }) => rest);
const fresh = (): string => mkdtempSync(join(tmpdir(), 'neuron-tui-sweep-'));

describe('neuron-tui sweep', () => {
  it.each([1, 3])('gives each run exactly the lines of the single run it stands for (--parallel %i)', (parallel) => {
    const dir = join(fresh(), 'out');
    const sweep = cli([
      'sweep',
      'configs/minibatch.yaml',
      '--set',
      'learning_rate=0.01,0.02,0.04',
      '--set',
      'epochs=5',
      '--parallel',
      String(parallel),
      '--out-dir',
      dir,
      '--json',
    ]);
    expect(sweep.status, sweep.stderr).toBe(0);
    const lines = jsonLines(sweep.stdout);
    expect(lines[lines.length - 1].type).toBe('sweep');
    for (const rate of ['0.01', '0.02', '0.04']) {
      const id = `learning_rate=${rate}`;
      const single = cli(['run', 'configs/minibatch.yaml', '--json', '--set', `learning_rate=${rate}`, '--set', 'epochs=5']);
      const expected = withoutTime(jsonLines(single.stdout));
      const streamed = withoutTime(lines.filter((l) => l.run === id).map(({ run: _, ...rest }) => rest));
      expect(streamed).toEqual(expected);
      expect(withoutTime(jsonLines(readFileSync(join(dir, `${id}.jsonl`), 'utf8')))).toEqual(expected);
      // `run` follows `type` on every line
      expect(Object.keys(lines.find((l) => l.run === id) ?? {}).slice(0, 2)).toEqual(['type', 'run']);
    }
  });

  it('writes one log per run and sweep.json, and refuses to reuse the folder', () => {
    const dir = join(fresh(), 'lr');
    const first = cli(['sweep', 'configs/linear.yaml', '--set', 'learning_rate=geom(0.01,0.1,3)', '--set', 'epochs=20', '--out-dir', dir]);
    expect(first.status, first.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['learning_rate=0.01.jsonl', 'learning_rate=0.0316228.jsonl', 'learning_rate=0.1.jsonl', 'sweep.json']);
    const summary = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as {
      runs: { run: string; status: string; epochs: number; best_loss: number; settings: Record<string, string> }[];
    };
    expect(summary.runs.map((r) => [r.run, r.status, r.epochs])).toEqual([
      ['learning_rate=0.01', 'completed', 20],
      ['learning_rate=0.0316228', 'completed', 20],
      ['learning_rate=0.1', 'completed', 20],
    ]);
    expect(summary.runs[2].settings).toEqual({ learning_rate: '0.1', epochs: '20' });
    // the plain table lists the best run first
    const table = first.stdout.split('\n');
    expect(table[0]).toMatch(/^run\s+status\s+epochs\s+final loss\s+best loss/);
    expect(table[1]).toMatch(/^learning_rate=0\.1 /);

    const again = cli(['sweep', 'configs/linear.yaml', '--set', 'learning_rate=0.1,0.2', '--out-dir', dir]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`--out-dir ${dir}: already exists`);
    expect(readdirSync(dir)).toHaveLength(4);
  });

  it('exits 1 when a run diverges, listing it, and every run still has a complete log', () => {
    const dir = join(fresh(), 'div');
    const sweep = cli(['sweep', 'configs/linear.yaml', '--set', 'learning_rate=0.05,10', '--set', 'epochs=500', '--out-dir', dir]);
    expect(sweep.status).toBe(1);
    expect(sweep.stderr).toMatch(/1 of 2 runs failed: learning_rate=10 \(diverged\)/);
    for (const name of ['learning_rate=0.05.jsonl', 'learning_rate=10.jsonl']) {
      const lines = jsonLines(readFileSync(join(dir, name), 'utf8'));
      expect(lines[0].type).toBe('start');
      expect(lines[lines.length - 1].type).toBe('end');
    }
  });

  it('validates every run before any starts, naming the run', () => {
    const dir = join(fresh(), 'bad');
    const sweep = cli(['sweep', 'configs/linear.yaml', '--set', 'learning_rate=0.1,-1', '--set', 'batch_size=full,0', '--out-dir', dir]);
    expect(sweep.status).toBe(2);
    expect(sweep.stderr).toContain('in run learning_rate=-1,batch_size=full: `learning_rate` must be a number > 0');
    expect(sweep.stderr).toContain('in run learning_rate=0.1,batch_size=0: `batch_size`');
    expect(existsSync(dir)).toBe(false);
  });

  it('--dry-run lists the runs as the commands they stand for and trains nothing', () => {
    const dir = join(fresh(), 'dry');
    const dry = cli(['sweep', 'configs/linear.yaml', '--set', 'seed=range(0,3)', '--dry-run', '--out-dir', dir]);
    expect(dry.status).toBe(0);
    expect(dry.stdout.trim().split('\n')).toEqual([0, 1, 2].map((s) => `seed=${s}\tneuron-tui run configs/linear.yaml --threads 1 --set seed=${s}`));
    expect(existsSync(dir)).toBe(false);
  });

  it('needs at least one --set', () => {
    const none = cli(['sweep', 'configs/linear.yaml']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/a sweep needs at least one --set/);
  });

  it('compare opens the folder: a column per setting that varies, --csv with exact numbers', () => {
    const dir = join(fresh(), 'lr');
    const sweep = cli(['sweep', 'configs/linear.yaml', '--set', 'learning_rate=0.01,0.03,0.1', '--set', 'epochs=40', '--out-dir', dir]);
    expect(sweep.status, sweep.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as {
      runs: { run: string; best_loss: number; best_epoch: number; status: string }[];
    };

    const table = cli(['compare', dir]);
    expect(table.status, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^learning_rate\s+status\s+epochs\s+final loss/); // epochs is the same for all: no column
    expect(rows.map((r) => r.split(/\s+/)[0])).toEqual(['0.01', '0.03', '0.1']);

    const csv = cli(['compare', dir, '--csv']);
    expect(csv.status, csv.stderr).toBe(0);
    const [csvHeader, ...csvRows] = csv.stdout.trim().split('\n');
    expect(csvHeader).toBe('learning_rate,status,epochs_trained,final_loss,best_loss,best_epoch,log');
    expect(csvRows.map((line) => line.split(','))).toEqual(
      summary.runs.map((r) => [
        r.run.split('=')[1],
        r.status,
        '40',
        expect.any(String),
        String(r.best_loss),
        String(r.best_epoch),
        join(dir, `${r.run}.jsonl`),
      ]),
    );
  });

  it('compare of a folder of more than 6 runs shows the 6 with the lowest best loss and says which it left out', () => {
    const dir = join(fresh(), 'seven');
    const sweep = cli(['sweep', 'configs/linear.yaml', '--set', 'learning_rate=geom(0.0005,0.1,7)', '--set', 'epochs=30', '--out-dir', dir]);
    expect(sweep.status, sweep.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as { runs: { run: string; best_loss: number }[] };
    const worst = [...summary.runs].sort((a, b) => b.best_loss - a.best_loss)[0].run;
    const result = cli(['compare', dir]);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(7); // header and six runs
    expect(result.stdout).not.toContain(`${worst.split('=')[1]} `);
    expect(result.stderr).toBe(`compare: 7 runs; showing the 6 with the lowest best loss, leaving out ${worst} (--csv lists every run)\n`);
    expect(cli(['compare', dir, '--csv']).stdout.trim().split('\n')).toHaveLength(8);
  });

  it('compare refuses a folder without logs, naming it', () => {
    const dir = fresh();
    const result = cli(['compare', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${dir}: no logs in this folder`);
  });
});

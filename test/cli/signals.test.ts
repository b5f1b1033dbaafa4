import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, jsonLines, ROOT } from '../helpers.js';

/** Starts a long run, waits for its first epoch line, sends `signal`, and collects what it left. */
async function interrupt(signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-signal-'));
  const out = join(dir, 'run.jsonl');
  // 200,000 rows make each epoch take milliseconds: the signal lands mid-training.
  const child = spawn(
    process.execPath,
    [CLI, 'run', 'configs/synthetic.yaml', '--json', '--out', out, '--set', 'epochs=100000000', '--set', 'data.synthetic.samples=200000'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let sent = false;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    if (!sent && stdout.includes('"type":"epoch"')) {
      sent = true;
      child.kill(signal);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, out: readFileSync(out, 'utf8') };
}

describe('signals', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} stops at the next epoch, writes the end event to stdout and --out, exits ${code}`, async () => {
      const result = await interrupt(signal);
      expect(result.code).toBe(code);
      for (const text of [result.stdout, result.out]) {
        const lines = jsonLines(text);
        expect(lines[0].type).toBe('start');
        expect(lines[lines.length - 1]).toMatchObject({ type: 'end', status: 'interrupted' });
        expect(lines.filter((l) => l.type === 'end')).toHaveLength(1);
      }
    });
  }

  it('SIGKILL leaves an --out file of whole lines', async () => {
    const result = await interrupt('SIGKILL');
    expect(result.code).toBe(null);
    expect(result.out.endsWith('\n')).toBe(true);
    const lines = jsonLines(result.out); // throws on a partial line
    expect(lines[0].type).toBe('start');
    expect(lines.some((l) => l.type === 'end')).toBe(false);
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectPlain, parseLines, sh, snapshot, startLongRun, workspace, WORKSPACE_FILES } from './workspace.js';

/** This process's start time as /proc/self/stat gives it (field 22), the way a lock records its holder. */
function ownStartTime(): string {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

const INPUTS = WORKSPACE_FILES;

describe('a log has one writer', () => {
  it('a second run cannot write into a live run’s log, however it is spelled; the first run’s log stays valid', async () => {
    const dir = workspace();
    const before = snapshot(dir, INPUTS);
    const first = await startLongRun(dir, ['--out', 'shared.jsonl']);
    expect(existsSync(join(dir, 'shared.jsonl.lock'))).toBe(true);
    for (const [flag, path] of [
      ['--out', 'shared.jsonl'],
      ['--out', 'sub/../shared.jsonl'],
      ['--save-weights', 'shared.jsonl'],
    ]) {
      const second = sh(dir, `$NT run good.yaml --json ${flag} ${path}`);
      expect(second.status).toBe(2);
      expect(second.stderr).toBe(`${flag} ${path}: is being written by another run (process ${first.pid}); wait for it to end or choose another file\n`);
      expect(second.stdout).toBe('');
    }
    process.kill(first.pid, 'SIGTERM');
    expect(await first.exit).toBe(143);
    const lines = parseLines(readFileSync(join(dir, 'shared.jsonl'), 'utf8'));
    expect(lines[0].type).toBe('start');
    expect(lines.filter((l) => l.type === 'start')).toHaveLength(1);
    expect(lines.at(-1)).toMatchObject({ type: 'end', status: 'interrupted' });
    expect(existsSync(join(dir, 'shared.jsonl.lock'))).toBe(false);
    expect(snapshot(dir, INPUTS)).toEqual(before);
  });

  it('SIGHUP ends the run as interrupted: the end line on stdout and --out, exit 129, the lock released', async () => {
    const dir = workspace();
    const run = await startLongRun(dir, ['--out', 'run.jsonl']);
    process.kill(run.pid, 'SIGHUP');
    expect(await run.exit).toBe(129);
    for (const text of [run.stdout(), readFileSync(join(dir, 'run.jsonl'), 'utf8')]) {
      const lines = parseLines(text);
      expect(lines.filter((l) => l.type === 'end')).toHaveLength(1);
      expect(lines.at(-1)).toMatchObject({ type: 'end', status: 'interrupted' });
    }
    expect(existsSync(join(dir, 'run.jsonl.lock'))).toBe(false);
  });

  it('a lock left by a process that is gone does not block', () => {
    const dir = workspace();
    const gone = spawnSync('true').pid as number; // exited: its id names no live process
    writeFileSync(join(dir, 'run.jsonl.lock'), `${gone} 1\n`);
    const result = sh(dir, '$NT run good.yaml --out run.jsonl');
    expect(result.status).toBe(0);
    expectPlain(result.stderr);
    expect(parseLines(readFileSync(join(dir, 'run.jsonl'), 'utf8')).at(-1)?.type).toBe('end');
    expect(existsSync(join(dir, 'run.jsonl.lock'))).toBe(false);
  });

  it('a lock whose process id was reused by another process (another start time) does not block', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'run.jsonl.lock'), `${process.pid} not-${ownStartTime()}\n`);
    expect(sh(dir, '$NT run good.yaml --out run.jsonl').status).toBe(0);
  });

  it('a lock held by a live process blocks, naming the file and the process', () => {
    const dir = workspace();
    writeFileSync(join(dir, 'run.jsonl'), 'theirs\n');
    writeFileSync(join(dir, 'run.jsonl.lock'), `${process.pid} ${ownStartTime()}\n`);
    const before = snapshot(dir, [...INPUTS, 'run.jsonl', 'run.jsonl.lock']);
    const result = sh(dir, '$NT run good.yaml --out run.jsonl');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`--out run.jsonl: is being written by another run (process ${process.pid}); wait for it to end or choose another file\n`);
    expect(snapshot(dir, [...INPUTS, 'run.jsonl', 'run.jsonl.lock'])).toEqual(before);
  });
});

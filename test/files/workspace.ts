import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CLI, ROOT } from '../helpers.js';

/** The config every case trains: a CSV beside it, a few epochs. */
export const GOOD_YAML = 'data: data.csv\nlearning_rate: 0.05\nepochs: 5\n';

/** What every workspace holds and every case must leave as it was. */
export const WORKSPACE_FILES = ['good.yaml', 'data.csv', 'full', 'null', 'stdout'] as const;

/**
 * The devices a case writes to, as nodes of its own folder: as root, our own character devices
 * (1,7 is full, 1,3 is null), so that no build, however broken, can replace /dev/full or
 * /dev/null; otherwise links to them (a user who is not root cannot replace anything in /dev).
 */
function deviceNode(dir: string, name: 'full' | 'null', minor: number): void {
  const path = join(dir, name);
  if (process.getuid?.() === 0) {
    expect(spawnSync('mknod', ['-m', '666', path, 'c', '1', String(minor)]).status).toBe(0);
  } else {
    symlinkSync(`/dev/${name}`, path);
  }
}

/**
 * A temporary folder with good.yaml, data.csv, an empty sub/, the devices `full` and `null`, and
 * `stdout`, a link to /proc/self/fd/1 like /dev/stdout; readable by any user (some cases run as nobody).
 */
export function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-files-'));
  chmodSync(dir, 0o777);
  writeFileSync(join(dir, 'good.yaml'), GOOD_YAML);
  copyFileSync(join(ROOT, 'datasets/linear.csv'), join(dir, 'data.csv'));
  mkdirSync(join(dir, 'sub'));
  deviceNode(dir, 'full', 7);
  deviceNode(dir, 'null', 3);
  symlinkSync('/proc/self/fd/1', join(dir, 'stdout'));
  return dir;
}

/** What must not change: each file's kind, inode and bytes (a FIFO stays a FIFO, a link a link). */
export function snapshot(dir: string, names: readonly string[]): Map<string, string> {
  const state = new Map<string, string>();
  for (const name of names) {
    const stat = lstatSync(join(dir, name), { throwIfNoEntry: false });
    if (!stat) {
      state.set(name, 'missing');
      continue;
    }
    const kind = stat.isSymbolicLink() ? 'link' : stat.isFIFO() ? 'fifo' : stat.isFile() ? 'file' : stat.isCharacterDevice() ? `device ${stat.rdev}` : 'other';
    const bytes = kind === 'file' ? readFileSync(join(dir, name)).toString('base64') : '';
    state.set(name, `${kind} ${stat.ino} ${stat.mode} ${bytes}`);
  }
  return state;
}

/** Runs the CLI through bash, so a case can use redirections, `ulimit`, `>(cmd)` and pipes; `$NT` is the CLI. */
export function sh(dir: string, script: string, options: { uid?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync('bash', ['-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', NT: `${process.execPath} ${CLI}` },
    timeout: 60_000,
    ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
  });
}

/** A message for people: no stack trace, no raw error code, no internal error. */
export function expectPlain(stderr: string): void {
  expect(stderr).not.toMatch(/\n\s+at /);
  expect(stderr).not.toMatch(/\b(E[A-Z]{3,}|ERR_[A-Z_]+)\b/);
  expect(stderr).not.toMatch(/internal error/);
}

/** Whole JSON lines, failing on a partial one. */
export function parseLines(text: string): { type: string; status?: string }[] {
  expect(text === '' || text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as { type: string; status?: string });
}

/** A long run in the background; resolves once its first epoch line is out, with a way to wait for its end. */
export async function startLongRun(dir: string, args: readonly string[]): Promise<{ pid: number; stdout: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [CLI, 'run', 'good.yaml', '--json', '--set', 'epochs=100000000', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('"type":"epoch"')) resolve();
    });
    void exit.then((code) => reject(new Error(`the run ended (${code}) before its first epoch`)));
  });
  return { pid: child.pid as number, stdout: () => stdout, exit };
}

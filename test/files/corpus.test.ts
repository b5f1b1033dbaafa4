import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectPlain, GOOD_YAML, parseLines, sh, snapshot, workspace, WORKSPACE_FILES } from './workspace.js';

/**
 * Hostile and careless uses of the files around a run, each through the real CLI (bash for
 * redirections, `ulimit`, `>(cmd)` and pipes), checking the exit code, the message, and that
 * every input (and every file the case marks as the user's) is byte-for-byte, inode and kind
 * unchanged, and so are its own device nodes. Nothing under /dev is named: `full` and `null` are
 * nodes of the case's temporary folder (see workspace), `stdout` a link there to /proc/self/fd/1,
 * pipes our own mkfifo nodes, so that even a broken build cannot replace a system file.
 */
interface Case {
  name: string;
  /** Run by bash in a fresh workspace (good.yaml, data.csv, sub/); `$NT` is the CLI. */
  script: string;
  setup?: (dir: string) => void;
  /** Files besides good.yaml and data.csv that are the user's and must stay as they were. */
  keep?: string[];
  code: number;
  /** The whole of stderr must match; '' for silence. */
  stderr: RegExp | '';
  /** Run as this user (root here: a permission is only denied to someone else). */
  uid?: number;
  /** The setup needs root (to give a file to another user). */
  root?: boolean;
  /** The message may report an internal error (a crash that another engineer's bound turns into a message). */
  mayCrash?: boolean;
  check?: (dir: string, result: SpawnSyncReturns<string>) => void;
}

const mkfifo = (path: string): void => {
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
};
const weightsIn = (text: string): number[] => (JSON.parse(text) as { weights: number[] }).weights;
const endsWithEnd = (text: string): void => {
  const lines = parseLines(text);
  expect(lines[0].type).toBe('start');
  expect(lines.at(-1)?.type).toBe('end');
  expect(lines.filter((l) => l.type === 'end')).toHaveLength(1);
};
/** A run writing into our own FIFO (through `link` if given) while `cat` reads it into `got`. */
function pipeCase(name: string, flag: string, got: string, check: (text: string) => void, link?: string): Case {
  return {
    name,
    setup: (dir) => {
      mkfifo(join(dir, 'pipe'));
      if (link) symlinkSync('pipe', join(dir, link));
    },
    keep: link ? ['pipe', link] : ['pipe'],
    script: `cat pipe > ${got} & $NT run good.yaml ${flag}; rc=$?; wait; exit $rc`,
    code: 0,
    stderr: '',
    check: (dir) => check(readFileSync(join(dir, got), 'utf8')),
  };
}
/** An output file without write permission: refused before training (nothing on stdout), left as it was. */
function readOnlyCase(flag: string): Case {
  return {
    name: `a read-only ${flag} file`,
    setup: (dir) => {
      writeFileSync(join(dir, 'ro.json'), 'old\n');
      chmodSync(join(dir, 'ro.json'), 0o444);
    },
    keep: ['ro.json'],
    script: `$NT run good.yaml --json ${flag} ro.json`,
    code: 2,
    stderr: new RegExp(`^${flag} ro\\.json: cannot write the file: the file is read-only; make it writable \\(chmod u\\+w\\) or choose another file\n$`),
    check: (_, r) => expect(r.stdout).toBe(''),
  };
}
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
const MAX_THREADS = 4 * availableParallelism();
const UNKNOWN_KEYS = 30;

const cases: Case[] = [
  // Outputs onto inputs, however spelled.
  {
    name: '--out onto the config',
    script: '$NT run good.yaml --json --out good.yaml',
    code: 2,
    stderr: /^--out good\.yaml: is the same file as the config good\.yaml, which it would overwrite; choose another file\n$/,
  },
  {
    name: '--out onto the dataset',
    script: '$NT run good.yaml --json --out data.csv',
    code: 2,
    stderr: /^--out data\.csv: is the same file as the data file data\.csv, which it would overwrite/,
  },
  {
    name: '--save-weights onto the config',
    script: '$NT run good.yaml --save-weights good.yaml',
    code: 2,
    stderr: /^--save-weights good\.yaml: is the same file as the config good\.yaml/,
  },
  {
    name: '--save-weights onto the dataset',
    script: '$NT run good.yaml --save-weights data.csv',
    code: 2,
    stderr: /^--save-weights data\.csv: is the same file as the data file data\.csv/,
  },
  {
    name: '--save-weights sub/../data.csv',
    script: '$NT run good.yaml --save-weights sub/../data.csv',
    code: 2,
    stderr: /^--save-weights sub\/\.\.\/data\.csv: is the same file as the data file data\.csv/,
  },
  {
    name: '--out ./sub/../good.yaml',
    script: '$NT run good.yaml --out ./sub/../good.yaml',
    code: 2,
    stderr: /^--out \.\/sub\/\.\.\/good\.yaml: is the same file as the config good\.yaml/,
  },
  {
    name: '--out as an absolute path of the dataset',
    script: '$NT run good.yaml --out "$PWD/data.csv"',
    code: 2,
    stderr: /^--out \/.*\/data\.csv: is the same file as the data file data\.csv/,
  },
  {
    name: '--out through a symbolic link to the dataset',
    setup: (dir) => symlinkSync('data.csv', join(dir, 'link.csv')),
    keep: ['link.csv'],
    script: '$NT run good.yaml --out link.csv',
    code: 2,
    stderr: /^--out link\.csv: is the same file as the data file data\.csv/,
  },
  {
    name: '--save-weights onto a hard link of the config',
    setup: (dir) => linkSync(join(dir, 'good.yaml'), join(dir, 'hard.yaml')),
    keep: ['hard.yaml'],
    script: '$NT run good.yaml --save-weights hard.yaml',
    code: 2,
    stderr: /^--save-weights hard\.yaml: is the same file as the config good\.yaml/,
  },
  {
    // The kernel reads lnk/../.. from the link's target (deep/inner), so this is ./data.csv; read as text it would be ../data.csv.
    name: '--out lnk/../../data.csv through a linked folder',
    setup: (dir) => {
      mkdirSync(join(dir, 'deep/inner'), { recursive: true });
      symlinkSync('deep/inner', join(dir, 'lnk'));
    },
    script: '$NT run good.yaml --out lnk/../../data.csv',
    code: 2,
    stderr: /^--out lnk\/\.\.\/\.\.\/data\.csv: is the same file as the data file data\.csv/,
  },
  {
    name: '--out onto a dataset the config names as ../data.csv',
    setup: (dir) => {
      mkdirSync(join(dir, 'cfg'));
      writeFileSync(join(dir, 'cfg/c.yaml'), 'data: ../data.csv\nlearning_rate: 0.05\nepochs: 5\n');
    },
    keep: ['cfg/c.yaml'],
    script: '$NT run cfg/c.yaml --out data.csv',
    code: 2,
    stderr: /^--out data\.csv: is the same file as the data file data\.csv/,
  },
  {
    name: 'stdout appended to the dataset (>> data.csv)',
    script: '$NT run good.yaml --json >> data.csv',
    code: 2,
    stderr: /^the standard output: is the same file as the data file data\.csv, which it would overwrite; redirect it elsewhere\n$/,
  },
  // Outputs onto each other.
  {
    name: '--out x --save-weights x',
    script: '$NT run good.yaml --out x --save-weights x',
    code: 2,
    stderr: /^--save-weights x: is the same file as --out x; give each output its own file\n$/,
    check: (dir) => expect(readdirSync(dir)).not.toContain('x'),
  },
  {
    name: '--out x.jsonl --save-weights sub/../x.jsonl',
    script: '$NT run good.yaml --out x.jsonl --save-weights sub/../x.jsonl',
    code: 2,
    stderr: /^--save-weights sub\/\.\.\/x\.jsonl: is the same file as --out x\.jsonl/,
  },
  {
    name: 'two dangling links to one new file',
    setup: (dir) => {
      symlinkSync('target.json', join(dir, 'a.json'));
      symlinkSync('target.json', join(dir, 'b.json'));
    },
    keep: ['a.json', 'b.json', 'target.json'],
    script: '$NT run good.yaml --out a.json --save-weights b.json',
    code: 2,
    stderr: /^--save-weights b\.json: is the same file as --out a\.json/,
  },
  {
    name: '--out stdout (a link to /proc/self/fd/1) while stdout is a file',
    script: '$NT run good.yaml --out stdout > out.txt',
    code: 2,
    stderr: /^--out stdout: is the same file as the standard output; give each output its own file\n$/,
    check: (dir) => expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe(''),
  },
  {
    name: '--save-weights stdout (a link to /proc/self/fd/1) while stdout is a pipe',
    script: '$NT run good.yaml --json --save-weights stdout',
    code: 2,
    stderr: /^--save-weights stdout: is the same file as the standard output/,
  },

  // Special files: written directly, never replaced.
  { name: '--out a null device', script: '$NT run good.yaml --json --out null', code: 0, stderr: '' },
  { name: '--save-weights a null device', script: '$NT run good.yaml --save-weights null', code: 0, stderr: '' },
  {
    name: '--out a full device is caught at the first line',
    script: '$NT run good.yaml --json --out full',
    code: 2,
    stderr: /^--out full: cannot write the log: no space left on the device\n$/,
    check: (_, r) => {
      const lines = parseLines(r.stdout); // stdout still gets a whole stream, ending as interrupted
      expect(lines.at(-1)).toMatchObject({ type: 'end', status: 'interrupted' });
    },
  },
  {
    name: '--save-weights a full device',
    script: '$NT run good.yaml --save-weights full',
    code: 2,
    stderr: /--save-weights full: cannot write the weights: no space left on the device\n$/,
  },
  {
    name: '--out a named pipe nobody reads',
    setup: (dir) => mkfifo(join(dir, 'pipe')),
    keep: ['pipe'],
    script: '$NT run good.yaml --out pipe',
    code: 2,
    stderr: /^--out pipe: cannot write the file: no program is reading from the pipe\n$/,
  },
  pipeCase('--out a named pipe with a reader', '--out pipe', 'got.jsonl', (text) => endsWithEnd(text)),
  pipeCase('--save-weights a named pipe with a reader', '--save-weights pipe', 'got.json', (text) => expect(weightsIn(text)).toHaveLength(3)),
  pipeCase('--save-weights through a link to a pipe', '--save-weights wl', 'got.json', (text) => expect(weightsIn(text)).toHaveLength(3), 'wl'),
  {
    name: '--save-weights through a link replaces the target, keeps the link',
    setup: (dir) => {
      writeFileSync(join(dir, 'old.json'), 'old');
      chmodSync(join(dir, 'old.json'), 0o640);
      symlinkSync('old.json', join(dir, 'w.json'));
    },
    keep: ['w.json'],
    script: '$NT run good.yaml --save-weights w.json',
    code: 0,
    stderr: '',
    check: (dir) => {
      expect(weightsIn(readFileSync(join(dir, 'old.json'), 'utf8'))).toHaveLength(3);
      expect(statSync(join(dir, 'old.json')).mode & 0o777).toBe(0o640);
    },
  },
  {
    name: 'root replacing a user’s weights file keeps its owner and mode',
    root: true,
    setup: (dir) => {
      writeFileSync(join(dir, 'w.json'), '{}\n', { mode: 0o600 });
      chownSync(join(dir, 'w.json'), NOBODY, NOBODY);
    },
    script: '$NT run good.yaml --save-weights w.json',
    code: 0,
    stderr: '',
    check: (dir) => {
      const stat = statSync(join(dir, 'w.json'));
      expect([stat.uid, stat.gid, stat.mode & 0o777]).toEqual([NOBODY, NOBODY, 0o600]);
      expect(weightsIn(readFileSync(join(dir, 'w.json'), 'utf8'))).toHaveLength(3);
    },
  },
  {
    name: '--save-weights >(cmd)',
    script: '$NT run good.yaml --save-weights >(cat > got.json); rc=$?; for i in $(seq 100); do [ -s got.json ] && break; sleep 0.05; done; exit $rc',
    code: 0,
    stderr: '',
    check: (dir) => expect(weightsIn(readFileSync(join(dir, 'got.json'), 'utf8'))).toHaveLength(3),
  },
  {
    name: '--out >(cmd)',
    script:
      '$NT run good.yaml --out >(cat > got.jsonl); rc=$?; for i in $(seq 100); do grep -q \'"type":"end"\' got.jsonl 2>/dev/null && break; sleep 0.05; done; exit $rc',
    code: 0,
    stderr: '',
    check: (dir) => endsWithEnd(readFileSync(join(dir, 'got.jsonl'), 'utf8')),
  },
  {
    name: '--save-weights /dev/fd/3 opened for appending is appended to, not replaced',
    setup: (dir) => writeFileSync(join(dir, 'w.json'), 'earlier\n'),
    script: '$NT run good.yaml --save-weights /dev/fd/3 3>>w.json',
    code: 0,
    stderr: '',
    check: (dir) => {
      const text = readFileSync(join(dir, 'w.json'), 'utf8');
      expect(text.startsWith('earlier\n')).toBe(true);
      expect(weightsIn(text.slice('earlier\n'.length))).toHaveLength(3);
    },
  },

  // Files that cannot be written, found before training.
  readOnlyCase('--out'),
  readOnlyCase('--save-weights'),
  {
    name: '--out in a folder that does not exist',
    script: '$NT run good.yaml --out nowhere/x.jsonl',
    code: 2,
    stderr: /^--out nowhere\/x\.jsonl: cannot write the file: the folder nowhere does not exist\n$/,
  },
  { name: '--out a folder', script: '$NT run good.yaml --out sub', code: 2, stderr: /^--out sub: cannot write the file: it is a folder; give a file name\n$/ },
  {
    name: '--save-weights a folder',
    script: '$NT run good.yaml --save-weights sub',
    code: 2,
    stderr: /^--save-weights sub: cannot write the file: it is a folder/,
  },
  {
    name: '--out a loop of links',
    setup: (dir) => symlinkSync('loop', join(dir, 'loop')),
    keep: ['loop'],
    script: '$NT run good.yaml --out loop',
    code: 2,
    stderr: /^--out loop: cannot write the file: the path is a loop of symbolic links\n$/,
  },
  {
    name: '--out below a file',
    script: '$NT run good.yaml --out data.csv/x',
    code: 2,
    stderr: /^--out data\.csv\/x: cannot write the file: a part of the path is not a folder\n$/,
  },
  {
    name: 'a config that is a loop of links',
    setup: (dir) => symlinkSync('loop.yaml', join(dir, 'loop.yaml')),
    keep: ['loop.yaml'],
    script: '$NT run loop.yaml',
    code: 2,
    stderr: /^loop\.yaml: cannot read the config: the path is a loop of symbolic links/,
  },
  {
    name: '--out in a folder the user may not write',
    setup: (dir) => mkdirSync(join(dir, 'locked'), { mode: 0o755 }),
    uid: NOBODY,
    script: '$NT run good.yaml --out locked/x.jsonl',
    code: 2,
    stderr: /^--out locked\/x\.jsonl: cannot write the file: no permission to write in locked\n$/,
  },
  {
    name: '--out a file of another user',
    setup: (dir) => writeFileSync(join(dir, 'theirs.jsonl'), 'theirs\n', { mode: 0o644 }),
    keep: ['theirs.jsonl'],
    uid: NOBODY,
    script: '$NT run good.yaml --out theirs.jsonl',
    code: 2,
    stderr: /^--out theirs\.jsonl: cannot write the file: permission denied\n$/,
  },

  // Limits met while writing.
  {
    name: 'a file-size limit cuts the log back to its last whole line',
    script: 'ulimit -f 4; $NT run good.yaml --out big.jsonl --set epochs=2000 > /dev/null',
    code: 2,
    stderr: /^--out big\.jsonl: cannot write the log: the file would exceed the size limit \(see `ulimit -f`\)\n$/,
    check: (dir) => {
      const text = readFileSync(join(dir, 'big.jsonl'), 'utf8');
      expect(text.length).toBeLessThanOrEqual(4096);
      const lines = parseLines(text); // whole lines only
      expect(lines[0].type).toBe('start');
      expect(lines.length).toBeGreaterThan(1);
      expect(readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
    },
  },
  {
    name: 'a file-size limit leaves the old weights file whole',
    setup: (dir) => writeFileSync(join(dir, 'w.json'), '{"weights":[1,2,3]}\n'),
    keep: ['w.json'],
    script: 'ulimit -f 0; $NT run good.yaml --save-weights w.json',
    code: 2,
    stderr: /--save-weights w\.json: cannot write the weights: the file would exceed the size limit/,
    check: (dir) => expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]),
  },
  {
    name: 'run --json > full',
    script: '$NT run good.yaml --json > full',
    code: 2,
    stderr: /^the standard output: cannot write to it: no space left on the device\n$/,
  },
  {
    name: 'run (plain progress) > full',
    script: '$NT run good.yaml > full',
    code: 2,
    stderr: /^the standard output: cannot write to it: no space left on the device\n$/,
  },
  {
    name: 'run --json --out > full still completes the log',
    script: '$NT run good.yaml --json --out l.jsonl > full',
    code: 2,
    stderr: /^the standard output: cannot write to it: no space left on the device\n$/,
    check: (dir) => endsWithEnd(readFileSync(join(dir, 'l.jsonl'), 'utf8')),
  },
  { name: 'schema > full', script: '$NT schema > full', code: 2, stderr: /^the standard output: cannot write to it: no space left on the device\n$/ },
  { name: '--help > full', script: '$NT --help > full', code: 2, stderr: /^the standard output: cannot write to it: no space left on the device\n$/ },
  { name: 'run --help > full', script: '$NT run --help > full', code: 2, stderr: /^the standard output: cannot write to it: no space left on the device\n$/ },
  { name: '--version > full', script: '$NT --version > full', code: 2, stderr: /^the standard output: cannot write to it: no space left on the device\n$/ },
  {
    name: 'run --json --out | head -1: interrupted, quietly, the log complete',
    script: '$NT run good.yaml --json --out l.jsonl --set epochs=100000000 | head -1 > first.txt; exit ${PIPESTATUS[0]}',
    code: 141,
    stderr: '',
    check: (dir) => {
      expect(parseLines(readFileSync(join(dir, 'first.txt'), 'utf8'))[0].type).toBe('start');
      const text = readFileSync(join(dir, 'l.jsonl'), 'utf8');
      endsWithEnd(text);
      expect(parseLines(text).at(-1)?.status).toBe('interrupted');
    },
  },
  { name: 'schema | head -c 1 is quiet', script: '$NT schema | head -c 1 > /dev/null; exit ${PIPESTATUS[0]}', code: 0, stderr: '' },

  // Bounds.
  {
    name: '--threads far above the cores',
    script: '$NT run good.yaml --threads 1000',
    code: 2,
    stderr: new RegExp(`'--threads <n>' argument '1000' is invalid\\. at most ${MAX_THREADS} \\(4 × the ${MAX_THREADS / 4} cores of this machine\\)`),
  },
  { name: '--threads at the limit', script: `$NT run good.yaml --threads ${MAX_THREADS}`, code: 0, stderr: '' },
  {
    name: 'error lists are capped at 20',
    setup: (dir) => writeFileSync(join(dir, 'many.yaml'), `${GOOD_YAML}${Array.from({ length: UNKNOWN_KEYS }, (_, i) => `unknown_${i}: 1\n`).join('')}`),
    keep: ['many.yaml'],
    script: '$NT run many.yaml',
    code: 2,
    stderr: new RegExp(`… and ${UNKNOWN_KEYS - 20} more problems \\(fix the ones above first\\)\\n$`),
    check: (_, r) => expect(r.stderr.match(/^many\.yaml:\d+:\d+: /gm)).toHaveLength(20),
  },
  {
    name: 'validate checks every file, after a crash too',
    setup: (dir) => {
      writeFileSync(
        join(dir, 'crash.yaml'),
        'data:\n  synthetic:\n    samples: 1e12\n    weights: [1]\n    bias: 0\n    noise: 0\nlearning_rate: 0.1\nepochs: 1\n',
      );
      writeFileSync(join(dir, 'b.yaml'), GOOD_YAML);
    },
    keep: ['crash.yaml', 'b.yaml'],
    script: '$NT validate good.yaml crash.yaml b.yaml',
    code: 2,
    mayCrash: true,
    stderr: /^crash\.yaml[:\s]/,
    check: (_, r) => expect(r.stdout).toBe('good.yaml: ok (500 rows × 3 features)\nb.yaml: ok (500 rows × 3 features)\n'),
  },
  {
    name: 'validate reports each bad file and caps each list',
    setup: (dir) => writeFileSync(join(dir, 'many.yaml'), `${GOOD_YAML}${Array.from({ length: UNKNOWN_KEYS }, (_, i) => `unknown_${i}: 1\n`).join('')}`),
    keep: ['many.yaml'],
    script: '$NT validate many.yaml missing.yaml good.yaml',
    code: 2,
    stderr: /… and 10 more problems \(fix the ones above first\)\nmissing\.yaml: cannot read the config: no such file/,
    check: (_, r) => expect(r.stdout).toBe('good.yaml: ok (500 rows × 3 features)\n'),
  },
  {
    name: 'init --force through a link replaces the target',
    setup: (dir) => {
      writeFileSync(join(dir, 'mine.yaml'), 'mine\n');
      symlinkSync('mine.yaml', join(dir, 'ln.yaml'));
    },
    keep: ['ln.yaml'],
    script: '$NT init ln.yaml --force',
    code: 0,
    stderr: '',
    check: (dir) => expect(readFileSync(join(dir, 'mine.yaml'), 'utf8')).toMatch(/^# yaml-language-server/),
  },
  { name: 'init onto a full device', script: '$NT init full --force', code: 2, stderr: /^full: cannot write the config: no space left on the device\n$/ },
  { name: 'init sub/../good.yaml without --force', script: '$NT init sub/../good.yaml', code: 2, stderr: /^sub\/\.\.\/good\.yaml: already exists/ },
];

/** The system's own device paths: no case names them, and this checks that none was touched. */
const SYSTEM_DEVICES = ['/dev/null', '/dev/full', '/dev/zero', '/dev/stdin', '/dev/stdout', '/dev/stderr'];
const systemDevices = (): string[] =>
  SYSTEM_DEVICES.map((path) => {
    const stat = lstatSync(path);
    return `${path} ${stat.ino} ${stat.mode} ${stat.rdev}`;
  });

describe('files the user owns are never damaged', () => {
  const devicesBefore = systemDevices();
  afterAll(() => expect(systemDevices()).toEqual(devicesBefore));

  it('has a corpus of at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of cases) {
    it.skipIf((c.uid !== undefined || c.root) && !asRoot)(c.name, () => {
      const dir = workspace();
      c.setup?.(dir);
      const names = [...WORKSPACE_FILES, ...(c.keep ?? [])];
      const before = snapshot(dir, names);
      const result = sh(dir, c.script, { uid: c.uid });
      expect({ code: result.status, stderr: result.stderr }).toMatchObject({ code: c.code });
      if (c.stderr === '') expect(result.stderr).toBe('');
      else expect(result.stderr).toMatch(c.stderr);
      if (c.mayCrash) expect(result.stderr).not.toMatch(/\n\s+at /);
      else expectPlain(result.stderr);
      expect(snapshot(dir, names)).toEqual(before);
      expect(lstatSync(join(dir, 'sub')).isDirectory()).toBe(true);
      c.check?.(dir, result);
    });
  }
});

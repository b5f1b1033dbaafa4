import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { openCsvFile, type CsvFileOptions } from '../../src/data/csv-file.js';
import { loadDataset } from '../../src/data/dataset.js';
import { lastLineEnd, PARALLEL_MIN_BYTES, readCsvHeader, type CsvColumns } from '../../src/data/csv.js';
import { InputError } from '../../src/errors.js';
import { CLI } from '../helpers.js';

// Files read in windows (regular files of STREAM_MIN_BYTES or more; here the threshold and the
// window are made small) must give what reading them whole gives: the same numbers bit for bit,
// rows, skipped count, or the same message at the same line and column.

const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-windows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function csvFile(text: string | Uint8Array): string {
  const file = join(dir, `f${files++}.csv`);
  writeFileSync(file, text);
  return file;
}

const refuse = (why: string): never => {
  throw new InputError([{ where: 'data.path', message: why }]);
};

type Parsed = { x: number[]; y: number[]; rows: number; skipped: number } | string;

/** The file's rows as `run` reads them (read whole when `options` is empty), or the message. */
function read(file: string, columns: CsvColumns, options: CsvFileOptions = {}, threads = 1): Parsed {
  try {
    const csv = openCsvFile(file, refuse, options);
    const numbers = csv.numbers(readCsvHeader(csv.head, 'd.csv'), columns, 'd.csv', threads);
    return { x: Array.from(numbers.x), y: Array.from(numbers.y), rows: numbers.rows, skipped: numbers.skipped };
  } catch (error) {
    if (error instanceof InputError) return `${error.problems[0].where}: ${error.problems[0].message}`;
    throw error;
  }
}

const columns: CsvColumns = { features: [0, 2], target: 3, missing: 'error' };

/** A random CSV body line: numbers in a, c and y, text in b (quoted, with separators, quotes and line breaks); blank lines; rows with a missing cell. */
const line = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.float({ noNaN: true, noDefaultInfinity: true }))
      .map(([a, c, y]) => `${a},b,${c},${y}`),
  },
  { weight: 2, arbitrary: fc.tuple(fc.integer(), fc.constantFrom('"x\ny"', '"a,b"', '"say ""hi"""', '"\r\n"', '""')).map(([a, b]) => `${a},${b},"${a}",7`) },
  { weight: 1, arbitrary: fc.constantFrom('', '  ', '1,b,,2', '1,b,2', '1,5" pipe,2,3', '1, "b"x,2,3', '1,b,2"x,3') },
);

const file = fc.record({
  lines: fc.array(line, { maxLength: 40 }),
  ending: fc.constantFrom('\n', '\r\n', '\r'),
  lastEnds: fc.boolean(),
});

describe('CSV files read in windows', () => {
  it('give the rows, skipped count and messages of reading the file whole, for any window', () => {
    fc.assert(
      fc.property(
        file,
        fc.integer({ min: 1, max: 120 }),
        fc.constantFrom<CsvColumns['missing']>('error', 'skip'),
        ({ lines, ending, lastEnds }, window, missing) => {
          const text = `a,b,c,y${ending}${lines.join(ending)}${lastEnds ? ending : ''}`;
          const path = csvFile(text);
          const cols = { ...columns, missing };
          expect(read(path, cols, { windowedFrom: 0, window })).toEqual(read(path, cols));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tell a windowed read from a whole one by the size threshold', () => {
    const path = csvFile('a,b,c,y\n1,2,3,4\n');
    expect(openCsvFile(path, refuse, { windowedFrom: 17 }).windowed).toBe(false);
    expect(openCsvFile(path, refuse, { windowedFrom: 16 }).windowed).toBe(true);
    // gzip files are read whole, whatever their size
    const gzipped = openCsvFile(csvFile(gzipSync('a,b,c,y\n1,2,3,4\n')), refuse, { windowedFrom: 0 });
    expect(gzipped.windowed).toBe(false);
    expect(gzipped.numbers(readCsvHeader(gzipped.head, 'd.csv'), columns, 'd.csv').rows).toBe(1);
  });

  it('leave pipes to be read whole, without opening them only to look (which would lose their rows)', () => {
    // Through the CLI, in a process of its own: reading a pipe that no one writes any more would block.
    const fifo = join(dir, 'rows.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    writeFileSync(join(dir, 'fifo.yaml'), `data: ${fifo}\nlearning_rate: 0.1\nepochs: 1\n`);
    const writer = spawn('sh', ['-c', `printf 'a,b,y\\n1,2,3\\n4,5,6\\n' > ${fifo}`], { stdio: 'ignore' });
    try {
      const run = spawnSync(process.execPath, [CLI, 'run', join(dir, 'fifo.yaml'), '--json'], { encoding: 'utf8', timeout: 30_000 });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout.split('\n')[0]).dataset.train).toBe(2);
    } finally {
      writer.kill();
    }
  });

  it('grow a window for a row longer than it, and name the line of a bad cell after many windows', () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `${i},"${'long text '.repeat(i === 700 ? 500 : 1)}",${i * 2},${i / 3}`);
    rows[1500] = '1,b,oops,2';
    const path = csvFile(`a,b,c,y\n${rows.join('\n')}\n`);
    const windowed = read(path, columns, { windowedFrom: 0, window: 256 });
    expect(windowed).toBe(read(path, columns));
    expect(windowed).toMatch(/^d\.csv:1502:\d+: column "c": "oops" is not a number/);
    rows[1500] = '1,b,3,2';
    const fine = csvFile(`a,b,c,y\n${rows.join('\n')}\n`);
    expect(read(fine, columns, { windowedFrom: 0, window: 256 })).toEqual(read(fine, columns));
  });

  it('parse windows large enough to split on threads as one thread reads the whole file', () => {
    const cell = (i: number, j: number): string => (Math.sin(i * 4 + j) * 1e3).toPrecision(9);
    const parts = ['a,b,c,y\n'];
    const rows = Math.ceil((3 * PARALLEL_MIN_BYTES) / 40);
    for (let i = 0; i < rows; i++)
      parts.push(i % 9973 === 5 ? `${cell(i, 0)},"two\r\nlines",${cell(i, 2)},${cell(i, 3)}\r\n` : `${cell(i, 0)},b,${cell(i, 2)},${cell(i, 3)}\n`);
    const path = csvFile(parts.join(''));
    const whole = read(path, columns);
    expect(typeof whole === 'object' && whole.rows).toBe(rows);
    const window = PARALLEL_MIN_BYTES + 12_345; // several windows, each split into chunks on 2 threads
    expect(read(path, columns, { windowedFrom: 0, window }, 2)).toEqual(whole);
    // and a bad cell near the end, found at the line one thread finds it
    const text = readFileSync(path, 'utf8');
    const at = text.lastIndexOf('\n', text.length - 2000) + 1;
    const bad = csvFile(`${text.slice(0, at)}1,b,x,2\n${text.slice(at)}`);
    const message = read(bad, columns);
    expect(message).toMatch(/: column "c": "x" is not a number/);
    expect(read(bad, columns, { windowedFrom: 0, window }, 2)).toBe(message);
  });

  it('refuse rows that would not fit in the memory they may take, before reading them', () => {
    const path = csvFile(`a,b,c,y\n${'1,b,2,3\n'.repeat(100)}`);
    // 100 rows of 3 doubles and a window of 64 bytes: 2,464 bytes
    expect(read(path, columns, { windowedFrom: 0, window: 64, memoryLimit: 2463 })).toBe(
      'data.path: its 100 lines of 2 features need 2.4 KiB of memory, more than this machine can spare (half of its memory); use fewer rows',
    );
    expect(read(path, columns, { windowedFrom: 0, window: 64, memoryLimit: 2464 })).toEqual(read(path, columns));
  });

  it('refuse a file that changed after its header was read', () => {
    const path = csvFile(`a,b,c,y\n${'1,b,2,3\n'.repeat(10)}`);
    const csv = openCsvFile(path, refuse, { windowedFrom: 0, window: 16 });
    writeFileSync(path, `a,b,c,y\n${'1,b,2,3\n'.repeat(11)}`);
    expect(() => csv.numbers(readCsvHeader(csv.head, 'd.csv'), columns, 'd.csv', 1)).toThrow(
      'it changed while it was being read; run again once it is written',
    );
  });
});

describe('a run on a CSV read in windows', () => {
  it('has the dataset of the same file read whole: split, standardized, delimiter detected', () => {
    const rows = Array.from({ length: 500 }, (_, i) => `${Math.sin(i)};${i % 7};"${i}";${Math.cos(i) * 3}`);
    writeFileSync(join(dir, 'rows.csv'), `a;b;c;y\r\n${rows.join('\r\n')}\r\n`);
    const loaded = loadConfigText(join(dir, 'c.yaml'), 'data: {path: rows.csv, validation_split: 0.2, standardize: true}\nlearning_rate: 0.1\nepochs: 1\n');
    const whole = loadDataset(loaded, dir, { threads: 1 });
    const windowed = loadDataset(loaded, dir, { threads: 1, windowedFrom: 0, window: 100 });
    expect(windowed.delimiter).toBe(';');
    expect(Array.from(windowed.train.x)).toEqual(Array.from(whole.train.x));
    expect(Array.from(windowed.validation!.y)).toEqual(Array.from(whole.validation!.y));
    expect(windowed.standardization).toEqual(whole.standardization);
  });

  it('counts the copies of the rows that a split and shuffled mini-batches make in its memory check', () => {
    writeFileSync(join(dir, 'small.csv'), `x,y\n${'1,2\n'.repeat(100)}`);
    const run = (data: string, batch: string): string => {
      const loaded = loadConfigText(join(dir, 'c.yaml'), `data: {path: small.csv${data}}\nlearning_rate: 0.1\nepochs: 1\nbatch_size: ${batch}\n`);
      try {
        return `${loadDataset(loaded, dir, { threads: 2, windowedFrom: 0, window: 64, memoryLimit: 3000 }).train.n} rows`;
      } catch (error) {
        if (error instanceof InputError) return error.problems[0].message;
        throw error;
      }
    };
    // one copy: 100 rows × 2 doubles + the 64-byte window = 1,664 bytes
    expect(run('', 'full')).toBe('100 rows');
    // the rows, the split's parts, two shuffled copies (a helper thread): 4 × 1,600 + 64 = 6,464 bytes
    expect(run(', validation_split: 0.2', '10')).toMatch(/: its 100 lines of 1 feature need 6\.3 KiB of memory \(4 copies of the rows/);
  });

  it('places a bad cell where the config names the file, and its line in the CSV', () => {
    writeFileSync(join(dir, 'bad.csv'), `x,y\n${'1,2\n'.repeat(300)}1,two\n`);
    const loaded = loadConfigText(join(dir, 'c.yaml'), 'data: bad.csv\nlearning_rate: 0.1\nepochs: 1\n');
    const message = (options: Parameters<typeof loadDataset>[2]): string => {
      try {
        loadDataset(loaded, dir, options);
      } catch (error) {
        if (error instanceof InputError) return `${error.problems[0].where}: ${error.problems[0].message}`;
        throw error;
      }
      return 'loaded';
    };
    expect(message({ threads: 1, windowedFrom: 0, window: 64 })).toBe(message({ threads: 1 }));
    expect(message({ threads: 1 })).toMatch(/:302:3: column "y": "two" is not a number/);
  });
});

describe('lastLineEnd', () => {
  const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
  it('cuts after the last line break, never between CR and LF', () => {
    expect(lastLineEnd(bytes('1,2\n3,4\n5'), 9)).toBe(8);
    expect(lastLineEnd(bytes('1,2\r\n3'), 6)).toBe(5);
    expect(lastLineEnd(bytes('1,2\r'), 4)).toBe(-1); // the CR may be half of a CRLF
    expect(lastLineEnd(bytes('1,2\r3'), 5)).toBe(4);
    expect(lastLineEnd(bytes('1,2\n3\r\r'), 7)).toBe(6); // the last CR may be half of a CRLF, the one before is not
    expect(lastLineEnd(bytes('1,2'), 3)).toBe(-1);
  });
});

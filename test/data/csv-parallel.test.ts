import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { chunkBounds, PARALLEL_MIN_BYTES, readCsvHeader, readCsvNumbers, type CsvColumns } from '../../src/data/csv.js';

// A body past PARALLEL_MIN_BYTES, so that 2 and 3 threads split it; every variant is parsed on
// 1, 2 and 3 threads and must give the same numbers, rows, skipped count or error.

function body(rows: number, line: (i: number) => string): Uint8Array {
  const parts = ['a,b,c,y\n'];
  for (let i = 0; i < rows; i++) parts.push(line(i));
  return new TextEncoder().encode(parts.join(''));
}

const ROWS = Math.ceil(PARALLEL_MIN_BYTES / 40) + 1000;
const cell = (i: number, j: number): string => (Math.sin(i * 4 + j) * 1e3).toPrecision(9);
const plain = (i: number): string => `${cell(i, 0)},${cell(i, 1)},${cell(i, 2)},${cell(i, 3)}\n`;
const columns: CsvColumns = { features: [0, 2], target: 3, missing: 'error' };

function parse(bytes: Uint8Array, threads: number, cols = columns): { x: number[]; y: number[]; rows: number; skipped: number } | string {
  try {
    const numbers = readCsvNumbers(bytes, readCsvHeader(bytes, 'big.csv'), cols, 'big.csv', threads);
    return { x: Array.from(numbers.x), y: Array.from(numbers.y), rows: numbers.rows, skipped: numbers.skipped };
  } catch (error) {
    if (error instanceof InputError) return `${error.problems[0].where}: ${error.problems[0].message}`;
    throw error;
  }
}

function sameOnEveryThreadCount(bytes: Uint8Array, cols = columns): ReturnType<typeof parse> {
  expect(chunkBounds(bytes, readCsvHeader(bytes, 'big.csv').bodyStart, 3).length).toBe(4); // three chunks
  const one = parse(bytes, 1, cols);
  expect(parse(bytes, 2, cols)).toEqual(one);
  expect(parse(bytes, 3, cols)).toEqual(one);
  return one;
}

describe('CSV parsing on several threads', () => {
  it('gives the single-thread numbers bit for bit, with CRLF, blank lines and blanks around cells', () => {
    const bytes = body(ROWS, (i) => (i % 1000 === 7 ? '\n  \r\n' : '') + (i % 3 === 0 ? plain(i).replace('\n', '\r\n') : ` ${plain(i).replace(',', ' ,\t')}`));
    const one = sameOnEveryThreadCount(bytes);
    expect(typeof one === 'object' && one.rows).toBe(ROWS);
  });

  it('skips the same rows under `missing: skip`', () => {
    const bytes = body(ROWS, (i) => (i % 5003 === 11 ? `${cell(i, 0)},,x,1\n` : i % 7001 === 3 ? '1,2\n' : plain(i)));
    const one = sameOnEveryThreadCount(bytes, { ...columns, missing: 'skip' });
    expect(typeof one === 'object' && one.skipped).toBeGreaterThan(20);
  });

  it('reports the first bad cell with the same line and column, wherever the chunks fall', () => {
    const bad = Math.floor(ROWS * 0.8);
    const bytes = body(ROWS, (i) => (i === bad ? `${cell(i, 0)},1,abc,2\n` : i === bad + 5 ? '1,2\n' : plain(i)));
    expect(sameOnEveryThreadCount(bytes)).toBe(
      `big.csv:${bad + 2}:${cell(bad, 0).length + 4}: column "c": "abc" is not a number; expected a number like 1.5, -2 or 3e-4 (or set \`data.missing: skip\` to drop such rows)`,
    );
  });

  it('reports a short row in a later chunk as one thread does', () => {
    const bad = Math.floor(ROWS * 0.6);
    const bytes = body(ROWS, (i) => (i === bad ? '1,2\n' : plain(i)));
    expect(sameOnEveryThreadCount(bytes)).toMatch(new RegExp(`^big\\.csv:${bad + 2}:1: the row has 2 cells but the header has 4 columns`));
  });

  it('splits a body with quoted cells, also with line breaks inside them, as one thread reads it', () => {
    const quoted = (i: number): string => `"${cell(i, 0)}","${i % 97 === 5 ? 'two\nlines' : 'b'}",${cell(i, 2)},"${cell(i, 3)}"\n`;
    const bytes = body(ROWS, quoted);
    expect(sameOnEveryThreadCount(bytes)).toEqual(expect.objectContaining({ rows: ROWS }));
  });

  it('gives the single-thread rows when a split falls inside a quoted cell with line breaks', () => {
    // Row `long` holds, in unused column b, a quoted cell of 100,000 lines across a third of the body.
    const text = 'x\n'.repeat(100_000);
    const long = Math.floor(ROWS / 3) - Math.floor(text.length / 3 / 40);
    const bytes = body(ROWS, (i) => (i === long ? `1,"${text}",2,3\n` : plain(i)));
    const header = readCsvHeader(bytes, 'big.csv');
    const opens = new TextDecoder().decode(bytes).indexOf('"');
    const bounds = chunkBounds(bytes, header.bodyStart, 3);
    expect(bounds[1]).toBeGreaterThan(opens);
    expect(bounds[1]).toBeLessThan(opens + text.length);
    const one = sameOnEveryThreadCount(bytes);
    expect(typeof one === 'object' && one.rows).toBe(ROWS);
  });
});

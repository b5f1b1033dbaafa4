import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCsvHeader, readCsvNumbers } from '../../src/data/csv.js';
import { InputError } from '../../src/errors.js';

function parse(text: string, missing: 'error' | 'skip' = 'error') {
  const bytes = new TextEncoder().encode(text);
  const header = readCsvHeader(bytes, 'f.csv');
  const width = header.names.length;
  const features = Array.from({ length: width - 1 }, (_, i) => i);
  return { header, ...readCsvNumbers(bytes, header, { features, target: width - 1, missing }, 'f.csv') };
}

function failure(text: string, missing: 'error' | 'skip' = 'error'): { where: string; message: string } {
  try {
    parse(text, missing);
  } catch (error) {
    if (error instanceof InputError) return error.problems[0];
    throw error;
  }
  throw new Error('expected the CSV to be refused');
}

describe('CSV numbers', () => {
  it('reads rows into row-major features and targets', () => {
    const { x, y, rows } = parse('a,b,y\n1,2,3\n4,5,6\n');
    expect(rows).toBe(2);
    expect(Array.from(x)).toEqual([1, 2, 4, 5]);
    expect(Array.from(y)).toEqual([3, 6]);
  });

  it('accepts quoted numbers, scientific notation, a BOM, CRLF and trailing blank lines', () => {
    const { x, y, header } = parse('\uFEFF"a","b",y\r\n"1.5", -2e-3 ,+3E2\r\n.5,5.,-0\r\n\r\n\n');
    expect(header.names).toEqual(['a', 'b', 'y']);
    expect(Array.from(x)).toEqual([1.5, -0.002, 0.5, 5]);
    expect(Array.from(y)).toEqual([300, -0]);
  });

  it('parses every double exactly like Number()', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('plain', 'exp', 'fixed'), (v, style) => {
        const text = style === 'exp' ? v.toExponential() : style === 'fixed' && Math.abs(v) < 1e15 ? v.toFixed(6) : String(v);
        const { y } = parse(`a,y\n1,${text}\n`);
        expect(Object.is(y[0], Number(text)) || y[0] === Number(text)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('locates a blank cell by line and column name', () => {
    const p = failure('a,b,y\n1,2,3\n4,,6\n');
    expect(p.where).toBe('f.csv:3:3');
    expect(p.message).toContain('column "b" is blank');
  });

  it('locates a word where a number belongs', () => {
    const p = failure('a,b,y\n1,2,3\n4,five,6\n');
    expect(p.where).toBe('f.csv:3:3');
    expect(p.message).toContain('column "b": "five" is not a number');
  });

  it('refuses NaN and Infinity', () => {
    expect(failure('a,y\nNaN,1\n').message).toContain('NaN and infinities are not allowed');
    expect(failure('a,y\n1,-Infinity\n').message).toContain('NaN and infinities are not allowed');
    expect(failure('a,y\n1,1e999\n').message).toContain('too large');
  });

  it('refuses rows with too few or too many cells', () => {
    expect(failure('a,b,y\n1,2\n')).toMatchObject({ where: 'f.csv:2:1' });
    expect(failure('a,b,y\n1,2\n').message).toContain('column "y" is missing');
    expect(failure('a,b,y\n1,2,3,4\n').message).toContain('the row has 4 cells but the header has 3 columns');
  });

  it('refuses duplicate header names, an empty file and a header without rows', () => {
    expect(failure('a,a,y\n1,2,3\n')).toMatchObject({ where: 'f.csv:1:3' });
    expect(failure('').message).toContain('the file is empty');
    expect(failure('a,y\n\n').message).toContain('header but no data rows');
  });

  it('with missing: skip, drops and counts bad rows', () => {
    const { rows, skipped, y } = parse('a,y\n1,2\n,3\nx,4\n5\n6,7\n', 'skip');
    expect(rows).toBe(2);
    expect(skipped).toBe(3);
    expect(Array.from(y)).toEqual([2, 7]);
  });

  it('counts lines inside quoted cells when locating later errors', () => {
    // Column "id" is not used, so its text (with a line break inside quotes) is fine.
    const bytes = new TextEncoder().encode('id,a,y\n"multi\nline",1,2\nz,3,x\n');
    const header = readCsvHeader(bytes, 'f.csv');
    expect(() => readCsvNumbers(bytes, header, { features: [1], target: 2, missing: 'error' }, 'f.csv')).toThrow(/^f\.csv:4:5: column "y"/);
  });

  it('never throws anything but a located InputError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          const header = readCsvHeader(bytes, 'f.csv');
          const width = header.names.length;
          if (width < 2) return;
          readCsvNumbers(bytes, header, { features: [0], target: width - 1, missing: 'error' }, 'f.csv');
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          expect((error as InputError).problems[0].where).toMatch(/^f\.csv:\d+(:\d+)?$/);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, readCsvHeader, readCsvNumbers, shownName } from '../../src/data/csv.js';
import { notUtf8 } from '../../src/data/source.js';
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

describe('CSV line endings, quotes and separators', () => {
  it('reads CR-only and mixed line endings, counting lines for messages', () => {
    expect(Array.from(parse('a,y\r1,2\r3,4\r').y)).toEqual([2, 4]);
    expect(Array.from(parse('a,y\r\n1,2\r3,4\n5,6').y)).toEqual([2, 4, 6]);
    expect(failure('a,y\r1,2\r\r3,x\r')).toMatchObject({ where: 'f.csv:4:3' });
  });

  it('reads quoted header names with separators, quotes and line breaks inside (RFC 4180)', () => {
    const { header, y } = parse('"x\n1","a, ""b""",y\r\n1,2,3\n');
    expect(header.names).toEqual(['x\n1', 'a, "b"', 'y']);
    expect(header.bodyLine).toBe(3);
    expect(Array.from(y)).toEqual([3]);
    expect(failure('"x\n1",y\n1,z\n')).toMatchObject({ where: 'f.csv:3:3' });
  });

  it('locates an unclosed quote where it opens, also after a quoted line break in the same row', () => {
    expect(failure('a,y\n1,2\n"3,4\n5,6\n')).toEqual({ where: 'f.csv:3:1', message: 'the quoted cell that opens here is never closed; add the closing `"`' });
    const bytes = new TextEncoder().encode('id,a,y\n"two\nlines",1,"2\n');
    const header = readCsvHeader(bytes, 'f.csv');
    expect(() => readCsvNumbers(bytes, header, { features: [1], target: 2, missing: 'error' }, 'f.csv')).toThrow(
      /^f\.csv:3:10: the quoted cell that opens here/,
    );
    expect(failure('a,"y\n1,2\n')).toEqual({ where: 'f.csv:1:3', message: 'the quoted header cell that opens here is never closed; add the closing `"`' });
  });

  it('detects comma, semicolon, tab and pipe from the header and first rows', () => {
    const detect = (text: string): string => String.fromCharCode(detectDelimiter(new TextEncoder().encode(text)));
    expect(detect('a,b,y\n1,2,3\n')).toBe(',');
    expect(detect('a;b;y\n1,5;2;3\n')).toBe(';'); // decimal commas do not fool it
    expect(detect('a\tb\ty\n1\t2\t3\n')).toBe('\t');
    expect(detect('a|b|y\n1|2|3\n')).toBe('|');
    expect(detect('"a;1",b,y\n1,2,3\n')).toBe(','); // separators inside quotes do not count
    expect(detect('y\n1\n')).toBe(',');
    const { x, y, header } = parse('a;b;y\n1;2;3\n');
    expect(header.names).toEqual(['a', 'b', 'y']);
    expect([...x, ...y]).toEqual([1, 2, 3]);
  });

  it('uses the separator the config names', () => {
    const bytes = new TextEncoder().encode('a,b;y\n1,2;3\n');
    expect(readCsvHeader(bytes, 'f.csv', ';').names).toEqual(['a,b', 'y']);
    expect(readCsvHeader(bytes, 'f.csv', 'tab').names).toEqual(['a,b;y']);
  });

  it('hints at a decimal comma in a file separated by semicolons', () => {
    expect(failure('a;y\n1,5;2\n').message).toContain('"1,5" is not a number; write the decimal comma as a point, e.g. 1.5');
  });

  it('shows control characters in names escaped, never raw', () => {
    expect(shownName('\u001b[31mred\u0007')).toBe('"\\u001b[31mred\\u0007"');
    expect(shownName('a\u009bb\u202ec')).toBe('"a\\u009bb\\u202ec"');
    const message = failure('x,\u001b]0;title\u0007,y\n1,,3\n').message;
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(message).toContain('column "\\u001b]0;title\\u0007" is blank');
  });

  it('names encodings that are not UTF-8', () => {
    const utf16 = (text: string, bom: boolean): Uint8Array => Buffer.from(`${bom ? '\uFEFF' : ''}${text}`, 'utf16le');
    expect(notUtf8(utf16('a,y\n1,2\n', true))).toBe('UTF-16 (little-endian) text, by its byte order mark');
    expect(notUtf8(utf16('a,y\n1,2\n', false))).toBe('UTF-16 (little-endian) text without a byte order mark, by its NUL bytes');
    expect(notUtf8(Buffer.from('a,y\n1,2\n', 'utf16le').swap16())).toBe('UTF-16 (big-endian) text without a byte order mark, by its NUL bytes');
    expect(notUtf8(new Uint8Array([1, 2, 0, 9, 9, 9, 9, 9, 9, 9]))).toBe('binary data, not text (a NUL byte at offset 2)');
    expect(notUtf8(new TextEncoder().encode('a,y\n1,2\n'))).toBeNull();
  });
});

import { InputError } from '../errors.js';
import { rowArray } from './rows.js';

/**
 * A byte-level CSV scanner that parses numbers straight into row-major Float64Arrays.
 *
 * Written by hand rather than with a CSV library because no library does both things needed here:
 * (1) produce doubles without allocating a string per cell (general parsers yield strings: at
 * 17 million cells that allocation dominates), and (2) report a bad cell by file line and column
 * name. It keeps RFC 4180's rules: quoted cells (with separators, `""` and line breaks inside, in the
 * header too), CRLF, and also CR-only and mixed line endings, a UTF-8 BOM, and `,` `;` tab or `|`.
 */

export interface CsvHeader {
  names: string[];
  /** Byte offset of the first data line. */
  bodyStart: number;
  /** File line number of the first data line (a quoted header name may span lines). */
  bodyLine: number;
  /** The separator byte: given by `data.delimiter`, or detected. */
  delimiter: number;
}

export interface CsvColumns {
  /** Header index of each feature column, in feature order. */
  features: number[];
  /** Header index of the target column. */
  target: number;
  /** `skip`: drop rows with a blank or non-numeric used cell (counted); `error`: stop at the first. */
  missing: 'error' | 'skip';
}

export interface CsvNumbers {
  /** Row-major features, rows × features.length. */
  x: Float64Array;
  y: Float64Array;
  rows: number;
  /** Rows dropped under `missing: skip`. */
  skipped: number;
}

const COMMA = 44;
const SEMICOLON = 59;
const PIPE = 124;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const LOWER_E = 101;
const UPPER_E = 69;

/** Exact powers of ten: up to 1e22 every one is a double, which makes the fast path exact. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/** Where the last parseNumber call stopped reading. */
let numberEnd = 0;

/**
 * Reads a number starting at `start`: [sign] digits [. digits] [e [sign] digits], stopping at the
 * first byte that cannot continue it (`numberEnd`). NaN when there are no digits. Clinger's fast
 * path gives the correctly rounded double when the mantissa has at most 15 significant digits and
 * the power of ten is at most 22; anything longer goes through Number() on the text.
 */
function parseNumber(bytes: Uint8Array, start: number, limit: number): number {
  let i = start;
  let negative = false;
  if (i < limit && (bytes[i] === MINUS || bytes[i] === PLUS)) negative = bytes[i++] === MINUS;
  let mantissa = 0;
  let significant = 0;
  let exponent = 0;
  let digits = 0;
  let c = 0;
  while (i < limit && (c = bytes[i] - ZERO) >= 0 && c <= 9) {
    if (significant < 15) {
      mantissa = mantissa * 10 + c;
      if (mantissa > 0) significant++;
    } else {
      exponent++;
      significant++;
    }
    digits++;
    i++;
  }
  if (i < limit && bytes[i] === DOT) {
    i++;
    while (i < limit && (c = bytes[i] - ZERO) >= 0 && c <= 9) {
      if (significant < 15) {
        mantissa = mantissa * 10 + c;
        exponent--;
        if (mantissa > 0) significant++;
      } else significant++;
      digits++;
      i++;
    }
  }
  if (digits > 0 && i < limit && (bytes[i] === LOWER_E || bytes[i] === UPPER_E)) {
    i++;
    let expNegative = false;
    if (i < limit && (bytes[i] === MINUS || bytes[i] === PLUS)) expNegative = bytes[i++] === MINUS;
    let power = 0;
    let powerDigits = 0;
    while (i < limit && (c = bytes[i] - ZERO) >= 0 && c <= 9) {
      if (power < 100000) power = power * 10 + c;
      powerDigits++;
      i++;
    }
    if (powerDigits === 0) digits = 0; // "1e" is not a number
    exponent += expNegative ? -power : power;
  }
  numberEnd = i;
  if (digits === 0) return NaN;
  if (significant <= 15 && exponent >= -22 && exponent <= 22) {
    const value = exponent < 0 ? mantissa / POW10[-exponent] : mantissa * POW10[exponent];
    return negative ? -value : value;
  }
  return Number(new TextDecoder().decode(bytes.subarray(start, i)));
}

/** Why a used cell is not a number, for the message. */
function notANumber(text: string, delimiter: number): string {
  if (/^[+-]?(nan|inf(inity)?)$/i.test(text)) return 'NaN and infinities are not allowed';
  if (delimiter !== COMMA && /^[+-]?\d+,\d+$/.test(text)) return `write the decimal comma as a point, e.g. ${text.replace(',', '.')}`;
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return 'the number is too large for a double';
  return 'expected a number like 1.5, -2 or 3e-4';
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** The separators `data.delimiter: auto` chooses from, in order of preference on a tie. */
const DELIMITERS = [COMMA, SEMICOLON, TAB, PIPE] as const;
/** The config's names of the separators. */
export type DelimiterSetting = 'auto' | ',' | ';' | '\t' | 'tab' | '|';

/** How a separator reads in messages. */
export function delimiterName(delimiter: number): string {
  return delimiter === TAB ? 'tab' : `\`${String.fromCharCode(delimiter)}\``;
}

/**
 * A column name or cell as it is safe to show on a terminal: quoted, with control characters
 * (escape, bell, C1 codes, bidirectional overrides) written as escapes, never sent raw.
 */
export function shownName(name: string): string {
  return JSON.stringify(name).replace(/[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A name in a list of names: escaped like `shownName`, without the quotes. */
function listedName(name: string): string {
  return shownName(name).slice(1, -1);
}

/** A header longer than this is not a header (a file without line breaks, or not a CSV). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

/** True at a line break: LF, CR (old Mac files) or the CR of CRLF. */
function isLineBreak(c: number): boolean {
  return c === LF || c === CR;
}

/** The position after the line break at `pos` (CRLF counts as one). */
function afterLineBreak(bytes: Uint8Array, pos: number): number {
  return bytes[pos] === CR && bytes[pos + 1] === LF ? pos + 2 : pos + 1;
}

interface HeaderCell {
  text: string;
  line: number;
  column: number;
}

/**
 * Reads one record quote-aware from `start`: cells split at `delimiter` outside quotes, `""` inside
 * quotes is a quote, line breaks inside quotes are part of the cell (RFC 4180). Returns its cells
 * and where the next record starts.
 */
function readRecord(bytes: Uint8Array, start: number, delimiter: number, file: string): { cells: HeaderCell[]; next: number; line: number } {
  const decoder = new TextDecoder();
  const cells: HeaderCell[] = [];
  let pos = start;
  let line = 1;
  let lineBegin = start;
  const len = bytes.length;
  for (;;) {
    while (pos < len && isBlank(bytes[pos])) pos++;
    const column = pos - lineBegin + 1;
    const cellLine = line;
    let text: string;
    if (bytes[pos] === QUOTE) {
      const from = ++pos;
      for (;;) {
        if (pos >= len) {
          throw new InputError([{ where: `${file}:${cellLine}:${column}`, message: 'the quoted header cell that opens here is never closed; add the closing `"`' }]);
        }
        const c = bytes[pos];
        if (c === QUOTE) {
          if (bytes[pos + 1] !== QUOTE) break;
          pos += 2;
        } else if (isLineBreak(c)) {
          pos = afterLineBreak(bytes, pos);
          line++;
          lineBegin = pos;
        } else pos++;
        if (pos - start > MAX_HEADER_BYTES) break;
      }
      text = decoder.decode(bytes.subarray(from, pos)).replaceAll('""', '"');
      pos++;
      while (pos < len && isBlank(bytes[pos])) pos++;
      if (pos < len && bytes[pos] !== delimiter && !isLineBreak(bytes[pos])) {
        throw new InputError([
          { where: `${file}:${line}:${pos - lineBegin + 1}`, message: `unexpected text after a quoted header cell; expected ${delimiterName(delimiter)} or the end of the line` },
        ]);
      }
    } else {
      const from = pos;
      while (pos < len && bytes[pos] !== delimiter && !isLineBreak(bytes[pos])) pos++;
      text = decoder.decode(bytes.subarray(from, pos));
    }
    if (pos - start > MAX_HEADER_BYTES) {
      throw new InputError([{ where: `${file}:1`, message: `the header row is longer than ${MAX_HEADER_BYTES / 1024 / 1024} MiB; expected a short first line of column names, e.g. \`x1,x2,y\`` }]);
    }
    cells.push({ text: text.trim(), line: cellLine, column });
    if (pos < len && bytes[pos] === delimiter) {
      pos++;
      continue;
    }
    return { cells, next: pos < len ? afterLineBreak(bytes, pos) : len, line: line + 1 };
  }
}

/**
 * Counts each candidate separator outside quotes on the first `records` lines; a count of -1
 * stops the sample at a quote left open (the caller reports it when it reads the header).
 */
function sampleDelimiters(bytes: Uint8Array, start: number, records: number): number[][] {
  const counts: number[][] = [];
  let pos = start;
  const len = bytes.length;
  while (counts.length < records && pos < len) {
    const row = DELIMITERS.map(() => 0);
    let quoted = false;
    let blank = true;
    for (; pos < len; pos++) {
      const c = bytes[pos];
      if (c === QUOTE) quoted = !quoted;
      else if (!quoted && isLineBreak(c)) break;
      else if (!quoted) {
        const k = DELIMITERS.indexOf(c as (typeof DELIMITERS)[number]);
        if (k !== -1) row[k]++;
      }
      if (!isBlank(c)) blank = false;
      if (pos - start > MAX_HEADER_BYTES) return counts;
    }
    if (pos < len) pos = afterLineBreak(bytes, pos);
    if (!blank) counts.push(row);
  }
  return counts;
}

/**
 * `data.delimiter: auto`: the candidate found on the header that appears equally often on each
 * of the first rows (most often wins, then comma, semicolon, tab, pipe); comma when none does.
 */
export function detectDelimiter(bytes: Uint8Array, start = 0): number {
  const [header, ...rows] = sampleDelimiters(bytes, start, 6);
  if (!header) return COMMA;
  let best = -1;
  for (let k = 0; k < DELIMITERS.length; k++) {
    const consistent = header[k] > 0 && rows.every((row) => row[k] === header[k]);
    if (consistent && (best === -1 || header[k] > header[best])) best = k;
  }
  if (best === -1) {
    // No separator is consistent (ragged rows): the one the header uses most, which the row checks then locate.
    for (let k = 0; k < DELIMITERS.length; k++) if (header[k] > 0 && (best === -1 || header[k] > header[best])) best = k;
  }
  return best === -1 ? COMMA : DELIMITERS[best];
}

function delimiterByte(setting: DelimiterSetting): number {
  return setting === 'tab' ? TAB : setting.charCodeAt(0);
}

/** Splits the header row (quotes honoured, also across lines); names are trimmed. */
export function readCsvHeader(bytes: Uint8Array, file: string, setting: DelimiterSetting = 'auto'): CsvHeader {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3; // UTF-8 BOM
  let probe = start;
  while (probe < bytes.length && (isBlank(bytes[probe]) || isLineBreak(bytes[probe]))) probe++;
  if (probe >= bytes.length) {
    throw new InputError([{ where: `${file}:1`, message: 'the file is empty; expected a header row of column names, e.g. `x1,x2,y`' }]);
  }
  const delimiter = setting === 'auto' ? detectDelimiter(bytes, start) : delimiterByte(setting);
  const record = readRecord(bytes, start, delimiter, file);
  const names = record.cells.map((c) => c.text);
  const seen = new Map<string, number>();
  record.cells.forEach((cell, i) => {
    const where = `${file}:${cell.line}:${cell.column}`;
    if (cell.text === '') {
      throw new InputError([{ where, message: `header column ${i + 1} has no name; every column needs one` }]);
    }
    const first = seen.get(cell.text);
    if (first !== undefined) {
      throw new InputError([
        { where, message: `duplicate column name ${shownName(cell.text)} (columns ${first + 1} and ${i + 1}); column names must be unique` },
      ]);
    }
    seen.set(cell.text, i);
  });
  return { names, bodyStart: record.next, bodyLine: record.line, delimiter };
}

function ordinalCells(n: number): string {
  return `${n} cell${n === 1 ? '' : 's'}`;
}

/**
 * Parses the body's used columns into doubles. Blank lines are ignored (trailing ones are common);
 * every other line must have as many cells as the header.
 */
export function readCsvNumbers(bytes: Uint8Array, header: CsvHeader, columns: CsvColumns, file: string): CsvNumbers {
  const names = header.names;
  const width = names.length;
  const d = columns.features.length;
  const delimiter = header.delimiter;
  // slot[c]: where column c goes: 0..d-1 a feature, d the target, -1 unused.
  const slot = new Int32Array(width).fill(-1);
  columns.features.forEach((c, j) => (slot[c] = j));
  slot[columns.target] = d;
  const skip = columns.missing === 'skip';

  // Rows are at most the line breaks + 1: LFs, and CRs that are not the first half of a CRLF.
  let capacity = 1;
  for (let p = bytes.indexOf(LF, header.bodyStart); p !== -1; p = bytes.indexOf(LF, p + 1)) capacity++;
  for (let p = bytes.indexOf(CR, header.bodyStart); p !== -1; p = bytes.indexOf(CR, p + 1)) if (bytes[p + 1] !== LF) capacity++;
  const x = rowArray(capacity * d);
  const y = rowArray(capacity);

  const len = bytes.length;
  let pos = header.bodyStart;
  let line = header.bodyLine;
  // Where the current file line starts, for columns (a quoted cell can span lines).
  let lineBegin = pos;
  let rows = 0;
  let skipped = 0;

  const fail = (lineNo: number, col: number, message: string): never => {
    throw new InputError([{ where: `${file}:${lineNo}:${col}`, message }]);
  };
  const cellText = (s: number, e: number): string => new TextDecoder().decode(bytes.subarray(s, Math.min(e, s + 40)));

  /** Fails at `offset` of the row that starts at `rowStart` on line `rowLine` (a quoted cell may have crossed lines). */
  const failAt = (rowStart: number, rowLine: number, offset: number, message: string): never => {
    let lineNo = rowLine;
    let begin = rowStart;
    for (let p = rowStart; p < offset; p++) {
      if (bytes[p] === LF || (bytes[p] === CR && bytes[p + 1] !== LF)) {
        lineNo++;
        begin = p + 1;
      }
    }
    return fail(lineNo, offset - begin + 1, message);
  };

  while (pos < len) {
    const lineNo = line;
    const rowStart = pos;
    // A blank line (or one of only spaces) carries no row.
    let probe = pos;
    while (probe < len && isBlank(bytes[probe])) probe++;
    if (probe >= len) break;
    if (bytes[probe] === LF || bytes[probe] === CR) {
      pos = afterLineBreak(bytes, probe);
      line++;
      lineBegin = pos;
      continue;
    }

    let col = 0;
    let rowOk = true;
    for (;;) {
      // One cell: [s, e) is its content without quotes and surrounding blanks.
      while (pos < len && isBlank(bytes[pos])) pos++;
      const cellStart = pos;
      const target = col < width ? slot[col] : -1;
      let s = pos;
      let e: number;
      let value = NaN;
      if (bytes[pos] === QUOTE) {
        s = ++pos;
        for (;;) {
          if (pos >= len) failAt(rowStart, lineNo, cellStart, 'the quoted cell that opens here is never closed; add the closing `"`');
          const c = bytes[pos];
          if (c === QUOTE) {
            if (bytes[pos + 1] === QUOTE) pos += 2;
            else break;
          } else if (c === LF || c === CR) {
            pos = afterLineBreak(bytes, pos);
            line++;
            lineBegin = pos;
          } else pos++;
        }
        e = pos++;
        while (pos < len && isBlank(bytes[pos])) pos++;
        if (target >= 0) {
          while (s < e && isBlank(bytes[s])) s++;
          while (e > s && isBlank(bytes[e - 1])) e--;
          value = parseNumber(bytes, s, e);
          if (numberEnd !== e) value = NaN;
        }
      } else {
        // A used cell is parsed as it is scanned: one pass over its bytes.
        if (target >= 0) {
          value = parseNumber(bytes, pos, len);
          pos = numberEnd;
        }
        while (pos < len) {
          const c = bytes[pos];
          if (c === delimiter || c === LF || c === CR) break;
          if (!isBlank(c)) value = NaN; // text after the number
          pos++;
        }
        e = pos;
        while (e > s && isBlank(bytes[e - 1])) e--;
      }

      if (target >= 0) {
        if (!Number.isFinite(value)) {
          if (skip) rowOk = false;
          else {
            const name = shownName(names[col]);
            if (s === e) failAt(rowStart, lineNo, cellStart, `column ${name} is blank; every used cell needs a number (or set \`data.missing: skip\` to drop such rows)`);
            const text = cellText(s, e);
            failAt(rowStart, lineNo, cellStart, `column ${name}: ${shownName(text)} is not a number; ${notANumber(text, delimiter)} (or set \`data.missing: skip\` to drop such rows)`);
          }
        }
        // Written in place; a skipped row is overwritten by the next one, as `rows` does not advance.
        if (target < d) x[rows * d + target] = value;
        else y[rows] = value;
      }
      col++;

      if (pos < len && bytes[pos] === delimiter) {
        pos++;
        continue;
      }
      if (pos < len && bytes[pos] !== LF && bytes[pos] !== CR) {
        fail(line, pos - lineBegin + 1, `unexpected text after a quoted cell; expected ${delimiterName(delimiter)} or the end of the line`);
      }
      if (pos < len) pos = afterLineBreak(bytes, pos);
      line++;
      lineBegin = pos;
      break;
    }

    if (col > width) {
      fail(lineNo, 1, `the row has ${ordinalCells(col)} but the header has ${width} columns (${names.map(listedName).join(', ')})`);
    }
    if (col < width) {
      if (!skip) {
        fail(lineNo, 1, `the row has ${ordinalCells(col)} but the header has ${width} columns (${names.map(listedName).join(', ')}); column ${shownName(names[col])} is missing (or set \`data.missing: skip\` to drop such rows)`);
      }
      rowOk = false;
    }
    if (!rowOk) {
      skipped++;
      continue;
    }
    rows++;
  }

  if (rows === 0) {
    const why = skipped > 0 ? `every one of its ${skipped} rows has a missing or non-numeric value` : 'it has a header but no data rows';
    throw new InputError([{ where: `${file}:${header.bodyLine}`, message: `no rows to train on: ${why}` }]);
  }
  return { x: x.subarray(0, rows * d), y: y.subarray(0, rows), rows, skipped };
}

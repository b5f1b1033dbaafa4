import { availableParallelism } from 'node:os';
import { InputError } from '../errors.js';
import { forkJoin } from '../threads/fork.js';
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
  return JSON.stringify(name).replace(
    /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
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
          throw new InputError([
            { where: `${file}:${cellLine}:${column}`, message: 'the quoted header cell that opens here is never closed; add the closing `"`' },
          ]);
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
          {
            where: `${file}:${line}:${pos - lineBegin + 1}`,
            message: `unexpected text after a quoted header cell; expected ${delimiterName(delimiter)} or the end of the line`,
          },
        ]);
      }
    } else {
      const from = pos;
      while (pos < len && bytes[pos] !== delimiter && !isLineBreak(bytes[pos])) pos++;
      text = decoder.decode(bytes.subarray(from, pos));
    }
    if (pos - start > MAX_HEADER_BYTES) {
      throw new InputError([
        {
          where: `${file}:1`,
          message: `the header row is longer than ${MAX_HEADER_BYTES / 1024 / 1024} MiB; expected a short first line of column names, e.g. \`x1,x2,y\``,
        },
      ]);
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

/** Where and why a chunk of rows stopped; the message is written by `problemText` on the main thread. */
interface RowProblem {
  kind: 'unclosed' | 'blank' | 'not-a-number' | 'after-quote' | 'more-cells' | 'fewer-cells';
  line: number;
  column: number;
  /** The header index of the cell's column (the cell count for `more-cells`). */
  col: number;
  /** The cell's content [s, e) in the bytes, for `not-a-number`. */
  s: number;
  e: number;
  /** For `unclosed`: where the row starts (byte offset) and its file line (a windowed read goes on from there). */
  rowStart: number;
  rowLine: number;
}

interface ChunkInput {
  bytes: Uint8Array;
  /** Per chunk: [from, to, firstRow] — a byte range starting at a line start, and where its rows go. */
  chunks: number[][];
  /** The next chunk to parse, shared by the threads. */
  nextChunk: Int32Array;
  /** The file line of the first chunk's start (later chunks: only used when they fail, and then the whole body is parsed again). */
  line: number;
  /** slot[c]: where column c goes: 0..d−1 a feature, d the target, −1 unused. */
  slot: Int32Array;
  d: number;
  delimiter: number;
  skip: boolean;
  x: Float64Array;
  y: Float64Array;
}

interface ChunkResult {
  rows: number;
  skipped: number;
  problem: RowProblem | null;
}

/**
 * Parses chunks, taken from `input.nextChunk` until none are left (a thread that starts late or runs
 * slower takes fewer), each into x and y from the chunk's first row on. Self-contained,
 * since worker threads run its source (src/threads/fork.ts): numbers, cells, quotes and line
 * breaks are all read here, and a failure is returned as a RowProblem, not thrown.
 *
 * Numbers: [sign] digits [. digits] [e [sign] digits]. Clinger's fast path gives the correctly
 * rounded double when the mantissa has at most 15 significant digits and the power of ten is at
 * most 22 (every such power is a double); anything longer goes through Number() on the text.
 */
export function parseRowsChunks(part: number, input: ChunkInput): [number, ChunkResult][] {
  const parsed: [number, ChunkResult][] = [];
  for (let chunk = Atomics.add(input.nextChunk, 0, 1); chunk < input.chunks.length; chunk = Atomics.add(input.nextChunk, 0, 1)) {
    parsed.push([chunk, parseChunk(chunk)]);
  }
  return parsed;

  function parseChunk(chunk: number): ChunkResult {
    const { bytes, slot, d, delimiter, skip, x, y } = input;
    const [from, len, firstRow] = input.chunks[chunk];
    const width = slot.length;
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
    const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
    const decoder = new TextDecoder();

    /** Where the last parseNumber call stopped reading. */
    let numberEnd = 0;
    /** The number starting at `start`, NaN when it has no digits; stops at the first byte that cannot continue it. */
    const parseNumber = (start: number, limit: number): number => {
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
      return Number(decoder.decode(bytes.subarray(start, i)));
    };
    const isBlank = (c: number): boolean => c === SPACE || c === TAB;
    /** The position after the line break at `p` (CRLF counts as one). */
    const afterLineBreak = (p: number): number => (bytes[p] === CR && bytes[p + 1] === LF ? p + 2 : p + 1);

    let pos = from;
    let line = input.line;
    // Where the current file line starts, for columns (a quoted cell can span lines).
    let lineBegin = pos;
    let rows = 0;
    let skipped = 0;
    const problem = (kind: RowProblem['kind'], lineNo: number, column: number, col = 0, s = 0, e = 0, rowStart = -1, rowLine = -1): ChunkResult => ({
      rows,
      skipped,
      problem: { kind, line: lineNo, column, col, s, e, rowStart, rowLine },
    });
    /** A problem at `offset` of the row that starts at `rowStart` on line `rowLine` (a quoted cell may have crossed lines). */
    const problemAt = (rowStart: number, rowLine: number, offset: number, kind: RowProblem['kind'], col = 0, s = 0, e = 0): ChunkResult => {
      let lineNo = rowLine;
      let begin = rowStart;
      for (let p = rowStart; p < offset; p++) {
        if (bytes[p] === LF || (bytes[p] === CR && bytes[p + 1] !== LF)) {
          lineNo++;
          begin = p + 1;
        }
      }
      return problem(kind, lineNo, offset - begin + 1, col, s, e, rowStart, rowLine);
    };

    while (pos < len) {
      const lineNo = line;
      const rowStart = pos;
      // A blank line (or one of only spaces) carries no row.
      let probe = pos;
      while (probe < len && isBlank(bytes[probe])) probe++;
      if (probe >= len) break;
      if (bytes[probe] === LF || bytes[probe] === CR) {
        pos = afterLineBreak(probe);
        line++;
        lineBegin = pos;
        continue;
      }

      const at = firstRow + rows;
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
            if (pos >= len) return problemAt(rowStart, lineNo, cellStart, 'unclosed');
            const c = bytes[pos];
            if (c === QUOTE) {
              if (bytes[pos + 1] === QUOTE) pos += 2;
              else break;
            } else if (c === LF || c === CR) {
              pos = afterLineBreak(pos);
              line++;
              lineBegin = pos;
            } else pos++;
          }
          e = pos++;
          while (pos < len && isBlank(bytes[pos])) pos++;
          if (target >= 0) {
            while (s < e && isBlank(bytes[s])) s++;
            while (e > s && isBlank(bytes[e - 1])) e--;
            value = parseNumber(s, e);
            if (numberEnd !== e) value = NaN;
          }
        } else {
          // A used cell is parsed as it is scanned: one pass over its bytes.
          if (target >= 0) {
            value = parseNumber(pos, len);
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
            else return problemAt(rowStart, lineNo, cellStart, s === e ? 'blank' : 'not-a-number', col, s, e);
          }
          // Written in place; a skipped row is overwritten by the next one, as `rows` does not advance.
          if (target < d) x[at * d + target] = value;
          else y[at] = value;
        }
        col++;

        if (pos < len && bytes[pos] === delimiter) {
          pos++;
          continue;
        }
        if (pos < len && bytes[pos] !== LF && bytes[pos] !== CR) return problem('after-quote', line, pos - lineBegin + 1);
        if (pos < len) pos = afterLineBreak(pos);
        line++;
        lineBegin = pos;
        break;
      }

      if (col > width) return problem('more-cells', lineNo, 1, col);
      if (col < width) {
        if (!skip) return problem('fewer-cells', lineNo, 1, col);
        rowOk = false;
      }
      if (!rowOk) {
        skipped++;
        continue;
      }
      rows++;
    }
    return { rows, skipped, problem: null };
  }
}

/** The message for a chunk's problem, as the single-thread parse has always written it. */
function problemText(problem: RowProblem, bytes: Uint8Array, names: string[], delimiter: number): string {
  const name = shownName(names[problem.col] ?? '');
  const columns = `the header has ${names.length} columns (${names.map(listedName).join(', ')})`;
  const orSkip = '(or set `data.missing: skip` to drop such rows)';
  switch (problem.kind) {
    case 'unclosed':
      return 'the quoted cell that opens here is never closed; add the closing `"`';
    case 'blank':
      return `column ${name} is blank; every used cell needs a number ${orSkip}`;
    case 'not-a-number': {
      const text = new TextDecoder().decode(bytes.subarray(problem.s, Math.min(problem.e, problem.s + 40)));
      return `column ${name}: ${shownName(text)} is not a number; ${notANumber(text, delimiter)} ${orSkip}`;
    }
    case 'after-quote':
      return `unexpected text after a quoted cell; expected ${delimiterName(delimiter)} or the end of the line`;
    case 'more-cells':
      return `the row has ${ordinalCells(problem.col)} but ${columns}`;
    case 'fewer-cells':
      return `the row has ${ordinalCells(problem.col)} but ${columns}; column ${name} is missing ${orSkip}`;
  }
}

/**
 * The line breaks in each chunk between `bounds` (chunks part, part + parts, ...): LFs, and CRs that
 * are not the first half of a CRLF (a chunk has at most that many rows + 1). Self-contained, for
 * worker threads.
 */
export function lineBreaks(part: number, input: { bytes: Uint8Array; bounds: number[]; parts: number }): number[] {
  const { bytes, bounds } = input;
  const LF = 10;
  const CR = 13;
  const counts: number[] = [];
  for (let c = part; c < bounds.length - 1; c += input.parts) {
    // A Buffer's indexOf is memchr; a plain Uint8Array's (as the bytes arrive on a worker) is several times slower.
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + bounds[c], bounds[c + 1] - bounds[c]);
    let count = 0;
    for (let p = chunk.indexOf(LF); p !== -1; p = chunk.indexOf(LF, p + 1)) count++;
    for (let p = chunk.indexOf(CR); p !== -1; p = chunk.indexOf(CR, p + 1)) if (bytes[bounds[c] + p + 1] !== LF) count++;
    counts.push(count);
  }
  return counts;
}

/** Chunks per thread: threads take chunks as they finish, so one that is slower (or starts later) parses fewer. */
export const CHUNKS_PER_THREAD = 4;

/** Below this many bytes of rows, a worker thread's start-up (tens of ms) costs more than it saves. */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;

/**
 * Where to split the body into `count` chunks: after a line feed near each equal share (a body
 * with CR-only line ends, or a small one, is one chunk). A line feed ends a row unless it is inside
 * a quoted cell; the parse checks that guess (see `readCsvNumbers`).
 */
export function chunkBounds(bytes: Uint8Array, start: number, count: number): number[] {
  const len = bytes.length;
  if (count < 2 || len - start < PARALLEL_MIN_BYTES) return [start, len];
  const bounds = [start];
  for (let k = 1; k < count; k++) {
    const lf = bytes.indexOf(LF, Math.max(bounds[bounds.length - 1], start + Math.floor(((len - start) * k) / count)));
    if (lf === -1 || lf + 1 >= len) break;
    bounds.push(lf + 1);
  }
  bounds.push(len);
  return bounds;
}

/** `bytes` on shared memory, so worker threads read them without a copy each. */
function sharedBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return bytes;
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}

/** Rows being filled: `rows` of them so far, `skipped` lines dropped under `missing: skip`. */
export interface RowsOut {
  x: Float64Array;
  y: Float64Array;
  rows: number;
  skipped: number;
}

/**
 * Parses the body's used columns into doubles. Blank lines are ignored (trailing ones are common);
 * every other line must have as many cells as the header. Large bodies are split at line feeds
 * into chunks that `threads` threads take in turn; the numbers, the rows and any error are those
 * of the single-thread parse.
 * A chunk that fails sends the whole body through one thread, which finds the first problem. That
 * also covers a split inside a quoted cell: the chunk before it then ends in an open quote. So when
 * every chunk succeeds, each one started where a row starts (chunk 0 does; one that ends without an
 * open quote ends at a row's end, where the next starts), and the rows are the single thread's.
 */
export function readCsvNumbers(bytes: Uint8Array, header: CsvHeader, columns: CsvColumns, file: string, threads = availableParallelism()): CsvNumbers {
  const d = columns.features.length;
  let out: RowsOut | null = null;
  parseCsvBody(bytes, header.bodyStart, header.bodyLine, header, columns, file, threads, (capacity) => {
    out = { x: rowArray(capacity * d), y: rowArray(capacity), rows: 0, skipped: 0 };
    return out;
  });
  return finishedRows(out!, header, columns, file);
}

/** How far a body was parsed: up to byte `end` (the body's end, or the start of a row cut off), `lines` line breaks on. */
export interface BodyParsed {
  end: number;
  lines: number;
}

/**
 * Parses bytes[bodyStart, bytes.length), rows that start on file line `line`, after the rows `room`
 * already holds: `room(capacity)` gives the rows to fill, with space for `capacity` more (an upper
 * bound: the body's line breaks, plus one per chunk). Returns how far it got and the line breaks
 * up to there (those inside quoted cells too: the count that file line numbers follow). A bad row
 * throws the InputError that names its file line and column.
 * `cut`: the body was cut off before the file ends (a window, cut after a line break). Its last row
 * may then be cut inside a quoted cell that holds a line break; the parse itself tells (the quote
 * is still open at the end), and the rows before that row are kept, parsing stopping where it starts.
 */
export function parseCsvBody(
  bytes: Uint8Array,
  bodyStart: number,
  line: number,
  header: CsvHeader,
  columns: CsvColumns,
  file: string,
  threads: number,
  room: (capacity: number) => RowsOut,
  cut = false,
): BodyParsed {
  const names = header.names;
  const width = names.length;
  const d = columns.features.length;
  const slot = new Int32Array(width).fill(-1);
  columns.features.forEach((c, j) => (slot[c] = j));
  slot[columns.target] = d;
  const { bounds, parts, shared, breaks } = countedChunks(bytes, bodyStart, threads);
  const capacities = breaks.map((b) => b + 1);
  const out = room(capacities.reduce((sum, c) => sum + c, 0));
  const chunks = capacities.map((_, k) => [bounds[k], bounds[k + 1], out.rows + capacities.slice(0, k).reduce((sum, c) => sum + c, 0)]);
  const input: ChunkInput = {
    bytes: shared,
    chunks,
    nextChunk: new Int32Array(new SharedArrayBuffer(4)),
    line,
    slot,
    d,
    delimiter: header.delimiter,
    skip: columns.missing === 'skip',
    x: out.x,
    y: out.y,
  };
  let results: ChunkResult[] = [];
  for (const parsed of forkJoin(parseRowsChunks, input, parts)) for (const [chunk, result] of parsed) results[chunk] = result;
  if (results.length > 1 && results.some((r) => r.problem !== null)) {
    input.chunks = [[bodyStart, bytes.length, out.rows]];
    input.nextChunk.fill(0);
    results = parseRowsChunks(0, input).map(([, result]) => result);
  }
  const failed = results[0].problem;
  if (failed && cut && failed.kind === 'unclosed') {
    // One pass over the body, which stopped at the row cut off; the rows before it are whole.
    out.rows += results[0].rows;
    out.skipped += results[0].skipped;
    return { end: failed.rowStart, lines: failed.rowLine - line };
  }
  if (failed) throw new InputError([{ where: `${file}:${failed.line}:${failed.column}`, message: problemText(failed, bytes, names, header.delimiter) }]);
  // The chunks' rows, moved down to follow each other (blank and skipped lines leave gaps).
  let rows = out.rows + results[0].rows;
  for (let k = 1; k < results.length; k++) {
    const first = chunks[k][2];
    if (first !== rows) {
      out.x.copyWithin(rows * d, first * d, (first + results[k].rows) * d);
      out.y.copyWithin(rows, first, first + results[k].rows);
    }
    rows += results[k].rows;
  }
  out.rows = rows;
  out.skipped += results.reduce((sum, r) => sum + r.skipped, 0);
  return { end: bytes.length, lines: breaks.reduce((sum, b) => sum + b, 0) };
}

/** The parsed rows, or the message for a body without any. */
export function finishedRows(out: RowsOut, header: CsvHeader, columns: CsvColumns, file: string): CsvNumbers {
  const { rows, skipped } = out;
  if (rows === 0) {
    const why = skipped > 0 ? `every one of its ${skipped} rows has a missing or non-numeric value` : 'it has a header but no data rows';
    throw new InputError([{ where: `${file}:${header.bodyLine}`, message: `no rows to train on: ${why}` }]);
  }
  const d = columns.features.length;
  return { x: out.x.subarray(0, rows * d), y: out.y.subarray(0, rows), rows, skipped };
}

/**
 * bytes[start ..] split into chunks for `threads` threads (chunkBounds), on shared memory when there
 * are several, and each chunk's line breaks, counted on the threads (the parse's room per chunk).
 */
function countedChunks(bytes: Uint8Array, start: number, threads: number): { bounds: number[]; parts: number; shared: Uint8Array; breaks: number[] } {
  const bounds = chunkBounds(bytes, start, threads * CHUNKS_PER_THREAD);
  const chunkCount = bounds.length - 1;
  const parts = Math.min(threads, chunkCount);
  const shared = chunkCount > 1 ? sharedBytes(bytes) : bytes;
  const counted = forkJoin(lineBreaks, { bytes: shared, bounds, parts }, parts);
  const breaks = Array.from({ length: chunkCount }, (_, c) => counted[c % parts][Math.floor(c / parts)]);
  return { bounds, parts, shared, breaks };
}

/** The line breaks in bytes (an upper bound on its rows, less one), counted on up to `threads` threads. */
export function countLineBreaks(bytes: Uint8Array, threads: number): number {
  return countedChunks(bytes, 0, threads).breaks.reduce((sum, c) => sum + c, 0);
}

/**
 * Where a window of bytes[0, end) is cut: just after its last line break (LF, or a CR that is not
 * the last byte: it may be the first half of a CRLF), or −1 when it has none. The line break may
 * lie inside a quoted cell; parseCsvBody's `cut` then stops before that row.
 */
export function lastLineEnd(bytes: Uint8Array, end: number): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, end);
  const lf = view.lastIndexOf(LF);
  const cr = end >= 2 ? view.lastIndexOf(CR, end - 2) : -1;
  const last = Math.max(lf, cr);
  return last === -1 ? -1 : last + 1;
}

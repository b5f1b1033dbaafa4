import { closeSync, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { fileErrorCause } from '../files/causes.js';
import { InputError } from '../errors.js';
import {
  CHUNKS_PER_THREAD,
  countLineBreaks,
  finishedRows,
  lastLineEnd,
  MAX_HEADER_BYTES,
  parseCsvBody,
  readCsvNumbers,
  type CsvColumns,
  type CsvHeader,
  type CsvNumbers,
  type RowsOut,
} from './csv.js';
import { rowArray } from './rows.js';
import { gunzip, isGzip, MAX_BUFFER_BYTES, MAX_STREAM_BYTES, notUtf8, readBytes, readWindow, sizeText, SourceRefused } from './source.js';

/**
 * A CSV file as the commands read it (run, predict, init --data): the header first, from the file's
 * first bytes, then the rows. Regular files from STREAM_MIN_BYTES on are parsed in windows, so
 * memory holds the rows and one window, not the whole file as well, and files beyond the 4 GiB of
 * one buffer load too. Smaller files, pipes and gzip files are read whole.
 */

/** Regular files of this many bytes or more are read in windows. */
export const STREAM_MIN_BYTES = 1024 ** 3;

/** Bytes read and parsed at a time; a window grows (doubling) only for a row longer than it. */
export const WINDOW_BYTES = 256 * 1024 ** 2;

/** How the bytes are first checked: gzip passes; an encoding that is not UTF-8 is refused by name. */
const CHECK_BYTES = 1024 * 1024;

export interface CsvFile {
  /** The file's first bytes (all of them unless it is read in windows): the header is read from them. */
  readonly head: Uint8Array;
  /** Is the body read in windows? */
  readonly windowed: boolean;
  /** The body's rows: the used columns as doubles (see readCsvNumbers), parsed on up to `threads` threads. */
  numbers(header: CsvHeader, columns: CsvColumns, shown: string, threads?: number): CsvNumbers;
}

export interface CsvFileOptions {
  /** Threads that read a large file's parts (default 1). */
  threads?: number;
  /** Files from this size on are read in windows (default STREAM_MIN_BYTES; tests make it small). */
  windowedFrom?: number;
  /** The window (default WINDOW_BYTES). */
  window?: number;
  /** How many copies of the rows the run will hold (a validation split and shuffled mini-batches make some), for the memory check of a file read in windows (default 1). */
  copies?: number;
  /** The most bytes the rows of a file read in windows may take, all copies included (default: half of this machine's memory). */
  memoryLimit?: number;
}

/**
 * Opens a CSV file the user named. `refuse(why)` throws the message that places `why` where the
 * user named the file: too large, not UTF-8, unreadable, or too many rows for this machine's memory.
 */
export function openCsvFile(file: string, refuse: (why: string) => never, options: CsvFileOptions = {}): CsvFile {
  const checkEncoding = (bytes: Uint8Array): void => {
    if (isGzip(bytes)) return;
    const encoding = notUtf8(bytes);
    if (encoding) refuse(`it is ${encoding}; save it as UTF-8 (or ASCII) CSV`);
  };
  const readFailed = (error: unknown): never => {
    if (error instanceof InputError) throw error;
    if (error instanceof SourceRefused) return refuse(`${error.message}; split it, or use \`data.synthetic\` for generated rows`);
    return refuse(fileErrorCause(error));
  };
  const threads = options.threads ?? 1;
  const windowedFrom = options.windowedFrom ?? STREAM_MIN_BYTES;
  let first: ReturnType<typeof windowHead> = null;
  try {
    first = windowHead(file, windowedFrom);
  } catch (error) {
    readFailed(error);
  }
  if (first) {
    checkEncoding(first.head.subarray(0, CHECK_BYTES));
    if (!isGzip(first.head)) {
      const { window = WINDOW_BYTES, copies = 1, memoryLimit = totalmem() / 2 } = options;
      return windowedCsv(file, first.head, first.seen, refuse, readFailed, { window, copies, memoryLimit });
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = readBytes(file, MAX_BUFFER_BYTES, checkEncoding, MAX_STREAM_BYTES, threads);
  } catch (error) {
    return readFailed(error);
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzip(bytes, MAX_BUFFER_BYTES);
    } catch (error) {
      if (error instanceof SourceRefused) refuse(error.message);
      throw error;
    }
    checkEncoding(bytes);
  }
  const whole = bytes;
  return {
    head: whole,
    windowed: false,
    numbers: (header, columns, shown, threads = availableParallelism()) => readCsvNumbers(whole, header, columns, shown, threads),
  };
}

/** A regular file of at least `from` bytes: its first bytes, enough for any header, and what it was when read; else null. */
function windowHead(file: string, from: number): { head: Uint8Array; seen: Stats } | null {
  // stat before open: opening a pipe (`<(cmd)`) would connect to its writer, and closing it again lose its rows.
  const stat = statSync(file);
  if (!stat.isFile() || stat.size < from) return null;
  const fd = openSync(file, 'r');
  try {
    const seen = fstatSync(fd);
    const head = new Uint8Array(new SharedArrayBuffer(Math.min(seen.size, MAX_HEADER_BYTES + 8)));
    return { head: head.subarray(0, readWindow(fd, head, 0, head.length, 1)), seen };
  } finally {
    closeSync(fd);
  }
}

interface WindowOptions {
  window: number;
  copies: number;
  memoryLimit: number;
}

/** Said when the file is not the one whose header was read, or changes size while it is read. */
const CHANGED = 'it changed while it was being read; run again once it is written';

function windowedCsv(
  file: string,
  head: Uint8Array,
  seen: Stats,
  refuse: (why: string) => never,
  readFailed: (error: unknown) => never,
  options: WindowOptions,
): CsvFile {
  /** `f`'s file-system errors (and only those) as the message that says why the file cannot be read. */
  const io = <T>(f: () => T): T => {
    try {
      return f();
    } catch (error) {
      return readFailed(error);
    }
  };
  return {
    head,
    windowed: true,
    numbers(header, columns, shown, threads = availableParallelism()) {
      const fd = io(() => openSync(file, 'r'));
      try {
        const now = io(() => fstatSync(fd));
        if (now.ino !== seen.ino || now.dev !== seen.dev || now.size !== seen.size || now.mtimeMs !== seen.mtimeMs) refuse(CHANGED);
        const read = (bytes: Uint8Array, at: number): number => {
          const length = Math.min(bytes.length, seen.size - at);
          if (io(() => readWindow(fd, bytes, at, length, threads)) !== length) refuse(CHANGED);
          return length;
        };
        return windowedNumbers(seen.size, read, header, columns, shown, threads, options, refuse);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * The rows of a file of `size` bytes, window by window: first the line breaks are counted (the
 * rows' room, allocated once, and the memory check before it), then each window is cut after its
 * last line break and parsed like a whole body, from the file line where it starts, up to the last
 * whole row (parseCsvBody tells where a quoted cell was cut); the next window starts there. The
 * rows, skipped lines and messages are those of reading the file whole. The file is read twice:
 * from the page cache the second time when memory allows, from the disk again otherwise.
 */
function windowedNumbers(
  size: number,
  read: (bytes: Uint8Array, at: number) => number,
  header: CsvHeader,
  columns: CsvColumns,
  shown: string,
  threads: number,
  { window, copies, memoryLimit }: WindowOptions,
  refuse: (why: string) => never,
): CsvNumbers {
  let bytes = new Uint8Array(new SharedArrayBuffer(Math.min(window, Math.max(1, size - header.bodyStart))));
  let breaks = 0;
  for (let at = header.bodyStart; at < size;) {
    const got = read(bytes, at);
    breaks += countLineBreaks(bytes.subarray(0, got), threads);
    at += got;
  }
  const d = columns.features.length;
  const need = breaks * (d + 1) * 8 * copies + bytes.length;
  if (need > memoryLimit) {
    const with_ = copies > 1 ? ` (${copies} copies of the rows: a validation split and shuffled mini-batches make copies)` : '';
    refuse(
      `its ${breaks} lines of ${d} feature${d === 1 ? '' : 's'} need ${sizeText(need)} of memory${with_}, more than this machine can spare (half of its memory); use fewer rows`,
    );
  }
  // Room for the rows: a window's chunks each have room for their line breaks + 1.
  const capacity = breaks + 1 + threads * CHUNKS_PER_THREAD;
  const out: RowsOut = { x: rowArray(capacity * d), y: rowArray(capacity), rows: 0, skipped: 0 };
  const room = (more: number): RowsOut => (out.rows + more > capacity ? refuse(CHANGED) : out);
  let line = header.bodyLine;
  for (let at = header.bodyStart; at < size;) {
    const got = read(bytes, at);
    const last = at + got >= size;
    const cut = last ? got : lastLineEnd(bytes, got);
    const parsed = cut > 0 ? parseCsvBody(bytes.subarray(0, cut), 0, line, header, columns, shown, threads, room, !last) : { end: 0, lines: 0 };
    if (parsed.end === 0) {
      // Not one whole row in this window: a row is longer than it.
      if (bytes.length >= MAX_BUFFER_BYTES) refuse(`a row from line ${line} on is longer than ${sizeText(MAX_BUFFER_BYTES)}`);
      bytes = new Uint8Array(new SharedArrayBuffer(Math.min(MAX_BUFFER_BYTES, bytes.length * 2)));
      continue;
    }
    line += parsed.lines;
    at += parsed.end;
  }
  return finishedRows(out, header, columns, shown);
}

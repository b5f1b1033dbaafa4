import { closeSync, fstatSync, openSync, statSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { fileErrorCause } from '../files/causes.js';
import { InputError } from '../errors.js';
import {
  CHUNKS_PER_THREAD,
  countLineBreaks,
  finishedRows,
  lastRowEnd,
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
  /** The most bytes the rows of a file read in windows may take (default: half of this machine's memory). */
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
  let head: Uint8Array | null = null;
  try {
    head = windowHead(file, windowedFrom);
  } catch (error) {
    readFailed(error);
  }
  if (head) {
    checkEncoding(head.subarray(0, CHECK_BYTES));
    if (!isGzip(head)) return windowedCsv(file, head, refuse, readFailed, options.window ?? WINDOW_BYTES, options.memoryLimit ?? totalmem() / 2);
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

/** A regular file of at least `from` bytes: its first bytes, enough for any header; else null. */
function windowHead(file: string, from: number): Uint8Array | null {
  // stat before open: opening a pipe (`<(cmd)`) would connect to its writer, and closing it again lose its rows.
  const stat = statSync(file);
  if (!stat.isFile() || stat.size < from) return null;
  const fd = openSync(file, 'r');
  try {
    const head = new Uint8Array(new SharedArrayBuffer(Math.min(stat.size, MAX_HEADER_BYTES + 8)));
    return head.subarray(0, readWindow(fd, head, 0, head.length, 1));
  } finally {
    closeSync(fd);
  }
}

function windowedCsv(
  file: string,
  head: Uint8Array,
  refuse: (why: string) => never,
  readFailed: (error: unknown) => never,
  window: number,
  memoryLimit: number,
): CsvFile {
  return {
    head,
    windowed: true,
    numbers(header, columns, shown, threads = availableParallelism()) {
      let fd: number | null = null;
      try {
        fd = openSync(file, 'r');
        return windowedNumbers(fd, header, columns, shown, { threads, window, memoryLimit }, refuse);
      } catch (error) {
        return readFailed(error);
      } finally {
        if (fd !== null) closeSync(fd);
      }
    },
  };
}

/**
 * The rows of an open file, window by window: first the line breaks are counted (the rows' room,
 * allocated once, and the memory check before it), then each window is cut after its last whole
 * row and parsed like a whole body, from the file line where it starts; the next window starts at
 * that cut. The rows, skipped lines and messages are those of reading the file whole.
 */
function windowedNumbers(
  fd: number,
  header: CsvHeader,
  columns: CsvColumns,
  shown: string,
  { threads, window, memoryLimit }: { threads: number; window: number; memoryLimit: number },
  refuse: (why: string) => never,
): CsvNumbers {
  const size = fstatSync(fd).size;
  let bytes = new Uint8Array(new SharedArrayBuffer(Math.min(window, Math.max(1, size - header.bodyStart))));
  let breaks = 0;
  for (let at = header.bodyStart; at < size;) {
    const got = readWindow(fd, bytes, at, Math.min(bytes.length, size - at), threads);
    if (got === 0) break; // the file shrank while we read it
    breaks += countLineBreaks(bytes.subarray(0, got), threads);
    at += got;
  }
  const d = columns.features.length;
  const need = breaks * (d + 1) * 8;
  if (need > memoryLimit)
    refuse(`its ${breaks} lines of ${d} features need ${sizeText(need)} of memory, more than this machine can spare (half of its memory); use fewer rows`);
  // Room for the rows: a window's chunks each have room for their line breaks + 1.
  const capacity = breaks + 1 + threads * CHUNKS_PER_THREAD;
  const out: RowsOut = { x: rowArray(capacity * d), y: rowArray(capacity), rows: 0, skipped: 0 };
  const room = (more: number): RowsOut => {
    if (out.rows + more > capacity) throw new Error(`windowed CSV: ${out.rows} + ${more} rows exceed the ${capacity} counted`);
    return out;
  };
  let line = header.bodyLine;
  for (let at = header.bodyStart; at < size;) {
    const got = readWindow(fd, bytes, at, Math.min(bytes.length, size - at), threads);
    if (got === 0) break;
    const last = at + got >= size;
    const cut = last ? got : lastRowEnd(bytes, got);
    if (cut <= 0) {
      // No row ends in this window: one row is longer than it.
      if (bytes.length >= MAX_BUFFER_BYTES) refuse(`a row from line ${line} on is longer than ${sizeText(MAX_BUFFER_BYTES)}`);
      bytes = new Uint8Array(new SharedArrayBuffer(Math.min(MAX_BUFFER_BYTES, bytes.length * 2)));
      continue;
    }
    line += parseCsvBody(bytes.subarray(0, cut), 0, line, header, columns, shown, threads, room);
    at += cut;
  }
  return finishedRows(out, header, columns, shown);
}

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants as bufferLimits, isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { forkJoin } from '../threads/fork.js';

/**
 * Reading the bytes of a file the user named (a CSV, a config, a log), with the checks that make a
 * wrong file a clear message: size limits also for pipes and devices, which have no size, and the
 * encodings that are not UTF-8 named instead of parsed as garbage.
 */

export function sizeText(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

/** The largest buffer this Node can hold: CSVs up to this size are read whole (4 GiB on 64-bit Node 20). */
export const MAX_BUFFER_BYTES = bufferLimits.MAX_LENGTH;

/** Pipes and devices give CSV rows up to this much: its whole size is held in memory before parsing. */
export const MAX_STREAM_BYTES = 1024 ** 3;

/** A file that is too large, or not of a kind we read: the sentence says which and why. */
export class SourceRefused extends Error {
  constructor(
    message: string,
    /** The file's size, when it is a regular file refused for it. */
    readonly size?: number,
  ) {
    super(message);
  }
}

const CHUNK = 1024 * 1024;

/**
 * Below this many bytes a regular file is read on one thread: a worker's start-up (tens of ms)
 * costs more than reading half of it. Above it, the threads each read a part of the file, so the
 * kernel's copying (and the first touch of the fresh memory) is shared out too.
 */
export const PARALLEL_READ_MIN_BYTES = 32 * 1024 * 1024;

interface RangeInput {
  fd: number;
  /** The file's bytes from offset `shift` on, on shared memory. */
  bytes: Uint8Array;
  /** Per part: [from, to), the file offsets it reads, to offsets − shift of `bytes`. */
  ranges: number[][];
  /** The file offset of bytes[0] (0: the whole file). */
  shift?: number;
}

/**
 * Reads part `part`'s range of the file; returns how many bytes it read (fewer when the file ends
 * first). Self-contained, since worker threads run its source (src/threads/fork.ts): a file
 * descriptor is the same on every thread of the process, and positioned reads do not share a cursor.
 */
export function readRange(part: number, input: RangeInput): number {
  const { readSync } = process.getBuiltinModule('node:fs');
  const [from, to] = input.ranges[part];
  let at = from;
  while (at < to) {
    // One read is at most 2 GiB; 1 GiB steps stay below it.
    const read = readSync(input.fd, input.bytes, at - (input.shift ?? 0), Math.min(1 << 30, to - at), at);
    if (read === 0) break;
    at += read;
  }
  return at - from;
}

/**
 * The whole file as bytes. A regular file larger than `limit` is refused by its size before
 * reading; a pipe or device (which has no size: `/dev/zero`, `<(cmd)`) is read up to `streamLimit`
 * (default: `limit`) and refused beyond it, since its size cannot be known before. Reading in chunks also passes the 2 GiB limit of a single read.
 * `firstChunk` may refuse early (e.g. NUL bytes from /dev/zero) before more is read.
 */
export function readBytes(file: string, limit: number, firstChunk?: (bytes: Uint8Array) => void, streamLimit = limit, threads = 1): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
    if (stat.isFile()) {
      if (stat.size > limit) throw new SourceRefused(`it is ${sizeText(stat.size)}; the limit is ${sizeText(limit)}`, stat.size);
      // On shared memory: the CSV parse's worker threads read the bytes without a copy each.
      const bytes = Buffer.from(new SharedArrayBuffer(stat.size));
      const first = readRange(0, { fd, bytes, ranges: [[0, Math.min(stat.size, CHUNK)]] });
      if (firstChunk && first > 0) firstChunk(bytes.subarray(0, first));
      if (first < Math.min(stat.size, CHUNK)) return bytes.subarray(0, first); // the file shrank while we read it
      // The rest in parts on the threads; fewer bytes when the file shrank while we read it.
      const rest = readWindow(fd, bytes.subarray(first), first, stat.size - first, threads);
      return first + rest === stat.size ? bytes : bytes.subarray(0, first + rest);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const read = readSync(fd, chunk, 0, CHUNK, null);
      if (read === 0) break;
      if (total === 0 && firstChunk) firstChunk(chunk.subarray(0, read));
      total += read;
      if (total > streamLimit) throw new SourceRefused(`it is not a regular file and gave more than ${sizeText(streamLimit)} without ending`);
      chunks.push(chunk.subarray(0, read));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads `length` bytes of the open file from offset `at` into bytes[0 ..] (shared memory), in parts
 * on up to `threads` threads when they are many; returns how many it read (fewer when the file ends
 * first).
 */
export function readWindow(fd: number, bytes: Uint8Array, at: number, length: number, threads: number): number {
  const parts = length < PARALLEL_READ_MIN_BYTES ? 1 : Math.max(1, threads);
  const ranges = Array.from({ length: parts }, (_, k) => [at + Math.floor((length * k) / parts), at + Math.floor((length * (k + 1)) / parts)]);
  const read = forkJoin(readRange, { fd, bytes, ranges, shift: at }, parts);
  const short = read.findIndex((r, k) => r < ranges[k][1] - ranges[k][0]);
  return short === -1 ? length : ranges[short][0] - at + read[short];
}

/** gzip's magic bytes, RFC 1952. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The decompressed bytes of a gzip file, up to `limit`. */
export function gunzip(bytes: Uint8Array, limit: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.min(limit, MAX_BUFFER_BYTES) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new SourceRefused(`it is gzip-compressed and decompresses to more than ${sizeText(limit)}`);
    throw new SourceRefused('it starts like a gzip file (bytes 1f 8b) but is not a valid one (cut short or damaged?)');
  }
}

/**
 * Names an encoding that is not UTF-8, judged from a file's first bytes: a UTF-16 or UTF-32 byte
 * order mark, or NUL bytes (UTF-16 without a mark has one in every other byte; text never has any).
 */
export function notUtf8(bytes: Uint8Array): string | null {
  const b = (i: number): number | undefined => bytes[i];
  if (b(0) === 0xff && b(1) === 0xfe && b(2) === 0 && b(3) === 0) return 'UTF-32 (little-endian) text, by its byte order mark';
  if (b(0) === 0 && b(1) === 0 && b(2) === 0xfe && b(3) === 0xff) return 'UTF-32 (big-endian) text, by its byte order mark';
  if (b(0) === 0xff && b(1) === 0xfe) return 'UTF-16 (little-endian) text, by its byte order mark';
  if (b(0) === 0xfe && b(1) === 0xff) return 'UTF-16 (big-endian) text, by its byte order mark';
  const probe = bytes.subarray(0, 4096);
  const nul = probe.indexOf(0);
  if (nul === -1) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < probe.length; i++) if (probe[i] === 0) i % 2 ? oddNul++ : evenNul++;
  const half = probe.length / 2;
  if (oddNul > half * 0.3 && evenNul < half * 0.05) return 'UTF-16 (little-endian) text without a byte order mark, by its NUL bytes';
  if (evenNul > half * 0.3 && oddNul < half * 0.05) return 'UTF-16 (big-endian) text without a byte order mark, by its NUL bytes';
  return `binary data, not text (a NUL byte at offset ${nul})`;
}

/** Offset of the first byte of [start, end) that is not valid UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (isUtf8(bytes.subarray(start, end))) return -1;
  let i = start;
  while (i < end) {
    const c = bytes[i];
    const length = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > end || !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return -1;
}

/** Line and column (1-based, columns in bytes) of an offset. */
export function lineAndColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 10 || (bytes[i] === 13 && bytes[i + 1] !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** "byte 0xE9 at line 3, column 7 is not UTF-8 (Latin-1 or Windows-1252 text?)" */
export function invalidUtf8Text(bytes: Uint8Array, offset: number): string {
  const { line, column } = lineAndColumn(bytes, offset);
  const hex = bytes[offset].toString(16).toUpperCase().padStart(2, '0');
  return `it is not UTF-8 text: byte 0x${hex} at line ${line}, column ${column} is not valid UTF-8 (Latin-1 or Windows-1252 text?); save it as UTF-8`;
}

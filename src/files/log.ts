import { closeSync, ftruncateSync } from 'node:fs';
import { InputError, type Problem } from '../errors.js';
import { fileProblem } from './causes.js';
import { FileLock } from './lock.js';
import { locate, type Located } from './locate.js';
import { fsyncWherePossible, openInPlace, PartialWrite, writeAll } from './write.js';

const NEWLINE = 0x0a;

/**
 * A log written as it grows (`--out`): whole lines appended in place, so `tail -f` follows it and
 * a killed run leaves complete lines. A regular file is locked for the run (see FileLock) and
 * truncated only once the lock is ours; when a write fails (disk full, size limit), the file is
 * cut back to its last whole line, so a log that cannot be completed still ends on one.
 */
export class LogFile {
  private fd: number | null;
  private readonly owned: boolean;
  private readonly lock: FileLock | null;
  private readonly located: Located;
  /** Bytes of the file that end on a line end. */
  private whole = 0;

  constructor(
    path: string,
    /** How the user named it: `--out run.jsonl`. */
    readonly where: string,
  ) {
    try {
      this.located = locate(path);
    } catch (error) {
      throw new InputError([fileProblem(where, 'write the file', error)]);
    }
    const regular = this.located.kind === 'file' || this.located.kind === 'missing';
    let lock: FileLock | null = null;
    try {
      if (regular) {
        const real = this.located.real ?? this.located.path;
        const acquired = FileLock.acquire(real);
        if (!(acquired instanceof FileLock)) {
          throw new InputError([{ where, message: `is being written by another run (process ${acquired.pid}); wait for it to end or choose another file` }]);
        }
        lock = acquired;
      }
      const opened = openInPlace(this.located);
      this.fd = opened.fd;
      this.owned = opened.owned;
      if (regular) ftruncateSync(this.fd, 0);
    } catch (error) {
      lock?.release();
      if (error instanceof InputError) throw error;
      throw new InputError([fileProblem(where, 'write the file', error)]);
    }
    this.lock = lock;
  }

  /** Appends whole lines; throws an InputError naming the file and the cause when they cannot be written. */
  append(text: string): void {
    if (this.fd === null) return;
    const bytes = Buffer.from(text);
    try {
      writeAll(this.fd, bytes);
      this.whole += bytes.length;
    } catch (error) {
      const partial = error as PartialWrite;
      this.cutToWholeLine(bytes, partial.written);
      throw new InputError([fileProblem(this.where, 'write the log', partial.cause)]);
    }
  }

  private cutToWholeLine(bytes: Uint8Array, written: number): void {
    // Only a file we opened ourselves has a length to cut; a pipe or a shell's descriptor has not.
    if (this.fd === null || !(this.located.kind === 'file' || this.located.kind === 'missing')) return;
    const lastNewline = bytes.subarray(0, written).lastIndexOf(NEWLINE);
    try {
      ftruncateSync(this.fd, this.whole + lastNewline + 1);
    } catch {
      // Truncating frees space and needs none; if even that fails there is nothing left to try.
    }
  }

  /** Syncs (where the file supports it), closes and unlocks. A failed sync is reported: the log may not be on disk. */
  close(): Problem | null {
    if (this.fd === null) return null;
    const fd = this.fd;
    this.fd = null;
    let problem: Problem | null = null;
    try {
      if (this.located.kind === 'file' || this.located.kind === 'missing') fsyncWherePossible(fd);
    } catch (error) {
      problem = fileProblem(this.where, 'save the log to disk', error);
    }
    try {
      if (this.owned) closeSync(fd);
    } catch (error) {
      problem ??= fileProblem(this.where, 'save the log to disk', error);
    }
    this.lock?.release();
    return problem;
  }
}

import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fchownSync, fsyncSync, openSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname } from 'node:path';
import { InputError } from '../errors.js';
import { fileProblem } from './causes.js';
import { locate, type Located } from './locate.js';

/** A write that failed after `written` bytes of the buffer had reached the file. */
export class PartialWrite extends Error {
  constructor(
    readonly written: number,
    override readonly cause: unknown,
  ) {
    super('partial write');
  }
}

/** write(2) until every byte is out: a pipe or a signal may take fewer bytes per call. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (error) {
    throw new PartialWrite(offset, error);
  }
}

/** Pipes, terminals and some file systems cannot fsync; that is no failure of the write. */
export function fsyncWherePossible(fd: number): void {
  try {
    fsyncSync(fd);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EROFS' && code !== 'EBADF') throw error;
  }
}

/** A rename is durable once its folder is synced; where folders cannot be opened or synced, the rename stands anyway. */
function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort only.
  }
}

/**
 * Opens a named pipe for writing without blocking forever: with no reader, open(2) would wait
 * for one, so it is refused (ENXIO) instead. With a reader, a second, blocking open returns at
 * once and gives a descriptor whose writes wait for the reader rather than fail.
 */
function openPipe(path: string): number {
  const probe = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    return openSync(path, constants.O_WRONLY);
  } finally {
    closeSync(probe);
  }
}

/**
 * Opens what `located` names for writing in place: a pipe, a character device (/dev/null,
 * /dev/full) or, for a log, a regular file (created, then truncated only once it is ours).
 * Returns the descriptor and whether it is ours to close. A descriptor path is the open
 * descriptor itself: written, never reopened (which would truncate a `>>` file) nor closed.
 */
export function openInPlace(located: Located): { fd: number; owned: boolean } {
  switch (located.kind) {
    case 'descriptor':
      return { fd: located.fd as number, owned: false };
    case 'pipe':
      return { fd: openPipe(located.path), owned: true };
    case 'device':
      return { fd: openSync(located.path, constants.O_WRONLY), owned: true };
    case 'file':
    case 'missing':
      return { fd: openSync(located.path, constants.O_WRONLY | constants.O_CREAT, 0o666), owned: true };
    default:
      throw Object.assign(new Error('not writable'), { code: located.kind === 'folder' ? 'EISDIR' : 'EINVAL' });
  }
}

/**
 * Writes a new regular file beside `path` and renames it over `path`: a reader sees the old file
 * or the whole new one, and a failed write (disk full) leaves the old one as it was. The new
 * file keeps the old one's permissions (and owner, when root writes it).
 */
function replaceAtomically(path: string, text: Iterable<string>, old: Stats | undefined): void {
  const temporary = `${dirname(path)}/.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let fd: number | null = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
  try {
    if (old) {
      // Root replacing a user's file must not leave it owned by root.
      if (process.getuid?.() === 0) fchownSync(fd, old.uid, old.gid);
      fchmodSync(fd, old.mode & 0o7777);
    }
    for (const chunk of text) writeAll(fd, Buffer.from(chunk));
    fsyncWherePossible(fd);
    closeSync(fd);
    fd = null;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  syncFolder(dirname(path));
}

/**
 * Writes `text` as the whole content of the file the user named. A regular file (or a new one)
 * is replaced atomically, through any symbolic links (the link stays, its target is replaced);
 * pipes, character devices and open descriptors (`/dev/stdout`, `>(cmd)`) are written
 * directly and never replaced. Failures are InputErrors: `where: cannot <doing>: <cause>`.
 */
export function writeWholeFile(path: string, text: string | Iterable<string>, where: string, doing: string): void {
  // Large outputs (predict's) come as chunks made as they are written: no string holds them whole.
  const chunks = typeof text === 'string' ? [text] : text;
  try {
    const located = locate(path);
    if (located.kind === 'file' || located.kind === 'missing') {
      replaceAtomically(located.path, chunks, located.stat);
      return;
    }
    const { fd, owned } = openInPlace(located);
    try {
      for (const chunk of chunks) writeAll(fd, Buffer.from(chunk));
    } finally {
      if (owned) closeSync(fd);
    }
  } catch (error) {
    throw new InputError([fileProblem(where, doing, error instanceof PartialWrite ? error.cause : error)]);
  }
}

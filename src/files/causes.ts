import type { Problem } from '../errors.js';

/**
 * The cause of a failed file operation in plain words, never the raw code (ENOSPC, ELOOP,
 * ERR_FS_FILE_TOO_LARGE): users read "no space left on the device", not errno names.
 */
const CAUSES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'the operation is not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file would exceed the size limit (see `ulimit -f`)',
  ERR_FS_FILE_TOO_LARGE: 'the file is larger than 2 GiB, more than can be read at once',
  ELOOP: 'the path is a loop of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many files are open',
  ENFILE: 'too many files are open on the system',
  EIO: 'an input/output error on the device',
  ENXIO: 'no program is reading from the pipe',
  EPIPE: 'the program reading it went away',
  EBADF: 'it is not open for writing',
  EBUSY: 'the file is busy',
  ETXTBSY: 'the file is a running program',
  EEXIST: 'it already exists',
  EXDEV: 'it is on another file system',
  EINVAL: 'the file does not support this operation',
};

export function fileErrorCause(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code && CAUSES[code]) return CAUSES[code];
  // An errno we did not foresee: Node's message is "CODE: description, syscall 'path'"; keep the description.
  const message = error instanceof Error ? error.message : String(error);
  const described = /^[A-Z_]+: ([^,]+)/.exec(message)?.[1];
  return described ?? (message.replace(/\b[A-Z]{2,}[A-Z_]*\b:?\s*/g, '').trim() || 'an unknown error');
}

/** `where: cannot <doing>: <cause>`, e.g. `--out run.jsonl: cannot write the log: no space left on the device`. */
export function fileProblem(where: string, doing: string, error: unknown): Problem {
  return { where, message: `cannot ${doing}: ${fileErrorCause(error)}` };
}

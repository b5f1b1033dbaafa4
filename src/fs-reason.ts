/**
 * A file-system error in plain words, never a raw code (ENOENT). Writing: ENOENT means the folder.
 * (The files engineer's src/files/ is the place for these sentences; this is the options commands' one copy.)
 */
export function fsReason(error: unknown, writing = false): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return writing ? 'its folder does not exist' : 'no such file';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'the disk is full';
  return (error as Error).message.replace(/^[A-Z]+: /, '');
}

import { fstatSync, lstatSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';

/** What a path names once its symbolic links are followed. */
export type Kind =
  | 'missing' // does not exist yet: written as a new regular file
  | 'file' // a regular file
  | 'folder'
  | 'pipe' // a named pipe (FIFO)
  | 'device' // a character device (/dev/null, /dev/full, a terminal)
  | 'descriptor' // one of this process's open descriptors: /dev/fd/N, /dev/stdout, /proc/self/fd/N, `>(cmd)`
  | 'other'; // a block device or a socket: never written

export interface Located {
  /** The path as the user wrote it. */
  given: string;
  /** The file itself, symbolic links followed (a dangling link gives the file it would create). */
  path: string;
  kind: Kind;
  /** The open descriptor of a `descriptor` path. */
  fd?: number;
  /** `device:inode` of what exists (for a descriptor: of what it refers to). */
  id?: string;
  /** The canonical absolute path, when the file or at least its folder exists. */
  real?: string;
  stat?: Stats;
}

/** Linux allows 40 links in one lookup; a longer chain is a loop. */
const MAX_LINKS = 40;

/** This process's descriptors, however spelled: /dev/fd/3, /proc/self/fd/3, /proc/<own pid>/fd/3. */
function descriptorOf(path: string): number | undefined {
  const match = /^\/(?:dev\/fd|proc\/(?:self|thread-self|(\d+))\/fd)\/(\d+)$/.exec(resolve(path));
  if (!match || (match[1] !== undefined && Number(match[1]) !== process.pid)) return undefined;
  return Number(match[2]);
}

function kindOf(stat: Stats): Kind {
  if (stat.isFile()) return 'file';
  if (stat.isDirectory()) return 'folder';
  if (stat.isFIFO()) return 'pipe';
  if (stat.isCharacterDevice()) return 'device';
  return 'other';
}

const identity = (stat: Stats): string => `${stat.dev}:${stat.ino}`;

function loop(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ELOOP: too many symbolic links, '${path}'`), { code: 'ELOOP' });
}

/**
 * Follows `path` link by link, as open(2) would, without opening it. Paths are joined as
 * text, not normalized: `sub/../data.csv` means what the kernel makes of it (through a linked
 * `sub`, `..` is the link target's parent). Throws the system error of a failed lookup.
 */
export function locate(given: string): Located {
  let path = given;
  for (let links = 0; links <= MAX_LINKS; links++) {
    const fd = descriptorOf(path);
    if (fd !== undefined) {
      const stat = fstatSync(fd);
      return { given, path, kind: 'descriptor', fd, id: identity(stat), stat };
    }
    let stat: Stats;
    try {
      stat = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      let real: string | undefined;
      try {
        real = `${realpathSync.native(dirname(path))}/${basename(path)}`;
      } catch {
        real = undefined; // the folder is missing too: reported by whoever writes
      }
      return { given, path, kind: 'missing', real };
    }
    if (stat.isSymbolicLink()) {
      const target = readlinkSync(path);
      path = isAbsolute(target) ? target : `${dirname(path)}/${target}`;
      continue;
    }
    return { given, path, kind: kindOf(stat), id: identity(stat), real: realpathSync.native(path), stat };
  }
  throw loop(given);
}

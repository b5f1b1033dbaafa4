import { closeSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';

/**
 * An exclusive claim on a file that a run writes (its `--out` log), so that a second run cannot
 * mix its lines into it: `<file>.lock` beside it, created with O_EXCL and holding this process's
 * id and start time. A lock whose process is gone (killed with SIGKILL, crashed machine) is
 * stale and taken over; the start time tells a reused process id from the holder.
 * Plain files and O_EXCL work without native code on every local Linux file system.
 */
export interface Holder {
  pid: number;
  /** Clock ticks since boot at which the process started (Linux /proc/PID/stat), if known. */
  started?: string;
}

export function lockPathOf(realPath: string): string {
  return `${realPath}.lock`;
}

function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the process name (field 2) is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const self = (): Holder => ({ pid: process.pid, started: startTimeOf(process.pid) });
const text = (holder: Holder): string => `${holder.pid}${holder.started ? ` ${holder.started}` : ''}\n`;

function readHolder(lockPath: string): { holder: Holder; content: string } | null {
  let content: string;
  try {
    content = readFileSync(lockPath, 'utf8');
  } catch {
    return null;
  }
  const [pid, started] = content.trim().split(' ');
  return { holder: { pid: Number(pid), started }, content };
}

function isAlive(holder: Holder): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const started = startTimeOf(holder.pid);
  return holder.started === undefined || started === undefined || started === holder.started;
}

function createExclusive(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** A takeover guard older than this belongs to a process that died inside the few microseconds it is held. */
const GUARD_STALE_MS = 10_000;

/**
 * Removes a stale lock, one process at a time: two new runs that both found the lock stale must
 * not both remove it (the second would remove the first one's fresh lock).
 */
function removeStale(lockPath: string, staleContent: string): void {
  const guard = `${lockPath}.takeover`;
  if (!createExclusive(guard, text(self()))) {
    const age = Date.now() - (statSync(guard, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > GUARD_STALE_MS) rmSync(guard, { force: true });
    return;
  }
  try {
    if (readHolder(lockPath)?.content === staleContent) rmSync(lockPath, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

export class FileLock {
  private held = true;
  private readonly releaseAtExit = (): void => this.release();

  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {
    // A run that ends by process.exit still leaves no lock behind.
    process.once('exit', this.releaseAtExit);
  }

  /** Takes the lock of `realPath`, or returns the live process that holds it. Throws a system error (e.g. a read-only folder). */
  static acquire(realPath: string): FileLock | Holder {
    const lockPath = lockPathOf(realPath);
    const content = text(self());
    for (let attempt = 0; attempt < 5; attempt++) {
      if (createExclusive(lockPath, content)) return new FileLock(lockPath, content);
      const found = readHolder(lockPath);
      if (found === null) continue; // released between our two looks
      if (isAlive(found.holder)) return found.holder;
      removeStale(lockPath, found.content);
    }
    return readHolder(lockPath)?.holder ?? { pid: 0 };
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    process.off('exit', this.releaseAtExit);
    try {
      if (readFileSync(this.path, 'utf8') === this.content) unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}

/** The live run writing `realPath`, if any (for outputs other than the log, which only check). */
export function liveHolder(realPath: string): Holder | null {
  const found = readHolder(lockPathOf(realPath));
  return found && isAlive(found.holder) && found.holder.pid !== process.pid ? found.holder : null;
}

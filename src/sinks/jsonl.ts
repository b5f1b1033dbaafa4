import { InputError, type Problem } from '../errors.js';
import { LogFile } from '../files/log.js';
import type { TrainingEvent } from '../train/events.js';

/**
 * One event as one JSON line. Events are built with `type` first and JSON keeps insertion order;
 * a number that is not finite (a diverged loss) becomes null, as JSON has no NaN.
 */
export function eventLine(event: TrainingEvent): string {
  // `--json --out` writes each event twice: serialize it once.
  if (event !== lastEvent) {
    lastEvent = event;
    lastLine = `${JSON.stringify(event)}\n`;
  }
  return lastLine;
}

let lastEvent: TrainingEvent | null = null;
let lastLine = '';

/**
 * Whole lines, handed on in batches: at most every `maxDelayMs` (and at 64 KiB), so thousands of
 * epochs a second cost a few writes, not one system call each (measured: ~9 µs a line, a quarter
 * of a fast run). Every batch is whole lines, so output cut off at any moment ends on a line end.
 */
export class LineBatcher {
  private pending = '';
  private flushedAt = -Infinity;

  constructor(
    private readonly sink: (text: string) => void,
    private readonly clock: () => number = () => performance.now(),
    private readonly maxDelayMs = 50,
  ) {}

  write(line: string): void {
    this.pending += line;
    const now = this.clock();
    if (this.pending.length >= 65536 || now - this.flushedAt >= this.maxDelayMs) this.flush(now);
  }

  flush(now = this.clock()): void {
    if (this.pending) this.sink(this.pending);
    this.pending = '';
    this.flushedAt = now;
  }
}

/**
 * JSON lines to a file as training goes, in whole-line batches written with write(2), so that a
 * killed process (even SIGKILL) leaves complete lines behind, at most a batch short. The file is
 * locked for the run and ends on a whole line even when the disk fills up (see LogFile).
 */
export class JsonLinesFile {
  private readonly log: LogFile;
  private readonly lines: LineBatcher;
  private failed = false;

  /**
   * `onFailure` hears of a write that failed (the run then stops, and the file keeps its whole
   * lines); without it the failure is thrown.
   */
  constructor(
    readonly path: string,
    private readonly onFailure?: (problem: Problem) => void,
  ) {
    this.log = new LogFile(path, `--out ${path}`);
    this.lines = new LineBatcher((text) => this.append(text));
  }

  write(event: TrainingEvent): void {
    if (!this.failed) this.lines.write(eventLine(event));
  }

  /** Writes what is batched now (e.g. when training pauses). */
  flush(): void {
    if (!this.failed) this.lines.flush();
  }

  private append(text: string): void {
    try {
      this.log.append(text);
    } catch (error) {
      if (!(error instanceof InputError) || !this.onFailure) throw error;
      this.failed = true;
      this.onFailure(error.problems[0]);
    }
  }

  close(): void {
    if (!this.failed) this.lines.flush();
    const problem = this.log.close();
    if (problem && this.onFailure) this.onFailure(problem);
    else if (problem) throw new InputError([problem]);
  }
}

import { formatProblem, InputError, type Problem } from '../errors.js';
import { EXIT, exitCodeFor, SIGNALS, type Status, type StopSignal } from '../train/events.js';
import { fileErrorCause } from './causes.js';

/** The signals that end a run as `interrupted` (the end event is still written): Ctrl-C, kill, a closed terminal. */
const STOP_SIGNALS = Object.keys(SIGNALS) as StopSignal[];

type Stop =
  | { kind: 'signal'; signal: StopSignal }
  /** The reader of stdout went away (`| head -1`): not the user's mistake, so no message. */
  | { kind: 'stdout-closed' }
  /** A file the run writes (stdout, --out) failed: reported, exit 2. */
  | { kind: 'failed'; problem: Problem };

/** Exit code when the reader of stdout went away. */
export const STDOUT_CLOSED_EXIT = EXIT.stdoutClosed;

const STDOUT: Problem = { where: 'the standard output', message: '' };
const stdoutProblem = (error: unknown): Problem => ({ ...STDOUT, message: `cannot write to it: ${fileErrorCause(error)}` });

let activeRun: RunStops | null = null;
/** Stdout failed once: later writes fail the same way and are not reported again. */
let stdoutFailed = false;
/** Stdout failed outside a run (`schema > /dev/full`): the command exits 2 even if it returned 0. */
let failedOutsideRun = false;

/**
 * Everything that may end a run before its epochs are done, other than `q`: SIGINT, SIGTERM and
 * SIGHUP; stdout closed by its reader; a failed write to stdout or `--out`. Each aborts the
 * run, which then ends as `interrupted` and still writes its `end` event to every view that
 * can take it. Afterwards `exitCode` says how the process ends.
 */
export class RunStops {
  readonly abort = new AbortController();
  private stop: Stop | null = null;
  private readonly listeners = STOP_SIGNALS.map((signal) => [signal, (): void => this.end({ kind: 'signal', signal })] as const);

  constructor() {
    for (const [signal, listener] of this.listeners) process.on(signal, listener);
    activeRun = this;
  }

  private end(stop: Stop): void {
    // The first reason wins, except that a failed write is always reported.
    if (this.stop === null || (stop.kind === 'failed' && this.stop.kind !== 'failed')) this.stop = stop;
    this.abort.abort();
  }

  /** A file the run writes failed: the run stops and the process ends with exit 2 naming it. */
  readonly fail = (problem: Problem): void => this.end({ kind: 'failed', problem });

  stdoutFailed(error: unknown): void {
    stdoutFailed = true; // reported once, by this run
    // A closed terminal sends SIGHUP, then fails every write: the signal is what happened.
    if (this.stop?.kind === 'signal') return;
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') this.end({ kind: 'stdout-closed' });
    else this.fail(stdoutProblem(error));
  }

  /** No advice on stderr: the reader is gone (be quiet), or a failure message says what happened. */
  get quiet(): boolean {
    return this.stop?.kind === 'stdout-closed' || this.stop?.kind === 'failed';
  }

  close(): void {
    for (const [signal, listener] of this.listeners) process.off(signal, listener);
    if (activeRun === this) activeRun = null;
  }

  /** 128 + the signal's number for a signal (129 SIGHUP, 130 SIGINT, 143 SIGTERM); throws the problem of a failed write. */
  exitCode(status: Status): number {
    const stop = this.stop;
    if (stop?.kind === 'failed') throw new InputError([stop.problem]);
    if (status !== 'interrupted') return exitCodeFor(status);
    if (stop?.kind === 'signal') return exitCodeFor(status, stop.signal);
    if (stop?.kind === 'stdout-closed') return STDOUT_CLOSED_EXIT;
    return exitCodeFor(status);
  }
}

/**
 * Write errors on stdout and stderr are never thrown: a reader that goes away (`| head`) ends a
 * run as interrupted, quietly; any other failure of stdout (`> /dev/full`) is one sentence on
 * stderr and exit 2. Nothing is left to report a failure of stderr to.
 */
export function guardStandardStreams(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (activeRun) {
      activeRun.stdoutFailed(error);
      return;
    }
    if (error.code === 'EPIPE' || stdoutFailed) return;
    stdoutFailed = true;
    failedOutsideRun = true;
    process.stderr.write(`${formatProblem(stdoutProblem(error))}\n`);
    process.exitCode = 2;
  });
  process.stderr.on('error', () => undefined);
}

/** The exit code of a command, made 2 when stdout failed outside a run. */
export function settleExitCode(code: number): number {
  return failedOutsideRun && code === 0 ? 2 : code;
}

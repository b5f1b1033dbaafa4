import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { EndEvent, TrainingEvent } from '../train/events.js';
import type { SweepRun } from './grid.js';

/** How one run of a sweep ended. */
export interface SweepOutcome {
  run: SweepRun;
  /** The run's exit code; null when it never started (the sweep was stopped first). */
  exitCode: number | null;
  end: EndEvent | null;
  /** The last epoch the run reported (its `end` may be missing when it was killed). */
  epochs: number;
  /** What the run said on stderr (its error message when it failed to start). */
  stderr: string;
  log: string;
}

/** A run's outcome in words: its end status, or why it has none. */
export function outcomeStatus(outcome: SweepOutcome): string {
  if (outcome.exitCode === null) return 'not_started';
  // A run can write its `end` and still fail: a log it could not finish (exit 2), a bug (70).
  if (outcome.exitCode === 2 || outcome.exitCode === 70 || !outcome.end) return outcome.end || outcome.exitCode !== 2 ? 'failed' : 'invalid';
  return outcome.end.status;
}

/** The statuses of a run that did what was asked (a sweep exits 0 when every run has one). */
export const SUCCEEDED: ReadonlySet<string> = new Set(['completed', 'early_stopped', 'converged']);

export interface SweepOptions {
  /** The built CLI that each run executes: a run of a sweep is exactly a `run --set ...`. */
  cli: string;
  configPath: string;
  /** The log path of each run. */
  logOf: (run: SweepRun) => string;
  parallel: number;
  /** Kernel threads of each run (`run --threads`). */
  threads: number;
  signal?: AbortSignal;
  /** Each JSON line of each run, as it arrives. */
  onEvent?: (run: SweepRun, event: TrainingEvent, line: string) => void;
  onStart?: (run: SweepRun) => void;
  onDone?: (outcome: SweepOutcome) => void;
}

/**
 * Runs each run of a sweep as its own `neuron-tui run CONFIG --json --out LOG --set ...` process,
 * at most `parallel` at a time. A process per run is what makes a sweep's run identical to the
 * single run it stands for (same code path, same defaults, same threads), trains off the UI
 * thread, and uses every core; the sweep reads the runs' JSON lines as its events.
 */
export class SweepProcesses {
  private readonly live = new Set<ChildProcess>();
  private paused = false;

  constructor(private readonly options: SweepOptions) {}

  /** Pauses (SIGSTOP) or resumes (SIGCONT) every live run. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    for (const child of this.live) child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  async runAll(runs: readonly SweepRun[]): Promise<SweepOutcome[]> {
    const outcomes = new Array<SweepOutcome>(runs.length);
    let next = 0;
    const { signal } = this.options;
    const stopAll = (): void => {
      for (const child of this.live) {
        if (this.paused) child.kill('SIGCONT');
        child.kill('SIGINT');
      }
    };
    signal?.addEventListener('abort', stopAll, { once: true });
    const worker = async (): Promise<void> => {
      while (next < runs.length) {
        const index = next++;
        const run = runs[index];
        if (signal?.aborted) {
          outcomes[index] = { run, exitCode: null, end: null, epochs: 0, stderr: '', log: this.options.logOf(run) };
          continue;
        }
        outcomes[index] = await this.runOne(run);
        this.options.onDone?.(outcomes[index]);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(this.options.parallel, runs.length)) }, worker));
    } finally {
      signal?.removeEventListener('abort', stopAll);
    }
    return outcomes;
  }

  private runOne(run: SweepRun): Promise<SweepOutcome> {
    const { cli, configPath, logOf, onEvent, onStart, threads } = this.options;
    const log = logOf(run);
    const args = [cli, 'run', configPath, '--json', '--out', log, '--threads', String(threads), ...run.sets.flatMap((set) => ['--set', set])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.live.add(child);
    // A run that starts while the sweep is paused (its slot freed just before) waits like the others.
    if (this.paused) child.kill('SIGSTOP');
    onStart?.(run);
    const outcome: SweepOutcome = { run, exitCode: null, end: null, epochs: 0, stderr: '', log };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      // Only the start of what a run says is kept: an error message, never an unbounded stream.
      if (outcome.stderr.length < 16_384) outcome.stderr += text;
    });
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      let event: TrainingEvent;
      try {
        event = JSON.parse(line) as TrainingEvent;
      } catch {
        return; // not ours to judge here: the run's own log is the record
      }
      if (event.type === 'epoch') outcome.epochs = event.epoch;
      if (event.type === 'end') outcome.end = event;
      onEvent?.(run, event, line);
    });
    return new Promise((resolve) => {
      let exited = false;
      let drained = false;
      const finish = (): void => {
        if (exited && drained) {
          this.live.delete(child);
          resolve(outcome);
        }
      };
      lines.on('close', () => {
        drained = true;
        finish();
      });
      child.on('close', (code, signalName) => {
        outcome.exitCode = code ?? (signalName === 'SIGKILL' ? 137 : 70);
        exited = true;
        finish();
      });
      child.on('error', (error) => {
        outcome.stderr += `could not start the run: ${error.message}\n`;
        outcome.exitCode = 70;
        exited = true;
        drained = true;
        finish();
      });
    });
  }
}

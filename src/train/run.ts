import type { TrainingControl } from './control.js';
import type { EndEvent, EpochEvent } from './events.js';
import type { Clock, Trainer } from './trainer.js';

export interface RunOptions {
  /** Aborting ends the run at the next epoch boundary with status `interrupted`. */
  signal?: AbortSignal;
  /** Pause, step, stop and pace requests; absent for headless runs. */
  control?: TrainingControl;
  /** Called with each epoch event that `log_every` emits (the last epoch always is). */
  onEpoch?: (event: EpochEvent) => void;
  /** Called after every epoch, emitted or not (the dashboard's store wants each one). */
  onEveryEpoch?: (event: EpochEvent) => void;
  /** Called when training stops to wait (paused): a moment to flush buffered output. */
  onIdle?: () => void;
  /** How long to train before yielding to the event loop (keys, signals, drawing). */
  sliceMs?: number;
  clock: Clock;
  /** Stopped while the run is paused, so that paused time counts nowhere (elapsed, rates). */
  stopwatch?: Stopwatch;
  /** Waits out the pace: by default until `ms` pass or a request comes; tests pass their clock's. */
  sleep?: (ms: number) => Promise<void>;
}

export interface Stopwatch {
  hold(): void;
  resume(): void;
}

/** A clock that stands still while held: the run's own time, pauses left out. */
export class RunClock implements Stopwatch {
  private heldAt: number | null = null;
  private heldFor = 0;

  constructor(private readonly base: Clock) {}

  readonly now: Clock = () => (this.heldAt ?? this.base()) - this.heldFor;

  hold(): void {
    this.heldAt ??= this.base();
  }

  resume(): void {
    if (this.heldAt === null) return;
    this.heldFor += this.base() - this.heldAt;
    this.heldAt = null;
  }
}

/** Hands control to the event loop: setImmediate lets I/O callbacks (keys, signals) run. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** So that a clock that does not move (a test's) still lets the event loop in now and then. */
const MAX_EPOCHS_PER_SLICE = 4096;

/** Trains in slices until a stopping rule, an abort or the epoch limit ends the run. */
export async function runTraining(trainer: Trainer, options: RunOptions): Promise<EndEvent> {
  const { signal, control, onEpoch, onEveryEpoch, clock, stopwatch } = options;
  const sliceMs = options.sliceMs ?? 10;
  let sliceStart = clock();
  let sliceEpochs = 0;
  let unemitted: EpochEvent | null = null;
  /** Where the current pace started counting: epochs are due at `pace` per second from there. */
  let paced: { time: number; epoch: number; pace: number } | null = null;

  while (trainer.status === null) {
    if (signal?.aborted || control?.stopRequested) {
      trainer.interrupt();
      break;
    }
    const version = control?.version ?? 0;
    if (control && !control.mayRun()) {
      stopwatch?.hold();
      options.onIdle?.();
      // Since before mayRun: a request made meanwhile (even from onIdle) is not missed.
      await control.changed(signal, undefined, version);
      stopwatch?.resume();
      sliceStart = clock();
      paced = null;
      continue;
    }
    const pace = control?.pace ?? 0;
    if (pace > 0) {
      if (paced === null || paced.pace !== pace) paced = { time: clock(), epoch: trainer.epoch, pace };
      const wait = paced.time + ((trainer.epoch - paced.epoch) * 1000) / pace - clock();
      if (wait >= 1) {
        // Wakes early for any request (a pause, a new pace).
        await (options.sleep ? options.sleep(wait) : control!.changed(signal, wait));
        sliceStart = clock();
        continue;
      }
    }
    const event = trainer.runEpoch();
    onEveryEpoch?.(event);
    if (trainer.shouldEmit(event)) {
      onEpoch?.(event);
      unemitted = null;
    } else {
      unemitted = event;
    }
    if (++sliceEpochs >= MAX_EPOCHS_PER_SLICE || clock() - sliceStart >= sliceMs) {
      await yieldToEventLoop();
      sliceStart = clock();
      sliceEpochs = 0;
    }
  }
  // log_every skipped it, but the last epoch is always written.
  if (unemitted) onEpoch?.(unemitted);
  return trainer.endEvent();
}

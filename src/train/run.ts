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
}

/** Hands control to the event loop: setImmediate lets I/O callbacks (keys, signals) run. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** So that a clock that does not move (a test's) still lets the event loop in now and then. */
const MAX_EPOCHS_PER_SLICE = 4096;

/** Trains in slices until a stopping rule, an abort or the epoch limit ends the run. */
export async function runTraining(trainer: Trainer, options: RunOptions): Promise<EndEvent> {
  const { signal, control, onEpoch, onEveryEpoch, clock } = options;
  const sliceMs = options.sliceMs ?? 10;
  let sliceStart = clock();
  let sliceEpochs = 0;
  let unemitted: EpochEvent | null = null;

  while (trainer.status === null) {
    if (signal?.aborted || control?.stopRequested) {
      trainer.interrupt();
      break;
    }
    if (control && !control.mayRun()) {
      options.onIdle?.();
      await control.changed(signal);
      sliceStart = clock();
      continue;
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

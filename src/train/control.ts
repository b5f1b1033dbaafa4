/**
 * Pause, single-step and stop requests from the dashboard's keys, read by the training loop
 * between epochs.
 */
export class TrainingControl {
  paused = false;
  private steps = 0;
  private wake: (() => void) | null = null;

  toggle(): void {
    this.paused = !this.paused;
    this.notify();
  }

  /** While paused: run exactly one more epoch. */
  step(): void {
    if (!this.paused) return;
    this.steps++;
    this.notify();
  }

  /** May the loop run an epoch now? Consumes a pending single step. */
  mayRun(): boolean {
    if (!this.paused) return true;
    if (this.steps > 0) {
      this.steps--;
      return true;
    }
    return false;
  }

  /** Resolves on the next toggle, step, or abort. */
  changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.wake = null;
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.wake = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private notify(): void {
    this.wake?.();
  }
}

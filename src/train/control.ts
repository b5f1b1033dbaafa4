// Words of the shared control block.
const VERSION = 0; // bumped on every request, so a waiting loop wakes
const PAUSED = 1;
const STEPS = 2; // single steps requested while paused, not yet taken
const STOP = 3;
const WORDS = 4;
// Numbers, after the words.
const RATE_FACTOR = 0;
const PACE = 1; // epochs per second; 0: full speed
const NUMBERS = 2;

/** Atomics.waitAsync (Node 16+; its types come with lib ES2024, which this project does not target). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number, timeout?: number): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/**
 * The requests a view may make of a run: pause, single step, stop, learning-rate factor, pace.
 * They live on shared memory, so the same control works when the run trains on another thread:
 * the UI thread writes requests, the training loop reads them between epochs. Nothing else
 * reaches the trainer.
 */
export class TrainingControl {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;
  private readonly numbers: Float64Array;

  /** A new control, or (given the buffer of one) the same control seen from another thread. */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(WORDS * 4 + NUMBERS * 8);
    this.words = new Int32Array(this.buffer, 0, WORDS);
    this.numbers = new Float64Array(this.buffer, WORDS * 4, NUMBERS);
    if (!buffer) this.numbers[RATE_FACTOR] = 1;
  }

  get paused(): boolean {
    return Atomics.load(this.words, PAUSED) === 1;
  }

  get stopRequested(): boolean {
    return Atomics.load(this.words, STOP) === 1;
  }

  /** What the configured learning rate is multiplied by. */
  get rateFactor(): number {
    return this.numbers[RATE_FACTOR];
  }

  /** Epochs per second the run is played at; 0 is full speed. */
  get pace(): number {
    return this.numbers[PACE];
  }

  toggle(): void {
    Atomics.xor(this.words, PAUSED, 1);
    this.notify();
  }

  /** While paused: run exactly one more epoch. */
  step(): void {
    if (!this.paused) return;
    Atomics.add(this.words, STEPS, 1);
    this.notify();
  }

  /** Ends the run at the next epoch boundary (status `interrupted`). */
  stop(): void {
    Atomics.store(this.words, STOP, 1);
    this.notify();
  }

  scaleRate(factor: number): void {
    this.numbers[RATE_FACTOR] *= factor;
    this.notify();
  }

  setPace(epochsPerSecond: number): void {
    this.numbers[PACE] = epochsPerSecond > 0 && Number.isFinite(epochsPerSecond) ? epochsPerSecond : 0;
    this.notify();
  }

  /** May the loop run an epoch now? Consumes a pending single step. */
  mayRun(): boolean {
    if (this.stopRequested || !this.paused) return true;
    for (let steps = Atomics.load(this.words, STEPS); steps > 0; steps = Atomics.load(this.words, STEPS)) {
      if (Atomics.compareExchange(this.words, STEPS, steps, steps - 1) === steps) return true;
    }
    return false;
  }

  /** Counts requests: a waiter that read it before a request is woken by that request. */
  get version(): number {
    return Atomics.load(this.words, VERSION);
  }

  /**
   * Resolves on the next request after version `since` (default: now), on abort, or after `ms`
   * (whichever comes first).
   */
  async changed(signal?: AbortSignal, ms?: number, since = this.version): Promise<void> {
    if (signal?.aborted) return;
    const wait = waitAsync(this.words, VERSION, since, ms);
    if (!wait.async) return;
    // An abort is a change too; waking the wait (rather than racing it) leaves nothing pending.
    const onAbort = (): void => this.notify();
    signal?.addEventListener('abort', onAbort, { once: true });
    // A pending waitAsync does not keep a thread alive: a paused worker would simply exit.
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      await wait.value;
    } finally {
      clearInterval(keepAlive);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private notify(): void {
    Atomics.add(this.words, VERSION, 1);
    Atomics.notify(this.words, VERSION);
  }
}

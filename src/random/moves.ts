import { Worker } from 'node:worker_threads';
import { PERMUTE_WASM_BASE64 } from './permute-wasm.js';

/** The row moves of permute.wat; pointers are byte offsets into the arena's memory. */
export interface Moves {
  scatter(x: number, y: number, d: number, n: number, bucketOf: number, cursor: number, toX: number, toY: number): void;
  gather(x: number, y: number, d: number, order: number, count: number, toX: number, toY: number): void;
  /** TwoLevelPermutation.draw's draws from the xoroshiro128+ state at `state` (advanced in place), for 2^bits buckets. */
  draw(state: number, n: number, bits: number, bucketOf: number, starts: number, within: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled moves, or null where this engine lacks WebAssembly SIMD. */
function movesModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(PERMUTE_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const instances = new WeakMap<WebAssembly.Memory, Moves | null>();

/** The WebAssembly moves over `memory` on this thread, or null where they cannot run. */
export function wasmMoves(memory: WebAssembly.Memory): Moves | null {
  if (!instances.has(memory)) {
    const module = movesModule();
    instances.set(memory, module && (new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Moves));
  }
  return instances.get(memory) ?? null;
}

// Control words: [0] the latest job (−1: stop), [1] the latest job done, [2] started, [3] the
// latest job failed (it is then done on the caller's thread, rather than waited for forever).
const JOB = 0;
const DONE = 1;
const STARTED = 2;
const FAILED = 3;
/** How long a new helper may take to start before the moves stay on the caller's thread. */
const START_TIMEOUT_MS = 10_000;

/** Runs in the helper: wait for a job, scatter with its arguments, report it done. */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, module, control, args } = workerData;
const { scatter } = new WebAssembly.Instance(module, { env: { memory } }).exports;
Atomics.store(control, ${STARTED}, 1);
Atomics.notify(control, ${STARTED});
let job = 0;
for (;;) {
  Atomics.wait(control, ${JOB}, job);
  job = Atomics.load(control, ${JOB});
  if (job < 0) break;
  try {
    scatter(args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7]);
    Atomics.store(control, ${FAILED}, 0);
  } catch {
    Atomics.store(control, ${FAILED}, 1);
  }
  Atomics.store(control, ${DONE}, job);
  Atomics.notify(control, ${DONE});
}
`;

/**
 * A second thread that runs the scatter (step 1 of a two-level permutation's move) while the
 * caller's thread does other work: the next epoch's rows move while this epoch trains. The
 * caller waits with Atomics, so the epoch loop stays synchronous.
 */
export class ScatterThread {
  private readonly control = new Int32Array(new SharedArrayBuffer(16));
  private readonly args = new Float64Array(new SharedArrayBuffer(8 * 8));
  private readonly worker: Worker;
  private job = 0;

  private constructor(memory: WebAssembly.Memory, module: WebAssembly.Module) {
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      // Not the parent's flags: e.g. --input-type=module would make this CommonJS source fail.
      execArgv: [],
      workerData: { memory, module, control: this.control, args: this.args },
    });
    this.worker.unref();
  }

  /** A started helper on `memory`, or null when it cannot run there or does not start in time. */
  static start(memory: WebAssembly.Memory): ScatterThread | null {
    const module = movesModule();
    if (!module || !wasmMoves(memory)) return null;
    const helper = new ScatterThread(memory, module);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Atomics.load(helper.control, STARTED) === 0) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(helper.control, STARTED, 0, left) === 'timed-out') {
        helper.close();
        return null;
      }
    }
    return helper;
  }

  /** Starts Moves.scatter with these arguments on the helper; `wait` for it before reading its rows. */
  scatter(...args: Parameters<Moves['scatter']>): void {
    this.args.set(args);
    Atomics.store(this.control, JOB, ++this.job);
    Atomics.notify(this.control, JOB);
  }

  /** Returns when the latest scatter is done: true if it succeeded, false if the caller must do it. */
  wait(): boolean {
    for (let done = Atomics.load(this.control, DONE); done !== this.job; done = Atomics.load(this.control, DONE)) {
      Atomics.wait(this.control, DONE, done);
    }
    return Atomics.load(this.control, FAILED) === 0;
  }

  close(): void {
    Atomics.store(this.control, JOB, -1);
    Atomics.notify(this.control, JOB);
    void this.worker.terminate();
  }
}

import { Worker } from 'node:worker_threads';
import { PERMUTE_WASM_BASE64 } from './permute-wasm.js';

/** The row moves of permute.wat; pointers are byte offsets into the arena's memory. */
export interface Moves {
  scatter(x: number, y: number, d: number, n: number, bucketOf: number, starts: number, m: number, cursor: number, to: number): void;
  gather(rows: number, d: number, order: number, count: number, toX: number, toY: number): void;
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

// Control words: [0] the latest job (−1: stop), [1] the latest job done, [2] started, [3] what of
// the latest job failed (MoveThread.wait's answer: the caller then does it, rather than waiting
// for it forever).
const JOB = 0;
const DONE = 1;
const STARTED = 2;
const FAILED = 3;
/** How long a new helper may take to start before the moves stay on the caller's thread. */
const START_TIMEOUT_MS = 10_000;
/** What of a job is left for the caller: nothing, its scatter, or its draw and scatter. */
const LEFT = ['done', 'scatter', 'draw'] as const;
/** The arguments' places in the shared argument array: [draw?, draw's 6, scatter's 9]. */
const DRAW_ARGS = 6;
const SCATTER_ARGS = 9;

/** Runs in the helper: wait for a job, draw (if asked) and scatter with its arguments, report it done. */
const HELPER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, module, control, args } = workerData;
const { draw, scatter } = new WebAssembly.Instance(module, { env: { memory } }).exports;
Atomics.store(control, ${STARTED}, 1);
Atomics.notify(control, ${STARTED});
let job = 0;
for (;;) {
  Atomics.wait(control, ${JOB}, job);
  job = Atomics.load(control, ${JOB});
  if (job < 0) break;
  let left = ${LEFT.indexOf('draw')};
  try {
    if (args[0]) draw(...args.subarray(1, ${1 + DRAW_ARGS}));
    left = ${LEFT.indexOf('scatter')};
    scatter(...args.subarray(${1 + DRAW_ARGS}, ${1 + DRAW_ARGS + SCATTER_ARGS}));
    left = ${LEFT.indexOf('done')};
  } catch {}
  Atomics.store(control, ${FAILED}, left);
  Atomics.store(control, ${DONE}, job);
  Atomics.notify(control, ${DONE});
}
`;

/** A helper's job: the next epoch's draws (in the state's memory, which the draw advances) and scatter. */
export interface MoveJob {
  draw?: Parameters<Moves['draw']>;
  scatter: Parameters<Moves['scatter']>;
}

/**
 * A second thread that draws and scatters (step 1 of a two-level permutation's move) while the
 * caller's thread does other work: the next epoch's rows move while this epoch trains. The
 * caller waits with Atomics, so the epoch loop stays synchronous.
 */
export class MoveThread {
  private readonly control = new Int32Array(new SharedArrayBuffer(16));
  private readonly args = new Float64Array(new SharedArrayBuffer(8 * (1 + DRAW_ARGS + SCATTER_ARGS)));
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
  static start(memory: WebAssembly.Memory): MoveThread | null {
    const module = movesModule();
    if (!module || !wasmMoves(memory)) return null;
    const helper = new MoveThread(memory, module);
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

  /** Starts `job` on the helper; `wait` for it before reading what it writes. */
  run(job: MoveJob): void {
    this.args.fill(0);
    if (job.draw) {
      this.args[0] = 1;
      this.args.set(job.draw, 1);
    }
    this.args.set(job.scatter, 1 + DRAW_ARGS);
    Atomics.store(this.control, JOB, ++this.job);
    Atomics.notify(this.control, JOB);
  }

  /** Returns when the latest job is done, with what of it is left for the caller (a step that failed, and those after it). */
  wait(): (typeof LEFT)[number] {
    for (let done = Atomics.load(this.control, DONE); done !== this.job; done = Atomics.load(this.control, DONE)) {
      Atomics.wait(this.control, DONE, done);
    }
    return LEFT[Atomics.load(this.control, FAILED)];
  }

  close(): void {
    Atomics.store(this.control, JOB, -1);
    Atomics.notify(this.control, JOB);
    void this.worker.terminate();
  }
}

import { Worker } from 'node:worker_threads';
import { arenaOf, rowArray } from '../memory/arena.js';
import { generatedKernel, kernelSource, warmUp, type Kernel } from './kernel.js';
import { instantiate, kernelModule } from './wasm.js';

/**
 * A kernel split over threads by fixed row ranges. The caller's thread computes the first range
 * itself and waits for the others with Atomics, so a pass stays a synchronous call (the training
 * loop does not change). Partial sums are added in range order: for a given thread count the
 * result is the same on every run. Each thread runs the WebAssembly SIMD pass when the rows live
 * in the arena and `simd` is asked for, else the generated JavaScript pass.
 *
 * In SIMD mode a pass takes any rows in the arena (the training rows, the validation rows, a
 * mini-batch gathered into a buffer): the threads read them by their byte offsets, passed with
 * the parameters. In JavaScript mode the workers hold only the rows the pool was built on.
 */

// Control words: [0] generation (−1: stop), [1] workers done, [2] workers ready.
const GENERATION = 0;
const DONE = 1;
const READY = 2;
/** How long a new pool waits for its workers to start before it trains on one thread instead. */
const START_TIMEOUT_MS = 10_000;

/**
 * Below this many cells (rows × features) a pass is too short for threads to pay: waking a worker
 * costs tens of microseconds. `npm run bench` measured break-even near 1M cells and 1.25× at 4M.
 */
export const PARALLEL_MIN_CELLS = 1 << 21;
/** Below this many features the generated JavaScript pass beats the SIMD one (two lanes barely fill). */
export const SIMD_MIN_FEATURES = 4;

// Parameter words after w_0..w_{d−1}: [d] b, then the rows' byte offsets (SIMD mode), then the ranges.
const X_AT = 1;
const Y_AT = 2;
const RANGES_AT = 3;

/** Runs in each worker: wait for a new generation, sum its row range, report done. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { x, y, d, control, params, results, scratch, index, source, memory, module } = workerData;
const stride = 3 + d;
const out = results.subarray(index * stride, (index + 1) * stride);
let run;
if (module) {
  const pass = new WebAssembly.Instance(module, { env: { memory } }).exports.pass;
  const g = scratch.subarray(index * stride, index * stride + d);
  run = (start, end) => pass(params[d + ${X_AT}], params[d + ${Y_AT}], d, start, end, params.byteOffset, params[d], g.byteOffset, out.byteOffset);
} else {
  const kernel = new Function(source)();
  // the same warm-up as generatedKernel's on the main thread
  (${warmUp.toString()})(kernel, d);
  run = (start, end) => kernel(x, y, d, start, end, params.subarray(0, d), params[d], out);
}
Atomics.add(control, ${READY}, 1);
Atomics.notify(control, ${READY});
let generation = 0;
for (;;) {
  Atomics.wait(control, ${GENERATION}, generation);
  generation = Atomics.load(control, ${GENERATION});
  if (generation < 0) break;
  out.fill(0);
  run(params[d + ${RANGES_AT} + 2 * index], params[d + ${RANGES_AT} + 1 + 2 * index]);
  Atomics.add(control, ${DONE}, 1);
  Atomics.notify(control, ${DONE});
}
`;

function isShared(array: Float64Array): boolean {
  return array.buffer instanceof SharedArrayBuffer;
}

export class ParallelKernel {
  threads: number;
  /** `simd` when the threads run the WebAssembly SIMD pass, `js` for the generated JavaScript one. */
  readonly mode: 'simd' | 'js';
  private workers: Worker[];
  private readonly control: Int32Array;
  /** [w_0..w_{d−1}, b, x's byte offset, y's byte offset, start_0, end_0, start_1, end_1, ...] */
  private readonly params: Float64Array;
  /** Per thread: [sse, active, db, dw_0..dw_{d−1}]. */
  private readonly results: Float64Array;
  /** Per thread: the SIMD pass's gradient scratch. */
  private readonly scratch: Float64Array;
  private readonly own: (start: number, end: number) => void;
  private readonly single: Kernel;
  private readonly memory: WebAssembly.Memory | null;
  private generation = 0;
  /** How the latest pass ran: on the SIMD pass or the JavaScript one, on how many threads (tests, bench). */
  latest: { simd: boolean; threads: number } = { simd: false, threads: 0 };

  /** `x` and `y` must live on shared memory; `threads` counts the caller's thread. */
  constructor(
    private readonly x: Float64Array,
    private readonly y: Float64Array,
    private readonly d: number,
    threads: number,
    simd = true,
    /** How many of the threads a pass over `rows` rows uses (default: all); src/neuron/choose.ts decides. */
    private readonly threadsFor: (rows: number) => number = () => Infinity,
  ) {
    if (!isShared(x) || !isShared(y)) throw new Error('ParallelKernel needs rows on shared memory');
    this.threads = Math.max(1, threads);
    this.single = generatedKernel(d);
    const memory = simd ? arenaOf(x, y) : null;
    const module = memory ? kernelModule() : null;
    this.mode = memory && module ? 'simd' : 'js';
    const stride = 3 + d;
    this.control = new Int32Array(new SharedArrayBuffer(12));
    this.memory = this.mode === 'simd' ? memory : null;
    this.params = rowArray(d + RANGES_AT + 2 * this.threads);
    this.results = rowArray(this.threads * stride);
    this.scratch = rowArray(this.threads * stride);
    const out0 = this.results.subarray(0, stride);
    if (this.mode === 'simd') {
      const pass = instantiate(memory!)!;
      const g0 = this.scratch.subarray(0, d);
      this.own = (start, end) =>
        pass(this.params[d + X_AT], this.params[d + Y_AT], d, start, end, this.params.byteOffset, this.params[d], g0.byteOffset, out0.byteOffset);
    } else {
      this.own = (start, end) => this.single(x, y, d, start, end, this.params.subarray(0, d), this.params[d], out0);
    }
    const source = kernelSource(d);
    this.workers = Array.from({ length: this.threads - 1 }, (_, k) => {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        // Not the parent's flags: e.g. --input-type=module would make this CommonJS source fail.
        execArgv: [],
        workerData: {
          x,
          y,
          d,
          control: this.control,
          params: this.params,
          results: this.results,
          scratch: this.scratch,
          index: k + 1,
          source,
          memory: this.mode === 'simd' ? memory : null,
          module: this.mode === 'simd' ? module : null,
        },
      });
      worker.unref();
      return worker;
    });
    // A pass waits for every worker with Atomics.wait: make sure they all run before relying on them.
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (let ready = Atomics.load(this.control, READY); ready < this.workers.length; ready = Atomics.load(this.control, READY)) {
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(this.control, READY, ready, left) === 'timed-out') {
        this.close();
        this.workers = [];
        this.threads = 1;
        break;
      }
    }
  }

  /**
   * A Kernel: the same contract as fusedPass. Rows in the arena (SIMD mode) or the pool's own rows
   * run here, on as many threads as `threadsFor` gives; any other rows run the generated pass.
   */
  readonly pass: Kernel = (x, y, d, start, end, w, b, out) => {
    const here = d === this.d && (this.memory !== null ? arenaOf(x, y) === this.memory : x === this.x && y === this.y);
    if (!here) {
      this.latest = { simd: false, threads: 1 };
      this.single(x, y, d, start, end, w, b, out);
      return;
    }
    const rows = end - start;
    const stride = 3 + d;
    const threads = Math.max(1, Math.min(this.threads, this.threadsFor(rows)));
    this.params.set(w.subarray(0, d));
    this.params[d] = b;
    this.params[d + X_AT] = x.byteOffset;
    this.params[d + Y_AT] = y.byteOffset;
    for (let t = 0; t < this.threads; t++) {
      // Threads beyond `threads` get an empty range: their sums are zeros.
      this.params[d + RANGES_AT + 2 * t] = start + Math.floor((rows * Math.min(t, threads)) / threads);
      this.params[d + RANGES_AT + 1 + 2 * t] = start + Math.floor((rows * Math.min(t + 1, threads)) / threads);
    }
    const others = threads > 1 ? this.workers.length : 0;
    this.latest = { simd: this.memory !== null, threads: others + 1 };
    if (others > 0) {
      Atomics.store(this.control, DONE, 0);
      Atomics.store(this.control, GENERATION, ++this.generation);
      Atomics.notify(this.control, GENERATION);
    }
    this.results.subarray(0, stride).fill(0);
    this.own(this.params[d + RANGES_AT], this.params[d + RANGES_AT + 1]);
    for (let done = Atomics.load(this.control, DONE); done < others; done = Atomics.load(this.control, DONE)) {
      Atomics.wait(this.control, DONE, done);
    }
    for (let t = 0; t < (others > 0 ? this.threads : 1); t++) {
      for (let k = 0; k < stride; k++) out[k] += this.results[t * stride + k];
    }
  };

  close(): void {
    Atomics.store(this.control, GENERATION, -1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) void worker.terminate();
  }
}

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

// Control words: [0] generation (−1: stop), [1] workers done, [2] workers ready, [3] job (PASS, REFRESH, PLACE).
const GENERATION = 0;
const DONE = 1;
const READY = 2;
const JOB = 3;
const PASS = 0;
const REFRESH = 1;
const PLACE = 2;
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
const { x, y, d, control, params, results, scratch, index, source, memory, module, job } = workerData;
const stride = 3 + d;
const out = results.subarray(index * stride, (index + 1) * stride);
let run;
const shares = [];
if (module) {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const pass = exports.pass;
  shares[${REFRESH}] = () => (${refreshShare.toString()})(exports.refresh, job, index);
  shares[${PLACE}] = () => (${placeShare.toString()})(exports.place, job, index);
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
  const kind = Atomics.load(control, ${JOB});
  if (kind !== ${PASS}) {
    shares[kind]();
  } else {
    out.fill(0);
    run(params[d + ${RANGES_AT} + 2 * index], params[d + ${RANGES_AT} + 1 + 2 * index]);
  }
  Atomics.add(control, ${DONE}, 1);
  Atomics.notify(control, ${DONE});
}
`;

/**
 * The words of a job for the screened engine's WebAssembly (src/neuron/screen-rows.ts), in a
 * shared array: byte offsets in the arena, sizes, and the thread count that splits the work.
 * A common head, then the words of a refresh or of a placement.
 */
export const JobWord = {
  THREADS: 0,
  X: 1,
  Y: 2,
  D: 3,
  W: 4,
  B: 5,
  // refresh (kernel.wat `refresh`, blocks of rows)
  SIDE: 6,
  KEYS: 7,
  BUILD: 8,
  PARTS: 9,
  PART_BYTES: 10,
  BLOCK_ROWS: 11,
  BLOCKS: 12,
  N: 13,
  OUT_AT: 14,
  G_AT: 15,
  GRAM_AT: 16,
  // placement (kernel.wat `place`, one range of rows per thread); also SIDE, KEYS and N
  CAP: 17,
  NEXT: 18,
  NEXT_BYTES: 19,
  ORDER: 20,
  BOUNDS: 21,
  MEMBER: 22,
  BASIS: 23,
  LENGTH: 24,
} as const;

export type WasmRefresh = (
  x: number,
  y: number,
  d: number,
  start: number,
  end: number,
  w: number,
  b: number,
  side: number,
  keys: number,
  build: number,
  gram: number,
  g: number,
  out: number,
) => void;

export type WasmPlace = (
  x: number,
  d: number,
  start: number,
  end: number,
  w: number,
  b: number,
  keys: number,
  cap: number,
  next: number,
  order: number,
  bounds: number,
  member: number,
  side: number,
  basis: number,
) => void;

export type WasmTest = (
  bounds: number,
  member: number,
  pending: number,
  start: number,
  end: number,
  a1: number,
  a2: number,
  a3: number,
  beta: number,
  slack: number,
) => number;

/**
 * One thread's share of a refresh: blocks [B·t/T, B·(t+1)/T) of the job's B blocks, each into its
 * own part. Which thread sums a block changes nothing in it, so the parts (added up in block order
 * by the caller) are the same for any thread count. Self-contained: the workers run its source,
 * so the word numbers of JobWord are written out.
 */
function refreshShare(refresh: WasmRefresh, job: Float64Array, thread: number): void {
  const blocks = job[12];
  const first = Math.floor((blocks * thread) / job[0]);
  const last = Math.floor((blocks * (thread + 1)) / job[0]);
  for (let k = first; k < last; k++) {
    const start = k * job[11];
    const end = Math.min(job[13], start + job[11]);
    const part = job[9] + k * job[10];
    refresh(job[1], job[2], job[3], start, end, job[4], job[5], job[6], job[7], job[8], part + job[16], part + job[15], part + job[14]);
  }
}

/**
 * One thread's share of a placement: rows [N·t/T, N·(t+1)/T), with the thread's own next-place
 * counters (the caller starts them where the earlier ranges' rows of each bucket end, so the
 * places are those of one pass in row order). Self-contained, like refreshShare.
 */
function placeShare(place: WasmPlace, job: Float64Array, thread: number): void {
  const start = Math.floor((job[13] * thread) / job[0]);
  const end = Math.floor((job[13] * (thread + 1)) / job[0]);
  place(job[1], job[3], start, end, job[4], job[5], job[7], job[17], job[18] + thread * job[19], job[20], job[21], job[22], job[6], job[23]);
}

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
  /** The refresh job's words (JobWord), and this thread's refresh export (SIMD mode only). */
  private readonly job: Float64Array;
  private readonly ownRefresh: WasmRefresh | null = null;
  private readonly ownPlace: WasmPlace | null = null;
  /** The screened engine's fine test (kernel.wat `test`) on this thread, in SIMD mode. */
  readonly test: WasmTest | null = null;
  private readonly single: Kernel;
  /** The arena the SIMD pass reads rows from (null in JavaScript mode). */
  readonly memory: WebAssembly.Memory | null;
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
    this.control = new Int32Array(new SharedArrayBuffer(16));
    this.job = rowArray(JobWord.LENGTH);
    this.memory = this.mode === 'simd' ? memory : null;
    this.params = rowArray(d + RANGES_AT + 2 * this.threads);
    this.results = rowArray(this.threads * stride);
    this.scratch = rowArray(this.threads * stride);
    const out0 = this.results.subarray(0, stride);
    if (this.mode === 'simd') {
      const { pass, refresh, place, test } = instantiate(memory!)!;
      this.ownRefresh = refresh;
      this.ownPlace = place;
      this.test = test;
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
          job: this.job,
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
    this.start(PASS, others);
    this.results.subarray(0, stride).fill(0);
    this.own(this.params[d + RANGES_AT], this.params[d + RANGES_AT + 1]);
    this.wait(others);
    for (let t = 0; t < (others > 0 ? this.threads : 1); t++) {
      for (let k = 0; k < stride; k++) out[k] += this.results[t * stride + k];
    }
  };

  /** Threads that a refresh or a placement splits its work over (the caller's included). */
  get jobThreads(): number {
    return this.workers.length + 1;
  }

  /**
   * The screened engine's refresh (kernel.wat `refresh`) over the blocks `fill` describes, on every
   * thread of the pool. False when the pool does not run SIMD or the rows are not in its arena
   * (the caller then refreshes in JavaScript).
   */
  refresh(x: Float64Array, y: Float64Array, w: Float64Array, b: number, fill: (job: Float64Array) => void): boolean {
    return this.runJob(REFRESH, x, y, w, b, fill);
  }

  /** The placement of a refresh's kept rows (kernel.wat `place`), rows split as `placeShare` says. */
  place(x: Float64Array, y: Float64Array, w: Float64Array, b: number, fill: (job: Float64Array) => void): boolean {
    return this.runJob(PLACE, x, y, w, b, fill);
  }

  private runJob(kind: number, x: Float64Array, y: Float64Array, w: Float64Array, b: number, fill: (job: Float64Array) => void): boolean {
    if (this.ownRefresh === null || this.ownPlace === null || this.memory === null || arenaOf(x, y) !== this.memory) return false;
    const job = this.job;
    this.params.set(w.subarray(0, this.d));
    this.params[this.d] = b;
    fill(job);
    const others = this.workers.length;
    job[JobWord.THREADS] = others + 1;
    job[JobWord.X] = x.byteOffset;
    job[JobWord.Y] = y.byteOffset;
    job[JobWord.D] = this.d;
    job[JobWord.W] = this.params.byteOffset;
    job[JobWord.B] = b;
    this.latest = { simd: true, threads: others + 1 };
    this.start(kind, others);
    if (kind === REFRESH) refreshShare(this.ownRefresh, job, 0);
    else placeShare(this.ownPlace, job, 0);
    this.wait(others);
    return true;
  }

  /** Wakes `others` workers for a job. */
  private start(job: number, others: number): void {
    if (others === 0) return;
    Atomics.store(this.control, JOB, job);
    Atomics.store(this.control, DONE, 0);
    Atomics.store(this.control, GENERATION, ++this.generation);
    Atomics.notify(this.control, GENERATION);
  }

  /** Waits until `others` workers are done. */
  private wait(others: number): void {
    for (let done = Atomics.load(this.control, DONE); done < others; done = Atomics.load(this.control, DONE)) {
      Atomics.wait(this.control, DONE, done);
    }
  }

  close(): void {
    Atomics.store(this.control, GENERATION, -1);
    Atomics.notify(this.control, GENERATION);
    for (const worker of this.workers) void worker.terminate();
  }
}

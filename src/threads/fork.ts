import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * Fork and join on worker threads, synchronously: loading a dataset is a synchronous step, and its
 * parts (blocks of synthetic rows, ranges of a file, chunks of a CSV) are independent. Part 0 runs
 * on this thread while the others run on workers; the call returns every part's result in part order.
 *
 * `task` must be self-contained (no outer variables, no imports): its source text is what the
 * workers run. Its input is passed by structured clone, so rows must be on shared memory
 * (src/memory/arena.ts) for the workers' writes to be seen here.
 *
 * Workers are kept between calls for a moment (a load forks several times: read, count, parse),
 * since starting one costs tens of milliseconds; idle ones never keep the process alive.
 */

// Control words of one worker: [0] jobs posted, [1] jobs done, [2] started.
const POSTED = 0;
const DONE = 1;
const STARTED = 2;
/** How long to wait for a new worker to start before running its part here instead. */
const START_TIMEOUT_MS = 10_000;
/** Idle workers are stopped after this long without a job. */
const IDLE_MS = 2_000;

export type Task<I, R> = (part: number, input: I) => R;

// A failed part keeps its error's `code` (an errno such as EIO), so its cause can be said in words.
type Outcome<R> = { result: R } | { failed: string; message: string; code?: string };

const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { port, control } = workerData;
// esbuild's keepNames helper, should a task's source carry calls to it
globalThis.__name ??= (f) => f;
const tasks = new Map();
Atomics.store(control, ${STARTED}, 1);
Atomics.notify(control, ${STARTED});
const failure = (error) => ({ failed: String((error && error.stack) || error), message: String((error && error.message) || error), code: error && typeof error.code === 'string' ? error.code : undefined });
// Whatever happens, every job is answered and counted done: the caller waits for it synchronously.
for (let done = 0; ; ) {
  Atomics.wait(control, ${POSTED}, done);
  let message;
  try {
    const { source, part, input } = receiveMessageOnPort(port).message;
    let task = tasks.get(source);
    if (!task) tasks.set(source, (task = (0, eval)('(' + source + ')')));
    message = { result: task(part, input) };
  } catch (error) {
    message = failure(error);
  }
  try {
    port.postMessage(message);
  } catch (error) {
    port.postMessage(failure(error)); // a result that cannot be cloned
  }
  Atomics.store(control, ${DONE}, ++done);
  Atomics.notify(control, ${DONE});
}
`;

class PooledWorker {
  readonly control = new Int32Array(new SharedArrayBuffer(12));
  readonly port: MessagePort;
  readonly worker: Worker;
  posted = 0;
  idleTimer: NodeJS.Timeout | undefined;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    // Not the parent's flags: e.g. --input-type=module would make this CommonJS source fail.
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { port: port2, control: this.control }, transferList: [port2] });
    this.worker.unref();
    this.port.unref();
  }

  post(source: string, part: number, input: unknown): void {
    this.port.postMessage({ source, part, input });
    Atomics.store(this.control, POSTED, ++this.posted);
    Atomics.notify(this.control, POSTED);
  }

  started(timeoutMs: number): boolean {
    return waitFor(this.control, STARTED, 1, timeoutMs);
  }

  /** The outcome of the job posted last. */
  outcome<R>(): Outcome<R> {
    waitFor(this.control, DONE, this.posted, Infinity);
    return (receiveMessageOnPort(this.port)?.message as Outcome<R> | undefined) ?? { failed: 'no result', message: 'no result' };
  }

  stop(): void {
    clearTimeout(this.idleTimer);
    this.port.close();
    void this.worker.terminate();
  }
}

const idle: PooledWorker[] = [];

function take(): PooledWorker {
  const worker = idle.pop() ?? new PooledWorker();
  clearTimeout(worker.idleTimer);
  return worker;
}

function putBack(worker: PooledWorker): void {
  idle.push(worker);
  worker.idleTimer = setTimeout(() => {
    idle.splice(idle.indexOf(worker), 1);
    worker.stop();
  }, IDLE_MS);
  worker.idleTimer.unref();
}

function waitFor(control: Int32Array, word: number, count: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (let seen = Atomics.load(control, word); seen < count; seen = Atomics.load(control, word)) {
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(control, word, seen, left) === 'timed-out') return false;
  }
  return true;
}

/**
 * A part that threw on a worker: its message and errno `code` as the task's own error had them (a
 * file read that fails there reads like one that failed here); `detail` has the worker's stack.
 */
export class WorkerFailed extends Error {
  readonly code: string | undefined;
  readonly detail: string;
  constructor(outcome: { failed: string; message: string; code?: string }) {
    super(outcome.message);
    this.code = outcome.code;
    this.detail = outcome.failed;
  }
}

/** Runs `task(part, input)` for parts 0..parts−1, parts 1.. on worker threads; results in part order. */
export function forkJoin<I, R>(task: Task<I, R>, input: I, parts: number): R[] {
  if (parts <= 1) return [task(0, input)];
  const source = task.toString();
  const workers = Array.from({ length: parts - 1 }, take);
  workers.forEach((worker, k) => worker.post(source, k + 1, input));
  const kept: PooledWorker[] = [];
  try {
    const results: R[] = [task(0, input)];
    workers.forEach((worker, k) => {
      if (!worker.started(START_TIMEOUT_MS)) {
        // The system would not start the thread (memory, limits): the part is computed here, same result.
        worker.stop();
        results.push(task(k + 1, input));
        return;
      }
      const outcome = worker.outcome<R>();
      kept.push(worker);
      if ('failed' in outcome) throw new WorkerFailed(outcome);
      results.push(outcome.result);
    });
    return results;
  } finally {
    // Every worker that started has finished its job by now, unless part 0 threw: those are stopped.
    for (const worker of workers) if (!kept.includes(worker)) worker.stop();
    for (const worker of kept) putBack(worker);
  }
}

import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * Fork and join on worker threads, synchronously: loading a dataset is a synchronous step, and its
 * parts (blocks of synthetic rows, chunks of a CSV) are independent. Part 0 runs on this thread
 * while the others run on fresh workers; the call returns every part's result in part order.
 *
 * `task` must be self-contained (no outer variables, no imports): its source text is what the
 * workers run. Its input is passed by structured clone, so rows must be on shared memory
 * (src/memory/arena.ts) for the workers' writes to be seen here.
 */

// Control words: [0] workers started, [1] workers finished.
const STARTED = 0;
const FINISHED = 1;
/** How long to wait for the workers to start before running their parts here instead. */
const START_TIMEOUT_MS = 10_000;

export type Task<I, R> = (part: number, input: I) => R;

const workerSource = (task: string): string => `
const { workerData } = require('node:worker_threads');
const { port, control, part, input } = workerData;
// esbuild's keepNames helper, should the task's source carry calls to it
const __name = (f) => f;
const task = (${task});
Atomics.add(control, ${STARTED}, 1);
Atomics.notify(control, ${STARTED});
let message;
try {
  message = { result: task(part, input) };
} catch (error) {
  message = { failed: String((error && error.stack) || error) };
}
port.postMessage(message);
Atomics.add(control, ${FINISHED}, 1);
Atomics.notify(control, ${FINISHED});
`;

function waitFor(control: Int32Array, word: number, count: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  for (let seen = Atomics.load(control, word); seen < count; seen = Atomics.load(control, word)) {
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(control, word, seen, left) === 'timed-out') return false;
  }
  return true;
}

/** Runs `task(part, input)` for parts 0..parts−1, parts 1.. on worker threads; results in part order. */
export function forkJoin<I, R>(task: Task<I, R>, input: I, parts: number): R[] {
  if (parts <= 1) return [task(0, input)];
  const control = new Int32Array(new SharedArrayBuffer(8));
  const source = workerSource(task.toString());
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  for (let part = 1; part < parts; part++) {
    const { port1, port2 } = new MessageChannel();
    ports.push(port1);
    // Not the parent's flags: e.g. --input-type=module would make this CommonJS source fail.
    workers.push(new Worker(source, { eval: true, execArgv: [], workerData: { port: port2, control, part, input }, transferList: [port2] }));
  }
  const results: R[] = [task(0, input)];
  try {
    if (!waitFor(control, STARTED, parts - 1, START_TIMEOUT_MS)) {
      // The system would not start the threads (memory, limits): the parts are computed here, same results.
      for (const worker of workers) void worker.terminate();
      for (let part = 1; part < parts; part++) results.push(task(part, input));
      return results;
    }
    waitFor(control, FINISHED, parts - 1, Infinity);
    for (const port of ports) {
      const message = receiveMessageOnPort(port)?.message as { result: R } | { failed: string } | undefined;
      if (!message || 'failed' in message) throw new Error(`a worker thread failed: ${message?.failed ?? 'no result'}`);
      results.push(message.result);
    }
    return results;
  } finally {
    for (const port of ports) port.close();
    for (const worker of workers) {
      worker.unref();
      void worker.terminate();
    }
  }
}

import { describe, expect, it } from 'vitest';
import { fileErrorCause } from '../../src/files/causes.js';
import { forkJoin, WorkerFailed } from '../../src/threads/fork.js';

interface Input {
  /** One slot per part, on shared memory: each part writes its own. */
  seen: Int32Array;
  fail: number;
}

/** Self-contained, as forkJoin's tasks must be: records which thread ran the part. */
function mark(part: number, input: Input): string {
  if (part === input.fail) throw Object.assign(new Error(`part ${part} fails`), { code: 'EIO' });
  const { isMainThread, threadId } = process.getBuiltinModule('node:worker_threads');
  input.seen[part] = isMainThread ? -1 : threadId;
  return `part ${part}`;
}

/** A result structured clone cannot carry (a function) from part 1 on. */
function unclonable(part: number): unknown {
  return part === 0 ? 'fine' : { f: () => part };
}

describe('forkJoin', () => {
  it('reports a result that cannot be sent back as a failure, not a hang', () => {
    expect(() => forkJoin(unclonable, null, 2)).toThrow(WorkerFailed);
  });

  it('runs part 0 here and the others on worker threads, results in part order', () => {
    const input = { seen: new Int32Array(new SharedArrayBuffer(16)), fail: -1 };
    expect(forkJoin(mark, input, 4)).toEqual(['part 0', 'part 1', 'part 2', 'part 3']);
    const here = process.getBuiltinModule('node:worker_threads').threadId;
    expect(input.seen[0]).toBe(process.getBuiltinModule('node:worker_threads').isMainThread ? -1 : here);
    const others = Array.from(input.seen.subarray(1));
    expect(new Set(others).size).toBe(3); // three different worker threads
    expect(others).not.toContain(input.seen[0]);
  });

  it('reuses its workers for the next call (a load forks several times)', () => {
    const first = { seen: new Int32Array(new SharedArrayBuffer(12)), fail: -1 };
    const second = { seen: new Int32Array(new SharedArrayBuffer(12)), fail: -1 };
    forkJoin(mark, first, 3);
    forkJoin(mark, second, 3);
    expect(new Set(second.seen.subarray(1))).toEqual(new Set(first.seen.subarray(1)));
  });

  it("reports a worker's failure as an error, and still works afterwards", () => {
    // The worker's error as the task threw it: message and errno code (so its cause reads in words), no stack.
    let thrown: unknown;
    try {
      forkJoin(mark, { seen: new Int32Array(new SharedArrayBuffer(12)), fail: 2 }, 3);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WorkerFailed);
    expect(thrown).toMatchObject({ message: 'part 2 fails', code: 'EIO' });
    expect(fileErrorCause(thrown)).toBe('an input/output error on the device');
    expect(() => forkJoin(mark, { seen: new Int32Array(new SharedArrayBuffer(12)), fail: 0 }, 3)).toThrow(/part 0 fails/);
    expect(forkJoin(mark, { seen: new Int32Array(new SharedArrayBuffer(12)), fail: -1 }, 3)).toEqual(['part 0', 'part 1', 'part 2']);
  });
});

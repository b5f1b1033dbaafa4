import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { eventLine } from '../src/sinks/jsonl.js';
import { TrainingControl } from '../src/train/control.js';
import type { TrainingEvent } from '../src/train/events.js';
import { startRun, type RunRequest, type RunView } from '../src/train/session.js';
import { Trainer } from '../src/train/trainer.js';
import { config, dataset, randomRows, ROOT } from './helpers.js';

// The worker as the CLI runs it: the built entry (the tests run after `npm run build`).
const workerUrl = pathToFileURL(join(ROOT, 'dist/train-worker.js'));

function request(overrides: Parameters<typeof config>[0], views: RunView[], thread: 'main' | 'worker', control?: TrainingControl): RunRequest {
  const all = randomRows(300, 3, 9, (x) => Math.max(0, 0.5 + x[0] - x[2]));
  const d = 3;
  const data = dataset({ x: all.x.subarray(0, 240 * d), y: all.y.subarray(0, 240), n: 240 }, d, { x: all.x.subarray(240 * d), y: all.y.subarray(240), n: 60 });
  return { config: config({ epochs: 50, log_every: 7, ...overrides }), dataset: data, threads: 1, views, thread, control, workerUrl };
}

/** The lines `--out` would write, and the `last` flags plain progress sees. */
function recorder() {
  const lines: string[] = [];
  const every: number[] = [];
  const last: number[] = [];
  const write = (e: TrainingEvent): void => {
    lines.push(eventLine(e).replace(/"elapsed_ms":[0-9.e+-]+/, '"elapsed_ms":0'));
  };
  const view: RunView = {
    start: write,
    epoch: write,
    end: write,
    everyEpoch: (e, isLast) => {
      every.push(e.epoch);
      if (isLast) last.push(e.epoch);
    },
  };
  return { lines, every, last, view };
}

describe('one run, many views: the worker thread and the main thread', () => {
  it('give every view the same events, apart from elapsed_ms', async () => {
    const here = recorder();
    const there = recorder();
    const a = await startRun(request({}, [here.view], 'main'));
    const b = await startRun(request({}, [there.view], 'worker'));
    expect(b.end.status).toBe('completed');
    expect(there.lines).toEqual(here.lines);
    // log_every 7 emits 7, 14, ..., 49 and always the last epoch
    expect(there.lines.length).toBe(1 + 7 + 1 + 1);
    expect(there.every).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
    expect(there.last).toEqual([50]);
    expect(b.learningRate).toBe(a.learningRate);
  });

  it('a diverging run: null fields cross the boundary as null', async () => {
    const here = recorder();
    const there = recorder();
    await startRun(request({ learning_rate: 1e6 }, [here.view], 'main'));
    const { end } = await startRun(request({ learning_rate: 1e6 }, [there.view], 'worker'));
    expect(end.status).toBe('diverged');
    expect(there.lines).toEqual(here.lines);
    expect(there.lines.some((l) => l.includes('"loss":null'))).toBe(true);
  });

  it('the control crosses it: pause, a single step, a learning-rate factor, and stop', async () => {
    const control = new TrainingControl();
    const seen = recorder();
    let idle = 0;
    control.toggle(); // paused before the first epoch
    const done = startRun(request({ epochs: 1_000_000_000, log_every: 1 }, [seen.view, { idle: () => idle++ }], 'worker', control));
    await vi.waitFor(() => expect(idle).toBe(1));
    expect(seen.every).toEqual([]);
    control.scaleRate(2);
    control.step();
    await vi.waitFor(() => expect(idle).toBe(2));
    expect(seen.every).toEqual([1]);
    expect(seen.lines[1]).toContain('"learning_rate":0.2');
    control.stop();
    const { end } = await done;
    expect(end).toMatchObject({ status: 'interrupted', epochs: 1 });
  });

  it('an abort signal stops a worker run with status interrupted', async () => {
    const abort = new AbortController();
    const seen = recorder();
    const done = startRun({ ...request({ epochs: 1_000_000_000 }, [seen.view], 'worker'), signal: abort.signal });
    await vi.waitFor(() => expect(seen.every.length).toBeGreaterThan(100));
    abort.abort();
    const { end } = await done;
    expect(end.status).toBe('interrupted');
    expect(seen.lines[seen.lines.length - 2]).toContain(`"epoch":${end.epochs},`); // the last epoch is written
  });

  it('the parameters cross it with those entering the last epoch and the factor that epoch used, exactly', async () => {
    for (const thread of ['main', 'worker'] as const) {
      const control = new TrainingControl();
      control.scaleRate(4);
      let last: { w: number[]; b: number; enteringW: number[]; enteringB: number; factor: number } | null = null;
      const view: RunView = {
        parameters: (weights, bias, from) => {
          last = { w: Array.from(weights), b: bias, enteringW: Array.from(from.weights), enteringB: from.bias, factor: from.rateFactor };
        },
      };
      const req = request({ epochs: 30, learning_rate: 0.02 }, [view], thread, control);
      await startRun(req);
      // The same run, here: the parameters after 29 epochs enter the 30th.
      const trainer = new Trainer(req.config, req.dataset, { clock: () => 0, rateFactor: () => 4 });
      for (let e = 0; e < 29; e++) trainer.runEpoch();
      const entering = { w: Array.from(trainer.w), b: trainer.b };
      trainer.runEpoch();
      expect(last, thread).toEqual({ w: Array.from(trainer.w), b: trainer.b, enteringW: entering.w, enteringB: entering.b, factor: 4 });
    }
  });
});
